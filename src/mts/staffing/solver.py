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

   exactly, by dynamic programming over FTE units, in one compiled pass; the
   bound is ``L(u) = sum_r u_r h_r + sum_r h_r max(0, -penalty fte_r - u_r) + sum_p K_p(u)
   - sum_j lambda_j m_j - sum_j (the k_j smallest mu_jd)``, minimised by
   subgradient steps (Polyak step lengths), starting from the LP
   relaxation's duals. The LP (HiGHS's dual simplex, on the candidates)
   runs first. Before it, two short walks of subgradient steps from the
   greedy plan's values are each priced, so its first solve has the pairs
   it will want; at its duals every pair is priced, the pairs that could pay
   join as columns and the LP is re-solved warm, until nothing joins or its
   share of the time is used (a dual simplex stopped early still has duals).
   Its last solution, rounded (rules first, then pairs by LP share, then
   fill and local search), is a plan; on large rounds it is usually the best
   one before neighbourhood search. Its open seats then go to anyone
   eligible with room, and local search with swaps runs over candidates
   that add each role's best among the people with room left.
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
5. On rounds where every pair fits in HiGHS, when its plan is not yet proved
   best over every pair: HiGHS once more, with every pair that could still
   be in a better plan (``_close_gap``).

Where the pieces live: ``board`` (seats, the board that checks every rule as
seats are taken, the greedy and the local search), ``relaxation`` (step 2),
``pricing`` (step 3), ``lp`` (the HiGHS model: the LP with pricing, branch
and bound), ``diagnosis`` (when there is no plan: the rules that conflict),
and here the whole solve, which spends the time limit between them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from mts.domain.errors import Infeasible
from mts.staffing.board import (
    Candidates,
    Seats,
    Solution,
    board_of,
    fill_from_everyone,
    fill_open_seats,
    greedy_baseline,
    improve,
    objective,
    roomy_candidates,
    violations,
)
from mts.staffing.diagnosis import diagnose, feasible_plan, widened
from mts.staffing.lp import Layout, LpStart, MipResult, lp_start, solve_mip
from mts.staffing.pricing import price, pricing_fits, pricing_seconds
from mts.staffing.problem import BoolArray, Edges, IntArray, Rule, RuleKind, StaffingProblem
from mts.staffing.relaxation import (
    Arcs,
    Multipliers,
    Search,
    evaluate,
    initial_multipliers,
    subgradient,
    walk,
)

_LP_SHARE = 0.8  # of the time limit, at most, for the LP and its pricing rounds
_SUPPORT_SHARE = 0.1  # of the time limit, at most, for HiGHS on the pairs the LP uses
_CHOICE_SHARE = 0.03  # of the time limit, at most, for the steps that add pairs to those
_CHOICE_STEPS = 30  # at 10,000 people, 30 steps' choices held some 52,000 pairs
_PRICING_WALKS = 2  # before the LP: walks from the greedy plan's values, each then priced
_PRICING_STEPS = 20  # per walk (about 0.1 s a step at 10,000 people)
_WALKS_SHARE = 0.1  # of the time limit, at most, for those walks and their pricing
_RELAX_SHARE = 0.75  # the relaxation ends here too (it gets what the LP leaves); then LNS
_RELAX_SHARE_WITHOUT_LP = 0.9  # where no LP ran (100,000 people): then LNS
_EVERYONE_ROUNDS = 2  # of local search over the people with room
_REACH_SHARE = 0.96  # of the time limit: where that local search stops, whatever it is doing
_ROOMY_PER_ROLE = 5  # a role's best among those with room (20 gained 0.05% more at 10k)
_BOUND_TOLERANCE = 1e-7  # objective units; HiGHS's bounds are exact to its tolerances only


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
    edges, start = opening.edges, opening.seats
    search = Search(
        bound=np.inf,
        multipliers=opening.multipliers or initial_multipliers(problem, start),
        seats=start,
        objective=objective(problem, start),
        feasible=not violations(problem, start),
    )
    # without an LP plan the relaxation's repairs are where the plan improves: at 100,000
    # people the neighbourhood search after them gained 12 and 1 in some 40 s
    share = _RELAX_SHARE if opening.multipliers is not None else _RELAX_SHARE_WITHOUT_LP
    priced = _relax_and_price(problem, edges, search, started + share * settings.time_limit,
                              opening.proved)
    if not search.feasible:
        raise Infeasible(
            "no plan meeting every rule was found; unmet: "
            + "; ".join(violations(problem, search.seats)),
            conflicts=violations(problem, search.seats),
        )
    # repairs may seat people from outside the candidates: HiGHS must be able to keep them
    seated = Edges.union([priced.edges, seat_edges(problem, search.seats)], problem.n_people)
    priced = replace(priced, edges=seated)
    mip = _polish(problem, priced, search, started)
    priced, mip = _close_gap(problem, priced, search, mip, started)
    return _finish(problem, priced, search, mip, baseline if base_ok else None, started)


