"""Checks on evidence before any fitting: every problem is collected, then one error raised.

Row numbers count evidence from 1 in the order given (``row = i + 1``);
column names are those of the evidence CSV (``score``, ``skills``,
``weight``, ``date``, ``work_item``, ...), so a person can fix the file by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mts.domain.errors import ImportRejected, Problem
from mts.domain.evidence import Evidence

if TYPE_CHECKING:
    from mts.merit.columns import EvidenceColumns

RowCheck = Callable[[Evidence], "tuple[str, str, str] | None"]


def raise_if_problems(problems: Sequence[Problem]) -> None:
    """Raise ``ImportRejected`` carrying ``problems`` if there are any."""
    if problems:
        raise ImportRejected(problems)


def _is_number(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _scale(e: Evidence) -> tuple[str, str, str] | None:
    low, high = e.scale.low, e.scale.high
    if _is_number(low) and _is_number(high) and low < high:
        return None
    return "scale_max", "a finite scale with scale_min < scale_max", f"{low}..{high}"


def _score(e: Evidence) -> tuple[str, str, str] | None:
    if not _is_number(e.score):
        return "score", "a finite number", str(e.score)
    if _scale(e) is None and not e.scale.contains(e.score):
        return "score", f"a score within [{e.scale.low}, {e.scale.high}]", str(e.score)
    return None


def _skills(e: Evidence) -> tuple[str, str, str] | None:
    if not e.skills:
        return "skills", "at least one skill tag", "none"
    bad = [t for t in e.skills if not (_is_number(t.weight) and t.weight > 0) or not t.skill]
    if bad:
        return "skills", "named skills with positive weights", f"{bad[0].skill!r}:{bad[0].weight}"
    return None


def _weight(e: Evidence) -> tuple[str, str, str] | None:
    if _is_number(e.weight) and e.weight > 0:
        return None
    return "weight", "a positive, finite weight", str(e.weight)


def _person(e: Evidence) -> tuple[str, str, str] | None:
    return None if e.person else ("person_id", "a person id", "an empty id")


ROW_CHECKS: tuple[RowCheck, ...] = (_person, _scale, _score, _skills, _weight)


def row_problems(
    evidence: Sequence[Evidence], *, as_of: date | None, file: str = "evidence"
) -> list[Problem]:
    """Every fault in ``evidence``: bad scores, scales, tags, weights, dates, duplicates.

    Dates after ``as_of`` are faults (the future cannot be evidence); pass
    ``as_of=None`` to skip that check.
    """
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for i, e in enumerate(evidence):
        for column, expected, found in _faults(e, as_of):
            problems.append(
                Problem(file=file, row=i + 1, column=column, expected=expected, found=found)
            )
        seen = first_row.setdefault(e.key, i + 1)
        if seen != i + 1:
            problems.append(_duplicate(file, i + 1, seen))
    return problems


def _faults(e: Evidence, as_of: date | None) -> Iterator[tuple[str, str, str]]:
    for check in ROW_CHECKS:
        fault = check(e)
        if fault is not None:
            yield fault
    if as_of is not None and e.day > as_of:
        yield "date", f"a date on or before {as_of.isoformat()}", e.day.isoformat()


def _duplicate(file: str, row: int, first: int) -> Problem:
    return Problem(
        file=file,
        row=row,
        column="work_item",
        expected="evidence not given before (same person, source, work item and reviewer)",
        found=f"a duplicate of row {first}",
    )


def column_problems(
    columns: EvidenceColumns, *, as_of: date, file: str = "evidence"
) -> list[Problem]:
    """Every fault in ``columns``, checked with vectorised masks; see ``row_problems``."""
    shape = _shape_problems(columns, file)
    if shape:
        return shape
    problems = [
        *_masked(file, "score", "a finite number", columns.score, ~np.isfinite(columns.score)),
        *_masked(
            file,
            "score",
            "a normalised score within [0, 1]",
            columns.score,
            np.isfinite(columns.score) & ((columns.score < 0) | (columns.score > 1)),
        ),
        *_masked(
            file,
            "skills",
            "at least one skill tag",
            _tag_counts(columns),
            _tag_counts(columns) == 0,
        ),
        *_tag_weight_problems(columns, file),
        *_masked(
            file,
            "weight",
            "a positive, finite weight",
            columns.weight,
            ~(columns.weight > 0) | ~np.isfinite(columns.weight),
        ),
        *_date_problems(columns, as_of, file),
        *_duplicate_problems(columns, file),
    ]
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def _tag_counts(columns: EvidenceColumns) -> npt.NDArray[np.int64]:
    return np.diff(columns.skill_indptr)


def _masked(
    file: str,
    column: str,
    expected: str,
    values: npt.NDArray[np.generic],
    bad: npt.NDArray[np.bool_],
) -> list[Problem]:
    return [
        Problem(file=file, row=int(i) + 1, column=column, expected=expected, found=str(values[i]))
        for i in np.flatnonzero(bad)
    ]


def _tag_weight_problems(columns: EvidenceColumns, file: str) -> list[Problem]:
    weights = columns.skill_weight
    bad_tags = np.flatnonzero(~(weights > 0) | ~np.isfinite(weights))
    rows = np.searchsorted(columns.skill_indptr, bad_tags, side="right") - 1
    firsts = {int(r): int(t) for r, t in zip(rows[::-1], bad_tags[::-1], strict=True)}
    return [
        Problem(
            file=file,
            row=r + 1,
            column="skills",
            expected="positive skill weights",
            found=str(weights[t]),
        )
        for r, t in sorted(firsts.items())
    ]


def _date_problems(columns: EvidenceColumns, as_of: date, file: str) -> list[Problem]:
    late = np.flatnonzero(columns.day > as_of.toordinal())
    expected = f"a date on or before {as_of.isoformat()}"
    return [
        Problem(
            file=file,
            row=int(i) + 1,
            column="date",
            expected=expected,
            found=date.fromordinal(int(columns.day[i])).isoformat(),
        )
        for i in late
    ]


def _duplicate_problems(columns: EvidenceColumns, file: str) -> list[Problem]:
    if columns.work_item is None:
        return []
    first_row: dict[tuple[int, int, str, int], int] = {}
    problems: list[Problem] = []
    identity = zip(
        columns.person.tolist(),
        columns.source.tolist(),
        columns.work_item,
        columns.reviewer.tolist(),
        strict=True,
    )
    for i, key in enumerate(identity):
        seen = first_row.setdefault(key, i + 1)
        if seen != i + 1:
            problems.append(_duplicate(file, i + 1, seen))
    return problems


def _shape_problems(columns: EvidenceColumns, file: str) -> list[Problem]:
    """Structural faults (lengths, codes out of range): reported without row numbers."""
    n = columns.n_rows
    per_row: dict[str, npt.NDArray[np.generic]] = {
        "reviewer_id": columns.reviewer,
        "source": columns.source,
        "score": columns.score,
        "date": columns.day,
        "weight": columns.weight,
    }
    faults = [
        (name, f"{n} values", f"{array.shape[0]}")
        for name, array in per_row.items()
        if array.shape[0] != n
    ]
    if columns.work_item is not None and len(columns.work_item) != n:
        faults.append(("work_item", f"{n} values", str(len(columns.work_item))))
    faults.extend(_csr_faults(columns))
    faults.extend(_code_faults(columns))
    return [Problem(file=file, row=None, column=c, expected=e, found=f) for c, e, f in faults]


def _csr_faults(columns: EvidenceColumns) -> list[tuple[str, str, str]]:
    indptr = columns.skill_indptr
    well_formed = (
        indptr.shape[0] == columns.n_rows + 1
        and indptr[0] == 0
        and bool(np.all(np.diff(indptr) >= 0))
        and indptr[-1] == columns.skill_code.shape[0] == columns.skill_weight.shape[0]
    )
    if well_formed:
        return []
    return [("skills", "a CSR index over the skill tags", f"indptr of length {indptr.shape[0]}")]


def _code_faults(columns: EvidenceColumns) -> list[tuple[str, str, str]]:
    ranges = (
        ("person_id", columns.person, 0, len(columns.people)),
        ("reviewer_id", columns.reviewer, -1, len(columns.reviewers)),
        ("source", columns.source, 0, len(columns.sources)),
        ("skills", columns.skill_code, 0, len(columns.skills)),
    )
    return [
        (name, f"codes in [{low}, {high})", f"{int(codes.min())}..{int(codes.max())}")
        for name, codes, low, high in ranges
        if codes.size and (codes.min() < low or codes.max() >= high)
    ]
