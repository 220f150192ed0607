"""The compiled passes over every pair, against numpy and plain Python readings of the rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.errors import Infeasible
from mts.domain.projects import Interest
from mts.domain.staffing import Exploration
from mts.staffing import StaffingRequest, StaffingSettings, kernels
from mts.staffing.board import greedy_baseline
from mts.staffing.pricing import price
from mts.staffing.problem import BestPerPerson, Edges, StaffingProblem, build_problem
from mts.staffing.relaxation import Arcs, initial_multipliers
from unit.staffing.test_round_properties import FAST, rounds


@FAST
@given(rounds(max_people=6), st.sampled_from(list(Exploration)), st.integers(0, 3))
def test_values_are_each_pair_valued_alone_and_minus_inf_exactly_where_ineligible(
    request: StaffingRequest, exploration: Exploration, seed: int
) -> None:
    try:
        problem = build_problem(request, StaffingSettings(exploration=exploration, seed=seed))
    except Infeasible:  # pins or rules that cannot hold: nothing to value
        return
    model = problem.model
    roles = np.arange(problem.n_roles, dtype=np.intp)
    value = model.values(roles)
    eligible = model.eligible(roles)
    assert np.array_equal(np.isfinite(value), eligible)
    role, person = np.nonzero(eligible)
    assert np.allclose(value[role, person], model.pair_values(person, role), atol=1e-12)


@FAST
@given(rounds(max_people=6), st.sampled_from(list(Exploration)), st.integers(0, 3))
def test_breakdowns_of_many_pairs_add_up_to_the_compiled_values_term_by_term(
    request: StaffingRequest, exploration: Exploration, seed: int
) -> None:
    """Explanations value every seat of a round in one call: each pair's terms must sum to
    what the compiled pass says it is worth, and its skills to its fit."""
    first = request.projects[0].id
    keen = tuple(Interest(person=c.person, project=first, rank=1) for c in request.candidates[::2])
    request = replace(request, interests=keen)
    try:
        problem = build_problem(request, StaffingSettings(exploration=exploration, seed=seed))
    except Infeasible:
        return
    model = problem.model
    value = model.values(np.arange(problem.n_roles, dtype=np.intp))
    role, person = np.nonzero(np.isfinite(value))
    for p, r, terms in zip(person, role, model.breakdowns(person, role), strict=True):
        assert terms.total == pytest.approx(value[r, p], abs=1e-12)
        assert terms.total == pytest.approx(
            terms.fit + terms.exploration + terms.lead + terms.interest, abs=1e-12)
        assert terms.fit == pytest.approx(sum(s.contribution for s in terms.fit_by_skill),
                                          abs=1e-12)
        needed = np.flatnonzero(model.weights[r])
        assert [s.skill for s in terms.fit_by_skill] == [model.skills[j] for j in needed]
        assert [s.mean for s in terms.fit_by_skill] == model.mean[p, needed].tolist()


def _block(seed: int, n_rows: int, n_people: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    value = rng.normal(size=(n_rows, n_people))
    value[rng.random((n_rows, n_people)) < 0.3] = -np.inf
    return {
        "value": value,
        "role_shift": rng.random(n_rows),
        "person_shift": rng.random(n_people),
        "looseness": 0.5 * rng.random(n_people),
        "uncertain": rng.random(n_people) < 0.3,
        "stretch": rng.random(n_rows) < 0.5,
        "department": rng.integers(0, 3, n_people).astype(np.intp),
        "ruled": rng.random(n_rows) < 0.5,
    }


def _turns(b: dict[str, np.ndarray]) -> np.ndarray:
    turn = b["role_shift"][:, None] + b["person_shift"][None, :]
    return turn - (turn >= 1.0)


def _rule_by_hand(b: dict[str, np.ndarray],
                  k: np.ndarray) -> tuple[set[tuple[int, int]], np.ndarray]:
    """The pruning rule read literally: sort each row's eligible people and take from the top
    (``k[i]`` of them in row ``i``)."""
    score = b["value"] + kernels.TIE_BREAK * _turns(b)
    kept: set[tuple[int, int]] = set()
    open_ = np.zeros((score.shape[0], 3), dtype=bool)
    for i, row in enumerate(score):
        eligible = [p for p in np.argsort(-row) if np.isfinite(row[p])]
        kept |= {(i, int(p)) for p in eligible[:k[i]]}
        if b["stretch"][i]:
            kept |= {(i, int(p)) for p in [p for p in eligible if b["uncertain"][p]][:k[i]]}
        if b["ruled"][i]:
            for d in range(3):
                mine = [p for p in eligible if b["department"][p] == d]
                kept |= {(i, int(p)) for p in mine[:2]}
                open_[i, d] = bool(mine)
    return kept, open_


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(1, 5))
def test_select_block_keeps_what_the_pruning_rule_names(
    seed: int, n_rows: int, n_people: int, k: int
) -> None:
    b = _block(seed, n_rows, n_people)
    per_row = np.random.default_rng(seed + 2).integers(1, k + 1, n_rows).astype(np.intp)
    open_ = np.zeros((n_rows, 3), dtype=bool)
    rows, people = kernels.select_block(
        b["value"], b["role_shift"], b["person_shift"], per_row, b["uncertain"], b["stretch"],
        b["department"], b["ruled"], 2, open_, np.empty((n_rows, 5)),
    )
    kept, expected_open = _rule_by_hand(b, per_row)
    assert len(rows) == len(kept)
    assert set(zip(rows.tolist(), people.tolist(), strict=True)) == kept
    assert np.array_equal(open_, expected_open)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(1, 4))
def test_scan_block_summarises_each_role_and_keeps_each_persons_standout_roles(
    seed: int, n_rows: int, n_people: int, depth: int
) -> None:
    b = _block(seed, n_rows, n_people)
    k = np.full(n_rows, 2, dtype=np.intp)
    rows = np.arange(10, 10 + n_rows, dtype=np.intp)
    stats = np.empty((n_rows, 4))
    open_ = np.zeros((n_rows, 3), dtype=bool)
    best = BestPerPerson.empty(depth, n_people)
    r, p = kernels.scan_block(
        b["value"], rows, b["role_shift"], b["person_shift"], b["looseness"], k,
        b["uncertain"], b["stretch"], b["department"], b["ruled"], 2, open_, stats,
        best.score, best.role, best.value, best.floor,
    )
    kept, _ = _rule_by_hand(b, k)
    assert set(zip(r.tolist(), p.tolist(), strict=True)) == kept
    value, finite = b["value"], np.isfinite(b["value"])
    for i in range(n_rows):
        out = [value[i, q] for q in range(n_people) if finite[i, q] and (i, q) not in kept]
        assert stats[i, 0] == max(out, default=-np.inf)
        assert stats[i, 1] == value[i].max()
        if finite[i].any():
            assert stats[i, 2] == int(np.argmax(value[i]))
        assert stats[i, 3] == (finite[i] & b["uncertain"]).sum()
    # each person's lists: the roles where their z-score, loosened by the turn, is highest
    mean = np.array([value[i, finite[i]].mean() if finite[i].any() else 0.0
                     for i in range(n_rows)])
    spread = np.array([value[i, finite[i]].std() if finite[i].any() else 0.0
                       for i in range(n_rows)])
    z = (value - mean[:, None]) / np.where(spread > 0, spread, 1.0)[:, None]
    z += _turns(b) * b["looseness"][None, :]
    edges = best.edges()
    for q in range(n_people):
        eligible = np.flatnonzero(finite[:, q])
        expected = sorted(eligible, key=lambda i: -z[i, q])[:depth]
        assert sorted(edges.role[edges.person == q].tolist()) == sorted(
            int(rows[i]) for i in expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 30), st.integers(1, 3),
       st.integers(1, 3))
def test_offer_profits_keeps_each_persons_best_lagrangian_profits_over_all_blocks(
    seed: int, n_rows: int, n_people: int, depth: int, n_blocks: int
) -> None:
    b = _block(seed, n_rows, n_people)
    rng = np.random.default_rng(seed + 1)
    rows = np.arange(5, 5 + n_rows, dtype=np.intp)
    fte, role_price = rng.choice([0.2, 0.5, 1.0], n_rows), rng.normal(size=n_rows)
    stretch_price, link = rng.random(n_rows), rng.normal(size=(n_rows, 3))
    which = np.flatnonzero(rng.random(n_rows) < 0.7)
    best = BestPerPerson.empty(depth, n_people)
    for block in np.array_split(which, n_blocks):
        kernels.offer_profits(b["value"], block, rows, fte, role_price, stretch_price, link,
                              b["uncertain"], b["department"], best.score, best.role,
                              best.value, best.floor)
    profit = fte[:, None] * b["value"] - role_price[:, None]
    profit += stretch_price[:, None] * b["uncertain"][None, :]
    profit += link[:, b["department"]]
    edges = best.edges()
    for q in range(n_people):
        offered = [i for i in which if np.isfinite(profit[i, q])]
        expected = sorted(offered, key=lambda i: -profit[i, q])[:depth]
        mine = edges.person == q
        assert sorted(edges.role[mine].tolist()) == sorted(int(rows[i]) for i in expected)
        assert np.array_equal(edges.value[mine], b["value"][edges.role[mine] - 5, q])


# -- the relaxation's knapsacks -----------------------------------------------------------

_ARC = st.tuples(
    st.integers(0, 3),  # person
    st.sampled_from([-0.5, 0.0, 0.4, 1.0, 1.0, 2.5, 3.0]),  # profit (ties on purpose)
    st.sampled_from([0, 1, 2, 3, 5, 10]),  # weight in FTE units
    st.booleans(),  # lead
    st.booleans(),  # pinned: held already (``evaluate`` adds it), so never chosen here
)


@st.composite
def _knapsack_inputs(draw: st.DrawFn) -> tuple[list[tuple[int, float, int, bool, bool]],
                                                list[int], list[bool]]:
    arcs = draw(st.lists(_ARC, max_size=12))
    capacity = draw(st.lists(st.integers(0, 10), min_size=4, max_size=4))
    pin_lead = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    return arcs, capacity, pin_lead


def _solve(arcs: list[tuple[int, float, int, bool, bool]], capacity: list[int],
           pin_lead: list[bool], max_slots: int) -> tuple[np.ndarray, float]:
    person = np.array([a[0] for a in arcs], dtype=np.intp)
    chosen = np.zeros(len(arcs), dtype=bool)
    total = kernels.knapsack_choices(
        np.argsort(person, kind="stable").astype(np.intp),
        np.concatenate([[0], np.cumsum(np.bincount(person, minlength=4))]).astype(np.intp),
        np.array([a[1] for a in arcs], dtype=float),
        np.array([a[2] for a in arcs], dtype=np.intp),
        np.array([a[3] for a in arcs], dtype=bool),
        np.array([a[4] for a in arcs], dtype=bool),
        np.array(capacity, dtype=np.intp), np.array(pin_lead, dtype=bool),
        max_slots, 1e-9, chosen)
    return chosen, total


def _best_by_enumeration(arcs: list[tuple[int, float, int, bool, bool]], p: int, cap: int,
                         leads: bool) -> float:
    """Person ``p``'s best total profit over every subset of their arcs."""
    mine = [a for a in arcs if a[0] == p]
    best = 0.0
    for mask in range(1 << len(mine)):
        taken = [a for k, a in enumerate(mine) if mask >> k & 1]
        if (sum(a[2] for a in taken) <= cap and leads + sum(a[3] for a in taken) <= 1
                and not any(a[4] for a in taken)):
            best = max(best, sum(a[1] for a in taken))
    return best


