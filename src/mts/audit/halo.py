"""The halo report: do reviewers score higher-level people higher at equal estimated merit?

Input rows are ``(reviewer, person, residual)``: a review's score minus what
the merit model predicts for that person and that reviewer (score units of
the caller's choosing). With no halo the residual does not depend on the
person's level. The report fits

    residual_e = a_r + beta * level_p + error_e

``a_r`` a per-reviewer intercept (so leniency is not mistaken for halo),
``beta`` the extra score per level. Overall, ``beta`` is the within-reviewer
least-squares slope ``sum x~ y~ / sum x~^2`` (``x~``, ``y~`` level and
residual centred within each reviewer); per reviewer, the slope over their
own reviews. Its sd is cluster-robust by reviewed person (CR1: reviews of
one person share that person's estimation error),

    var(beta) = c * sum_g (sum_{e in g} x~_e u_e)^2 / (sum x~^2)^2,
    c = G / (G - 1) * (N - 1) / (N - K),

with ``u`` the fitted residuals, ``G`` people, ``N`` rows, ``K`` the
reviewer intercepts plus one. With few reviews the robust sd runs small, so
the report uses the larger of it and the classical ``sqrt(sum u^2 / (N - K)
/ sum x~^2)``. Intervals and p-values use Student's t with
``min(G - 1, N - K)`` degrees of freedom. Per-reviewer p-values are Holm-adjusted over
the reviewers tested, so a council with many reviewers is not shown chance
findings.

A caveat the docs repeat: if the residuals come from a merit fit that used
the same reviews, a halo shared by every reviewer is absorbed into merit and
cannot show here; only a reviewer who differs from the others does. Residuals
against merit fitted without the reviewer's own reviews see both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from mts.domain.errors import InvalidInput
from mts.domain.people import PersonId
from mts.domain.plain import record_dict
from mts.domain.protected import ProtectedProfile

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

HaloRow = tuple[PersonId, PersonId, float]
"""One review: ``(reviewer, person reviewed, residual score)``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HaloSettings:
    """How much evidence a reviewer needs to be judged, and the test's levels."""

    min_reviews: int = 5
    min_people: int = 3
    confidence: float = 0.95
    alpha: float = 0.05

    def problems(self) -> list[str]:
        """Every setting out of range, as readable sentences."""
        checks = [
            (self.min_reviews >= 3, "min_reviews must be >= 3"),
            (self.min_people >= 3, "min_people must be >= 3"),
            (0 < self.confidence < 1, "confidence must be in (0, 1)"),
            (0 < self.alpha < 1, "alpha must be in (0, 1)"),
        ]
        return [message for ok, message in checks if not ok]

    def check(self) -> None:
        """Raise ``InvalidInput`` naming every setting out of range."""
        problems = self.problems()
        if problems:
            raise InvalidInput("invalid halo settings: " + "; ".join(problems))


@dataclass(frozen=True, slots=True, kw_only=True)
class HaloEstimate:
    """The extra score per level, for one reviewer (or everyone, ``reviewer`` None)."""

    reviewer: PersonId | None
    reviews: int
    people: int
    slope: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    flagged: bool
    verdict: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HaloReport:
    """Halo overall and per reviewer; reviews of people with no level are left out and counted."""

    overall: HaloEstimate
    reviewers: tuple[HaloEstimate, ...]
    reviews_without_level: int
    confidence: float
    alpha: float

    @property
    def flagged(self) -> tuple[HaloEstimate, ...]:
        """The overall estimate and the reviewers whose halo is beyond chance."""
        return tuple(e for e in (self.overall, *self.reviewers) if e.flagged)

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return record_dict(self)


@dataclass(frozen=True, slots=True)
class _Fit:
    slope: float
    sd: float
    df: int


@dataclass(frozen=True, slots=True)
class _Reviews:
    reviewer: IntArray
    person: IntArray
    level: FloatArray
    residual: FloatArray


def halo_report(
    rows: Iterable[HaloRow],
    *,
    profiles: Sequence[ProtectedProfile],
    settings: HaloSettings | None = None,
) -> HaloReport:
    """Whether reviewers score higher-level people higher at equal merit, overall and each.

    Parameters
    ----------
    rows
        ``(reviewer, person, residual)`` per review; the model and the
        sd are in the module docstring.
    profiles
        Protected profiles; only ``level`` is read.

    Raises ``InvalidInput`` only for settings out of range.
    """
    settings = settings or HaloSettings()
    settings.check()
    levels = {p.person: p.level for p in profiles if p.level is not None}
    given = list(rows)
    kept = [row for row in given if row[1] in levels]
    reviews, names = _columns(kept, levels)
    overall = _estimate(None, reviews, _fit_if_enough(reviews, settings), settings)
    per_reviewer = _per_reviewer(reviews, names, settings)
    return HaloReport(
        overall=overall,
        reviewers=per_reviewer,
        reviews_without_level=len(given) - len(kept),
        confidence=settings.confidence,
        alpha=settings.alpha,
    )


def _columns(
    rows: Sequence[HaloRow], levels: dict[PersonId, int]
) -> tuple[_Reviews, tuple[PersonId, ...]]:
    """The reviews as arrays; reviewers indexed in sorted order, whose ids come back too."""
    names = tuple(sorted({row[0] for row in rows}))
    reviewer_index = {name: i for i, name in enumerate(names)}
    person_index = {p: i for i, p in enumerate(sorted({row[1] for row in rows}))}
    reviews = _Reviews(
        reviewer=np.array([reviewer_index[r[0]] for r in rows], dtype=np.intp),
        person=np.array([person_index[r[1]] for r in rows], dtype=np.intp),
        level=np.array([levels[r[1]] for r in rows], dtype=np.float64),
        residual=np.array([r[2] for r in rows], dtype=np.float64),
    )
    return reviews, names


