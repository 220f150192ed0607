"""Exact re-packing of three agents (``gap_repack``), and where the search uses it."""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
import pytest

from mts.staffing import gap, gap_repack
from mts.staffing import gap_heuristic as heuristic
from mts.staffing.gap_highs import solve_relaxation
from unit.staffing.test_gap_explore import every_pair_search, type_d


def cheapest_by_brute_force(
    c: np.ndarray, w: np.ndarray, b: np.ndarray, agents: tuple[int, ...], jobs: np.ndarray
) -> float:
    """The least cost of placing ``jobs`` on ``agents`` within capacity (inf if none fits)."""
    best = np.inf
    for placed in product(agents, repeat=len(jobs)):
        where = np.array(placed)
        load = np.bincount(where, weights=w[where, jobs], minlength=len(b))
        if np.all(load[list(agents)] <= b[list(agents)]):
            best = min(best, float(c[where, jobs].sum()))
    return best


@pytest.mark.parametrize("priced", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_the_packing_found_is_the_cheapest_there_is(seed: int, priced: bool) -> None:
    """Whatever the prices (any at least zero keep the bound valid), the search is exact."""
    c, w, b = type_d(4, 9, seed)
    prices = np.random.default_rng(seed).uniform(0.0, 3.0, 4) if priced else np.zeros(4)
    agents = np.array([0, 2, 3])
    jobs = np.array([0, 1, 3, 4, 6, 7, 8])
    least = cheapest_by_brute_force(c, w, b, (0, 2, 3), jobs)
    found, placed = gap_repack._cheapest_packing(c, w, b, prices, agents, jobs, np.inf, 10**9)
    assert found == np.isfinite(least)
    if found:
        assert c[placed, jobs].sum() == least
        load = np.bincount(placed, weights=w[placed, jobs], minlength=4)
        assert np.all(load <= b)
        # asked to beat the least cost itself, it finds nothing
        again, _ = gap_repack._cheapest_packing(c, w, b, prices, agents, jobs, least, 10**9)
        assert not again


@pytest.mark.parametrize("seed", [1, 3, 5])
def test_priced_room_finds_the_cheapest_packing_in_far_fewer_nodes(seed: int) -> None:
    """On type D (cost falls as weight rises) a unit of room is worth about one, and priced
    so, the search reaches the optimum of 18 jobs within 250,000 nodes (measured: 38,000
    to 189,000), where the plain bound needs 626,000 to 2.4 million."""
    c, w, b = type_d(3, 18, seed)
    agents, jobs = np.arange(3), np.arange(18)
    _, exact = gap_repack._cheapest_packing(c, w, b, np.zeros(3), agents, jobs, np.inf, 10**9)
    least = c[exact, jobs].sum()
    for prices, reaches in ((np.ones(3), True), (np.zeros(3), False)):
        found, placed = gap_repack._cheapest_packing(c, w, b, prices, agents, jobs, np.inf,
                                                     250_000)
        assert (found and c[placed, jobs].sum() == least) == reaches


def test_after_repacking_no_three_agents_can_do_better() -> None:
    search = every_pair_search(m=5, n=15, seed=4)
    c, w, b = search.costs, search.weights, search.capacities
    found = heuristic.Incumbent()  # a feasible start: a few rounds of the search
    heuristic.oscillate(search, heuristic.regret_greedy(c, w, b), found, deadline=np.inf,
                        rounds=3, rng=np.random.default_rng(0))
    assert found.assignment is not None
    a = found.assignment.copy()
    gap_repack.repack(c, w, b, a, rng=np.random.default_rng(0), passes=100)
    assert heuristic.is_feasible(a, w, b)
    assert heuristic.total_cost(a, c) < found.cost  # three rounds of search are not three-opt
    for group in combinations(range(5), 3):
        jobs = np.flatnonzero(np.isin(a, group))
        now = float(c[a[jobs], jobs].sum())
        assert cheapest_by_brute_force(c, w, b, group, jobs) == now


def test_the_same_stream_gives_the_same_repacking() -> None:
    c, w, b = type_d(8, 40, 2)
    start = heuristic.regret_greedy(c, w, b)
    first, again = start.copy(), start.copy()
    gap_repack.repack(c, w, b, first, rng=np.random.default_rng(5), passes=3)
    gap_repack.repack(c, w, b, again, rng=np.random.default_rng(5), passes=3)
    assert np.array_equal(first, again)


def test_explore_polishes_each_new_best_and_keeps_what_polishing_gains() -> None:
    search = every_pair_search(m=5, n=15, seed=6)
    c, w, b = search.costs, search.weights, search.capacities
    seen: list[float] = []

    def polish(a: np.ndarray, deadline: float) -> bool:
        assert heuristic.is_feasible(a, w, b)
        seen.append(heuristic.total_cost(a, c))
        return gap_repack.repack(c, w, b, a, rng=np.random.default_rng(1), passes=100,
                                 deadline=deadline)

    incumbent = heuristic.Incumbent()
    start = heuristic.regret_greedy(c, w, b)
    heuristic.explore(search, start, incumbent, deadline=np.inf, rounds=300,
                      rng=np.random.default_rng(3), polish=polish)
    assert seen, "a new best assignment was never polished"
    assert seen == sorted(seen, reverse=True)  # only ever a better incumbent than the last
    assert incumbent.assignment is not None
    final = incumbent.assignment
    for group in combinations(range(5), 3):  # the answer is three-opt: it was polished last
        jobs = np.flatnonzero(np.isin(final, group))
        assert cheapest_by_brute_force(c, w, b, group, jobs) == float(c[final[jobs], jobs].sum())


def test_solve_gap_repacks_only_where_agents_hold_few_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[tuple[int, int], bool]] = []

    def counted(c: np.ndarray, w: np.ndarray, b: np.ndarray, a: np.ndarray, *,
                prices: np.ndarray | None = None, **_: object) -> bool:
        calls.append((c.shape, prices is not None))
        return False

    monkeypatch.setattr(gap, "repack", counted)
    for m, n in ((10, 40), (4, 40)):  # four jobs an agent, then ten
        c, w, b = type_d(m, n, 1)
        gap.solve_gap(gap.GapInstance(costs=c, weights=w, capacities=b), time_limit=2, seed=0)
    assert calls and set(calls) == {((10, 40), True)}  # priced by the LP


def test_the_lp_prices_a_unit_of_each_agents_room() -> None:
    c, w, b = type_d(5, 30, 1)
    lp = solve_relaxation(c, w, b, time_limit=10.0)
    assert lp.x is not None and lp.reduced is not None
    assert lp.duals is not None and lp.prices is not None
    assert np.allclose(lp.reduced, c - lp.duals[None, :] + lp.prices[:, None] * w, atol=1e-6)
    slack = b - (lp.x * w).sum(axis=1) > 1e-6
    assert np.all(lp.prices[slack] < 1e-9)  # room left over is worth nothing
    assert lp.prices.max() > 0.5  # type D is tight: room is worth about a unit of cost


def test_agents_that_hold_nothing_are_left_alone() -> None:
    c, w, b = type_d(6, 4, 0)
    a = np.array([0, 0, 1, 1])  # agents 2 to 5 hold no job
    kept = a.copy()
    gap_repack.repack(c, w, b, a, rng=np.random.default_rng(0), passes=2)
    assert heuristic.is_feasible(a, w, b) or not heuristic.is_feasible(kept, w, b)
    assert heuristic.total_cost(a, c) <= heuristic.total_cost(kept, c)
