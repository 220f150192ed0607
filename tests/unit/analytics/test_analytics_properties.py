"""Properties over random small organisations: shares sum to 1, measures agree with each other."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mts.analytics import OrganisationData, analytics_report
from mts.analytics.distribution import shares
from mts.analytics.periods import PeriodKind, calendar, period_of
from mts.domain.people import Department, DepartmentId, Period, Person, PersonId
from mts.domain.projects import Project, ProjectId, ProjectStatus, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Assignment, Round, RoundId

AS_OF = date(2026, 6, 30)
DEPARTMENTS = tuple(DepartmentId(d) for d in ("research", "safety", "data"))


@st.composite
def people(draw: st.DrawFn, key: int) -> Person:
    joined = AS_OF - timedelta(days=draw(st.integers(0, 3000)))
    left = None
    if draw(st.booleans()):
        left = joined + timedelta(days=draw(st.integers(1, 1200)))
    earlier: tuple[Period, ...] = ()
    if draw(st.integers(0, 4)) == 0:
        end = joined - timedelta(days=draw(st.integers(1, 400)))
        earlier = (Period(start=end - timedelta(days=draw(st.integers(1, 900))), end=end),)
    return Person(
        id=PersonId(f"p{key:02d}"),
        name=f"P{key}",
        email=f"p{key}@example.org",
        department=draw(st.sampled_from(DEPARTMENTS)),
        joined=joined,
        left=left,
        earlier_periods=earlier,
    )


@st.composite
def organisations(draw: st.DrawFn) -> OrganisationData:
    staff = [draw(people(i)) for i in range(draw(st.integers(1, 20)))]
    n_projects = draw(st.integers(1, 4))
    projects = [
        Project(
            id=ProjectId(f"P{k}"),
            title=f"P{k}",
            summary="",
            proposer=staff[0].id,
            department=draw(st.sampled_from((*DEPARTMENTS, None))),
            status=draw(st.sampled_from(ProjectStatus)),
        )
        for k in range(n_projects)
    ]
    roles = [
        Role(id=RoleId(f"P{k}-{kind}"), project=ProjectId(f"P{k}"), title=kind, kind=kind)
        for k in range(n_projects)
        for kind in RoleKind
    ]
    rounds = [
        Round(
            id=RoundId(f"r{k}"),
            name=f"r{k}",
            as_of=AS_OF - timedelta(days=draw(st.integers(0, 900))),
        )
        for k in range(draw(st.integers(0, 3)))
    ]
    assignments = []
    for r in rounds:
        on_staff = [p for p in staff if p.is_active(r.as_of)]
        for role in roles:
            if on_staff and draw(st.booleans()):
                assignments.append(
                    Assignment(
                        round=r.id,
                        role=role.id,
                        project=role.project,
                        person=draw(st.sampled_from(on_staff)).id,
                        fte=draw(st.sampled_from((0.25, 0.5, 1.0))),
                    )
                )
    profiles = [
        ProtectedProfile(person=p.id, prior_employer=draw(st.sampled_from((None, "A", "B"))))
        for p in staff
        if draw(st.booleans())
    ]
    return OrganisationData(
        people=tuple(staff),
        departments=tuple(Department(id=d, name=d.title()) for d in DEPARTMENTS),
        profiles=tuple(profiles),
        projects=tuple(projects),
        roles=tuple(roles),
        rounds=tuple(rounds),
        assignments=tuple(assignments),
    )


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sums_to_one(values: list[float]) -> bool:
    return sum(values) == pytest.approx(1.0)


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), min_size=1))
def test_shares_sum_to_one_whenever_there_is_something_to_count(counts: dict[str, int]) -> None:
    buckets = shares(counts)
    total = sum(b.share for b in buckets)
    assert total == pytest.approx(1.0) if sum(counts.values()) else total == 0.0
    assert [b.count for b in buckets] == sorted((b.count for b in buckets), reverse=True)


@fast
@given(organisations())
def test_every_composition_share_sums_to_one(data: OrganisationData) -> None:
    report = analytics_report(data, as_of=AS_OF).composition
    if report.headcount:
        assert _sums_to_one([b.share for b in report.tenure])
        assert _sums_to_one([b.share for b in report.prior_employers])
        assert _sums_to_one([d.people_share for d in report.departments])
    for project in report.projects:
        assert _sums_to_one([d.people_share for d in project.departments])
        assert _sums_to_one([d.fte_share for d in project.departments])
    if report.belonging.allocated:
        assert _sums_to_one([b.share for b in report.belonging.bands])


@fast
@given(organisations())
def test_belonging_and_lending_tell_the_same_story(data: OrganisationData) -> None:
    report = analytics_report(data, as_of=AS_OF)
    belonging, lending = report.composition.belonging, report.flow.exported
    assert all(0.0 <= p.outside_share <= 1.0 for p in belonging.people)
    assert lending.fte_lent == pytest.approx(sum(p.outside_fte for p in belonging.people))
    assert lending.people_lent == belonging.with_outside_work
    assert belonging.allocated + belonging.unallocated == report.composition.headcount


@fast
@given(organisations())
def test_departures_and_retention_count_every_stint_once(data: OrganisationData) -> None:
    report = analytics_report(data, as_of=AS_OF).attrition
    stints = [s for p in data.people for s in p.periods if s.start <= AS_OF]
    ended = [s for s in stints if s.end is not None and s.end <= AS_OF]
    assert report.departures.total == len(ended)
    assert sum(g.total for g in report.departures.by_department) == len(ended)
    assert report.retention.overall.curve.subjects == len(stints)
    assert report.retention.overall.curve.events == len(ended)
    assert sum(g.curve.subjects for g in report.retention.by_lead) == len(stints)
    assert sum(g.curve.subjects for g in report.retention.by_cohort) == len(stints)


@fast
@given(organisations())
def test_exposure_is_every_day_on_staff(data: OrganisationData) -> None:
    periods = analytics_report(data, as_of=AS_OF).attrition.departures.periods
    on_staff_days = sum(
        (
            (min(s.end, AS_OF + timedelta(days=1)) if s.end else AS_OF + timedelta(days=1))
            - s.start
        ).days
        for p in data.people
        for s in p.periods
        if s.start <= AS_OF
    )
    assert sum(p.exposure_person_days for p in periods) == on_staff_days


@fast
@given(organisations())
def test_signals_cover_everyone_on_staff_and_never_go_negative(data: OrganisationData) -> None:
    report = analytics_report(data, as_of=AS_OF).attrition.signals
    assert Counter(s.person for s in report.people) == Counter(
        p.id for p in data.people if p.is_active(AS_OF)
    )
    for s in report.people:
        assert s.days_without_allocation >= 0
        assert not s.allocated_now or s.days_without_allocation == 0
        assert not s.leading_now or s.days_since_lead == 0


@fast
@given(organisations())
def test_reports_are_json_and_the_same_every_time(data: OrganisationData) -> None:
    first = analytics_report(data, as_of=AS_OF).to_dict()
    assert first == analytics_report(data, as_of=AS_OF).to_dict()
    json.dumps(first, allow_nan=False)


@given(st.dates(date(1990, 1, 1), date(2040, 12, 31)), st.sampled_from(PeriodKind))
def test_every_day_falls_in_exactly_one_period_of_the_calendar(day: date, kind: PeriodKind) -> None:
    periods = calendar(day - timedelta(days=200), day + timedelta(days=30), kind)
    assert sum(p.contains(day) for p in periods) == 1
    assert all(a.end == b.start for a, b in itertools.pairwise(periods))
    assert period_of(day, kind).contains(day)
