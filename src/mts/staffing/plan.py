"""The result of a staffing round: seats, vacancies, explanations and solver statistics.

Plain frozen data, JSON-friendly through ``Plan.to_dict()``. Values are in
units of the organisation's prior sd (see ``docs/staffing.md``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from mts.domain.people import PersonId, Skill
from mts.domain.projects import ProjectId, RoleId
from mts.domain.staffing import Assignment, RoundId


class PinSource(enum.StrEnum):
    """Why a seat was fixed before the optimiser ran."""

    COUNCIL = "pin"
    GROUNDWORK = "groundwork"


class GroundworkOutcome(enum.StrEnum):
    """What became of a groundwork author's first refusal on the lead."""

    PINNED = "pinned"
    DECLINED = "declined"
    TRAILS = "trails"
    UNAVAILABLE = "unavailable"
    NO_LEAD_ROLE = "no_lead_role"


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillFit:
    """One skill's share of a person's fit for a role."""

    skill: Skill
    weight: float
    mean: float
    contribution: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueBreakdown:
    """A person's value in a role, term by term: ``total = fit + exploration + lead + interest``."""

    fit: float
    fit_by_skill: tuple[SkillFit, ...]
    exploration: float
    lead: float
    interest: float
    total: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PassedOver:
    """A person valued above the one seated, and the constraint that stopped them."""

    person: PersonId
    value: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatExplanation:
    """Why this person holds this seat: their value, the runner-up, and who was passed over."""

    value: ValueBreakdown
    runner_up: PersonId | None
    runner_up_value: float | None
    margin: float | None
    passed_over: tuple[PassedOver, ...]
    rules: tuple[str, ...]
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Seat:
    """One filled seat of a role."""

    role: RoleId
    project: ProjectId
    person: PersonId
    fte: float
    value: float
    seat: int
    pinned_by: PinSource | None
    why: SeatExplanation


@dataclass(frozen=True, slots=True, kw_only=True)
class Vacancy:
    """Seats of a role left open on purpose, and why."""

    role: RoleId
    project: ProjectId
    seats: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GroundworkDecision:
    """Whether a groundwork author was given the lead, and why (not)."""

    project: ProjectId
    person: PersonId
    role: RoleId | None
    outcome: GroundworkOutcome
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SolverStats:
    """How the plan was found and how far from optimal it can be.

    ``bound``: no plan can score more (Lagrangian relaxation over every
    person and role, priced so that pruning cannot hide a better plan; None
    when none could be certified). ``gap = (bound - objective) /
    max(|objective|, 1)``; ``bound_scope`` is ``all pairs`` or ``none``.
    ``mip_bound`` and ``mip_gap``: the same over the candidate pairs only
    (HiGHS's when it ran on all of them). ``status``: ``optimal`` (gap within
    the settings' ``mip_gap``), ``feasible`` (a valid plan, the time ran
    out first), ``empty`` (nobody or nothing to staff), or for the greedy
    baseline ``rules unmet: ...``.
    """

    method: str
    status: str
    objective: float
    bound: float | None
    gap: float | None
    bound_scope: str
    mip_bound: float | None
    mip_gap: float | None
    seconds: float
    people: int
    roles: int
    candidate_pairs: int
    added_by_pricing: int
    greedy_objective: float | None
    mip_nodes: int
    seed: int
    exploration: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A proposed staffing for one round."""

    seats: tuple[Seat, ...]
    vacancies: tuple[Vacancy, ...]
    groundwork: tuple[GroundworkDecision, ...]
    stats: SolverStats
    notes: tuple[str, ...] = ()

    @property
    def objective(self) -> float:
        """Total value of the seats minus the vacancy penalties."""
        return self.stats.objective

    def seats_of(self, role: RoleId) -> tuple[Seat, ...]:
        """The filled seats of ``role``."""
        return tuple(seat for seat in self.seats if seat.role == role)

    def assignments(self, round_id: RoundId) -> tuple[Assignment, ...]:
        """The seats as domain ``Assignment`` values of ``round_id``."""
        return tuple(
            Assignment(
                round=round_id,
                role=seat.role,
                project=seat.project,
                person=seat.person,
                fte=seat.fte,
                value=seat.value,
                seat=seat.seat,
            )
            for seat in self.seats
        )

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready dicts, lists, strings and numbers."""
        plain = _plain(self)
        assert isinstance(plain, dict)  # a dataclass always maps to a dict
        return plain


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    return value