def _per_reviewer(
    reviews: _Reviews, names: Sequence[PersonId], settings: HaloSettings
) -> tuple[HaloEstimate, ...]:
    subsets = [_subset(reviews, reviews.reviewer == i) for i in range(len(names))]
    fits = [_fit_if_enough(subset, settings) for subset in subsets]
    adjusted = _holm([fit for fit in fits if fit is not None])
    estimates = []
    for name, subset, fit in zip(names, subsets, fits, strict=True):
        p_adjusted = adjusted.pop(0) if fit is not None else None
        estimates.append(_estimate(name, subset, fit, settings, p_adjusted))
    return tuple(estimates)


def _subset(reviews: _Reviews, mask: npt.NDArray[np.bool_]) -> _Reviews:
    return _Reviews(
        reviewer=reviews.reviewer[mask],
        person=reviews.person[mask],
        level=reviews.level[mask],
        residual=reviews.residual[mask],
    )


def _fit_if_enough(reviews: _Reviews, settings: HaloSettings) -> _Fit | None:
    enough = (
        reviews.level.size >= settings.min_reviews
        and np.unique(reviews.person).size >= settings.min_people
    )
    return _slope(reviews) if enough else None


def _slope(reviews: _Reviews) -> _Fit | None:
    """The within-reviewer slope of residual on level and its sd; None if levels do not vary.

    ``beta = sum x~ y~ / sum x~^2``; sd the larger of CR1 and classical (module docstring).
    """
    x = _centred(reviews.level, reviews.reviewer)
    y = _centred(reviews.residual, reviews.reviewer)
    sxx = float(x @ x)
    people = np.unique(reviews.person, return_inverse=True)[1]
    groups = int(people.max()) + 1 if people.size else 0
    n, k = x.size, np.unique(reviews.reviewer).size + 1
    if sxx <= 1e-12 * max(n, 1) or groups < 2 or n <= k:
        return None
    slope = float(x @ y) / sxx
    fitted = y - slope * x
    scores = np.bincount(people, weights=x * fitted, minlength=groups)
    correction = groups / (groups - 1) * (n - 1) / (n - k)
    robust = float(np.sqrt(correction * float(scores @ scores))) / sxx
    classical = float(np.sqrt(float(fitted @ fitted) / (n - k) / sxx))
    return _Fit(slope=slope, sd=max(robust, classical), df=min(groups - 1, n - k))


def _centred(values: FloatArray, group: IntArray) -> FloatArray:
    totals = np.bincount(group, weights=values)
    counts = np.bincount(group)
    means = totals / np.maximum(counts, 1)
    return np.asarray(values - means[group], dtype=np.float64)


def _p_value(fit: _Fit) -> float:
    if fit.sd <= 0:
        return 0.0 if fit.slope != 0 else 1.0
    return float(2 * stats.t.sf(abs(fit.slope / fit.sd), fit.df))


def _holm(fits: Sequence[_Fit]) -> list[float]:
    """Holm's step-down adjustment: ``p_(i) * (m - i + 1)``, made monotone, capped at 1."""
    p = [_p_value(fit) for fit in fits]
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted = [1.0] * len(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, p[i] * (len(p) - rank)))
        adjusted[i] = running
    return adjusted


def _estimate(
    reviewer: PersonId | None,
    reviews: _Reviews,
    fit: _Fit | None,
    settings: HaloSettings,
    p_adjusted: float | None = None,
) -> HaloEstimate:
    people = int(np.unique(reviews.person).size)
    if fit is None:
        return _unjudged(reviewer, int(reviews.level.size), people)
    p_value = _p_value(fit)
    decisive = p_value if p_adjusted is None else p_adjusted
    half = float(stats.t.ppf(0.5 + settings.confidence / 2, fit.df)) * fit.sd
    flagged = decisive < settings.alpha
    numbers = (
        f"{fit.slope:+.3f} per level, {settings.confidence:.0%} CI {fit.slope - half:+.3f} to "
        f"{fit.slope + half:+.3f}, {_p_text(decisive, adjusted=p_adjusted is not None)}"
    )
    return HaloEstimate(
        reviewer=reviewer,
        reviews=int(reviews.level.size),
        people=people,
        slope=fit.slope,
        sd=fit.sd,
        ci_low=fit.slope - half,
        ci_high=fit.slope + half,
        p_value=p_value,
        p_adjusted=p_adjusted,
        flagged=flagged,
        verdict=_verdict(reviewer, fit.slope if flagged else None, numbers),
    )


def _p_text(p_value: float, *, adjusted: bool) -> str:
    text = "p<0.001" if p_value < 0.001 else f"p={p_value:.3f}"
    return f"adjusted {text}" if adjusted else text


def _unjudged(reviewer: PersonId | None, reviews: int, people: int) -> HaloEstimate:
    who = "these reviews" if reviewer is None else f"reviewer {reviewer}"
    return HaloEstimate(
        reviewer=reviewer, reviews=reviews, people=people, slope=None, sd=None, ci_low=None,
        ci_high=None, p_value=None, p_adjusted=None, flagged=False,
        verdict=f"too little to judge {who}: {reviews} reviews of {people} people, "
        "or their levels do not vary",
    )  # fmt: skip


def _verdict(reviewer: PersonId | None, flagged_slope: float | None, numbers: str) -> str:
    who, verb = ("reviewers", "score") if reviewer is None else (f"reviewer {reviewer}", "scores")
    if flagged_slope is None:
        return f"no evidence that {who} {verb} by level at equal merit ({numbers})"
    direction = "higher" if flagged_slope > 0 else "lower"
    return f"{who} {verb} higher-level people {direction} at equal merit ({numbers})"
