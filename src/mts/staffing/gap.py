"""The generalized assignment problem (GAP): read an instance, solve it, bound it.

Agents ``i = 0..m-1`` with capacities ``b_i``, jobs ``j = 0..n-1``; job ``j``
on agent ``i`` costs ``c_ij`` and uses ``w_ij`` of its capacity::

    min  sum_ij c_ij x_ij
    s.t. sum_j w_ij x_ij <= b_i     every agent
         sum_i x_ij      =  1       every job
         x binary

The text format is OR-Library's, one instance per text: ``m n``, then ``m``
rows of ``n`` costs, ``m`` rows of ``n`` weights and the ``m`` capacities,
separated by any whitespace.

``solve_gap`` works in this order:

1. A job heavier than every capacity proves the instance infeasible.
2. The regret greedy (Martello and Toth 1981) with three desirabilities: the
   baseline (``greedy_gap``) the answer is never worse than.
3. The LP relaxation with HiGHS: a lower bound, and reduced costs that pick
   each job's candidate agents and drive one more regret greedy (cheap, and
   within about 1% on type E when the search has little time left). An
   infeasible LP proves infeasibility.
4. A Lagrangian bound (knapsack subproblems, subgradient steps) where the
   knapsack tables are small; the lower bound reported is the best of the LP,
   the Lagrangian and HiGHS's own bound, rounded up when costs are integers.
5. Ejection-chain search with strategic oscillation and restarts
   (``gap_heuristic``), started from the LP solution rounded to each job's
   largest share (from the best greedy answer when the LP ran out of time),
   over every pair on instances of at most ``SMALL`` pairs and over each
   job's few agents of least reduced cost beyond. Above ``TINY`` pairs,
   where the Lagrangian walk ran, at ``DIVE_AFTER`` of the time the search
   starts again from a dive through the set-partitioning master, whose
   columns are the walk's knapsacks (``gap_columns``): its LP bound is the
   Lagrangian one. The dive fixes columns until a quarter of the agents is
   left (``FREE_SHARE``), and HiGHS branch and bound places the jobs left
   on those agents, with at most ``COMPLETE_SHARE`` of the time limit. On
   type D that start beats everything the search finds from the rounded LP:
   at 60 s, d20200 ended at 12,238 to 12,257 over eight seeds and d40400 at
   24,386 to 24,390 over four (best known 12,238 and 24,356), where the
   search alone had stalled at 12,251 to 12,290 and 24,440. Where agents
   hold few jobs (``REPACK_JOBS_PER_AGENT``), every new best assignment is
   re-packed exactly, three agents at a time (``gap_repack``), before the
   search restarts from it.
6. HiGHS branch and bound with ``mip_rel_gap = 0``: beside the search, in a
   second thread, on instances of ``TINY`` to ``BESIDE`` pairs (the search
   stops when HiGHS ends); after the search, warm-started from its best
   assignment, when ``exact`` is set, on tinier instances, and as a last
   resort when the search found nothing feasible. On tinier instances (not
   in exact mode) the search then goes on from its best assignment on the
   other core while HiGHS runs, until HiGHS ends or time is up (d10100 at
   60 s: 6,355 to 6,357 over three seeds, where HiGHS alone after the
   search ended at 6,361 to 6,363).

Status: "optimal" when the cost meets the lower bound (or HiGHS proves it);
"feasible" when an assignment was found but not proven optimal;
"infeasible" when proven impossible; "unknown" otherwise.

Repeatability: the same instance, seed and flags give the same answer as long
as no time limit cuts a step short. On instances of at most ``TINY`` pairs,
and in exact mode, the search stops after a number of rounds, not a time, and
HiGHS runs after it (beside the rest of the search, which never stops it);
when HiGHS proves an optimum, its assignment is the answer; so those runs
repeat exactly. Beyond
``TINY`` pairs the search and HiGHS run side by side, or the time limit stops
the search, so how far they got depends on the machine and its load (the
cost of a proven optimum does not, but which of two equally cheap
assignments is returned may). Time is measured with ``time.perf_counter``.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from mts.domain.errors import InvalidInput
from mts.staffing import gap_heuristic as heuristic
from mts.staffing.gap_columns import dive
from mts.staffing.gap_highs import (
    BackgroundBranchAndBound,
    Relaxation,
    branch_and_bound,
    solve_relaxation,
)
from mts.staffing.gap_lagrange import is_tractable, lagrangian_bound
from mts.staffing.gap_repack import repack

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Status = Literal["optimal", "feasible", "infeasible", "unknown"]

SMALL = 10_000
"""Up to this many (agent, job) pairs, the search may move any job to any agent."""
TINY = 1_000
BESIDE = 20_000
"""From ``TINY`` to this many pairs, HiGHS runs beside the search, in a second thread."""
TINY_ROUNDS = 20
"""On tiny instances, search rounds per job (a work bound, not a time, so runs repeat)."""
EXACT_ROUNDS = 50
"""Search rounds before HiGHS takes over in exact mode."""
ARC_WIDTH = 5
"""On larger instances, each job's candidate agents: its five of least LP reduced cost ..."""
ARC_SLACK = 1.0
"""... within this much reduced cost of its best (tuned on type D: wider lists were no better)."""
REPACK_JOBS_PER_AGENT = 6
"""Every new best assignment is re-packed three agents at a time (``gap_repack``) where agents
hold at most this many jobs on average: at five (d20100) it pays, at ten it did not."""
REPACK_PASSES = 5
"""Passes over every three agents at most, while the last one improved."""
REPACK_MOST_AGENTS = 30
"""... and only up to this many agents: the groups grow as the cube of the agents (a pass over
every three of 20, 1,140 groups of about 15 jobs, takes about 0.03 s)."""
DIVE_AFTER = 0.3
"""Above ``TINY`` pairs, the search restarts from a dive through the column master
(``gap_columns``) once this share of the time limit has passed."""
FREE_SHARE = 0.25
"""The dive leaves this share of the agents free, and HiGHS places their jobs. On d20200 (20
agents), the dive and HiGHS alone gave 12,252, 12,249 and 12,254 with 4, 6 and 8 left free."""
COMPLETE_SHARE = 0.1
"""HiGHS's time for placing the jobs the dive left, at most, as a share of the time limit: on
d20200 its first answer, after 1 s, was as good as after 10 s."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GapInstance:
    """One GAP instance: ``costs`` and ``weights`` (m x n), ``capacities`` (m,).

    The arrays are copied to float64 and made read-only.
    """

    costs: FloatArray
    weights: FloatArray
    capacities: FloatArray

    def __post_init__(self) -> None:
        costs, weights, capacities = (_frozen(x) for x in (self.costs, self.weights,
                                                            self.capacities))
        _check_shapes(costs, weights, capacities)
        for name, x in (("costs", costs), ("weights", weights), ("capacities", capacities)):
            if not np.all(np.isfinite(x)):
                raise InvalidInput(f"GAP {name} must be finite numbers")
        if np.any(weights < 0) or np.any(capacities < 0):
            raise InvalidInput("GAP weights and capacities must not be negative")
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "capacities", capacities)

    @property
    def m(self) -> int:
        """Number of agents."""
        return int(self.costs.shape[0])

    @property
    def n(self) -> int:
        """Number of jobs."""
        return int(self.costs.shape[1])


def _frozen(x: object) -> FloatArray:
    try:
        array = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"GAP data must be numeric arrays: {error}") from error
    array.flags.writeable = False
    return array


def _check_shapes(costs: FloatArray, weights: FloatArray, capacities: FloatArray) -> None:
    if costs.ndim != 2 or costs.shape[0] < 1 or costs.shape[1] < 1:
        raise InvalidInput(f"GAP costs must be an m x n array with m, n >= 1, got {costs.shape}")
    if weights.shape != costs.shape:
        raise InvalidInput(f"GAP weights are {weights.shape}, costs are {costs.shape}")
    if capacities.shape != (costs.shape[0],):
        raise InvalidInput(
            f"GAP capacities are {capacities.shape}, expected ({costs.shape[0]},)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GapResult:
    """What ``solve_gap`` found.

    ``objective`` is the cost of ``assignment`` (None when there is none);
    ``assignment[j]`` is job ``j``'s agent, 0-based (empty when there is none);
    ``lower_bound`` is proven (None when infeasible or when nothing is known).
    """

    objective: float | None
    lower_bound: float | None
    status: Status
    seconds: float
    assignment: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``mts bench gap --json``."""
        return {
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "status": self.status,
            "seconds": self.seconds,
            "assignment": list(self.assignment),
        }


