"""The organisation on one day, indexed once: people on staff, tenure, seats held.

Every measure reads a ``Population`` rather than the raw bundle, so that
lookups, tenure and the dating of seats are decided in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mts.analytics.allocations import Seat, clip_to_stint, dated_seats
from mts.analytics.inputs import AnalyticsSettings, OrganisationData
from mts.domain.people import DepartmentId, Period, Person, PersonId
from mts.domain.projects import Project, ProjectId, ProjectStatus
from mts.domain.protected import ProtectedProfile
from mts.merit.table import MeritTable

DAYS_PER_YEAR = 365.25
OUTSIDE_ANY_DEPARTMENT = "(organisation-wide)"
"""How a project run from no department is named where a department name is expected."""


@dataclass(frozen=True, kw_only=True)
class Population:
    """The organisation as of ``as_of``: who is on staff and which seats each person holds.

    ``seats`` are every dated seat up to ``as_of``, each cut at the end of the
    stint it began in; ``current`` are those held on ``as_of`` by people on
    staff, on projects that are not closed.
    """

    as_of: date
    people: dict[PersonId, Person]
    on_staff: tuple[Person, ...]
    profiles: dict[PersonId, ProtectedProfile]
    department_names: dict[DepartmentId, str]
    projects: dict[ProjectId, Project]
    seats: tuple[Seat, ...]
    current: tuple[Seat, ...]
    seats_by_person: dict[PersonId, tuple[Seat, ...]]

    @classmethod
    def build(cls, data: OrganisationData, as_of: date) -> Population:
        """Index ``data`` as of ``as_of``."""
        people = {p.id: p for p in sorted(data.people, key=lambda p: p.id)}
        projects = {p.id: p for p in data.projects}
        seats = _seats_on_staff(data, people, as_of)
        on_staff = tuple(p for p in people.values() if p.is_active(as_of))
        staff_ids = {p.id for p in on_staff}
        current = tuple(
            s
            for s in seats
            if s.holds_on(as_of) and s.person in staff_ids and _is_running(projects.get(s.project))
        )
        return cls(
            as_of=as_of,
            people=people,
            on_staff=on_staff,
            profiles={p.person: p for p in data.profiles},
            department_names={d.id: d.name for d in data.departments},
            projects=projects,
            seats=seats,
            current=current,
            seats_by_person=_by_person(seats),
        )

    def tenure_start(self, person: Person) -> date:
        """When tenure counts from: the HR ``tenure_start`` if recorded, else ``joined``."""
        profile = self.profiles.get(person.id)
        if profile is not None and profile.tenure_start is not None:
            return profile.tenure_start
        return person.joined

    def tenure_years(self, person: Person) -> float:
        """Years from the tenure start to ``as_of`` (0 if the start lies ahead)."""
        return max(0.0, (self.as_of - self.tenure_start(person)).days / DAYS_PER_YEAR)

    def department_name(self, department: DepartmentId | None) -> str:
        """The readable name of ``department``, its id if unnamed."""
        if department is None:
            return OUTSIDE_ANY_DEPARTMENT
        return self.department_names.get(department, department)

    def project_department(self, project: ProjectId) -> DepartmentId | None:
        """The department a project is run from; None if from none (or unknown)."""
        known = self.projects.get(project)
        return None if known is None else known.department

    def seats_of(self, person: PersonId) -> tuple[Seat, ...]:
        """Every dated seat ``person`` held, oldest first."""
        return self.seats_by_person.get(person, ())

    def stints(self, person: Person) -> tuple[Period, ...]:
        """The person's stints that began on or before ``as_of``."""
        return tuple(p for p in person.periods if p.start <= self.as_of)

    def current_stint(self, person: Person) -> Period:
        """The stint ``person`` is in on ``as_of`` (or their latest one)."""
        return self.stints(person)[-1]


def _by_person(seats: Sequence[Seat]) -> dict[PersonId, tuple[Seat, ...]]:
    grouped: dict[PersonId, list[Seat]] = defaultdict(list)
    for seat in seats:
        grouped[seat.person].append(seat)
    return {
        person: tuple(sorted(held, key=lambda s: (s.start, s.project, s.role)))
        for person, held in grouped.items()
    }


def _is_running(project: Project | None) -> bool:
    return project is None or project.status is not ProjectStatus.CLOSED


def _seats_on_staff(
    data: OrganisationData, people: dict[PersonId, Person], as_of: date
) -> tuple[Seat, ...]:
    raw = dated_seats(
        rounds=data.rounds,
        assignments=data.assignments,
        roles=data.roles,
        projects=data.projects,
        as_of=as_of,
    )
    clipped = (
        clip_to_stint(seat, people[seat.person].periods) for seat in raw if seat.person in people
    )
    return tuple(seat for seat in clipped if seat is not None)


def uncertain_people(
    merit: MeritTable, people: Sequence[PersonId], settings: AnalyticsSettings
) -> frozenset[PersonId]:
    """The people with little evidence in ``merit``: low general ``n_effective`` or a wide sd.

    A person the table has never seen has ``n_effective = 0`` and the prior sd,
    so they are always uncertain. This is the staffing engine's rule.
    """
    flags = merit.uncertain(
        people,
        below_evidence=settings.uncertain_below_evidence,
        sd_ratio=settings.uncertain_sd_ratio,
    )
    return frozenset(p for p, flag in zip(people, flags, strict=True) if flag)
