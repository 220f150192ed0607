"""Read-only views for the web pages: what each page reads, and who may read it.

Nothing here writes. Like every use case, these decide who may see what:
anyone logged in sees the board, teams and workload; a person's staffing
decisions are for that person and the council; the audit and the analytics,
which read protected attributes, are for the council only.

A seat is *held* in the sense of ``mts.analytics.allocations``: from its
approved round's ``as_of`` until a later approved round restaffs the same
project, and not on closed projects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from mts.analytics import (
    AnalyticsSettings,
    AttritionReport,
    CompositionReport,
    OrganisationData,
    attrition_report,
    composition_report,
)
from mts.analytics.composition import ProjectComposition
from mts.audit.ledger import LedgerVerdict, verify_chain
from mts.audit.overrides import OverrideAudit, audit_overrides
from mts.audit.parity import MeritScore, ParityReport, ParitySettings, parity_report
from mts.domain.accounts import User
from mts.domain.errors import PermissionDenied
from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import (
    Interest,
    Project,
    ProjectId,
    ProjectStatus,
    Role,
    RoleId,
    RoleKind,
)
from mts.domain.staffing import Assignment, Override, Round, RoundId, RoundRecord, RoundStatus
from mts.merit.table import GENERAL, MeritRow, MeritTable
from mts.services.analytics import load_organisation
from mts.services.rounds import find_round
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

UNCERTAIN_BELOW_EVIDENCE = AnalyticsSettings().uncertain_below_evidence
"""Below this much effective evidence a person counts as uncertain, as the staffing engine says."""


@dataclass(frozen=True, slots=True)
class BoardProject:
    """A project on the board with its roles."""

    project: Project
    roles: tuple[Role, ...]


@dataclass(frozen=True, slots=True)
class Member:
    """Who holds a seat, as pages name them."""

    id: PersonId
    name: str
    department: DepartmentId
    left: date | None = None


@dataclass(frozen=True, slots=True)
class SeatRow:
    """A seat of an approved round, dated by the round, with what pages show beside it."""

    assignment: Assignment
    round: Round
    member: Member
    role_title: str
    role_kind: RoleKind
    project_title: str
    project_status: ProjectStatus

    @property
    def since(self) -> date:
        """The day the seat's round took effect."""
        return self.round.as_of


@dataclass(frozen=True, slots=True)
class Decision:
    """A seat a round gave a person, with the explanation stored with it."""

    round: Round
    assignment: Assignment
    role_title: str
    project_title: str
    why: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonLoad:
    """One person's FTE across the projects they hold seats on."""

    member: Member
    seats: tuple[SeatRow, ...]

    @property
    def fte(self) -> float:
        """Total FTE held."""
        return sum(s.assignment.fte for s in self.seats)


@dataclass(frozen=True, slots=True)
class RoleLabel:
    """What a page shows of a role it only names."""

    title: str
    kind: RoleKind
    project: ProjectId


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every role's and project's title, for naming the ids in explanations."""

    roles: dict[RoleId, RoleLabel]
    projects: dict[ProjectId, str]


class PageReads(Protocol):
    """Narrow reads that the repositories answer only in bulk; the web implements them in SQL."""

    def approved_seats(
        self, *, project: ProjectId | None = None, person: PersonId | None = None
    ) -> list[SeatRow]:
        """Seats of approved rounds on ``project``, on the projects ``person`` sat on, or all."""

    def decided_seats(self, person: PersonId, statuses: Collection[RoundStatus]) -> list[Decision]:
        """Every seat given to ``person`` by a round in ``statuses``, newest round first."""

    def interests_of(self, person: PersonId) -> list[Interest]:
        """A person's stated interests, first choice first."""

    def names(self, people: Collection[PersonId]) -> dict[PersonId, str]:
        """Display names of ``people`` that exist."""

    def round_projects(self, round_id: RoundId) -> list[ProjectId]:
        """The projects a round's plan seats people on."""

    def round_seats(
        self, round_id: RoundId, projects: Collection[ProjectId]
    ) -> list[tuple[Assignment, dict[str, Any]]]:
        """A round's seats on ``projects`` with their explanations, by role and seat."""

    def general_merit(self, snapshot: int) -> list[MeritRow]:
        """Every person's general-execution row of a snapshot."""

    def catalogue(self) -> Catalogue:
        """Every role's and project's title."""

    def active_people(self, day: date) -> list[PersonId]:
        """Everyone on staff on ``day``."""


