"""The decision pipeline of a round: the organisation as stored -> candidates -> plan.

``decide`` is what the invariance certificate reruns with protected
attributes shuffled. It receives them (they are part of the organisation as
stored) and must not let them change anything; ``staffing_request`` builds
the engine's input from everything else, and the staffing engine cannot
import the protected type at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from mts.domain.people import Person
from mts.domain.projects import Groundwork, Interest, Project, ProjectStatus, Role, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Assignment, Mechanism, StaffingRule
from mts.merit.table import MeritTable
from mts.services.unit_of_work import UnitOfWork
from mts.staffing import (
    Candidate,
    Commitment,
    Forbid,
    Pin,
    Plan,
    StaffingRequest,
    StaffingSettings,
    solve_round,
)
from mts.staffing.market_round import market_plan

FTE_CAP = 1.0
_HELD = (ProjectStatus.STAFFED, ProjectStatus.ACTIVE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    """Everything a round reads from the store, protected attributes included."""

    people: tuple[Person, ...]
    profiles: tuple[ProtectedProfile, ...]
    projects: tuple[Project, ...]
    roles: tuple[Role, ...]
    interests: tuple[Interest, ...]
    groundwork: tuple[Groundwork, ...]
    allocations: tuple[Assignment, ...]
    rules: tuple[StaffingRule, ...]


def load_organisation(uow: UnitOfWork, *, profiles: bool = True) -> Organisation:
    """Read the organisation as a round sees it, inside ``uow`` (without protected attributes,
    unread, when ``profiles`` is False)."""
    return Organisation(
        people=tuple(uow.people.list()),
        profiles=tuple(uow.protected.list()) if profiles else (),
        projects=tuple(uow.projects.list()),
        roles=tuple(uow.roles.list()),
        interests=tuple(uow.interests.list()),
        groundwork=tuple(uow.groundwork.list()),
        allocations=tuple(uow.rounds.allocations()),
        rules=tuple(uow.rounds.rules()),
    )


def decide(
    org: Organisation,
    profiles: Sequence[ProtectedProfile],
    *,
    merit: MeritTable,
    settings: StaffingSettings,
    as_of: date,
    mechanism: Mechanism = Mechanism.OPTIMISER,
) -> Plan:
    """The plan for ``org`` on ``as_of`` with ``profiles`` in place of its protected attributes."""
    shown = replace(org, profiles=tuple(profiles))
    request = staffing_request(shown, merit=merit, as_of=as_of)
    if mechanism is Mechanism.MARKET:
        return market_plan(request, settings)
    return solve_round(request, settings)


def engine_input(
    org: Organisation, profiles: Sequence[ProtectedProfile], *, merit: MeritTable, as_of: date
) -> tuple[object, ...]:
    """Everything ``decide`` hands the engine with ``profiles`` in place, comparable with ``==``.

    The certificate compares it across shuffles (``certify(engine_input=...)``). Merit is
    left out: it is the same table in every run, fitted before any shuffle.
    """
    r = staffing_request(replace(org, profiles=tuple(profiles)), merit=merit, as_of=as_of)
    return (r.roles, r.projects, r.candidates, r.interests, r.groundwork, r.pins, r.forbids)


def staffing_request(org: Organisation, *, merit: MeritTable, as_of: date) -> StaffingRequest:
    """The engine's input: open projects' roles, everyone on staff, merit, wishes, rules."""
    open_projects = tuple(p for p in org.projects if p.status is ProjectStatus.OPEN)
    open_ids = {p.id for p in open_projects}
    roles = tuple(r for r in org.roles if r.project in open_ids)
    role_ids = {r.id for r in roles}
    return StaffingRequest(
        roles=roles,
        projects=open_projects,
        candidates=_candidates(org, [p for p in org.people if p.is_active(as_of)]),
        merit=merit,
        interests=tuple(i for i in org.interests if i.project in open_ids),
        groundwork=tuple(g for g in org.groundwork if g.project in open_ids),
        pins=tuple(
            Pin(person=r.person, role=r.role, reason=r.reason)
            for r in org.rules
            if r.kind == "pin" and r.role in role_ids
        ),
        forbids=tuple(
            Forbid(person=r.person, role=r.role, reason=r.reason)
            for r in org.rules
            if r.kind == "forbid" and r.role in role_ids
        ),
    )


def _candidates(org: Organisation, people: Sequence[Person]) -> tuple[Candidate, ...]:
    held = _commitments(org)
    return tuple(
        Candidate(
            person=p.id, department=p.department, fte_cap=FTE_CAP, commitments=tuple(held[p.id])
        )
        for p in people
    )


def _commitments(org: Organisation) -> dict[str, list[Commitment]]:
    projects = {p.id: p for p in org.projects}
    roles = {r.id: r for r in org.roles}
    held: dict[str, list[Commitment]] = defaultdict(list)
    for a in org.allocations:
        project = projects.get(a.project)
        if project is None or project.status not in _HELD:
            continue
        role = roles.get(a.role)
        held[a.person].append(
            Commitment(
                project=a.project,
                role=a.role,
                fte=a.fte,
                lead=role is not None and role.kind is RoleKind.LEAD,
                title=project.title,
            )
        )
    return held
