"""The subgradient's Polyak target: the best plan's value, so that prices far from the
duals still move (at 100,000 people they start far off, and a target half a percent under
the bound left the bound where it started)."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import assume, given

from mts.staffing import StaffingRequest
from mts.staffing.board import greedy_baseline, objective, violations
from mts.staffing.problem import build_problem
from mts.staffing.relaxation import (
    Arcs,
    Multipliers,
    Search,
    evaluate,
    initial_multipliers,
    subgradient,
)
from unit.staffing.test_everyone import NARROW
from unit.staffing.test_round_properties import FAST, rounds

_FAR = 5.0  # value units taken off every role's price: every pair pays, the bound is loose


@FAST
@given(rounds(max_people=8, rules=False))
def test_prices_far_from_the_duals_come_most_of_the_way_in_thirty_steps(
    request: StaffingRequest,
) -> None:
    """From prices that make every pair pay, thirty steps close at least half of the
    distance between the dual value and the plan."""
    problem = build_problem(request, NARROW)
    start = greedy_baseline(problem)
    assume(not violations(problem, start))
    implied = initial_multipliers(problem, start)
    far = Multipliers(implied.role - _FAR, implied.stretch, implied.link)
    arcs = Arcs.of(problem, problem.edges)
    plan = objective(problem, start)
    loose = evaluate(arcs, far).value
    assume(loose - plan > 1.0)
    search = Search(bound=np.inf, multipliers=far, seats=start, objective=plan, feasible=True)
    subgradient(problem, arcs, search, time.perf_counter() + 60, iterations=30)
    assert search.bound - search.objective <= 0.5 * (loose - plan)
