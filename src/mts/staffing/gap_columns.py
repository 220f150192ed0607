"""The GAP's set-partitioning master: columns from the agents' knapsacks, and a dive.

Every agent takes one set of jobs that fits its capacity, a column ``k`` of
cost ``c_k``::

    min  sum_k c_k lambda_k
    s.t. sum_{k holds j} lambda_k  = 1     every job     (dual u_j)
         sum_{k of i}    lambda_k <= 1     every agent   (dual v_i <= 0)

Its LP bound is the Lagrangian bound (the knapsacks are solved in integers),
far tighter than the plain LP's on type D (d20100: 6,176 against 6,142.5,
with 6,185 the optimum), so its solution says more about which jobs belong
together on one agent. The columns start as the knapsacks met on the
Lagrangian walk (``gap_lagrange``) and the best assignment known; pricing
then adds, for every agent, its knapsack of most profit ``u_j - c_ij`` when
that column's reduced cost is negative, until none is (column generation;
every job also has a slack column of prohibitive cost, so the master is
never infeasible).

The dive turns the master into an assignment: fix the column the LP uses
most (and with it every other one above ``BATCH``), price a few rounds on
the jobs and agents left, and repeat until the LP uses no column, or only
``leave_free`` agents are left free. ``gap.solve_gap`` hands the jobs those
agents must share to HiGHS branch and bound, and the chain search starts
again from the result. Late fixes are the dive's weak point: near
the end the master often has no columns left that cover the last jobs
together. On d20200 the dive to the end gave 12,514 (8 s of search from it,
12,268); with six of its 20 agents left free and HiGHS for 1 s on their 59
jobs it gave 12,249 outright (12,238 is the best known).

A fixed column rules out every other column of its agent and every column
holding one of its jobs. Their upper bounds drop to zero at once, so the
simplex does not have to price them out: on d40400, over a dive to ten
free agents, the master's solves took 6.8 s in place of 48.0 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
from highspy._core import _Highs  # the plain core: highspy.Highs prints a banner to stdout

from mts.staffing.gap_highs import new_highs
from mts.staffing.gap_lagrange import knapsacks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ROOT_ROUNDS = 400
"""Pricing rounds before the first fix, at most (d20100 needs 2 from the walk's columns)."""
STEP_ROUNDS = 10
"""Pricing rounds after each fix: enough to replace the columns the fix made useless."""
BATCH = 0.9
"""Columns the LP uses at least this much are fixed together with the most used one."""
_REDUCED_COST_TOLERANCE = 1e-6


@dataclass(eq=False)
class _Master:
    """The restricted master LP in HiGHS; column ``n + k`` is ``columns[k]``."""

    costs: FloatArray
    weights: FloatArray
    capacities: FloatArray
    highs: _Highs
    columns: list[tuple[int, IntArray]]
    known: set[tuple[int, bytes]]
    live: list[int] = field(default_factory=list)  # columns neither fixed nor ruled out

    @classmethod
    def of(cls, costs: FloatArray, weights: FloatArray, capacities: FloatArray,
           seed: int) -> _Master:
        m, n = costs.shape
        h = new_highs(seed, time_limit=np.inf)
        h.setOptionValue("presolve", "off")  # the LP changes a little between solves
        h.setOptionValue("simplex_strategy", 4)  # primal simplex: new columns keep it feasible
        inf = highspy.kHighsInf
        h.addRows(n + m, np.concatenate([np.ones(n), np.full(m, -inf)]), np.ones(n + m), 0,
                  np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        slack_cost = 10.0 * float(np.abs(costs).max()) * n + 1.0
        h.addCols(n, np.full(n, slack_cost), np.zeros(n), np.full(n, inf), n,
                  np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32), np.ones(n))
        return cls(costs, weights, capacities, h, [], set())

    @property
    def n_jobs(self) -> int:
        return int(self.costs.shape[1])

    def add(self, agent: int, jobs: IntArray) -> bool:
        """Add the column "``agent`` takes ``jobs``" unless it is empty or known."""
        key = (agent, jobs.tobytes())
        if jobs.size == 0 or key in self.known:
            return False
        self.known.add(key)
        rows = np.append(jobs, self.n_jobs + agent).astype(np.int32)
        # no upper bound of 1: the agent's row already sets it, and a column resting on its own
        # bound would keep a negative reduced cost that the row's dual does not show
        self.highs.addCol(float(self.costs[agent, jobs].sum()), 0.0, highspy.kHighsInf,
                          rows.size, rows, np.ones(rows.size))
        self.live.append(len(self.columns))
        self.columns.append((agent, jobs))
        return True

    def add_sets(self, sets: BoolArray) -> None:
        """Add every agent's set of jobs (row ``i`` of ``sets`` is agent ``i``'s) as a column."""
        for agent in range(sets.shape[0]):
            self.add(agent, np.flatnonzero(sets[agent]).astype(np.int64))

    def solve(self, deadline: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The LP's column values and its job and agent duals."""
        self.highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        self.highs.run()
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value, dtype=np.float64)[self.n_jobs:]
        dual = np.asarray(solution.row_dual, dtype=np.float64)
        return x, dual[: self.n_jobs], dual[self.n_jobs:]

    def fix(self, k: int) -> None:
        """Column ``k`` is in the assignment."""
        self.highs.changeColBounds(self.n_jobs + k, 1.0, 1.0)
        self.live.remove(k)

    def rule_out(self, assignment: IntArray, fixed: BoolArray) -> None:
        """Bound to zero every live column of a fixed agent or holding an assigned job."""
        out: list[int] = []
        keep: list[int] = []
        for k in self.live:
            agent, jobs = self.columns[k]
            (out if fixed[agent] or (assignment[jobs] >= 0).any() else keep).append(k)
        self.live = keep
        if out:
            index = np.array(out, np.int32) + self.n_jobs
            self.highs.changeColsBounds(index.size, index, np.zeros(index.size),
                                        np.zeros(index.size))


def dive(
    costs: FloatArray,
    weights: FloatArray,
    capacities: FloatArray,
    columns: Iterable[BoolArray],
    *,
    deadline: float,
    seed: int = 0,
    leave_free: int = 0,
) -> IntArray:
    """An assignment from the master LP by fixing its most used columns (module docstring).

    Parameters
    ----------
    costs, weights, capacities : the instance (integer weights: see ``gap_lagrange``).
    columns : (m, n) boolean matrices, row ``i`` a set of jobs agent ``i`` can take,
        such as the knapsacks of a Lagrangian walk or a feasible assignment.
    deadline : ``time.perf_counter()`` value at which to stop diving.
    seed : HiGHS's random seed.
    leave_free : stop fixing once no more than this many agents are free.

    Returns each job's agent, -1 for a job the dive left uncovered. An agent
    is free (holds no job) exactly when no column of it was fixed.
    """
    master = _Master.of(costs, weights, capacities, seed)
    for sets in columns:
        master.add_sets(sets)
    m, n = costs.shape
    assignment = np.full(n, -1, np.int64)
    fixed = np.zeros(m, bool)
    x = _generate(master, assignment, fixed, ROOT_ROUNDS, deadline)
    while ((assignment < 0).any() and (~fixed).sum() > leave_free
           and time.perf_counter() < deadline):
        if not _fix_most_used(master, x, assignment, fixed):
            break
        master.rule_out(assignment, fixed)
        x = _generate(master, assignment, fixed, STEP_ROUNDS, deadline)
    return assignment


def _generate(master: _Master, assignment: IntArray, fixed: BoolArray, rounds: int,
              deadline: float) -> FloatArray:
    """Solve the master and price until no column enters, ``rounds`` run out or time does."""
    for _ in range(rounds):
        x, u, v = master.solve(deadline)
        stopped = time.perf_counter() >= deadline or u.size < master.n_jobs  # no duals
        if stopped or not _price(master, u, v, assignment, fixed):
            return x
    return master.solve(deadline)[0]


def _price(master: _Master, u: FloatArray, v: FloatArray, assignment: IntArray,
           fixed: BoolArray) -> bool:
    """Add each free agent's best knapsack over the uncovered jobs if its reduced cost is
    negative; whether any column was added."""
    free = np.flatnonzero(~fixed)
    profit = u[None, :] - master.costs[free]
    profit[:, assignment >= 0] = -1.0  # knapsacks take only items of positive profit
    chosen, value = knapsacks(profit, master.weights[free], master.capacities[free])
    pays = value + v[free] > _REDUCED_COST_TOLERANCE
    added = [master.add(int(free[r]), np.flatnonzero(chosen[r]).astype(np.int64))
             for r in np.flatnonzero(pays)]
    return any(added)


def _fix_most_used(master: _Master, x: FloatArray, assignment: IntArray,
                   fixed: BoolArray) -> bool:
    """Fix the most used column that still fits, and every other one used above ``BATCH``;
    whether any was fixed."""
    count = 0
    for k in np.argsort(-x, kind="stable").tolist():
        agent, jobs = master.columns[k]
        if x[k] <= 1e-9 or (count and x[k] < BATCH):
            break
        # an optimal LP never uses such a column; one stopped by the deadline may
        if fixed[agent] or (assignment[jobs] >= 0).any():
            continue
        master.fix(k)
        fixed[agent] = True
        assignment[jobs] = agent
        count += 1
    return count > 0
