"""When no plan meets the rules: widen the candidates, then name the rules that conflict.

A deletion filter over the rules in force gives an irreducible infeasible
subset, or a clear approximation of one when there are too many rules to
test one by one.
"""


from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from mts.domain.errors import Infeasible
from mts.staffing.board import Seats
from mts.staffing.lp import Layout, new_highs, pass_model, run_highs, set_integral, x_values
from mts.staffing.problem import Edges, Rule, StaffingProblem

_WIDEN_LIMIT = 3_000_000  # pairs; above this, widening for a diagnosis stops at 10 x top_k
_FILTER_LIMIT = 40  # rules a deletion filter may test one by one


def widened(problem: StaffingProblem, edges: Edges) -> Edges:
    """Everyone eligible for the roles of ruled or pinned projects (the best 10 x top_k if huge)."""
    pinned = np.isin(np.arange(len(problem.projects)), problem.role_project[problem.pin_role])
    ruled = (problem.min_departments > 0) | (problem.min_stretch > 0) | pinned
    roles = np.flatnonzero(ruled[problem.role_project])
    k = problem.n_people
    if roles.size * problem.n_people > _WIDEN_LIMIT:
        k = 10 * problem.settings.top_k
    return Edges.union([edges, problem.select_candidates(roles, k)], problem.n_people)


def _feasible(
    problem: StaffingProblem, layout: Layout, edges: Edges, active: frozenset[Rule] | None
) -> bool:
    """Whether a plan exists with only the ``active`` rules (all when None) in force."""
    return feasible_plan(problem, layout, edges, active) is not None


def feasible_plan(
    problem: StaffingProblem, layout: Layout, edges: Edges, active: frozenset[Rule] | None
) -> Seats | None:
    """Any plan with only the ``active`` rules (all when None) in force, or None if none exists."""
    h = new_highs(problem)
    pass_model(h, layout, edges, active=active, feasibility=True)
    set_integral(h, layout, len(edges))
    h.setOptionValue("time_limit", max(problem.settings.time_limit, 1.0))
    run_highs(h)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        x = x_values(h, layout) > 0.5
        return Seats(person=edges.person[x], role=edges.role[x])
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    raise Infeasible("could not decide within the time limit whether the rules can all hold")


def diagnose(problem: StaffingProblem, layout: Layout, edges: Edges) -> Infeasible:
    """Name an irreducible set of conflicting rules, and the rule families whose relaxation helps.

    Hard throughout: head counts, FTE caps, one lead per person. A deletion
    filter drops each suspect rule in turn and keeps it dropped when the rest
    still has no plan; what remains is irreducible.
    """
    rules = problem.rules
    if not _feasible(problem, layout, edges, frozenset()):
        return Infeasible("no plan exists even without pins or project rules", conflicts=())
    families = sorted({rule.kind for rule in rules})
    relieving = [
        str(kind)
        for kind in families
        if _feasible(problem, layout, edges, frozenset(r for r in rules if r.kind != kind))
    ]
    suspects = list(rules)
    if len(suspects) > _FILTER_LIMIT:
        suspects = [rule for rule in rules if rule.kind in relieving][:_FILTER_LIMIT]
    labels = [rule.label for rule in _deletion_filter(problem, layout, edges, suspects)]
    message = (
        "these rules cannot all hold (with head counts, FTE caps and one lead per person): "
        + "; ".join(labels)
    )
    if relieving:
        message += ". Relaxing any one of these rule families restores a plan: "
        message += ", ".join(relieving)
    return Infeasible(message, conflicts=labels)


def _deletion_filter(
    problem: StaffingProblem, layout: Layout, edges: Edges, suspects: Sequence[Rule]
) -> list[Rule]:
    background = [rule for rule in problem.rules if rule not in suspects]
    core = list(suspects)
    for rule in suspects:
        trial = [r for r in core if r != rule]
        if not _feasible(problem, layout, edges, frozenset(background + trial)):
            core = trial
    return core
