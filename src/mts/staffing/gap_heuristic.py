"""Primal heuristics for the generalized assignment problem (GAP).

Notation: agents ``i`` (``m`` of them), jobs ``j`` (``n``), cost ``c_ij``,
weight ``w_ij``, capacity ``b_i``; an assignment ``a`` gives every job an
agent and agent ``i`` carries the load ``L_i = sum_{j: a_j = i} w_ij``.

Two pieces:

``regret_greedy``
    Martello and Toth's (1981) regret rule: repeatedly place the job whose
    best and second-best agents that still have room differ the most in
    desirability ``f_ij``, on its best agent. ``gap.greedy_gap`` runs it with
    three desirabilities; it is the baseline ``solve_gap`` is never worse than.

``ChainSearch``
    Local search over assignments that may overload agents, scored by the
    penalised cost (Yagiura, Ibaraki and Glover 2004)::

        F(a) = sum_j c_{a_j j} + sum_i p_i max(0, L_i - b_i)

    The moves are ejection chains along candidate arcs (pairs ``(i, j)`` with
    small LP reduced cost)::

        j_1: i_1 -> i_2,  j_2: i_2 -> i_3,  ...,  j_k: i_k -> i_{k+1}

    where ``i_{k+1} = i_1`` closes a cycle (``k = 2`` is a swap). For every
    arc and every length ``k <= K`` the best chain ending in that arc is found
    at once by a layered dynamic programme over all agents: the state "job
    ``j`` has just moved into agent ``g``" is extended by ejecting some job
    ``j'`` from ``g``, which changes ``g``'s penalty by
    ``p_g (max(0, L_g + w_gj - w_gj' - b_g) - max(0, L_g - b_g))``. Every
    improving chain is then checked exactly and those on disjoint agents are
    applied together, so one pass moves many jobs. A pass is compiled
    (``gap_chains``): the search makes thousands of them.

    Between descents the weights oscillate (strategic oscillation): ``p_i``
    grows by ``UP`` when agent ``i`` is overloaded at a local minimum and
    shrinks by ``DOWN`` otherwise, so the search crosses the feasibility
    border; each local minimum is repaired into a feasible assignment by a
    descent with prohibitive weights, and the best one is kept. When that
    stalls, ``explore`` restarts it from the best assignment with a few jobs
    moved at random (iterated local search).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mts.staffing.gap_chains import improve_once

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

INF = np.inf
EPS = 1e-9
UP = 1.2
"""Growth of an overloaded agent's weight per round: fast enough to regain feasibility in a few."""
DOWN = 0.98
"""Decay of the other weights: slow, so the search lingers near the feasibility border."""
LAYERS = 4
"""Longest chain: longer ones cost a layer each and, measured on type D, found nothing more."""
STRICT = 1e6
"""Penalty weight per unit of overload, relative to the cost scale, in repair descents."""
PATIENCE = 100
"""Rounds without a better assignment before the search restarts from a shaken incumbent."""
KICK_SHARE = 0.05
KICK_MOST = 40
"""A restart moves a twentieth of the jobs, at most 40, along random arcs: on 100-job type D
instances a fifth undid most of the incumbent, so restarts stopped finding better ones."""


def loads(assignment: IntArray, weights: FloatArray) -> FloatArray:
    """Load of every agent: ``L_i = sum_{j: a_j = i} w_ij``."""
    jobs = np.arange(len(assignment))
    return np.bincount(
        assignment, weights=weights[assignment, jobs], minlength=weights.shape[0]
    ).astype(np.float64)


def total_cost(assignment: IntArray, costs: FloatArray) -> float:
    """``sum_j c_{a_j j}``."""
    return float(costs[assignment, np.arange(len(assignment))].sum())


def is_feasible(assignment: IntArray, weights: FloatArray, capacities: FloatArray) -> bool:
    """Whether no agent carries more than its capacity (with a tolerance for float data)."""
    return bool(np.all(loads(assignment, weights) <= capacities + 1e-9 * (1 + np.abs(capacities))))


