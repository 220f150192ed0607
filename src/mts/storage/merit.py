"""Merit snapshots: a fitted table, stored row by row, and read back as a ``MeritTable``."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mts.domain.people import PersonId, Skill
from mts.merit.snapshot import SnapshotHeader, StoredLeniency
from mts.merit.table import GENERAL, MeritRow, MeritTable
from mts.storage.tables import (
    MeritExplanationRow,
    MeritRowRow,
    MeritSnapshotRow,
    ReviewerLeniencyRow,
)

_INSERT_CHUNK = 5000


def _header(row: MeritSnapshotRow) -> SnapshotHeader:
    return SnapshotHeader(
        row.id, row.as_of, row.created_at, row.input_hash, row.evidence_count, dict(row.parameters)
    )


class SqlMeritRepository:
    """Snapshots of the merit engine's output."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        as_of: date,
        created_at: datetime,
        input_hash: str,
        evidence_count: int,
        parameters: dict[str, Any],
        table: MeritTable,
        leniency: Sequence[StoredLeniency],
        explanations: dict[PersonId, dict[str, list[dict[str, Any]]]],
    ) -> SnapshotHeader:
        """Store a snapshot: every row of ``table``, the reviewers' leniency, the explanations."""
        row = MeritSnapshotRow(
            as_of=as_of,
            created_at=created_at,
            input_hash=input_hash,
            evidence_count=evidence_count,
            parameters=parameters,
        )
        self._session.add(row)
        self._session.flush()
        for chunk in _chunks(_merit_rows(row.id, table)):
            self._session.execute(insert(MeritRowRow), chunk)
        reviewers = [
            {
                "snapshot_id": row.id,
                "reviewer_id": r.reviewer,
                "mean": r.mean,
                "sd": r.sd,
                "reviews": r.reviews,
            }
            for r in leniency
        ]
        for chunk in _chunks(iter(reviewers)):
            self._session.execute(insert(ReviewerLeniencyRow), chunk)
        why = (
            {"snapshot_id": row.id, "person_id": person, "contributions": by_skill}
            for person, by_skill in explanations.items()
        )
        for chunk in _chunks(why):
            self._session.execute(insert(MeritExplanationRow), chunk)
        return _header(row)

    def explanation(self, snapshot: int, person: PersonId) -> dict[str, list[dict[str, Any]]]:
        """Per skill (``*`` for general), the evidence that moved ``person`` most."""
        row = self._session.get(MeritExplanationRow, (snapshot, person))
        return dict(row.contributions) if row else {}

    def latest(self, *, as_of: date | None = None) -> SnapshotHeader | None:
        """The newest snapshot (fitted on or before ``as_of``, when given)."""
        query = select(MeritSnapshotRow).order_by(MeritSnapshotRow.id.desc()).limit(1)
        if as_of is not None:
            query = query.where(MeritSnapshotRow.as_of <= as_of)
        row = self._session.scalars(query).first()
        return _header(row) if row else None

    def header(self, snapshot: int) -> SnapshotHeader | None:
        """One snapshot's header."""
        row = self._session.get(MeritSnapshotRow, snapshot)
        return _header(row) if row else None

    def rows_for(self, snapshot: int, person: PersonId) -> list[MeritRow]:
        """One person's rows, general execution first, then skills by name."""
        query = (
            select(MeritRowRow)
            .where(MeritRowRow.snapshot_id == snapshot, MeritRowRow.person_id == person)
            .order_by(MeritRowRow.skill)
        )
        rows = [
            MeritRow(PersonId(r.person_id), Skill(r.skill), r.mean, r.sd, r.n_effective)
            for r in self._session.scalars(query)
        ]
        return sorted(rows, key=lambda r: (r.skill != GENERAL, r.skill))

    def leniency(self, snapshot: int) -> list[StoredLeniency]:
        """Every reviewer's leniency in a snapshot."""
        query = select(ReviewerLeniencyRow).where(ReviewerLeniencyRow.snapshot_id == snapshot)
        return [
            StoredLeniency(PersonId(r.reviewer_id), r.mean, r.sd, r.reviews)
            for r in self._session.scalars(query.order_by(ReviewerLeniencyRow.reviewer_id))
        ]

    def table(self, snapshot: int, *, skills: Collection[Skill] | None = None) -> MeritTable:
        """The snapshot as the table the staffing engine reads (general execution and, when
        given, only ``skills``: a round reads only the skills its roles need)."""
        header = self.header(snapshot)
        if header is None:
            raise LookupError(snapshot)
        query = select(
            MeritRowRow.person_id,
            MeritRowRow.skill,
            MeritRowRow.mean,
            MeritRowRow.sd,
            MeritRowRow.n_effective,
        ).where(MeritRowRow.snapshot_id == snapshot)
        if skills is not None:
            query = query.where(MeritRowRow.skill.in_([GENERAL, *sorted(skills)]))
        return _assemble(list(self._session.execute(query)), header.parameters)


def _merit_rows(snapshot: int, table: MeritTable) -> Iterator[dict[str, Any]]:
    for row in table.rows():
        yield {
            "snapshot_id": snapshot,
            "person_id": row.person,
            "skill": row.skill,
            "mean": row.mean,
            "sd": row.sd,
            "n_effective": row.n_effective,
        }


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _INSERT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _assemble(rows: list[Any], parameters: dict[str, Any]) -> MeritTable:
    people = tuple(sorted({PersonId(r[0]) for r in rows}))
    skills = tuple(sorted({Skill(r[1]) for r in rows if r[1] != GENERAL}))
    p_index = {p: i for i, p in enumerate(people)}
    s_index = {s: j for j, s in enumerate(skills)}
    shape = (len(people), len(skills))
    mean, sd, n_eff = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    g_mean, g_sd, g_n = np.zeros(len(people)), np.zeros(len(people)), np.zeros(len(people))
    for person, skill, m, s, n in rows:
        i = p_index[person]
        if skill == GENERAL:
            g_mean[i], g_sd[i], g_n[i] = m, s, n
        else:
            j = s_index[skill]
            mean[i, j], sd[i, j], n_eff[i, j] = m, s, n
    return MeritTable(
        people=people,
        skills=skills,
        mean=mean,
        sd=sd,
        n_effective=n_eff,
        general_mean=g_mean,
        general_sd=g_sd,
        general_n_effective=g_n,
        prior_sd=float(parameters["prior_sd"]),
        skill_prior_sd=float(parameters["skill_prior_sd"]),
    )
