"""The Lagrangian relaxation of a round and its subgradient optimisation.

Step 2 of ``solver``'s docstring: the role rows and project rules are
relaxed with multipliers; each person's FTE knapsack and one-lead limit are
kept and solved exactly by dynamic programming over FTE units, for everyone
in one compiled pass (``kernels.knapsack_choices``). Every few steps the
relaxed choice is repaired into a plan.
"""


from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mts.staffing.board import (
    Board,
    Candidates,
    Seats,
    fill_from_everyone,
    fill_open_seats,
    improve,
    meet_rules_preferring,
    objective,
    violations,
)
from mts.staffing.kernels import knapsack_choices
from mts.staffing.problem import BoolArray, Edges, FloatArray, IntArray, StaffingProblem

_UNIT_CHOICES = (0.1, 0.05, 0.025, 0.01)
MAX_SLOTS = 24  # items per person in one knapsack; beyond that the bound adds their profit
PROFIT_TOLERANCE = 1e-9
_REPAIR_SHARE = 1 / 3  # of the subgradient's time, at most, for its repairs (see _RepairPace)
_SLOW_REPAIR = 1.0  # seconds; a repair quicker than this never spaces repairs out


# -- Lagrangian relaxation ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Arcs:
    """The candidate pairs with what the relaxation needs, fixed across iterations.

    FTE is counted in whole ``unit`` s: exact when every FTE is a multiple of
    the unit, otherwise role FTE is rounded down and capacity up, which only
    loosens the knapsacks, so the bound stays valid.
    """

    problem: StaffingProblem
    edges: Edges
    gain: FloatArray
    weight: IntArray
    lead: BoolArray
    project: IntArray
    uncertain: BoolArray
    department: IntArray
    pinned: BoolArray
    capacity: IntArray
    pin_lead: BoolArray

    @staticmethod
    def of(problem: StaffingProblem, edges: Edges) -> Arcs:
        unit = fte_unit(problem)
        weight = np.floor(problem.fte / unit + 1e-6).astype(np.intp)
        p, r = edges.person, edges.role
        keys = problem.pin_role * problem.n_people + problem.pin_person
        pinned = np.isin(r * problem.n_people + p, keys)
        capacity = np.ceil(problem.capacity / unit - 1e-6).astype(np.intp)
        capacity -= np.bincount(p[pinned], weights=weight[r[pinned]],
                                minlength=problem.n_people).astype(np.intp)
        pin_lead = np.zeros(problem.n_people, dtype=bool)
        pin_lead[p[pinned & problem.is_lead[r]]] = True
        return Arcs(
            problem=problem,
            edges=edges,
            gain=problem.fte[r] * edges.value,
            weight=weight[r],
            lead=problem.is_lead[r],
            project=problem.role_project[r],
            uncertain=problem.uncertain[p],
            department=problem.department[p],
            pinned=pinned,
            capacity=np.maximum(capacity, 0),
            pin_lead=pin_lead,
        )

    # built at first use: arcs made only for pricing never need them (at 100,000 people
    # the sort alone takes about half a second)
    @cached_property
    def by_person(self) -> IntArray:
        """The arcs person by person (in arc order within each)."""
        return np.argsort(self.edges.person, kind="stable")

    @cached_property
    def person_start(self) -> IntArray:
        """Where each person's run starts in ``by_person``; one more entry at the end."""
        counts = np.bincount(self.edges.person, minlength=self.problem.n_people)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)


def fte_unit(problem: StaffingProblem) -> float:
    """The coarsest FTE unit every role FTE and capacity is a multiple of (else 0.01)."""
    values = np.concatenate([problem.fte, problem.capacity])
    for unit in _UNIT_CHOICES:
        scaled = values / unit
        if np.allclose(scaled, np.round(scaled), atol=1e-6):
            return unit
    return _UNIT_CHOICES[-1]