@dataclass(frozen=True, eq=False)
class _Opening:
    """Where the search starts: candidates, a plan, multipliers, and any bound over every pair
    already proved (inf if none)."""

    edges: Edges
    seats: Seats
    multipliers: Multipliers | None
    proved: float


def _opening(problem: StaffingProblem, baseline: Seats, base_ok: bool, started: float) -> _Opening:
    """The greedy plan improved (or rescued), candidates priced at its values, then the LP."""
    edges = Edges.union([problem.edges, seat_edges(problem, baseline)], problem.n_people)
    start = _improved(problem, baseline, edges)
    if not base_ok:
        start = _rescue(problem, edges, start)
        edges = Edges.union([edges, seat_edges(problem, start)], problem.n_people)
    if pricing_fits(problem, started, _LP_SHARE / 2):  # leave the LP most of its share
        edges, start = _priced_at_seat_values(problem, edges, start)
    lp_seconds = started + _LP_SHARE * problem.settings.time_limit - time.perf_counter()
    if len(edges) > problem.settings.lp_max_pairs or lp_seconds <= 0.5:
        # no LP plan to improve: at 100,000 people the time is better spent on the bound
        return _Opening(edges, start, None, np.inf)
    edges = _priced_after_walks(problem, edges, start, started)
    lp = lp_start(problem, edges, started, _LP_SHARE)
    if lp.rounded is not None and _better(problem, lp.rounded, start):
        start = lp.rounded
    support = _with_choices(problem, lp, start)
    edges, start = _reach_everyone(problem, lp.edges, start, started)
    if support is not None:
        start = _best_on_support(problem, support, start, started)
    return _Opening(edges, start, lp.multipliers, lp.bound)


def _with_choices(problem: StaffingProblem, lp: LpStart, start: Seats) -> Edges | None:
    """The pairs the LP uses and those the relaxed choices take over a few subgradient
    steps from its duals (``walk``), for HiGHS.

    The LP's own pairs are too few: at 10,000 people, HiGHS on the pairs of
    the LP over every pair found no plan better than 6,548 (proved best over
    them), while with the pairs 30 steps' choices took it found 6,627 in
    10 s. In a 60 s round the plan went from 6,593 to 6,633, in 30 s from
    6,166 to 6,290 (the same day, one run each).
    """
    if lp.support is None or lp.multipliers is None:
        return lp.support
    deadline = time.perf_counter() + _CHOICE_SHARE * problem.settings.time_limit
    # HiGHS also gets the plan's seats, and is skipped above mip_max_pairs
    room = problem.settings.mip_max_pairs - len(lp.support) - len(start)
    found = walk(Arcs.of(problem, lp.edges), lp.multipliers, objective(problem, start),
                 _CHOICE_STEPS, room, deadline)
    return Edges.union([lp.support, found.chosen], problem.n_people)


def _best_on_support(problem: StaffingProblem, support: Edges, start: Seats,
                     started: float) -> Seats:
    """HiGHS on the pairs the LP uses and the seats of ``start``, warm-started from it.

    Rounding decides pair by pair; HiGHS on the same few pairs decides them
    together. At 10,000 people that is about 13,000 pairs, solved to
    optimality in about 3 s, and 0.4-0.7% better than the rounded plan.
    """
    pairs = Edges.union([support, seat_edges(problem, start)], problem.n_people)
    left = started + problem.settings.time_limit - time.perf_counter()
    # HiGHS overruns its limit by up to a second here (loading, checking the start)
    seconds = min(_SUPPORT_SHARE * problem.settings.time_limit, left - 1.5)
    if len(pairs) > problem.settings.mip_max_pairs or seconds < 0.5:
        return start
    found = solve_mip(problem, pairs, start, seconds).seats
    return found if found is not None and _better(problem, found, start) else start


