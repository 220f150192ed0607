"""The audit reports of a round, from what the store holds: parity, overrides, halo.

These are the only use cases, with analytics, that read protected attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from mts.audit import (
    HaloReport,
    OverrideAudit,
    ParityReport,
    audit_overrides,
    halo_report,
    merit_scores,
    parity_report,
)
from mts.domain.errors import NotFound
from mts.domain.people import PersonId
from mts.domain.projects import RoleId, RoleKind
from mts.merit.table import MeritTable
from mts.services.rounds import find_round
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class _RoundMerit:
    as_of: date
    seed: int
    table: MeritTable
    people: list[PersonId]


def _round_merit(
    uow: UnitOfWork, round_ref: str
) -> tuple[_RoundMerit, list[tuple[RoleId, int, PersonId]]]:
    record = find_round(uow, round_ref)
    if record.snapshot is None:
        raise NotFound("plan of round", round_ref)
    as_of = record.round.as_of
    people = [p.id for p in uow.people.list() if p.is_active(as_of)]
    seats = [(a.role, a.seat, a.person) for a, _ in uow.rounds.seats(record.round.id)]
    return _RoundMerit(as_of, record.round.seed, uow.merit.table(record.snapshot), people), seats


def round_parity(unit_of_work: UnitOfWorkFactory, round_ref: str) -> ParityReport:
    """Lead and stretch seats by level and tenure band, against what merit alone predicts."""
    with unit_of_work() as uow:
        merit, seats = _round_merit(uow, round_ref)
        leads = [r.id for r in uow.roles.list() if r.kind is RoleKind.LEAD]
        profiles = uow.protected.list()
    flags = merit.table.uncertain(merit.people)
    uncertain = [p for p, flag in zip(merit.people, flags, strict=True) if flag]
    return parity_report(
        {(role, seat): person for role, seat, person in seats},
        lead_roles=leads,
        pool=merit.people,
        merit=merit_scores(merit.table, merit.people),
        uncertain=uncertain,
        profiles=profiles,
        as_of=merit.as_of,
        seed=merit.seed,
    )


def round_overrides(unit_of_work: UnitOfWorkFactory, round_ref: str) -> OverrideAudit:
    """A round's overrides, checked for level and groundwork hand-offs, promotion favours."""
    with unit_of_work() as uow:
        merit, _ = _round_merit(uow, round_ref)
        record = find_round(uow, round_ref)
        overrides = uow.rounds.overrides(record.round.id)
        profiles = uow.protected.list()
        groundwork = uow.groundwork.list()
        roles = uow.roles.list()
    value = {p: s.mean for p, s in merit_scores(merit.table, merit.people).items()}
    return audit_overrides(
        overrides,
        value=value,
        profiles=profiles,
        groundwork=groundwork,
        roles=roles,
        as_of=merit.as_of,
    )


def halo(unit_of_work: UnitOfWorkFactory) -> HaloReport:
    """Do reviewers score higher-level people higher at equal estimated merit? (latest snapshot)"""
    with unit_of_work() as uow:
        header = uow.merit.latest()
        if header is None:
            raise NotFound("merit snapshot", "latest")
        table = uow.merit.table(header.id)
        evidence = [e for e in uow.evidence.list(until=header.as_of) if e.reviewer]
        profiles = uow.protected.list()
    source_means: dict[str, float] = header.parameters.get("source_means", {})
    rows = []
    for e in evidence:
        assert e.reviewer is not None  # filtered above
        weights = np.array([t.weight for t in e.skills])
        fit = sum(
            w * table.posterior(e.person, t.skill).mean
            for w, t in zip(weights, e.skills, strict=True)
        )
        predicted = source_means.get(e.source, 0.5) + fit / weights.sum()
        rows.append((e.reviewer, e.person, e.scale.normalise(e.score) - predicted))
    return halo_report(rows, profiles=profiles)
