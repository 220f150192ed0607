"""The iterated search (``explore``): restarts from a kicked incumbent, driven by a seed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mts.staffing import gap
from mts.staffing import gap_heuristic as heuristic
from mts.staffing.gap_highs import branch_and_bound

ROUNDS = 400  # a work bound, so every run here repeats exactly


def type_d(m: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A Chu-Beasley type D instance: tight capacities, costs against weights."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 101, size=(m, n)).astype(float)
    c = 111 - w + rng.integers(-10, 11, size=(m, n))
    return c, w, np.floor(0.8 * w.sum(axis=1) / m)


def every_pair_search(m: int = 5, n: int = 40, seed: int = 3) -> heuristic.ChainSearch:
    c, w, b = type_d(m, n, seed)
    job, agent = np.divmod(np.arange(m * n), m)
    return heuristic.ChainSearch(c, w, b, heuristic.Arcs.of(job, agent, c, w))


def explored(search: heuristic.ChainSearch, seed: int) -> heuristic.Incumbent:
    incumbent = heuristic.Incumbent()
    start = heuristic.regret_greedy(search.costs, search.weights, search.capacities)
    heuristic.explore(search, start, incumbent, deadline=np.inf, rounds=ROUNDS,
                      rng=np.random.default_rng(seed))
    return incumbent


def test_the_same_seed_gives_the_same_assignment() -> None:
    search = every_pair_search()
    first, again = explored(search, seed=7), explored(search, seed=7)
    assert first.assignment is not None and again.assignment is not None
    assert first.cost == again.cost
    assert np.array_equal(first.assignment, again.assignment)


def test_restarts_never_end_worse_than_the_first_oscillation() -> None:
    search = every_pair_search()
    start = heuristic.regret_greedy(search.costs, search.weights, search.capacities)
    for seed in range(3):
        alone = heuristic.Incumbent()
        # explore's first oscillation, with the same seed: the restarts can only add to it
        heuristic.oscillate(search, start, alone, deadline=np.inf, rounds=ROUNDS,
                            patience=heuristic.PATIENCE, rng=np.random.default_rng(seed))
        restarted = explored(search, seed)
        assert alone.assignment is not None and restarted.assignment is not None
        assert restarted.cost <= alone.cost
        assert heuristic.is_feasible(restarted.assignment, search.weights, search.capacities)
        assert restarted.cost == heuristic.total_cost(restarted.assignment, search.costs)


def test_a_kick_moves_a_few_jobs_along_arcs_and_leaves_the_rest() -> None:
    search = every_pair_search(m=5, n=100)
    a = heuristic.regret_greedy(search.costs, search.weights, search.capacities)
    kicked = heuristic._kicked(search.arcs, a, np.random.default_rng(0))
    moved = np.flatnonzero(kicked != a)
    assert 0 < len(moved) <= max(2, int(heuristic.KICK_SHARE * len(a)))
    arcs = set(zip(search.arcs.job.tolist(), search.arcs.agent.tolist(), strict=True))
    assert all((int(j), int(kicked[j])) in arcs for j in moved)


def test_on_tiny_instances_the_search_goes_on_beside_highs_from_its_best(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After its fixed rounds, the search restarts from the best assignment, with no round
    limit, and stops when HiGHS ends; HiGHS's proven optimum is then the answer."""
    calls: list[tuple[int, bool]] = []
    real = heuristic.explore

    def spy(search: heuristic.ChainSearch, start: np.ndarray, incumbent: heuristic.Incumbent,
            **kwargs: Any) -> int:
        from_best = incumbent.assignment is not None and np.array_equal(start,
                                                                        incumbent.assignment)
        calls.append((kwargs["rounds"], from_best))
        return real(search, start, incumbent, **kwargs)

    monkeypatch.setattr(gap.heuristic, "explore", spy)
    c, w, b = type_d(4, 20, 0)  # 80 pairs: tiny, and HiGHS proves it in about a second
    result = gap.solve_gap(gap.GapInstance(costs=c, weights=w, capacities=b), time_limit=30.0)
    assert len(calls) == 2
    (rounds, _), (more, from_best) = calls
    assert rounds < 2**62 and more == 2**62 and from_best
    assert result.status == "optimal" and result.seconds < 30.0  # HiGHS ended, and halted it
    alone = branch_and_bound(c, w, b, start=None, time_limit=30.0)
    assert alone.status == "optimal" and alone.assignment is not None
    assert result.objective == c[alone.assignment, np.arange(20)].sum()


def test_in_exact_mode_highs_alone_takes_over_after_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = heuristic.explore

    def spy(*args: Any, **kwargs: Any) -> int:
        calls.append(kwargs["rounds"])
        return real(*args, **kwargs)

    monkeypatch.setattr(gap.heuristic, "explore", spy)
    c, w, b = type_d(5, 30, 0)
    result = gap.solve_gap(gap.GapInstance(costs=c, weights=w, capacities=b), time_limit=30.0,
                           exact=True)
    assert calls == [gap.EXACT_ROUNDS]
    assert result.status == "optimal"
