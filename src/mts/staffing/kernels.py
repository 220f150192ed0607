"""Compiled loops over blocks of (role x person) values.

Building a round passes over every (person, role) pair: at 100,000 people and
60,000 roles, six billion of them. In numpy, choosing each role's candidates,
z-scoring its values and merging each person's best roles took some forty
array passes per block; here each row of values is read three times, while it
is still in cache. The loops are compiled by numba (``cache=True``: compiled
once per machine, not per process).

Conventions: a block is ``value[i, p]`` for role ``rows[i]`` and person ``p``,
``-inf`` where the person is ineligible. Rankings break ties by a seeded turn
``frac(role_shift[i] + person_shift[p])`` (see ``problem._Spread``).

The last section is the relaxation's step: every person's FTE knapsack over
their candidate pairs, once per subgradient step (in numpy, sorting and the
table took 0.18 s a step at 10,000 people; compiled, 0.06 s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_F = TypeVar("_F", bound=Callable[..., Any])

TIE_BREAK = 1e-6  # roles rank people by value + TIE_BREAK * turn: it only ever orders ties


def _compiled(function: _F) -> _F:
    """``function`` compiled to machine code; its signature is unchanged for callers."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


@_compiled
def _turn(role_shift: float, person_shift: float) -> float:
    turn = role_shift + person_shift
    return float(turn - np.floor(turn))  # both shifts are in [0, 1); no branch to mispredict


@_compiled
def _push(score: FloatArray, person: IntArray, s: float, p: int) -> None:
    """Keep ``(s, p)`` in a min-heap of the best scores seen, if it beats the lowest
    (``score[0]``): entries start at -inf, so the heap is always full."""
    if not s > score[0]:
        return
    at, size = 0, score.size
    while True:  # sift the new entry down from the root
        child = 2 * at + 1
        if child >= size:
            break
        if child + 1 < size and score[child + 1] < score[child]:
            child += 1
        if not score[child] < s:
            break
        score[at], person[at] = score[child], person[child]
        at = child
    score[at], person[at] = s, p


@_compiled
def _select_row(
    value: FloatArray,
    role_shift: float,
    person_shift: FloatArray,
    k: int,
    uncertain: BoolArray,
    stretch: bool,
    department: IntArray,
    ruled: bool,
    keep_per_department: int,
    open_: BoolArray,
    kept: IntArray,
    summary: FloatArray,
) -> int:
    """The pruning rule on one role: its best ``k`` eligible people; under a stretch rule
    also the best ``k`` uncertain people; under a department rule also the best
    ``keep_per_department`` of every department, marking in ``open_`` which departments
    have anyone eligible. Writes the kept people (each once, ascending) to ``kept`` and
    returns how many.

    ``summary`` receives what the same pass sees of the row's eligible people: how many,
    their total value, the best value, the first person with it, how many are uncertain.
    """
    everyone = k >= value.size  # then every eligible person is kept: no lists to keep
    size = 1 if everyone else k
    lists = 1 if everyone else open_.size
    top_s = np.full(size, -np.inf)
    top_p = np.full(size, -1, dtype=np.intp)
    unc_s = np.full(size if stretch else 1, -np.inf)
    unc_p = np.full(size if stretch else 1, -1, dtype=np.intp)
    dep_s = np.full((lists if ruled else 1, keep_per_department), -np.inf)
    dep_p = np.full((lists if ruled else 1, keep_per_department), -1, dtype=np.intp)
    count, total, best, best_at, uncertain_eligible = 0, 0.0, -np.inf, 0, 0
    # ineligible entries are -inf and lose every comparison, so the loop tests
    # eligibility only where it counts: branches on it would be mispredicted often
    for p in range(value.size):
        v = value[p]
        finite = np.isfinite(v)
        count += finite
        total += v if finite else 0.0
        if v > best:
            best, best_at = v, p
        s = v + TIE_BREAK * _turn(role_shift, person_shift[p])
        uncertain_eligible += finite and uncertain[p]
        if ruled:
            open_[department[p]] |= finite
        if everyone:
            continue
        if s > top_s[0]:
            _push(top_s, top_p, s, p)
        if stretch and uncertain[p] and s > unc_s[0]:
            _push(unc_s, unc_p, s, p)
        if ruled:
            d = department[p]
            if s > dep_s[d, 0]:
                _push(dep_s[d], dep_p[d], s, p)
    summary[0], summary[1], summary[2] = count, total, best
    summary[3], summary[4] = best_at, uncertain_eligible
    if everyone:
        return _eligible(value, kept)
    return _gather(top_p, unc_p, dep_p.ravel(), kept)