@dataclass(frozen=True, slots=True)
class AuditOverview:
    """The ledger's status, every round's certificate, every override checked, and the newest
    planned round (whose parity the web loads on its own: it simulates and takes seconds)."""

    ledger: LedgerVerdict
    rounds: tuple[RoundRecord, ...]
    overrides: OverrideAudit
    parity_round: RoundRecord | None


@dataclass(frozen=True, slots=True)
class AnalyticsOverview:
    """Composition and attrition of the organisation on one day."""

    composition: CompositionReport
    attrition: AttritionReport


_APPROVED = RoundStatus.APPROVED
_PLANNED = (RoundStatus.PROPOSED, RoundStatus.APPROVED)


def require_council(actor: User, what: str) -> None:
    """Refuse anyone but the council (before reading, or serving a kept copy of, ``what``)."""
    if not actor.is_council:
        raise PermissionDenied(f"only the staffing council sees {what}")


# -- board and projects ----------------------------------------------------------------


def board(
    unit_of_work: UnitOfWorkFactory, *, statuses: Iterable[ProjectStatus]
) -> list[BoardProject]:
    """Projects in ``statuses`` (by priority, then id) with their roles; anyone may read it."""
    wanted = set(statuses)
    with unit_of_work() as uow:
        roles: dict[ProjectId, list[Role]] = defaultdict(list)
        for role in uow.roles.list():
            roles[role.project].append(role)
        projects = [p for p in uow.projects.list() if p.status in wanted]
    projects.sort(key=lambda p: (-p.priority, p.id))
    return [BoardProject(p, tuple(roles.get(p.id, ()))) for p in projects]


def skills_in_demand(projects: Iterable[BoardProject]) -> list[Skill]:
    """Every skill some role of ``projects`` needs, by name."""
    return sorted({n.skill for p in projects for r in p.roles for n in r.needs})


def interests_of(reads: PageReads, actor: User) -> list[Interest]:
    """The interests the actor has stated, first choice first."""
    return reads.interests_of(actor.person) if actor.person is not None else []


def names_of(reads: PageReads, people: Iterable[PersonId]) -> dict[PersonId, str]:
    """Display names of ``people`` (unknown ids map to themselves)."""
    wanted = set(people)
    found = reads.names(wanted) if wanted else {}
    return {p: found.get(p, p) for p in wanted}


# -- seats held now ---------------------------------------------------------------------


def held_now(rows: Iterable[SeatRow], as_of: date) -> list[SeatRow]:
    """The seats held on ``as_of``: each project's team from its latest approved round up to
    that day (a later round replaces the team), not on closed projects, not by leavers."""
    dated = [r for r in rows if r.since <= as_of]
    latest: dict[ProjectId, tuple[date, str]] = {}
    for r in dated:
        key = (r.since, r.assignment.round)
        latest[r.assignment.project] = max(latest.get(r.assignment.project, key), key)
    return [
        r
        for r in dated
        if latest[r.assignment.project] == (r.since, r.assignment.round)
        and r.project_status is not ProjectStatus.CLOSED
        and (r.member.left is None or r.member.left > as_of)
    ]


@dataclass(frozen=True, slots=True)
class ProjectTeam:
    """Who holds a project's seats, and the team's composition (None without a team)."""

    seats: tuple[SeatRow, ...]
    composition: ProjectComposition | None


def project_team(
    unit_of_work: UnitOfWorkFactory, reads: PageReads, project: ProjectId, as_of: date
) -> ProjectTeam:
    """Who holds a seat of ``project`` on ``as_of`` (leads first) and the team's composition.

    Newcomers are counted by time on staff and by evidence (the staffing
    engine's rule); only counts leave this function, never a person's tenure.
    """
    seats = held_now(reads.approved_seats(project=project), as_of)
    order = sorted(seats, key=lambda h: (h.role_kind is not RoleKind.LEAD, h.role_title,
                                         h.member.id))  # fmt: skip
    if not seats:
        return ProjectTeam((), None)
    with unit_of_work() as uow:
        data = _team_data(uow, project, seats)
        merit = _team_merit(uow, sorted({s.member.id for s in seats}))
    report = composition_report(data, as_of=as_of, merit=merit)
    found = next((p for p in report.projects if p.project == project), None)
    return ProjectTeam(tuple(order), found)


