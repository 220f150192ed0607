"""Which pieces of evidence moved a person's estimate, and by how much.

Given the calibrated level ``kappa`` of every (source, reviewer) cell, a
person's block of the posterior mean is linear in their own evidence:

    u_p = K_p sum_e x_e omega_e (y_e - kappa(e)),    K_p = (X_p' Omega X_p + L_p)^-1

so evidence ``e`` contributes ``l' K_p x_e omega_e (y_e - kappa(e))`` to
``theta = l' u_p`` (``l`` picks ``g_p``, or ``g_p + d_ps``). The
contributions of a person's evidence add up exactly to their posterior mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from mts.domain.people import PersonId
from mts.merit.columns import NO_REVIEWER, EvidenceColumns
from mts.merit.posterior import Ratios
from mts.merit.prepare import decay

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One piece of evidence and the signed amount it added to an estimate.

    ``score`` is normalised to [0, 1]; ``adjusted`` is the score minus the
    calibrated level of its source and reviewer (what an average person would
    have got there); ``weight`` is ``w * decay``.
    """

    row: int
    key: str
    work_item: str | None
    source: str
    reviewer: PersonId | None
    day: date
    score: float
    adjusted: float
    weight: float
    contribution: float


@dataclass(frozen=True, kw_only=True)
class Explainer:
    """What ``explain`` needs from a fit: the input and the calibration it found."""

    columns: EvidenceColumns
    as_of: date
    half_life_days: float
    ratios: Ratios
    reviewer_code: Ints
    """Vocabulary reviewer code -> compact code; entry -1 (the last) maps "nobody" to -1."""
    source_code: Ints
    cell_of: Ints
    """``compact source * (R + 1) + compact reviewer + 1`` -> cell."""
    n_reviewers: int
    levels: Floats
    """``kappa`` of each cell: the source's mean score plus the cell's calibrated offset."""

    def contributions(self, person: int, skill: int | None) -> list[Contribution]:
        """Every piece of evidence of vocabulary ``person`` with its contribution to ``theta``.

        ``skill`` is a vocabulary skill code, or None for general execution;
        a skill the person has no evidence on gets the general contributions.
        """
        rows = np.flatnonzero(self.columns.person == person)
        design, skills = self._person_design(rows)
        omega = self.columns.weight[rows] * decay(
            self.columns.day[rows], as_of=self.as_of, half_life_days=self.half_life_days
        )
        prior = np.full(design.shape[1], self.ratios.skill)
        prior[0] = self.ratios.general
        inverse = np.linalg.inv(design.T @ (design * omega[:, None]) + np.diag(prior))
        pick = np.zeros(design.shape[1])
        pick[0] = 1.0
        if skill is not None and skill in skills:
            pick[1 + skills.index(skill)] = 1.0
        adjusted = self._adjusted(rows)
        amounts = (design @ (inverse @ pick)) * omega * adjusted
        return [
            self._contribution(int(r), a, float(w), float(c))
            for r, a, w, c in zip(rows, adjusted, omega, amounts, strict=True)
        ]

    def _person_design(self, rows: Ints) -> tuple[Floats, list[int]]:
        """``X_p``: a column for ``g_p``, then one per skill the person has evidence on."""
        starts, stops = self.columns.skill_indptr[rows], self.columns.skill_indptr[rows + 1]
        tag_index = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
        tag_row = np.repeat(np.arange(rows.size), stops - starts)
        skill = self.columns.skill_code[tag_index]
        weight = self.columns.skill_weight[tag_index]
        share = weight / np.bincount(tag_row, weight, minlength=rows.size)[tag_row]
        skills = sorted(set(skill.tolist()))
        design = np.zeros((rows.size, 1 + len(skills)))
        design[:, 0] = 1.0
        np.add.at(design, (tag_row, 1 + np.searchsorted(skills, skill)), share)
        return design, skills

    def cell_level(self, source: int, reviewer: int) -> float | None:
        """``kappa`` of vocabulary codes ``source`` and ``reviewer`` (-1: none); None if unseen."""
        s, r = int(self.source_code[source]), int(self.reviewer_code[reviewer])
        if s < 0 or (reviewer >= 0 and r < 0):
            return None
        key = s * (self.n_reviewers + 1) + r + 1
        cell = int(self.cell_of[key]) if key < self.cell_of.size else -1
        return None if cell < 0 else float(self.levels[cell])

    def _adjusted(self, rows: Ints) -> Floats:
        source = self.source_code[self.columns.source[rows]]
        reviewer = self.reviewer_code[self.columns.reviewer[rows]]
        cell = self.cell_of[source * (self.n_reviewers + 1) + reviewer + 1]
        adjusted: Floats = self.columns.score[rows] - self.levels[cell]
        return adjusted

    def _contribution(
        self, row: int, adjusted: float, weight: float, amount: float
    ) -> Contribution:
        columns = self.columns
        reviewer = int(columns.reviewer[row])
        return Contribution(
            row=row + 1,
            key=columns.key(row),
            work_item=None if columns.work_item is None else columns.work_item[row],
            source=columns.sources[int(columns.source[row])],
            reviewer=None if reviewer == NO_REVIEWER else columns.reviewers[reviewer],
            day=date.fromordinal(int(columns.day[row])),
            score=float(columns.score[row]),
            adjusted=float(adjusted),
            weight=weight,
            contribution=amount,
        )


def strongest(contributions: list[Contribution], top: int) -> tuple[Contribution, ...]:
    """The ``top`` contributions largest in size, ties broken by row."""
    ranked = sorted(contributions, key=lambda c: (-abs(c.contribution), c.row))
    return tuple(ranked[:top])
