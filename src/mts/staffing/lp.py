"""The round as a HiGHS model: its rows and columns, the LP with pricing, branch and bound.

The model is the one in ``solver``'s docstring. ``Layout`` owns where every
row and column sits; ``lp_start`` solves the LP over the candidates, prices
every pair at its duals and re-solves until nothing joins, and rounds its
last solution into a plan; ``solve_mip`` is HiGHS branch and bound,
warm-started from a plan.
"""


from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from highspy._core import _Highs  # the plain core: highspy.Highs prints a banner to stdout
from scipy import sparse

from mts.staffing.board import (
    Board,
    Candidates,
    Seats,
    fill_from_everyone,
    fill_open_seats,
    improve,
    meet_rules_preferring,
)
from mts.staffing.pricing import price, pricing_fits
from mts.staffing.problem import (
    FTE_TOLERANCE,
    BoolArray,
    Edges,
    FloatArray,
    IntArray,
    Rule,
    RuleKind,
    StaffingProblem,
)
from mts.staffing.relaxation import Arcs, Multipliers, evaluate

_INF = highspy.kHighsInf


# -- the LP relaxation with pricing -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LpStart:
    """What the LP relaxation leaves the search: its candidates, duals and a rounded plan, and
    the lowest dual value over every pair that its pricing proved (inf if none)."""

    edges: Edges
    multipliers: Multipliers | None
    rounded: Seats | None
    support: Edges | None  # the pairs the last LP solution uses, when it has one
    bound: float
    value: float | None  # the LP's objective at the point that was rounded, if any
    rounds: int  # LP solves


PRICING_OVERRUN = 0.1
"""Of the time limit: how far past its share the LP's last pricing may run."""


def lp_start(problem: StaffingProblem, edges: Edges, started: float, share: float) -> LpStart:
    """The LP relaxation over the candidates, then rounds of pricing at its duals, each
    followed by a warm re-solve, until nothing is added or ``share`` of the time is used.

    A dual simplex stopped by the time limit still has duals, and they are
    close to the optimal ones (at 10,000 people, 4 s of a 7 s LP gave a dual
    value within 0.2% of the optimal duals'); any multipliers give a valid
    bound. The last LP solution, rounded, is a plan (when even the first solve
    was stopped, the point where it stopped is rounded): at 10,000 people the
    rounded LP over every pair was worth 6,513 where repairs of relaxed
    choices reached 6,347, so the pairs the LP uses matter more than its
    duals.
    """
    layout = Layout.of(problem)
    h = new_highs(problem)  # presolve off: a presolved LP stopped early has no duals to map back
    pass_model(h, layout, edges)
    columns, multipliers, bound, rounds = edges, None, np.inf, 0
    # the last LP solved to optimality or, failing that, where the first solve was stopped
    solved: tuple[Edges, FloatArray, float] | None = None
    deadline = started + share * problem.settings.time_limit
    while time.perf_counter() < deadline - 0.5:
        # HiGHS's time limit counts from its first run: extend it by the time left
        h.setOptionValue("time_limit", h.getRunTime() + deadline - time.perf_counter())
        run_highs(h)
        rounds += 1
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if optimal or (solved is None and h.getSolution().value_valid):
            # a dual simplex cut short has a point that breaks some rows; rounded, it is still
            # a far better plan than none (at 10,000 people on a slow day, 6,049 against 4,913)
            x = np.clip(x_values(h, layout), 0.0, 1.0)
            solved = columns, x, h.getInfo().objective_function_value
        multipliers = _duals(h, layout) or multipliers
        # a solve cut short still has duals: pricing them may run a little past the share,
        # for the bound (the while test above keeps a re-solve from starting then)
        if multipliers is None or not pricing_fits(problem, started, share + PRICING_OVERRUN):
            break
        new = price(problem, Arcs.of(problem, edges), multipliers)
        edges = Edges.union([edges, new], problem.n_people)
        # with what pricing found, the candidates' dual value is the dual value over every pair
        bound = min(bound, evaluate(Arcs.of(problem, edges), multipliers).value)
        if len(new) == 0:
            break
        _add_columns(h, layout, new)
        columns = _appended(columns, new)
    if solved is None:
        return LpStart(edges, multipliers, None, None, bound, None, rounds)
    columns, x, value = solved
    return LpStart(edges, multipliers, _rounded(problem, columns, edges, x),
                   columns.subset(x > 1e-6), bound, value, rounds)