# -- reading ------------------------------------------------------------------------------


def read_gap(text: str) -> GapInstance:
    """Parse one instance in the OR-Library format (``m n``, costs, weights, capacities).

    Raises ``InvalidInput`` naming the first bad token and what was expected there.
    """
    tokens = text.split()
    if len(tokens) < 2:
        raise InvalidInput("GAP instance: expected 'm n' (agents, jobs) first, found "
                           f"{len(tokens)} token(s)")
    m, n = _positive_int(tokens[0], "m (number of agents)"), _positive_int(tokens[1],
                                                                           "n (number of jobs)")
    expected = 2 * m * n + m
    body = tokens[2:]
    if len(body) != expected:
        raise InvalidInput(
            f"GAP instance with m={m}, n={n}: expected {expected} numbers after 'm n' "
            f"({m} cost rows and {m} weight rows of {n}, then {m} capacities), found {len(body)}"
        )
    values = np.array([_number(token, k, m, n) for k, token in enumerate(body)])
    return GapInstance(
        costs=values[: m * n].reshape(m, n),
        weights=values[m * n : 2 * m * n].reshape(m, n),
        capacities=values[2 * m * n :],
    )


def _positive_int(token: str, what: str) -> int:
    try:
        value = int(token)
    except ValueError:
        message = f"GAP instance: {what} must be a whole number, found {token!r}"
        raise InvalidInput(message) from None
    if value < 1:
        raise InvalidInput(f"GAP instance: {what} must be at least 1, found {value}")
    return value


