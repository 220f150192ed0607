"""Worked staffing rounds, small enough to check by hand.

Merit tables are built by hand with ``prior_sd = 1``, so a person's value in
a role is their posterior mean fit (plus the terms a test switches on).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from mts.domain.errors import Infeasible, InvalidInput
from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import (
    Groundwork,
    Interest,
    Project,
    ProjectId,
    ProjectRules,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.domain.staffing import Exploration, RoundId
from mts.merit.table import MeritTable
from mts.staffing import (
    Candidate,
    Commitment,
    Forbid,
    GroundworkOutcome,
    Pin,
    PinSource,
    Plan,
    StaffingRequest,
    StaffingSettings,
    greedy_plan,
    solve_round,
)

SKILLS = ("ml", "infra")
PLAIN = StaffingSettings(exploration=Exploration.NONE, interest_bonus=0.0, lead_weight=0.0,
                         mip_gap=0.0)


def merit(
    means: dict[str, float],
    *,
    sd: float = 0.1,
    evidence: float = 10.0,
    skills: dict[str, dict[str, float]] | None = None,
    uncertain: tuple[str, ...] = (),
) -> MeritTable:
    """A table where each person's skills equal their general mean unless given."""
    people = tuple(PersonId(p) for p in means)
    general = np.array([means[p] for p in means])
    mean = np.repeat(general[:, None], len(SKILLS), axis=1)
    for i, p in enumerate(means):
        for j, s in enumerate(SKILLS):
            mean[i, j] = (skills or {}).get(p, {}).get(s, mean[i, j])
    shaky = np.array([p in uncertain for p in means])
    general_sd = np.where(shaky, 0.9, sd)
    n_eff = np.where(shaky, 0.5, evidence)
    return MeritTable(
        people=people,
        skills=tuple(Skill(s) for s in SKILLS),
        mean=mean,
        sd=np.repeat(general_sd[:, None], len(SKILLS), axis=1),
        n_effective=np.repeat(n_eff[:, None], len(SKILLS), axis=1),
        general_mean=general,
        general_sd=general_sd,
        general_n_effective=n_eff,
        prior_sd=1.0,
        skill_prior_sd=0.5,
    )


def role(
    key: str,
    project: str = "P",
    *,
    lead: bool = False,
    headcount: int = 1,
    fte: float = 1.0,
    needs: tuple[str, ...] = ("ml",),
) -> Role:
    """A role needing the given skills equally."""
    return Role(
        id=RoleId(key),
        project=ProjectId(project),
        title=key,
        kind=RoleKind.LEAD if lead else RoleKind.MEMBER,
        headcount=headcount,
        fte=fte,
        needs=tuple(SkillNeed(skill=Skill(s)) for s in needs),
    )


def person(
    key: str, department: str = "research", *, cap: float = 1.0,
    held: tuple[Commitment, ...] = (),
) -> Candidate:
    """A candidate with ``cap`` FTE and the commitments ``held``."""
    return Candidate(person=PersonId(key), department=DepartmentId(department), fte_cap=cap,
                     commitments=held)


def project(key: str = "P", *, departments: int = 0, stretch: int = 0) -> Project:
    """A project with optional department and stretch rules."""
    rules = ProjectRules(min_departments=departments, min_stretch_seats=stretch)
    return Project(id=ProjectId(key), title=f"Project {key}", summary="",
                   proposer=PersonId("nobody"), rules=rules)


def request(
    roles: tuple[Role, ...],
    candidates: tuple[Candidate, ...],
    table: MeritTable,
    *,
    projects: tuple[Project, ...] | None = None,
    **extra: object,
) -> StaffingRequest:
    """A request whose projects default to plain ones for every role's project."""
    if projects is None:
        projects = tuple(project(key) for key in sorted({r.project for r in roles}))
    return StaffingRequest(roles=roles, projects=projects, candidates=candidates, merit=table,
                           **extra)  # type: ignore[arg-type]  # tests pass the optional fields


def holders(plan: Plan, key: str) -> set[str]:
    """Who sits in role ``key``."""
    return {seat.person for seat in plan.seats_of(RoleId(key))}


