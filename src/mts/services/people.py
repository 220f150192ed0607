"""Reading members and evidence, with who may see what.

Raw review evidence is visible to the council and to the reviewer who wrote
it, never to the person reviewed or their peers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from mts.domain.accounts import User
from mts.domain.errors import InvalidInput, NotFound, PermissionDenied
from mts.domain.evidence import Evidence
from mts.domain.people import Department, DepartmentId, Person, PersonId
from mts.services.unit_of_work import UnitOfWorkFactory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One page of a list and the size of the whole list."""

    items: Sequence[T]
    total: int


def list_people(
    unit_of_work: UnitOfWorkFactory,
    *,
    department: DepartmentId | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Slice[Person]:
    """Members in id order, optionally one department's."""
    with unit_of_work() as uow:
        if department is None:
            return Slice(uow.people.list(offset=offset, limit=limit), uow.people.count())
        items = uow.people.in_department(department, offset=offset, limit=limit)
        return Slice(items, uow.people.count_in_department(department))


def get_person(unit_of_work: UnitOfWorkFactory, person: PersonId) -> Person:
    """One member."""
    with unit_of_work() as uow:
        found = uow.people.get(person)
    if found is None:
        raise NotFound("person", person)
    return found


def list_departments(unit_of_work: UnitOfWorkFactory) -> Sequence[Department]:
    """Every department."""
    with unit_of_work() as uow:
        return uow.departments.list()


def list_evidence(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    person: PersonId | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Slice[Evidence]:
    """Raw evidence: all of it for the council, only what they reviewed for anyone else."""
    if not (actor.is_council or actor.person):
        return Slice([], 0)
    # Anyone but the council reads only what they reviewed: filtered in the query, not after.
    reviewer = None if actor.is_council else actor.person
    with unit_of_work() as uow:
        items = uow.evidence.list(person=person, reviewer=reviewer, offset=offset, limit=limit)
        return Slice(items, uow.evidence.count(person=person, reviewer=reviewer))


def add_evidence(unit_of_work: UnitOfWorkFactory, actor: User, evidence: Evidence) -> bool:
    """Record a review: the council may add any; a member only reviews they wrote themself."""
    if not actor.is_council and (evidence.reviewer is None or not actor.is_self(evidence.reviewer)):
        raise PermissionDenied("members may only record reviews they wrote themselves")
    if evidence.reviewer == evidence.person:
        raise InvalidInput("nobody reviews their own work")
    if not evidence.scale.contains(evidence.score):
        raise InvalidInput(
            f"score {evidence.score} is outside {evidence.scale.low}..{evidence.scale.high}"
        )
    with unit_of_work() as uow:
        for who in {evidence.person, evidence.reviewer} - {None}:
            if who is not None and uow.people.get(who) is None:
                raise NotFound("person", who)
        added = uow.evidence.add_new([evidence]) == 1
        uow.commit()
    return added
