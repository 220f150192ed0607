"""Merit snapshots: fit the engine on the store's evidence, keep the result, show it to its owner.

People see their own merit with the evidence behind it; the council sees
anyone's; nobody else browses another person's merit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from mts.audit.ledger import digest
from mts.domain.accounts import User
from mts.domain.errors import NotFound, PermissionDenied
from mts.domain.evidence import Evidence
from mts.domain.people import PersonId
from mts.merit.explain import Contribution
from mts.merit.model import MeritModel
from mts.merit.snapshot import SnapshotHeader, StoredLeniency
from mts.merit.table import GENERAL, MeritRow
from mts.services.unit_of_work import UnitOfWorkFactory

EXPLAINED_PER_SKILL = 5
Stage = Callable[[str], None]
"""Told the name of each stage of a long job as it starts; the CLI shows it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MeritSettings:
    """The merit engine's settings, as a council chooses them."""

    half_life_days: float = 365.0
    k: float = 2.0


@dataclass(frozen=True, slots=True)
class PersonMerit:
    """One person's rows of a snapshot and the evidence that moved each most."""

    person: PersonId
    snapshot: SnapshotHeader
    rows: Sequence[MeritRow]
    explanations: dict[str, list[dict[str, Any]]]


def evidence_digest(evidence: Sequence[Evidence]) -> str:
    """A fingerprint of the evidence a fit used: same evidence, same hash."""
    return digest(
        sorted(
            [e.key, e.score, e.scale.low, e.scale.high, e.day.isoformat(), e.weight]
            for e in evidence
        )
    )


def fit_merit(
    evidence: Sequence[Evidence],
    *,
    as_of: date,
    people: Sequence[PersonId] = (),
    settings: MeritSettings = MeritSettings(),
    file: str = "evidence",
) -> MeritModel:
    """The merit engine fitted on ``evidence`` (no store involved: ``mts merit fit`` uses it)."""
    model = MeritModel(half_life_days=settings.half_life_days, k=settings.k)
    return model.fit(evidence, as_of=as_of, people=people, file=file)


def take_snapshot(
    unit_of_work: UnitOfWorkFactory,
    *,
    as_of: date,
    now: datetime,
    settings: MeritSettings = MeritSettings(),
    stage: Stage = lambda _: None,
) -> SnapshotHeader:
    """Fit merit on every piece of evidence up to ``as_of`` and store the result as a snapshot."""
    stage("reading evidence")
    with unit_of_work() as uow:
        evidence = uow.evidence.list(until=as_of)
        on_staff = [p.id for p in uow.people.list() if p.is_active(as_of)]
    stage("fitting merit")
    model = fit_merit(evidence, as_of=as_of, people=on_staff, settings=settings)
    stage("explaining estimates")
    explanations = {person: _explanations(model, person) for person in model.table_.people}
    stage("storing the snapshot")
    with unit_of_work() as uow:
        header = uow.merit.add(
            as_of=as_of,
            created_at=now,
            input_hash=evidence_digest(evidence),
            evidence_count=len(evidence),
            parameters=_parameters(model, settings),
            table=model.table_,
            leniency=_leniency(model),
            explanations=explanations,
        )
        uow.commit()
    return header


def _parameters(model: MeritModel, settings: MeritSettings) -> dict[str, Any]:
    return {
        "settings": asdict(settings),
        "hyperparameters": asdict(model.hyperparameters_),
        "source_means": dict(model.source_means_),
        "prior_sd": model.table_.prior_sd,
        "skill_prior_sd": model.table_.skill_prior_sd,
    }


def _leniency(model: MeritModel) -> list[StoredLeniency]:
    table = model.reviewers_
    return [
        StoredLeniency(
            reviewer, float(table.leniency[i]), float(table.sd[i]), int(table.n_reviews[i])
        )
        for i, reviewer in enumerate(table.reviewers)
    ]


def _explanations(model: MeritModel, person: PersonId) -> dict[str, list[dict[str, Any]]]:
    table = model.table_
    i = table.person_index(person)
    if i is None:
        return {}
    skills = [GENERAL] + [s for j, s in enumerate(table.skills) if table.n_effective[i, j] > 0]
    by_skill: dict[str, list[dict[str, Any]]] = {}
    for skill in skills:
        moved = model.explain(person, skill, top=EXPLAINED_PER_SKILL)
        if moved:
            by_skill[skill] = [_contribution(c) for c in moved]
    return by_skill


def _contribution(c: Contribution) -> dict[str, Any]:
    return {
        "key": c.key,
        "work_item": c.work_item,
        "source": c.source,
        "reviewer": c.reviewer,
        "date": c.day.isoformat(),
        "score": c.score,
        "weight": c.weight,
        "contribution": c.contribution,
    }


def person_merit(
    unit_of_work: UnitOfWorkFactory, actor: User, person: PersonId, *, snapshot: int | None = None
) -> PersonMerit:
    """A person's merit in the latest (or a given) snapshot: for themself and the council only."""
    if not (actor.is_council or actor.is_self(person)):
        raise PermissionDenied("people see their own merit; only the council sees anyone's")
    with unit_of_work() as uow:
        if uow.people.get(person) is None:
            raise NotFound("person", person)
        header = uow.merit.header(snapshot) if snapshot is not None else uow.merit.latest()
        if header is None:
            raise NotFound("merit snapshot", str(snapshot) if snapshot else "latest")
        rows = uow.merit.rows_for(header.id, person)
        explanations = uow.merit.explanation(header.id, person)
    if not actor.is_council:
        explanations = _without_reviewers(explanations)
    return PersonMerit(person, header, rows, explanations)


def _without_reviewers(
    explanations: dict[str, list[dict[str, Any]]],
) -> dict[str, list[dict[str, Any]]]:
    # A member sees which work moved their estimate, never who reviewed it or the raw score.
    hidden = {"reviewer", "score"}
    return {
        skill: [{k: v for k, v in item.items() if k not in hidden} for item in items]
        for skill, items in explanations.items()
    }