def _team_data(uow: UnitOfWork, project: ProjectId, seats: Sequence[SeatRow]) -> OrganisationData:
    team = sorted({s.member.id for s in seats})
    people = tuple(p for p in (uow.people.get(i) for i in team) if p is not None)
    profiles = tuple(p for p in (uow.protected.get(i) for i in team) if p is not None)
    rounds = {s.round.id: s.round for s in seats}
    return OrganisationData(
        people=people,
        departments=tuple(uow.departments.list()),
        profiles=profiles,
        projects=tuple(p for p in (uow.projects.get(project),) if p is not None),
        rounds=tuple(rounds.values()),
        assignments=tuple(s.assignment for s in seats),
    )


def _team_merit(uow: UnitOfWork, team: Sequence[PersonId]) -> MeritTable | None:
    """General-execution rows of the newest snapshot for ``team`` only."""
    header = uow.merit.latest()
    if header is None:
        return None
    rows = [r for r in (_general_row(uow, header.id, p) for p in team) if r is not None]
    return general_table(rows, header.parameters)


def general_table(rows: Sequence[MeritRow], parameters: dict[str, Any]) -> MeritTable:
    """A merit table holding only general execution, for counting who is uncertain."""
    empty = np.zeros((len(rows), 0))
    return MeritTable(
        people=tuple(r.person for r in rows),
        skills=(),
        mean=empty,
        sd=empty,
        n_effective=empty,
        general_mean=np.array([r.mean for r in rows]),
        general_sd=np.array([r.sd for r in rows]),
        general_n_effective=np.array([r.n_effective for r in rows]),
        prior_sd=float(parameters.get("prior_sd", 1.0)),
        skill_prior_sd=float(parameters.get("skill_prior_sd", 1.0)),
    )


def _general_row(uow: UnitOfWork, snapshot: int, person: PersonId) -> MeritRow | None:
    return next((r for r in uow.merit.rows_for(snapshot, person) if r.skill == GENERAL), None)


def person_allocations(reads: PageReads, person: PersonId, as_of: date) -> list[SeatRow]:
    """The seats ``person`` holds on ``as_of``; anyone may read who works on what."""
    held = held_now(reads.approved_seats(person=person), as_of)
    return [s for s in held if s.member.id == person]


def workload(reads: PageReads, as_of: date) -> list[PersonLoad]:
    """Everyone holding a seat on ``as_of`` with their FTE across projects, most loaded first."""
    by_person: dict[PersonId, list[SeatRow]] = defaultdict(list)
    for seat in held_now(reads.approved_seats(), as_of):
        by_person[seat.member.id].append(seat)
    loads = [PersonLoad(seats[0].member, tuple(seats)) for seats in by_person.values()]
    return sorted(loads, key=lambda load: (-load.fte, load.member.name, load.member.id))


def decisions_about(reads: PageReads, actor: User, person: PersonId) -> list[Decision]:
    """Every seat a round gave ``person``, with its explanation; for them and the council.

    The council also sees plans still awaiting approval; the person sees approved ones.
    """
    if not (actor.is_council or actor.is_self(person)):
        raise PermissionDenied("people see the decisions about themselves; the council sees all")
    shown = (RoundStatus.PROPOSED, RoundStatus.APPROVED) if actor.is_council else (_APPROVED,)
    return reads.decided_seats(person, shown)


# -- rounds (the web route admits only the council, as the API's does) ------------------------


@dataclass(frozen=True, slots=True)
class RoundReview:
    """A round (its plan document left unread) with its overrides, the projects its plan
    staffs, how many seats it fills and its vacancies (seats load per page)."""

    record: RoundRecord
    overrides: tuple[Override, ...]
    projects: tuple[ProjectId, ...]
    filled: int
    vacancies: tuple[dict[str, Any], ...]


def round_record(
    unit_of_work: UnitOfWorkFactory, round_ref: str, *, plan: bool = True
) -> RoundRecord:
    """A round by id or name, without its seats (and, if not wanted, without its plan)."""
    with unit_of_work() as uow:
        return find_round(uow, round_ref, plan=plan)


def round_review(unit_of_work: UnitOfWorkFactory, reads: PageReads, round_ref: str) -> RoundReview:
    """A round, its overrides and the projects it staffs."""
    record = round_record(unit_of_work, round_ref, plan=False)
    with unit_of_work() as uow:
        overrides = tuple(uow.rounds.overrides(record.round.id))
        filled = uow.rounds.seat_count(record.round.id)
        vacancies = tuple(uow.rounds.vacancies(record.round.id))
    projects = tuple(reads.round_projects(record.round.id))
    return RoundReview(record, overrides, projects, filled, vacancies)


