"""Boomerangs: people who left and were hired again, and the evidence they brought back.

A re-hire keeps the same person id, so their evidence from earlier stints
stays theirs: the merit engine weighs it (decayed by age) alongside what they
do after returning, rather than starting them again as a newcomer. The
report shows both halves so the council can see the history was restored.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mts.analytics.encoding import Record
from mts.analytics.population import Population
from mts.domain.evidence import Evidence
from mts.domain.people import DepartmentId, Period, Person, PersonId
from mts.merit.table import MeritTable


@dataclass(frozen=True, slots=True, kw_only=True)
class Gap(Record):
    """Time away between two stints: left on ``left``, back on ``returned``."""

    left: date
    returned: date
    days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceSpan(Record):
    """A person's evidence within a span of time; ``mean_score`` is normalised to [0, 1]."""

    items: int
    first_day: date | None
    last_day: date | None
    mean_score: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Boomerang(Record):
    """One person who came back; ``returned`` is the start of their latest stint.

    ``merit_n_effective`` is the general effective evidence count the merit
    table holds for them (None without a table): it includes the earlier
    stints' evidence, decayed, which is what "restored, not restarted" means.
    """

    person: PersonId
    name: str
    department: DepartmentId
    department_name: str
    stints: int
    gaps: tuple[Gap, ...]
    returned: date
    on_staff: bool
    evidence_before_return: EvidenceSpan
    evidence_since_return: EvidenceSpan
    merit_n_effective: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BoomerangReport(Record):
    """Every boomerang, how many are on staff, and how long people stayed away."""

    count: int
    on_staff: int
    median_gap_days: float | None
    mean_gap_days: float | None
    people: tuple[Boomerang, ...]


def boomerangs(
    population: Population,
    evidence: Sequence[Evidence] = (),
    *,
    merit: MeritTable | None = None,
) -> BoomerangReport:
    """Everyone with more than one stint begun by ``as_of``, their gaps and their evidence.

    Parameters
    ----------
    population : the organisation; a boomerang has a stint that starts after an earlier one ended.
    evidence : split at the return day into before and since.
    merit : if given, read for each boomerang's general ``n_effective``.

    ``gap = next_stint.start - stint.end`` in days, one per return.
    """
    by_person: dict[PersonId, list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.day <= population.as_of:
            by_person[item.person].append(item)
    people = tuple(
        _boomerang(population, person, by_person[person.id], merit)
        for person in population.people.values()
        if len(population.stints(person)) > 1
    )
    gaps = [gap.days for person in people for gap in person.gaps]
    return BoomerangReport(
        count=len(people),
        on_staff=sum(p.on_staff for p in people),
        median_gap_days=float(statistics.median(gaps)) if gaps else None,
        mean_gap_days=statistics.fmean(gaps) if gaps else None,
        people=people,
    )


def _boomerang(
    population: Population, person: Person, evidence: list[Evidence], merit: MeritTable | None
) -> Boomerang:
    stints = population.stints(person)
    returned = stints[-1].start
    row = None if merit is None else merit.person_index(person.id)
    return Boomerang(
        person=person.id,
        name=person.name,
        department=person.department,
        department_name=population.department_name(person.department),
        stints=len(stints),
        gaps=_gaps(stints),
        returned=returned,
        on_staff=person.is_active(population.as_of),
        evidence_before_return=_span([e for e in evidence if e.day < returned]),
        evidence_since_return=_span([e for e in evidence if e.day >= returned]),
        merit_n_effective=_n_effective(merit, row),
    )


def _gaps(stints: Sequence[Period]) -> tuple[Gap, ...]:
    return tuple(
        Gap(left=before.end, returned=after.start, days=(after.start - before.end).days)
        for before, after in itertools.pairwise(stints)
        if before.end is not None
    )


def _span(evidence: list[Evidence]) -> EvidenceSpan:
    if not evidence:
        return EvidenceSpan(items=0, first_day=None, last_day=None, mean_score=None)
    days = [e.day for e in evidence]
    return EvidenceSpan(
        items=len(evidence),
        first_day=min(days),
        last_day=max(days),
        mean_score=statistics.fmean(e.scale.normalise(e.score) for e in evidence),
    )


def _n_effective(merit: MeritTable | None, row: int | None) -> float | None:
    if merit is None:
        return None
    return 0.0 if row is None else float(merit.general_n_effective[row])