def test_the_best_person_gets_a_single_seat_and_the_runner_up_is_named() -> None:
    table = merit({"ann": 1.0, "bob": 0.4, "cat": -0.2})
    plan = solve_round(request((role("r"),), (person("ann"), person("bob"), person("cat")), table),
                       PLAIN)
    (seat,) = plan.seats
    assert seat.person == "ann"
    assert seat.why.runner_up == "bob"
    assert seat.why.margin == pytest.approx(0.6)
    assert plan.stats.status == "optimal"


def test_value_breakdown_adds_up_to_the_total() -> None:
    table = merit({"ann": 1.0, "bob": 0.4}, skills={"ann": {"infra": 0.0}})
    settings = replace(PLAIN, exploration=Exploration.UCB, kappa=1.0, lead_weight=0.5,
                       interest_bonus=0.3)
    roles = (role("lead", lead=True, needs=("ml", "infra")),)
    interests = (Interest(person=PersonId("ann"), project=ProjectId("P"), rank=1),)
    plan = solve_round(request(roles, (person("ann"), person("bob")), table,
                               interests=interests), settings)
    value = plan.seats[0].why.value
    assert value.fit == pytest.approx(sum(s.contribution for s in value.fit_by_skill))
    assert value.total == pytest.approx(value.fit + value.exploration + value.lead + value.interest)
    assert value.total == pytest.approx(plan.seats[0].value)
    assert value.interest == pytest.approx(0.3)


def test_fte_cap_keeps_the_best_person_off_and_says_why() -> None:
    table = merit({"ann": 1.0, "bob": 0.4})
    busy = (Commitment(project=ProjectId("X"), fte=0.8, title="Atlas"),)
    candidates = (person("ann", held=busy), person("bob"))
    plan = solve_round(request((role("r", fte=0.5),), candidates, table), PLAIN)
    assert holders(plan, "r") == {"bob"}
    assert plan.seats[0].why.runner_up is None  # ann is not eligible at all


def test_a_person_valued_higher_but_seated_elsewhere_is_explained_by_their_fte_cap() -> None:
    table = merit({"ann": 1.0, "bob": 0.5, "cat": 0.45},
                  skills={"ann": {"infra": 2.0}, "bob": {"infra": 0.5}, "cat": {"infra": -1.0}})
    roles = (role("ml-seat", needs=("ml",)), role("infra-seat", "Q", needs=("infra",)))
    plan = solve_round(request(roles, (person("ann"), person("bob"), person("cat")), table),
                       PLAIN)
    assert holders(plan, "infra-seat") == {"ann"}
    assert holders(plan, "ml-seat") == {"bob"}
    (seat,) = plan.seats_of(RoleId("ml-seat"))
    (passed,) = seat.why.passed_over
    assert passed.person == "ann"
    assert passed.reason.startswith("FTE cap")
    assert "infra-seat" in passed.reason


def test_nobody_leads_twice_and_the_second_lead_says_already_leads() -> None:
    table = merit({"ann": 2.0, "bob": 0.5, "cat": 0.4})
    roles = (role("lead-p", "P", lead=True, fte=0.5), role("lead-q", "Q", lead=True, fte=0.5))
    plan = solve_round(request(roles, (person("ann"), person("bob"), person("cat")), table),
                       PLAIN)
    leads = [seat.person for seat in plan.seats]
    assert sorted(leads) == ["ann", "bob"]
    other = next(seat for seat in plan.seats if seat.person == "bob")
    assert other.why.passed_over[0].person == "ann"
    assert "already leads" in other.why.passed_over[0].reason


def test_someone_already_leading_elsewhere_cannot_take_a_lead() -> None:
    table = merit({"ann": 2.0, "bob": 0.5})
    leads_x = (Commitment(project=ProjectId("X"), fte=0.2, lead=True, title="Atlas"),)
    candidates = (person("ann", held=leads_x), person("bob"))
    plan = solve_round(request((role("lead", lead=True, fte=0.5),), candidates, table), PLAIN)
    assert holders(plan, "lead") == {"bob"}


