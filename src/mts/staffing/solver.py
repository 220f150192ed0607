"""Solving a staffing round: heuristics, a Lagrangian bound, and HiGHS.

The model. Maximise over binary ``x_e`` (pair ``e = (p, r)`` holds a seat)
and vacancies ``v_r >= 0``::

    sum_e fte_r value_e x_e  -  penalty * sum_r fte_r v_r

a seat counting in proportion to its FTE (a full-time seat held by a strong
person is worth more than a one-day-a-week seat), subject to::

    sum_{e in r} x_e + v_r = headcount_r                  every role: filled or explicitly vacant
    sum_{e of p} fte_r x_e <= capacity_p                  FTE cap minus what p already holds
    sum_{e of p, r lead} x_e <= 1                         at most one lead per person
    y_jd <= sum_{e in j, p in d} x_e,  sum_d y_jd >= k_j  department rule (y in [0, 1])
    sum_{e in j, p uncertain} x_e >= m_j                  stretch rule
    x_e = 1 for pinned pairs (council pins, groundwork continuity)

The steps:

1. A rule-aware greedy (the baseline the plan is never worse than).
   Every pair is then priced once at the values the greedy plan implies
   (a role is worth its weakest holder), so that the candidates hold the
   pairs a good plan needs, not only each role's and person's favourites.
2. Lagrangian relaxation of the role rows and project rules (multipliers
   ``u_r``, ``lambda_j``, ``mu_jd``), keeping each person's FTE knapsack and
   one-lead limit, which the LP relaxation loses (Fisher 1981; the bound is
   at least as tight as the LP's). Each person solves::

       K_p(u) = max sum_{e in S} (fte_r value_e - u_r + lambda_j [p uncertain] + mu_{j,d(p)})
                over sets S of p's pairs that fit p's FTE and hold at most one lead

   exactly, by dynamic programming over FTE units, for everyone at once; the
   bound is ``L(u) = sum_r u_r h_r + sum_r h_r max(0, -penalty fte_r - u_r) + sum_p K_p(u)
   - sum_j lambda_j m_j - sum_j (the k_j smallest mu_jd)``, minimised by
   subgradient steps (Polyak step lengths), starting from the LP
   relaxation's duals. The LP (HiGHS's dual simplex, on the candidates)
   runs first: at its duals every pair is priced, the pairs that could pay
   join as columns and the LP is re-solved warm, until nothing joins or its
   share of the time is used (a dual simplex stopped early still has duals).
   Its last solution, rounded (rules first, then pairs by LP share, then
   fill and local search), is a plan; on large rounds it is usually the best
   one before neighbourhood search.
   Every few steps the relaxed choice is repaired into a plan: the project
   rules are met, overfilled roles keep their best, open seats are filled,
   then local search (fill, replace, eject into open seats).
3. Pricing: every pair left out of the candidate set is revalued at the
   final multipliers and each person's best pairs are added (column
   generation), so the bound holds for the whole organisation, not just the
   candidates; skipped when a pass over every pair would overrun the time.
   The subgradient rounds before a pricing get half the time left each, so
   the multipliers can adapt to what pricing adds.
4. HiGHS branch and bound on all candidates, warm-started from the best
   plan, when they are few enough (``mip_max_pairs``); otherwise large
   neighbourhood search: groups of projects re-solved exactly by HiGHS with
   every other seat held fixed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import highspy
import numpy as np
from highspy._core import _Highs  # the plain core: highspy.Highs prints a banner to stdout
from scipy import sparse

from mts.domain.errors import Infeasible
from mts.staffing import kernels
from mts.staffing.problem import (
    FTE_TOLERANCE,
    BestPerPerson,
    BoolArray,
    Edges,
    FloatArray,
    IntArray,
    Rule,
    RuleKind,
    StaffingProblem,
    no_edges,
)

_INF = highspy.kHighsInf
_WIDEN_LIMIT = 3_000_000  # pairs; above this, widening for a diagnosis stops at 10 x top_k
_FILTER_LIMIT = 40  # rules a deletion filter may test one by one
_UNIT_CHOICES = (0.1, 0.05, 0.025, 0.01)
_MAX_SLOTS = 24  # items per person in one knapsack; beyond that the bound adds their profit
_LIST_CHUNK = 100_000  # pairs turned into Python lists at once by the greedy
_PROFIT_TOLERANCE = 1e-9
_LP_SHARE = 0.75  # of the time limit, at most, for the LP and its pricing rounds
_SUPPORT_SHARE = 0.1  # of the time limit, at most, for HiGHS on the pairs the LP uses
_RELAX_SHARE = 0.75  # the relaxation ends here too (it gets what the LP leaves); then LNS
_BOUND_TOLERANCE = 1e-7  # objective units; HiGHS's bounds are exact to its tolerances only


@dataclass(frozen=True, eq=False, kw_only=True)
class Seats:
    """A set of filled seats as parallel arrays of person and role rows."""

    person: IntArray
    role: IntArray

    def __len__(self) -> int:
        return int(self.person.size)


@dataclass(frozen=True, eq=False, kw_only=True)
class Solution:
    """Seats plus how they were found; ``bound`` is an upper bound on the objective."""

    seats: Seats
    objective: float
    status: str
    method: str
    bound: float | None
    bound_scope: str
    mip_bound: float | None
    seconds: float
    edges: Edges
    added_by_pricing: int
    mip_nodes: int
    greedy_objective: float | None
    iterations: int = 0


def objective(problem: StaffingProblem, seats: Seats) -> float:
    """``sum fte * value`` over the seats minus ``penalty * fte`` for every unfilled seat."""
    values = problem.model.pair_values(seats.person, seats.role)
    vacant = float(problem.fte @ problem.headcount) - float(problem.fte[seats.role].sum())
    filled = float(problem.fte[seats.role] @ values)
    return filled - problem.settings.vacancy_penalty * vacant


def violations(problem: StaffingProblem, seats: Seats) -> list[str]:
    """Every hard rule ``seats`` breaks; empty for a valid plan."""
    found = []
    p, r = seats.person, seats.role
    fill = np.bincount(r, minlength=problem.n_roles)
    if (fill > problem.headcount).any():
        found.append("a role is overfilled")
    load = np.bincount(p, weights=problem.fte[r], minlength=problem.n_people)
    if (load > problem.capacity + 1e-6).any():
        found.append("someone exceeds their FTE cap")
    if (np.bincount(p[problem.is_lead[r]], minlength=problem.n_people) > 1).any():
        found.append("someone leads twice")
    if np.unique(r * problem.n_people + p).size < p.size:
        found.append("someone holds two seats of one role")
    held = set(zip(p.tolist(), r.tolist(), strict=True))
    found += [rule.label for rule in problem.rules if not _rule_holds(problem, seats, held, rule)]
    return found


def _rule_holds(
    problem: StaffingProblem, seats: Seats, held: set[tuple[int, int]], rule: Rule
) -> bool:
    if rule.kind in (RuleKind.PIN, RuleKind.GROUNDWORK):
        pair = (int(problem.pin_person[rule.index]), int(problem.pin_role[rule.index]))
        return pair in held
    in_project = problem.role_project[seats.role] == rule.index
    if rule.kind is RuleKind.STRETCH:
        count = int(problem.uncertain[seats.person[in_project]].sum())
        return count >= int(problem.min_stretch[rule.index])
    departments = int(np.unique(problem.department[seats.person[in_project]]).size)
    return departments >= int(problem.min_departments[rule.index])


# -- the board: who sits where, with room and rules tracked --------------------------------


@dataclass(eq=False)
class _Board:
    """A plan being built or improved, with each person's room and each project's rule counts."""

    problem: StaffingProblem
    room: FloatArray
    leading: BoolArray
    seated: list[dict[int, float]]
    holding: list[set[int]]
    uncertain_seats: IntArray
    department_seats: IntArray
    pinned: set[tuple[int, int]]

    @staticmethod
    def start(problem: StaffingProblem) -> _Board:
        """An empty plan with the pins seated."""
        board = _Board(
            problem=problem,
            room=problem.capacity.copy(),
            leading=~problem.may_lead,
            seated=[{} for _ in range(problem.n_roles)],
            holding=[set() for _ in range(problem.n_people)],
            uncertain_seats=np.zeros(len(problem.projects), dtype=np.intp),
            department_seats=np.zeros((len(problem.projects), len(problem.departments)),
                                      dtype=np.intp),
            pinned=set(zip(problem.pin_person.tolist(), problem.pin_role.tolist(), strict=True)),
        )
        values = problem.model.pair_values(problem.pin_person, problem.pin_role)
        pins = zip(problem.pin_person.tolist(), problem.pin_role.tolist(), values.tolist(),
                   strict=True)
        for p, r, v in pins:
            board.take(p, r, v)
        return board

    def can_take(self, p: int, r: int) -> bool:
        """Whether ``p`` fits an open seat of ``r``: head count, FTE cap, one lead."""
        pr = self.problem
        return (
            len(self.seated[r]) < pr.headcount[r]
            and self.room[p] >= pr.fte[r] - FTE_TOLERANCE
            and not (pr.is_lead[r] and self.leading[p])
            and p not in self.seated[r]
        )

    def take(self, p: int, r: int, value: float) -> None:
        """Seat ``p`` on ``r``."""
        pr = self.problem
        self.seated[r][p] = value
        self.holding[p].add(r)
        self.room[p] -= pr.fte[r]
        self.leading[p] |= bool(pr.is_lead[r])
        j = pr.role_project[r]
        self.uncertain_seats[j] += int(pr.uncertain[p])
        self.department_seats[j, pr.department[p]] += 1

    def drop(self, p: int, r: int) -> None:
        """Unseat ``p`` from ``r``."""
        pr = self.problem
        del self.seated[r][p]
        self.holding[p].discard(r)
        self.room[p] += pr.fte[r]
        if pr.is_lead[r]:
            self.leading[p] = not pr.may_lead[p]
        j = pr.role_project[r]
        self.uncertain_seats[j] -= int(pr.uncertain[p])
        self.department_seats[j, pr.department[p]] -= 1

    def rules_allow_swap(self, r: int, out: int, into: int) -> bool:
        """Whether replacing ``out`` by ``into`` (-1: nobody) on ``r`` keeps the rules as met."""
        pr = self.problem
        j = pr.role_project[r]
        m = pr.min_stretch[j]
        into_uncertain = into >= 0 and bool(pr.uncertain[into])
        if m > 0 and pr.uncertain[out] and not into_uncertain and self.uncertain_seats[j] <= m:
            return False
        k = pr.min_departments[j]
        d_out = pr.department[out]
        d_in = pr.department[into] if into >= 0 else -1
        if k > 0 and d_out != d_in and self.department_seats[j, d_out] == 1:
            distinct = int((self.department_seats[j] > 0).sum())
            new = int(d_in >= 0 and self.department_seats[j, d_in] == 0)
            return bool(distinct - 1 + new >= min(k, distinct))
        return True

    def seats(self) -> Seats:
        """The plan as arrays."""
        pairs = [(p, r) for r, people in enumerate(self.seated) for p in people]
        return Seats(
            person=np.array([p for p, _ in pairs], dtype=np.intp),
            role=np.array([r for _, r in pairs], dtype=np.intp),
        )


def _board_of(problem: StaffingProblem, seats: Seats) -> _Board:
    """A board holding ``seats`` (pins included; seats that do not fit are skipped)."""
    board = _Board.start(problem)
    values = problem.model.pair_values(seats.person, seats.role)
    for p, r, v in zip(seats.person.tolist(), seats.role.tolist(), values.tolist(), strict=True):
        if (p, r) not in board.pinned and board.can_take(p, r):
            board.take(p, r, v)
    return board


# -- greedy -------------------------------------------------------------------------------


def greedy(problem: StaffingProblem, edges: Edges, order: IntArray | None = None) -> Seats:
    """Best-first seating that meets the project rules first.

    Pins first; then, project by project, the best uncertain people until the
    stretch rule holds and the best people from new departments until the
    department rule holds; then every remaining pair in ``order`` (by
    default, value descending) while it beats leaving the seat vacant.
    """
    board = _Board.start(problem)
    _meet_project_rules(board, edges)
    _fill(board, edges, order)
    return board.seats()


def _fill(board: _Board, edges: Edges, order: IntArray | None = None) -> None:
    order = np.argsort(-edges.value, kind="stable") if order is None else order
    order = order[edges.value[order] > -board.problem.settings.vacancy_penalty]
    # a chunk at a time: Python lists of every pair at once took 500 MB at 100,000 people
    for start in range(0, order.size, _LIST_CHUNK):
        chunk = order[start : start + _LIST_CHUNK]
        for p, r, v in zip(edges.person[chunk].tolist(), edges.role[chunk].tolist(),
                           edges.value[chunk].tolist(), strict=True):
            if board.can_take(p, r):
                board.take(p, r, v)


def _meet_project_rules(board: _Board, edges: Edges) -> None:
    """Seat the best uncertain people and people from new departments until each rule holds.

    Candidates first; for a project still short, everyone eligible for its roles.
    """
    problem = board.problem
    ruled = np.flatnonzero((problem.min_stretch > 0) | (problem.min_departments > 0))
    for j, mine in _by_project(problem, edges, ruled):
        _meet_rules_from(board, j, edges.person[mine], edges.role[mine], edges.value[mine])
    for j in [j for j in ruled.tolist() if not _rules_met(board, j)]:
        roles = problem.project_roles(j)
        column = problem.select_candidates(roles, problem.n_people)
        _meet_rules_from(board, j, column.person, column.role, column.value)


def _by_project(
    problem: StaffingProblem, edges: Edges, projects: IntArray
) -> Iterator[tuple[int, IntArray]]:
    """For each project in ``projects``, the positions of its pairs in ``edges``."""
    project = problem.role_project[edges.role]
    order = np.argsort(project, kind="stable")
    bounds = np.searchsorted(project[order], np.r_[projects, projects + 1].reshape(2, -1))
    for j, lo, hi in zip(projects.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
        yield j, order[lo:hi]


def _rules_met(board: _Board, j: int) -> bool:
    pr = board.problem
    stretch = board.uncertain_seats[j] >= pr.min_stretch[j]
    return bool(stretch and (board.department_seats[j] > 0).sum() >= pr.min_departments[j])


def _meet_rules_from(
    board: _Board, j: int, people: IntArray, roles: IntArray, values: FloatArray
) -> None:
    problem = board.problem
    order = np.argsort(-values, kind="stable")
    pairs = list(zip(people[order].tolist(), roles[order].tolist(), values[order].tolist(),
                     strict=True))
    for p, r, v in pairs:
        if board.uncertain_seats[j] >= problem.min_stretch[j]:
            break
        if problem.uncertain[p] and board.can_take(p, r):
            board.take(p, r, v)
    for p, r, v in pairs:
        if (board.department_seats[j] > 0).sum() >= problem.min_departments[j]:
            break
        if board.department_seats[j, problem.department[p]] == 0 and board.can_take(p, r):
            board.take(p, r, v)


def greedy_baseline(problem: StaffingProblem) -> Seats:
    """The greedy plan over the candidates; any seat it leaves open goes to the best eligible
    person who still has room, if anyone has."""
    board = _Board.start(problem)
    _meet_project_rules(board, problem.edges)
    _fill(board, problem.edges)
    _fill_from_everyone(board)
    return board.seats()


def _fill_from_everyone(board: _Board) -> None:
    """Give each open seat, role by role, to the best eligible person with room left."""
    pr = board.problem
    fill = np.array([len(s) for s in board.seated])
    short = np.flatnonzero((fill < pr.headcount) & np.isfinite(pr.left_out_best))
    floor = -pr.settings.vacancy_penalty
    for rows, value in pr.value_blocks(short):
        for r, column in zip(rows.tolist(), value, strict=True):
            while len(board.seated[r]) < pr.headcount[r]:
                fits = board.room >= pr.fte[r] - FTE_TOLERANCE
                if pr.is_lead[r]:
                    fits &= ~board.leading
                masked = np.where(fits & (column > floor), column, -np.inf)
                masked[list(board.seated[r])] = -np.inf
                p = int(np.argmax(masked))
                if not np.isfinite(masked[p]):
                    break
                board.take(p, r, float(column[p]))


# -- local search -------------------------------------------------------------------------


def _improve(board: _Board, lists: _Candidates, passes: int = 2) -> None:
    """Local search over the candidates: fill, replace, and eject into open seats.

    Per role, candidates in value order: fill an open seat with anyone who has
    room; replace the weakest holder by someone better with room (rules
    permitting); for an open seat, move a candidate off a seat of theirs
    worth less and refill that seat from its own candidates (an ejection
    chain of length two). Stops early when a pass changes nothing.
    """
    for _ in range(passes):
        changed = sum(_improve_role(board, r, lists) for r in range(board.problem.n_roles))
        if changed == 0:
            return


@dataclass(frozen=True, eq=False)
class _Candidates:
    """Each role's candidates, best first, as Python lists for tight loops."""

    people: list[list[int]]
    values: list[list[float]]

    @staticmethod
    def of(edges: Edges, n_roles: int) -> _Candidates:
        starts = np.searchsorted(edges.role, np.arange(n_roles + 1)).tolist()
        return _Candidates(
            [edges.person[starts[r] : starts[r + 1]].tolist() for r in range(n_roles)],
            [edges.value[starts[r] : starts[r + 1]].tolist() for r in range(n_roles)],
        )