def _number(token: str, k: int, m: int, n: int) -> float:
    try:
        value = float(token)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(f"GAP instance: {_where(k, m, n)} must be a finite number, "
                           f"found {token!r}")
    return value


def _where(k: int, m: int, n: int) -> str:
    if k < 2 * m * n:
        kind = "cost" if k < m * n else "weight"
        row, column = divmod(k % (m * n), n)
        return f"{kind} of agent {row} for job {column}"
    return f"capacity of agent {k - 2 * m * n}"


# -- solving ------------------------------------------------------------------------------


def greedy_gap(instance: GapInstance) -> GapResult:
    """The baseline: the regret greedy, no search; the cheapest feasible of its variants.

    The variants rank agents by cost, by weight relative to capacity, and by
    their product (MTHG's desirabilities, Martello and Toth 1981). The status
    is "unknown" with no assignment when none of them fits.
    """
    start = time.perf_counter()
    best = heuristic.Incumbent()
    for a in _greedy_variants(instance):
        if heuristic.is_feasible(a, instance.weights, instance.capacities):
            best.offer(a, instance.costs)
    found = best.assignment
    return GapResult(
        objective=best.cost if found is not None else None,
        lower_bound=None,
        status="feasible" if found is not None else "unknown",
        seconds=time.perf_counter() - start,
        assignment=tuple(int(i) for i in found) if found is not None else (),
    )


def _greedy_variants(instance: GapInstance) -> list[IntArray]:
    c, w, b = instance.costs, instance.weights, instance.capacities
    relative = w / np.maximum(b, 1e-12)[:, None]
    shifted = c - c.min(axis=0) + 1.0
    return [heuristic.regret_greedy(f, w, b) for f in (c, relative, shifted * relative)]


def solve_gap(
    instance: GapInstance, *, time_limit: float, seed: int = 0, exact: bool = False
) -> GapResult:
    """Solve ``instance`` within about ``time_limit`` seconds (see the module docstring).

    Parameters
    ----------
    instance : the GAP instance.
    time_limit : seconds of wall time (``time.perf_counter``) to use at most,
        give or take the step in progress.
    seed : seeds the search's diversification and HiGHS.
    exact : after a short search, hand the rest of the time to HiGHS branch and
        bound (``mip_rel_gap = 0``), so that small instances end proven optimal.
    """
    if not time_limit > 0:
        raise InvalidInput(f"time_limit must be positive, got {time_limit}")
    _compile_search()
    run = _Run.begin(instance, time_limit, seed, exact)
    if not run.every_job_fits():
        return run.result()
    for a in _greedy_variants(instance):
        run.offer(a)
    relaxation = run.relax()
    if relaxation.status == "infeasible":
        return run.result()
    beside = run.launch_beside()
    run.lagrange(relaxation)
    run.search(relaxation, halt=(lambda: beside.finished) if beside else (lambda: False))
    if beside is not None:
        run.settle(beside)
    elif run.wants_branch_and_bound():
        after = run.launch()
        run.keep_searching(relaxation, halt=lambda: after.finished)
        run.settle(after, wait=True)
    return run.result()