# -- regret greedy ------------------------------------------------------------------------


@dataclass(eq=False)
class _Regret:
    """Best and second-best agents with room, per job, kept up to date as agents fill."""

    desirability: FloatArray
    weights: FloatArray
    room: FloatArray
    first: IntArray
    second: IntArray
    regret: FloatArray

    @classmethod
    def start(cls, desirability: FloatArray, weights: FloatArray, room: FloatArray) -> _Regret:
        n = desirability.shape[1]
        state = cls(desirability, weights, room, np.zeros(n, np.int64), np.zeros(n, np.int64),
                    np.zeros(n))
        state.refresh(np.arange(n))
        return state

    def refresh(self, jobs: IntArray) -> None:
        """Recompute the two best agents with room for ``jobs``."""
        if len(jobs) == 0:
            return
        fits = self.weights[:, jobs] <= self.room[:, None]
        f = np.where(fits, self.desirability[:, jobs], INF)
        if f.shape[0] == 1:
            order = np.zeros((2, len(jobs)), np.int64)
        else:
            order = np.argpartition(f, 1, axis=0)[:2]
            swap = f[order[0], np.arange(len(jobs))] > f[order[1], np.arange(len(jobs))]
            order[:, swap] = order[::-1, swap]
        best = f[order[0], np.arange(len(jobs))]
        runner = f[order[1], np.arange(len(jobs))] if f.shape[0] > 1 else np.full(len(jobs), INF)
        self.first[jobs], self.second[jobs] = order[0], order[1]
        # a job that fits nowhere, or on one agent only, cannot wait
        stuck = np.isinf(best) | np.isinf(runner)
        self.regret[jobs] = np.where(stuck, INF, runner - np.where(stuck, 0.0, best))


def regret_greedy(
    desirability: FloatArray, weights: FloatArray, capacities: FloatArray
) -> IntArray:
    """Assign every job by the regret rule (Martello and Toth 1981); may overload agents.

    Parameters
    ----------
    desirability : (m, n) array, lower is better (costs, or reduced costs).
    weights, capacities : the instance's ``w`` (m, n) and ``b`` (m,).

    Returns the agent of every job. A job that fits on no agent any more goes
    where it overloads least, so the result can be infeasible.
    """
    n = weights.shape[1]
    state = _Regret.start(desirability, weights, capacities.astype(np.float64).copy())
    assignment = np.full(n, -1, np.int64)
    waiting = np.ones(n, bool)
    for _ in range(n):
        j = int(np.argmax(np.where(waiting, state.regret, -INF)))
        fits = weights[:, j] <= state.room
        i = int(state.first[j]) if fits.any() else int(np.argmin(weights[:, j] - state.room))
        assignment[j] = i
        waiting[j] = False
        state.room[i] -= weights[i, j]
        ranked = (state.first == i) | (state.second == i)
        touched = waiting & ranked & (weights[i] > state.room[i])
        state.refresh(np.flatnonzero(touched))
    return assignment


# -- candidate arcs -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Arcs:
    """The moves the search may make: job ``job[e]`` to agent ``agent[e]``, grouped by agent.

    ``slot[i, k]`` is the k-th arc into agent ``i`` (``len(job)`` pads), with its
    job and weight at ``i`` in ``slot_job`` and ``slot_weight``.
    """

    job: IntArray
    agent: IntArray
    cost: FloatArray
    weight: FloatArray
    slot: IntArray
    slot_job: IntArray
    slot_weight: FloatArray

    @classmethod
    def of(cls, job: IntArray, agent: IntArray, costs: FloatArray, weights: FloatArray) -> Arcs:
        """Group the arcs ``(agent[e], job[e])`` by agent."""
        order = np.lexsort((job, agent))
        job, agent = job[order], agent[order]
        m, count = weights.shape[0], len(job)
        per_agent = np.bincount(agent, minlength=m)
        width = max(int(per_agent.max(initial=0)), 1)
        rank = np.arange(count) - (np.cumsum(per_agent) - per_agent)[agent]
        slot = np.full((m, width), count, np.int64)
        slot[agent, rank] = np.arange(count)
        slot_job = np.full((m, width), -1, np.int64)
        slot_job[agent, rank] = job
        slot_weight = np.zeros((m, width))
        slot_weight[agent, rank] = weights[agent, job]
        return cls(job, agent, costs[agent, job], weights[agent, job], slot, slot_job, slot_weight)