def test_stretch_rule_gives_a_seat_to_someone_with_little_evidence() -> None:
    table = merit({"ann": 1.0, "bob": 0.8, "new": -0.5}, uncertain=("new",))
    roles = (role("r", headcount=2, fte=0.5),)
    candidates = (person("ann"), person("bob"), person("new"))
    plain = solve_round(request(roles, candidates, table), PLAIN)
    ruled = solve_round(request(roles, candidates, table, projects=(project(stretch=1),)), PLAIN)
    assert holders(plain, "r") == {"ann", "bob"}
    assert holders(ruled, "r") == {"ann", "new"}
    newcomer = next(seat for seat in ruled.seats if seat.person == "new")
    assert any("stretch rule" in note for note in newcomer.why.rules)


def test_department_rule_draws_from_enough_departments() -> None:
    table = merit({"ann": 1.0, "bob": 0.9, "cat": 0.1})
    roles = (role("r", headcount=2, fte=0.5),)
    candidates = (person("ann", "research"), person("bob", "research"), person("cat", "safety"))
    ruled = solve_round(request(roles, candidates, table, projects=(project(departments=2),)),
                        PLAIN)
    assert holders(ruled, "r") == {"ann", "cat"}
    (bob_passed,) = next(s for s in ruled.seats if s.person == "cat").why.passed_over
    assert bob_passed.person == "bob"
    assert bob_passed.reason.startswith("department rule on P")


def test_pins_and_forbids_are_honoured_and_explained() -> None:
    table = merit({"ann": 1.0, "bob": 0.5, "cat": 0.1})
    roles = (role("r1"), role("r2", "Q"))
    candidates = (person("ann"), person("bob"), person("cat"))
    pins = (Pin(person=PersonId("cat"), role=RoleId("r1"), reason="continuity with Atlas"),)
    forbids = (Forbid(person=PersonId("ann"), role=RoleId("r2")),)
    plan = solve_round(request(roles, candidates, table, pins=pins, forbids=forbids), PLAIN)
    assert holders(plan, "r1") == {"cat"}
    assert holders(plan, "r2") == {"bob"}
    pinned = plan.seats_of(RoleId("r1"))[0]
    assert pinned.pinned_by is PinSource.COUNCIL
    assert "pinned by the council: continuity with Atlas" in pinned.why.rules
    assert pinned.why.passed_over[0].reason == "the seat is pinned to cat by the council"


def test_groundwork_author_gets_the_lead_within_the_margin() -> None:
    table = merit({"ann": 1.0, "author": 0.7})
    roles = (role("lead", lead=True),)
    work = (Groundwork(project=ProjectId("P"), person=PersonId("author"), day=date(2025, 1, 1)),)
    settings = replace(PLAIN, groundwork_margin=0.5)
    plan = solve_round(request(roles, (person("ann"), person("author")), table,
                               groundwork=work), settings)
    assert holders(plan, "lead") == {"author"}
    assert plan.seats[0].pinned_by is PinSource.GROUNDWORK
    (decision,) = plan.groundwork
    assert decision.outcome is GroundworkOutcome.PINNED
    assert "trails the best candidate, ann (1.00), by 0.30 <= margin 0.5" in decision.reason


def test_groundwork_author_trailing_by_more_than_the_margin_does_not_get_the_lead() -> None:
    table = merit({"ann": 1.0, "author": 0.2})
    roles = (role("lead", lead=True),)
    work = (Groundwork(project=ProjectId("P"), person=PersonId("author"), day=date(2025, 1, 1)),)
    plan = solve_round(request(roles, (person("ann"), person("author")), table,
                               groundwork=work), replace(PLAIN, groundwork_margin=0.5))
    assert holders(plan, "lead") == {"ann"}
    (decision,) = plan.groundwork
    assert decision.outcome is GroundworkOutcome.TRAILS
    assert "by 0.80 > margin 0.5" in decision.reason


def test_groundwork_author_who_declines_is_not_pinned() -> None:
    table = merit({"ann": 1.0, "author": 0.9})
    work = (Groundwork(project=ProjectId("P"), person=PersonId("author"), day=date(2025, 1, 1),
                       declines_lead=True),)
    plan = solve_round(request((role("lead", lead=True),), (person("ann"), person("author")),
                               table, groundwork=work), PLAIN)
    assert holders(plan, "lead") == {"ann"}
    assert plan.groundwork[0].outcome is GroundworkOutcome.DECLINED