def _appended(columns: Edges, new: Edges) -> Edges:
    """``columns`` then ``new``, in that order (the LP's column order, unlike ``Edges.union``)."""
    return Edges(np.concatenate([columns.person, new.person]),
                 np.concatenate([columns.role, new.role]),
                 np.concatenate([columns.value, new.value]))


def _add_columns(h: _Highs, layout: Layout, new: Edges) -> None:
    """Append the columns of ``new`` pairs to the LP in ``h``; HiGHS restarts from its basis."""
    pr = layout.problem
    columns = layout.x_columns(new)
    n = len(new)
    h.addCols(n, pr.fte[new.role] * new.value, np.zeros(n), np.ones(n), columns.nnz,
              columns.indptr[:-1].astype(np.int32), columns.indices.astype(np.int32),
              columns.data)


def _rounded(problem: StaffingProblem, columns: Edges, edges: Edges, x: FloatArray) -> Seats:
    """A plan from an LP solution: rules first, then pairs by LP share, then fill and improve.

    ``columns`` are the pairs in the LP's column order (``x`` follows it);
    ``edges`` the same pairs sorted by role, for the local search.
    """
    board = Board.start(problem)
    meet_rules_preferring(board, columns, np.flatnonzero(x > 0.5))
    order = np.lexsort((-columns.value, -x))
    for i in order[x[order] > 1e-6].tolist():
        p, r = int(columns.person[i]), int(columns.role[i])
        if board.can_take(p, r):
            board.take(p, r, float(columns.value[i]))
    fill_open_seats(board, edges)
    improve(board, Candidates.of(edges, problem.n_roles), passes=2)
    fill_from_everyone(board)
    return board.seats()


def _duals(h: _Highs, layout: Layout) -> Multipliers | None:
    """The LP's row duals as multipliers (None if HiGHS has none)."""
    solution = h.getSolution()
    if not solution.dual_valid:
        return None
    problem = layout.problem
    dual = np.asarray(solution.row_dual)
    n_projects, n_depts = len(problem.projects), len(problem.departments)
    stretch = np.zeros(n_projects)
    on = layout.stretch_slot >= 0
    stretch[on] = np.maximum(0.0, -dual[layout.stretch_row + layout.stretch_slot[on]])
    link = np.zeros((n_projects, n_depts))
    ruled = layout.dept_slot >= 0
    links = dual[layout.link_row : layout.count_row].reshape(layout.n_dept, n_depts)
    link[ruled] = np.maximum(0.0, links[layout.dept_slot[ruled]])
    return Multipliers(dual[: problem.n_roles].copy(), stretch, link)