# -- audit and analytics (council) ------------------------------------------------------------


def audit_overview(unit_of_work: UnitOfWorkFactory, actor: User, *, as_of: date) -> AuditOverview:
    """Ledger status, every round's certificate, and the override audit (council)."""
    require_council(actor, "the audit")
    with unit_of_work() as uow:
        ledger = verify_chain(uow.ledger.entries())
        records = tuple(uow.rounds.newest_first(plans=False))
        overrides = _override_audit(uow, as_of)
    planned = next((r for r in records if r.round.status in _PLANNED), None)
    return AuditOverview(ledger, records, overrides, planned)


def _override_audit(uow: UnitOfWork, as_of: date) -> OverrideAudit:
    overrides = uow.rounds.overrides()
    if not overrides:
        return audit_overrides([], value={}, profiles=[], groundwork=[], roles=[], as_of=as_of)
    involved = {o.new_person for o in overrides} | {
        o.engine_person for o in overrides if o.engine_person
    }
    header = uow.merit.latest()
    value: dict[PersonId, float] = {}
    if header is not None:
        for person in involved:
            general = [r.mean for r in uow.merit.rows_for(header.id, person) if r.skill == GENERAL]
            if general:
                value[person] = general[0]
    profiles = [p for p in (uow.protected.get(i) for i in sorted(involved)) if p is not None]
    return audit_overrides(
        overrides,
        value=value,
        profiles=profiles,
        groundwork=uow.groundwork.list(),
        roles=uow.roles.list(),
        as_of=as_of,
    )


def parity_of(
    unit_of_work: UnitOfWorkFactory, reads: PageReads, actor: User, record: RoundRecord
) -> ParityReport | None:
    """Lead and stretch seats of a round by level and tenure band against merit alone (council).

    None when the round has no plan or no merit snapshot.
    """
    require_council(actor, "the audit")
    if record.snapshot is None or record.round.status not in _PLANNED:
        return None
    as_of = record.round.as_of
    with unit_of_work() as uow:
        header = uow.merit.header(record.snapshot)
        seats = {(a.role, a.seat): a.person for a in uow.rounds.holders(record.round.id)}
        leads = {r.id for r in uow.roles.list() if r.kind is RoleKind.LEAD}
        profiles = uow.protected.list()
    pool = reads.active_people(as_of)
    prior_sd = float(header.parameters.get("prior_sd", 1.0)) if header else 1.0
    rows = {r.person: r for r in reads.general_merit(record.snapshot)}
    unseen = MeritRow(PersonId(""), GENERAL, 0.0, prior_sd, 0.0)
    merit = {p: rows.get(p, unseen) for p in pool}
    return parity_report(
        seats,
        lead_roles=leads,
        pool=pool,
        merit={p: MeritScore(mean=r.mean, sd=r.sd) for p, r in merit.items()},
        uncertain={p for p, r in merit.items() if r.n_effective < UNCERTAIN_BELOW_EVIDENCE},
        profiles=profiles,
        as_of=as_of,
        seed=record.round.seed,
        settings=ParitySettings(prior_sd=prior_sd),
    )


def analytics_overview(
    unit_of_work: UnitOfWorkFactory, actor: User, *, as_of: date
) -> AnalyticsOverview:
    """Composition and attrition of the organisation on ``as_of`` (council)."""
    require_council(actor, "the analytics")
    with unit_of_work() as uow:
        data = load_organisation(uow)
    return AnalyticsOverview(
        composition=composition_report(data, as_of=as_of),
        attrition=attrition_report(data, as_of=as_of),
    )


def data_fingerprint(unit_of_work: UnitOfWorkFactory) -> tuple[object, ...]:
    """A cheap summary that changes when what the reports read changes: how many people,
    profiles, projects and roles there are, the ledger's head (every round, approval and
    override) and the newest merit snapshot."""
    with unit_of_work() as uow:
        head = uow.ledger.last()
        snapshot = uow.merit.latest()
        return (
            uow.people.count(),
            uow.protected.count(),
            uow.projects.count(),
            uow.roles.count(),
            head.hash if head else None,
            snapshot.id if snapshot else None,
        )
