"""The three reports behind ``mts analytics composition|attrition|flow`` and the HTML report.

Each takes the organisation as plain domain values and a day, and returns a
``Record`` whose ``to_dict()`` is the ``--json`` output and the chart data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mts.analytics.boomerangs import BoomerangReport, boomerangs
from mts.analytics.composition import CompositionReport, composition
from mts.analytics.departures import DepartureSeries, departure_series
from mts.analytics.encoding import Record
from mts.analytics.inputs import AnalyticsSettings, OrganisationData
from mts.analytics.lending import LendingReport, talent_exported
from mts.analytics.periods import PeriodKind
from mts.analytics.population import Population
from mts.analytics.retention import RetentionReport, retention
from mts.analytics.signals import SignalReport, signals
from mts.analytics.waves import WaveReport, wave_report
from mts.merit.table import MeritTable


@dataclass(frozen=True, slots=True, kw_only=True)
class AttritionReport(Record):
    """Who left and when, the waves among them, how long stints last, and early signals."""

    as_of: date
    period: PeriodKind
    departures: DepartureSeries
    waves: WaveReport
    retention: RetentionReport
    signals: SignalReport


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowReport(Record):
    """Talent moving between departments (lending) and back into the organisation (boomerangs)."""

    as_of: date
    exported: LendingReport
    boomerangs: BoomerangReport


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyticsReport(Record):
    """All three reports on one day, for the HTML report."""

    as_of: date
    composition: CompositionReport
    attrition: AttritionReport
    flow: FlowReport


def composition_report(
    data: OrganisationData,
    *,
    as_of: date,
    merit: MeritTable | None = None,
    settings: AnalyticsSettings = AnalyticsSettings(),
) -> CompositionReport:
    """Team composition on ``as_of``: newcomers, departments, tenure, employers, belonging."""
    settings.check()
    return composition(Population.build(data, as_of), merit=merit, settings=settings)


def attrition_report(
    data: OrganisationData, *, as_of: date, settings: AnalyticsSettings = AnalyticsSettings()
) -> AttritionReport:
    """Departures per period and group, departure waves, retention curves and signals."""
    settings.check()
    return _attrition(Population.build(data, as_of), settings)


def flow_report(
    data: OrganisationData,
    *,
    as_of: date,
    merit: MeritTable | None = None,
    settings: AnalyticsSettings = AnalyticsSettings(),
) -> FlowReport:
    """Talent exported per department, and boomerangs with their evidence before and after."""
    settings.check()
    return _flow(Population.build(data, as_of), data, merit)


def analytics_report(
    data: OrganisationData,
    *,
    as_of: date,
    merit: MeritTable | None = None,
    settings: AnalyticsSettings = AnalyticsSettings(),
) -> AnalyticsReport:
    """Composition, attrition and flow on ``as_of``, indexing the data once."""
    settings.check()
    population = Population.build(data, as_of)
    return AnalyticsReport(
        as_of=as_of,
        composition=composition(population, merit=merit, settings=settings),
        attrition=_attrition(population, settings),
        flow=_flow(population, data, merit),
    )


def _attrition(population: Population, settings: AnalyticsSettings) -> AttritionReport:
    series = departure_series(population, kind=settings.period, since=settings.since)
    return AttritionReport(
        as_of=population.as_of,
        period=settings.period,
        departures=series,
        waves=wave_report(
            series,
            alpha=settings.wave_alpha,
            baseline_periods=settings.baseline_window,
            min_baseline_periods=settings.min_baseline_periods,
        ),
        retention=retention(
            population, confidence=settings.confidence, milestone_days=settings.milestone_days
        ),
        signals=signals(population, idle_days=settings.idle_days),
    )


def _flow(population: Population, data: OrganisationData, merit: MeritTable | None) -> FlowReport:
    return FlowReport(
        as_of=population.as_of,
        exported=talent_exported(population),
        boomerangs=boomerangs(population, data.evidence, merit=merit),
    )
