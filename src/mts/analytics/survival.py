"""The Kaplan-Meier estimator with Greenwood's variance and log-log confidence bands.

For distinct times ``t_1 < t_2 < ...`` with ``n_i`` subjects at risk
(duration ``>= t_i``) and ``d_i`` events at ``t_i``::

    S(t)        = prod_{t_i <= t} (1 - d_i / n_i)                    (Kaplan and Meier 1958)
    Var[S(t)]   = S(t)^2 * sum_{t_i <= t} d_i / (n_i (n_i - d_i))     (Greenwood 1926)

The band is built on ``log(-log S)`` (Kalbfleisch and Prentice 2002, the
"exponential Greenwood" band of lifelines) so it stays inside [0, 1]::

    se_ll = sqrt(sum d_i / (n_i (n_i - d_i))) / |log S(t)|
    lower = S(t) ** exp(+z * se_ll),   upper = S(t) ** exp(-z * se_ll)

with ``z`` the standard normal quantile at ``(1 + confidence) / 2``. Where
``S = 1`` the band is [1, 1]; where ``S = 0`` it is [0, 0] and the standard
error is undefined (NaN, None in JSON).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from mts.analytics.encoding import Record
from mts.domain.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalPoint(Record):
    """The curve at one distinct time: who was at risk, what happened, ``S(t)`` and its band."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    std_error: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalCurve(Record):
    """A Kaplan-Meier curve: a step function through ``points``, starting at ``S(0) = 1``.

    ``median`` is the first time with ``S(t) <= 0.5``; None if the curve never gets there.
    """

    label: str
    subjects: int
    events: int
    confidence: float
    median: float | None
    points: tuple[SurvivalPoint, ...]

    def at(self, time: float) -> SurvivalPoint | None:
        """The step in force at ``time`` (the last point at or before it); None if empty."""
        if not self.points:
            return None
        index = bisect.bisect_right([p.time for p in self.points], time) - 1
        return self.points[max(index, 0)]


def kaplan_meier(
    durations: npt.ArrayLike,
    observed: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    label: str = "",
) -> SurvivalCurve:
    """The Kaplan-Meier curve of right-censored ``durations``.

    Parameters
    ----------
    durations : time from the start to the event or to censoring, >= 0.
    observed : True where the event happened, False where the subject was censored.
    confidence : the coverage of the pointwise log-log band.
    label : names the curve in reports and charts.

    See the module docstring for the estimator, Greenwood's variance and the band.
    """
    times, events = _validated(durations, observed, confidence)
    if times.size == 0:
        return SurvivalCurve(
            label=label, subjects=0, events=0, confidence=confidence, median=None, points=()
        )
    unique = np.unique(times)
    at_risk = times.size - np.searchsorted(np.sort(times), unique, side="left")
    died = np.bincount(np.searchsorted(unique, times[events]), minlength=unique.size)
    left = np.bincount(np.searchsorted(unique, times[~events]), minlength=unique.size)
    survival, greenwood = _product_limit(at_risk, died)
    lower, upper = _log_log_band(survival, greenwood, confidence)
    points = [
        SurvivalPoint(
            time=float(unique[i]),
            at_risk=int(at_risk[i]),
            events=int(died[i]),
            censored=int(left[i]),
            survival=float(survival[i]),
            std_error=float(survival[i] * np.sqrt(greenwood[i])) if survival[i] > 0 else np.nan,
            lower=float(lower[i]),
            upper=float(upper[i]),
        )
        for i in range(unique.size)
    ]
    if unique[0] > 0:
        points.insert(0, _start(times.size))
    below = np.flatnonzero(survival <= 0.5)
    return SurvivalCurve(
        label=label,
        subjects=int(times.size),
        events=int(events.sum()),
        confidence=confidence,
        median=float(unique[below[0]]) if below.size else None,
        points=tuple(points),
    )


def _validated(
    durations: npt.ArrayLike, observed: npt.ArrayLike, confidence: float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    times = np.asarray(durations, dtype=np.float64).ravel()
    events = np.asarray(observed, dtype=bool).ravel()
    if times.shape != events.shape:
        raise InvalidInput("durations and observed must have the same length")
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise InvalidInput("durations must be finite and >= 0")
    if not 0 < confidence < 1:
        raise InvalidInput(f"confidence must be in (0, 1), got {confidence}")
    return times, events


def _product_limit(
    at_risk: npt.NDArray[np.intp], died: npt.NDArray[np.intp]
) -> tuple[FloatArray, FloatArray]:
    """``S = cumprod(1 - d/n)`` and Greenwood's ``cumsum(d / (n (n - d)))`` (inf once all die)."""
    n = at_risk.astype(np.float64)
    d = died.astype(np.float64)
    survival: FloatArray = np.cumprod(1.0 - d / n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(d > 0, d / (n * (n - d)), 0.0)
    return survival, np.cumsum(terms)


def _log_log_band(
    survival: FloatArray, greenwood: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    z = float(stats.norm.ppf((1.0 + confidence) / 2.0))
    inside = (survival > 0) & (survival < 1)
    lower, upper = survival.copy(), survival.copy()
    s = survival[inside]
    spread = z * np.sqrt(greenwood[inside]) / np.abs(np.log(s))
    lower[inside] = s ** np.exp(spread)
    upper[inside] = s ** np.exp(-spread)
    return lower, upper


def _start(subjects: int) -> SurvivalPoint:
    return SurvivalPoint(
        time=0.0,
        at_risk=subjects,
        events=0,
        censored=0,
        survival=1.0,
        std_error=0.0,
        lower=1.0,
        upper=1.0,
    )
