"""The round's clock, and the step that hands the LP's pairs to HiGHS."""

from __future__ import annotations

import time

import pytest
from hypothesis import assume, given, settings

import mts.staffing as staffing
from mts.domain.errors import Infeasible
from mts.staffing import StaffingRequest, StaffingSettings, explain, solver
from mts.staffing.board import Solution, greedy_baseline, objective, violations
from mts.staffing.problem import StaffingProblem, build_problem
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


@settings(max_examples=10, deadline=None)
@given(rounds(max_people=8, rules=False))
def test_the_solver_stops_in_time_to_explain_every_seat(request: StaffingRequest) -> None:
    """The time limit covers the explanations: the solver gets the limit less what explaining
    every seat should take, but never less than half of it."""
    given_to_solver: list[float] = []
    real_solve = staffing.solve

    def solve(problem: StaffingProblem, started: float | None = None) -> Solution:
        given_to_solver.append(problem.settings.time_limit)
        return real_solve(problem, started)

    assume(request.candidates and request.roles)  # else there is nothing to solve
    seats = sum(role.headcount for role in request.roles)
    slow = 1e3 / max(seats, 1)  # explaining would take 1,000 s: the solver keeps half its limit
    for per_seat, limit in ((slow, 4.0), (1e-3, 4.0)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(staffing, "solve", solve)
            patch.setattr(explain, "SECONDS_PER_SEAT", per_seat)
            try:
                plan = staffing.solve_round(request, StaffingSettings(time_limit=limit, seed=1))
            except Infeasible:  # pins that clash: there may be nothing to solve
                return
        assert len(plan.seats) + sum(v.seats for v in plan.vacancies) == seats
    assert given_to_solver == pytest.approx([2.0, 4.0 - 1e-3 * seats])