@dataclass(eq=False)
class Multipliers:
    """``u`` per role (free), ``lambda`` per project (>= 0), ``mu`` per project and department."""

    role: FloatArray
    stretch: FloatArray
    link: FloatArray

    def copy(self) -> Multipliers:
        """An independent copy."""
        return Multipliers(self.role.copy(), self.stretch.copy(), self.link.copy())

    def profit(self, arcs: Arcs) -> FloatArray:
        """Each pair's Lagrangian profit ``fte value - u_r + lambda_j [uncertain] + mu_jd``."""
        return (arcs.gain - self.role[arcs.edges.role]
                + self.stretch[arcs.project] * arcs.uncertain
                + self.link[arcs.project, arcs.department])


@dataclass(frozen=True, eq=False)
class Relaxed:
    """One evaluation of the dual function: its value, each pair's profit, the relaxed choice,
    the subgradient."""

    value: float
    profit: FloatArray
    chosen: BoolArray
    role_slack: FloatArray
    stretch_slack: FloatArray
    link_slack: FloatArray


def evaluate(arcs: Arcs, mult: Multipliers) -> Relaxed:
    """``L(u, lambda, mu)`` and its subgradient (see the module docstring)."""
    pr = arcs.problem
    profit = mult.profit(arcs)
    chosen, knapsacks = _knapsacks(arcs, profit)
    chosen |= arcs.pinned
    open_value = -pr.settings.vacancy_penalty * pr.fte - mult.role
    vacant = np.where(open_value > 0, pr.headcount, 0)
    picked, link_value = _departments_chosen(pr, mult)
    value = (float(mult.role @ pr.headcount) + float(open_value.clip(0) @ pr.headcount)
             + knapsacks + float(profit[arcs.pinned].sum())
             - float(mult.stretch @ pr.min_stretch) - link_value)
    fill = np.bincount(arcs.edges.role[chosen], minlength=pr.n_roles)
    n_projects = len(pr.projects)
    stretch_count = np.bincount(arcs.project[chosen & arcs.uncertain], minlength=n_projects)
    links = np.zeros_like(mult.link)
    np.add.at(links, (arcs.project[chosen], arcs.department[chosen]), 1.0)
    return Relaxed(
        value=value,
        profit=profit,
        chosen=chosen,
        role_slack=(pr.headcount - fill - vacant).astype(float),
        stretch_slack=np.where(pr.min_stretch > 0, stretch_count - pr.min_stretch, 0.0),
        link_slack=np.where(pr.min_departments[:, None] > 0, links - picked, 0.0),
    )


def _departments_chosen(pr: StaffingProblem, mult: Multipliers) -> tuple[FloatArray, float]:
    """The ``y`` part: each ruled project opens its ``k`` departments with the smallest ``mu``."""
    picked = np.zeros_like(mult.link)
    total = 0.0
    for j in np.flatnonzero(pr.min_departments > 0).tolist():
        k = min(int(pr.min_departments[j]), mult.link.shape[1])
        cheapest = np.argsort(mult.link[j], kind="stable")[:k]
        picked[j, cheapest] = 1.0
        total += float(mult.link[j, cheapest].sum())
    return picked, total


def _knapsacks(arcs: Arcs, profit: FloatArray) -> tuple[BoolArray, float]:
    """Every person's best set of pairs and their total profit, at most ``MAX_SLOTS`` pairs a
    person in the table (``kernels.knapsack_choices`` says how the rest still count)."""
    chosen = np.zeros(len(arcs.edges), dtype=bool)
    total = knapsack_choices(arcs.by_person, arcs.person_start, profit, arcs.weight, arcs.lead,
                             arcs.pinned, arcs.capacity, arcs.pin_lead, MAX_SLOTS,
                             PROFIT_TOLERANCE, chosen)
    return chosen, total


# -- subgradient optimisation and repair --------------------------------------------------


@dataclass(eq=False)
class Search:
    """The best bound, multipliers and plan found so far."""

    bound: float
    multipliers: Multipliers
    seats: Seats
    objective: float
    feasible: bool
    iterations: int = 0