def _improve_role(board: _Board, r: int, lists: _Candidates) -> int:
    pr = board.problem
    changed = 0
    weakest = _weakest(board, r)
    for q, value in zip(lists.people[r], lists.values[r], strict=True):
        seated = board.seated[r]
        if q in seated:
            continue
        if len(seated) < pr.headcount[r]:
            if board.can_take(q, r) and value > -pr.settings.vacancy_penalty:
                board.take(q, r, value)
            elif not _eject_into(board, r, q, value, lists):
                continue
            changed += 1
            weakest = _weakest(board, r)
            continue
        if weakest is None or seated[weakest] >= value:
            break  # candidates come in value order: nobody further down beats the weakest
        if _fits_instead(board, r, q) and board.rules_allow_swap(r, weakest, q):
            board.drop(weakest, r)
            board.take(q, r, value)
            changed += 1
            weakest = _weakest(board, r)
    return changed


def _weakest(board: _Board, r: int) -> int | None:
    """The lowest-valued holder of ``r`` who is not pinned there."""
    seated = board.seated[r]
    movable = [p for p in seated if (p, r) not in board.pinned]
    return min(movable, key=seated.__getitem__, default=None)


def _fits_instead(board: _Board, r: int, q: int) -> bool:
    pr = board.problem
    return bool(board.room[q] >= pr.fte[r] - FTE_TOLERANCE
                and not (pr.is_lead[r] and board.leading[q]))