# -- the model ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Layout:
    """Where every row and column of the HiGHS model sits.

    Columns: ``v`` (roles), ``y`` (department slots x departments), then ``x`` (pairs).
    Rows: roles, FTE caps (every person), leads (every person), department links,
    department counts, stretch counts.
    """

    problem: StaffingProblem
    dept_slot: IntArray
    stretch_slot: IntArray

    @staticmethod
    def of(problem: StaffingProblem) -> Layout:
        dept = problem.min_departments > 0
        stretch = problem.min_stretch > 0
        dept_slot = np.where(dept, np.cumsum(dept) - 1, -1).astype(np.intp)
        stretch_slot = np.where(stretch, np.cumsum(stretch) - 1, -1).astype(np.intp)
        return Layout(problem, dept_slot, stretch_slot)

    @property
    def n_dept(self) -> int:
        return int((self.dept_slot >= 0).sum())

    @property
    def n_depts(self) -> int:
        return len(self.problem.departments)

    @property
    def n_fixed_cols(self) -> int:
        return self.problem.n_roles + self.n_dept * self.n_depts

    @property
    def link_row(self) -> int:
        return self.problem.n_roles + 2 * self.problem.n_people

    @property
    def count_row(self) -> int:
        return self.link_row + self.n_dept * self.n_depts

    @property
    def stretch_row(self) -> int:
        return self.count_row + self.n_dept

    @property
    def n_rows(self) -> int:
        return self.stretch_row + int((self.stretch_slot >= 0).sum())

    def x_columns(self, edges: Edges) -> sparse.csc_matrix:
        """The constraint columns of pairs, as a (rows x pairs) sparse matrix."""
        pr, p, r = self.problem, edges.person, edges.role
        j = pr.role_project[r]
        e = np.arange(len(edges))
        lead = pr.is_lead[r]
        dept = self.dept_slot[j] >= 0
        unc = (self.stretch_slot[j] >= 0) & pr.uncertain[p]
        rows = [r, pr.n_roles + p, pr.n_roles + pr.n_people + p[lead],
                self.link_row + self.dept_slot[j[dept]] * self.n_depts + pr.department[p[dept]],
                self.stretch_row + self.stretch_slot[j[unc]]]
        cols = [e, e, e[lead], e[dept], e[unc]]
        vals = [np.ones(e.size), pr.fte[r], np.ones(int(lead.sum())),
                -np.ones(int(dept.sum())), np.ones(int(unc.sum()))]
        return sparse.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.n_rows, len(edges)),
        )

    def fixed_columns(self) -> sparse.csc_matrix:
        """Vacancy columns, then one ``y`` column per (department-rule project, department)."""
        pr = self.problem
        slots = np.repeat(np.arange(self.n_dept), self.n_depts)
        y = np.arange(self.n_dept * self.n_depts)
        rows = np.concatenate([np.arange(pr.n_roles), self.link_row + y, self.count_row + slots])
        cols = np.concatenate([np.arange(pr.n_roles), pr.n_roles + y, pr.n_roles + y])
        return sparse.csc_matrix(
            (np.ones(rows.size), (rows, cols)), shape=(self.n_rows, self.n_fixed_cols)
        )

    def row_bounds(self, active: frozenset[Rule] | None) -> tuple[FloatArray, FloatArray]:
        """Lower and upper row bounds; rules outside ``active`` (if given) are dropped."""
        pr = self.problem
        k = pr.min_departments[self.dept_slot >= 0].astype(float)
        m = pr.min_stretch[self.stretch_slot >= 0].astype(float)
        if active is not None:
            k = k * self._in_force(active, RuleKind.DEPARTMENTS, self.dept_slot)
            m = m * self._in_force(active, RuleKind.STRETCH, self.stretch_slot)
        n_links = self.n_dept * self.n_depts
        lower = np.concatenate([pr.headcount.astype(float), np.full(2 * pr.n_people, -_INF),
                                np.full(n_links, -_INF), k, m])
        upper = np.concatenate([pr.headcount.astype(float), pr.capacity + FTE_TOLERANCE,
                                np.ones(pr.n_people), np.zeros(n_links),
                                np.full(k.size + m.size, _INF)])
        return lower, upper

    @staticmethod
    def _in_force(active: frozenset[Rule], kind: RuleKind, slot: IntArray) -> FloatArray:
        on = {rule.index for rule in active if rule.kind is kind}
        return np.array([int(j) in on for j in np.flatnonzero(slot >= 0)], dtype=float)


def _pinned(problem: StaffingProblem, edges: Edges, active: frozenset[Rule] | None) -> BoolArray:
    """Which pairs are fixed to 1 by a pin or groundwork rule in force."""
    keys = problem.pin_role * problem.n_people + problem.pin_person
    if active is not None:
        pins = (RuleKind.PIN, RuleKind.GROUNDWORK)
        on = sorted({rule.index for rule in active if rule.kind in pins})
        keys = keys[np.array(on, dtype=np.intp)]
    return np.isin(edges.role * problem.n_people + edges.person, keys)


def new_highs(problem: StaffingProblem) -> _Highs:
    h = _Highs()
    h.setOptionValue("output_flag", False)
    # one thread: on a shared machine HiGHS's second worker can stall the search and overrun
    # the time limit by minutes; one thread also makes runs repeatable. Presolve off: on these
    # models it costs more than it saves and ignores the time limit while it probes
    h.setOptionValue("threads", 1)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("random_seed", int(problem.settings.seed) % 2_147_483_647)
    return h