@_compiled
def _eligible(value: FloatArray, kept: IntArray) -> int:
    count = 0
    for p in range(value.size):
        if np.isfinite(value[p]):
            kept[count] = p
            count += 1
    return count


@_compiled
def _width(k: int, n_people: int, n_departments: int, keep_per_department: int) -> int:
    """Room for one row's kept people before duplicates are dropped."""
    return n_people if k >= n_people else 2 * k + n_departments * keep_per_department


@_compiled
def _gather(top: IntArray, uncertain: IntArray, departments: IntArray, kept: IntArray) -> int:
    count = 0
    for lists in (top, uncertain, departments):
        for p in lists:
            if p >= 0:
                kept[count] = p
                count += 1
    kept[:count].sort()
    unique = 0
    for j in range(count):
        if unique == 0 or kept[j] != kept[unique - 1]:
            kept[unique] = kept[j]
            unique += 1
    return unique


@_compiled
def select_block(
    value: FloatArray,
    role_shift: FloatArray,
    person_shift: FloatArray,
    k: IntArray,
    uncertain: BoolArray,
    stretch: BoolArray,
    department: IntArray,
    ruled: BoolArray,
    keep_per_department: int,
    open_: BoolArray,
    summary: FloatArray,
) -> tuple[IntArray, IntArray]:
    """``_select_row`` on every row of ``value``, row ``i`` keeping ``k[i]`` per list: the
    kept (row, person) pairs, by row.

    ``open_`` (rows x departments) receives which departments have anyone
    eligible, and ``summary`` (rows x 5) what ``_select_row`` saw of each row.
    """
    n_rows, n_people = value.shape
    width, room = 0, 0
    for i in range(n_rows):
        row_width = _width(k[i], n_people, open_.shape[1], keep_per_department)
        width = max(width, row_width)
        room += min(row_width, n_people)
    rows = np.empty(room, dtype=np.intp)
    people = np.empty(room, dtype=np.intp)
    kept = np.empty(width, dtype=np.intp)
    count = 0
    for i in range(n_rows):
        n = _select_row(value[i], role_shift[i], person_shift, k[i], uncertain, stretch[i],
                        department, ruled[i], keep_per_department, open_[i], kept, summary[i])
        rows[count : count + n] = i
        people[count : count + n] = kept[:n]
        count += n
    return rows[:count], people[:count]


@_compiled
def _offer(p: int, score: float, value: float, role: int, best_score: FloatArray,
           best_role: IntArray, best_value: FloatArray, floor: FloatArray) -> None:
    """Person ``p``'s lowest kept score (``floor[p]``, which ``score`` beats) gives way.

    Of equal lowest scores the latest role gives way, so that, roles being offered in
    ascending order, the list holds the best by score, ties to the earlier role: the
    same list whichever runs of roles it is built from (``BestPerPerson.merged``).
    """
    depth = best_score.shape[1]
    low = 0
    for d in range(1, depth):
        s, lowest = best_score[p, d], best_score[p, low]
        if s < lowest or (s == lowest and best_role[p, d] > best_role[p, low]):
            low = d
    best_score[p, low] = score
    best_role[p, low] = role
    best_value[p, low] = value
    new_floor = best_score[p, 0]
    for d in range(1, depth):
        new_floor = min(new_floor, best_score[p, d])
    floor[p] = new_floor


