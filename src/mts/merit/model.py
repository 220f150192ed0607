"""``MeritModel``: a posterior over each person's execution, per skill, from evidence alone.

The model (``docs/merit.md`` explains it to a staffing council)::

    y_e = kappa_{c,r} + sum_s a_es (g_p + d_ps) + noise,   noise var = sigma^2 / (w_e * decay(t_e))
    g_p ~ N(0, tau_g^2)   d_ps ~ N(0, tau_s^2)   kappa flat
    decay(t) = 2 ** (-(as_of - t) / half_life)

``kappa_{c,r}`` is the level of scores from source ``c`` judged by reviewer
``r`` (or by nobody): the design's ``mu_c + b_r`` with the leniency allowed to
differ between sources. It is a free parameter, so leniency is removed
whatever its size; ``reviewers_`` reports it per reviewer against the
average reviewer of the same source.

``y_e`` is the score normalised to [0, 1] by its source's scale, so every
mean and sd is in "fractions of the scale": +0.10 means a tenth of the scale
above the organisation's average. Inputs are evidence only; level, tenure,
title, employer and education cannot be passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Self

import numpy as np
import numpy.typing as npt

from mts.domain.evidence import Evidence
from mts.domain.people import PersonId, Skill
from mts.merit.assemble import Cells, merit_table, prior_table, reviewer_table
from mts.merit.columns import EvidenceColumns, columns_of
from mts.merit.design import Design, build_design, weighted_counts
from mts.merit.explain import Contribution, Explainer, strongest
from mts.merit.hyper import DEFAULTS, Estimate, Variances, estimate
from mts.merit.posterior import Solution, solve
from mts.merit.prepare import Codebook, prepare
from mts.merit.reviewers import ReviewerTable, empty_reviewer_table
from mts.merit.table import GENERAL, MeritTable
from mts.merit.validation import column_problems, raise_if_problems, row_problems

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hyperparameters:
    """The variances the fit used (as sds, in fractions of the scale) and how they were found.

    ``estimated`` names those learned from the data (empirical Bayes), the
    rest were fixed in the settings; ``iterations`` counts evidence updates.
    """

    noise_sd: float
    general_sd: float
    skill_sd: float
    half_life_days: float
    estimated: tuple[str, ...]
    iterations: int
    converged: bool


FADED_HALF_LIVES = 40
"""Evidence this old weighs under 1e-12 of a fresh piece: as good as none. When all of it is
that old, everyone gets the prior; fitting such weights would underflow to zero and fail."""


class MeritModel:
    """Fit posterior execution per person and skill, with reviewer leniency calibrated out.

    Parameters
    ----------
    half_life_days
        Evidence this many days older than ``as_of`` counts half.
    k
        Width of the conservative (``mean - k sd``) and optimistic (``mean + k sd``) keys.
    noise_sd, general_sd, skill_sd
        Fix sigma, tau_g or tau_s (fractions of the scale); None estimates it from the data.
    max_iter, tol
        Limits of the empirical Bayes iteration (``hyper.estimate``).

    Attributes (after ``fit``)
    --------------------------
    table_
        ``MeritTable``: mean, sd and effective evidence per person and skill, and general ``g_p``.
    reviewers_
        ``ReviewerTable``: leniency against the average reviewer of the same source, with sds.
    hyperparameters_
        ``Hyperparameters``: the sds used and how they were found.
    source_means_
        Per source, the normalised score an average person gets there (averaged over reviewers).
    conservative_, optimistic_
        ``table_.mean -/+ k * table_.sd`` (people x skills).
    n_evidence_, as_of_
        How many pieces of evidence were fitted, and as of when.
    """

    def __init__(
        self,
        *,
        half_life_days: float = 365.0,
        k: float = 2.0,
        noise_sd: float | None = None,
        general_sd: float | None = None,
        skill_sd: float | None = None,
        max_iter: int = 50,
        tol: float = 1e-3,
    ) -> None:
        self.half_life_days = half_life_days
        self.k = k
        self.noise_sd = noise_sd
        self.general_sd = general_sd
        self.skill_sd = skill_sd
        self.max_iter = max_iter
        self.tol = tol

    table_: MeritTable
    reviewers_: ReviewerTable
    hyperparameters_: Hyperparameters
    source_means_: dict[str, float]
    n_evidence_: int
    as_of_: date
    conservative_: Floats
    optimistic_: Floats
    _explainer: Explainer | None
    _person_code: dict[PersonId, int]
    _skill_code: dict[Skill, int]
    _source_code: dict[str, int]
    _reviewer_code: dict[PersonId, int]

    def fit(
        self,
        evidence: Sequence[Evidence] | EvidenceColumns,
        *,
        as_of: date,
        people: Iterable[PersonId] = (),
        file: str = "evidence",
    ) -> Self:
        """Fit on ``evidence`` as of ``as_of``; ``people`` without evidence get the prior.

        Raises ``ImportRejected`` (naming ``file``, row and column of every
        fault) if any evidence is invalid or dated after ``as_of``.
        """
        columns = _validated(evidence, as_of=as_of, file=file)
        extra = tuple(people)
        self.as_of_ = as_of
        self.n_evidence_ = columns.n_rows
        if columns.n_rows == 0 or self._all_faded(columns):
            self._fit_prior(extra)
        else:
            self._fit_evidence(columns, extra)
        self.conservative_ = self.table_.mean - self.k * self.table_.sd
        self.optimistic_ = self.table_.mean + self.k * self.table_.sd
        return self

    def _all_faded(self, columns: EvidenceColumns) -> bool:
        """Whether even the newest evidence is over ``FADED_HALF_LIVES`` half-lives old."""
        age = self.as_of_.toordinal() - int(columns.day.max())
        return age > FADED_HALF_LIVES * self.half_life_days

    def _start(self) -> tuple[Variances, frozenset[str]]:
        given = {"noise": self.noise_sd, "general": self.general_sd, "skill": self.skill_sd}
        start = Variances(
            **{name: getattr(DEFAULTS, name) if sd is None else sd**2 for name, sd in given.items()}
        )
        return start, frozenset(name for name, sd in given.items() if sd is not None)

    def _fit_prior(self, people: tuple[PersonId, ...]) -> None:
        start, fixed = self._start()
        self._record(fixed, Estimate(variances=start, iterations=0, converged=True))
        self.table_ = prior_table(people, start)
        self.reviewers_ = empty_reviewer_table()
        self.source_means_ = {}
        self._explainer = None
        self._person_code, self._skill_code, self._source_code, self._reviewer_code = {}, {}, {}, {}

    def _fit_evidence(self, columns: EvidenceColumns, extra: tuple[PersonId, ...]) -> None:
        rows, book = prepare(columns, as_of=self.as_of_, half_life_days=self.half_life_days)
        design = build_design(rows)
        variances, solution = self._estimate_variances(design)
        rated = tuple(columns.people[i] for i in book.people)
        self.table_ = merit_table(
            design,
            solution,
            variances,
            rated=rated,
            skills=tuple(columns.skills[i] for i in book.skills),
            unrated=extra,
        )
        cells = Cells(
            source=book.cell_source, reviewer=book.cell_reviewer, n_reviewers=book.reviewers.size
        )
        self.reviewers_ = reviewer_table(
            design,
            solution,
            variances,
            cells=cells,
            reviewers=tuple(columns.reviewers[i] for i in book.reviewers),
            n_reviews=_review_counts(columns, book),
        )
        levels = book.source_mean[book.cell_source] + solution.calibration_mean
        self.source_means_ = _source_means(columns, book, levels, design.calibration_weight)
        self._explainer = _explainer(self, columns, book, variances, levels)
        self._person_code = {columns.people[i]: int(i) for i in book.people}
        self._skill_code = {columns.skills[i]: int(i) for i in book.skills}
        self._source_code = {name: i for i, name in enumerate(columns.sources)}
        self._reviewer_code = {name: i for i, name in enumerate(columns.reviewers)}

    def _estimate_variances(self, design: Design) -> tuple[Variances, Solution]:
        start, fixed = self._start()
        if len(fixed) == 3:
            found, solution = (
                Estimate(variances=start, iterations=0, converged=True),
                solve(design, start.ratios()),
            )
        else:
            found, solution = estimate(
                design, start=start, fixed=fixed, max_iter=self.max_iter, tol=self.tol
            )
        self._record(fixed, found)
        return found.variances, solution

    def _record(self, fixed: frozenset[str], found: Estimate) -> None:
        v = found.variances
        self.hyperparameters_ = Hyperparameters(
            noise_sd=float(np.sqrt(v.noise)),
            general_sd=float(np.sqrt(v.general)),
            skill_sd=float(np.sqrt(v.skill)),
            half_life_days=self.half_life_days,
            estimated=tuple(name for name in ("noise", "general", "skill") if name not in fixed),
            iterations=found.iterations,
            converged=found.converged,
        )

    def explain(
        self, person: PersonId, skill: Skill = GENERAL, top: int = 5
    ) -> tuple[Contribution, ...]:
        """The ``top`` pieces of evidence that moved ``person``'s estimate of ``skill`` most.

        Contributions are signed, in fractions of the scale, and those of all
        the person's evidence add up to the posterior mean (given the
        calibrated level of each source and reviewer). Empty for someone without evidence.
        """
        code = self._person_code.get(person)
        if self._explainer is None or code is None:
            return ()
        skill_code = None if skill == GENERAL else self._skill_code.get(skill)
        return strongest(self._explainer.contributions(code, skill_code), top)

    def expected_score(
        self,
        person: PersonId,
        skills: Mapping[Skill, float],
        *,
        source: str,
        reviewer: PersonId | None = None,
    ) -> float | None:
        """The normalised score the model expects for new evidence of ``person`` on ``skills``.

        ``kappa(source, reviewer) + sum_s a_s theta_ps`` with shares ``a_s``
        proportional to the given weights. None where that source and reviewer
        have no evidence together: their level is unknown, and evidence there
        would move no estimate.
        """
        if self._explainer is None or not skills:
            return None
        source_code = self._source_code.get(source)
        reviewer_code = -1 if reviewer is None else self._reviewer_code.get(reviewer)
        if source_code is None or reviewer_code is None:
            return None
        level = self._explainer.cell_level(source_code, reviewer_code)
        if level is None:
            return None
        total = sum(skills.values())
        mix = sum(w / total * self.table_.posterior(person, s).mean for s, w in skills.items())
        return float(level + mix)

    def conservative(self, person: PersonId, skill: Skill = GENERAL) -> float:
        """``mean - k sd``: a ranking key that rewards proven execution."""
        row = self.table_.posterior(person, skill)
        return row.mean - self.k * row.sd

    def optimistic(self, person: PersonId, skill: Skill = GENERAL) -> float:
        """``mean + k sd``: a ranking key that gives uncertain people a chance."""
        row = self.table_.posterior(person, skill)
        return row.mean + self.k * row.sd


def _validated(
    evidence: Sequence[Evidence] | EvidenceColumns, *, as_of: date, file: str
) -> EvidenceColumns:
    if isinstance(evidence, EvidenceColumns):
        raise_if_problems(column_problems(evidence, as_of=as_of, file=file))
        return evidence
    raise_if_problems(row_problems(evidence, as_of=as_of, file=file))
    return columns_of(evidence)


def _review_counts(columns: EvidenceColumns, book: Codebook) -> Ints:
    reviewed = columns.reviewer[columns.reviewer >= 0]
    return np.bincount(reviewed, minlength=len(columns.reviewers))[book.reviewers].astype(np.int64)


def _source_means(
    columns: EvidenceColumns, book: Codebook, levels: Floats, weight: Floats
) -> dict[str, float]:
    """Per source, the evidence-weighted average level of its cells: an average person's score."""
    total = weighted_counts(book.cell_source, weight, book.sources.size)
    mean = weighted_counts(book.cell_source, weight * levels, book.sources.size) / total
    return {columns.sources[c]: float(m) for c, m in zip(book.sources, mean, strict=True)}


def _explainer(
    model: MeritModel,
    columns: EvidenceColumns,
    book: Codebook,
    variances: Variances,
    levels: Floats,
) -> Explainer:
    reviewer_code = np.full(len(columns.reviewers) + 1, -1, dtype=np.int64)
    reviewer_code[book.reviewers] = np.arange(book.reviewers.size)
    keys = book.cell_source * (book.reviewers.size + 1) + book.cell_reviewer + 1
    cell_of = np.full(int(keys.max()) + 1, -1, dtype=np.int64)
    cell_of[keys] = np.arange(keys.size)
    return Explainer(
        columns=columns,
        as_of=model.as_of_,
        half_life_days=model.half_life_days,
        ratios=variances.ratios(),
        reviewer_code=reviewer_code,
        source_code=book.lookup(book.sources, len(columns.sources)),
        cell_of=cell_of,
        n_reviewers=book.reviewers.size,
        levels=levels,
    )
