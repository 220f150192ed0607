"""Departure waves: periods with more departures than the trailing baseline rate explains.

The rule (an exact conditional test of two Poisson rates, Przyborowski and
Wilenski 1940): departures in period ``t`` are ``D_t ~ Poisson(lambda_t E_t)``
with ``E_t`` the person-days on staff. The baseline is the ``W`` most recent
earlier periods that had people on staff and were not themselves flagged,
with ``B`` departures over ``E_B`` person-days. If the rate did not change,
then given ``N = D_t + B`` departures in all, ``D_t ~ Binomial(N, pi)`` with
``pi = E_t / (E_t + E_B)``. Period ``t`` is a wave when

    p_t = P(Binomial(N, pi) >= D_t) < alpha          (default alpha = 0.01)

Conditioning on ``N`` makes the test exact: unlike plugging the baseline
rate into a Poisson tail, it does not fire too often when the baseline is
short or has few departures (a quiet baseline would otherwise make any
departure look like a wave). Because counts are discrete it fires at most
``alpha`` of the time under a constant rate, usually less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from scipy import stats

from mts.analytics.departures import DepartureSeries
from mts.analytics.encoding import Record
from mts.analytics.periods import CalendarPeriod
from mts.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveCheck(Record):
    """The wave rule applied to one period.

    ``expected`` is ``B * E_t / E_B``, the departures the baseline rate
    predicts; it and ``p_value`` are None when there is no test (nobody on
    staff, or fewer than ``min_baseline_periods`` baseline periods).
    """

    index: int
    period: CalendarPeriod | None
    departures: int
    exposure_person_days: float
    baseline_periods: int
    baseline_departures: int
    baseline_person_days: float
    expected: float | None
    p_value: float | None
    is_wave: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartmentWave(Record):
    """A wave in one home department's departures."""

    department: str
    name: str
    check: WaveCheck


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveReport(Record):
    """The wave rule over the organisation's periods, and the waves found in departments."""

    alpha: float
    baseline_periods: int
    min_baseline_periods: int
    checks: tuple[WaveCheck, ...]
    waves: tuple[str, ...]
    department_waves: tuple[DepartmentWave, ...]


def detect_waves(
    departures: Sequence[int],
    exposure: Sequence[float],
    *,
    alpha: float = 0.01,
    baseline_periods: int = 4,
    min_baseline_periods: int = 2,
    periods: Sequence[CalendarPeriod] | None = None,
) -> tuple[WaveCheck, ...]:
    """Apply the wave rule to every period of a series, oldest first.

    Parameters
    ----------
    departures : ``D_t``, departures per period.
    exposure : ``E_t``, person-days on staff per period.
    alpha : the significance level of the one-sided test.
    baseline_periods : ``W``, how many earlier unflagged periods make the baseline.
    min_baseline_periods : fewer usable baseline periods than this means no test.
    periods : labels for the checks, aligned with ``departures``.

    ``p_t = P(Binomial(D_t + B, E_t / (E_t + E_B)) >= D_t)``; a wave when ``p_t < alpha``.
    """
    if len(departures) != len(exposure) or (periods is not None and len(periods) != len(exposure)):
        raise InvalidInput("departures, exposure and periods must have the same length")
    checks: list[WaveCheck] = []
    for t, (count, days) in enumerate(zip(departures, exposure, strict=True)):
        baseline = _baseline(checks, baseline_periods)
        check = _check(t, int(count), float(days), baseline, alpha, min_baseline_periods)
        checks.append(replace(check, period=periods[t]) if periods is not None else check)
    return tuple(checks)


def _baseline(checks: Sequence[WaveCheck], window: int) -> list[WaveCheck]:
    """The ``window`` most recent earlier periods with people on staff and no wave."""
    usable = [c for c in checks if c.exposure_person_days > 0 and not c.is_wave]
    return usable[-window:]


def _check(
    t: int,
    count: int,
    days: float,
    baseline: list[WaveCheck],
    alpha: float,
    min_baseline: int,
) -> WaveCheck:
    base_count = sum(c.departures for c in baseline)
    base_days = float(sum(c.exposure_person_days for c in baseline))
    untested = days <= 0 or len(baseline) < min_baseline or base_days <= 0
    p_value = None if untested else _upper_tail(count, base_count, days / (days + base_days))
    return WaveCheck(
        index=t,
        period=None,
        departures=count,
        exposure_person_days=days,
        baseline_periods=len(baseline),
        baseline_departures=base_count,
        baseline_person_days=base_days,
        expected=None if untested else base_count * days / base_days,
        p_value=p_value,
        is_wave=p_value is not None and p_value < alpha,
    )


def _upper_tail(count: int, base_count: int, share: float) -> float:
    """``P(Binomial(count + base_count, share) >= count)``."""
    if count == 0:
        return 1.0
    return float(stats.binom.sf(count - 1, count + base_count, share))


def wave_report(
    series: DepartureSeries,
    *,
    alpha: float = 0.01,
    baseline_periods: int = 4,
    min_baseline_periods: int = 2,
) -> WaveReport:
    """The wave rule over the organisation's departures and over each home department's."""
    rule = partial(
        detect_waves,
        alpha=alpha,
        baseline_periods=baseline_periods,
        min_baseline_periods=min_baseline_periods,
        periods=[row.period for row in series.periods],
    )
    checks = rule(
        [row.departures for row in series.periods],
        [row.exposure_person_days for row in series.periods],
    )
    department_waves = [
        DepartmentWave(department=group.key, name=group.name, check=check)
        for group in series.by_department
        if group.exposure_person_days is not None
        for check in rule(group.departures, group.exposure_person_days)
        if check.is_wave
    ]
    return WaveReport(
        alpha=alpha,
        baseline_periods=baseline_periods,
        min_baseline_periods=min_baseline_periods,
        checks=checks,
        waves=tuple(c.period.label for c in checks if c.is_wave and c.period is not None),
        department_waves=tuple(department_waves),
    )