def _better(problem: StaffingProblem, seats: Seats, than: Seats) -> bool:
    """Whether ``seats`` is valid and beats ``than`` (or ``than`` breaks a rule)."""
    if violations(problem, seats):
        return False
    return bool(violations(problem, than)) or objective(problem, seats) > objective(problem, than)


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
    implied = initial_multipliers(problem, start)
    edges = Edges.union([edges, price(problem, Arcs.of(problem, edges), implied)],
                        problem.n_people)
    return edges, _improved(problem, start, edges)


def _priced_after_walks(problem: StaffingProblem, edges: Edges, start: Seats,
                        started: float) -> Edges:
    """The candidates with the pairs that could pay after a few subgradient steps from the
    values ``start`` implies (``walk``), twice over, within ``_WALKS_SHARE`` of the time.

    The greedy plan's values are far from the LP's duals; a few steps
    towards the plan's value already move them to where pricing finds the
    pairs the LP will want. At 10,000 people the first LP solve was worth
    6,390 over the candidates as they were, 6,616 with two such walks and
    6,662 with three, each solve taking 13 to 16 s.
    """
    mult, target = initial_multipliers(problem, start), objective(problem, start)
    # a tenth of the limit from now, but never past half the LP's share
    used = (time.perf_counter() - started) / problem.settings.time_limit
    share = min(used + _WALKS_SHARE, _LP_SHARE / 2)
    deadline = started + share * problem.settings.time_limit
    for _ in range(_PRICING_WALKS):
        if not pricing_fits(problem, started, share):
            break
        arcs = Arcs.of(problem, edges)
        mult = walk(arcs, mult, target, _PRICING_STEPS, len(arcs.edges), deadline).multipliers
        edges = Edges.union([edges, price(problem, arcs, mult)], problem.n_people)
    return edges


def _improved(problem: StaffingProblem, seats: Seats, edges: Edges) -> Seats:
    board = board_of(problem, seats)
    improve(board, Candidates.of(edges, problem.n_roles), passes=2)
    return board.seats()


def _relax_and_price(
    problem: StaffingProblem, edges: Edges, search: Search, deadline: float, proved: float
) -> _Priced:
    """Column generation: subgradient on the candidates, then price every pair left out.

    Rounds repeat until pricing finds nothing new, the rounds run out, or the
    deadline passes. After each pricing, the dual value at the best multipliers
    over the candidates plus everything that pricing found equals the dual
    value over every pair (see ``price``), so it bounds the whole problem;
    the bound is the lowest of these and ``proved`` (one found before).
    """
    settings = problem.settings
    added, iterations = 0, settings.lagrangian_iterations
    # with every eligible pair a candidate there is nothing to price, and HiGHS's bound needs
    # no help; otherwise a left-out pair may have profit up to 0, which caps HiGHS's bound
    complete = problem.all_listed
    rest = -np.inf if complete else 0.0
    if search.feasible and time.perf_counter() > deadline:
        # the LP used the relaxation's time (at 10,000 people a late round cost 1.8 s and
        # gained nothing); its repairs are still needed when there is no valid plan yet
        return _Priced(edges, 0, proved, np.inf, rest)
    everywhere, relaxed = proved, np.inf
    arcs = Arcs.of(problem, edges)
    for round_ in range(settings.pricing_rounds):
        search.bound = np.inf
        subgradient(problem, arcs, search, _round_end(deadline, complete or round_ + 1 ==
                                                       settings.pricing_rounds), iterations)
        if complete:
            return _Priced(edges, added, search.bound, search.bound, rest)
        if time.perf_counter() + pricing_seconds(problem) > deadline + 0.25 * settings.time_limit:
            # a pass over every pair would overrun the time limit: keep the bound found so far
            return _Priced(edges, added, everywhere, search.bound, rest)
        new = price(problem, arcs, search.multipliers)
        if len(new) == 0:
            everywhere = min(everywhere, search.bound)
            return _Priced(edges, added, everywhere, search.bound, rest)
        del arcs  # before the next is built: at 100,000 people each takes hundreds of MB
        edges = Edges.union([edges, new], problem.n_people)
        added += len(new)
        arcs = Arcs.of(problem, edges)
        relaxed = evaluate(arcs, search.multipliers).value
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


