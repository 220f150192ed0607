"""The staffing engine: a MeritTable and open roles in, a ``Plan`` out. Pure.

::

    StaffingRequest --build_problem--> StaffingProblem   values, pruning, groundwork, pins
                    --solve----------> Solution          greedy, LP pricing, rounding, HiGHS
                    --assemble_plan--> Plan              seats, vacancies, explanations, stats

``solve_round`` is the optimiser; ``greedy_plan`` the baseline it never does worse than.
"""

from __future__ import annotations

import time
from dataclasses import replace

from mts.staffing.board import Seats, Solution, greedy_baseline, objective, violations
from mts.staffing.explain import assemble_plan, explaining_seconds
from mts.staffing.plan import (
    GroundworkDecision,
    GroundworkOutcome,
    PassedOver,
    PinSource,
    Plan,
    Seat,
    SeatExplanation,
    SkillFit,
    SolverStats,
    Vacancy,
    ValueBreakdown,
)
from mts.staffing.problem import (
    Candidate,
    Commitment,
    Forbid,
    Pin,
    StaffingProblem,
    StaffingRequest,
    StaffingSettings,
    build_problem,
)
from mts.staffing.solver import solve

__all__ = [
    "Candidate",
    "Commitment",
    "Forbid",
    "GroundworkDecision",
    "GroundworkOutcome",
    "PassedOver",
    "Pin",
    "PinSource",
    "Plan",
    "Seat",
    "SeatExplanation",
    "SkillFit",
    "SolverStats",
    "StaffingRequest",
    "StaffingSettings",
    "Vacancy",
    "ValueBreakdown",
    "greedy_plan",
    "solve_round",
]

_DEFAULT = StaffingSettings()


def solve_round(request: StaffingRequest, settings: StaffingSettings = _DEFAULT) -> Plan:
    """The optimal plan for a round (within ``settings.mip_gap`` and the time limit).

    Raises ``InvalidInput`` for a malformed request and ``Infeasible`` (with
    ``conflicts`` naming the rules) when pins or project rules cannot all hold.
    A round with nobody available, or with nothing to staff, gives a plan of
    vacancies whose ``stats.status`` is ``"empty"``.
    """
    started = time.perf_counter()  # the time limit covers building the problem too
    problem = build_problem(request, settings)
    if problem.n_people == 0 or problem.n_roles == 0:
        return _empty_plan(problem)
    return assemble_plan(problem, solve(_leaving_time_to_explain(problem), started))


def _leaving_time_to_explain(problem: StaffingProblem) -> StaffingProblem:
    """``problem`` with a time limit that ends in time to explain every seat (about 12 s at
    100,000 people, for which 17 s are kept), but never less than half the limit."""
    limit = problem.settings.time_limit
    solving = max(limit - explaining_seconds(problem), limit / 2)
    return replace(problem, settings=replace(problem.settings, time_limit=solving))


def greedy_plan(request: StaffingRequest, settings: StaffingSettings = _DEFAULT) -> Plan:
    """The rule-aware greedy baseline: pins, then project rules, then best value first.

    Its ``stats.status`` is ``"feasible"``, or ``"rules unmet: ..."`` when the
    greedy could not satisfy every rule.
    """
    started = time.perf_counter()
    problem = build_problem(request, settings)
    if problem.n_people == 0 or problem.n_roles == 0:
        return _empty_plan(problem)
    seats = greedy_baseline(problem)
    broken = violations(problem, seats)
    status = "feasible" if not broken else "rules unmet: " + "; ".join(broken)
    value = objective(problem, seats)
    solution = _plain_solution(problem, seats, value, status, "greedy", started)
    return assemble_plan(problem, solution)


def _plain_solution(
    problem: StaffingProblem,
    seats: Seats,
    value: float,
    status: str,
    method: str,
    started: float,
) -> Solution:
    return Solution(
        seats=seats,
        objective=value,
        status=status,
        method=method,
        bound=None,
        bound_scope="none",
        mip_bound=None,
        seconds=time.perf_counter() - started,
        edges=problem.edges,
        added_by_pricing=0,
        mip_nodes=0,
        greedy_objective=value if method == "greedy" else None,
    )


def _empty_plan(problem: StaffingProblem) -> Plan:
    """Nothing to decide: every seat is vacant (or there are no seats)."""
    empty = Seats(person=problem.pin_person[:0], role=problem.pin_role[:0])
    value = objective(problem, empty)
    solution = _plain_solution(problem, empty, value, "empty", "none", time.perf_counter())
    plan = assemble_plan(problem, solution)
    notes = ["no roles are open this round"]
    if problem.n_people == 0:
        notes = ["the organisation has no one available this round: every seat is vacant"]
        notes += [f"{rule.label}: cannot be met" for rule in problem.rules]
    return Plan(
        seats=plan.seats,
        vacancies=plan.vacancies,
        groundwork=plan.groundwork,
        stats=plan.stats,
        notes=tuple(notes),
    )
