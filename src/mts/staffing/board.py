"""Plans as seats, and the board that builds them.

The board tracks who sits where, each person's FTE room and lead, and each
project's rule counts, as seats are taken and dropped. On it: the rule-aware
greedy (the baseline every plan is at least as good as) and the local search
that improves a plan (fill, replace, eject into open seats).
"""


from __future__ import annotations

import math
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mts.staffing import kernels
from mts.staffing.problem import (
    FTE_TOLERANCE,
    BoolArray,
    Edges,
    FloatArray,
    IntArray,
    Rule,
    RuleKind,
    StaffingProblem,
    no_edges,
)

_LIST_CHUNK = 100_000  # pairs turned into Python lists at once by the greedy
_MIN_GAIN = 1e-9  # objective units: a swap gaining less is rounding noise, and could cycle


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
class Board:
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
    def start(problem: StaffingProblem) -> Board:
        """An empty plan with the pins seated."""
        board = Board(
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

    def may_take(self, person: IntArray, role: IntArray) -> BoolArray:
        """``can_take`` for many pairs at once, but for whether each holds the seat already."""
        pr = self.problem
        fill = np.fromiter((len(s) for s in self.seated), dtype=np.intp, count=pr.n_roles)
        return ((fill[role] < pr.headcount[role])
                & (self.room[person] >= pr.fte[role] - FTE_TOLERANCE)
                & ~(pr.is_lead[role] & self.leading[person]))

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


def board_of(problem: StaffingProblem, seats: Seats) -> Board:
    """A board holding ``seats`` (pins included; seats that do not fit are skipped)."""
    board = Board.start(problem)
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
    board = Board.start(problem)
    _meet_project_rules(board, edges)
    fill_open_seats(board, edges, order)
    return board.seats()


def fill_open_seats(board: Board, edges: Edges, order: IntArray | None = None) -> None:
    """Seat pairs of ``edges`` in ``order`` (best value first by default) wherever they fit."""
    order = np.argsort(-edges.value, kind="stable") if order is None else order
    order = order[edges.value[order] > -board.problem.settings.vacancy_penalty]
    # a chunk at a time: Python lists of every pair at once took 500 MB at 100,000 people;
    # seats are only taken here, so a pair that cannot be taken now never can, and at
    # 100,000 people checking most of the 5 million such pairs one by one was most of a fill
    for start in range(0, order.size, _LIST_CHUNK):
        chunk = order[start : start + _LIST_CHUNK]
        chunk = chunk[board.may_take(edges.person[chunk], edges.role[chunk])]
        for p, r, v in zip(edges.person[chunk].tolist(), edges.role[chunk].tolist(),
                           edges.value[chunk].tolist(), strict=True):
            if board.can_take(p, r):
                board.take(p, r, v)


def _meet_project_rules(board: Board, edges: Edges) -> None:
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


def _rules_met(board: Board, j: int) -> bool:
    pr = board.problem
    stretch = board.uncertain_seats[j] >= pr.min_stretch[j]
    return bool(stretch and (board.department_seats[j] > 0).sum() >= pr.min_departments[j])


def _meet_rules_from(
    board: Board, j: int, people: IntArray, roles: IntArray, values: FloatArray
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
    board = Board.start(problem)
    _meet_project_rules(board, problem.edges)
    fill_open_seats(board, problem.edges)
    fill_from_everyone(board)
    return board.seats()


def fill_from_everyone(board: Board) -> None:
    """Give each open seat, role by role, to the best eligible person with room left."""
    pr = board.problem
    fill = np.array([len(s) for s in board.seated])
    short = np.flatnonzero((fill < pr.headcount) & np.isfinite(pr.left_out_best))
    floor = -pr.settings.vacancy_penalty
    for rows, value in pr.value_blocks(short):
        for r, column in zip(rows.tolist(), value, strict=True):
            while len(board.seated[r]) < pr.headcount[r]:
                p = kernels.best_with_room(
                    column, board.room, float(pr.fte[r] - FTE_TOLERANCE), board.leading,
                    bool(pr.is_lead[r]), floor, np.fromiter(board.seated[r], dtype=np.intp))
                if p < 0:
                    break
                board.take(p, r, float(column[p]))


def roomy_candidates(board: Board, k: int) -> Edges:
    """Each role's best ``k`` (by the pruning rule) among the people with room for it now.

    The candidate lists were picked before anyone was seated; once most of
    a role's candidates are full, the people still free are often on none.
    """
    pr = board.problem
    parts = [no_edges()]
    for fte in np.unique(pr.fte).tolist():
        roles = np.flatnonzero(pr.fte == fte)
        parts.append(pr.select_candidates(roles, k, people=board.room >= fte - FTE_TOLERANCE))
    return Edges.union(parts, pr.n_people)


# -- local search -------------------------------------------------------------------------


def improve(board: Board, lists: Candidates, passes: int = 2, *, swaps: bool = False,
            deadline: float = math.inf) -> None:
    """Local search over the candidates: fill, replace, and eject into open seats.

    Per role, candidates in value order: fill an open seat with anyone who has
    room; replace the weakest holder by someone better with room (rules
    permitting); for an open seat, move a candidate off a seat of theirs
    worth less and refill that seat from its own candidates (an ejection
    chain of length two). With ``swaps``, a better candidate with no room
    also gets a full role's weakest seat, leaving a seat of theirs to its
    best refill, the weakest holder included (``_swap_into``): slower, so it
    is kept for the plan the search starts from. Stops early when a pass
    changes nothing, or at ``deadline`` (``time.perf_counter``).
    """
    for _ in range(passes):
        changed = 0
        for r in range(board.problem.n_roles):
            changed += _improve_role(board, r, lists, swaps)
            if r % 256 == 0 and time.perf_counter() > deadline:
                return
        if changed == 0:
            return


@dataclass(frozen=True, eq=False)
class Candidates:
    """Each role's candidates, best first, for tight loops in Python.

    People are Python ints shared by every role a person is listed in, and
    values packed doubles: 16 bytes a pair, where lists of fresh ints and
    floats took 68 (some 270 MB less at 100,000 people and 5 million pairs,
    for each set of lists alive at once).
    """

    people: list[list[int]]
    values: list[array[float]]

    @staticmethod
    def of(edges: Edges, n_roles: int) -> Candidates:
        starts = np.searchsorted(edges.role, np.arange(n_roles + 1)).tolist()
        shared = np.arange(int(edges.person.max(initial=-1)) + 1).astype(object)[edges.person]
        value = np.ascontiguousarray(edges.value, dtype=np.float64)
        return Candidates(
            [shared[starts[r] : starts[r + 1]].tolist() for r in range(n_roles)],
            [array("d", value[starts[r] : starts[r + 1]].tobytes()) for r in range(n_roles)],
        )


def _improve_role(board: Board, r: int, lists: Candidates, swaps: bool) -> int:
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
        elif not (swaps and _swap_into(board, r, weakest, q, value, lists)):
            continue
        changed += 1
        weakest = _weakest(board, r)
    return changed


def _weakest(board: Board, r: int) -> int | None:
    """The lowest-valued holder of ``r`` who is not pinned there."""
    seated = board.seated[r]
    movable = [p for p in seated if (p, r) not in board.pinned]
    return min(movable, key=seated.__getitem__, default=None)


def _fits_instead(board: Board, r: int, q: int) -> bool:
    pr = board.problem
    return bool(board.room[q] >= pr.fte[r] - FTE_TOLERANCE
                and not (pr.is_lead[r] and board.leading[q]))


def _eject_into(board: Board, r: int, q: int, value: float, lists: Candidates) -> bool:
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


def _swap_into(board: Board, r: int, w: int, q: int, value: float, lists: Candidates) -> bool:
    """``q`` takes ``w``'s seat on the full role ``r``, leaving a seat ``r2`` of theirs to its
    best refill (``w`` included: then the two swap), when that gains and keeps the rules.

    At 10,000 people this took the plan the search starts from 1.5% higher
    than the moves without it, where the whole neighbourhood search gains
    about 0.5%.
    """
    pr = board.problem
    penalty = pr.settings.vacancy_penalty
    w_value = board.seated[r][w]
    gain_here = float(pr.fte[r]) * (value - w_value)
    for r2 in sorted(board.holding[q]):
        room = board.room[q] + pr.fte[r2]
        lead_ok = not pr.is_lead[r] or pr.is_lead[r2] or not board.leading[q]
        if (q, r2) in board.pinned or room < pr.fte[r] - FTE_TOLERANCE or not lead_ok:
            continue
        q_value = board.seated[r2][q]
        # what a refill must beat for the move to gain at least _MIN_GAIN (ties are no gain)
        floor = q_value - (gain_here - _MIN_GAIN) / float(pr.fte[r2])
        refill = _refill_above(board, lists, r2, max(floor, -penalty), leaving=q, freed=(w, r))
        if refill is None and -penalty <= floor:
            continue
        if _swap_keeps_rules(board, (r, w, q, value), (r2, refill), q_value):
            return True
    return False


def _refill_above(board: Board, lists: Candidates, r2: int, floor: float, *, leaving: int,
                  freed: tuple[int, int]) -> tuple[int, float] | None:
    """The best candidate of ``r2`` worth more than ``floor`` who fits it once ``leaving`` is
    off ``r2`` and ``freed = (w, r)``: ``w`` off ``r``; None if nobody."""
    pr = board.problem
    w, r = freed
    need, lead = float(pr.fte[r2]) - FTE_TOLERANCE, bool(pr.is_lead[r2])
    seated, rooms, leads = board.seated[r2], board.room, board.leading  # hot loop: local names
    for z, value in zip(lists.people[r2], lists.values[r2], strict=True):
        if value <= floor:
            return None
        if z == leaving or z in seated:
            continue
        room, leading = rooms[z], leads[z]
        if z == w:  # off r, w has that room back, and the lead if r was one
            room, leading = room + pr.fte[r], (not pr.may_lead[w]) if pr.is_lead[r] else leading
        if room >= need and not (lead and leading):
            return z, value
    return None


def _swap_keeps_rules(board: Board, into_r: tuple[int, int, int, float],
                      into_r2: tuple[int, tuple[int, float] | None], q_value: float) -> bool:
    """Make the two replacements; undo them (and return False) if a project rule met before
    is met no longer. (``Board.rules_allow_swap`` judges one replacement beforehand; two in
    the same project interact, so these are judged by the counts after.)"""
    pr = board.problem
    r, w, q, value = into_r
    r2, refill = into_r2
    projects = {int(pr.role_project[r]), int(pr.role_project[r2])}
    before = {j: _rule_counts(board, j) for j in projects}
    w_value = board.seated[r][w]
    board.drop(w, r)
    board.drop(q, r2)
    board.take(q, r, value)
    if refill is not None:
        board.take(refill[0], r2, refill[1])
    if all(_still_met(board, j, before[j]) for j in projects):
        return True
    if refill is not None:
        board.drop(refill[0], r2)
    board.drop(q, r)
    board.take(q, r2, q_value)
    board.take(w, r, w_value)
    return False


def _rule_counts(board: Board, j: int) -> tuple[int, int]:
    """A project's uncertain seats and departments seated."""
    return int(board.uncertain_seats[j]), int((board.department_seats[j] > 0).sum())


def _still_met(board: Board, j: int, before: tuple[int, int]) -> bool:
    pr = board.problem
    uncertain, departments = _rule_counts(board, j)
    return (uncertain >= min(int(pr.min_stretch[j]), before[0])
            and departments >= min(int(pr.min_departments[j]), before[1]))


def _best_refill(
    board: Board, r: int, leaving: int, lists: Candidates
) -> tuple[int, float] | None:
    """The best candidate of ``r`` who could take the seat ``leaving`` frees."""
    floor = -board.problem.settings.vacancy_penalty
    for z, value in zip(lists.people[r], lists.values[r], strict=True):
        if value <= floor:
            return None
        if z != leaving and z not in board.seated[r] and _fits_instead(board, r, z):
            return z, value
    return None


def meet_rules_preferring(board: Board, edges: Edges, chosen: IntArray) -> None:
    """The project rules, met first from the relaxed choice, then from all candidates."""
    subset = Edges(edges.person[chosen], edges.role[chosen], edges.value[chosen])
    pr = board.problem
    ruled = np.flatnonzero((pr.min_stretch > 0) | (pr.min_departments > 0))
    for j, mine in _by_project(pr, subset, ruled):
        _meet_rules_from(board, j, subset.person[mine], subset.role[mine], subset.value[mine])
    _meet_project_rules(board, edges)
