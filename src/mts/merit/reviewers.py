"""Reviewer leniency, as the merit engine calibrates it out of every estimate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mts.domain.people import PersonId

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LeniencyRow:
    """One reviewer: leniency against the average reviewer, its sd, and how much they reviewed."""

    reviewer: PersonId
    leniency: float
    sd: float
    n_reviews: int
    n_effective: float


@dataclass(frozen=True, kw_only=True)
class ReviewerTable:
    """Leniency ``b_r`` of every reviewer, against the evidence-weighted average reviewer.

    A leniency of +0.05 means the reviewer scores 5% of the scale higher than
    the average reviewer of the same source would for the same work (for
    someone who reviews in several sources, the evidence-weighted average);
    the engine removes it from every person that reviewer judged.
    """

    reviewers: tuple[PersonId, ...]
    leniency: Floats
    sd: Floats
    n_reviews: Ints
    n_effective: Floats
    _index: dict[PersonId, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {r: i for i, r in enumerate(self.reviewers)})

    def get(self, reviewer: PersonId) -> LeniencyRow | None:
        """The row of ``reviewer``, or None for someone who reviewed nothing."""
        i = self._index.get(reviewer)
        return None if i is None else self._row(i)

    def _row(self, i: int) -> LeniencyRow:
        return LeniencyRow(
            self.reviewers[i],
            float(self.leniency[i]),
            float(self.sd[i]),
            int(self.n_reviews[i]),
            float(self.n_effective[i]),
        )

    def rows(self) -> Iterator[LeniencyRow]:
        """Every reviewer, in table order."""
        for i in range(len(self.reviewers)):
            yield self._row(i)


def empty_reviewer_table() -> ReviewerTable:
    """The table of an organisation where nobody reviewed anything."""
    return ReviewerTable(
        reviewers=(),
        leniency=np.zeros(0),
        sd=np.zeros(0),
        n_reviews=np.zeros(0, dtype=np.int64),
        n_effective=np.zeros(0),
    )