def _eject_into(board: _Board, r: int, q: int, value: float, lists: _Candidates) -> bool:
    """Move ``q`` into an open seat of ``r`` from a seat worth less, refilling that seat."""
    pr = board.problem
    penalty = pr.settings.vacancy_penalty
    gain_here = pr.fte[r] * (value + penalty)
    for r2 in sorted(board.holding[q]):
        if (q, r2) in board.pinned:
            continue
        room = board.room[q] + pr.fte[r2]
        lead_ok = not pr.is_lead[r] or pr.is_lead[r2] or not board.leading[q]
        if room < pr.fte[r] - FTE_TOLERANCE or not lead_ok:
            continue
        refill = _best_refill(board, r2, q, lists)
        lost = pr.fte[r2] * (board.seated[r2][q] - (refill[1] if refill else -penalty))
        into = refill[0] if refill else -1
        if gain_here - lost <= 1e-12 or not board.rules_allow_swap(r2, q, into):
            continue
        board.drop(q, r2)
        board.take(q, r, value)
        if refill is not None:
            board.take(refill[0], r2, refill[1])
        return True
    return False


def _best_refill(
    board: _Board, r: int, leaving: int, lists: _Candidates
) -> tuple[int, float] | None:
    """The best candidate of ``r`` who could take the seat ``leaving`` frees."""
    floor = -board.problem.settings.vacancy_penalty
    for z, value in zip(lists.people[r], lists.values[r], strict=True):
        if value <= floor:
            return None
        if z != leaving and z not in board.seated[r] and _fits_instead(board, r, z):
            return z, value
    return None


