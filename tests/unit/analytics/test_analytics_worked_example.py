"""A hand-made organisation of eight people, every number worked out by hand.

Research (R): ada (joined 2026-03-01, new graduate), ben (HR tenure from 2019),
gus (2024-09-30, never staffed), eve (left 2026-02-15).
Safety (S): cy (2023-06-30), dee (2025-09-01, no HR profile),
fay (2019-2021, back 2022-01-01: a boomerang), ivy (2021-05-01).

Rounds: r1 on 2026-01-15, r2 on 2026-04-01 (which restaffs P1).
  r1: P1 (run from R) lead eve, member ben 0.5, member ivy 0.5; P4 (R, now closed) lead cy.
  r2: P1 lead ada, members ben 0.5 and cy 0.5; P2 (run from S) lead fay,
      members ben 0.5 and dee 0.5.
On 2026-06-30 the r2 seats are held: ben splits his time between R's P1 and S's P2.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from mts.analytics import AnalyticsSettings, OrganisationData, PeriodKind
from mts.analytics.allocations import dated_seats
from mts.analytics.boomerangs import boomerangs
from mts.analytics.composition import composition
from mts.analytics.departures import departure_series
from mts.analytics.lending import talent_exported
from mts.analytics.population import Population
from mts.analytics.retention import retention
from mts.analytics.signals import signals
from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Period, Person, PersonId, Skill
from mts.domain.projects import Project, ProjectId, ProjectStatus, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Assignment, Round, RoundId
from mts.merit.table import MeritTable

AS_OF = date(2026, 6, 30)
R, S = DepartmentId("research"), DepartmentId("safety")


def _person(key: str, home: DepartmentId, joined: date, **more: object) -> Person:
    return Person(
        id=PersonId(key),
        name=key.title(),
        email=f"{key}@example.org",
        department=home,
        joined=joined,
        **more,  # type: ignore[arg-type]  # left and earlier_periods only
    )


def _profile(key: str, employer: str | None, tenure_start: date | None = None) -> ProtectedProfile:
    return ProtectedProfile(
        person=PersonId(key), prior_employer=employer, tenure_start=tenure_start
    )


def _project(key: str, home: DepartmentId, status: ProjectStatus) -> Project:
    return Project(
        id=ProjectId(key), title=key, summary="", proposer=PersonId("ada"), department=home,
        status=status,
    )  # fmt: skip


def _seat(round_id: str, role: str, person: str, fte: float, seat: int = 0) -> Assignment:
    return Assignment(
        round=RoundId(round_id),
        role=RoleId(role),
        project=ProjectId(role.split("-")[0]),
        person=PersonId(person),
        fte=fte,
        seat=seat,
    )


def _evidence(person: str, day: date, score: float) -> Evidence:
    return Evidence(
        person=PersonId(person),
        source="review",
        work_item=f"{person}-{day}",
        skills=(SkillTag(skill=Skill("rl")),),
        score=score,
        scale=Scale(low=1, high=5),
        day=day,
    )


def organisation() -> OrganisationData:
    people = (
        _person("ada", R, date(2026, 3, 1)),
        _person("ben", R, date(2020, 1, 1)),
        _person("gus", R, date(2024, 9, 30)),
        _person("eve", R, date(2018, 1, 1), left=date(2026, 2, 15)),
        _person("cy", S, date(2023, 6, 30)),
        _person("dee", S, date(2025, 9, 1)),
        _person(
            "fay", S, date(2022, 1, 1),
            earlier_periods=(Period(start=date(2019, 1, 1), end=date(2021, 1, 1)),),
        ),
        _person("ivy", S, date(2021, 5, 1)),
    )  # fmt: skip
    roles = (
        Role(id=RoleId("P1-lead"), project=ProjectId("P1"), title="Lead", kind=RoleKind.LEAD),
        Role(id=RoleId("P1-m"), project=ProjectId("P1"), title="M", headcount=2, fte=0.5),
        Role(id=RoleId("P2-lead"), project=ProjectId("P2"), title="Lead", kind=RoleKind.LEAD),
        Role(id=RoleId("P2-m"), project=ProjectId("P2"), title="M", headcount=2, fte=0.5),
        Role(id=RoleId("P4-lead"), project=ProjectId("P4"), title="Lead", kind=RoleKind.LEAD),
    )
    assignments = (
        _seat("r1", "P1-lead", "eve", 1.0),
        _seat("r1", "P1-m", "ben", 0.5),
        _seat("r1", "P1-m", "ivy", 0.5, seat=1),
        _seat("r1", "P4-lead", "cy", 1.0),
        _seat("r2", "P1-lead", "ada", 1.0),
        _seat("r2", "P1-m", "ben", 0.5),
        _seat("r2", "P1-m", "cy", 0.5, seat=1),
        _seat("r2", "P2-lead", "fay", 1.0),
        _seat("r2", "P2-m", "ben", 0.5),
        _seat("r2", "P2-m", "dee", 0.5, seat=1),
    )
    return OrganisationData(
        people=people,
        departments=(Department(id=R, name="Research"), Department(id=S, name="Safety")),
        profiles=(
            _profile("ada", None),
            _profile("ben", "BigCo", tenure_start=date(2019, 1, 1)),
            _profile("gus", "CloudInc"),
            _profile("eve", "BigCo"),
            _profile("cy", "BigCo"),
            _profile("fay", "a startup"),
            _profile("ivy", "SearchCorp"),
        ),
        projects=(
            _project("P1", R, ProjectStatus.ACTIVE),
            _project("P2", S, ProjectStatus.ACTIVE),
            _project("P4", R, ProjectStatus.CLOSED),
        ),
        roles=roles,
        rounds=(
            Round(id=RoundId("r1"), name="r1", as_of=date(2026, 1, 15)),
            Round(id=RoundId("r2"), name="r2", as_of=date(2026, 4, 1)),
        ),
        assignments=assignments,
        evidence=(
            _evidence("fay", date(2020, 5, 1), 4.0),
            _evidence("fay", date(2026, 5, 1), 5.0),
            _evidence("ada", date(2026, 5, 2), 3.0),
        ),
    )


@pytest.fixture(scope="module")
def population() -> Population:
    return Population.build(organisation(), AS_OF)


def merit_table() -> MeritTable:
    """General n_effective: ada 0.5, ben 10, cy 3, fay 6, gus 1.9, ivy 2.0; dee unseen."""
    people = tuple(PersonId(p) for p in ("ada", "ben", "cy", "fay", "gus", "ivy"))
    n = len(people)
    return MeritTable(
        people=people,
        skills=(),
        mean=np.zeros((n, 0)),
        sd=np.zeros((n, 0)),
        n_effective=np.zeros((n, 0)),
        general_mean=np.zeros(n),
        general_sd=np.array([0.9, 0.3, 0.5, 0.4, 0.7, 0.95]),
        general_n_effective=np.array([0.5, 10.0, 3.0, 6.0, 1.9, 2.0]),
        prior_sd=1.0,
        skill_prior_sd=0.5,
    )


# -- seats --------------------------------------------------------------------------------


def test_a_seat_lasts_until_its_project_is_staffed_again() -> None:
    data = organisation()
    seats = dated_seats(
        rounds=data.rounds, assignments=data.assignments, roles=data.roles,
        projects=data.projects, as_of=AS_OF,
    )  # fmt: skip
    ivy = next(s for s in seats if s.person == "ivy")
    assert (ivy.start, ivy.end) == (date(2026, 1, 15), date(2026, 4, 1))
    ada = next(s for s in seats if s.person == "ada")
    assert (ada.start, ada.end, ada.kind) == (date(2026, 4, 1), None, RoleKind.LEAD)


def test_a_closed_projects_last_team_ends_on_its_last_round() -> None:
    cy = next(s for s in Population.build(organisation(), AS_OF).seats_of(PersonId("cy")))
    assert (cy.project, cy.start, cy.end) == ("P4", date(2026, 1, 15), date(2026, 1, 15))


def test_a_leavers_seat_ends_when_they_leave(population: Population) -> None:
    (eve,) = population.seats_of(PersonId("eve"))
    assert eve.end == date(2026, 2, 15)


def test_rounds_after_the_day_of_the_report_have_not_happened() -> None:
    early = Population.build(organisation(), date(2026, 2, 1))
    assert {s.round for s in early.seats} == {"r1"}


# -- composition --------------------------------------------------------------------------


def test_organisation_headcount_and_newcomers_by_tenure(population: Population) -> None:
    report = composition(population)
    assert report.headcount == 7  # eve has left
    assert (report.newcomers.by_tenure, report.newcomers.people) == (2, 7)  # ada, dee
    assert report.newcomers.by_evidence is None


def test_newcomers_by_evidence_are_the_uncertain_in_the_merit_table(population: Population) -> None:
    report = composition(population, merit=merit_table())
    assert report.newcomers.by_evidence == 3  # ada 0.5, gus 1.9 and dee, whom it never saw
    assert report.newcomers.by_evidence_share == pytest.approx(3 / 7)


def test_a_wide_posterior_also_makes_a_newcomer_when_asked(population: Population) -> None:
    wide = AnalyticsSettings(uncertain_sd_ratio=0.9)
    report = composition(population, merit=merit_table(), settings=wide)
    assert report.newcomers.by_evidence == 4  # and ivy, sd 0.95 of the prior


def test_tenure_counts_from_the_hr_start_when_recorded(population: Population) -> None:
    bands = {b.key: b.count for b in composition(population).tenure}
    # ada 0.33, dee 0.83 | gus 1.75 | cy 3.0, fay 4.5 | ben 7.5 (HR: 2019), ivy 5.2
    assert bands == {"<1y": 2, "1-2y": 1, "2-5y": 2, "5-10y": 2, "10y+": 0}
    assert population.tenure_years(population.people[PersonId("ben")]) == pytest.approx(
        7.5, abs=0.01
    )


def test_prior_employers_tell_no_profile_from_no_employer(population: Population) -> None:
    employers = {b.key: b.count for b in composition(population).prior_employers}
    assert employers == {
        "BigCo": 2, "(no profile)": 1, "(none)": 1, "CloudInc": 1, "a startup": 1, "SearchCorp": 1,
    }  # fmt: skip
    assert composition(population).prior_employers[0].key == "BigCo"


def test_departments_of_the_organisation_with_their_fte(population: Population) -> None:
    draws = {d.department: (d.people, d.fte) for d in composition(population).departments}
    assert draws == {R: (3, 2.0), S: (4, 2.0)}


def test_each_project_shows_whom_it_draws_from(population: Population) -> None:
    projects = {p.project: p for p in composition(population).projects}
    assert set(projects) == {"P1", "P2"}  # P4 is closed
    p1 = projects[ProjectId("P1")]
    assert (p1.people, p1.fte, p1.departments_drawn) == (3, 2.0, 2)
    assert {d.department: (d.people, d.fte, d.fte_share) for d in p1.departments} == {
        R: (2, 1.5, 0.75),
        S: (1, 0.5, 0.25),
    }
    assert p1.newcomers.by_tenure == 1  # ada leads it
    assert projects[ProjectId("P2")].newcomers.by_tenure == 1  # dee


def test_mixing_across_projects_is_summarised(population: Population) -> None:
    report = composition(population)
    assert report.staffed_projects == 2
    assert report.projects_drawing_on_two_or_more_departments == 2
    assert report.projects_with_a_newcomer_by_tenure == 2


def test_project_belonging_is_the_share_of_fte_outside_home(population: Population) -> None:
    belonging = composition(population).belonging
    shares = {p.person: p.outside_share for p in belonging.people}
    assert shares == {"ada": 0.0, "ben": 0.5, "cy": 1.0, "dee": 0.0, "fay": 0.0}
    assert (belonging.allocated, belonging.unallocated) == (5, 2)  # gus and ivy hold no seat
    assert belonging.mean_outside_share == pytest.approx(0.3)
    assert belonging.median_outside_share == 0.0
    assert belonging.with_outside_work == 2
    assert {b.key: b.count for b in belonging.bands} == {
        "none": 3, "under half": 0, "half or more": 1, "all": 1,
    }  # fmt: skip


# -- talent exported ----------------------------------------------------------------------


def test_each_department_lends_a_quarter_of_its_allocated_work(population: Population) -> None:
    report = talent_exported(population)
    research, safety = report.departments
    assert (research.people_lent, research.fte_lent, research.lent_share) == (1, 0.5, 0.25)  # ben
    assert (safety.people_lent, safety.fte_lent, safety.lent_share) == (1, 0.5, 0.25)  # cy
    assert [(d.department, d.fte) for d in research.destinations] == [(S, 0.5)]
    assert (research.people_borrowed, research.fte_borrowed) == (1, 0.5)  # cy on P1
    assert (research.headcount, safety.headcount) == (3, 4)
    assert (report.people_lent, report.fte_lent, report.lent_share) == (2, 1.0, 0.25)


# -- signals ------------------------------------------------------------------------------


def test_signals_name_who_has_waited_longest_for_a_seat(population: Population) -> None:
    report = signals(population, idle_days=90)
    by_person = {s.person: s for s in report.people}
    assert [s.person for s in report.people[:2]] == ["gus", "ivy"]
    assert by_person[PersonId("gus")].days_without_allocation == 638  # since joining
    assert by_person[PersonId("gus")].last_allocation is None
    assert by_person[PersonId("ivy")].days_without_allocation == 91  # last held 31 March
    assert by_person[PersonId("ben")].days_without_allocation == 0
    assert (report.idle, report.allocated_now) == (2, 5)


def test_signals_count_time_since_the_last_lead_role(population: Population) -> None:
    by_person = {s.person: s for s in signals(population).people}
    cy = by_person[PersonId("cy")]
    assert (cy.last_lead, cy.days_since_lead, cy.leading_now) == (date(2026, 1, 15), 166, False)
    ada = by_person[PersonId("ada")]
    assert (ada.days_since_lead, ada.leading_now) == (0, True)
    assert by_person[PersonId("ben")].days_since_lead is None


# -- departures, retention, boomerangs ----------------------------------------------------


def test_departures_per_quarter_with_their_exposure(population: Population) -> None:
    series = departure_series(population, kind=PeriodKind.QUARTER, since=date(2025, 7, 1))
    assert [p.period.label for p in series.periods] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert [p.departures for p in series.periods] == [0, 0, 1, 0]
    q1, q2 = series.periods[2], series.periods[3]
    # Q1 (90 days): six people all quarter, ada 31 days, eve 45 days (1 Jan to 15 Feb).
    assert q1.exposure_person_days == 6 * 90 + 31 + 45
    assert q1.headcount_start == 7
    assert q1.annualised_rate == pytest.approx(365.25 / 616)
    assert (q2.exposure_person_days, q2.headcount_start) == (7 * 91, 7)  # to 30 June inclusive


def test_departures_count_against_home_department_and_project(population: Population) -> None:
    series = departure_series(population, kind=PeriodKind.QUARTER)
    assert series.total == 2  # eve, and fay's first stint
    by_department = {g.key: g.total for g in series.by_department}
    assert by_department == {R: 1, S: 1}
    assert [(g.key, g.total) for g in series.by_project] == [("P1", 1)]  # eve led P1 to the end


def test_retention_counts_every_stint_and_who_led(population: Population) -> None:
    report = retention(population)
    assert (report.overall.curve.subjects, report.overall.curve.events) == (9, 2)
    led, not_led = report.by_lead
    assert (led.curve.subjects, led.curve.events) == (4, 1)  # ada, cy, eve, fay now
    assert (not_led.curve.subjects, not_led.curve.events) == (5, 1)  # fay's first stint left
    assert [g.key for g in report.by_cohort][:3] == ["2018", "2019", "2020"]


def test_boomerang_keeps_the_evidence_from_before_the_return(population: Population) -> None:
    report = boomerangs(population, organisation().evidence, merit=merit_table())
    assert (report.count, report.on_staff, report.median_gap_days) == (1, 1, 365)
    (fay,) = report.people
    assert fay.gaps[0].left == date(2021, 1, 1) and fay.returned == date(2022, 1, 1)
    assert (fay.evidence_before_return.items, fay.evidence_before_return.mean_score) == (1, 0.75)
    assert (fay.evidence_since_return.items, fay.evidence_since_return.mean_score) == (1, 1.0)
    assert fay.merit_n_effective == 6.0
