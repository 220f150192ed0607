"""Who works on each project and across the organisation: newcomers, departments, tenure,
prior employers, and how much of each person's work lies outside their home department.

Every measure reads the people on staff on ``as_of`` and the seats they hold
that day (see ``allocations``). Shares are of people unless named ``fte``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from mts.analytics.allocations import Seat
from mts.analytics.distribution import Bucket, band_labels, band_of, shares
from mts.analytics.encoding import Record
from mts.analytics.inputs import AnalyticsSettings
from mts.analytics.population import Population, uncertain_people
from mts.domain.people import DepartmentId, Person, PersonId
from mts.domain.projects import Project, ProjectId
from mts.merit.table import MeritTable

NO_PRIOR_EMPLOYER = "(none)"
NO_PROFILE = "(no profile)"
BELONGING_BANDS = ("none", "under half", "half or more", "all")
_FTE_EPSILON = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class Newcomers(Record):
    """How many of ``people`` are newcomers, by tenure and (given a merit table) by evidence."""

    people: int
    by_tenure: int
    by_tenure_share: float
    by_evidence: int | None
    by_evidence_share: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartmentDraw(Record):
    """The people (and their FTE) a group draws from one home department."""

    department: DepartmentId
    name: str
    people: int
    fte: float
    people_share: float
    fte_share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectComposition(Record):
    """One project's team on ``as_of``: its mix of newcomers, departments, tenure and employers."""

    project: ProjectId
    title: str
    department: DepartmentId | None
    department_name: str
    status: str
    people: int
    fte: float
    newcomers: Newcomers
    departments_drawn: int
    departments: tuple[DepartmentDraw, ...]
    tenure: tuple[Bucket, ...]
    median_tenure_years: float | None
    prior_employers: tuple[Bucket, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonBelonging(Record):
    """A person's FTE on ``as_of``, and the part of it on projects run from other departments."""

    person: PersonId
    department: DepartmentId
    fte: float
    outside_fte: float
    outside_share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Belonging(Record):
    """Project belonging across the organisation: the spread of ``outside_share``.

    Only people holding some FTE have a share; ``unallocated`` counts the rest.
    """

    allocated: int
    unallocated: int
    mean_outside_share: float | None
    median_outside_share: float | None
    with_outside_work: int
    bands: tuple[Bucket, ...]
    people: tuple[PersonBelonging, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositionReport(Record):
    """The composition of the organisation and of every staffed project on ``as_of``."""

    as_of: date
    headcount: int
    newcomers: Newcomers
    departments: tuple[DepartmentDraw, ...]
    tenure: tuple[Bucket, ...]
    median_tenure_years: float | None
    prior_employers: tuple[Bucket, ...]
    belonging: Belonging
    staffed_projects: int
    projects_drawing_on_two_or_more_departments: int
    projects_with_a_newcomer_by_tenure: int
    projects: tuple[ProjectComposition, ...]


def composition(
    population: Population,
    *,
    merit: MeritTable | None = None,
    settings: AnalyticsSettings = AnalyticsSettings(),
) -> CompositionReport:
    """The composition of the organisation and of each staffed project.

    Parameters
    ----------
    population : the organisation as of the day of the report.
    merit : read only for who is uncertain (little evidence); without it the
        evidence-based newcomer share is None.
    settings : ``newcomer_years`` (tenure below it makes a newcomer),
        ``uncertain_*`` (the evidence rule), ``tenure_band_years`` (band edges).

    A newcomer by tenure has ``(as_of - tenure_start) / 365.25 < newcomer_years``.
    ``outside_share_p = sum(fte on projects with department != home) / sum(fte)``.
    """
    staff = population.on_staff
    uncertain = None if merit is None else uncertain_people(merit, [p.id for p in staff], settings)
    mix = _Mix(population, settings, uncertain)
    projects = _project_compositions(population, mix)
    return CompositionReport(
        as_of=population.as_of,
        headcount=len(staff),
        newcomers=mix.newcomers(staff),
        departments=_department_draws(population, staff, population.current, listed=True),
        tenure=mix.tenure_bands(staff),
        median_tenure_years=mix.median_tenure(staff),
        prior_employers=mix.prior_employers(staff),
        belonging=belonging(population),
        staffed_projects=len(projects),
        projects_drawing_on_two_or_more_departments=sum(p.departments_drawn >= 2 for p in projects),
        projects_with_a_newcomer_by_tenure=sum(p.newcomers.by_tenure > 0 for p in projects),
        projects=projects,
    )


class _Mix:
    """Newcomer, tenure and employer counts of any group of people."""

    def __init__(
        self,
        population: Population,
        settings: AnalyticsSettings,
        uncertain: frozenset[PersonId] | None,
    ) -> None:
        self.population, self.settings, self.uncertain = population, settings, uncertain
        self.labels = band_labels(settings.tenure_band_years)

    def newcomers(self, people: Sequence[Person]) -> Newcomers:
        n = len(people)
        new = sum(self.population.tenure_years(p) < self.settings.newcomer_years for p in people)
        unsure = None if self.uncertain is None else sum(p.id in self.uncertain for p in people)
        return Newcomers(
            people=n,
            by_tenure=new,
            by_tenure_share=new / n if n else 0.0,
            by_evidence=unsure,
            by_evidence_share=None if unsure is None else (unsure / n if n else 0.0),
        )

    def tenure_bands(self, people: Iterable[Person]) -> tuple[Bucket, ...]:
        edges = self.settings.tenure_band_years
        counts = Counter(
            band_of(self.population.tenure_years(p), edges, self.labels) for p in people
        )
        return shares(counts, order=self.labels)

    def median_tenure(self, people: Sequence[Person]) -> float | None:
        years = [self.population.tenure_years(p) for p in people]
        return statistics.median(years) if years else None

    def prior_employers(self, people: Iterable[Person]) -> tuple[Bucket, ...]:
        return shares(Counter(self._employer(p.id) for p in people))

    def _employer(self, person: PersonId) -> str:
        profile = self.population.profiles.get(person)
        if profile is None:
            return NO_PROFILE
        return profile.prior_employer or NO_PRIOR_EMPLOYER


def _project_compositions(population: Population, mix: _Mix) -> tuple[ProjectComposition, ...]:
    by_project: dict[ProjectId, list[Seat]] = defaultdict(list)
    for seat in population.current:
        by_project[seat.project].append(seat)
    return tuple(
        _project_composition(population, mix, project, seats)
        for project, seats in sorted(by_project.items())
    )


def _project_composition(
    population: Population, mix: _Mix, project: ProjectId, seats: Sequence[Seat]
) -> ProjectComposition:
    members = [population.people[p] for p in sorted({s.person for s in seats})]
    known: Project | None = population.projects.get(project)
    departments = _department_draws(population, members, seats, listed=False)
    home = population.project_department(project)
    return ProjectComposition(
        project=project,
        title=known.title if known else project,
        department=home,
        department_name=population.department_name(home),
        status=known.status.value if known else "unknown",
        people=len(members),
        fte=float(sum(s.fte for s in seats)),
        newcomers=mix.newcomers(members),
        departments_drawn=len(departments),
        departments=departments,
        tenure=mix.tenure_bands(members),
        median_tenure_years=mix.median_tenure(members),
        prior_employers=mix.prior_employers(members),
    )


def _department_draws(
    population: Population, people: Sequence[Person], seats: Iterable[Seat], *, listed: bool
) -> tuple[DepartmentDraw, ...]:
    """People and FTE per home department; ``listed`` also shows departments with nobody."""
    home = {p.id: p.department for p in people}
    heads = Counter(home.values())
    fte: dict[DepartmentId, float] = defaultdict(float)
    for seat in seats:
        if seat.person in home:
            fte[home[seat.person]] += seat.fte
    order = list(population.department_names) if listed else []
    order += sorted(set(heads) - set(order))
    total_people, total_fte = sum(heads.values()), sum(fte.values())
    return tuple(
        DepartmentDraw(
            department=d,
            name=population.department_name(d),
            people=heads[d],
            fte=fte[d],
            people_share=heads[d] / total_people if total_people else 0.0,
            fte_share=fte[d] / total_fte if total_fte else 0.0,
        )
        for d in order
    )


def belonging(population: Population) -> Belonging:
    """How much of each person's FTE lies on projects run from outside their home department.

    ``outside_share_p = sum_{s held by p, dept(project_s) != home_p} fte_s / sum_s fte_s``;
    a project run from no department counts as outside every department.
    """
    fte: dict[PersonId, float] = defaultdict(float)
    outside: dict[PersonId, float] = defaultdict(float)
    for seat in population.current:
        fte[seat.person] += seat.fte
        if population.project_department(seat.project) != population.people[seat.person].department:
            outside[seat.person] += seat.fte
    people = tuple(
        PersonBelonging(
            person=p,
            department=population.people[p].department,
            fte=fte[p],
            outside_fte=outside[p],
            outside_share=outside[p] / fte[p],
        )
        for p in sorted(fte)
        if fte[p] > _FTE_EPSILON
    )
    return _belonging_summary(people, unallocated=len(population.on_staff) - len(people))


def _belonging_summary(people: tuple[PersonBelonging, ...], *, unallocated: int) -> Belonging:
    values = [p.outside_share for p in people]
    return Belonging(
        allocated=len(people),
        unallocated=unallocated,
        mean_outside_share=statistics.fmean(values) if values else None,
        median_outside_share=statistics.median(values) if values else None,
        with_outside_work=sum(p.outside_fte > _FTE_EPSILON for p in people),
        bands=shares(Counter(_belonging_band(p) for p in people), order=BELONGING_BANDS),
        people=people,
    )


def _belonging_band(person: PersonBelonging) -> str:
    if person.outside_fte <= _FTE_EPSILON:
        return "none"
    if person.fte - person.outside_fte <= _FTE_EPSILON:
        return "all"
    return "half or more" if person.outside_share >= 0.5 else "under half"
