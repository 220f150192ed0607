"""The audit: proof that rank never decides who gets the work. Pure; may read protected attributes.

::

    ledger      append, verify_chain        hash-chained log of rounds, approvals, overrides
    invariance  certify, plan_digest        reshuffled protected attributes -> identical plan?
    parity      parity_report               lead/stretch seats by level and tenure vs merit alone
    halo        halo_report                 do reviewers score by level at equal merit?
    overrides   audit_overrides             level and groundwork hand-offs, pre-promotion favours

Audits return findings; they never raise on a finding (only on settings out
of range, as ``InvalidInput``). Time (``as_of``, ``at``) and randomness
(``seed``) are parameters. See ``docs/audit.md``.
"""

from __future__ import annotations

from mts.audit.halo import HaloEstimate, HaloReport, HaloRow, HaloSettings, halo_report
from mts.audit.invariance import (
    Certificate,
    CertificateVerdict,
    PermutationRun,
    Pipeline,
    SeatChange,
    SeatMap,
    certify,
    plan_digest,
    seat_changes,
    shuffled_profiles,
)
from mts.audit.ledger import (
    GENESIS_HASH,
    LedgerEntry,
    LedgerKind,
    LedgerVerdict,
    append,
    canonical_json,
    digest,
    entry_hash,
    verify_chain,
)
from mts.audit.overrides import (
    FindingKind,
    OverrideAudit,
    OverrideFinding,
    OverrideSettings,
    PromotionPattern,
    Severity,
    ValueOf,
    audit_overrides,
)
from mts.audit.parity import (
    BandShare,
    BandTest,
    MeritScore,
    NewcomerShare,
    ParityReport,
    ParitySettings,
    SeatParity,
    merit_scores,
    parity_report,
)

__all__ = [
    "GENESIS_HASH",
    "BandShare",
    "BandTest",
    "Certificate",
    "CertificateVerdict",
    "FindingKind",
    "HaloEstimate",
    "HaloReport",
    "HaloRow",
    "HaloSettings",
    "LedgerEntry",
    "LedgerKind",
    "LedgerVerdict",
    "MeritScore",
    "NewcomerShare",
    "OverrideAudit",
    "OverrideFinding",
    "OverrideSettings",
    "ParityReport",
    "ParitySettings",
    "PermutationRun",
    "Pipeline",
    "PromotionPattern",
    "SeatChange",
    "SeatMap",
    "SeatParity",
    "Severity",
    "ValueOf",
    "append",
    "audit_overrides",
    "canonical_json",
    "certify",
    "digest",
    "entry_hash",
    "halo_report",
    "merit_scores",
    "parity_report",
    "plan_digest",
    "seat_changes",
    "shuffled_profiles",
    "verify_chain",
]
