"""Properties of ``solve_gap`` on small random instances, checked against brute force."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.staffing.gap import GapInstance, GapResult, greedy_gap, solve_gap

LIMIT = 20.0  # seconds; never reached on these sizes, so every run is work-bounded


@st.composite
def instances(draw: st.DrawFn, max_agents: int = 4, max_jobs: int = 7) -> GapInstance:
    """Integer costs and weights; capacities from very tight (often infeasible) to loose."""
    m = draw(st.integers(1, max_agents))
    n = draw(st.integers(1, max_jobs))
    cells = st.lists(st.integers(0, 30), min_size=m * n, max_size=m * n)
    costs = np.array(draw(cells), dtype=float).reshape(m, n)
    weights = np.array(draw(st.lists(st.integers(1, 12), min_size=m * n, max_size=m * n)),
                       dtype=float).reshape(m, n)
    tightness = draw(st.floats(0.2, 1.5))
    fair = weights.sum(axis=1) / m
    capacities = np.floor(tightness * fair + np.array(draw(
        st.lists(st.integers(0, 6), min_size=m, max_size=m))))
    return GapInstance(costs=costs, weights=weights, capacities=capacities)


def brute_force(instance: GapInstance) -> float | None:
    """The optimum over all ``m ** n`` assignments, or None when none fits."""
    m, n = instance.m, instance.n
    every = np.array(list(itertools.product(range(m), repeat=n)), dtype=np.int64)
    jobs = np.arange(n)
    cost = instance.costs[every, jobs].sum(axis=1)
    load = np.zeros((len(every), m))
    for i in range(m):
        load[:, i] = np.where(every == i, instance.weights[i][None, :], 0.0).sum(axis=1)
    fits = np.all(load <= instance.capacities[None, :], axis=1)
    return float(cost[fits].min()) if fits.any() else None


def respects_capacities(instance: GapInstance, result: GapResult) -> bool:
    load = np.zeros(instance.m)
    for j, i in enumerate(result.assignment):
        load[i] += instance.weights[i, j]
    return bool(np.all(load <= instance.capacities))


@settings(max_examples=60, deadline=None)
@given(instances())
def test_an_answer_never_overloads_an_agent_and_places_every_job_once(
    instance: GapInstance,
) -> None:
    result = solve_gap(instance, time_limit=LIMIT)
    if result.status in ("optimal", "feasible"):
        assert len(result.assignment) == instance.n
        assert all(0 <= i < instance.m for i in result.assignment)
        assert respects_capacities(instance, result)
        cost = sum(instance.costs[i, j] for j, i in enumerate(result.assignment))
        assert result.objective == cost
    else:
        assert result.assignment == ()
        assert result.objective is None


@settings(max_examples=60, deadline=None)
@given(instances())
def test_exact_runs_match_brute_force_and_prove_infeasibility(instance: GapInstance) -> None:
    best = brute_force(instance)
    result = solve_gap(instance, time_limit=LIMIT, exact=True)
    if best is None:
        assert result.status == "infeasible"
        assert result.lower_bound is None
    else:
        assert result.status == "optimal"
        assert result.objective == best
        assert result.lower_bound == best


@settings(max_examples=40, deadline=None)
@given(instances(max_agents=5, max_jobs=12))
def test_the_answer_is_never_worse_than_the_greedy_baseline(instance: GapInstance) -> None:
    greedy = greedy_gap(instance)
    result = solve_gap(instance, time_limit=LIMIT)
    if greedy.objective is not None:
        assert result.objective is not None
        assert result.objective <= greedy.objective
    if result.lower_bound is not None and result.objective is not None:
        assert result.lower_bound <= result.objective


@settings(max_examples=25, deadline=None)
@given(instances(max_agents=5, max_jobs=12), st.integers(0, 2**31 - 1))
def test_the_same_seed_gives_the_same_answer(instance: GapInstance, seed: int) -> None:
    first = solve_gap(instance, time_limit=LIMIT, seed=seed)
    again = solve_gap(instance, time_limit=LIMIT, seed=seed)
    assert (first.objective, first.lower_bound, first.status, first.assignment) == (
        again.objective, again.lower_bound, again.status, again.assignment)


def test_a_job_heavier_than_every_capacity_makes_the_instance_infeasible() -> None:
    instance = GapInstance(costs=np.ones((2, 2)), weights=np.array([[1.0, 9.0], [1.0, 9.0]]),
                           capacities=np.array([5.0, 5.0]))
    result = solve_gap(instance, time_limit=LIMIT)
    assert result.status == "infeasible"
    assert result.assignment == ()


def test_jobs_that_fit_alone_but_not_together_are_proven_infeasible() -> None:
    instance = GapInstance(costs=np.ones((2, 3)), weights=np.full((2, 3), 4.0),
                           capacities=np.array([5.0, 5.0]))
    result = solve_gap(instance, time_limit=LIMIT)
    assert result.status == "infeasible"


def test_the_greedy_baseline_places_jobs_by_regret() -> None:
    # job 1 loses the most if it misses agent 0, so it goes first and takes agent 0's room
    instance = GapInstance(costs=np.array([[1.0, 1.0], [2.0, 9.0]]),
                           weights=np.array([[3.0, 3.0], [1.0, 1.0]]),
                           capacities=np.array([3.0, 5.0]))
    assert greedy_gap(instance).assignment == (1, 0)
