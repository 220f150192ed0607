"""The round's clock, and the step that hands the LP's pairs to HiGHS."""

from __future__ import annotations

import time

import pytest
from hypothesis import assume, given, settings

from mts.staffing import StaffingRequest, StaffingSettings, solver
from mts.staffing.board import greedy_baseline, objective, violations
from mts.staffing.problem import build_problem
from unit.staffing.test_round_properties import EXACT, FAST, brute_force, rounds


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
        for name in ("lp_start", "price", "solve_mip"):  # as the solver imports them
            patch.setattr(solver, name, _must_not_run)
        solution = solver.solve(problem, started=time.perf_counter() - 60.0)
    assert not violations(problem, solution.seats)
    assert solution.seconds >= 60.0
    assert solution.objective >= objective(problem, greedy_baseline(problem)) - 1e-9


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
    start = greedy_baseline(problem)
    found = solver._best_on_support(problem, problem.edges, start, time.perf_counter())
    assert not violations(problem, found)
    assert objective(problem, found) == pytest.approx(brute_force(request, EXACT),
                                                             abs=1e-7)
    late = solver._best_on_support(problem, problem.edges, start, time.perf_counter() - 60.0)
    assert late is start
