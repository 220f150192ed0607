"""The override audit: every council change to the engine's plan, checked for known bad patterns.

Each override is checked on its own for

- a missing reason or actor (every override must carry both);
- a **level hand-off**: the new person has a higher level and a lower value
  for the role than the engine's pick (by more than ``merit_margin``);
- a **groundwork hand-off**: a lead seat taken from the engine's pick who did
  the project's groundwork and never declined the lead, and given to someone
  who did not;
- a **pre-promotion** favour: the new person's promotion window lies within
  ``promotion_window_days`` of ``as_of`` and the engine's pick's does not.

Together, the pre-promotion favours form a **pattern** when they are more
frequent than the share of people in a window would make them by chance: a
one-sided binomial test of ``k`` favours in ``n`` overrides against that
share ``q``, ``P(X >= k)``, ``X ~ Binomial(n, q)``, below ``alpha`` and with
at least two favours (one favour is a finding, not yet a pattern).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from scipy import stats

from mts.domain.people import PersonId
from mts.domain.plain import record_dict
from mts.domain.projects import Groundwork, ProjectId, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Override, RoundId

ValueOf = Callable[[PersonId, RoleId], float | None]
"""A person's value (merit fit) for a role, or None when unknown."""


class FindingKind(enum.StrEnum):
    """What an override finding is about."""

    MISSING_REASON = "missing_reason"
    MISSING_ACTOR = "missing_actor"
    LEVEL_HANDOFF = "level_handoff"
    GROUNDWORK_HANDOFF = "groundwork_handoff"
    PRE_PROMOTION = "pre_promotion"
    PRE_PROMOTION_PATTERN = "pre_promotion_pattern"
    UNKNOWN_ROLE = "unknown_role"


