"""Approved plans as everyone may read them, and the decisions about one person.

Who holds which seat of an approved round is public inside the organisation:
that is the plan. Why a seat went as it did carries the values of the people
weighed for it, so a person reads the explanations of their own seats and
the council reads all of them; nobody else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mts.domain.accounts import User
from mts.domain.errors import NotFound, PermissionDenied
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId
from mts.domain.staffing import Assignment, Round, RoundStatus
from mts.services.rounds import find_round
from mts.services.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """An approved round and how many seats its plan fills."""

    round: Round
    seats: int


@dataclass(frozen=True, slots=True)
class ApprovedPlan:
    """An approved round's seats (without explanations) and the seats it left open."""

    round: Round
    seats: list[Assignment]
    vacancies: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Decision:
    """A seat a round gave a person, with the explanation stored with it."""

    round: Round
    assignment: Assignment
    why: dict[str, Any]


def approved_plans(unit_of_work: UnitOfWorkFactory) -> list[PlanSummary]:
    """Every approved round, newest first, with its seat count; anyone logged in may read it."""
    with unit_of_work() as uow:
        records = uow.rounds.newest_first(plans=False)
        approved = [r for r in records if r.round.status is RoundStatus.APPROVED]
        return [PlanSummary(r.round, uow.rounds.seat_count(r.round.id)) for r in approved]


def approved_plan(
    unit_of_work: UnitOfWorkFactory,
    round_ref: str,
    *,
    project: ProjectId | None = None,
    person: PersonId | None = None,
) -> ApprovedPlan:
    """Who holds which seat of an approved round; rounds not yet approved are not plans."""
    with unit_of_work() as uow:
        record = find_round(uow, round_ref, plan=False)  # the plan document: megabytes, unneeded
        if record.round.status is not RoundStatus.APPROVED:
            raise NotFound("approved plan", round_ref)
        round_id = record.round.id
        seats = uow.rounds.holders(round_id, project=project, person=person)
        found = uow.rounds.vacancies(round_id)
    vacancies = [v for v in found if project is None or v.get("project") == project]
    return ApprovedPlan(record.round, seats, vacancies)


def decisions_about(
    unit_of_work: UnitOfWorkFactory, actor: User, person: PersonId
) -> list[Decision]:
    """Every seat a round gave ``person`` with its explanation, newest round first.

    For that person (approved rounds) and the council (plans awaiting approval too).
    """
    if not (actor.is_council or actor.is_self(person)):
        raise PermissionDenied("people see the decisions about themselves; the council sees all")
    shown = [RoundStatus.APPROVED] + ([RoundStatus.PROPOSED] if actor.is_council else [])
    with unit_of_work() as uow:
        if uow.people.get(person) is None:
            raise NotFound("person", person)
        return [Decision(*seat) for seat in uow.rounds.seats_of(person, shown)]
