"""A Lagrangian lower bound for the GAP: relax "every job once", keep every agent's knapsack.

With multipliers ``u_j`` on the assignment rows (Ross and Soland 1975; Fisher 1981)::

    L(u) = sum_j u_j - sum_i K_i(u),
    K_i(u) = max { sum_j (u_j - c_ij) x_j : sum_j w_ij x_j <= b_i, x binary }

Every ``L(u)`` is a lower bound, and at the LP duals it is already at least
the LP bound, because the knapsacks are solved in integers. ``u`` then follows
subgradient steps ``u += theta (U - L(u)) s / |s|^2`` with ``s_j = 1 - sum_i x_ij``
and ``U`` an upper bound (Polyak step lengths), ``theta`` halving whenever the
bound has not improved for a while. The knapsacks are solved exactly by
dynamic programming over capacity units, for all agents at once, so this
needs integer weights and is only worth it while ``m * n * max(b)`` is small.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_TABLE = 30_000_000
"""Largest knapsack decision table (items x agents x capacity units) worth building."""
PATIENCE = 15


def is_tractable(weights: FloatArray, capacities: FloatArray) -> bool:
    """Whether the knapsack tables fit: integer weights and ``m * n * (max b + 1)`` small."""
    if not (np.all(weights == np.round(weights)) and np.all(weights >= 0)):
        return False
    m, n = weights.shape
    return bool(m * n * (float(np.floor(capacities.max(initial=0))) + 1) <= MAX_TABLE)


def knapsacks(profit: FloatArray, weights: FloatArray, capacities: FloatArray) -> tuple[
    BoolArray, FloatArray
]:
    """Solve ``max sum_j profit_ij x_j s.t. sum_j w_ij x_j <= b_i`` for every agent ``i``.

    Only items of positive profit can help, so each agent's table runs over
    those. Returns the chosen items (m, n) and the optimal values (m,).
    """
    m, n = profit.shape
    caps = np.floor(capacities + 1e-9).astype(np.int64)
    width = int(caps.max(initial=0)) + 1
    useful = profit > 0
    k = int(useful.sum(axis=1).max(initial=0))
    order = np.argsort(~useful, axis=1, kind="stable")[:, :k]
    gain = np.take_along_axis(profit, order, 1)
    size = np.take_along_axis(weights, order, 1).astype(np.int64)
    live = np.take_along_axis(useful, order, 1)
    best = np.zeros((m, width))
    taken = np.zeros((k, m, width), bool)
    units = np.arange(width)
    rows = np.arange(m)[:, None]
    for item in range(k):
        source = units[None, :] - size[:, item : item + 1]
        reach = best[rows, np.maximum(source, 0)] + gain[:, item : item + 1]
        candidate = np.where(source >= 0, reach, -np.inf)
        better = (candidate > best) & live[:, item : item + 1]
        taken[item] = better
        best = np.where(better, candidate, best)
    chosen = np.zeros((m, n), bool)
    unit = np.minimum(caps, width - 1)
    agents = np.arange(m)
    value = best[agents, unit]
    for item in range(k - 1, -1, -1):
        pick = taken[item][agents, unit]
        chosen[agents[pick], order[pick, item]] = True
        unit = unit - np.where(pick, size[:, item], 0)
    return chosen, value


def lagrangian_bound(
    costs: FloatArray,
    weights: FloatArray,
    capacities: FloatArray,
    *,
    start: FloatArray,
    upper: float,
    deadline: float,
    iterations: int = 200,
    visit: Callable[[BoolArray], None] = lambda _: None,
) -> float:
    """The best ``L(u)`` met on a subgradient walk from ``u = start`` (see the module docstring).

    Parameters
    ----------
    costs, weights, capacities : the instance (integer weights; see ``is_tractable``).
    start : initial multipliers (n,), typically the LP duals of the job rows.
    upper : the cost of a known assignment, for the step length.
    deadline : ``time.perf_counter()`` value at which to stop.
    iterations : at most this many knapsack rounds.
    visit : called with every round's knapsacks, (m, n) booleans (``gap_columns`` keeps
        them as columns).
    """
    u = start.astype(np.float64).copy()
    best = -np.inf
    theta = 1.0
    stale = 0
    for _ in range(iterations):
        if time.perf_counter() >= deadline:
            break
        chosen, value = knapsacks(u[None, :] - costs, weights, capacities)
        visit(chosen)
        bound = float(u.sum() - value.sum())
        if bound > best + 1e-9:
            best, stale = bound, 0
        else:
            stale += 1
        if stale >= PATIENCE:
            theta, stale = theta / 2, 0
        s = 1.0 - chosen.sum(axis=0)
        norm = float(s @ s)
        if norm == 0.0 or theta < 1e-4:
            break
        u += theta * max(upper - bound, 1e-6 * max(abs(upper), 1.0)) / norm * s
    return best
