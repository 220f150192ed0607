"""Evidence as columns of numpy arrays, so millions of rows need no Python objects.

``EvidenceColumns`` is the merit engine's input format. Build it from domain
values with ``EvidenceColumns.from_evidence`` or directly from arrays (a
database query, a benchmark generator). Row ``i`` of every per-row array
describes the same piece of evidence; skill tags are stored CSR-style: the
tags of row ``i`` are ``skill_code[skill_indptr[i]:skill_indptr[i + 1]]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mts.domain.evidence import Evidence
from mts.domain.people import PersonId, Skill
from mts.merit.validation import raise_if_problems, row_problems

Codes = npt.NDArray[np.int32]
Offsets = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

NO_REVIEWER = -1
"""The reviewer code of evidence that nobody judged (shipped outcomes, metrics)."""


@dataclass(frozen=True, kw_only=True)
class EvidenceColumns:
    """Evidence rows as parallel arrays; codes index the vocabularies.

    ``score`` is already normalised to [0, 1] by the source's scale;
    ``day`` is ``date.toordinal()``; ``reviewer`` is -1 where nobody reviewed.
    ``work_item`` (optional, one label per row) lets the engine detect
    duplicates and name evidence in explanations.
    """

    people: tuple[PersonId, ...]
    reviewers: tuple[PersonId, ...]
    skills: tuple[Skill, ...]
    sources: tuple[str, ...]
    person: Codes
    reviewer: Codes
    source: Codes
    skill_indptr: Offsets
    skill_code: Codes
    skill_weight: Floats
    score: Floats
    day: Codes
    weight: Floats
    work_item: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # one dtype per column whatever the caller passed, so the engine never converts again
        coerce = object.__setattr__
        for name in ("person", "reviewer", "source", "skill_code", "day"):
            coerce(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.int32))
        coerce(self, "skill_indptr", np.ascontiguousarray(self.skill_indptr, dtype=np.int64))
        for name in ("skill_weight", "score", "weight"):
            coerce(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))

    @property
    def n_rows(self) -> int:
        """The number of evidence rows."""
        return int(self.person.shape[0])

    def key(self, row: int) -> str:
        """The ``Evidence.key`` of ``row`` (without work items, ``row-N`` stands in for one)."""
        reviewer = int(self.reviewer[row])
        parts = (
            self.people[int(self.person[row])],
            self.sources[int(self.source[row])],
            self.work_item[row] if self.work_item is not None else f"row-{row + 1}",
            self.reviewers[reviewer] if reviewer != NO_REVIEWER else "",
        )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    @classmethod
    def from_evidence(
        cls, evidence: Sequence[Evidence], *, file: str = "evidence"
    ) -> EvidenceColumns:
        """Columns from domain values, after checking every row (see ``merit.validation``).

        Raises ``ImportRejected`` listing every faulty row; dates are checked
        later, by ``MeritModel.fit``, which knows ``as_of``.
        """
        raise_if_problems(row_problems(evidence, as_of=None, file=file))
        return columns_of(evidence)


def _vocabulary(values: set[str]) -> dict[str, int]:
    return {value: code for code, value in enumerate(sorted(values))}


def columns_of(evidence: Sequence[Evidence]) -> EvidenceColumns:
    """Columns from evidence already known to be valid; vocabularies are sorted."""
    people = _vocabulary({e.person for e in evidence})
    reviewers = _vocabulary({e.reviewer for e in evidence if e.reviewer is not None})
    skills = _vocabulary({t.skill for e in evidence for t in e.skills})
    sources = _vocabulary({e.source for e in evidence})
    counts = np.fromiter((len(e.skills) for e in evidence), dtype=np.int64, count=len(evidence))
    indptr = np.zeros(len(evidence) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return EvidenceColumns(
        people=tuple(PersonId(p) for p in people),
        reviewers=tuple(PersonId(r) for r in reviewers),
        skills=tuple(Skill(s) for s in skills),
        sources=tuple(sources),
        person=np.array([people[e.person] for e in evidence], dtype=np.int32),
        reviewer=np.array(
            [NO_REVIEWER if e.reviewer is None else reviewers[e.reviewer] for e in evidence],
            dtype=np.int32,
        ),
        source=np.array([sources[e.source] for e in evidence], dtype=np.int32),
        skill_indptr=indptr,
        skill_code=np.array([skills[t.skill] for e in evidence for t in e.skills], dtype=np.int32),
        skill_weight=np.array([t.weight for e in evidence for t in e.skills], dtype=np.float64),
        score=np.array([e.scale.normalise(e.score) for e in evidence], dtype=np.float64),
        day=np.array([e.day.toordinal() for e in evidence], dtype=np.int32),
        weight=np.array([e.weight for e in evidence], dtype=np.float64),
        work_item=tuple(e.work_item for e in evidence),
    )