def _is_a_valid_choice(arcs: list[tuple[int, float, int, bool, bool]], chosen: np.ndarray,
                       capacity: list[int], pin_lead: list[bool]) -> bool:
    for p in range(4):
        taken = [a for a, c in zip(arcs, chosen, strict=True) if c and a[0] == p]
        if sum(a[2] for a in taken) > capacity[p]:
            return False
        if pin_lead[p] + sum(a[3] for a in taken) > 1:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(_knapsack_inputs())
def test_each_person_gets_their_best_set_of_arcs_by_enumeration(
    inputs: tuple[list[tuple[int, float, int, bool, bool]], list[int], list[bool]],
) -> None:
    """With room in the table for every arc, the total is the sum of each person's best
    subset (within their units, at most one lead counting a pinned one), and the arcs
    marked are such a subset."""
    arcs, capacity, pin_lead = inputs
    chosen, total = _solve(arcs, capacity, pin_lead, max_slots=24)
    best = [_best_by_enumeration(arcs, p, capacity[p], pin_lead[p]) for p in range(4)]
    assert total == pytest.approx(sum(best), abs=1e-9)
    assert _is_a_valid_choice(arcs, chosen, capacity, pin_lead)
    picked = sum(a[1] for a, c in zip(arcs, chosen, strict=True) if c)
    assert picked == pytest.approx(total, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(_knapsack_inputs(), st.integers(1, 3))
def test_a_table_too_small_for_every_arc_still_bounds_the_best_and_chooses_validly(
    inputs: tuple[list[tuple[int, float, int, bool, bool]], list[int], list[bool]],
    max_slots: int,
) -> None:
    """When a person has more arcs than the table holds, the arcs left out add their profit
    to the total (so it still bounds every person's best) and are never marked."""
    arcs, capacity, pin_lead = inputs
    chosen, total = _solve(arcs, capacity, pin_lead, max_slots)
    best = [_best_by_enumeration(arcs, p, capacity[p], pin_lead[p]) for p in range(4)]
    assert total >= sum(best) - 1e-9
    assert _is_a_valid_choice(arcs, chosen, capacity, pin_lead)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-np.inf, -1.0, 0.5, 2.0, 2.0, 3.0]),
                          st.sampled_from([0.0, 0.2, 0.5, 1.0]), st.booleans()),
                min_size=1, max_size=8),
       st.booleans(), st.lists(st.integers(0, 7), max_size=3))