@functools.cache
def _compile_search() -> None:
    """Run the compiled passes once on a three-job instance before the clock starts.

    numba compiles them on first use for the argument types met (13 s on a new
    machine here; later processes load them from its cache in under half a
    second): the time limit is for solving, not compiling. The
    instance's arrays are read-only like every ``GapInstance``'s, so the types
    match a real run's.
    """
    tiny = GapInstance(costs=2.0 - np.eye(3), weights=np.ones((3, 3)), capacities=np.ones(3))
    job, agent = np.divmod(np.arange(9), 3)
    arcs = heuristic.Arcs.of(job, agent, tiny.costs, tiny.weights)
    search = heuristic.ChainSearch(tiny.costs, tiny.weights, tiny.capacities, arcs)
    a = np.array([1, 2, 0], np.int64)
    search.descend(a, heuristic.loads(a, tiny.weights), np.ones(3), math.inf)
    repack(tiny.costs, tiny.weights, tiny.capacities, a, rng=np.random.default_rng(0), passes=1,
           prices=np.ones(3))


@dataclass(eq=False)
class _Run:
    """The state of one ``solve_gap`` call."""

    instance: GapInstance
    started: float
    deadline: float
    seed: int
    exact: bool
    incumbent: heuristic.Incumbent
    bound: float
    infeasible: bool = False
    proven: bool = False
    walk: list[BoolArray] = field(default_factory=list)  # the Lagrangian walk's knapsacks

    @classmethod
    def begin(cls, instance: GapInstance, time_limit: float, seed: int, exact: bool) -> _Run:
        started = time.perf_counter()
        trivial = float(instance.costs.min(axis=0).sum())  # every job at its cheapest agent
        return cls(instance, started, started + time_limit, seed, exact, heuristic.Incumbent(),
                   trivial)

    @property
    def pairs(self) -> int:
        return self.instance.m * self.instance.n

    def left(self) -> float:
        return max(self.deadline - time.perf_counter(), 0.0)

    def every_job_fits(self) -> bool:
        """False (and the instance proven infeasible) if some job fits on no agent."""
        fits = (self.instance.weights <= self.instance.capacities[:, None]).any(axis=0)
        self.infeasible = not bool(fits.all())
        return not self.infeasible

    def offer(self, a: IntArray) -> None:
        inst = self.instance
        if heuristic.is_feasible(a, inst.weights, inst.capacities):
            self.incumbent.offer(a, inst.costs)

    def raise_bound(self, value: float | None) -> None:
        if value is not None and math.isfinite(value):
            self.bound = max(self.bound, value)

    def target(self) -> float:
        """The lower bound as a cost can reach it (rounded up for integer costs)."""
        if np.all(self.instance.costs == np.round(self.instance.costs)):
            return float(math.ceil(self.bound - 1e-6))
        return self.bound

    def reached(self) -> bool:
        return self.incumbent.assignment is not None and self.incumbent.cost <= self.target()

    def relax(self) -> Relaxation:
        inst = self.instance
        relaxation = solve_relaxation(inst.costs, inst.weights, inst.capacities,
                                      time_limit=0.8 * self.left(), seed=self.seed)
        self.infeasible = relaxation.status == "infeasible"
        self.raise_bound(relaxation.bound)
        if relaxation.reduced is not None:
            self.offer(heuristic.regret_greedy(relaxation.reduced, inst.weights,
                                               inst.capacities))
        return relaxation

    def lagrange(self, relaxation: Relaxation) -> None:
        """Tighten the bound with the Lagrangian one where the knapsack tables are small."""
        inst = self.instance
        if relaxation.duals is None or not is_tractable(inst.weights, inst.capacities):
            return
        upper = self.incumbent.cost if self.incumbent.assignment is not None else (
            float(np.abs(inst.costs).max(axis=0).sum()))
        self.raise_bound(lagrangian_bound(
            inst.costs, inst.weights, inst.capacities, start=relaxation.duals, upper=upper,
            deadline=time.perf_counter() + 0.1 * self.left(),
            visit=self.walk.append if self.dives() else lambda _: None,
        ))

    def dives(self) -> bool:
        """Whether the search restarts from a dive (it pays on type D and E from 100 jobs
        and 20 agents; on tiny instances it did not, and they must repeat exactly)."""
        return not self.exact and self.pairs > TINY

    def search(self, relaxation: Relaxation, *, halt: Callable[[], bool]) -> None:
        """Ejection-chain search from the rounded LP solution (or the greedy one); where the
        Lagrangian walk kept its knapsacks, restarted from a dive at ``DIVE_AFTER``."""
        reduced, start = _guidance(self.instance, relaxation, self.incumbent.assignment)
        search = self._chain_search(reduced)
        rng = np.random.default_rng(self.seed)
        polish = self._polish(np.random.default_rng(self.seed + 2),  # not the kicks' stream
                              relaxation.prices)

        def explore(start: IntArray, deadline: float) -> None:
            heuristic.explore(search, start, self.incumbent, deadline=deadline,
                              rounds=self._rounds(), target=self.target(), rng=rng, halt=halt,
                              polish=polish)

        if not self.walk:
            explore(start, self.deadline)
            return
        explore(start, self.started + DIVE_AFTER * (self.deadline - self.started))
        if not (self.reached() or halt() or self.left() == 0):
            explore(self.dive(reduced), self.deadline)

    def keep_searching(self, relaxation: Relaxation, *, halt: Callable[[], bool]) -> None:
        """Once HiGHS has taken over (tiny instances), the search goes on from the best
        assignment on the other core, until time is up or HiGHS ends."""
        if self.exact or self.incumbent.assignment is None or self.reached():
            return
        reduced, _ = _guidance(self.instance, relaxation, self.incumbent.assignment)
        heuristic.explore(self._chain_search(reduced), self.incumbent.assignment,
                          self.incumbent, deadline=self.deadline, rounds=2**62,
                          # a stream of its own: the seed's would replay the first kicks
                          target=self.target(), rng=np.random.default_rng(self.seed + 1),
                          halt=halt, polish=self._polish(np.random.default_rng(self.seed + 3),
                                                         relaxation.prices))

    def _polish(
        self, rng: np.random.Generator, prices: FloatArray | None
    ) -> Callable[[IntArray, float], bool] | None:
        """Exact re-packing of three agents at a time, its bound priced by the LP's capacity
        duals, where agents hold few jobs and there are not too many ways to choose three."""
        inst = self.instance
        if inst.n > REPACK_JOBS_PER_AGENT * inst.m or inst.m > REPACK_MOST_AGENTS:
            return None
        return lambda a, deadline: repack(inst.costs, inst.weights, inst.capacities, a,
                                          rng=rng, passes=REPACK_PASSES, deadline=deadline,
                                          prices=prices)

    def _chain_search(self, reduced: FloatArray) -> heuristic.ChainSearch:
        """Over every pair on small instances, else over each job's best few agents."""
        inst = self.instance
        small = self.pairs <= SMALL
        width, slack = (inst.m, math.inf) if small else (ARC_WIDTH, ARC_SLACK)
        job, agent = heuristic.candidate_arcs(reduced, inst.weights, inst.capacities,
                                              width=width, slack=slack)
        arcs = heuristic.Arcs.of(job, agent, inst.costs, inst.weights)
        return heuristic.ChainSearch(inst.costs, inst.weights, inst.capacities, arcs)

    def _rounds(self) -> int:
        """The search's work bound: what makes tiny and exact runs repeat exactly."""
        if self.exact:
            return EXACT_ROUNDS
        if self.pairs <= TINY:
            return max(200, TINY_ROUNDS * self.instance.n)
        return 2**62

    def dive(self, reduced: FloatArray) -> IntArray:
        """A start from the column master (``gap_columns``), the jobs it leaves placed on the
        free agents by HiGHS; a job still without an agent goes to its agent of least
        reduced cost."""
        inst = self.instance
        columns = list(self.walk)
        best = self.incumbent.assignment
        if best is not None:
            columns.append(best[None, :] == np.arange(inst.m)[:, None])
        a = dive(inst.costs, inst.weights, inst.capacities, columns, deadline=self.deadline,
                 seed=self.seed, leave_free=int(FREE_SHARE * inst.m))
        self._complete(a)
        left = a < 0
        a[left] = np.argmin(reduced[:, left], axis=0)
        self.offer(a)
        return a

    def _complete(self, a: IntArray) -> None:
        """Place the jobs of ``a`` without an agent (-1) on the agents holding none, by HiGHS
        branch and bound, if it finds a way within its share of the time."""
        inst = self.instance
        jobs = np.flatnonzero(a < 0)
        agents = np.setdiff1d(np.arange(inst.m), a[a >= 0])
        seconds = min(self.left(), COMPLETE_SHARE * (self.deadline - self.started))
        if jobs.size == 0 or agents.size == 0 or seconds <= 0:
            return
        part = np.ix_(agents, jobs)
        placed = branch_and_bound(inst.costs[part], inst.weights[part],
                                  inst.capacities[agents], start=None, time_limit=seconds,
                                  seed=self.seed)
        if placed.assignment is not None:
            a[jobs] = agents[placed.assignment]

    def wants_branch_and_bound(self) -> bool:
        after = self.exact or self.pairs <= TINY or self.incumbent.assignment is None
        return after and not self.reached()

    def launch_beside(self) -> BackgroundBranchAndBound | None:
        """HiGHS in a second thread, for the whole time, when the instance is not too large."""
        if self.exact or not TINY < self.pairs <= BESIDE:
            return None
        return self.launch()

    def launch(self) -> BackgroundBranchAndBound:
        """HiGHS warm-started from the incumbent, started in a worker thread."""
        inst = self.instance
        run = BackgroundBranchAndBound(inst.costs, inst.weights, inst.capacities,
                                       start=self.incumbent.assignment, time_limit=self.left(),
                                       seed=self.seed)
        run.start()
        return run

    def settle(self, run: BackgroundBranchAndBound, *, wait: bool = False) -> None:
        """Take HiGHS's answer; a proven optimum replaces a search answer that is not proven
        (with ``wait``, any search answer: HiGHS is not stopped when the search meets the
        bound, so which of two optima is returned does not depend on timing)."""
        searched_to_bound = self.reached() and not wait
        if searched_to_bound:
            run.stop()
        outcome = run.result()
        if outcome.status == "infeasible":
            self.infeasible = True
            return
        self.raise_bound(outcome.bound)
        a, inst = outcome.assignment, self.instance
        if a is None or not heuristic.is_feasible(a, inst.weights, inst.capacities):
            return
        cost = heuristic.total_cost(a, inst.costs)
        if outcome.status == "optimal" and cost <= self.incumbent.cost and not searched_to_bound:
            # HiGHS's optimum does not depend on when the search was halted; the search's might
            self.incumbent = heuristic.Incumbent()
            self.proven = True
        self.incumbent.offer(a, inst.costs)

    def result(self) -> GapResult:
        seconds = time.perf_counter() - self.started
        a = self.incumbent.assignment
        if self.infeasible or a is None:
            status: Status = "infeasible" if self.infeasible else "unknown"
            bound = None if self.infeasible else self.target()
            return GapResult(objective=None, lower_bound=bound, status=status, seconds=seconds,
                             assignment=())
        cost = self.incumbent.cost
        optimal = self.proven or cost <= self.target() + 1e-9 * max(1.0, abs(cost))
        return GapResult(
            objective=cost,
            lower_bound=cost if optimal else min(self.target(), cost),
            status="optimal" if optimal else "feasible",
            seconds=seconds,
            assignment=tuple(int(i) for i in a),
        )


def _guidance(
    instance: GapInstance, relaxation: Relaxation, fallback: IntArray | None
) -> tuple[FloatArray, IntArray]:
    """Reduced costs and a start: the LP's, or (without an LP) cost regrets and ``fallback``.

    ``fallback`` is the best greedy answer, if any fits; the regret greedy on
    costs alone is the start of last resort.
    """
    if relaxation.reduced is not None and relaxation.x is not None:
        return relaxation.reduced, np.argmax(relaxation.x, axis=0).astype(np.int64)
    costs = instance.costs
    if fallback is not None:
        return costs - costs.min(axis=0), fallback.copy()
    start = heuristic.regret_greedy(costs, instance.weights, instance.capacities)
    return costs - costs.min(axis=0), start
