"""The pairs the relaxed choices take near the LP's duals, handed to HiGHS with the LP's own."""

from __future__ import annotations

import time
from dataclasses import replace

from hypothesis import given

from mts.staffing import StaffingRequest, lp, solver
from mts.staffing.board import greedy_baseline
from mts.staffing.problem import Edges, StaffingProblem, build_problem
from mts.staffing.relaxation import Arcs, chosen_pairs, evaluate, initial_multipliers
from unit.staffing.test_everyone import NARROW
from unit.staffing.test_round_properties import FAST, rounds


def _pairs(edges: Edges) -> set[tuple[int, int]]:
    return set(zip(edges.person.tolist(), edges.role.tolist(), strict=True))


def _first_choice(problem: StaffingProblem) -> tuple[Arcs, set[tuple[int, int]], float]:
    arcs = Arcs.of(problem, problem.edges)
    start = greedy_baseline(problem)
    mult = initial_multipliers(problem, start)
    first = evaluate(arcs, mult).chosen
    return arcs, _pairs(problem.edges.subset(first)), float(len(start))


@FAST
@given(rounds(max_people=8, rules=False))
def test_the_pairs_hold_the_first_choice_and_no_more_than_asked(
    request: StaffingRequest,
) -> None:
    """Every pair the relaxed choice takes at the given multipliers is kept, every pair kept
    is a candidate, and a cap below the first choice keeps nothing."""
    problem = build_problem(request, NARROW)
    arcs, first, target = _first_choice(problem)
    mult = initial_multipliers(problem, greedy_baseline(problem))
    found = _pairs(chosen_pairs(arcs, mult, target, len(arcs.edges), time.perf_counter() + 60))
    assert first <= found <= _pairs(problem.edges)
    capped = chosen_pairs(arcs, mult, target, len(first) - 1, time.perf_counter() + 60)
    assert len(capped) == 0
    # with the deadline gone, one evaluation: the first choice exactly
    late = chosen_pairs(arcs, mult, target, len(arcs.edges), time.perf_counter() - 1)
    assert _pairs(late) == first


@FAST
@given(rounds(max_people=8, rules=False))
def test_highs_after_the_lp_gets_its_pairs_and_the_choices_near_its_duals(
    request: StaffingRequest,
) -> None:
    """``_with_choices`` adds the relaxed choice at the LP's duals to the LP's support, and
    leaves the support alone when HiGHS would have no room for more pairs."""
    problem = build_problem(request, NARROW)
    start = greedy_baseline(problem)
    begun = time.perf_counter()
    relaxed = lp.lp_start(problem, problem.edges, begun, share=1.0)
    if relaxed.support is None or relaxed.multipliers is None:
        assert solver._with_choices(problem, relaxed, start) is relaxed.support
        return
    at_duals = evaluate(Arcs.of(problem, relaxed.edges), relaxed.multipliers).chosen
    pairs = _pairs(solver._with_choices(problem, relaxed, start))
    assert _pairs(relaxed.support) <= pairs
    assert _pairs(relaxed.edges.subset(at_duals)) <= pairs
    full = replace(problem, settings=replace(problem.settings, mip_max_pairs=len(start)))
    assert _pairs(solver._with_choices(full, relaxed, start)) == _pairs(relaxed.support)
