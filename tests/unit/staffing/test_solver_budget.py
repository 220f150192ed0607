"""The round's clock and the per-person candidate lists the scan and pricing keep."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mts.staffing import StaffingRequest, StaffingSettings, solver
from mts.staffing.problem import BestPerPerson, build_problem
from unit.staffing.test_round_properties import EXACT, FAST, brute_force, rounds


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 4))
def test_best_per_person_keeps_each_persons_best_over_all_blocks(
    seed: int, depth: int, n_blocks: int
) -> None:
    rng = np.random.default_rng(seed)
    n_roles, n_people = 3 * n_blocks, 7
    score = rng.choice([-np.inf, 0.0, 1.0, 2.5], size=(n_roles, n_people)) + rng.random(
        (n_roles, n_people))
    value = rng.random((n_roles, n_people))
    best = BestPerPerson.empty(depth, n_people)
    for rows in np.array_split(np.arange(n_roles), n_blocks):
        best.offer(rows, score[rows], value[rows])
    kept = best.edges()
    for p in range(n_people):
        finite = np.flatnonzero(np.isfinite(score[:, p]))
        expected = sorted(finite, key=lambda r: -score[r, p])[:depth]
        mine = kept.role[kept.person == p]
        assert sorted(mine.tolist()) == sorted(int(r) for r in expected)
        assert np.array_equal(kept.value[kept.person == p], value[mine, p])


@settings(max_examples=10, deadline=None)
@given(rounds(max_people=8, rules=False))
def test_a_round_whose_build_used_up_the_time_limit_skips_the_lp_and_pricing(
    request: StaffingRequest,
) -> None:
    """The clock starts before the problem is built: with no time left, the solver goes
    straight to its plan, and the time it reports is counted from the round's start."""
    problem = build_problem(request, StaffingSettings(time_limit=1.0, seed=3, top_k=1,
                                                      top_k_person=0))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("_lp_start", "_price", "_highs"):
            patch.setattr(solver, name, _must_not_run)
        solution = solver.solve(problem, started=time.perf_counter() - 60.0)
    assert not solver.violations(problem, solution.seats)
    assert solution.seconds >= 60.0
    assert solution.objective >= solver.objective(problem, solver.greedy_baseline(problem)) - 1e-9


def _must_not_run(*_: object, **__: object) -> None:
    raise AssertionError("ran with no time left")


@FAST
@given(rounds(max_people=4, rules=False))
def test_highs_on_the_lps_support_finds_the_best_plan_those_pairs_allow(
    request: StaffingRequest,
) -> None:
    """Given every pair as the support, the step after rounding must reach the true optimum
    from the greedy plan; with no time left it must hand the start back untouched."""
    assume(sum(role.headcount for role in request.roles) <= 5)
    problem = build_problem(request, EXACT)
    start = solver.greedy_baseline(problem)
    found = solver._best_on_support(problem, problem.edges, start, time.perf_counter())
    assert not solver.violations(problem, found)
    assert solver.objective(problem, found) == pytest.approx(brute_force(request, EXACT),
                                                             abs=1e-7)
    late = solver._best_on_support(problem, problem.edges, start, time.perf_counter() - 60.0)
    assert late is start