def test_the_best_person_with_room_is_the_first_best_of_those_who_may_take_the_seat(
    people: list[tuple[float, float, bool]], lead: bool, taken: list[int],
) -> None:
    """The seat goes to the first person of the highest value among those above the floor,
    with the room, not leading already when it is a lead, and not holding it already."""
    value = np.array([v for v, _, _ in people])
    room = np.array([r for _, r, _ in people])
    leading = np.array([ld for _, _, ld in people])
    held = [q for q in taken if q < len(people)]
    allowed = [p for p, (v, r, ld) in enumerate(people)
               if v > 0.0 and r >= 0.5 and not (lead and ld) and p not in held]
    expected = max(allowed, key=lambda p: (value[p], -p)) if allowed else -1
    got = kernels.best_with_room(value, room, 0.5, leading, lead, 0.0,
                                 np.array(held, dtype=np.intp))
    assert got == expected


# -- passes over every pair in runs of roles, on several threads ---------------------------


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 12), st.integers(1, 3),
       st.integers(2, 4))
def test_lists_kept_over_runs_of_roles_merge_into_the_list_kept_over_them_all(
    seed: int, n_rows: int, n_people: int, depth: int, n_runs: int
) -> None:
    """Profits tie often here (four values): a list keeps the best by profit, ties to the
    earlier role, so the runs' lists merged hold exactly what one list over every role holds."""
    rng = np.random.default_rng(seed)
    value = rng.choice([-np.inf, 0.0, 1.0, 2.0], size=(n_rows, n_people))
    rows = np.arange(n_rows, dtype=np.intp)
    prices = (np.ones(n_rows), np.zeros(n_rows), np.zeros(n_rows), np.zeros((n_rows, 1)))

    def offered(which: np.ndarray) -> BestPerPerson:
        best = BestPerPerson.empty(depth, n_people)
        kernels.offer_profits(value, which, rows, *prices, np.zeros(n_people, dtype=bool),
                              np.zeros(n_people, dtype=np.intp), best.score, best.role,
                              best.value, best.floor)
        return best

    whole = offered(rows)
    merged = BestPerPerson.merged([offered(run) for run in np.array_split(rows, n_runs)])
    for q in range(n_people):
        usable = [i for i in range(n_rows) if np.isfinite(value[i, q])]
        expected = sorted(sorted(usable, key=lambda i: (-value[i, q], i))[:depth])
        for lists in (whole, merged):
            edges = lists.edges()
            assert sorted(edges.role[edges.person == q].tolist()) == expected
    assert np.array_equal(whole.floor, merged.floor)


@FAST
@given(st.one_of(rounds(max_people=30, rules=False), rounds(max_people=12)), st.integers(2, 4))
def test_building_and_pricing_on_several_threads_give_what_one_thread_gives(
    request: StaffingRequest, threads: int
) -> None:
    """Many people and few candidates per role and per person, so that the lists of the
    runs of roles have to be merged right."""
    lean = StaffingSettings(top_k=1, top_k_person=1)
    try:
        one = build_problem(request, lean)
        many = build_problem(request, replace(lean, threads=threads))
    except Infeasible:
        return
    for a, b in ((one.edges, many.edges), (price_all(one), price_all(many))):
        assert np.array_equal(a.person, b.person) and np.array_equal(a.role, b.role)
        assert np.array_equal(a.value, b.value)
    for name in ("left_out_best", "best_value", "best_person"):
        assert np.array_equal(getattr(one, name), getattr(many, name))


def price_all(problem: StaffingProblem) -> Edges:
    """Each person's best pairs at the greedy plan's values, with no pair a candidate yet."""
    arcs = Arcs.of(problem, problem.edges.subset(np.zeros(len(problem.edges), dtype=bool)))
    return price(problem, arcs, initial_multipliers(problem, greedy_baseline(problem)))