@_compiled
def scan_block(
    value: FloatArray,
    rows: IntArray,
    role_shift: FloatArray,
    person_shift: FloatArray,
    looseness: FloatArray,
    k: IntArray,
    uncertain: BoolArray,
    stretch: BoolArray,
    department: IntArray,
    ruled: BoolArray,
    keep_per_department: int,
    open_: BoolArray,
    row_stats: FloatArray,
    best_score: FloatArray,
    best_role: IntArray,
    best_value: FloatArray,
    floor: FloatArray,
) -> tuple[IntArray, IntArray]:
    """One block of building's scan; returns the kept (row, person) pairs (``select_block``).

    ``row_stats`` (rows x 4) receives, per role: the best value left out of the kept
    pairs, the best value, the first person with it (0 if nobody is eligible), and how
    many uncertain people are eligible. Each person is offered the role at its z-score
    among the role's eligible people, loosened by ``turn * looseness[p]`` (see
    ``problem._Spread``).
    """
    n_rows, n_people = value.shape
    summary = np.empty((n_rows, 5))
    kept_rows, kept_people = select_block(value, role_shift, person_shift, k, uncertain,
                                          stretch, department, ruled, keep_per_department,
                                          open_, summary)
    bounds = np.searchsorted(kept_rows, np.arange(n_rows + 1))
    is_kept = np.zeros(n_people, dtype=np.bool_)
    for i in range(n_rows):
        kept = kept_people[bounds[i] : bounds[i + 1]]
        is_kept[kept] = True
        row_stats[i, 0] = _offer_standouts(value[i], rows[i], role_shift[i], person_shift,
                                           looseness, summary[i], is_kept, best_score,
                                           best_role, best_value, floor)
        is_kept[kept] = False
        row_stats[i, 1:] = summary[i, 2:]
    return kept_rows, kept_people


@_compiled
def _offer_standouts(
    row: FloatArray,
    role: int,
    role_shift: float,
    person_shift: FloatArray,
    looseness: FloatArray,
    summary: FloatArray,
    is_kept: BoolArray,
    best_score: FloatArray,
    best_role: IntArray,
    best_value: FloatArray,
    floor: FloatArray,
) -> float:
    """Offer ``role`` to every person at their loosened z-score in ``row`` (``summary``
    from ``_select_row``); returns the best value of anyone not in ``is_kept``."""
    eligible = max(summary[0], 1.0)
    mean = summary[1] / eligible
    squares = 0.0
    for v in row:
        squares += (v - mean) ** 2 if np.isfinite(v) else 0.0
    spread = np.sqrt(squares / eligible)
    inverse = 1.0 / spread if spread > 0 else 1.0
    left_out = -np.inf
    for p in range(row.size):  # -inf (ineligible) stays -inf and is never offered
        v = row[p]
        if v > left_out and not is_kept[p]:
            left_out = v
        z = (v - mean) * inverse + _turn(role_shift, person_shift[p]) * looseness[p]
        if z > floor[p]:
            _offer(p, z, v, role, best_score, best_role, best_value, floor)
    return float(left_out)


@_compiled
def values_block(
    rows: IntArray,
    indptr: IntArray,
    skill: IntArray,
    weight: FloatArray,
    mean: FloatArray,
    spread: FloatArray,
    extra: FloatArray,
    ucb: bool,
    kappa: float,
    lead_factor: FloatArray,
    fte: FloatArray,
    is_lead: BoolArray,
    capacity: FloatArray,
    may_lead: BoolArray,
    tolerance: float,
) -> FloatArray:
    """Values of every person (columns) in each role of ``rows``; -inf where ineligible.

    A role's skill weights are row ``r`` of a CSR matrix (``indptr``, ``skill``,
    ``weight``); ``mean`` and ``spread`` are (skills x people). With ``ucb`` the
    value adds ``kappa * sqrt(sum w^2 spread + extra)``, an upper confidence bound;
    otherwise ``sum w spread``, a posterior draw (zeros for none). Stated interest
    and the council's forbids are sparse, and left to the caller.
    """
    n_people = mean.shape[1]
    out = np.zeros((rows.size, n_people))
    explore = np.empty(n_people)
    for i in range(rows.size):
        r = rows[i]
        row = out[i]
        if ucb:
            explore[:] = extra
        else:
            explore[:] = 0.0
        for at in range(indptr[r], indptr[r + 1]):
            j, w = skill[at], weight[at]
            scale = w * w if ucb else w
            for p in range(n_people):
                row[p] += w * mean[j, p]
                explore[p] += scale * spread[j, p]
        lead, need = is_lead[r], fte[r] - tolerance
        for p in range(n_people):
            v = row[p] + (kappa * np.sqrt(explore[p]) if ucb else explore[p])
            ok = capacity[p] >= need and (may_lead[p] or not lead)
            row[p] = v * lead_factor[r] if ok else -np.inf
    return out


