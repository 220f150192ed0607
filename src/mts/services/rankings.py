"""A lead's candidate ranking: how the market round would rank each open role's candidates.

In market mode every role's lead ranks its candidates by their value in the
role (``staffing.problem``'s value model: skill fit from merit, exploration,
stated interest, the lead weight). This use case builds the next round's
staffing problem exactly as ``services.pipeline.decide`` does and reads each
of the project's roles' lists from ``staffing.market_round.lead_ranking``, so
the page shows the lists the market would use, not a second formula.

Values are derived from merit, which peers may not browse: only the
project's lead (its proposer, or whoever holds its lead seat) and the
council see the ranking. Protected attributes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from mts.domain.accounts import User
from mts.domain.errors import Infeasible, NotFound, PermissionDenied
from mts.domain.people import PersonId, Skill
from mts.domain.projects import Interest, Project, ProjectId, ProjectStatus, Role, RoleKind
from mts.domain.staffing import Mechanism, RoundStatus
from mts.services.pipeline import Organisation, load_organisation, staffing_request
from mts.services.projects import can_manage
from mts.services.rounds import RoundOptions
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory
from mts.staffing.market_round import lead_ranking
from mts.staffing.problem import StaffingProblem, build_problem

TOP = 10
"""Candidates shown per role: the head of the lead's list, where seats are decided."""

