"""Kaplan-Meier with Greenwood bands: checked against a textbook table and worked by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mts.analytics.survival import kaplan_meier
from mts.domain.errors import InvalidInput

# Freireich et al. (1963), 6-MP arm, as tabulated by Klein and Moeschberger,
# Survival Analysis (2003), Table 4.1A: weeks in remission, "+" = censored.
SIX_MP = [6, 6, 6, -6, 7, -9, 10, -10, -11, 13, 16, -17, -19, -20, 22, 23, -25, -32, -32, -34, -35]
SIX_MP_TABLE = {  # time: (S(t), Greenwood standard error), as printed to three decimals
    6: (0.857, 0.076),
    7: (0.807, 0.087),
    10: (0.753, 0.096),
    13: (0.690, 0.107),
    16: (0.627, 0.114),
    22: (0.538, 0.128),
    23: (0.448, 0.135),
}


def six_mp_curve():  # type: ignore[no-untyped-def]
    return kaplan_meier([abs(t) for t in SIX_MP], [t > 0 for t in SIX_MP], label="6-MP")


def test_six_mp_curve_matches_the_textbook_table() -> None:
    curve = six_mp_curve()
    events = {p.time: p for p in curve.points if p.events}
    assert sorted(events) == sorted(SIX_MP_TABLE)
    for time, (survival, std_error) in SIX_MP_TABLE.items():
        assert events[time].survival == pytest.approx(survival, abs=5e-4)
        assert events[time].std_error == pytest.approx(std_error, abs=5e-4)


def test_six_mp_median_remission_is_23_weeks() -> None:
    assert six_mp_curve().median == 23


def test_six_mp_counts_at_risk_include_those_censored_at_that_time() -> None:
    curve = six_mp_curve()
    by_time = {p.time: p for p in curve.points}
    assert (by_time[6].at_risk, by_time[6].events, by_time[6].censored) == (21, 3, 1)
    assert by_time[7].at_risk == 17
    assert curve.subjects == 21 and curve.events == 9


def test_small_case_worked_by_hand() -> None:
    # Durations 1, 2, 2+, 3, 4+.
    #   t=1: n=5, d=1   S = 4/5 = 0.8          Greenwood sum = 1/(5*4) = 0.05
    #   t=2: n=4, d=1   S = 0.8 * 3/4 = 0.6    sum = 0.05 + 1/(4*3) = 0.133333
    #   t=3: n=2, d=1   S = 0.6 * 1/2 = 0.3    sum = 0.133333 + 1/(2*1) = 0.633333
    #   t=4: n=1, censored: S stays 0.3
    # SE(S) = S * sqrt(sum): 0.178885, 0.219089, 0.238747.
    # Log-log band, z = 1.959964, se_ll = sqrt(sum) / |ln S|:
    #   t=1: se_ll = 0.223607 / 0.223144 = 1.002076
    #        lower = 0.8 ** exp(+1.964034) = 0.8 ** 7.12813 = 0.2038
    #        upper = 0.8 ** exp(-1.964034) = 0.8 ** 0.14029 = 0.9692
    curve = kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False])
    expected = [  # time, at risk, S, SE, lower, upper
        (0, 5, 1.0, 0.0, 1.0, 1.0),
        (1, 5, 0.8, 0.178885, 0.203809, 0.969180),
        (2, 4, 0.6, 0.219089, 0.125730, 0.881756),
        (3, 2, 0.3, 0.238747, 0.012302, 0.719218),
        (4, 1, 0.3, 0.238747, 0.012302, 0.719218),
    ]
    got = [(p.time, p.at_risk, p.survival, p.std_error, p.lower, p.upper) for p in curve.points]
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row == pytest.approx(want, abs=1e-5)
    assert curve.median == 3


def test_curve_is_read_as_a_step_function() -> None:
    curve = kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False])
    assert curve.at(0.5).survival == 1.0  # type: ignore[union-attr]
    assert curve.at(2.9).survival == pytest.approx(0.6)  # type: ignore[union-attr]
    assert curve.at(100).survival == pytest.approx(0.3)  # type: ignore[union-attr]


def test_when_everyone_left_survival_is_zero_with_an_undefined_error() -> None:
    curve = kaplan_meier([1, 2], [True, True])
    last = curve.points[-1]
    assert (last.survival, last.lower, last.upper) == (0.0, 0.0, 0.0)
    assert math.isnan(last.std_error)
    assert curve.to_dict()["points"][-1]["std_error"] is None


def test_empty_curve_has_no_points_and_no_median() -> None:
    curve = kaplan_meier([], [])
    assert curve.points == () and curve.median is None and curve.at(3) is None


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="durations"):
        kaplan_meier([1, -2], [True, True])


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="same length"):
        kaplan_meier([1, 2], [True])


subjects = st.lists(st.tuples(st.integers(0, 60), st.booleans()), min_size=1, max_size=60)


@given(subjects)
def test_survival_never_rises_and_stays_in_the_unit_interval(data: list[tuple[int, bool]]) -> None:
    curve = kaplan_meier([d for d, _ in data], [e for _, e in data])
    values = [p.survival for p in curve.points]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(later <= earlier for earlier, later in itertools.pairwise(values))
    for p in curve.points:
        assert 0.0 <= p.lower <= p.survival + 1e-12
        assert p.survival - 1e-12 <= p.upper <= 1.0


@given(st.lists(st.integers(0, 60), min_size=1, max_size=60))
def test_without_censoring_survival_is_the_share_still_there(durations: list[int]) -> None:
    curve = kaplan_meier(durations, [True] * len(durations))
    times = np.array(durations)
    for p in curve.points:
        assert p.survival == pytest.approx(np.mean(times > p.time))
        assert p.at_risk == np.sum(times >= p.time)
