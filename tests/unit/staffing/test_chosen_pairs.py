"""Subgradient walks without repairs (``relaxation.walk``): the pairs their relaxed choices
take go to HiGHS after the LP, and the pairs that could pay where they end join the
candidates before it."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from hypothesis import given

from mts.staffing import StaffingRequest, lp, solver
from mts.staffing.board import greedy_baseline, objective
from mts.staffing.problem import Edges, StaffingProblem, build_problem
from mts.staffing.relaxation import Arcs, Multipliers, evaluate, initial_multipliers, walk
from unit.staffing.test_everyone import NARROW
from unit.staffing.test_round_properties import FAST, rounds


def _pairs(edges: Edges) -> set[tuple[int, int]]:
    return set(zip(edges.person.tolist(), edges.role.tolist(), strict=True))


def _start(problem: StaffingProblem) -> tuple[Arcs, Multipliers, float]:
    start = greedy_baseline(problem)
    return (Arcs.of(problem, problem.edges), initial_multipliers(problem, start),
            objective(problem, start))


@FAST
@given(rounds(max_people=8, rules=False))
def test_a_walk_keeps_every_choice_up_to_its_cap_and_its_best_multipliers(
    request: StaffingRequest,
) -> None:
    """Every pair the relaxed choice takes where the walk starts is kept, every pair kept is
    a candidate, a cap below the first choice keeps nothing, and the multipliers returned
    are the best met (no worse than the start)."""
    problem = build_problem(request, NARROW)
    arcs, mult, target = _start(problem)
    at_start = evaluate(arcs, mult)
    first = _pairs(problem.edges.subset(at_start.chosen))
    soon = time.perf_counter() + 60
    found = walk(arcs, mult, target, 10, len(arcs.edges), soon)
    assert first <= _pairs(found.chosen) <= _pairs(problem.edges)
    assert evaluate(arcs, found.multipliers).value <= at_start.value
    assert len(walk(arcs, mult, target, 10, len(first) - 1, soon).chosen) == 0
    late = walk(arcs, mult, target, 10, len(arcs.edges), time.perf_counter() - 1)
    assert _pairs(late.chosen) == first  # with the deadline gone, one evaluation


@FAST
@given(rounds(max_people=8, rules=False))
def test_highs_after_the_lp_gets_its_pairs_and_the_choices_near_its_duals(
    request: StaffingRequest,
) -> None:
    """``_with_choices`` adds the relaxed choice at the LP's duals to the LP's support, and
    leaves the support alone when HiGHS would have no room for more pairs."""
    problem = build_problem(request, NARROW)
    start = greedy_baseline(problem)
    relaxed = lp.lp_start(problem, problem.edges, time.perf_counter(), share=1.0)
    if relaxed.support is None or relaxed.multipliers is None:
        assert solver._with_choices(problem, relaxed, start) is relaxed.support
        return
    at_duals = evaluate(Arcs.of(problem, relaxed.edges), relaxed.multipliers).chosen
    pairs = _pairs(solver._with_choices(problem, relaxed, start))
    assert _pairs(relaxed.support) <= pairs
    assert _pairs(relaxed.edges.subset(at_duals)) <= pairs
    full = replace(problem, settings=replace(problem.settings, mip_max_pairs=len(start)))
    assert _pairs(solver._with_choices(full, relaxed, start)) == _pairs(relaxed.support)


@FAST
@given(rounds(max_people=8, rules=False))
def test_the_walks_before_the_lp_only_add_eligible_pairs_and_only_in_time(
    request: StaffingRequest,
) -> None:
    """The pairs the walks' pricing adds are eligible pairs at their true values, the
    candidates are all kept, and with the LP's half of the time gone nothing is added."""
    problem = build_problem(request, NARROW)
    start = greedy_baseline(problem)
    grown = solver._priced_after_walks(problem, problem.edges, start, time.perf_counter())
    assert _pairs(problem.edges) <= _pairs(grown)
    values = problem.model.pair_values(grown.person, grown.role)
    for p, r, value, expected in zip(grown.person.tolist(), grown.role.tolist(),
                                     grown.value.tolist(), values.tolist(), strict=True):
        assert problem.ineligibility(p, r) is None
        assert abs(value - expected) < 1e-9
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver, "price", _must_not_run)
        late = solver._priced_after_walks(problem, problem.edges, start,
                                          time.perf_counter() - 1e4)
    assert late is problem.edges


def _must_not_run(*_: object, **__: object) -> None:
    raise AssertionError("priced with no time left")
