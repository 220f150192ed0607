"""From evidence columns to model rows: compact codes, decay weights, centred scores.

* Only vocabulary entries that occur in the rows get a code, so people who
  appear only as reviewers (or only in a vocabulary) are never rated.
* ``omega_e = w_e * 2 ** (-(as_of - t_e) / half_life)``: the precision weight.
* Skill weights become shares ``a_es`` that sum to 1 per piece of evidence.
* Scores (already normalised to [0, 1]) are centred on their source's
  ``omega``-weighted mean; the model's cell levels absorb what is left.
* Each row belongs to one calibration cell: its (source, reviewer) pair, or
  (source, nobody) for unreviewed evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from mts.merit.columns import NO_REVIEWER, EvidenceColumns
from mts.merit.design import Rows

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Codebook:
    """Which vocabulary codes got compact codes (compact ``i`` is vocabulary ``people[i]``)."""

    people: Ints
    reviewers: Ints
    sources: Ints
    skills: Ints
    source_mean: Floats
    cell_source: Ints
    """The compact source of each cell."""
    cell_reviewer: Ints
    """The compact reviewer of each cell, -1 for the cell of unreviewed evidence."""

    def lookup(self, used: Ints, size: int) -> Ints:
        """Vocabulary code -> compact code (-1 where unused), for a vocabulary of ``size``."""
        table = np.full(size, -1, dtype=np.int64)
        table[used] = np.arange(used.size)
        return table


def decay(day: npt.NDArray[np.int32], *, as_of: date, half_life_days: float) -> Floats:
    """``2 ** (-(as_of - day) / half_life)``: evidence one half-life old counts half."""
    age = as_of.toordinal() - day.astype(np.float64)
    return np.exp2(-age / half_life_days)


def prepare(
    columns: EvidenceColumns, *, as_of: date, half_life_days: float
) -> tuple[Rows, Codebook]:
    """Model rows (compact codes, cells, shares, centred scores, weights) from valid ``columns``."""
    person, reviewer, source = columns.person, columns.reviewer, columns.source
    indptr, tag_skill, tag_weight = columns.skill_indptr, columns.skill_code, columns.skill_weight
    omega = columns.weight * decay(columns.day, as_of=as_of, half_life_days=half_life_days)
    used = _used(person, reviewer, source, tag_skill)
    codes = {
        name: _compact(values, used[name], size)
        for name, values, size in _vocabularies(columns, person, reviewer, source, tag_skill)
    }
    score = columns.score
    source_mean = _weighted_mean(codes["source"], omega, score, used["source"].size)
    cell, cell_source, cell_reviewer = _cells(
        codes["source"], codes["reviewer"], used["reviewer"].size
    )
    rows = Rows(
        person=codes["person"].astype(np.int32),
        cell=cell.astype(np.int32),
        tag_indptr=indptr,
        tag_skill=codes["skill"].astype(np.int32),
        tag_share=_shares(indptr, tag_weight),
        y=score - source_mean[codes["source"]],
        omega=omega,
        n_people=used["person"].size,
        n_skills=used["skill"].size,
        n_cells=cell_source.size,
    )
    codebook = Codebook(
        people=used["person"],
        reviewers=used["reviewer"],
        sources=used["source"],
        skills=used["skill"],
        source_mean=source_mean,
        cell_source=cell_source,
        cell_reviewer=cell_reviewer,
    )
    return rows, codebook


def _cells(source: Ints, reviewer: Ints, n_reviewers: int) -> tuple[Ints, Ints, Ints]:
    """Cell code per row, and the (source, reviewer) of each cell, in (source, reviewer) order."""
    key = source * (n_reviewers + 1) + (reviewer + 1)
    present = np.flatnonzero(np.bincount(key))
    code = np.full(present[-1] + 1 if present.size else 0, -1, dtype=np.int64)
    code[present] = np.arange(present.size)
    return code[key], present // (n_reviewers + 1), present % (n_reviewers + 1) - 1


def _used(
    person: npt.NDArray[np.int32],
    reviewer: npt.NDArray[np.int32],
    source: npt.NDArray[np.int32],
    skill: npt.NDArray[np.int32],
) -> dict[str, Ints]:
    reviewers = np.unique(reviewer)
    return {
        "person": np.unique(person).astype(np.int64),
        "reviewer": reviewers[reviewers != NO_REVIEWER].astype(np.int64),
        "source": np.unique(source).astype(np.int64),
        "skill": np.unique(skill).astype(np.int64),
    }


def _vocabularies(
    columns: EvidenceColumns,
    person: npt.NDArray[np.int32],
    reviewer: npt.NDArray[np.int32],
    source: npt.NDArray[np.int32],
    skill: npt.NDArray[np.int32],
) -> list[tuple[str, npt.NDArray[np.int32], int]]:
    return [
        ("person", person, len(columns.people)),
        ("reviewer", reviewer, len(columns.reviewers)),
        ("source", source, len(columns.sources)),
        ("skill", skill, len(columns.skills)),
    ]


def _compact(values: npt.NDArray[np.int32], used: Ints, size: int) -> Ints:
    """Vocabulary codes -> compact codes; ``NO_REVIEWER`` stays -1."""
    table = np.full(size + 1, -1, dtype=np.int64)
    table[used] = np.arange(used.size)
    return table[values]


def _weighted_mean(code: Ints, weight: Floats, value: Floats, size: int) -> Floats:
    total = np.bincount(code, weight, minlength=size)
    return np.bincount(code, weight * value, minlength=size) / np.where(total > 0, total, 1.0)


def _shares(indptr: Ints, weight: Floats) -> Floats:
    row = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
    return weight / np.bincount(row, weight, minlength=indptr.size - 1)[row]
