"""The GAP as a HiGHS model: its LP relaxation (bound and reduced costs) and branch and bound.

Binary ``x_ij`` (job ``j`` on agent ``i``), column ``i * n + j``::

    min  sum_ij c_ij x_ij
    s.t. sum_j w_ij x_ij <= b_i     every agent  (dual v_i <= 0)
         sum_i x_ij      =  1       every job    (dual u_j)

The reduced cost ``rc_ij = c_ij - u_j - v_i w_ij`` prices a move against the
LP optimum: any assignment ``a`` costs ``LP + sum_j rc_{a_j j} + sum_i |v_i| s_i``
(``s_i`` the slack left on agent ``i``) when no ``x_ij`` sits at its upper bound
with a negative reduced cost, which is why the search favours arcs of small
``rc`` and full agents.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
from highspy import cb
from highspy._core import _Highs  # the plain core: highspy.Highs prints a banner to stdout
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

IPM_FROM = 20_000
"""From this many columns on, interior point (with crossover) beats dual simplex on the LP."""


@dataclass(frozen=True, eq=False)
class Relaxation:
    """The LP relaxation: ``status`` is "optimal", "infeasible" or "unknown" (time ran out).

    ``duals`` are the jobs' (``u``); ``prices`` the agents' capacity duals
    negated (``-v``, at least zero): what a unit of each agent's room is worth.
    """

    status: str
    bound: float | None
    x: FloatArray | None
    reduced: FloatArray | None
    duals: FloatArray | None
    prices: FloatArray | None


@dataclass(frozen=True, eq=False)
class BranchAndBound:
    """HiGHS's answer: ``status`` is "optimal", "feasible", "infeasible" or "unknown"."""

    status: str
    assignment: IntArray | None
    bound: float | None


def new_highs(seed: int, time_limit: float) -> _Highs:
    """A silent HiGHS with ``seed`` and ``time_limit`` (seconds) set."""
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    return h


def _pass_model(h: _Highs, costs: FloatArray, weights: FloatArray, capacities: FloatArray) -> None:
    m, n = costs.shape
    cols = np.arange(m * n)
    agent_rows = np.repeat(np.arange(m), n)
    job_rows = m + np.tile(np.arange(n), m)
    matrix = sparse.csc_matrix(
        (np.concatenate([weights.ravel(), np.ones(m * n)]),
         (np.concatenate([agent_rows, job_rows]), np.concatenate([cols, cols]))),
        shape=(m + n, m * n),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m * n, m + n
    lp.col_cost_ = costs.ravel().astype(np.float64)
    lp.col_lower_ = np.zeros(m * n)
    lp.col_upper_ = np.ones(m * n)
    lp.row_lower_ = np.concatenate([np.full(m, -highspy.kHighsInf), np.ones(n)])
    lp.row_upper_ = np.concatenate([capacities.astype(np.float64), np.ones(n)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    h.passModel(lp)


def solve_relaxation(
    costs: FloatArray, weights: FloatArray, capacities: FloatArray, *, time_limit: float,
    seed: int = 0,
) -> Relaxation:
    """Solve the LP relaxation; return its value, solution and reduced costs."""
    m, n = costs.shape
    h = new_highs(seed, time_limit)
    if m * n >= IPM_FROM:
        h.setOptionValue("solver", "ipm")
    _pass_model(h, costs, weights, capacities)
    h.run()
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Relaxation("infeasible", None, None, None, None, None)
    if status != highspy.HighsModelStatus.kOptimal:
        return Relaxation("unknown", None, None, None, None, None)
    solution = h.getSolution()
    x = np.asarray(solution.col_value, dtype=np.float64).reshape(m, n)
    reduced = np.asarray(solution.col_dual, dtype=np.float64).reshape(m, n)
    row_duals = np.asarray(solution.row_dual, dtype=np.float64)
    prices = np.maximum(-row_duals[:m], 0.0)
    value = float(h.getInfo().objective_function_value)
    return Relaxation("optimal", value, x, reduced, row_duals[m:], prices)


def branch_and_bound(
    costs: FloatArray,
    weights: FloatArray,
    capacities: FloatArray,
    *,
    start: IntArray | None,
    time_limit: float,
    seed: int = 0,
) -> BranchAndBound:
    """HiGHS branch and bound to a zero gap (``mip_rel_gap = 0``), warm-started from ``start``."""
    run = BackgroundBranchAndBound(costs, weights, capacities, start=start,
                                   time_limit=time_limit, seed=seed)
    run.run()
    return run.result()


class BackgroundBranchAndBound:
    """HiGHS branch and bound that can run beside the search, in a thread, and be stopped.

    HiGHS releases the GIL while it solves, so the search keeps one core and
    HiGHS the other. ``stop`` interrupts it at its next callback.
    """

    def __init__(
        self,
        costs: FloatArray,
        weights: FloatArray,
        capacities: FloatArray,
        *,
        start: IntArray | None,
        time_limit: float,
        seed: int = 0,
    ) -> None:
        m, n = costs.shape
        self._shape = (m, n)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._highs = h = new_highs(seed, time_limit)
        h.setOptionValue("mip_rel_gap", 0.0)
        _pass_model(h, costs, weights, capacities)
        kinds = np.full(m * n, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        h.changeColsIntegrality(m * n, np.arange(m * n, dtype=np.int32), kinds)
        if start is not None:
            x0 = np.zeros((m, n))
            x0[start, np.arange(n)] = 1.0
            solution = highspy.HighsSolution()
            solution.col_value = x0.ravel()
            solution.value_valid = True
            h.setSolution(solution)
        h.setCallback(_interrupt, self)
        h.startCallback(cb.HighsCallbackType.kCallbackMipInterrupt)

    @property
    def stopping(self) -> bool:
        """Whether ``stop`` has been asked for."""
        return self._stopping

    def run(self) -> None:
        """Solve in the calling thread."""
        self._highs.run()

    def start(self) -> None:
        """Solve in a worker thread."""
        self._thread = threading.Thread(target=self._highs.run, name="gap-highs", daemon=True)
        self._thread.start()

    @property
    def finished(self) -> bool:
        """Whether a solve started in a worker thread has ended."""
        return self._thread is not None and not self._thread.is_alive()

    def stop(self) -> None:
        """Ask HiGHS to stop at its next interrupt check."""
        self._stopping = True

    def result(self) -> BranchAndBound:
        """Wait for the solve to end and read its answer."""
        if self._thread is not None:
            self._thread.join()
        h = self._highs
        status = h.getModelStatus()
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            return BranchAndBound("infeasible", None, None)
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
        if info.primal_solution_status != highspy.kSolutionStatusFeasible:
            return BranchAndBound("unknown", None, bound)
        x = np.asarray(h.getSolution().col_value).reshape(self._shape)
        assignment = np.argmax(x, axis=0).astype(np.int64)
        label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
        return BranchAndBound(label, assignment, bound)


def _interrupt(
    kind: Any, message: str, data_out: Any, data_in: Any, run: BackgroundBranchAndBound
) -> None:
    if run.stopping and data_in is not None:
        data_in.user_interrupt = True