def test_a_role_nobody_can_take_is_a_vacancy_with_its_reason() -> None:
    table = merit({"ann": 1.0})
    busy = (Commitment(project=ProjectId("X"), fte=0.6),)
    plan = solve_round(request((role("r", fte=0.5),), (person("ann", held=busy),), table), PLAIN)
    assert plan.seats == ()
    (vacancy,) = plan.vacancies
    assert vacancy.seats == 1
    assert vacancy.reason == "no one can take it: 1 of 1 people have less than 0.5 FTE free"


def test_empty_organisation_gives_an_all_vacant_plan_with_a_note() -> None:
    table = merit({"ann": 1.0})
    plan = solve_round(request((role("r", headcount=2),), (), table), PLAIN)
    assert plan.stats.status == "empty"
    assert [v.seats for v in plan.vacancies] == [2]
    assert "no one is available" in plan.vacancies[0].reason
    assert plan.notes[0].startswith("the organisation has no one available")


def test_pins_that_cannot_all_hold_are_named() -> None:
    table = merit({"ann": 1.0, "bob": 0.5})
    pins = (Pin(person=PersonId("ann"), role=RoleId("r")), Pin(person=PersonId("bob"),
                                                                 role=RoleId("r")))
    forbids = (Forbid(person=PersonId("bob"), role=RoleId("r")),)
    with pytest.raises(Infeasible) as caught:
        solve_round(request((role("r"),), (person("ann"), person("bob")), table, pins=pins,
                            forbids=forbids), PLAIN)
    assert "pin: bob on r" in caught.value.conflicts
    assert "forbid: bob on r" in caught.value.conflicts
    assert any("exceed its head count 1" in c for c in caught.value.conflicts)


def test_pins_beyond_someones_fte_are_named() -> None:
    table = merit({"ann": 1.0})
    pins = (Pin(person=PersonId("ann"), role=RoleId("a")),
            Pin(person=PersonId("ann"), role=RoleId("b")))
    with pytest.raises(Infeasible, match=r"ann on a, b need 1.2 FTE, 1 free"):
        solve_round(request((role("a", fte=0.6), role("b", "Q", fte=0.6)), (person("ann"),),
                            table, pins=pins), PLAIN)


def test_a_department_rule_bigger_than_the_project_is_named() -> None:
    table = merit({"ann": 1.0, "bob": 0.5})
    with pytest.raises(Infeasible) as caught:
        solve_round(request((role("r"),), (person("ann", "a"), person("bob", "b")), table,
                            projects=(project(departments=2),)), PLAIN)
    assert caught.value.conflicts == ("department rule on P: at least 2 departments",
                                      "head count of P: 1 seats")


def test_rules_that_clash_across_projects_are_named_as_a_minimal_set() -> None:
    """One newcomer, full-time, and two projects that each want a stretch seat."""
    table = merit({"ann": 1.0, "new": 0.0}, uncertain=("new",))
    roles = (role("p-seat", "P"), role("q-seat", "Q"))
    projects = (project("P", stretch=1), project("Q", stretch=1))
    with pytest.raises(Infeasible) as caught:
        solve_round(request(roles, (person("ann"), person("new")), table, projects=projects),
                    PLAIN)
    assert set(caught.value.conflicts) == {
        "stretch rule on P: at least 1 seats for people with little evidence",
        "stretch rule on Q: at least 1 seats for people with little evidence",
    }


def test_a_pin_clashing_with_a_stretch_rule_is_named_with_it() -> None:
    table = merit({"ann": 1.0, "new": 0.0}, uncertain=("new",))
    pins = (Pin(person=PersonId("ann"), role=RoleId("r")),)
    with pytest.raises(Infeasible) as caught:
        solve_round(request((role("r"),), (person("ann"), person("new")), table,
                            projects=(project(stretch=1),), pins=pins), PLAIN)
    assert set(caught.value.conflicts) == {
        "pin: ann on r",
        "stretch rule on P: at least 1 seats for people with little evidence",
    }


