"""Talent exported: the people and FTE each department lends to projects run from elsewhere.

Most systems let a manager hoard their people; here lending is the point,
so a department's outward FTE is reported as a contribution, not a loss.
Read from the seats held on ``as_of``; a project run from no department
counts as run from elsewhere for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mts.analytics.encoding import Record
from mts.analytics.population import Population
from mts.domain.people import DepartmentId, PersonId

_EPSILON = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination(Record):
    """The people and FTE one department lends to projects run from ``department``."""

    department: DepartmentId | None
    name: str
    people: int
    fte: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartmentLending(Record):
    """One home department's lending (to other departments' projects) and borrowing.

    ``lent_share = fte_lent / allocated_fte``, the part of its people's
    allocated work that goes elsewhere; None when they hold no FTE.
    """

    department: DepartmentId
    name: str
    headcount: int
    allocated_fte: float
    people_lent: int
    fte_lent: float
    lent_share: float | None
    destinations: tuple[Destination, ...]
    people_borrowed: int
    fte_borrowed: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LendingReport(Record):
    """Talent exported by every department, and in all."""

    departments: tuple[DepartmentLending, ...]
    people_lent: int
    fte_lent: float
    lent_share: float | None


def talent_exported(population: Population) -> LendingReport:
    """Per home department: who works on projects run from other departments, and how much.

    Parameters
    ----------
    population : the people on staff on ``as_of`` and the seats they hold that day.

    ``fte_lent_h = sum of fte_s over seats s held by members of h on projects
    with department != h``; ``fte_borrowed_h`` the same for non-members on h's projects.
    """
    lent: dict[DepartmentId, dict[DepartmentId | None, dict[PersonId, float]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(float))
    )
    borrowed: dict[DepartmentId, dict[PersonId, float]] = defaultdict(lambda: defaultdict(float))
    allocated: dict[DepartmentId, float] = defaultdict(float)
    for seat in population.current:
        home = population.people[seat.person].department
        runs = population.project_department(seat.project)
        allocated[home] += seat.fte
        if runs != home:
            lent[home][runs][seat.person] += seat.fte
            if runs is not None:
                borrowed[runs][seat.person] += seat.fte
    headcount: dict[DepartmentId, int] = defaultdict(int)
    for person in population.on_staff:
        headcount[person.department] += 1
    keys = list(population.department_names)
    keys += sorted((set(headcount) | set(allocated)) - set(keys))
    rows = tuple(
        _department(population, d, headcount[d], allocated[d], lent[d], borrowed[d]) for d in keys
    )
    fte_lent = float(sum(r.fte_lent for r in rows))
    total = sum(allocated.values())
    return LendingReport(
        departments=rows,
        people_lent=sum(r.people_lent for r in rows),
        fte_lent=fte_lent,
        lent_share=fte_lent / total if total > _EPSILON else None,
    )


def _department(
    population: Population,
    department: DepartmentId,
    headcount: int,
    allocated: float,
    lent: dict[DepartmentId | None, dict[PersonId, float]],
    borrowed: dict[PersonId, float],
) -> DepartmentLending:
    destinations = sorted(
        (
            Destination(
                department=runs,
                name=population.department_name(runs),
                people=len(people),
                fte=float(sum(people.values())),
            )
            for runs, people in lent.items()
        ),
        key=lambda d: (-d.fte, d.name),
    )
    fte_lent = float(sum(d.fte for d in destinations))
    return DepartmentLending(
        department=department,
        name=population.department_name(department),
        headcount=headcount,
        allocated_fte=allocated,
        people_lent=len({p for people in lent.values() for p in people}),
        fte_lent=fte_lent,
        lent_share=fte_lent / allocated if allocated > _EPSILON else None,
        destinations=tuple(destinations),
        people_borrowed=len(borrowed),
        fte_borrowed=float(sum(borrowed.values())),
    )