def _reach_everyone(problem: StaffingProblem, edges: Edges, seats: Seats,
                    started: float) -> tuple[Edges, Seats]:
    """The plan's open seats filled from everyone, then local search with swaps over
    candidates that include each role's best among the people with room left
    (``roomy_candidates``), until ``_REACH_SHARE`` of the time limit.

    At 10,000 people this took the rounded LP's plan from 6,339 to 6,435 in
    3.3 s, where the neighbourhood search gained 34 in 30 s from a plan like
    it. The new pairs stay candidates, so the relaxation, HiGHS and the
    neighbourhood search can use them too.
    """
    if problem.all_listed:
        return edges, seats
    board = board_of(problem, seats)
    fill_from_everyone(board)
    for _ in range(_EVERYONE_ROUNDS):
        left = started + problem.settings.time_limit - time.perf_counter()
        if problem.scan_seconds > left / 3:  # a pass over every pair, like building's scan
            break
        edges = Edges.union([edges, roomy_candidates(board, _ROOMY_PER_ROLE)],
                            problem.n_people)
        improve(board, Candidates.of(edges, problem.n_roles), passes=2, swaps=True,
                deadline=started + _REACH_SHARE * problem.settings.time_limit)
    found = board.seats()
    return edges, found if _better(problem, found, seats) else seats


def _polish(
    problem: StaffingProblem, priced: _Priced, search: Search, started: float
) -> MipResult | None:
    """HiGHS on all candidates when they are few enough, else neighbourhood search."""
    settings = problem.settings
    left = settings.time_limit - (time.perf_counter() - started)
    if left < 0.5 or search.bound - search.objective <= settings.mip_gap * max(
        abs(search.objective), 1.0
    ):
        return None
    if len(priced.edges) <= settings.mip_max_pairs:
        return solve_mip(problem, priced.edges, search.seats, left)
    _neighbourhood_search(problem, priced.edges, search, started + settings.time_limit)
    return None


def _neighbourhood_search(
    problem: StaffingProblem, edges: Edges, search: Search, deadline: float
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
    problem: StaffingProblem, edges: Edges, search: Search, group: IntArray, deadline: float
) -> bool:
    inside = np.isin(problem.role_project, group)
    seats = search.seats
    free = inside[seats.role]
    sub = _subproblem(problem, seats, inside)
    sub_edges = edges.subset(inside[edges.role])
    start = Seats(person=seats.person[free], role=seats.role[free])
    seconds = min(deadline - time.perf_counter(), 5.0)
    result = solve_mip(sub, sub_edges, start, seconds)
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
    wide = widened(problem, edges)
    if len(wide) > problem.settings.mip_max_pairs:
        return start
    layout = Layout.of(problem)
    found = feasible_plan(problem, layout, wide, None)
    if found is None:
        raise diagnose(problem, layout, wide)
    return found


def seat_edges(problem: StaffingProblem, seats: Seats) -> Edges:
    return Edges(seats.person, seats.role, problem.model.pair_values(seats.person, seats.role))