class Severity(enum.StrEnum):
    """How urgently the council should look: ``high`` breaks a rule of the organisation."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True, kw_only=True)
class OverrideFinding:
    """One thing the council should look at, in plain words."""

    kind: FindingKind
    severity: Severity
    round: RoundId | None
    role: RoleId | None
    people: tuple[PersonId, ...]
    message: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OverrideSettings:
    """How near a promotion date counts as a window, and how much merit gap is noise."""

    promotion_window_days: int = 90
    merit_margin: float = 0.0
    alpha: float = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionPattern:
    """How often overrides favoured people in a promotion window, against their share of staff."""

    overrides: int
    favouring_window: int
    people_in_window: int
    people_with_profile: int
    base_rate: float
    p_value: float | None
    verdict: str

    def is_pattern(self, alpha: float) -> bool:
        """Two or more favours, and more than the base rate explains at level ``alpha``."""
        return self.favouring_window >= 2 and self.p_value is not None and self.p_value < alpha


@dataclass(frozen=True, slots=True, kw_only=True)
class OverrideAudit:
    """Every finding over a set of overrides, and the pre-promotion pattern."""

    overrides: int
    findings: tuple[OverrideFinding, ...]
    pattern: PromotionPattern

    @property
    def flagged(self) -> bool:
        """Whether any finding is of high severity."""
        return any(finding.severity is Severity.HIGH for finding in self.findings)

    def to_dict(self) -> dict[str, object]:
        """The audit as JSON-ready data."""
        return {**record_dict(self), "flagged": self.flagged}


@dataclass(frozen=True, slots=True)
class _Context:
    value: ValueOf
    profiles: Mapping[PersonId, ProtectedProfile]
    authors: Mapping[ProjectId, Mapping[PersonId, bool]]
    roles: Mapping[RoleId, Role]
    as_of: date
    settings: OverrideSettings


def audit_overrides(
    overrides: Sequence[Override],
    *,
    value: Mapping[PersonId, float] | ValueOf,
    profiles: Sequence[ProtectedProfile],
    groundwork: Sequence[Groundwork],
    roles: Sequence[Role],
    as_of: date,
    settings: OverrideSettings | None = None,
) -> OverrideAudit:
    """Check every override for a missing reason, hand-offs and pre-promotion favours.

    Parameters
    ----------
    overrides
        The council's changes, in the order they were made.
    value
        Each person's merit for a role: a mapping (one number per person,
        e.g. general merit) or a function ``(person, role) -> value | None``
        (e.g. the staffing engine's fit for that role).
    profiles, groundwork, roles
        Protected attributes (level, promotion window), groundwork records
        (who has first refusal on a lead), and the roles overridden.
    as_of
        The day promotion windows are measured from.

    The checks and the pattern test are in the module docstring. Never raises.
    """
    settings = settings or OverrideSettings()
    context = _Context(
        value=_value_function(value),
        profiles={profile.person: profile for profile in profiles},
        authors=_authors(groundwork),
        roles={role.id: role for role in roles},
        as_of=as_of,
        settings=settings,
    )
    findings = [finding for override in overrides for finding in _check(override, context)]
    pattern = _pattern(overrides, context)
    if pattern.is_pattern(settings.alpha):
        findings.append(_pattern_finding(pattern))
    return OverrideAudit(overrides=len(overrides), findings=tuple(findings), pattern=pattern)


def _value_function(value: Mapping[PersonId, float] | ValueOf) -> ValueOf:
    if isinstance(value, Mapping):
        scores = value
        return lambda person, _role: scores.get(person)
    return value


def _authors(groundwork: Sequence[Groundwork]) -> dict[ProjectId, dict[PersonId, bool]]:
    """Per project, each groundwork author and whether they declined the lead."""
    authors: dict[ProjectId, dict[PersonId, bool]] = {}
    for record in groundwork:
        declined = authors.setdefault(record.project, {}).get(record.person, False)
        authors[record.project][record.person] = declined or record.declines_lead
    return authors


def _check(override: Override, context: _Context) -> list[OverrideFinding]:
    checks = (_missing_reason, _missing_actor, _level_handoff, _groundwork_handoff, _promotion)
    return [finding for check in checks if (finding := check(override, context)) is not None]


def _finding(
    override: Override,
    kind: FindingKind,
    severity: Severity,
    people: Sequence[PersonId | None],
    message: str,
) -> OverrideFinding:
    return OverrideFinding(
        kind=kind,
        severity=severity,
        round=override.round,
        role=override.role,
        people=tuple(person for person in people if person is not None),
        message=message,
        at=override.at,
    )


def _missing_reason(override: Override, _context: _Context) -> OverrideFinding | None:
    if override.reason.strip():
        return None
    message = (
        f"the override of role {override.role} (to {override.new_person}) by "
        f"{override.actor or 'an unnamed actor'} gives no reason; every override must"
    )
    people = (override.engine_person, override.new_person)
    return _finding(override, FindingKind.MISSING_REASON, Severity.HIGH, people, message)


def _missing_actor(override: Override, _context: _Context) -> OverrideFinding | None:
    if override.actor.strip():
        return None
    message = f"the override of role {override.role} does not say who made it; every override must"
    people = (override.engine_person, override.new_person)
    return _finding(override, FindingKind.MISSING_ACTOR, Severity.HIGH, people, message)


def _level_handoff(override: Override, context: _Context) -> OverrideFinding | None:
    engine, new = override.engine_person, override.new_person
    if engine is None or engine == new:
        return None
    engine_level, new_level = _level(context, engine), _level(context, new)
    engine_value = context.value(engine, override.role)
    new_value = context.value(new, override.role)
    if engine_level is None or new_level is None or engine_value is None or new_value is None:
        return None
    if new_level <= engine_level or new_value >= engine_value - context.settings.merit_margin:
        return None
    message = (
        f"role {override.role} went from the engine's pick {engine} (level {engine_level}, "
        f"merit {engine_value:.2f}) to {new} (level {new_level}, merit {new_value:.2f}): "
        "a higher level and lower merit"
    )
    return _finding(override, FindingKind.LEVEL_HANDOFF, Severity.HIGH, (engine, new), message)


def _level(context: _Context, person: PersonId) -> int | None:
    profile = context.profiles.get(person)
    return None if profile is None else profile.level


def _groundwork_handoff(override: Override, context: _Context) -> OverrideFinding | None:
    role = context.roles.get(override.role)
    if role is None:
        message = (
            f"role {override.role} is not among the roles given to the audit, "
            "so groundwork could not be checked"
        )
        people = (override.engine_person, override.new_person)
        return _finding(override, FindingKind.UNKNOWN_ROLE, Severity.LOW, people, message)
    authors = context.authors.get(role.project, {})
    engine, new = override.engine_person, override.new_person
    keeps_claim = engine is not None and engine in authors and not authors[engine]
    if role.kind is not RoleKind.LEAD or not keeps_claim or new in authors:
        return None
    message = (
        f"the lead of project {role.project} was taken from {engine}, who did its groundwork "
        f"and did not decline the lead, and given to {new}"
    )
    kind = FindingKind.GROUNDWORK_HANDOFF
    return _finding(override, kind, Severity.HIGH, (engine, new), message)


def _in_window(context: _Context, person: PersonId | None) -> bool:
    profile = None if person is None else context.profiles.get(person)
    if profile is None or profile.promotion_window is None:
        return False
    days = abs((profile.promotion_window - context.as_of).days)
    return days <= context.settings.promotion_window_days


def _favours_window(override: Override, context: _Context) -> bool:
    return _in_window(context, override.new_person) and not _in_window(
        context, override.engine_person
    )


def _promotion(override: Override, context: _Context) -> OverrideFinding | None:
    if not _favours_window(override, context):
        return None
    profile = context.profiles[override.new_person]
    message = (
        f"role {override.role} went to {override.new_person}, whose promotion window "
        f"({profile.promotion_window}) is within {context.settings.promotion_window_days} days "
        f"of {context.as_of}, instead of the engine's pick {override.engine_person or '(vacant)'}"
    )
    people = (override.engine_person, override.new_person)
    return _finding(override, FindingKind.PRE_PROMOTION, Severity.MEDIUM, people, message)


def _pattern(overrides: Sequence[Override], context: _Context) -> PromotionPattern:
    with_profile = len(context.profiles)
    in_window = sum(_in_window(context, person) for person in context.profiles)
    rate = in_window / with_profile if with_profile else 0.0
    favours = sum(_favours_window(override, context) for override in overrides)
    n = len(overrides)
    p_value = None
    if n > 0 and 0.0 < rate < 1.0:
        p_value = float(stats.binomtest(favours, n, rate, alternative="greater").pvalue)
    return PromotionPattern(
        overrides=n,
        favouring_window=favours,
        people_in_window=in_window,
        people_with_profile=with_profile,
        base_rate=rate,
        p_value=p_value,
        verdict=_pattern_verdict(favours, n, rate, p_value, context.settings.alpha),
    )


def _pattern_verdict(favours: int, n: int, rate: float, p_value: float | None, alpha: float) -> str:
    counts = f"{favours} of {n} overrides favoured someone in a promotion window"
    if p_value is None:
        if n == 0:
            return "no overrides to assess"
        return f"{counts}; nobody's promotion date sets a comparison, so no pattern can be tested"
    p = "p<0.001" if p_value < 0.001 else f"p={p_value:.3f}"
    if p_value < alpha and favours >= 2:
        return f"{counts}, more than their {rate:.0%} share of staff explains ({p}): a pattern"
    return f"{counts}, in line with their {rate:.0%} share of staff ({p})"


def _pattern_finding(pattern: PromotionPattern) -> OverrideFinding:
    return OverrideFinding(
        kind=FindingKind.PRE_PROMOTION_PATTERN,
        severity=Severity.HIGH,
        round=None,
        role=None,
        people=(),
        message=pattern.verdict,
    )
