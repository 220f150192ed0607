"""Departures per period, per home department and per project, with the exposure behind them.

A stint ends on its ``end`` day (the first day off staff); that day's period
counts the departure. ``exposure`` is person-days on staff within a period
(up to ``as_of``), the denominator of every rate here and of the wave rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mts.analytics.encoding import Record
from mts.analytics.periods import CalendarPeriod, PeriodKind, calendar
from mts.analytics.population import DAYS_PER_YEAR, Population
from mts.domain.people import DepartmentId, PersonId
from mts.domain.projects import ProjectId

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodDepartures(Record):
    """One period's departures, headcount at its start, and person-days on staff in it.

    ``annualised_rate`` is departures per person-year on staff; None without exposure.
    """

    period: CalendarPeriod
    departures: int
    headcount_start: int
    exposure_person_days: float
    annualised_rate: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupDepartures(Record):
    """A department's or project's departures per period, aligned with the series' periods.

    ``exposure_person_days`` is given for departments only (a project's
    members change with every round, so it has no steady population at risk).
    """

    key: str
    name: str
    departures: tuple[int, ...]
    exposure_person_days: tuple[float, ...] | None
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartureSeries(Record):
    """Departures over time: the organisation, each home department, each project."""

    kind: PeriodKind
    periods: tuple[PeriodDepartures, ...]
    by_department: tuple[GroupDepartures, ...]
    by_project: tuple[GroupDepartures, ...]
    total: int


@dataclass(frozen=True, slots=True)
class _Stint:
    person: PersonId
    department: DepartmentId
    start: date
    end: date | None


def departure_series(
    population: Population, *, kind: PeriodKind = PeriodKind.QUARTER, since: date | None = None
) -> DepartureSeries:
    """Departures per period from the period holding ``since`` to the one holding ``as_of``.

    Parameters
    ----------
    population : the organisation; every stint of every person counts, boomerangs' too.
    kind : months or quarters.
    since : the first day to count; default the earliest stint start.

    ``exposure_t = sum_stints |[start, end) n [t_start, min(t_end, as_of + 1))|`` in days;
    ``annualised_rate_t = departures_t / (exposure_t / 365.25)``.
    A leaver counts against their home department and every project whose
    seat they held on their last day on staff.
    """
    stints = _stints(population)
    if not stints:
        return DepartureSeries(kind=kind, periods=(), by_department=(), by_project=(), total=0)
    first = since or min(s.start for s in stints)
    periods = calendar(first, population.as_of, kind)
    exposure = _exposure(stints, periods, population.as_of)
    counted = _departure_periods(stints, periods, population.as_of)
    rows = _period_rows(stints, periods, exposure, counted)
    return DepartureSeries(
        kind=kind,
        periods=rows,
        by_department=_by_department(population, stints, exposure, counted, len(periods)),
        by_project=_by_project(population, stints, counted, len(periods)),
        total=sum(r.departures for r in rows),
    )


def _stints(population: Population) -> list[_Stint]:
    return [
        _Stint(person.id, person.department, period.start, period.end)
        for person in population.people.values()
        for period in population.stints(person)
    ]


def _exposure(
    stints: list[_Stint], periods: tuple[CalendarPeriod, ...], as_of: date
) -> FloatMatrix:
    """Person-days on staff, stint by period: ``max(0, min(ends) - max(starts))``."""
    horizon = (as_of + timedelta(days=1)).toordinal()
    starts = np.array([s.start.toordinal() for s in stints], dtype=np.float64)
    ends = np.array([s.end.toordinal() if s.end else horizon for s in stints], dtype=np.float64)
    ends = np.minimum(ends, horizon)
    lo = np.array([p.start.toordinal() for p in periods], dtype=np.float64)
    hi = np.minimum(np.array([p.end.toordinal() for p in periods], dtype=np.float64), horizon)
    overlap = np.minimum(ends[:, None], hi[None, :]) - np.maximum(starts[:, None], lo[None, :])
    clipped: FloatMatrix = np.clip(overlap, 0.0, None)
    return clipped


def _departure_periods(
    stints: list[_Stint], periods: tuple[CalendarPeriod, ...], as_of: date
) -> dict[int, int]:
    """Stint index -> index of the period in which it ended, for stints ended by ``as_of``."""
    counted = {}
    for i, stint in enumerate(stints):
        if stint.end is None or stint.end > as_of:
            continue
        for k, period in enumerate(periods):
            if period.contains(stint.end):
                counted[i] = k
                break
    return counted


def _period_rows(
    stints: list[_Stint],
    periods: tuple[CalendarPeriod, ...],
    exposure: FloatMatrix,
    counted: dict[int, int],
) -> tuple[PeriodDepartures, ...]:
    departures = np.bincount(list(counted.values()), minlength=len(periods))
    days = exposure.sum(axis=0)
    rows = []
    for k, period in enumerate(periods):
        heads = sum(
            s.start <= period.start and (s.end is None or period.start < s.end) for s in stints
        )
        rows.append(
            PeriodDepartures(
                period=period,
                departures=int(departures[k]),
                headcount_start=heads,
                exposure_person_days=float(days[k]),
                annualised_rate=float(departures[k] * DAYS_PER_YEAR / days[k]) if days[k] else None,
            )
        )
    return tuple(rows)


def _by_department(
    population: Population,
    stints: list[_Stint],
    exposure: FloatMatrix,
    counted: dict[int, int],
    n_periods: int,
) -> tuple[GroupDepartures, ...]:
    keys = list(population.department_names)
    keys += sorted({s.department for s in stints} - set(keys))
    groups = []
    for department in keys:
        rows = [i for i, s in enumerate(stints) if s.department == department]
        counts = np.bincount([counted[i] for i in rows if i in counted], minlength=n_periods)
        groups.append(
            GroupDepartures(
                key=department,
                name=population.department_name(department),
                departures=tuple(int(c) for c in counts),
                exposure_person_days=tuple(float(x) for x in exposure[rows].sum(axis=0)),
                total=int(counts.sum()),
            )
        )
    return tuple(groups)


def _by_project(
    population: Population, stints: list[_Stint], counted: dict[int, int], n_periods: int
) -> tuple[GroupDepartures, ...]:
    counts: dict[ProjectId, list[int]] = defaultdict(lambda: [0] * n_periods)
    for i, k in counted.items():
        for project in _projects_on_last_day(population, stints[i]):
            counts[project][k] += 1
    return tuple(
        GroupDepartures(
            key=project,
            name=population.projects[project].title if project in population.projects else project,
            departures=tuple(per_period),
            exposure_person_days=None,
            total=sum(per_period),
        )
        for project, per_period in sorted(counts.items())
    )


def _projects_on_last_day(population: Population, stint: _Stint) -> set[ProjectId]:
    assert stint.end is not None  # only ended stints are counted
    last_day = stint.end - timedelta(days=1)
    return {seat.project for seat in population.seats_of(stint.person) if seat.holds_on(last_day)}