# -- Lagrangian relaxation ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Arcs:
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
    def of(problem: StaffingProblem, edges: Edges) -> _Arcs:
        unit = _unit(problem)
        weight = np.floor(problem.fte / unit + 1e-6).astype(np.intp)
        p, r = edges.person, edges.role
        keys = problem.pin_role * problem.n_people + problem.pin_person
        pinned = np.isin(r * problem.n_people + p, keys)
        capacity = np.ceil(problem.capacity / unit - 1e-6).astype(np.intp)
        capacity -= np.bincount(p[pinned], weights=weight[r[pinned]],
                                minlength=problem.n_people).astype(np.intp)
        pin_lead = np.zeros(problem.n_people, dtype=bool)
        pin_lead[p[pinned & problem.is_lead[r]]] = True
        return _Arcs(
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


def _unit(problem: StaffingProblem) -> float:
    """The coarsest FTE unit every role FTE and capacity is a multiple of (else 0.01)."""
    values = np.concatenate([problem.fte, problem.capacity])
    for unit in _UNIT_CHOICES:
        scaled = values / unit
        if np.allclose(scaled, np.round(scaled), atol=1e-6):
            return unit
    return _UNIT_CHOICES[-1]


@dataclass(eq=False)
class _Multipliers:
    """``u`` per role (free), ``lambda`` per project (>= 0), ``mu`` per project and department."""

    role: FloatArray
    stretch: FloatArray
    link: FloatArray

    def copy(self) -> _Multipliers:
        """An independent copy."""
        return _Multipliers(self.role.copy(), self.stretch.copy(), self.link.copy())

    def profit(self, arcs: _Arcs) -> FloatArray:
        """Each pair's Lagrangian profit ``fte value - u_r + lambda_j [uncertain] + mu_jd``."""
        return (arcs.gain - self.role[arcs.edges.role]
                + self.stretch[arcs.project] * arcs.uncertain
                + self.link[arcs.project, arcs.department])


@dataclass(frozen=True, eq=False)
class _Relaxed:
    """One evaluation of the dual function: its value, the relaxed choice, the subgradient."""

    value: float
    chosen: BoolArray
    role_slack: FloatArray
    stretch_slack: FloatArray
    link_slack: FloatArray


def _evaluate(arcs: _Arcs, mult: _Multipliers) -> _Relaxed:
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
    return _Relaxed(
        value=value,
        chosen=chosen,
        role_slack=(pr.headcount - fill - vacant).astype(float),
        stretch_slack=np.where(pr.min_stretch > 0, stretch_count - pr.min_stretch, 0.0),
        link_slack=np.where(pr.min_departments[:, None] > 0, links - picked, 0.0),
    )


def _departments_chosen(pr: StaffingProblem, mult: _Multipliers) -> tuple[FloatArray, float]:
    """The ``y`` part: each ruled project opens its ``k`` departments with the smallest ``mu``."""
    picked = np.zeros_like(mult.link)
    total = 0.0
    for j in np.flatnonzero(pr.min_departments > 0).tolist():
        k = min(int(pr.min_departments[j]), mult.link.shape[1])
        cheapest = np.argsort(mult.link[j], kind="stable")[:k]
        picked[j, cheapest] = 1.0
        total += float(mult.link[j, cheapest].sum())
    return picked, total


def _knapsacks(arcs: _Arcs, profit: FloatArray) -> tuple[BoolArray, float]:
    """Every person's best set of pairs, by dynamic programming over FTE units.

    Among pairs of the same FTE and lead status only the best ``capacity // fte``
    (one for leads) can ever be chosen, so only those enter the table; if a
    person still has more than ``_MAX_SLOTS``, the rest's profit is added to
    the bound (still an upper bound) and they are left unchosen.
    """
    e = arcs.edges
    usable = (profit > _PROFIT_TOLERANCE) & ~arcs.pinned
    usable &= arcs.weight <= arcs.capacity[e.person]
    usable &= ~(arcs.lead & arcs.pin_lead[e.person])
    idx = _dominant(arcs, profit, np.flatnonzero(usable))
    idx = idx[np.lexsort((-profit[idx], e.person[idx]))]
    slot = _rank_within(e.person[idx])
    overflow = float(profit[idx[slot >= _MAX_SLOTS]].sum())
    idx, slot = idx[slot < _MAX_SLOTS], slot[slot < _MAX_SLOTS]
    chosen = np.zeros(len(e), dtype=bool)
    if idx.size == 0:
        return chosen, overflow
    best, taken = _table(arcs, profit, idx, slot)
    chosen[taken] = True
    return chosen, best + overflow


def _dominant(arcs: _Arcs, profit: FloatArray, idx: IntArray) -> IntArray:
    """Drop pairs that a better pair of the same person, FTE and lead status always beats."""
    e = arcs.edges
    group = (e.person[idx] * 2 + arcs.lead[idx]) * (arcs.weight.max(initial=0) + 1)
    group += arcs.weight[idx]
    order = np.lexsort((-profit[idx], group))
    idx, group = idx[order], group[order]
    rank = _rank_within(group)
    weight = np.maximum(arcs.weight[idx], 1)
    limit = np.where(arcs.lead[idx], 1, arcs.capacity[e.person[idx]] // weight)
    limit = np.where(arcs.weight[idx] == 0, _MAX_SLOTS, limit)
    return idx[rank < limit]


def _rank_within(keys: IntArray) -> IntArray:
    """Position of each element within its run of equal (sorted) keys."""
    n = keys.size
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    first = np.r_[True, keys[1:] != keys[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    return np.arange(n) - start


def _table(
    arcs: _Arcs, profit: FloatArray, idx: IntArray, slot: IntArray
) -> tuple[float, IntArray]:
    """The knapsack table for everyone with items, then backtracking to the chosen pairs.

    ``best[l, c]`` is the most profit within ``c`` units holding ``l`` leads;
    a person whose pin already leads starts at ``l = 1``.
    """
    people, row = np.unique(arcs.edges.person[idx], return_inverse=True)
    n, slots = people.size, int(slot.max()) + 1
    cap = arcs.capacity[people]
    width = int(cap.max()) + 1
    grid = _Grid.of(arcs, profit, idx, row, slot, n, slots)
    best0 = np.where(arcs.pin_lead[people][:, None], -np.inf, np.zeros((n, width)))
    best1 = np.where(arcs.pin_lead[people][:, None], 0.0, np.full((n, width), -np.inf))
    took0, took1 = [], []
    c = np.arange(width)[None, :]
    for k in range(slots):
        w = grid.weight[:, k][:, None]
        source = np.clip(c - w, 0, None)
        fits = (c >= w) & grid.valid[:, k][:, None]
        gain = grid.profit[:, k][:, None]
        from0 = np.take_along_axis(best0, source, axis=1) + gain
        from1 = np.take_along_axis(best1, source, axis=1) + gain
        lead = grid.lead[:, k][:, None]
        new0 = np.where(fits & ~lead, from0, -np.inf)
        new1 = np.where(fits, np.where(lead, from0, from1), -np.inf)
        took0.append(new0 > best0)
        took1.append(new1 > best1)
        best0, best1 = np.maximum(best0, new0), np.maximum(best1, new1)
    at = np.arange(n)
    state = (best1[at, cap] > best0[at, cap]).astype(np.intp)
    total = float(np.maximum(best0[at, cap], best1[at, cap]).sum())
    return total, _backtrack(grid, took0, took1, cap, state)


@dataclass(frozen=True, eq=False)
class _Grid:
    """Items laid out as (people x slots) arrays."""

    arc: IntArray
    weight: IntArray
    profit: FloatArray
    lead: BoolArray
    valid: BoolArray

    @staticmethod
    def of(arcs: _Arcs, profit: FloatArray, idx: IntArray, row: IntArray, slot: IntArray,
           n: int, slots: int) -> _Grid:
        arc = np.full((n, slots), -1, dtype=np.intp)
        arc[row, slot] = idx
        valid = arc >= 0
        safe = np.where(valid, arc, 0)
        return _Grid(
            arc=arc,
            weight=np.where(valid, arcs.weight[safe], 0),
            profit=np.where(valid, profit[safe], 0.0),
            lead=valid & arcs.lead[safe],
            valid=valid,
        )


def _backtrack(
    grid: _Grid, took0: list[BoolArray], took1: list[BoolArray], cap: IntArray, state: IntArray
) -> IntArray:
    at = np.arange(cap.size)
    c, lead = cap.copy(), state.copy()
    taken = []
    for k in range(len(took0) - 1, -1, -1):
        took = np.where(lead == 1, took1[k][at, c], took0[k][at, c])
        taken.append(grid.arc[at[took], k])
        c = np.where(took, c - grid.weight[:, k], c)
        lead = np.where(took & grid.lead[:, k], 0, lead)
    return np.concatenate(taken) if taken else np.zeros(0, dtype=np.intp)


# -- subgradient optimisation and repair --------------------------------------------------


@dataclass(eq=False)
class _Search:
    """The best bound, multipliers and plan found so far."""

    bound: float
    multipliers: _Multipliers
    seats: Seats
    objective: float
    feasible: bool
    iterations: int = 0


def _initial_multipliers(problem: StaffingProblem, seats: Seats) -> _Multipliers:
    """``u_r`` = FTE x the weakest seated value of a full role, or the vacancy cost if open."""
    values = problem.model.pair_values(seats.person, seats.role)
    weakest = np.full(problem.n_roles, np.inf)
    np.minimum.at(weakest, seats.role, values)
    full = np.bincount(seats.role, minlength=problem.n_roles) >= problem.headcount
    open_cost = -problem.settings.vacancy_penalty * problem.fte
    role = np.where(full & np.isfinite(weakest), problem.fte * weakest, open_cost)
    n_projects = len(problem.projects)
    return _Multipliers(role, np.zeros(n_projects), np.zeros((n_projects,
                                                              len(problem.departments))))


def _subgradient(
    problem: StaffingProblem, arcs: _Arcs, search: _Search, deadline: float, iterations: int
) -> None:
    """Minimise the dual function by subgradient steps, repairing a plan every few steps.

    Step ``t = alpha (L - target) / |g|^2`` (Polyak) with the target the best
    plan's value, or half a percent under the best bound while plans lag
    behind; ``alpha`` halves after ``patience`` steps without a better bound.
    Stops at the iteration limit, the deadline, or once the gap is within
    ``mip_gap``.
    """
    settings = problem.settings
    mult = search.multipliers.copy()
    alpha, stale, patience = 1.0, 0, 15
    lists = _Candidates.of(arcs.edges, problem.n_roles)
    for it in range(iterations):
        relaxed = _evaluate(arcs, mult)
        search.iterations += 1
        if relaxed.value < search.bound - 1e-9:
            search.bound, search.multipliers, stale = relaxed.value, mult.copy(), 0
        else:
            stale += 1
        if stale >= patience:
            alpha, stale = alpha / 2, 0
        if it % settings.repair_every == 0:
            _repair_into(problem, arcs, relaxed, mult, lists, search)
        if _converged(search, settings.mip_gap) or alpha < 1e-3 or time.perf_counter() > deadline:
            break
        target = max(search.objective, search.bound - 0.005 * abs(search.bound))
        mult = _step(mult, relaxed, alpha * (relaxed.value - target))
    final = _evaluate(arcs, search.multipliers)
    _repair_into(problem, arcs, final, search.multipliers, lists, search, passes=3)


def _converged(search: _Search, gap: float) -> bool:
    allowed = gap * max(abs(search.objective), 1.0)
    return search.feasible and search.bound - search.objective <= allowed


def _step(mult: _Multipliers, relaxed: _Relaxed, scale: float) -> _Multipliers:
    norm = (float(relaxed.role_slack @ relaxed.role_slack)
            + float(relaxed.stretch_slack @ relaxed.stretch_slack)
            + float((relaxed.link_slack**2).sum()))
    if norm == 0:
        return mult
    t = max(scale, 0.0) / norm
    return _Multipliers(
        role=mult.role - t * relaxed.role_slack,
        stretch=np.maximum(0.0, mult.stretch - t * relaxed.stretch_slack),
        link=np.maximum(0.0, mult.link - t * relaxed.link_slack),
    )


def _repair_into(
    problem: StaffingProblem,
    arcs: _Arcs,
    relaxed: _Relaxed,
    mult: _Multipliers,
    lists: _Candidates,
    search: _Search,
    passes: int = 1,
) -> None:
    """Turn the relaxed choice into a plan; keep it if it beats the best so far."""
    seats = _repair(problem, arcs, relaxed, mult, lists, passes)
    feasible = not violations(problem, seats)
    value = objective(problem, seats)
    if (feasible, value) > (search.feasible, search.objective):
        search.seats, search.objective, search.feasible = seats, value, feasible


@dataclass(frozen=True, eq=False)
class _LpStart:
    """What the LP relaxation leaves the search: its candidates, duals and a rounded plan, and
    the lowest dual value over every pair that its pricing proved (inf if none)."""

    edges: Edges
    multipliers: _Multipliers | None
    rounded: Seats | None
    support: Edges | None  # the pairs the last LP solution uses, when it has one
    bound: float
    value: float | None  # the last LP's objective, when it has a solution
    rounds: int  # LP solves


def _lp_start(problem: StaffingProblem, edges: Edges, started: float, share: float) -> _LpStart:
    """The LP relaxation over the candidates, then rounds of pricing at its duals, each
    followed by a warm re-solve, until nothing is added or ``share`` of the time is used.

    A dual simplex stopped by the time limit still has duals, and they are
    close to the optimal ones (at 10,000 people, 4 s of a 7 s LP gave a dual
    value within 0.2% of the optimal duals'); any multipliers give a valid
    bound. The last LP solution, rounded, is a plan: at 10,000 people the
    rounded LP over every pair was worth 6,513 where repairs of relaxed
    choices reached 6,347, so the pairs the LP uses matter more than its
    duals.
    """
    layout = _Layout.of(problem)
    h = _new_highs(problem)  # presolve off: a presolved LP stopped early has no duals to map back
    _pass_model(h, layout, edges)
    columns, multipliers, bound, rounds = edges, None, np.inf, 0
    deadline = started + share * problem.settings.time_limit
    while time.perf_counter() < deadline - 0.5:
        # HiGHS's time limit counts from its first run: extend it by the time left
        h.setOptionValue("time_limit", h.getRunTime() + deadline - time.perf_counter())
        _run(h)
        rounds += 1
        multipliers = _duals(h, layout) or multipliers
        if multipliers is None or not _pricing_fits(problem, started, share):
            break
        new = _price(problem, _Arcs.of(problem, edges), multipliers)
        edges = Edges.union([edges, new], problem.n_people)
        # with what pricing found, the candidates' dual value is the dual value over every pair
        bound = min(bound, _evaluate(_Arcs.of(problem, edges), multipliers).value)
        if len(new) == 0:
            break
        _add_columns(h, layout, new)
        columns = _appended(columns, new)
    if not h.getSolution().value_valid:
        return _LpStart(edges, multipliers, None, None, bound, None, rounds)
    x = _x_values(h, layout)
    return _LpStart(edges, multipliers, _rounded(problem, columns, edges, x),
                    _restrict(columns, x > 1e-6), bound,
                    h.getInfo().objective_function_value, rounds)


def _appended(columns: Edges, new: Edges) -> Edges:
    """``columns`` then ``new``, in that order (the LP's column order, unlike ``Edges.union``)."""
    return Edges(np.concatenate([columns.person, new.person]),
                 np.concatenate([columns.role, new.role]),
                 np.concatenate([columns.value, new.value]))


def _add_columns(h: _Highs, layout: _Layout, new: Edges) -> None:
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
    board = _Board.start(problem)
    _meet_rules_preferring(board, columns, np.flatnonzero(x > 0.5))
    order = np.lexsort((-columns.value, -x))
    for i in order[x[order] > 1e-6].tolist():
        p, r = int(columns.person[i]), int(columns.role[i])
        if board.can_take(p, r):
            board.take(p, r, float(columns.value[i]))
    _fill(board, edges)
    _improve(board, _Candidates.of(edges, problem.n_roles), passes=2)
    _fill_from_everyone(board)
    return board.seats()


def _duals(h: _Highs, layout: _Layout) -> _Multipliers | None:
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
    return _Multipliers(dual[: problem.n_roles].copy(), stretch, link)


def _repair(
    problem: StaffingProblem,
    arcs: _Arcs,
    relaxed: _Relaxed,
    mult: _Multipliers,
    lists: _Candidates,
    passes: int = 1,
) -> Seats:
    """Meet the rules, keep each role's best relaxed takers, fill by profit, improve."""
    e = arcs.edges
    board = _Board.start(problem)
    chosen = np.flatnonzero(relaxed.chosen & ~arcs.pinned)
    _meet_rules_preferring(board, e, chosen)
    chosen = chosen[np.lexsort((-e.value[chosen], e.role[chosen]))]
    for i in chosen.tolist():
        p, r = int(e.person[i]), int(e.role[i])
        if board.can_take(p, r):
            board.take(p, r, float(e.value[i]))
    _fill(board, e, np.argsort(-mult.profit(arcs), kind="stable"))
    _improve(board, lists, passes)
    # a seat the candidates leave open costs the vacancy penalty; anyone with room beats that
    _fill_from_everyone(board)
    return board.seats()


def _meet_rules_preferring(board: _Board, edges: Edges, chosen: IntArray) -> None:
    """The project rules, met first from the relaxed choice, then from all candidates."""
    subset = Edges(edges.person[chosen], edges.role[chosen], edges.value[chosen])
    pr = board.problem
    ruled = np.flatnonzero((pr.min_stretch > 0) | (pr.min_departments > 0))
    for j, mine in _by_project(pr, subset, ruled):
        _meet_rules_from(board, j, subset.person[mine], subset.role[mine], subset.value[mine])
    _meet_project_rules(board, edges)


# -- pricing the pairs left out ------------------------------------------------------------


def _price(problem: StaffingProblem, arcs: _Arcs, mult: _Multipliers) -> Edges:
    """Left-out pairs that could enter someone's best knapsack at ``mult``.

    For every person and every (FTE, lead) class of roles, the ``capacity //
    fte`` pairs with the highest positive profit (one for leads): a best
    knapsack over all pairs only ever uses those, so once they are all
    candidates, the dual value over the candidates is the dual value over
    every pair, and so a bound on the whole problem.
    """
    classes = _Classes.of(arcs)
    for rows, value in problem.value_blocks(np.arange(problem.n_roles, dtype=np.intp)):
        classes.add(problem, mult, rows, value)
    found = classes.edges(problem.n_people)
    known = arcs.edges.role * problem.n_people + arcs.edges.person
    fresh = ~np.isin(found.role * problem.n_people + found.person, known)
    return _restrict(found, fresh)


@dataclass(eq=False)
class _Classes:
    """Per (FTE, lead) class of roles, each person's best-profit pairs so far."""

    of_role: IntArray
    best: list[BestPerPerson]

    @staticmethod
    def of(arcs: _Arcs) -> _Classes:
        pr = arcs.problem
        weight = np.floor(pr.fte / _unit(pr) + 1e-6).astype(np.intp)
        keys, of_role = np.unique(weight * 2 + pr.is_lead, return_inverse=True)
        room = int(arcs.capacity.max(initial=0))
        depth = [1 if key % 2 else min(room // max(key // 2, 1), _MAX_SLOTS) for key in keys]
        return _Classes(of_role.astype(np.intp),
                        [BestPerPerson.empty(max(d, 1), pr.n_people) for d in depth])

    def add(self, problem: StaffingProblem, mult: _Multipliers, rows: IntArray,
            value: FloatArray) -> None:
        """Offer a block of roles (rows x people) to each person at its profit, in its class."""
        j = problem.role_project[rows]
        prices = (problem.fte[rows], mult.role[rows], mult.stretch[j],
                  np.ascontiguousarray(mult.link[j]))
        for k in np.unique(self.of_role[rows]).tolist():
            best = self.best[k]
            which = np.flatnonzero(self.of_role[rows] == k)
            kernels.offer_profits(value, which, rows, *prices, problem.uncertain,
                                  problem.department, best.score, best.role, best.value,
                                  best.floor)

    def edges(self, n_people: int) -> Edges:
        """Every kept pair with positive profit."""
        parts = [best.edges(above=_PROFIT_TOLERANCE) for best in self.best]
        return Edges.union([no_edges(), *parts], n_people)


# -- the model ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Layout:
    """Where every row and column of the HiGHS model sits.

    Columns: ``v`` (roles), ``y`` (department slots x departments), then ``x`` (pairs).
    Rows: roles, FTE caps (every person), leads (every person), department links,
    department counts, stretch counts.
    """

    problem: StaffingProblem
    dept_slot: IntArray
    stretch_slot: IntArray

    @staticmethod
    def of(problem: StaffingProblem) -> _Layout:
        dept = problem.min_departments > 0
        stretch = problem.min_stretch > 0
        dept_slot = np.where(dept, np.cumsum(dept) - 1, -1).astype(np.intp)
        stretch_slot = np.where(stretch, np.cumsum(stretch) - 1, -1).astype(np.intp)
        return _Layout(problem, dept_slot, stretch_slot)

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


def _new_highs(problem: StaffingProblem) -> _Highs:
    h = _Highs()
    h.setOptionValue("output_flag", False)
    # one thread: on a shared machine HiGHS's second worker can stall the search and overrun
    # the time limit by minutes; one thread also makes runs repeatable. Presolve off: on these
    # models it costs more than it saves and ignores the time limit while it probes
    h.setOptionValue("threads", 1)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("random_seed", int(problem.settings.seed) % 2_147_483_647)
    return h


def _run(h: _Highs) -> None:
    """Run HiGHS; if the shared scheduler was started with more threads, restart it with one."""
    if h.run() == highspy.HighsStatus.kError and (
        h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        # another HiGHS user in this process started the scheduler first: HiGHS refuses a
        # different thread count until the scheduler is reset (no solve runs concurrently here)
        _Highs.resetGlobalScheduler(True)
        h.run()


def _pass_model(
    h: _Highs,
    layout: _Layout,
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


def _set_integral(h: _Highs, layout: _Layout, n_edges: int) -> None:
    start = layout.n_fixed_cols
    cols = np.arange(start, start + n_edges, dtype=np.int32)
    kinds = np.full(n_edges, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
    h.changeColsIntegrality(n_edges, cols, kinds)


def _full_solution(layout: _Layout, edges: Edges, seats: Seats) -> FloatArray:
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


# -- LP relaxation with pricing -----------------------------------------------------------


# -- HiGHS branch and bound ---------------------------------------------------------------


def _x_values(h: _Highs, layout: _Layout) -> FloatArray:
    return np.asarray(h.getSolution().col_value)[layout.n_fixed_cols :]


@dataclass(frozen=True, eq=False)
class _MipResult:
    seats: Seats | None
    status: str
    bound: float | None
    nodes: int


def _branch_and_bound(
    h: _Highs, layout: _Layout, edges: Edges, start: Seats | None, time_limit: float
) -> _MipResult:
    pr = layout.problem
    _set_integral(h, layout, len(edges))
    h.setOptionValue("time_limit", max(time_limit, 0.5))
    h.setOptionValue("mip_rel_gap", pr.settings.mip_gap)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = _full_solution(layout, edges, start)
        solution.value_valid = True
        h.setSolution(solution)
    _run(h)
    status = h.getModelStatus()
    info = h.getInfo()
    nodes = int(info.mip_node_count)
    if status == highspy.HighsModelStatus.kInfeasible:
        return _MipResult(None, "infeasible", None, nodes)
    if info.primal_solution_status != highspy.kSolutionStatusFeasible:
        return _MipResult(None, "unknown", None, nodes)
    x = _x_values(h, layout) > 0.5
    seats = Seats(person=edges.person[x], role=edges.role[x])
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return _MipResult(seats, label, float(info.mip_dual_bound), nodes)


def _highs(
    problem: StaffingProblem, edges: Edges, start: Seats | None, seconds: float
) -> _MipResult:
    """HiGHS on the candidates, warm-started from ``start``."""
    layout = _Layout.of(problem)
    h = _new_highs(problem)
    _pass_model(h, layout, edges)
    return _branch_and_bound(h, layout, edges, start, seconds)


# -- the whole solve ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Priced:
    """The final candidates and the bounds they carry.

    ``bound`` holds for the whole problem; ``relaxed`` is the dual value over
    the candidates and ``best_rest`` the best profit of a pair left out.
    """

    edges: Edges
    added: int
    bound: float
    relaxed: float
    best_rest: float


def solve(problem: StaffingProblem, started: float | None = None) -> Solution:
    """The best plan found within the settings' limits, with a bound on how good any plan can be.

    ``started`` is when the round's clock started (``time.perf_counter()``),
    so that the time limit also covers building the problem; by default, now.
    Raises ``Infeasible`` naming the rules that conflict when there is no plan.
    """
    started = time.perf_counter() if started is None else started
    settings = problem.settings
    baseline = greedy_baseline(problem)
    base_ok = not violations(problem, baseline)
    opening = _opening(problem, baseline, base_ok, started)
    start = opening.seats
    search = _Search(
        bound=np.inf,
        multipliers=opening.multipliers or _initial_multipliers(problem, start),
        seats=start,
        objective=objective(problem, start),
        feasible=not violations(problem, start),
    )
    priced = _relax_and_price(problem, opening.edges, search,
                              started + _RELAX_SHARE * settings.time_limit, opening.proved)
    if not search.feasible:
        raise Infeasible(
            "no plan meeting every rule was found; unmet: "
            + "; ".join(violations(problem, search.seats)),
            conflicts=violations(problem, search.seats),
        )
    # repairs may seat people from outside the candidates: HiGHS must be able to keep them
    seated = Edges.union([priced.edges, _seat_edges(problem, search.seats)], problem.n_people)
    priced = replace(priced, edges=seated)
    mip = _polish(problem, priced, search, started)
    return _finish(problem, priced, search, mip, baseline if base_ok else None, started)


@dataclass(frozen=True, eq=False)
class _Opening:
    """Where the search starts: candidates, a plan, multipliers, and any bound over every pair
    already proved (inf if none)."""

    edges: Edges
    seats: Seats
    multipliers: _Multipliers | None
    proved: float


def _opening(problem: StaffingProblem, baseline: Seats, base_ok: bool, started: float) -> _Opening:
    """The greedy plan improved (or rescued), candidates priced at its values, then the LP."""
    edges = Edges.union([problem.edges, _seat_edges(problem, baseline)], problem.n_people)
    start = _improved(problem, baseline, edges)
    if not base_ok:
        start = _rescue(problem, edges, start)
        edges = Edges.union([edges, _seat_edges(problem, start)], problem.n_people)
    if _pricing_fits(problem, started, _LP_SHARE / 2):  # leave the LP most of its share
        edges, start = _priced_at_seat_values(problem, edges, start)
    lp_seconds = started + _LP_SHARE * problem.settings.time_limit - time.perf_counter()
    if len(edges) > problem.settings.lp_max_pairs or lp_seconds <= 0.5:
        return _Opening(edges, start, None, np.inf)
    lp = _lp_start(problem, edges, started, _LP_SHARE)
    if lp.rounded is not None and _better(problem, lp.rounded, start):
        start = lp.rounded
    if lp.support is not None:
        start = _best_on_support(problem, lp.support, start, started)
    return _Opening(lp.edges, start, lp.multipliers, lp.bound)


def _best_on_support(problem: StaffingProblem, support: Edges, start: Seats,
                     started: float) -> Seats:
    """HiGHS on the pairs the LP uses and the seats of ``start``, warm-started from it.

    Rounding decides pair by pair; HiGHS on the same few pairs decides them
    together. At 10,000 people that is about 13,000 pairs, solved to
    optimality in about 3 s, and 0.4-0.7% better than the rounded plan.
    """
    pairs = Edges.union([support, _seat_edges(problem, start)], problem.n_people)
    left = started + problem.settings.time_limit - time.perf_counter()
    seconds = min(_SUPPORT_SHARE * problem.settings.time_limit, left - 0.5)
    if len(pairs) > problem.settings.mip_max_pairs or seconds < 0.5:
        return start
    found = _highs(problem, pairs, start, seconds).seats
    return found if found is not None and _better(problem, found, start) else start


def _better(problem: StaffingProblem, seats: Seats, than: Seats) -> bool:
    """Whether ``seats`` is valid and beats ``than`` (or ``than`` breaks a rule)."""
    if violations(problem, seats):
        return False
    return bool(violations(problem, than)) or objective(problem, seats) > objective(problem, than)


def _pricing_fits(problem: StaffingProblem, started: float, share: float) -> bool:
    """Whether a pass over every pair still ends within ``share`` of the time limit."""
    if not np.isfinite(problem.left_out_best).any():
        return False  # every eligible pair is a candidate already: nothing to find
    left = started + share * problem.settings.time_limit - time.perf_counter()
    return _pricing_seconds(problem) < left


def _pricing_seconds(problem: StaffingProblem) -> float:
    """How long a pricing pass should take: it values every pair like building's scan but
    keeps far less (0.4 s against the scan's 1.0 s at 10,000 people x 6,000 roles; 25 s
    against 60 s at 100,000 x 60,000)."""
    return 0.5 * problem.scan_seconds


def _priced_at_seat_values(
    problem: StaffingProblem, edges: Edges, start: Seats
) -> tuple[Edges, Seats]:
    """Add the pairs worth more than what the start plan's seats imply, and improve the plan.

    The candidate lists name each role's best people and each person's
    standout roles, but when most people are needed somewhere, the pairs a
    good plan uses are often neither (at 10,000 people, almost half of the
    LP's pairs were). Pricing at the start plan's values (a role is worth its
    weakest holder) finds them before the LP, so the LP's duals are better.
    """
    implied = _initial_multipliers(problem, start)
    edges = Edges.union([edges, _price(problem, _Arcs.of(problem, edges), implied)],
                        problem.n_people)
    return edges, _improved(problem, start, edges)


def _improved(problem: StaffingProblem, seats: Seats, edges: Edges) -> Seats:
    board = _board_of(problem, seats)
    _improve(board, _Candidates.of(edges, problem.n_roles), passes=2)
    return board.seats()


def _relax_and_price(
    problem: StaffingProblem, edges: Edges, search: _Search, deadline: float, proved: float
) -> _Priced:
    """Column generation: subgradient on the candidates, then price every pair left out.

    Rounds repeat until pricing finds nothing new, the rounds run out, or the
    deadline passes. After each pricing, the dual value at the best multipliers
    over the candidates plus everything that pricing found equals the dual
    value over every pair (see ``_price``), so it bounds the whole problem;
    the bound is the lowest of these and ``proved`` (one found before).
    """
    settings = problem.settings
    added, iterations = 0, settings.lagrangian_iterations
    # with every eligible pair a candidate there is nothing to price, and HiGHS's bound needs
    # no help; otherwise a left-out pair may have profit up to 0, which caps HiGHS's bound
    complete = not np.isfinite(problem.left_out_best).any()
    rest = -np.inf if complete else 0.0
    everywhere, relaxed = proved, np.inf
    arcs = _Arcs.of(problem, edges)
    for round_ in range(settings.pricing_rounds):
        search.bound = np.inf
        _subgradient(problem, arcs, search, _round_end(deadline, complete or round_ + 1 ==
                                                       settings.pricing_rounds), iterations)
        if complete:
            return _Priced(edges, added, search.bound, search.bound, rest)
        if time.perf_counter() + _pricing_seconds(problem) > deadline + 0.25 * settings.time_limit:
            # a pass over every pair would overrun the time limit: keep the bound found so far
            return _Priced(edges, added, everywhere, search.bound, rest)
        new = _price(problem, arcs, search.multipliers)
        if len(new) == 0:
            everywhere = min(everywhere, search.bound)
            return _Priced(edges, added, everywhere, search.bound, rest)
        del arcs  # before the next is built: at 100,000 people each takes hundreds of MB
        edges = Edges.union([edges, new], problem.n_people)
        added += len(new)
        arcs = _Arcs.of(problem, edges)
        relaxed = _evaluate(arcs, search.multipliers).value
        everywhere = min(everywhere, relaxed)
        if time.perf_counter() > deadline:
            break
        iterations = max(settings.lagrangian_iterations // 2, 1)
    return _Priced(edges, added, everywhere, relaxed, rest)


def _round_end(deadline: float, last: bool) -> float:
    """A round of subgradient steps that pricing may follow gets half the time left, so that
    the multipliers can adapt to what pricing adds before the bound is taken."""
    if last:
        return deadline
    now = time.perf_counter()
    return now + max(deadline - now, 0.0) / 2


def _polish(
    problem: StaffingProblem, priced: _Priced, search: _Search, started: float
) -> _MipResult | None:
    """HiGHS on all candidates when they are few enough, else neighbourhood search."""
    settings = problem.settings
    left = settings.time_limit - (time.perf_counter() - started)
    if left < 0.5 or search.bound - search.objective <= settings.mip_gap * max(
        abs(search.objective), 1.0
    ):
        return None
    if len(priced.edges) <= settings.mip_max_pairs:
        return _highs(problem, priced.edges, search.seats, left)
    _neighbourhood_search(problem, priced.edges, search, started + settings.time_limit)
    return None


def _neighbourhood_search(
    problem: StaffingProblem, edges: Edges, search: _Search, deadline: float
) -> None:
    """Large neighbourhood search: free the seats of a group of projects, keep every other
    seat, and let HiGHS solve the group exactly; keep the result when it is better.

    Groups are a seeded shuffle of the projects, cut so that each holds about
    ``mip_max_pairs / 10`` candidate pairs; passes repeat until one improves
    nothing or time runs out.
    """
    groups = _project_groups(problem, edges)
    for _ in range(problem.settings.pricing_rounds):
        improved = False
        for group in groups:
            if time.perf_counter() > deadline - 0.5:
                return
            improved |= _reoptimise(problem, edges, search, group, deadline)
        if not improved:
            return


def _project_groups(problem: StaffingProblem, edges: Edges) -> list[IntArray]:
    rng = np.random.default_rng([problem.settings.seed, 31])
    order = rng.permutation(len(problem.projects))
    pairs = np.bincount(problem.role_project[edges.role], minlength=len(problem.projects))
    budget = max(problem.settings.mip_max_pairs // 10, 1)
    cut = np.searchsorted(np.cumsum(pairs[order]), np.arange(budget, int(pairs.sum()), budget))
    return [g for g in np.split(order, cut) if g.size]


def _reoptimise(
    problem: StaffingProblem, edges: Edges, search: _Search, group: IntArray, deadline: float
) -> bool:
    inside = np.isin(problem.role_project, group)
    seats = search.seats
    free = inside[seats.role]
    sub = _subproblem(problem, seats, inside)
    sub_edges = _restrict(edges, inside[edges.role])
    start = Seats(person=seats.person[free], role=seats.role[free])
    seconds = min(deadline - time.perf_counter(), 5.0)
    result = _highs(sub, sub_edges, start, seconds)
    if result.seats is None:
        return False
    merged = Seats(person=np.concatenate([seats.person[~free], result.seats.person]),
                   role=np.concatenate([seats.role[~free], result.seats.role]))
    value = objective(problem, merged)
    if value <= search.objective + 1e-9 or violations(problem, merged):
        return False
    search.seats, search.objective = merged, value
    return True


def _restrict(edges: Edges, keep: BoolArray) -> Edges:
    return Edges(edges.person[keep], edges.role[keep], edges.value[keep])


def _subproblem(problem: StaffingProblem, seats: Seats, inside: BoolArray) -> StaffingProblem:
    """The round restricted to the roles ``inside``, everyone else's seats held fixed."""
    outside = ~inside[seats.role]
    load = np.bincount(seats.person[outside], weights=problem.fte[seats.role[outside]],
                       minlength=problem.n_people)
    leads = np.zeros(problem.n_people, dtype=bool)
    leads[seats.person[outside & problem.is_lead[seats.role]]] = True
    ruled = np.zeros(len(problem.projects), dtype=bool)
    ruled[problem.role_project[inside]] = True
    pins = inside[problem.pin_role]
    renumber = np.cumsum(pins) - 1
    kept = [_rule_inside(r, pins, renumber, ruled) for r in problem.rules]
    return replace(
        problem,
        capacity=np.maximum(problem.capacity - load, 0.0),
        may_lead=problem.may_lead & ~leads,
        headcount=np.where(inside, problem.headcount, 0),
        min_departments=np.where(ruled, problem.min_departments, 0),
        min_stretch=np.where(ruled, problem.min_stretch, 0),
        pin_person=problem.pin_person[pins],
        pin_role=problem.pin_role[pins],
        pin_source=tuple(s for s, k in zip(problem.pin_source, pins, strict=True) if k),
        pin_reason=tuple(s for s, k in zip(problem.pin_reason, pins, strict=True) if k),
        rules=tuple(rule for rule in kept if rule is not None),
    )


def _rule_inside(
    rule: Rule, pins: BoolArray, renumber: IntArray, ruled: BoolArray
) -> Rule | None:
    """The rule as the subproblem numbers it, or None when it lies outside."""
    if rule.kind in (RuleKind.PIN, RuleKind.GROUNDWORK):
        if not pins[rule.index]:
            return None
        return Rule(kind=rule.kind, index=int(renumber[rule.index]), label=rule.label)
    return rule if ruled[rule.index] else None


def _rescue(problem: StaffingProblem, edges: Edges, start: Seats) -> Seats:
    """When the greedy misses a rule: HiGHS finds any plan, or names the conflict.

    Only when the widened candidates are few enough for an exact check;
    otherwise the relaxation's repairs get their chance to meet the rules.
    """
    wide = _widened(problem, edges)
    if len(wide) > problem.settings.mip_max_pairs:
        return start
    layout = _Layout.of(problem)
    found = _feasible_plan(problem, layout, wide, None)
    if found is None:
        raise _diagnose(problem, layout, wide)
    return found


def _seat_edges(problem: StaffingProblem, seats: Seats) -> Edges:
    return Edges(seats.person, seats.role, problem.model.pair_values(seats.person, seats.role))


def _finish(
    problem: StaffingProblem,
    priced: _Priced,
    search: _Search,
    mip: _MipResult | None,
    baseline: Seats | None,
    started: float,
) -> Solution:
    seats, method = search.seats, "lagrangian"
    value = search.objective
    if mip is not None and mip.seats is not None and not violations(problem, mip.seats):
        mip_value = objective(problem, mip.seats)
        if mip_value > value:
            seats, method, value = mip.seats, "highs", mip_value
    bound = priced.bound
    if mip is not None and mip.bound is not None and priced.best_rest <= 0:
        # plans on the candidates are bounded by HiGHS, the others by L + their best profit
        bound = min(bound, max(mip.bound, priced.relaxed + priced.best_rest))
    # HiGHS's dual bound carries its own tolerances (1e-6 and below): a plan that close is optimal
    close = bound - value <= problem.settings.mip_gap * max(abs(value), 1.0) + _BOUND_TOLERANCE
    return Solution(
        seats=seats,
        objective=value,
        status="optimal" if close else "feasible",
        method=method,
        bound=bound if np.isfinite(bound) else None,
        bound_scope="all pairs" if np.isfinite(bound) else "none",
        mip_bound=_candidate_bound(priced, mip),
        seconds=time.perf_counter() - started,
        edges=priced.edges,
        added_by_pricing=priced.added,
        mip_nodes=0 if mip is None else mip.nodes,
        greedy_objective=None if baseline is None else objective(problem, baseline),
        iterations=search.iterations,
    )


def _candidate_bound(priced: _Priced, mip: _MipResult | None) -> float | None:
    """The best bound over the candidate pairs alone: the relaxation's, or HiGHS's if lower."""
    bounds = [priced.relaxed]
    if mip is not None and mip.bound is not None:
        bounds.append(mip.bound)
    best = min(bounds)
    return best if np.isfinite(best) else None


# -- when there is no plan: widen, then name the conflicting rules -------------------------


def _widened(problem: StaffingProblem, edges: Edges) -> Edges:
    """Everyone eligible for the roles of ruled or pinned projects (the best 10 x top_k if huge)."""
    pinned = np.isin(np.arange(len(problem.projects)), problem.role_project[problem.pin_role])
    ruled = (problem.min_departments > 0) | (problem.min_stretch > 0) | pinned
    roles = np.flatnonzero(ruled[problem.role_project])
    k = problem.n_people
    if roles.size * problem.n_people > _WIDEN_LIMIT:
        k = 10 * problem.settings.top_k
    return Edges.union([edges, problem.select_candidates(roles, k)], problem.n_people)


def _feasible(
    problem: StaffingProblem, layout: _Layout, edges: Edges, active: frozenset[Rule] | None
) -> bool:
    """Whether a plan exists with only the ``active`` rules (all when None) in force."""
    return _feasible_plan(problem, layout, edges, active) is not None


def _feasible_plan(
    problem: StaffingProblem, layout: _Layout, edges: Edges, active: frozenset[Rule] | None
) -> Seats | None:
    """Any plan with only the ``active`` rules (all when None) in force, or None if none exists."""
    h = _new_highs(problem)
    _pass_model(h, layout, edges, active=active, feasibility=True)
    _set_integral(h, layout, len(edges))
    h.setOptionValue("time_limit", max(problem.settings.time_limit, 1.0))
    _run(h)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        x = _x_values(h, layout) > 0.5
        return Seats(person=edges.person[x], role=edges.role[x])
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    raise Infeasible("could not decide within the time limit whether the rules can all hold")


def _diagnose(problem: StaffingProblem, layout: _Layout, edges: Edges) -> Infeasible:
    """Name an irreducible set of conflicting rules, and the rule families whose relaxation helps.

    Hard throughout: head counts, FTE caps, one lead per person. A deletion
    filter drops each suspect rule in turn and keeps it dropped when the rest
    still has no plan; what remains is irreducible.
    """
    rules = problem.rules
    if not _feasible(problem, layout, edges, frozenset()):
        return Infeasible("no plan exists even without pins or project rules", conflicts=())
    families = sorted({rule.kind for rule in rules})
    relieving = [
        str(kind)
        for kind in families
        if _feasible(problem, layout, edges, frozenset(r for r in rules if r.kind != kind))
    ]
    suspects = list(rules)
    if len(suspects) > _FILTER_LIMIT:
        suspects = [rule for rule in rules if rule.kind in relieving][:_FILTER_LIMIT]
    labels = [rule.label for rule in _deletion_filter(problem, layout, edges, suspects)]
    message = (
        "these rules cannot all hold (with head counts, FTE caps and one lead per person): "
        + "; ".join(labels)
    )
    if relieving:
        message += ". Relaxing any one of these rule families restores a plan: "
        message += ", ".join(relieving)
    return Infeasible(message, conflicts=labels)


def _deletion_filter(
    problem: StaffingProblem, layout: _Layout, edges: Edges, suspects: Sequence[Rule]
) -> list[Rule]:
    background = [rule for rule in problem.rules if rule not in suspects]
    core = list(suspects)
    for rule in suspects:
        trial = [r for r in core if r != rule]
        if not _feasible(problem, layout, edges, frozenset(background + trial)):
            core = trial
    return core
