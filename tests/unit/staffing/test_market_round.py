"""A round staffed by the market: stable, within head counts and FTE, explained."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import (
    Interest,
    Project,
    ProjectId,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.domain.staffing import Exploration
from mts.merit.table import MeritTable
from mts.staffing import Candidate, Commitment, StaffingRequest, StaffingSettings
from mts.staffing.market import check_stability, parse_instance
from mts.staffing.market_round import market_lists, market_plan
from mts.staffing.problem import build_problem

SETTINGS = StaffingSettings(exploration=Exploration.NONE, interest_bonus=0.0, lead_weight=0.0)


def _table(means: list[float]) -> MeritTable:
    people = tuple(PersonId(f"p{i}") for i in range(len(means)))
    general = np.array(means)
    return MeritTable(
        people=people,
        skills=(Skill("ml"),),
        mean=general[:, None].copy(),
        sd=np.full((len(means), 1), 0.1),
        n_effective=np.full((len(means), 1), 10.0),
        general_mean=general,
        general_sd=np.full(len(means), 0.1),
        general_n_effective=np.full(len(means), 10.0),
        prior_sd=1.0,
        skill_prior_sd=0.5,
    )


def _request(
    means: list[float], seats: list[int], interests: tuple[Interest, ...] = ()
) -> StaffingRequest:
    project = Project(id=ProjectId("x"), title="X", summary="", proposer=PersonId("p0"))
    roles = tuple(
        Role(
            id=RoleId(f"r{k}"),
            project=project.id,
            title="Engineer",
            kind=RoleKind.MEMBER,
            headcount=n,
            fte=1.0,
            needs=(SkillNeed(skill=Skill("ml")),),
        )
        for k, n in enumerate(seats)
    )
    candidates = tuple(
        Candidate(person=PersonId(f"p{i}"), department=DepartmentId("d")) for i in range(len(means))
    )
    return StaffingRequest(
        roles=roles,
        projects=(project,),
        candidates=candidates,
        merit=_table(means),
        interests=interests,
    )


def test_stated_interest_comes_before_value_and_the_best_person_gets_their_wish() -> None:
    wish = (Interest(person=PersonId("p0"), project=ProjectId("x"), role=RoleId("r1"), rank=1),)
    plan = market_plan(_request([0.9, 0.5, 0.1], [1, 1], wish), SETTINGS)
    held = {s.person: s.role for s in plan.seats}
    assert held["p0"] == "r1"
    assert plan.stats.method == "market" and plan.stats.status == "stable"


def test_someone_without_free_fte_is_not_on_any_list() -> None:
    request = _request([0.9, 0.1], [1])
    busy = Candidate(
        person=PersonId("p0"),
        department=DepartmentId("d"),
        commitments=(Commitment(project=ProjectId("y"), fte=1.0),),
    )
    plan = market_plan(
        StaffingRequest(
            roles=request.roles,
            projects=request.projects,
            candidates=(busy, request.candidates[1]),
            merit=request.merit,
        ),
        SETTINGS,
    )
    assert [s.person for s in plan.seats] == ["p1"]


@given(
    means=st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=9),
    seats=st.lists(st.integers(1, 3), min_size=1, max_size=4),
)
@settings(max_examples=40, deadline=None)
def test_market_round_is_stable_and_never_overfills(means: list[float], seats: list[int]) -> None:
    request = _request(means, seats)
    plan = market_plan(request, SETTINGS)
    instance = parse_instance(market_lists(build_problem(request, SETTINGS), request))
    matching: dict[str, str | None] = dict.fromkeys(instance.people)
    matching.update({s.person: s.role for s in plan.seats})
    assert check_stability(instance, matching).is_stable
    per_role = [sum(1 for s in plan.seats if s.role == f"r{k}") for k in range(len(seats))]
    assert all(n <= cap for n, cap in zip(per_role, seats, strict=True))
    assert len({s.person for s in plan.seats}) == len(plan.seats)
    assert plan.seats == market_plan(request, SETTINGS).seats


def test_explanations_name_the_roles_that_turned_a_person_down() -> None:
    plan = market_plan(_request([0.9, 0.5], [1, 1]), SETTINGS)
    second = next(s for s in plan.seats if s.person == "p1")
    assert "turned down by 1 role" in second.why.summary
    assert any("preferred p0" in rule for rule in second.why.rules)