def test_a_newcomer_missing_from_the_table_gets_the_prior_and_counts_as_uncertain() -> None:
    table = merit({"ann": 0.3})
    settings = replace(PLAIN, exploration=Exploration.UCB, kappa=1.0)
    plan = solve_round(request((role("r"),), (person("ann"), person("newcomer")), table),
                       settings)
    assert holders(plan, "r") == {"newcomer"}  # prior mean 0, but sd 1.1 against ann's 0.1
    value = plan.seats[0].why.value
    assert value.fit == 0.0
    assert value.exploration == pytest.approx(np.hypot(1.0, 0.5))


def test_thompson_draws_repeat_for_the_same_seed() -> None:
    table = merit(dict.fromkeys("abcdefgh", 0.0), uncertain=tuple("abcdefgh"))
    roles = tuple(role(f"r{i}", f"P{i}", fte=0.5) for i in range(4))
    candidates = tuple(person(p) for p in "abcdefgh")
    settings = replace(PLAIN, exploration=Exploration.THOMPSON)
    plans = [solve_round(request(roles, candidates, table), replace(settings, seed=s))
             for s in (1, 1, 2, 3)]
    seats = [sorted((s.role, s.person) for s in p.seats) for p in plans]
    assert seats[0] == seats[1]
    assert seats[0] != seats[2] or seats[0] != seats[3]


def test_the_optimiser_beats_greedy_when_best_first_packs_badly() -> None:
    """Ann is best at both; greedy gives her the half-time seat and strands the full-time one."""
    table = merit({"ann": 1.0, "bob": 0.8}, skills={"ann": {"ml": 1.2}, "bob": {"infra": -3.0}})
    roles = (role("full", "P", fte=1.0, needs=("infra",)), role("half", "Q", fte=0.5))
    candidates = (person("ann"), person("bob", cap=0.5))
    greedy = greedy_plan(request(roles, candidates, table), PLAIN)
    best = solve_round(request(roles, candidates, table), PLAIN)
    assert holders(best, "full") == {"ann"} and holders(best, "half") == {"bob"}
    assert holders(greedy, "half") == {"ann"} and holders(greedy, "full") == set()
    assert best.objective > greedy.objective


def test_the_plan_converts_to_json_and_to_domain_assignments() -> None:
    table = merit({"ann": 1.0, "bob": 0.4})
    plan = solve_round(request((role("r", headcount=2, fte=0.5),), (person("ann"), person("bob")),
                               table), PLAIN)
    data = json.loads(json.dumps(plan.to_dict()))
    assert {s["person"] for s in data["seats"]} == {"ann", "bob"}
    assert data["stats"]["status"] == "optimal"
    assignments = plan.assignments(RoundId("round-1"))
    assert {(a.person, a.seat, a.fte) for a in assignments} == {("ann", 0, 0.5), ("bob", 1, 0.5)}


def test_malformed_requests_list_every_problem() -> None:
    table = merit({"ann": 1.0})
    bad = (role("r", headcount=0), role("r", fte=1.5))
    with pytest.raises(InvalidInput) as caught:
        solve_round(request(bad, (person("ann"),), table), replace(PLAIN, top_k=0))
    message = caught.value.message
    for expected in ("top_k must be >= 1", "role r appears more than once",
                     "headcount must be >= 1", "fte must be in (0, 1]"):
        assert expected in message


def test_a_round_with_no_open_roles_is_an_empty_plan() -> None:
    plan = solve_round(request((), (person("ann"),), merit({"ann": 1.0}), projects=()), PLAIN)
    assert plan.stats.status == "empty"
    assert plan.seats == () and plan.vacancies == ()
    assert plan.notes == ("no roles are open this round",)


def test_a_vacancy_names_where_the_eligible_people_went() -> None:
    table = merit({"ann": 1.0}, skills={"ann": {"infra": 3.0}})
    roles = (role("ml-seat", "P", needs=("ml",)), role("infra-seat", "Q", needs=("infra",)))
    plan = solve_round(request(roles, (person("ann"),), table), PLAIN)
    assert holders(plan, "infra-seat") == {"ann"}
    (vacancy,) = plan.vacancies
    assert vacancy.role == "ml-seat"
    assert vacancy.reason == ("all 1 eligible people are placed elsewhere in this plan; "
                              "the best, ann, is on infra-seat at 1")
