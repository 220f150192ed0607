"""The three reports on a generated organisation, their JSON, and their settings."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest

from mts.analytics import (
    AnalyticsReport,
    AnalyticsSettings,
    OrganisationData,
    PeriodKind,
    analytics_report,
    attrition_report,
    composition_report,
    flow_report,
)
from mts.domain.errors import InvalidInput
from mts.domain.staffing import Assignment, Round, RoundId, RoundStatus
from mts.sim.organisation import SyntheticOrganisation, generate_organisation

AS_OF = date(2026, 9, 30)


def _quarterly_rounds(
    org: SyntheticOrganisation, seed: int
) -> tuple[list[Round], list[Assignment]]:
    """Four quarterly rounds that fill every seat with someone on staff, drawn at random."""
    rng = np.random.default_rng(seed)
    rounds, assignments = [], []
    for k in range(4):
        day = AS_OF - timedelta(days=91 * (3 - k))
        round_id = RoundId(f"round-{k + 1}")
        rounds.append(Round(id=round_id, name=round_id, as_of=day, status=RoundStatus.APPROVED))
        staff = [p for p in org.people if p.is_active(day)]
        order = iter(rng.permutation(len(staff)).tolist() * 2)
        for role in org.roles:
            for seat in range(role.headcount):
                assignments.append(
                    Assignment(
                        round=round_id,
                        role=role.id,
                        project=role.project,
                        person=staff[next(order)].id,
                        fte=role.fte,
                        seat=seat,
                    )
                )
    return rounds, assignments


@pytest.fixture(scope="module")
def org() -> SyntheticOrganisation:
    return generate_organisation(people=300, seed=5, as_of=AS_OF)


@pytest.fixture(scope="module")
def data(org: SyntheticOrganisation) -> OrganisationData:
    rounds, assignments = _quarterly_rounds(org, seed=1)
    return OrganisationData(
        people=org.people,
        departments=org.departments,
        profiles=org.profiles,
        projects=org.projects,
        roles=org.roles,
        rounds=tuple(rounds),
        assignments=tuple(assignments),
        evidence=org.evidence,
    )


@pytest.fixture(scope="module")
def report(data: OrganisationData) -> AnalyticsReport:
    return analytics_report(data, as_of=AS_OF)


def test_generated_organisation_report_is_plain_json(report: AnalyticsReport) -> None:
    text = json.dumps(report.to_dict(), allow_nan=False)
    back = json.loads(text)
    assert set(back) == {"as_of", "composition", "attrition", "flow"}
    assert back["as_of"] == "2026-09-30"
    assert back["attrition"]["period"] == "quarter"


def test_generated_organisation_composition_covers_everyone_on_staff(
    org: SyntheticOrganisation, report: AnalyticsReport
) -> None:
    on_staff = [p for p in org.people if p.is_active(AS_OF)]
    composition = report.composition
    assert composition.headcount == len(on_staff)
    assert sum(d.people for d in composition.departments) == len(on_staff)
    assert composition.staffed_projects == len(org.projects)  # every project is staffed
    assert 0.1 < composition.newcomers.by_tenure_share < 0.5  # a fifth join within a year
    assert composition.belonging.allocated > 0


def test_generated_organisation_boomerangs_are_all_found(
    org: SyntheticOrganisation, report: AnalyticsReport
) -> None:
    expected = sorted(p.id for p in org.people if p.is_boomerang)
    assert expected  # the generator plants some
    assert sorted(b.person for b in report.flow.boomerangs.people) == expected
    assert all(g.days == 200 for b in report.flow.boomerangs.people for g in b.gaps)


def test_generated_organisation_departures_match_its_leavers(
    org: SyntheticOrganisation, report: AnalyticsReport
) -> None:
    ends = [s.end for p in org.people for s in p.periods if s.end is not None and s.end <= AS_OF]
    assert report.attrition.departures.total == len(ends)
    curve = report.attrition.retention.overall.curve
    assert curve.events == len(ends)
    assert 0.5 < report.attrition.retention.overall.milestones[0].survival < 1.0  # type: ignore[operator]


def test_each_cli_report_matches_its_part_of_the_whole(
    data: OrganisationData, report: AnalyticsReport
) -> None:
    # Compared as JSON: a curve that reaches 0 has a NaN error, and NaN != NaN.
    assert composition_report(data, as_of=AS_OF).to_dict() == report.composition.to_dict()
    assert attrition_report(data, as_of=AS_OF).to_dict() == report.attrition.to_dict()
    assert flow_report(data, as_of=AS_OF).to_dict() == report.flow.to_dict()


def test_without_rounds_composition_still_reports_the_organisation(
    org: SyntheticOrganisation,
) -> None:
    bare = OrganisationData(people=org.people, departments=org.departments, profiles=org.profiles)
    report = analytics_report(bare, as_of=AS_OF)
    assert report.composition.projects == ()
    assert report.composition.belonging.allocated == 0
    assert report.flow.exported.lent_share is None
    assert report.attrition.signals.allocated_now == 0


def test_settings_accept_the_period_as_text() -> None:
    assert AnalyticsSettings(period="month").period is PeriodKind.MONTH  # type: ignore[arg-type]  # the CLI passes text


def test_settings_out_of_range_are_all_named() -> None:
    bad = AnalyticsSettings(wave_alpha=2.0, confidence=0.0, tenure_band_years=(5.0, 1.0))
    with pytest.raises(InvalidInput) as error:
        composition_report(OrganisationData(people=()), as_of=AS_OF, settings=bad)
    message = str(error.value)
    assert "wave_alpha" in message and "confidence" in message and "tenure_band_years" in message


def test_an_unknown_period_is_rejected() -> None:
    with pytest.raises(ValueError):
        AnalyticsSettings(period="fortnight")  # type: ignore[arg-type]  # nonsense on purpose


def test_an_empty_organisation_gives_an_empty_report() -> None:
    report = analytics_report(OrganisationData(people=()), as_of=AS_OF)
    assert report.composition.headcount == 0
    assert report.attrition.departures.periods == ()
    assert report.attrition.retention.overall.curve.subjects == 0
    json.dumps(report.to_dict(), allow_nan=False)
