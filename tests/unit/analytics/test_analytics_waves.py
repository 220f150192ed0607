"""The departure-wave rule: hand-checked p-values, its false-alarm rate, and planted waves."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.analytics import AnalyticsSettings, OrganisationData, PeriodKind, attrition_report
from mts.analytics.waves import detect_waves
from mts.domain.errors import InvalidInput
from mts.domain.people import Department, DepartmentId, Person, PersonId

QUARTER_DAYS = 91.0
FLAT = [100 * QUARTER_DAYS] * 5  # 100 people on staff, five equal quarters


def test_three_departures_after_a_quiet_year_are_a_wave() -> None:
    # pi = E_t / (E_t + E_B) = 1/5; with no baseline departures, N = 3 and
    # p = P(Binomial(3, 1/5) >= 3) = (1/5)^3 = 0.008 < 0.01.
    last = detect_waves([0, 0, 0, 0, 3], FLAT)[-1]
    assert last.p_value == pytest.approx(0.008)
    assert last.expected == 0.0
    assert last.is_wave


def test_two_departures_after_a_quiet_year_are_not() -> None:
    # p = (1/5)^2 = 0.04 >= 0.01
    last = detect_waves([0, 0, 0, 0, 2], FLAT)[-1]
    assert last.p_value == pytest.approx(0.04)
    assert not last.is_wave


def test_twice_the_usual_count_is_ordinary_at_low_numbers() -> None:
    # N = 6, pi = 1/5: p = 1 - 0.8^6 - 6 * 0.2 * 0.8^5 = 0.34464
    last = detect_waves([1, 1, 1, 1, 2], FLAT)[-1]
    assert last.expected == pytest.approx(1.0)
    assert last.p_value == pytest.approx(0.34464)
    assert not last.is_wave


def test_expected_departures_scale_with_the_people_at_risk() -> None:
    # The same baseline rate, twice the person-days: twice the expected count.
    last = detect_waves([2, 2, 2, 2, 4], [*FLAT[:4], 2 * FLAT[4]])[-1]
    assert last.expected == pytest.approx(4.0)
    assert last.p_value is not None and last.p_value > 0.3


def test_no_test_before_the_minimum_baseline_or_without_people() -> None:
    checks = detect_waves([5, 5, 0, 5], [FLAT[0], FLAT[0], 0.0, FLAT[0]], min_baseline_periods=2)
    assert [c.p_value is None for c in checks] == [True, True, True, False]
    assert checks[3].baseline_periods == 2


def test_a_flagged_period_is_left_out_of_later_baselines() -> None:
    # Had the first wave entered the baseline, the second (p = P(Bin(6, 0.2) >= 3) = 0.099)
    # would pass unnoticed.
    checks = detect_waves([0, 0, 0, 0, 3, 3], [*FLAT, FLAT[0]])
    assert [c.is_wave for c in checks[4:]] == [True, True]
    assert checks[5].baseline_departures == 0


def test_series_of_different_lengths_are_rejected() -> None:
    with pytest.raises(InvalidInput):
        detect_waves([1, 2], [1.0])


def _constant_rate_firing(
    rng: np.random.Generator, *, annual_rate: float, headcount: int, periods: int
) -> tuple[int, int]:
    growth = headcount * (1 + 0.02 * np.arange(periods))  # a growing firm, same rate per person
    exposure = growth * QUARTER_DAYS
    departures = rng.poisson(annual_rate * exposure / 365.25)
    checks = detect_waves([int(d) for d in departures], [float(e) for e in exposure])
    tested = [c for c in checks if c.p_value is not None]
    return sum(c.is_wave for c in tested), len(tested)


def test_on_a_constant_rate_the_rule_fires_no_more_than_alpha_over_many_seeds() -> None:
    fired = tested = 0
    for seed in range(300):
        rng = np.random.default_rng(seed)
        rate, heads = float(rng.uniform(0.03, 0.3)), int(rng.integers(20, 600))
        f, t = _constant_rate_firing(rng, annual_rate=rate, headcount=heads, periods=24)
        fired, tested = fired + f, tested + t
    alpha = 0.01
    assert tested > 6000
    assert fired / tested <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / tested)


@settings(max_examples=15, deadline=None)
@given(
    annual_rate=st.floats(0.02, 0.4),
    headcount=st.integers(10, 1000),
    seed=st.integers(0, 2**32 - 1),
)
def test_for_any_constant_rate_false_alarms_stay_near_alpha(
    annual_rate: float, headcount: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    fired = tested = 0
    for _ in range(60):
        f, t = _constant_rate_firing(rng, annual_rate=annual_rate, headcount=headcount, periods=20)
        fired, tested = fired + f, tested + t
    assert fired / tested <= 0.01 + 4 * math.sqrt(0.01 * 0.99 / tested)


def test_a_planted_quadrupling_of_departures_is_found() -> None:
    found = 0
    for seed in range(50):
        rng = np.random.default_rng(seed)
        exposure = np.full(16, 400 * QUARTER_DAYS)
        mean = 0.12 * exposure / 365.25  # 12% a year: about 12 a quarter
        mean[12] *= 4
        checks = detect_waves([int(d) for d in rng.poisson(mean)], [float(e) for e in exposure])
        found += checks[12].is_wave
    assert found >= 48


# -- end to end: a wave planted in an organisation's people -------------------------------

AS_OF = date(2025, 12, 31)
START = date(2021, 1, 1)


def _organisation_with_a_wave() -> OrganisationData:
    """300 people since 2021; two leave each quarter, and 15 from Safety leave in 2025-Q2."""
    people = []
    quarter_starts = [date(y, m, 1) for y in range(2021, 2026) for m in (1, 4, 7, 10)]
    leavers = [(q + timedelta(days=40), "research") for q in quarter_starts[1:] for _ in range(2)]
    leavers += [(date(2025, 5, 1) + timedelta(days=k), "safety") for k in range(15)]
    for i in range(300):
        left, home = leavers[i] if i < len(leavers) else (None, "research" if i % 2 else "safety")
        people.append(
            Person(
                id=PersonId(f"p{i:03d}"),
                name=f"P {i}",
                email=f"p{i}@example.org",
                department=DepartmentId(home),
                joined=START,
                left=left,
            )
        )
    departments = tuple(
        Department(id=DepartmentId(d), name=d.title()) for d in ("research", "safety")
    )
    return OrganisationData(people=tuple(people), departments=departments)


def test_the_planted_wave_is_the_only_one_flagged() -> None:
    report = attrition_report(_organisation_with_a_wave(), as_of=AS_OF)
    assert report.waves.waves == ("2025-Q2",)
    wave = next(c for c in report.waves.checks if c.is_wave)
    assert wave.departures == 17
    assert wave.expected is not None and 1.5 < wave.expected < 2.5


def test_the_planted_wave_is_found_in_the_department_it_hit() -> None:
    report = attrition_report(_organisation_with_a_wave(), as_of=AS_OF)
    flagged = {
        (w.department, w.check.period.label)
        for w in report.waves.department_waves
        if w.check.period
    }
    assert ("safety", "2025-Q2") in flagged
    assert all(department == "safety" for department, _ in flagged)


def test_monthly_periods_find_the_wave_in_its_month() -> None:
    monthly = AnalyticsSettings(period=PeriodKind.MONTH)
    report = attrition_report(_organisation_with_a_wave(), as_of=AS_OF, settings=monthly)
    assert "2025-05" in report.waves.waves
    assert report.waves.baseline_periods == 12
