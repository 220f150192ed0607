"""The column master (``gap_columns``): its bound, its dive, and where ``solve_gap`` uses it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings

from mts.staffing import gap, gap_columns
from mts.staffing.gap import GapInstance
from mts.staffing.gap_highs import solve_relaxation
from mts.staffing.gap_lagrange import knapsacks, lagrangian_bound
from unit.staffing.test_gap_explore import type_d
from unit.staffing.test_gap_properties import brute_force, instances


def walked(instance: GapInstance, upper: float) -> tuple[float, list[np.ndarray], np.ndarray]:
    """The LP bound, the knapsacks of a Lagrangian walk from the LP duals, and those duals."""
    c, w, b = instance.costs, instance.weights, instance.capacities
    relaxation = solve_relaxation(c, w, b, time_limit=10.0)
    assert relaxation.bound is not None and relaxation.duals is not None
    walk: list[np.ndarray] = []
    lagrangian_bound(c, w, b, start=relaxation.duals, upper=upper, deadline=math.inf,
                     visit=walk.append)
    return relaxation.bound, walk, relaxation.duals


@settings(max_examples=40, deadline=None)
@given(instances(max_agents=3, max_jobs=7))
def test_column_generation_ends_between_the_lp_bound_and_the_optimum(
    instance: GapInstance,
) -> None:
    """Priced to the end, the master's LP is a bound at least as tight as the plain LP's and
    never above the optimum, and no agent has a knapsack left whose reduced cost is negative."""
    optimum = brute_force(instance)
    assume(optimum is not None)
    assert optimum is not None
    lp, walk, _ = walked(instance, optimum)
    c, w, b = instance.costs, instance.weights, instance.capacities
    master = gap_columns._Master.of(c, w, b, seed=0)
    for sets in walk:
        master.add_sets(sets)
    free = np.full(instance.n, -1, np.int64)
    gap_columns._generate(master, free, np.zeros(instance.m, bool), 10_000, math.inf)
    _, u, v = master.solve(math.inf)
    value = float(master.highs.getInfo().objective_function_value)
    assert lp - 1e-6 <= value <= optimum + 1e-6
    _, best = knapsacks(u[None, :] - c, w, b)
    assert np.all(best + v <= 1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_a_dive_never_overloads_an_agent(seed: int) -> None:
    """Each agent gets one column, which fits it; jobs left over are marked -1."""
    c, w, b = type_d(10, 60, seed)
    instance = GapInstance(costs=c, weights=w, capacities=b)
    _, walk, _ = walked(instance, float(c.max(axis=0).sum()))
    a = gap_columns.dive(c, w, b, walk, deadline=math.inf)
    covered = a >= 0
    load = np.bincount(a[covered], weights=w[a[covered], np.flatnonzero(covered)],
                       minlength=10)
    assert np.all(load <= b)
    assert covered.mean() > 0.9


def test_a_dive_returns_the_assignment_when_the_master_lp_is_integral() -> None:
    """Every job has one cheapest agent and room is ample: the LP picks those sets whole."""
    costs = np.array([[1.0, 9.0, 9.0, 2.0], [9.0, 1.0, 9.0, 9.0], [9.0, 9.0, 1.0, 9.0]])
    weights = np.ones((3, 4))
    capacities = np.full(3, 4.0)
    greedy = np.zeros((3, 4), bool)
    greedy[0] = True  # a poor start: agent 0 takes everything
    a = gap_columns.dive(costs, weights, capacities, [greedy], deadline=math.inf)
    assert a.tolist() == [0, 1, 2, 0]


@pytest.mark.parametrize("seed", range(3))
def test_a_dive_stops_with_the_agents_it_should_leave_free(seed: int) -> None:
    """With ``leave_free`` k, fixing stops once at most k agents are free; those agents hold
    no job, and the jobs left are the ones the fixed columns do not cover."""
    c, w, b = type_d(12, 60, seed)
    instance = GapInstance(costs=c, weights=w, capacities=b)
    _, walk, _ = walked(instance, float(c.max(axis=0).sum()))
    a = gap_columns.dive(c, w, b, walk, deadline=math.inf, leave_free=3)
    free = np.setdiff1d(np.arange(12), a[a >= 0])
    assert 1 <= free.size <= 3
    assert (a < 0).any()
    nothing = gap_columns.dive(c, w, b, walk, deadline=math.inf, leave_free=12)
    assert np.all(nothing == -1)


def test_ruling_out_columns_leaves_the_master_lp_as_it_was() -> None:
    """After a fix, the columns of the fixed agent and those holding its jobs must be zero in
    any solution; bounding them to zero changes the LP's value by nothing."""
    c, w, b = type_d(8, 40, 1)
    instance = GapInstance(costs=c, weights=w, capacities=b)
    _, walk, _ = walked(instance, float(c.max(axis=0).sum()))
    master = gap_columns._Master.of(c, w, b, seed=0)
    for sets in walk:
        master.add_sets(sets)
    a, fixed = np.full(instance.n, -1, np.int64), np.zeros(instance.m, bool)
    x = gap_columns._generate(master, a, fixed, 10_000, math.inf)
    assert gap_columns._fix_most_used(master, x, a, fixed)
    master.solve(math.inf)
    before = float(master.highs.getInfo().objective_function_value)
    live = list(master.live)
    master.rule_out(a, fixed)
    master.solve(math.inf)
    assert float(master.highs.getInfo().objective_function_value) == pytest.approx(before)
    clash = [k for k in live if fixed[master.columns[k][0]]
             or (a[master.columns[k][1]] >= 0).any()]
    assert clash and sorted(set(live) - set(master.live)) == clash
    upper = master.highs.getCols(len(clash), np.array(clash, np.int32) + instance.n)[4]
    assert np.all(np.asarray(upper) == 0.0)


