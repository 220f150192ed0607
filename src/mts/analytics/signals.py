"""Early signals for people on staff: time since their last lead role, time without any seat.

Both are read from dated seats (see ``allocations``). A long spell without
a seat, or a former lead not leading for a long time, often comes before a
departure; these are prompts for a conversation, never inputs to staffing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mts.analytics.allocations import Seat
from mts.analytics.encoding import Record
from mts.analytics.population import Population
from mts.domain.people import DepartmentId, Person, PersonId
from mts.domain.projects import RoleKind


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonSignal(Record):
    """One person's signals on ``as_of``.

    ``last_lead`` is the last day they held a lead seat (``as_of`` if they
    lead now), None if never; ``days_since_lead = as_of - last_lead``.
    ``days_without_allocation = as_of - max(last day holding any seat,
    start of the current stint)``: 0 while they hold a seat. A seat replaced
    by a later round was last held the day before that round.
    """

    person: PersonId
    name: str
    department: DepartmentId
    on_staff_since: date
    leading_now: bool
    last_lead: date | None
    days_since_lead: int | None
    allocated_now: bool
    last_allocation: date | None
    days_without_allocation: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalReport(Record):
    """Signals of everyone on staff, longest without a seat first.

    ``idle`` counts people without a seat for at least ``idle_days``.
    """

    idle_days: int
    people: tuple[PersonSignal, ...]
    idle: int
    allocated_now: int
    leading_now: int
    never_led: int


def signals(population: Population, *, idle_days: int = 90) -> SignalReport:
    """Time since the last lead role and time without any seat, for everyone on staff.

    Parameters
    ----------
    population : the people on staff on ``as_of`` and every dated seat.
    idle_days : a spell without a seat at least this long counts as idle.
    """
    people = sorted(
        (_signal(population, person) for person in population.on_staff),
        key=lambda s: (-s.days_without_allocation, s.person),
    )
    return SignalReport(
        idle_days=idle_days,
        people=tuple(people),
        idle=sum(p.days_without_allocation >= idle_days for p in people),
        allocated_now=sum(p.allocated_now for p in people),
        leading_now=sum(p.leading_now for p in people),
        never_led=sum(p.last_lead is None for p in people),
    )


def _signal(population: Population, person: Person) -> PersonSignal:
    as_of = population.as_of
    seats = [s for s in population.seats_of(person.id) if s.start <= as_of]
    leads = [s for s in seats if s.kind is RoleKind.LEAD]
    since = population.current_stint(person).start
    last_lead = _last_day(leads, as_of)
    last_seat = _last_day(seats, as_of)
    idle_from = since if last_seat is None else max(last_seat, since)
    return PersonSignal(
        person=person.id,
        name=person.name,
        department=person.department,
        on_staff_since=since,
        leading_now=any(s.holds_on(as_of) for s in leads),
        last_lead=last_lead,
        days_since_lead=None if last_lead is None else (as_of - last_lead).days,
        allocated_now=any(s.holds_on(as_of) for s in seats),
        last_allocation=last_seat,
        days_without_allocation=(as_of - idle_from).days,
    )


def _last_day(seats: Sequence[Seat], as_of: date) -> date | None:
    return max((s.last_day(as_of) for s in seats), default=None)
