"""Retention curves: how long stints last, by joining cohort and by whether the person led.

Each stint is one subject: its duration runs from its start to the day it
ended (an event, the person left) or to ``as_of`` (censored, still on staff).
A boomerang contributes one subject per stint. The cohort is the calendar
year the stint began. "Has led a project" means the person held a lead seat
during that stint.

Caution for readers: leading is something that happens during a stint, so
people who stay longer have had more chances to lead ("immortal time"). The
gap between the two lead curves overstates the effect of leading on staying;
it shows who stays, not why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from mts.analytics.encoding import Record
from mts.analytics.population import Population
from mts.analytics.survival import SurvivalCurve, kaplan_meier
from mts.domain.people import Period, Person
from mts.domain.projects import RoleKind

LED = "led"
NOT_LED = "not-led"


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone(Record):
    """``S(days)`` with its band; None where the curve's follow-up ends before ``days``."""

    days: int
    survival: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionGroup(Record):
    """One retention curve (time in days) and its value at the milestones."""

    key: str
    label: str
    curve: SurvivalCurve
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionReport(Record):
    """Kaplan-Meier retention of stints: overall, per joining year, and by having led."""

    overall: RetentionGroup
    by_cohort: tuple[RetentionGroup, ...]
    by_lead: tuple[RetentionGroup, ...]


@dataclass(frozen=True, slots=True)
class _Subject:
    duration: int
    left: bool
    cohort: int
    led: bool


def retention(
    population: Population,
    *,
    confidence: float = 0.95,
    milestone_days: Sequence[int] = (365, 730),
) -> RetentionReport:
    """Kaplan-Meier curves of stint length, overall, by joining year and by having led.

    Parameters
    ----------
    population : every stint that began on or before ``as_of`` is a subject.
    confidence : the coverage of each curve's log-log Greenwood band.
    milestone_days : the durations at which each curve is also read off.

    Duration = ``end - start`` in days for a finished stint (event), else
    ``as_of - start`` (censored). Curves by ``survival.kaplan_meier``.
    """
    subjects = [
        _subject(population, person, stint)
        for person in population.people.values()
        for stint in population.stints(person)
    ]
    cohorts: dict[str, list[_Subject]] = defaultdict(list)
    for subject in subjects:
        cohorts[str(subject.cohort)].append(subject)
    lead = {LED: [s for s in subjects if s.led], NOT_LED: [s for s in subjects if not s.led]}
    labels = {LED: "has led a project", NOT_LED: "has not led a project"}

    def group(key: str, label: str, members: list[_Subject]) -> RetentionGroup:
        return _group(key, label, members, confidence, milestone_days)

    return RetentionReport(
        overall=group("all", "all stints", subjects),
        by_cohort=tuple(group(k, f"joined {k}", cohorts[k]) for k in sorted(cohorts)),
        by_lead=tuple(group(k, labels[k], lead[k]) for k in (LED, NOT_LED)),
    )


def _subject(population: Population, person: Person, stint: Period) -> _Subject:
    ended = stint.end is not None and stint.end <= population.as_of
    last = stint.end if ended and stint.end is not None else population.as_of
    led = any(
        seat.kind is RoleKind.LEAD and seat.overlaps(stint)
        for seat in population.seats_of(person.id)
    )
    return _Subject(
        duration=(last - stint.start).days, left=ended, cohort=stint.start.year, led=led
    )


def _group(
    key: str,
    label: str,
    members: list[_Subject],
    confidence: float,
    milestone_days: Sequence[int],
) -> RetentionGroup:
    curve = kaplan_meier(
        [m.duration for m in members],
        [m.left for m in members],
        confidence=confidence,
        label=label,
    )
    return RetentionGroup(
        key=key,
        label=label,
        curve=curve,
        milestones=tuple(_milestone(curve, days) for days in milestone_days),
    )


def _milestone(curve: SurvivalCurve, days: int) -> Milestone:
    point = curve.at(days)
    if point is None or days > curve.points[-1].time:
        return Milestone(days=days, survival=None, lower=None, upper=None)
    return Milestone(days=days, survival=point.survival, lower=point.lower, upper=point.upper)
