"""Seat explanations worked out for every role at once match a seat-by-seat reading.

``assemble_plan`` values all seats in one call, finds every role's rivals
with array sorts and asks why a rival is ineligible only when a vectorised
test says they may be. Here each seat is explained again the slow, obvious
way (one value per pair, one sort per role, every rule checked per rival)
and the two must agree exactly: values, order, runner-up, margin, who was
passed over and why. Rivals that are ineligible, tied on value, or listed
out of order are added on purpose, since the solver's own candidates are
none of these.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import Project, ProjectId, ProjectRules, Role, RoleId, RoleKind, SkillNeed
from mts.domain.staffing import Exploration
from mts.merit.table import MeritTable
from mts.staffing import (
    Candidate,
    Commitment,
    Forbid,
    Pin,
    PinSource,
    Plan,
    StaffingRequest,
    StaffingSettings,
)
from mts.staffing.board import Solution
from mts.staffing.explain import assemble_plan
from mts.staffing.problem import FTE_TOLERANCE, Edges, StaffingProblem, build_problem
from mts.staffing.solver import solve

SKILLS = ("ml", "infra")
PEOPLE = tuple(f"p{i:02d}" for i in range(18))
# no exploration or bonus, and few merit levels: many people tie on value
TIES = StaffingSettings(exploration=Exploration.NONE, interest_bonus=0.0, lead_weight=0.0,
                        mip_gap=0.0, time_limit=5.0)
RIVAL_VALUE = 9.0  # above anyone's real value, so injected rivals are always passed over

Row = tuple[str, str, float, int, str | None, float | None, float | None,
            tuple[tuple[str, float, str], ...]]


def merit(rng: np.random.Generator) -> MeritTable:
    """Four merit levels shared by both skills; every fourth person has little evidence."""
    general = rng.choice([-0.5, 0.0, 0.5, 1.0], size=len(PEOPLE))
    shaky = np.arange(len(PEOPLE)) % 4 == 3
    sd = np.where(shaky, 0.9, 0.1)
    evidence = np.where(shaky, 0.5, 10.0)
    return MeritTable(
        people=tuple(PersonId(p) for p in PEOPLE),
        skills=tuple(Skill(s) for s in SKILLS),
        mean=np.repeat(general[:, None], len(SKILLS), axis=1),
        sd=np.repeat(sd[:, None], len(SKILLS), axis=1),
        n_effective=np.repeat(evidence[:, None], len(SKILLS), axis=1),
        general_mean=general,
        general_sd=sd,
        general_n_effective=evidence,
        prior_sd=1.0,
        skill_prior_sd=0.5,
    )


def candidates(rng: np.random.Generator) -> tuple[Candidate, ...]:
    """Three departments; some people already half or mostly busy, one already leads.

    p01 and p02, whom the council keeps off a role, are free, so that is the reason given.
    """
    out = []
    for i, key in enumerate(PEOPLE):
        busy = 0.0 if i in (1, 2) else float(rng.choice([0.0, 0.0, 0.5, 0.8]))
        held = (Commitment(project=ProjectId("X"), fte=busy, title="Atlas"),) if busy else ()
        if i == 5:
            held = (Commitment(project=ProjectId("Y"), fte=0.2, lead=True, title="Beacon"),)
        out.append(Candidate(person=PersonId(key), department=DepartmentId(f"d{i % 3}"),
                             commitments=held))
    return tuple(out)


def projects() -> tuple[Project, ...]:
    """A department rule on P0, a stretch rule on P1, no rules on P2 and P3."""
    rules = (ProjectRules(min_departments=2), ProjectRules(min_stretch_seats=1),
             ProjectRules(), ProjectRules())
    return tuple(Project(id=ProjectId(f"P{j}"), title=f"P{j}", summary="",
                         proposer=PersonId("nobody"), rules=rule)
                 for j, rule in enumerate(rules))


def roles(rng: np.random.Generator) -> tuple[Role, ...]:
    """A half-time lead and a two-seat member role per project."""
    out = []
    for j in range(4):
        fte = float(rng.choice([0.5, 1.0]))
        for key, kind, seats, size in (("lead", RoleKind.LEAD, 1, 0.5),
                                       ("crew", RoleKind.MEMBER, 2, fte)):
            out.append(Role(id=RoleId(f"P{j}-{key}"), project=ProjectId(f"P{j}"), title=key,
                            kind=kind, headcount=seats, fte=size,
                            needs=(SkillNeed(skill=Skill(SKILLS[j % 2])),)))
    return tuple(out)


def staffing_request(seed: int) -> StaffingRequest:
    """A small seeded round with rules, a council pin and two council forbids."""
    rng = np.random.default_rng(seed)
    return StaffingRequest(
        roles=roles(rng),
        projects=projects(),
        candidates=candidates(rng),
        merit=merit(rng),
        pins=(Pin(person=PersonId("p07"), role=RoleId("P2-crew"), reason="continuity"),),
        forbids=(Forbid(person=PersonId("p01"), role=RoleId("P3-crew")),
                 Forbid(person=PersonId("p02"), role=RoleId("P0-crew"))),
    )


def with_rivals(problem: StaffingProblem, solution: Solution) -> Solution:
    """The solution with ineligible rivals for every role, tied on value with each other."""
    may = problem.model.eligible(np.arange(problem.n_roles))
    r, q = np.nonzero(~may)
    extra = Edges(q.astype(np.intp), r.astype(np.intp), np.full(q.size, RIVAL_VALUE))
    return replace(solution, edges=Edges.union([solution.edges, extra], problem.n_people))


def shuffled(solution: Solution, seed: int) -> Solution:
    """The same candidate pairs, still grouped by role but in random order within each."""
    edges = solution.edges
    order = np.lexsort((np.random.default_rng(seed).random(len(edges)), edges.role))
    return replace(solution, edges=Edges(edges.person[order], edges.role[order],
                                         edges.value[order]))


def rows_of(plan: Plan) -> list[Row]:
    """What the fast path decided for each seat, in plan order."""
    return [(s.role, s.person, s.value, s.seat, s.why.runner_up, s.why.runner_up_value,
             s.why.margin, tuple((x.person, x.value, x.reason) for x in s.why.passed_over))
            for s in plan.seats]


def per_seat(problem: StaffingProblem, solution: Solution) -> list[Row]:
    """Every seat explained on its own: one value per pair, one sort per role."""
    seats = list(zip(solution.seats.person.tolist(), solution.seats.role.tolist(), strict=True))
    edges = list(zip(solution.edges.person.tolist(), solution.edges.role.tolist(),
                     solution.edges.value.tolist(), strict=True))
    rows: list[Row] = []
    for r in range(problem.n_roles):
        holders = [p for p, held in seats if held == r]
        rivals = sorted(((v, q) for q, role, v in edges if role == r and q not in holders),
                        key=lambda vq: (-vq[0], problem.people[vq[1]]))
        ranked = sorted(((value_of(problem, p, r), p) for p in holders),
                        key=lambda vp: (-vp[0], problem.people[vp[1]]))
        for n, (value, p) in enumerate(ranked):
            total = problem.model.breakdown(p, r).total
            passed = tuple((problem.people[q], v, blocker(problem, seats, r, p, q))
                           for v, q in rivals[:3] if v > total + 1e-12)
            runner = rivals[0] if rivals else None
            rows.append((problem.roles[r].id, problem.people[p], value, n,
                         None if runner is None else problem.people[runner[1]],
                         None if runner is None else runner[0],
                         None if runner is None else total - runner[0], passed))
    return rows


def value_of(problem: StaffingProblem, p: int, r: int) -> float:
    """The value of one pair, asked on its own."""
    one = np.array([p], dtype=np.intp), np.array([r], dtype=np.intp)
    return float(problem.model.pair_values(*one)[0])


def blocker(problem: StaffingProblem, seats: list[tuple[int, int]], r: int, p: int,
            q: int) -> str:
    """Why ``q`` lost ``r`` to ``p``: every rule asked in turn, nothing looked up in bulk."""
    pin = next((s for pp, pr, s in zip(problem.pin_person.tolist(), problem.pin_role.tolist(),
                                       problem.pin_source, strict=True)
                if (pp, pr) == (p, r)), None)
    if pin is not None:
        source = "the council" if pin is PinSource.COUNCIL else "groundwork continuity"
        return f"the seat is pinned to {problem.people[p]} by {source}"
    mine = [role for person, role in seats if person == q and role != r]
    where = ", ".join(f"{problem.roles[x].id} at {problem.fte[x]:g}" for x in mine)
    free = problem.capacity[q] - sum(problem.fte[role] for person, role in seats if person == q)
    if (reason := problem.ineligibility(q, r)) is not None:
        return reason
    if free < problem.fte[r] - FTE_TOLERANCE:
        return (f"FTE cap: {problem.commitments_of(q)}; in this plan on {where}; "
                f"{max(free, 0.0):g} FTE left")
    if problem.is_lead[r] and (leads := [x for x in mine if problem.is_lead[x]]):
        return f"already leads {problem.roles[leads[0]].project} (one lead per person)"
    if (rule := rule_reason(problem, seats, r, p, q)) is not None:
        return rule
    if where:
        return f"the plan scores higher overall with them on {where}"
    return "left out within the solver's optimality tolerance"


def rule_reason(problem: StaffingProblem, seats: list[tuple[int, int]], r: int, p: int,
                q: int) -> str | None:
    """The project rule ``p`` satisfies and ``q`` would not, if any."""
    j = int(problem.role_project[r])
    name = problem.projects[j].id
    on_project = [person for person, role in seats if problem.role_project[role] == j]
    stretch_seats = sum(1 for x in on_project if problem.uncertain[x])
    if (problem.min_stretch[j] > 0 and problem.uncertain[p] and not problem.uncertain[q]
            and stretch_seats <= problem.min_stretch[j]):
        return f"stretch rule on {name}: {problem.people[p]} fills a stretch seat"
    same = sum(1 for x in on_project if problem.department[x] == problem.department[p])
    departments = {int(problem.department[x]) for x in on_project}
    if (problem.min_departments[j] > 0 and same == 1
            and len(departments) <= problem.min_departments[j]):
        department = problem.departments[int(problem.department[p])]
        return f"department rule on {name}: {problem.people[p]} brings department {department}"
    return None


@pytest.fixture(params=[1, 2, 3], ids=lambda seed: f"seed{seed}")
def round_with_rivals(request: pytest.FixtureRequest) -> tuple[StaffingProblem, Solution]:
    """A solved round whose candidate set also holds every ineligible pair."""
    problem = build_problem(staffing_request(request.param), TIES)
    return problem, with_rivals(problem, solve(problem))


def test_every_seat_is_explained_as_a_seat_by_seat_reading_would(
    round_with_rivals: tuple[StaffingProblem, Solution],
) -> None:
    problem, solution = round_with_rivals
    assert rows_of(assemble_plan(problem, solution)) == per_seat(problem, solution)


def test_rivals_listed_out_of_order_are_ranked_as_a_sort_would(
    round_with_rivals: tuple[StaffingProblem, Solution],
) -> None:
    problem, solution = round_with_rivals
    scrambled = shuffled(solution, seed=11)
    assert rows_of(assemble_plan(problem, scrambled)) == per_seat(problem, scrambled)


def test_the_round_exercises_ineligible_capped_and_tied_rivals(
    round_with_rivals: tuple[StaffingProblem, Solution],
) -> None:
    problem, solution = round_with_rivals
    seats = assemble_plan(problem, solution).seats
    reasons = {x.reason for s in seats for x in s.why.passed_over}
    assert "kept off this role by the council" in reasons
    assert any("free <" in reason for reason in reasons)  # ineligible on FTE
    assert any(reason.startswith("already leads") for reason in reasons)
    assert any(sum(x.value == RIVAL_VALUE for x in s.why.passed_over) >= 2 for s in seats)
