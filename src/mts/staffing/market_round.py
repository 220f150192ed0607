"""A round staffed by a two-sided market instead of the optimiser.

Members rank roles: first the roles (or projects) they stated interest in,
by their rank, then the other roles they are a candidate for, by their value
there. Each lead ranks the role's candidates by their value in it (people of
equal value tie, broken by the round's seeded lottery). People-proposing
deferred acceptance then gives the people-optimal stable matching, so no
member gains by misstating their wishes.

The market honours head counts, FTE caps (a person whose free FTE is short of
a role's is not on that role's list) and one role per person; it does not
enforce pins or the department and stretch rules, which is why the optimiser
is the default. Every seat's explanation says which better-ranked roles
turned the person down and whom the lead preferred there.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

import numpy as np

from mts.domain.people import PersonId
from mts.domain.projects import RoleId
from mts.staffing.board import Seats, Solution, objective
from mts.staffing.explain import assemble_plan
from mts.staffing.market import Explanation, MarketResult, parse_instance, solve_market
from mts.staffing.plan import Plan, Seat
from mts.staffing.problem import StaffingProblem, StaffingRequest, StaffingSettings, build_problem


def market_plan(request: StaffingRequest, settings: StaffingSettings) -> Plan:
    """The people-optimal stable matching of ``request``'s candidates to its roles, as a plan."""
    started = time.perf_counter()
    problem = build_problem(request, settings)
    data = market_lists(problem, request)
    result = solve_market(parse_instance(data, source="round"), seed=settings.seed)
    seats = _seats(problem, result)
    solution = Solution(
        seats=seats,
        objective=objective(problem, seats),
        status="stable",
        method="market",
        bound=None,
        bound_scope="none",
        mip_bound=None,
        seconds=time.perf_counter() - started,
        edges=problem.edges,
        added_by_pricing=0,
        mip_nodes=0,
        greedy_objective=None,
    )
    plan = assemble_plan(problem, solution)
    explained = tuple(
        _with_market_reasons(seat, result.explain(seat.person)) for seat in plan.seats
    )
    note = "staffed by a two-sided market: pins and department or stretch rules are not enforced"
    return replace(plan, seats=explained, notes=(*plan.notes, note))


def market_lists(problem: StaffingProblem, request: StaffingRequest) -> dict[str, object]:
    """The market instance: members' ranked roles and leads' ranked candidates, from values."""
    roles: dict[str, dict[str, object]] = {}
    acceptable: dict[int, dict[int, float]] = defaultdict(dict)
    for r, role in enumerate(problem.roles):
        people, values = lead_ranking(problem, r)
        for p, v in zip(people.tolist(), values.tolist(), strict=True):
            acceptable[p][r] = v
        roles[role.id] = {
            "capacity": int(problem.headcount[r]),
            "ranking": _tiers(problem, people, values),
        }
    wishes = _stated_wishes(problem, request)
    people_lists = {
        problem.people[p]: _person_list(problem, options, wishes.get(problem.people[p], {}))
        for p, options in acceptable.items()
    }
    return {"people": people_lists, "roles": roles}


def lead_ranking(problem: StaffingProblem, role: int) -> tuple[np.ndarray, np.ndarray]:
    """Role ``role``'s lead's list: its candidates (people rows) and their values, best first.

    The candidates are the problem's pruned pairs for the role with a finite
    value, ordered by value (descending), then person row; people of equal
    value form one tier of the lead's ranking, broken by the round's lottery.
    """
    edges = problem.edges
    mask = (edges.role == role) & np.isfinite(edges.value)
    people, values = edges.person[mask], edges.value[mask]
    order = np.lexsort((people, -values))
    return people[order], values[order]


def _tiers(problem: StaffingProblem, people: np.ndarray, values: np.ndarray) -> list[object]:
    ranking: list[object] = []
    last: float | None = None
    for i in range(people.size):  # already best first (lead_ranking)
        person = problem.people[int(people[i])]
        if last is not None and values[i] == last:
            previous = ranking[-1]
            ranking[-1] = [*previous, person] if isinstance(previous, list) else [previous, person]
        else:
            ranking.append(person)
        last = float(values[i])
    return ranking


def _stated_wishes(
    problem: StaffingProblem, request: StaffingRequest
) -> dict[PersonId, dict[RoleId, int]]:
    roles_of: dict[str, list[RoleId]] = defaultdict(list)
    for role in problem.roles:
        roles_of[role.project].append(role.id)
    wishes: dict[PersonId, dict[RoleId, int]] = defaultdict(dict)
    for interest in request.interests:
        named = [interest.role] if interest.role else roles_of.get(interest.project, [])
        for role_id in named:
            best = wishes[interest.person].get(role_id)
            wishes[interest.person][role_id] = (
                interest.rank if best is None else min(best, interest.rank)
            )
    return wishes


def _person_list(
    problem: StaffingProblem, options: dict[int, float], wishes: dict[RoleId, int]
) -> list[str]:
    def key(r: int) -> tuple[int, float, str]:
        role = problem.roles[r].id
        return (wishes.get(role, 10**9), -options[r], role)

    return [problem.roles[r].id for r in sorted(options, key=key)]


def _seats(problem: StaffingProblem, result: MarketResult) -> Seats:
    index = {person: p for p, person in enumerate(problem.people)}
    pairs = [
        (index[PersonId(person)], problem.role_index(RoleId(role)))
        for person, role in sorted(result.matching.items())
        if role is not None
    ]
    person = np.array([p for p, _ in pairs], dtype=np.intp)
    role = np.array([r for _, r in pairs], dtype=np.intp)
    return Seats(person=person, role=role)


def _with_market_reasons(seat: Seat, explanation: Explanation) -> Seat:
    reasons = tuple(
        f"{r.role} preferred {r.preferred}" + (" (by lottery among equals)" if r.by_lottery else "")
        if r.preferred
        else f"{r.role} did not list {seat.person}"
        for r in explanation.rejected_by
    )
    turned_down = f"; turned down by {len(reasons)} role(s) they ranked higher" if reasons else ""
    summary = f"{seat.person} got {seat.role} in the market (their best stable option){turned_down}"
    return replace(seat, why=replace(seat.why, rules=(*seat.why.rules, *reasons), summary=summary))