@settings(max_examples=25, deadline=None)
@given(instances(max_agents=3, max_jobs=6))
def test_the_jobs_a_dive_leaves_are_placed_at_their_optimum(instance: GapInstance) -> None:
    """HiGHS places the jobs without an agent on the agents holding none, at the cheapest
    cost they can have there, and leaves the rest of the assignment alone."""
    assume(instance.m > 1 and instance.n > 1)
    m, n = instance.m, instance.n
    held = np.where(np.arange(n) % (m + 1) == 1, 0, -1)  # agent 0 holds job 1, fitting or not
    rest = np.flatnonzero(held < 0)  # job 0 at least
    sub = GapInstance(costs=instance.costs[1:, rest], weights=instance.weights[1:, rest],
                      capacities=instance.capacities[1:])
    best = brute_force(sub)
    run = gap._Run.begin(instance, 10.0, 0, False)
    a = held.copy()
    run._complete(a)
    assert np.all(a[held >= 0] == 0)
    if best is None:
        assert np.all(a[rest] == -1)
        return
    assert np.all(a[rest] >= 1)
    assert float(instance.costs[a[rest], rest].sum()) == pytest.approx(best)
    load = np.bincount(a[rest], weights=instance.weights[a[rest], rest], minlength=m)
    assert np.all(load[1:] <= instance.capacities[1:] + 1e-9)


def test_solve_gap_restarts_from_a_dive_above_tiny_instances(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """20 x 100 (2,000 pairs) dives once, with the walk's knapsacks and the best assignment
    as columns, leaving a quarter of the agents free; a tiny instance never dives (its runs
    must repeat exactly)."""
    calls: list[int] = []
    real = gap.dive

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        columns = args[3]
        assert isinstance(columns, list)
        assert kwargs["leave_free"] == 5
        calls.append(len(columns))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gap, "dive", spy)
    # the dive alone: re-packing (five jobs an agent) would take the first share of these 3 s,
    # more so on a fresh checkout, where its first call compiles it (about 5 s)
    monkeypatch.setattr(gap, "REPACK_JOBS_PER_AGENT", 0)
    c, w, b = type_d(20, 100, 0)
    result = gap.solve_gap(GapInstance(costs=c, weights=w, capacities=b), time_limit=3.0)
    assert result.status in ("optimal", "feasible")
    assert len(calls) == 1 and calls[0] > 1
    c, w, b = type_d(5, 40, 0)
    gap.solve_gap(GapInstance(costs=c, weights=w, capacities=b), time_limit=3.0)
    assert len(calls) == 1