def initial_multipliers(problem: StaffingProblem, seats: Seats) -> Multipliers:
    """``u_r`` = FTE x the weakest seated value of a full role, or the vacancy cost if open."""
    values = problem.model.pair_values(seats.person, seats.role)
    weakest = np.full(problem.n_roles, np.inf)
    np.minimum.at(weakest, seats.role, values)
    full = np.bincount(seats.role, minlength=problem.n_roles) >= problem.headcount
    open_cost = -problem.settings.vacancy_penalty * problem.fte
    role = np.where(full & np.isfinite(weakest), problem.fte * weakest, open_cost)
    n_projects = len(problem.projects)
    return Multipliers(role, np.zeros(n_projects), np.zeros((n_projects,
                                                              len(problem.departments))))


def subgradient(
    problem: StaffingProblem, arcs: Arcs, search: Search, deadline: float, iterations: int
) -> None:
    """Minimise the dual function by subgradient steps, repairing a plan every few steps.

    Step ``t = alpha (L - target) / |g|^2`` (Polyak) with the target the best
    plan's value (half a percent under the best bound while no plan meets
    every rule); ``alpha`` halves after ``patience`` steps without a better
    bound. A target tied to the bound instead moves prices that start far
    from the duals by half a percent a step: at 100,000 people, where no LP
    runs first, its repairs then gave a plan 5.8% worse (38,704 against
    41,086, the same hour).
    Stops at the iteration limit, the deadline, or once the gap is within
    ``mip_gap``.

    A plan is repaired from the relaxed choice every ``repair_every`` steps,
    or more rarely when repairs are slow beside steps (``_RepairPace``).
    """
    settings = problem.settings
    mult = search.multipliers.copy()
    alpha, stale, patience = 1.0, 0, 15
    lists = Candidates.of(arcs.edges, problem.n_roles)
    pace = _RepairPace(settings.repair_every)
    for _ in range(iterations):
        stepped = time.perf_counter()
        relaxed = evaluate(arcs, mult)
        pace.stepped(time.perf_counter() - stepped)
        search.iterations += 1
        if relaxed.value < search.bound - 1e-9:
            search.bound, search.multipliers, stale = relaxed.value, mult.copy(), 0
        else:
            stale += 1
        if stale >= patience:
            alpha, stale = alpha / 2, 0
        if pace.due():
            repaired = time.perf_counter()
            _repair_into(problem, arcs, relaxed, lists, search)
            pace.repaired(time.perf_counter() - repaired)
        if _converged(search, settings.mip_gap) or alpha < 1e-3 or time.perf_counter() > deadline:
            break
        target = search.objective if search.feasible else search.bound - 0.005 * abs(search.bound)
        mult = _step(mult, relaxed, alpha * (relaxed.value - target))
    final = evaluate(arcs, search.multipliers)
    _repair_into(problem, arcs, final, lists, search, passes=3)


@dataclass
class _RepairPace:
    """When the subgradient repairs a plan: at the first step, then every ``every`` steps,
    or, once a repair takes over ``_SLOW_REPAIR``, spaced so that repairs take at most
    ``_REPAIR_SHARE`` of the time, whichever is rarer.

    At 100,000 people a repair took 7 s against 0.36 s a step, so repairs
    every 20 steps used 58% of the subgradient's time; the plans the repairs
    give improve as the prices do, and every 40 steps the round ended at
    58,550 against 56,325 (one run each, the same hour).
    """

    every: int
    since: int | None = None  # steps since the last repair
    step_seconds: float = 0.0
    gap: int = 0

    def stepped(self, seconds: float) -> None:
        self.step_seconds = seconds
        if self.since is not None:
            self.since += 1

    def due(self) -> bool:
        return self.since is None or self.since >= max(self.every, self.gap)

    def repaired(self, seconds: float) -> None:
        self.since = 0
        if seconds < _SLOW_REPAIR:  # timings never decide on small rounds: they repeat exactly
            return
        # spaced this many steps apart, repairs take at most _REPAIR_SHARE of the time
        self.gap = math.ceil(seconds * (1 / _REPAIR_SHARE - 1) / max(self.step_seconds, 1e-9))