def _close_gap(
    problem: StaffingProblem, priced: _Priced, search: Search, mip: MipResult | None,
    started: float,
) -> tuple[_Priced, MipResult | None]:
    """On a small round whose plan is not proved best over every pair: HiGHS again, with
    every pair that could still be in a better plan.

    A plan worth more than ``z`` uses only pairs of Lagrangian profit above
    ``z - L`` (``L`` the dual value over every pair): without such a pair its
    holder's seats still fit their knapsack, so the plan is worth at most
    ``L`` plus that profit. So once those pairs are candidates, HiGHS's bound
    over the candidates (or ``z``) bounds every plan. Pricing alone adds only
    pairs of positive profit, which can miss the pair the best plan needs.
    """
    settings = problem.settings
    left = settings.time_limit - (time.perf_counter() - started)
    if (mip is None or problem.n_roles * problem.n_people > settings.mip_max_pairs
            or left < 0.5):
        return priced, mip
    start, _, z = _best_plan(problem, search, mip)
    if _bound(priced, mip) - z <= _proof_margin(problem, z):
        return priced, mip
    everyone = problem.select_candidates(np.arange(problem.n_roles), problem.n_people)
    arcs = Arcs.of(problem, everyone)
    relaxed = evaluate(arcs, search.multipliers)
    dual = relaxed.value
    could = everyone.subset(relaxed.profit > z - dual - _BOUND_TOLERANCE)
    edges = Edges.union([priced.edges, could], problem.n_people)
    closing = replace(priced, edges=edges, added=priced.added + len(edges) - len(priced.edges),
                      bound=min(priced.bound, dual), relaxed=dual, best_rest=z - dual)
    again = solve_mip(problem, edges, start, left)
    return (closing, again) if again.seats is not None else (priced, mip)


def _best_plan(
    problem: StaffingProblem, search: Search, mip: MipResult | None
) -> tuple[Seats, str, float]:
    """The better of the search's plan and HiGHS's: seats, method, objective."""
    if mip is not None and mip.seats is not None and not violations(problem, mip.seats):
        mip_value = objective(problem, mip.seats)
        if mip_value > search.objective:
            return mip.seats, "highs", mip_value
    return search.seats, "lagrangian", search.objective


def _bound(priced: _Priced, mip: MipResult | None) -> float:
    """The bound over every pair: the priced relaxation's, or better, HiGHS's with the
    left-out pairs' best."""
    bound = priced.bound
    if mip is not None and mip.bound is not None and priced.best_rest <= 0:
        # plans on the candidates are bounded by HiGHS, the others by L + their best profit
        bound = min(bound, max(mip.bound, priced.relaxed + priced.best_rest))
    return bound


def _proof_margin(problem: StaffingProblem, value: float) -> float:
    """How close to the bound a plan must be to count as optimal."""
    # HiGHS's dual bound carries its own tolerances (1e-6 and below): a plan that close is optimal
    return problem.settings.mip_gap * max(abs(value), 1.0) + _BOUND_TOLERANCE


def _finish(
    problem: StaffingProblem,
    priced: _Priced,
    search: Search,
    mip: MipResult | None,
    baseline: Seats | None,
    started: float,
) -> Solution:
    seats, method, value = _best_plan(problem, search, mip)
    filled = _filled(problem, seats, started)
    if _better(problem, filled, seats):
        seats, value = filled, objective(problem, filled)
        priced = replace(priced, edges=Edges.union([priced.edges, seat_edges(problem, filled)],
                                                   problem.n_people))
    bound = _bound(priced, mip)
    close = bound - value <= _proof_margin(problem, value)
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


def _filled(problem: StaffingProblem, seats: Seats, started: float) -> Seats:
    """``seats`` with every open seat given to the best eligible person with room, if any.

    HiGHS and the neighbourhood search see only the candidates, and when all
    of a role's candidates are full they leave its seat open (at 10,000
    people, 16 seats of a 30 s plan, each costing the vacancy penalty, while
    2,205 eligible people had room). Taking a seat never breaks a rule.
    """
    open_ = np.bincount(seats.role, minlength=problem.n_roles) < problem.headcount
    left = started + problem.settings.time_limit - time.perf_counter()
    if not open_.any() or problem.scan_seconds * open_.mean() > left:  # scans each open role
        return seats
    board = board_of(problem, seats)
    fill_open_seats(board, problem.edges.subset(open_[problem.edges.role]))
    fill_from_everyone(board)  # skips the roles whose every eligible pair is on the lists
    return board.seats()


def _candidate_bound(priced: _Priced, mip: MipResult | None) -> float | None:
    """The best bound over the candidate pairs alone: the relaxation's, or HiGHS's if lower."""
    bounds = [priced.relaxed]
    if mip is not None and mip.bound is not None:
        bounds.append(mip.bound)
    best = min(bounds)
    return best if np.isfinite(best) else None
