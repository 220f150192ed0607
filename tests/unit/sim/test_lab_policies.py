"""The policies: level-gated ranks by level, quotas fit the people available, plans stay valid."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import Project, ProjectId, Role, RoleId, RoleKind, SkillNeed
from mts.merit.table import MeritTable
from mts.sim.assumptions import LabSettings
from mts.sim.lab import opening_round
from mts.sim.policies import (
    estimated_fit,
    explore,
    level_gated,
    truth_table,
    with_stretch_quotas,
)
from mts.staffing import Candidate, Commitment, StaffingRequest

ML = Skill("ml")


def _merit(people: list[PersonId], means: list[float]) -> MeritTable:
    values = np.array(means)
    return truth_table(people, [ML], values[:, None], values)


def _request(
    levels: dict[str, int], means: list[float], roles: tuple[Role, ...], held: dict[str, float]
) -> StaffingRequest:
    people = [PersonId(p) for p in levels]
    candidates = tuple(
        Candidate(
            person=p,
            department=DepartmentId("d"),
            commitments=(Commitment(project=ProjectId("old"), fte=held[p], lead=True),)
            if p in held
            else (),
        )
        for p in people
    )
    project = Project(id=ProjectId("P"), title="P", summary="", proposer=PersonId("council"))
    return StaffingRequest(
        roles=roles, projects=(project,), candidates=candidates, merit=_merit(people, means)
    )


def _role(name: str, kind: RoleKind, headcount: int = 1, fte: float = 1.0) -> Role:
    return Role(
        id=RoleId(name),
        project=ProjectId("P"),
        title=name,
        kind=kind,
        headcount=headcount,
        fte=fte,
        needs=(SkillNeed(skill=ML),),
    )


def test_level_gated_gives_the_lead_to_the_highest_level_whatever_the_merit() -> None:
    roles = (_role("P-lead", RoleKind.LEAD), _role("P-r1", RoleKind.MEMBER, headcount=2))
    request = _request({"a": 1, "b": 6, "c": 3}, [2.0, -1.0, 0.5], roles, {})
    seats = level_gated(request, {PersonId("a"): 1, PersonId("b"): 6, PersonId("c"): 3})
    assert seats[(RoleId("P-lead"), 0)] == "b"
    assert {seats[(RoleId("P-r1"), 0)], seats[(RoleId("P-r1"), 1)]} == {"a", "c"}
    assert seats[(RoleId("P-r1"), 0)] == "c"


def test_level_gated_breaks_ties_within_a_level_by_estimated_fit() -> None:
    roles = (_role("P-r1", RoleKind.MEMBER),)
    request = _request({"a": 4, "b": 4}, [0.1, 0.9], roles, {})
    seats = level_gated(request, {PersonId("a"): 4, PersonId("b"): 4})
    assert seats[(RoleId("P-r1"), 0)] == "b"


def test_level_gated_skips_someone_who_already_leads() -> None:
    roles = (_role("P-lead", RoleKind.LEAD, fte=0.5),)
    request = _request({"a": 8, "b": 2}, [0.0, 0.0], roles, {"a": 0.5})
    seats = level_gated(request, {PersonId("a"): 8, PersonId("b"): 2})
    assert seats[(RoleId("P-lead"), 0)] == "b"


@st.composite
def _rounds(draw: st.DrawFn) -> tuple[StaffingRequest, dict[PersonId, int]]:
    n = draw(st.integers(1, 8))
    names = [f"p{i}" for i in range(n)]
    levels = {p: draw(st.integers(1, 8)) for p in names}
    means = [draw(st.floats(-2, 2)) for _ in names]
    held = {p: draw(st.sampled_from([0.5, 1.0])) for p in names if draw(st.booleans())}
    roles = tuple(
        _role(
            f"P-{k}",
            draw(st.sampled_from([RoleKind.LEAD, RoleKind.MEMBER])),
            headcount=draw(st.integers(1, 3)),
            fte=draw(st.sampled_from([0.5, 1.0])),
        )
        for k in range(draw(st.integers(1, 5)))
    )
    return _request(levels, means, roles, held), {PersonId(p): v for p, v in levels.items()}


@settings(max_examples=60, deadline=None)
@given(_rounds())
def test_a_level_gated_plan_never_overfills_overloads_or_doubles_a_lead(
    case: tuple[StaffingRequest, dict[PersonId, int]],
) -> None:
    request, levels = case
    seats = level_gated(request, levels)
    roles = {r.id: r for r in request.roles}
    fill = Counter(role for role, _ in seats)
    assert all(fill[r] <= roles[r].headcount for r in fill)
    load: Counter[str] = Counter()
    leads: Counter[str] = Counter()
    for (role, _), person in seats.items():
        load[person] += roles[role].fte
        leads[person] += roles[role].kind is RoleKind.LEAD
    for c in request.candidates:
        assert load[c.person] <= c.fte_available + 1e-9
        assert leads[c.person] + len(c.leads) <= 1
    holders = [(role, person) for (role, _), person in seats.items()]
    assert len(holders) == len(set(holders))


def test_estimated_fit_falls_back_to_general_execution_for_unknown_skills() -> None:
    people = [PersonId("a"), PersonId("b")]
    merit = _merit(people, [0.3, -0.2])
    role = replace(_role("r", RoleKind.MEMBER), needs=(SkillNeed(skill=Skill("rust")),))
    fit = estimated_fit(merit, [*people, PersonId("new")], [role])
    assert fit[0].tolist() == [0.3, -0.2, 0.0]


def test_stretch_quotas_are_only_as_many_as_newcomers_can_fill() -> None:
    opening = opening_round(LabSettings(people=60, quarters=1), 2)
    request = opening.inputs.request
    settings = LabSettings(people=60, stretch_min_seats=1)
    ids = [c.person for c in request.candidates]
    newcomers = int(request.merit.uncertain(ids, below_evidence=2.0).sum())
    quota = with_stretch_quotas(request, settings)
    reserved = sum(p.rules.min_stretch_seats for p in quota.projects)
    assert reserved == min(newcomers, len(request.projects))
    assert with_stretch_quotas(request, replace(settings, stretch_seats=0)) is request


def test_merit_plus_explore_keeps_its_stretch_quotas_when_they_can_hold() -> None:
    opening = opening_round(LabSettings(people=60, quarters=1), 2)
    settings = LabSettings(people=60, stretch_min_seats=1)
    plan = explore(opening.inputs, settings)
    request = opening.inputs.request
    uncertain = dict(
        zip(
            [c.person for c in request.candidates],
            request.merit.uncertain([c.person for c in request.candidates]),
            strict=True,
        )
    )
    ruled = {
        p.id for p in with_stretch_quotas(request, settings).projects if p.rules.min_stretch_seats
    }
    assert ruled
    assert not plan.notes
    for project in ruled:
        assert any(uncertain[s.person] for s in plan.seats if s.project == project)