@_compiled
def offer_profits(
    value: FloatArray,
    which: IntArray,
    rows: IntArray,
    fte: FloatArray,
    role_price: FloatArray,
    stretch_price: FloatArray,
    link: FloatArray,
    uncertain: BoolArray,
    department: IntArray,
    best_score: FloatArray,
    best_role: IntArray,
    best_value: FloatArray,
    floor: FloatArray,
) -> None:
    """Offer rows ``which`` of a block to every person at their Lagrangian profit,
    ``fte value - role_price + stretch_price [uncertain] + link[department]``.

    Per row ``i``: ``rows[i]`` is the role, ``fte[i]`` and ``role_price[i]`` its FTE and
    price, ``stretch_price[i]`` and ``link[i]`` (departments) its project's prices.
    """
    for i in which:
        for p in range(value.shape[1]):
            v = value[i, p]
            profit = fte[i] * v - role_price[i]  # summed in the order Multipliers.profit sums
            profit += stretch_price[i] * uncertain[p]
            profit += link[i, department[p]]
            if profit > floor[p]:
                _offer(p, profit, v, rows[i], best_score, best_role, best_value, floor)


@_compiled
def best_with_room(value: FloatArray, room: FloatArray, need: float, leading: BoolArray,
                   lead: bool, floor: float, taken: IntArray) -> int:
    """The first person with the highest ``value`` above ``floor`` who has ``need`` FTE of
    room, leads nothing yet if the role is a lead, and is not in ``taken``; -1 if nobody.

    One role's open seat filled from everyone (``board.fill_from_everyone``), in one pass
    over everyone where numpy took four: at 100,000 people, with 28,679 seats left open,
    the greedy took 51.0 s against 54.0 s, with the same plan."""
    best, at = -np.inf, -1
    for p in range(value.size):
        v = value[p]
        # the test on taken (a role's few holders) runs only for a new best
        if (v > best and v > floor and room[p] >= need and not (lead and leading[p])
                and not (taken == p).any()):
            best, at = v, p
    return at


# -- the relaxation's knapsacks -----------------------------------------------------------