def candidate_arcs(
    reduced: FloatArray, weights: FloatArray, capacities: FloatArray, *, width: int, slack: float
) -> tuple[IntArray, IntArray]:
    """Per job, the ``width`` agents of least reduced cost (fewer if their rc exceeds ``slack``).

    At least the two best are kept, and the agent where the job is relatively
    lightest (``w_ij / b_i``), so that a repair always has somewhere to go.
    Returns (job, agent) index arrays.
    """
    m, n = reduced.shape
    width = min(width, m)
    order = np.argsort(reduced, axis=0, kind="stable")[:width]
    ranked = np.take_along_axis(reduced, order, 0)
    keep = (ranked <= ranked[0] + slack) | (np.arange(width)[:, None] < min(2, m))
    agent = order[keep]
    job = np.broadcast_to(np.arange(n), (width, n))[keep]
    light = np.argmin(weights / np.maximum(capacities, EPS)[:, None], axis=0)
    pairs = np.unique(np.concatenate([job * m + agent, np.arange(n) * m + light]))
    return (pairs // m).astype(np.int64), (pairs % m).astype(np.int64)


# -- ejection chains ----------------------------------------------------------------------


@dataclass(eq=False)
class ChainSearch:
    """Penalised local search with ejection chains over fixed candidate arcs."""

    costs: FloatArray
    weights: FloatArray
    capacities: FloatArray
    arcs: Arcs
    layers: int = LAYERS

    def descend(self, a: IntArray, load: FloatArray, p: FloatArray, deadline: float) -> int:
        """Apply improving chains until none is left (or time is up); returns chains applied.

        Each pass (``gap_chains.improve_once``) applies, best first, up to ``2 m``
        improving chains on disjoint agents.
        """
        arcs, m = self.arcs, len(self.capacities)
        applied = 0
        while time.perf_counter() < deadline:
            done = improve_once(self.costs, self.weights, self.capacities, arcs.job, arcs.agent,
                                arcs.cost, arcs.weight, arcs.slot, arcs.slot_job,
                                arcs.slot_weight, self.layers, a, load, p, 2 * m)
            applied += done
            if done == 0:
                break
        return applied


# -- strategic oscillation ----------------------------------------------------------------


@dataclass(eq=False)
class Incumbent:
    """The best feasible assignment seen so far."""

    assignment: IntArray | None = None
    cost: float = INF

    def offer(self, a: IntArray, costs: FloatArray) -> bool:
        """Keep ``a`` (assumed feasible) if it is cheaper; returns whether it was kept."""
        value = total_cost(a, costs)
        if value < self.cost - EPS:
            self.assignment, self.cost = a.copy(), value
            return True
        return False


def oscillate(
    search: ChainSearch,
    start: IntArray,
    incumbent: Incumbent,
    *,
    deadline: float,
    rounds: int,
    patience: int | None = None,
    target: float = -INF,
    rng: np.random.Generator,
    halt: Callable[[], bool] = lambda: False,
) -> int:
    """Alternate penalised descents and weight updates; keep the best repaired minimum.

    Parameters
    ----------
    search : the chain search over the candidate arcs.
    start : a complete assignment (may overload agents).
    incumbent : updated in place with every better feasible assignment.
    deadline : ``time.perf_counter()`` value at which to stop.
    rounds : at most this many descents (the work bound that makes runs repeatable).
    patience : stop after this many descents without a better assignment.
    target : stop once the incumbent costs this little (a proven lower bound).
    rng : drives the diversification: after a stall, a descent over a random
        90% of the arcs.
    halt : checked between rounds; True ends the search (HiGHS has finished).

    Returns the number of rounds run.
    """
    c, w, b = search.costs, search.weights, search.capacities
    a = start.copy()
    load = loads(a, w)
    scale = max(float(np.median(np.abs(c))), 1.0) / max(float(np.median(w)), EPS)
    p = np.full(len(b), scale)
    strict = np.full(len(b), STRICT * scale)
    stall = 0
    done = 0
    patience = rounds if patience is None else patience
    while done < rounds and time.perf_counter() < deadline and incumbent.cost > target + EPS:
        if stall >= patience or halt():
            break
        done += 1
        if stall >= 10:
            _shaken_descent(search, a, load, p, deadline, rng)
        search.descend(a, load, p, deadline)
        over = load > b
        repaired, repaired_load = a.copy(), load.copy()
        if over.any():
            search.descend(repaired, repaired_load, strict, deadline)
        feasible = is_feasible(repaired, w, b)  # from fresh loads: no drift from float updates
        stall = 0 if feasible and incumbent.offer(repaired, c) else stall + 1
        load = loads(a, w)
        p = np.where(over, p * UP, p * DOWN)
    return done


def _shaken_descent(
    search: ChainSearch,
    a: IntArray,
    load: FloatArray,
    p: FloatArray,
    deadline: float,
    rng: np.random.Generator,
) -> None:
    """A descent with a random tenth of the arcs hidden, to leave a cycle of the oscillation."""
    arcs = search.arcs
    hidden = rng.random(len(arcs.job)) < 0.1
    shaken = Arcs(arcs.job, arcs.agent, np.where(hidden, INF, arcs.cost), arcs.weight,
                  arcs.slot, arcs.slot_job, arcs.slot_weight)
    ChainSearch(search.costs, search.weights, search.capacities, shaken, search.layers).descend(
        a, load, p, deadline
    )


def explore(
    search: ChainSearch,
    start: IntArray,
    incumbent: Incumbent,
    *,
    deadline: float,
    rounds: int,
    target: float = -INF,
    rng: np.random.Generator,
    halt: Callable[[], bool] = lambda: False,
    polish: Callable[[IntArray, float], bool] | None = None,
) -> int:
    """Iterated oscillation: restart from a shaken incumbent after ``PATIENCE`` idle rounds.

    Parameters are those of ``oscillate``; ``rounds`` bounds all restarts
    together. ``polish(a, deadline)``, if given, improves a feasible
    assignment in place by ``deadline`` (returning whether it did); it runs
    on every new incumbent before the next restart. Returns the number of
    rounds run.
    """
    done = 0
    current = start
    polished = INF  # the incumbent's cost when it was last polished
    while done < rounds and time.perf_counter() < deadline and incumbent.cost > target + EPS:
        ran = oscillate(search, current, incumbent, deadline=deadline, rounds=rounds - done,
                        patience=PATIENCE, target=target, rng=rng, halt=halt)
        if ran == 0 or halt():
            break
        done += ran
        best = incumbent.assignment
        if polish is not None and best is not None and incumbent.cost < polished:
            best = best.copy()
            if polish(best, deadline):
                incumbent.offer(best, search.costs)
            polished = incumbent.cost
        current = _kicked(search.arcs, start if best is None else best, rng)
    return done


def _kicked(arcs: Arcs, a: IntArray, rng: np.random.Generator) -> IntArray:
    """``a`` with ``KICK_SHARE`` of its jobs (at most ``KICK_MOST``) moved along random arcs."""
    count = min(max(2, int(KICK_SHARE * len(a))), KICK_MOST, len(arcs.job))
    chosen = rng.choice(len(arcs.job), size=count, replace=False)
    kicked = a.copy()
    kicked[arcs.job[chosen]] = arcs.agent[chosen]
    return kicked