def run_highs(h: _Highs) -> None:
    """Run HiGHS; if the shared scheduler was started with more threads, restart it with one."""
    if h.run() == highspy.HighsStatus.kError and (
        h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        # another HiGHS user in this process started the scheduler first: HiGHS refuses a
        # different thread count until the scheduler is reset (no solve runs concurrently here)
        _Highs.resetGlobalScheduler(True)
        h.run()


def pass_model(
    h: _Highs,
    layout: Layout,
    edges: Edges,
    *,
    active: frozenset[Rule] | None = None,
    feasibility: bool = False,
) -> None:
    """Load the LP relaxation; a feasibility model has a zero objective."""
    pr = layout.problem
    matrix = sparse.hstack([layout.fixed_columns(), layout.x_columns(edges)], format="csc")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    n_y = layout.n_fixed_cols - pr.n_roles
    cost = np.concatenate([-pr.settings.vacancy_penalty * pr.fte, np.zeros(n_y),
                           pr.fte[edges.role] * edges.value])
    lp.col_cost_ = np.zeros_like(cost) if feasibility else cost
    lp.col_lower_ = np.concatenate([np.zeros(layout.n_fixed_cols),
                                    _pinned(pr, edges, active).astype(float)])
    lp.col_upper_ = np.concatenate([pr.headcount.astype(float), np.ones(n_y + len(edges))])
    lp.row_lower_, lp.row_upper_ = layout.row_bounds(active)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)


def set_integral(h: _Highs, layout: Layout, n_edges: int) -> None:
    start = layout.n_fixed_cols
    cols = np.arange(start, start + n_edges, dtype=np.int32)
    kinds = np.full(n_edges, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
    h.changeColsIntegrality(n_edges, cols, kinds)


def _full_solution(layout: Layout, edges: Edges, seats: Seats) -> FloatArray:
    """A complete column vector (v, y, x) for ``seats``, to warm-start HiGHS."""
    pr = layout.problem
    fill = np.bincount(seats.role, minlength=pr.n_roles)
    y = np.zeros(layout.n_dept * layout.n_depts)
    project = pr.role_project[seats.role]
    has = layout.dept_slot[project] >= 0
    y[layout.dept_slot[project[has]] * layout.n_depts + pr.department[seats.person[has]]] = 1.0
    x = np.isin(edges.role * pr.n_people + edges.person,
                seats.role * pr.n_people + seats.person).astype(float)
    return np.concatenate([(pr.headcount - fill).astype(float), y, x])


# -- HiGHS branch and bound ---------------------------------------------------------------


def x_values(h: _Highs, layout: Layout) -> FloatArray:
    return np.asarray(h.getSolution().col_value)[layout.n_fixed_cols :]


@dataclass(frozen=True, eq=False)
class MipResult:
    seats: Seats | None
    status: str
    bound: float | None
    nodes: int


def _branch_and_bound(
    h: _Highs, layout: Layout, edges: Edges, start: Seats | None, time_limit: float
) -> MipResult:
    pr = layout.problem
    set_integral(h, layout, len(edges))
    h.setOptionValue("time_limit", max(time_limit, 0.5))
    h.setOptionValue("mip_rel_gap", pr.settings.mip_gap)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = _full_solution(layout, edges, start)
        solution.value_valid = True
        h.setSolution(solution)
    run_highs(h)
    status = h.getModelStatus()
    info = h.getInfo()
    nodes = int(info.mip_node_count)
    if status == highspy.HighsModelStatus.kInfeasible:
        return MipResult(None, "infeasible", None, nodes)
    if info.primal_solution_status != highspy.kSolutionStatusFeasible:
        return MipResult(None, "unknown", None, nodes)
    x = x_values(h, layout) > 0.5
    seats = Seats(person=edges.person[x], role=edges.role[x])
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return MipResult(seats, label, float(info.mip_dual_bound), nodes)


def solve_mip(
    problem: StaffingProblem, edges: Edges, start: Seats | None, seconds: float
) -> MipResult:
    """HiGHS on the candidates, warm-started from ``start``."""
    layout = Layout.of(problem)
    h = new_highs(problem)
    pass_model(h, layout, edges)
    return _branch_and_bound(h, layout, edges, start, seconds)