def _converged(search: Search, gap: float) -> bool:
    allowed = gap * max(abs(search.objective), 1.0)
    return search.feasible and search.bound - search.objective <= allowed


def _step(mult: Multipliers, relaxed: Relaxed, scale: float) -> Multipliers:
    norm = (float(relaxed.role_slack @ relaxed.role_slack)
            + float(relaxed.stretch_slack @ relaxed.stretch_slack)
            + float((relaxed.link_slack**2).sum()))
    if norm == 0:
        return mult
    t = max(scale, 0.0) / norm
    return Multipliers(
        role=mult.role - t * relaxed.role_slack,
        stretch=np.maximum(0.0, mult.stretch - t * relaxed.stretch_slack),
        link=np.maximum(0.0, mult.link - t * relaxed.link_slack),
    )


def _repair(
    problem: StaffingProblem,
    arcs: Arcs,
    relaxed: Relaxed,
    lists: Candidates,
    passes: int = 1,
) -> Seats:
    """Meet the rules, keep each role's best relaxed takers, fill by profit, improve."""
    e = arcs.edges
    board = Board.start(problem)
    chosen = np.flatnonzero(relaxed.chosen & ~arcs.pinned)
    meet_rules_preferring(board, e, chosen)
    chosen = chosen[np.lexsort((-e.value[chosen], e.role[chosen]))]
    for i in chosen.tolist():
        p, r = int(e.person[i]), int(e.role[i])
        if board.can_take(p, r):
            board.take(p, r, float(e.value[i]))
    fill_open_seats(board, e, np.argsort(-relaxed.profit, kind="stable"))
    improve(board, lists, passes)
    # a seat the candidates leave open costs the vacancy penalty; anyone with room beats that
    fill_from_everyone(board)
    return board.seats()


def _repair_into(
    problem: StaffingProblem,
    arcs: Arcs,
    relaxed: Relaxed,
    lists: Candidates,
    search: Search,
    passes: int = 1,
) -> None:
    """Turn the relaxed choice into a plan; keep it if it beats the best so far."""
    seats = _repair(problem, arcs, relaxed, lists, passes)
    feasible = not violations(problem, seats)
    value = objective(problem, seats)
    if (feasible, value) > (search.feasible, search.objective):
        search.seats, search.objective, search.feasible = seats, value, feasible


@dataclass(frozen=True, eq=False)
class Walk:
    """Where ``walk`` went: every pair a relaxed choice took on the way, and the multipliers
    of the lowest dual value met over the arcs."""

    chosen: Edges
    multipliers: Multipliers


def walk(arcs: Arcs, mult: Multipliers, target: float, steps: int, most: int,
         deadline: float) -> Walk:
    """Up to ``steps`` subgradient steps from ``mult`` towards ``target`` (a plan's value;
    Polyak steps as in ``subgradient``, without repairs), until the pairs the relaxed
    choices took would pass ``most`` or the deadline passes.

    Near good multipliers successive choices differ in the contested seats,
    and together they hold the pairs a good plan needs. Far from them (the
    greedy plan's values), a few steps already move the prices to where
    pricing finds the pairs an LP will want.
    """
    taken = np.zeros(len(arcs.edges), dtype=bool)
    best, best_value = mult, np.inf
    for _ in range(steps):
        relaxed = evaluate(arcs, mult)
        grown = taken | relaxed.chosen
        if np.count_nonzero(grown) > most:
            break
        taken = grown
        if relaxed.value < best_value:
            best, best_value = mult, relaxed.value
        if time.perf_counter() > deadline:
            break
        mult = _step(mult, relaxed, relaxed.value - target)
    return Walk(arcs.edges.subset(taken), best)
