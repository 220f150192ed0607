"""The LP with pricing (``lp.lp_start``): what it hands the search when a solve is cut short."""

from __future__ import annotations

import time

import highspy
import numpy as np
import pytest
from highspy._core import _Highs
from hypothesis import assume, given

from mts.staffing import StaffingRequest, lp
from mts.staffing.board import objective, violations
from mts.staffing.problem import build_problem
from unit.staffing.test_everyone import NARROW
from unit.staffing.test_round_properties import FAST, rounds


@FAST
@given(rounds(max_people=8, rules=False))
def test_a_re_solve_cut_short_still_leaves_the_last_solved_lp_rounded(
    request: StaffingRequest,
) -> None:
    """When the time limit stops HiGHS after pricing added pairs, the last LP it did solve is
    still rounded into a plan, and its value and support are the ones reported."""
    problem = build_problem(request, NARROW)
    values: list[float] = []  # the objective of each solve
    real_run = lp.run_highs

    def stopped_after_the_first(h: _Highs) -> None:
        if not values:
            real_run(h)
        else:  # the time limit struck before anything was solved: no solution at all
            h.clearSolver()
        values.append(h.getInfo().objective_function_value)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lp, "run_highs", stopped_after_the_first)
        cut = lp.lp_start(problem, problem.edges, time.perf_counter(), share=1.0)
    assume(len(values) >= 2)  # pricing added pairs after the first solve
    assert cut.rounded is not None and cut.support is not None
    assert not violations(problem, cut.rounded)
    assert cut.value == values[0]
    # the support is of the first LP's columns: the candidates before pricing
    first = set(zip(problem.edges.person.tolist(), problem.edges.role.tolist(), strict=True))
    assert set(zip(cut.support.person.tolist(), cut.support.role.tolist(), strict=True)) <= first


@FAST
@given(rounds(max_people=8, rules=False))
def test_a_first_solve_cut_short_is_rounded_where_it_stopped(request: StaffingRequest) -> None:
    """When the time limit stops the very first LP solve, the point the dual simplex stopped
    at is rounded into a valid plan: without it a large round on a slow machine had no LP
    plan at all."""
    problem = build_problem(request, NARROW)
    statuses: list[highspy.HighsModelStatus] = []
    real_run = lp.run_highs

    def stopped_early(h: _Highs) -> None:
        h.setOptionValue("simplex_iteration_limit", 1)  # as a time limit would, mid-solve
        real_run(h)
        statuses.append(h.getModelStatus())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lp, "run_highs", stopped_early)
        cut = lp.lp_start(problem, problem.edges, time.perf_counter(), share=1.0)
    assume(statuses[0] == highspy.HighsModelStatus.kIterationLimit)
    assert cut.rounded is not None and cut.support is not None
    assert not violations(problem, cut.rounded)


@FAST
@given(rounds(max_people=8, rules=False))
def test_the_last_duals_are_priced_for_a_bound_even_a_little_past_the_lps_share(
    request: StaffingRequest,
) -> None:
    """When a pass over every pair no longer fits in the LP's share of the time but fits in
    ``PRICING_OVERRUN`` more, the last duals are still priced: the round gets a bound over
    every pair, and it bounds the plan."""
    problem = build_problem(request, NARROW)
    assume(np.isfinite(problem.left_out_best).any())  # some pair is left out: pricing is needed
    share = 0.5

    def fits_only_past_the_share(_: object, __: float, asked: float) -> bool:
        return asked > share

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lp, "pricing_fits", fits_only_past_the_share)
        late = lp.lp_start(problem, problem.edges, time.perf_counter(), share=share)
    assert late.rounded is not None and np.isfinite(late.bound)
    assert late.bound >= objective(problem, late.rounded) - 1e-9