_NEXT = (RoundStatus.DRAFT, RoundStatus.FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedCandidate:
    """One candidate on a lead's list: their place (equal values share one) and value's terms."""

    place: int
    person: PersonId
    value: float
    fit: float
    exploration: float
    lead: float
    interest: float
    stated_interest: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleRanking:
    """A role's lead's list, best first, cut to the top; ``listed`` is its full length."""

    role: Role
    candidates: tuple[RankedCandidate, ...]
    listed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateRanking:
    """Every open role's ranking for a project, with what it was computed from.

    ``note`` says why there is no ranking (the project is not open, no merit
    snapshot yet, the round's rules cannot hold), else None.
    """

    project: ProjectId
    as_of: date
    snapshot: int | None
    options: RoundOptions
    roles: tuple[RoleRanking, ...]
    note: str | None = None


def can_see_ranking(unit_of_work: UnitOfWorkFactory, actor: User, project: Project) -> bool:
    """Whether ``actor`` leads ``project`` (proposed it, or holds its lead seat) or is council."""
    if can_manage(actor, project):
        return True
    with unit_of_work() as uow:
        return _holds_lead_seat(uow, actor, project)


def ranked_project(unit_of_work: UnitOfWorkFactory, actor: User, project_id: ProjectId) -> Project:
    """The project, if ``actor`` may see its ranking (before a kept copy is served)."""
    with unit_of_work() as uow:
        return _visible_project(uow, actor, project_id)


def _visible_project(uow: UnitOfWork, actor: User, project_id: ProjectId) -> Project:
    project = uow.projects.get(project_id)
    if project is None:
        raise NotFound("project", project_id)
    if not _may_see(uow, actor, project):
        raise PermissionDenied("only the project's lead and the council see its ranking")
    return project


def ranking_inputs(unit_of_work: UnitOfWorkFactory) -> tuple[object, ...]:
    """A cheap summary that changes when most of what a ranking reads changes: how many
    people, roles, interests and groundwork records there are, every project's status, the
    council's pins and exclusions, rounds (by the ledger's head) and the newest snapshot."""
    with unit_of_work() as uow:
        head = uow.ledger.last()
        snapshot = uow.merit.latest()
        return (
            uow.people.count(),
            uow.roles.count(),
            uow.interests.count(),
            uow.groundwork.count(),
            tuple((p.id, p.status.value) for p in uow.projects.list()),
            tuple((r.kind, r.role, r.person) for r in uow.rounds.rules()),
            head.hash if head else None,
            snapshot.id if snapshot else None,
        )


def _may_see(uow: UnitOfWork, actor: User, project: Project) -> bool:
    return can_manage(actor, project) or _holds_lead_seat(uow, actor, project)


def _holds_lead_seat(uow: UnitOfWork, actor: User, project: Project) -> bool:
    if actor.person is None:
        return False
    leads = {r.id for r in uow.roles.for_project(project.id) if r.kind is RoleKind.LEAD}
    seats = uow.rounds.seats_of(actor.person, (RoundStatus.APPROVED,))
    return any(a.role in leads for _, a, _ in seats)


def candidate_ranking(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    project_id: ProjectId,
    *,
    today: date,
    top: int = TOP,
) -> CandidateRanking:
    """The lead's ranked candidates for each open role of a project, as the market would rank them.

    Computed with the next round's settings and ``as_of`` (the newest draft or
    failed round), or the default settings on ``today`` when none waits, on
    the newest merit snapshot up to that day. The lead and the council only.
    """
    with unit_of_work() as uow:
        project = _visible_project(uow, actor, project_id)
        options, as_of = _next_round(uow, today)
        empty = CandidateRanking(
            project=project_id, as_of=as_of, snapshot=None, options=options, roles=()
        )
        if project.status is not ProjectStatus.OPEN:
            return replace(empty, note="the market ranks candidates for open projects only")
        header = uow.merit.latest(as_of=as_of)
        if header is None:
            return replace(empty, note="there is no merit snapshot yet: the first round takes one")
        org = load_organisation(uow, profiles=False)  # a ranking never needs them
        merit = uow.merit.table(header.id, skills=_needed_skills(org))
    request = staffing_request(org, merit=merit, as_of=as_of)
    try:
        problem = build_problem(request, options.staffing())
    except Infeasible as error:
        return replace(empty, note=f"the next round cannot run as the rules stand: {error.message}")
    roles = tuple(
        _role_ranking(problem, r, role, request.interests, top)
        for r, role in enumerate(problem.roles)
        if role.project == project_id
    )
    return CandidateRanking(
        project=project_id, as_of=as_of, snapshot=header.id, options=options, roles=roles
    )


def _next_round(uow: UnitOfWork, today: date) -> tuple[RoundOptions, date]:
    """The settings and day of the round that runs next, as a market round."""
    records = uow.rounds.newest_first(plans=False)
    waiting = next((r for r in records if r.round.status in _NEXT), None)
    if waiting is None:
        return RoundOptions(mechanism=Mechanism.MARKET), today
    options = RoundOptions.from_dict({**waiting.settings, "mechanism": Mechanism.MARKET.value})
    return options, waiting.round.as_of


def _needed_skills(org: Organisation) -> set[Skill]:
    """The skills open roles need: the only merit columns a round's values read."""
    open_ = {p.id for p in org.projects if p.status is ProjectStatus.OPEN}
    return {n.skill for r in org.roles if r.project in open_ for n in r.needs}


def _role_ranking(
    problem: StaffingProblem, r: int, role: Role, interests: tuple[Interest, ...], top: int
) -> RoleRanking:
    people, values = lead_ranking(problem, r)
    wished = {
        i.person for i in interests if i.project == role.project and i.role in (None, role.id)
    }
    places = _places(values)
    candidates = []
    for k in range(min(top, people.size)):
        p = int(people[k])
        terms = problem.model.breakdown(p, r)
        candidates.append(
            RankedCandidate(
                place=int(places[k]),
                person=problem.people[p],
                value=float(values[k]),
                fit=terms.fit,
                exploration=terms.exploration,
                lead=terms.lead,
                interest=terms.interest,
                stated_interest=problem.people[p] in wished,
            )
        )
    return RoleRanking(role=role, candidates=tuple(candidates), listed=int(people.size))


def _places(values: np.ndarray) -> np.ndarray:
    """1-based places of values sorted best first; equal values share the better place."""
    if values.size == 0:
        return np.zeros(0, dtype=np.intp)
    new_tier = np.r_[True, values[1:] != values[:-1]]
    return np.maximum.accumulate(np.where(new_tier, np.arange(values.size), 0)) + 1