@_compiled
def knapsack_choices(
    by_person: IntArray,
    person_start: IntArray,
    profit: FloatArray,
    weight: IntArray,
    lead: BoolArray,
    pinned: BoolArray,
    capacity: IntArray,
    pin_lead: BoolArray,
    max_slots: int,
    tolerance: float,
    chosen: BoolArray,
) -> float:
    """Every person's best set of arcs within their FTE units and one lead; marks the arcs
    taken in ``chosen`` and returns the total profit (``relaxation._knapsacks``).

    Person ``p`` owns arcs ``by_person[person_start[p]:person_start[p + 1]]``, in arc
    order. An arc is usable when its profit passes ``tolerance``, it is not pinned, it
    fits the person's units, and it is not a second lead. Among usable arcs of the same
    lead status and weight only the best ``capacity // weight`` (one for leads) can ever
    be taken; of what is left the best ``max_slots`` enter the table and the rest's profit
    is added to the total, which keeps it an upper bound (weightless arcs can all be
    taken: none is dominated).
    """
    span = int(weight.max()) + 1 if weight.size else 1
    width = int(capacity.max()) + 1 if capacity.size else 1
    # per (lead status, weight) group, its best arcs so far: a few slots each, since some
    # people have thousands of usable arcs and sorting them all was most of the time
    group_arc = np.empty((2 * span, max_slots), dtype=np.intp)
    group_profit = np.empty((2 * span, max_slots))
    count = np.empty(2 * span, dtype=np.intp)
    items = np.empty(2 * span * max_slots, dtype=np.intp)
    best = np.empty((2, width))
    took = np.empty((max_slots, 2, width), dtype=np.bool_)
    total = 0.0
    for p in range(person_start.size - 1):
        cap = capacity[p]
        count[:] = 0
        for i in by_person[person_start[p]:person_start[p + 1]]:
            if (profit[i] > tolerance and not pinned[i] and weight[i] <= cap
                    and not (lead[i] and pin_lead[p])):
                w = weight[i]
                # how many of the group could be taken together (any number if weightless)
                limit = 1 if lead[i] else (cap // w if w > 0 else max_slots + 1)
                out = _keep_best(group_arc, group_profit, count, lead[i] * span + w,
                                 min(limit, max_slots), i, profit[i])
                if limit > max_slots:  # dropped for want of room, not dominated: it counts
                    total += out
        n = _merged(group_arc, count, profit, lead, weight, items)
        for k in range(max_slots, n):  # beyond the table: counted, never taken
            total += profit[items[k]]
        total += _table(items[:min(n, max_slots)], profit, weight, lead, cap, pin_lead[p],
                        best, took, chosen)
    return total


@_compiled
def _keep_best(arcs: IntArray, profits: FloatArray, count: IntArray, g: int, limit: int,
               arc: int, profit: float) -> float:
    """Offer ``arc`` to group ``g``'s list (row ``g`` of ``arcs`` and ``profits``) of its
    best ``limit`` arcs, best first (arcs arrive in arc order, so among equal profits the
    earlier stays first). Returns the profit of the arc that is left out, if any, else 0."""
    n = count[g]
    out = 0.0
    if n == limit:
        if not profit > profits[g, n - 1]:
            return profit
        n -= 1  # the last one drops out
        out = profits[g, n]
    at = n
    while at > 0 and profits[g, at - 1] < profit:
        arcs[g, at], profits[g, at] = arcs[g, at - 1], profits[g, at - 1]
        at -= 1
    arcs[g, at], profits[g, at] = arc, profit
    count[g] = n + 1
    return out


@_compiled
def _merged(group_arc: IntArray, count: IntArray, profit: FloatArray, lead: BoolArray,
            weight: IntArray, items: IntArray) -> int:
    """Every group's arcs in ``items``, best first: by profit, then non-leads, then
    lighter, then arc order. Returns how many."""
    n = 0
    for g in range(count.size):  # groups run non-leads first, lighter first
        for k in range(count[g]):
            i = group_arc[g, k]
            at = n
            while at > 0 and profit[items[at - 1]] < profit[i]:
                items[at] = items[at - 1]
                at -= 1
            items[at] = i
            n += 1
    return n


@_compiled
def _table(items: IntArray, profit: FloatArray, weight: IntArray, lead: BoolArray, cap: int,
           leads_already: bool, best: FloatArray, took: BoolArray, chosen: BoolArray) -> float:
    """One person's knapsack by dynamic programming over units and lead count (0 or 1),
    items in order; marks the best set in ``chosen`` and returns its profit.

    ``best[l, c]`` is the most profit within ``c`` units holding ``l`` leads; a person
    whose pin already leads starts at ``l = 1``. Ties keep the earlier items. ``best``
    and ``took`` are scratch space, at least ``(2, cap + 1)`` and ``(items, 2, cap + 1)``.
    """
    if items.size == 0:
        return 0.0
    best[:, : cap + 1] = -np.inf
    best[1 if leads_already else 0, : cap + 1] = 0.0
    for k in range(items.size):
        i = items[k]
        w, g = weight[i], profit[i]
        took[k, :, : cap + 1] = False
        for c in range(cap, w - 1, -1):  # downwards: best[., c - w] is still the old one
            old0, old1 = best[0, c - w], best[1, c - w]
            new1 = (old0 if lead[i] else old1) + g
            new0 = -np.inf if lead[i] else old0 + g
            if new1 > best[1, c]:
                best[1, c], took[k, 1, c] = new1, True
            if new0 > best[0, c]:
                best[0, c], took[k, 0, c] = new0, True
    state = 1 if best[1, cap] > best[0, cap] else 0
    value, c = best[state, cap], cap
    for k in range(items.size - 1, -1, -1):
        if took[k, state, c]:
            i = items[k]
            chosen[i] = True
            c -= weight[i]
            if lead[i]:
                state = 0
    return float(value)
