"""Projects from idea to team: propose, open, close, add roles, state interest, record groundwork.

Authorisation lives here, so the CLI, the API and the web obey the same
rules. Anyone may propose a project; the proposer's level is never consulted
(this module cannot even see it).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from mts.domain.accounts import User
from mts.domain.errors import InvalidInput, NotFound, PermissionDenied
from mts.domain.people import DepartmentId, PersonId
from mts.domain.projects import (
    Groundwork,
    Interest,
    Project,
    ProjectId,
    ProjectRules,
    ProjectStatus,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ProjectDetail:
    """A project with its roles and groundwork."""

    project: Project
    roles: Sequence[Role]
    groundwork: Sequence[Groundwork]


def member_of(actor: User) -> PersonId:
    """The member an account acts as; accounts without one cannot act as a member."""
    if actor.person is None:
        raise PermissionDenied("this account is not linked to a member")
    return actor.person


def can_manage(actor: User, project: Project) -> bool:
    """Whether ``actor`` may change a project's roles: its proposer, or the council."""
    return actor.is_council or actor.is_self(project.proposer)


def _project(uow: UnitOfWork, project: ProjectId) -> Project:
    found = uow.projects.get(project)
    if found is None:
        raise NotFound("project", project)
    return found


def _new_id(prefix: str, title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or prefix
    return f"{slug}-{secrets.token_hex(3)}"


def propose_project(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    title: str,
    summary: str,
    today: date,
    department: DepartmentId | None = None,
) -> Project:
    """Record a new project idea; its proposer is credited with its groundwork."""
    proposer = member_of(actor)
    if not title.strip():
        raise InvalidInput("a project needs a title")
    project = Project(
        id=ProjectId(_new_id("project", title)),
        title=title.strip(),
        summary=summary.strip(),
        proposer=proposer,
        department=department,
    )
    with unit_of_work() as uow:
        if department is not None and uow.departments.get(department) is None:
            raise NotFound("department", department)
        uow.projects.put(project)
        uow.groundwork.put(
            Groundwork(project=project.id, person=proposer, day=today, note="proposal")
        )
        uow.commit()
    return project


def move_project(
    unit_of_work: UnitOfWorkFactory, actor: User, project: ProjectId, status: ProjectStatus
) -> Project:
    """Open, close or otherwise move a project along its life cycle (the council's call)."""
    if not actor.is_council:
        raise PermissionDenied("only the council opens and closes projects")
    with unit_of_work() as uow:
        moved = _project(uow, project).moved_to(status)
        uow.projects.put(moved)
        uow.commit()
    return moved


def set_rules(
    unit_of_work: UnitOfWorkFactory, actor: User, project: ProjectId, rules: ProjectRules
) -> Project:
    """Set a project's staffing rules (departments drawn on, stretch seats); council only."""
    if not actor.is_council:
        raise PermissionDenied("only the council sets staffing rules")
    with unit_of_work() as uow:
        updated = replace(_project(uow, project), rules=rules)
        uow.projects.put(updated)
        uow.commit()
    return updated


def add_role(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    project: ProjectId,
    *,
    title: str,
    kind: RoleKind,
    headcount: int,
    fte: float,
    needs: Sequence[SkillNeed],
) -> Role:
    """Add a role to a project the actor manages."""
    _check_role_shape(title, headcount, fte, needs)
    with unit_of_work() as uow:
        found = _project(uow, project)
        if not can_manage(actor, found):
            raise PermissionDenied("only the project's proposer or the council manage its roles")
        if found.status in (ProjectStatus.CLOSED,):
            raise InvalidInput(f"project {project} is closed")
        role = Role(
            id=RoleId(_new_id("role", f"{project}-{title}")),
            project=project,
            title=title.strip(),
            kind=kind,
            headcount=headcount,
            fte=fte,
            needs=tuple(needs),
        )
        uow.roles.put(role)
        uow.commit()
    return role


def _check_role_shape(title: str, headcount: int, fte: float, needs: Sequence[SkillNeed]) -> None:
    if not title.strip():
        raise InvalidInput("a role needs a title")
    if headcount < 1:
        raise InvalidInput("a role needs at least one seat")
    if not 0 < fte <= 1:
        raise InvalidInput("FTE per seat must be above 0 and at most 1")
    if any(n.weight <= 0 for n in needs):
        raise InvalidInput("skill weights must be above 0")


def state_interest(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    project: ProjectId,
    *,
    rank: int,
    role: RoleId | None = None,
) -> Interest:
    """Say that the actor would like to work on a project, or on one of its roles."""
    person = member_of(actor)
    if rank < 1:
        raise InvalidInput("rank 1 is the first choice; ranks start at 1")
    interest = Interest(person=person, project=project, role=role, rank=rank)
    with unit_of_work() as uow:
        _project(uow, project)
        if role is not None:
            found = uow.roles.get(role)
            if found is None or found.project != project:
                raise NotFound("role", role)
        uow.interests.put(interest)
        uow.commit()
    return interest


def record_groundwork(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    project: ProjectId,
    *,
    today: date,
    note: str,
    declines_lead: bool = False,
) -> Groundwork:
    """Credit the actor with groundwork on a project (and, if they wish, decline the lead)."""
    person = member_of(actor)
    groundwork = Groundwork(
        project=project, person=person, day=today, note=note.strip(), declines_lead=declines_lead
    )
    with unit_of_work() as uow:
        _project(uow, project)
        uow.groundwork.put(groundwork)
        uow.commit()
    return groundwork


def project_detail(unit_of_work: UnitOfWorkFactory, project: ProjectId) -> ProjectDetail:
    """A project with its roles and groundwork; anyone logged in may read it."""
    with unit_of_work() as uow:
        found = _project(uow, project)
        return ProjectDetail(
            found, uow.roles.for_project(project), uow.groundwork.list(project=project)
        )


def list_projects(
    unit_of_work: UnitOfWorkFactory,
    *,
    status: ProjectStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Project], int]:
    """One page of projects in id order (optionally in one status), and how many there are."""
    with unit_of_work() as uow:
        if status is None:
            return list(uow.projects.list(offset=offset, limit=limit)), uow.projects.count()
        found = [p for p in uow.projects.list() if p.status is status]
    return found[offset : offset + limit], len(found)


def list_roles(
    unit_of_work: UnitOfWorkFactory,
    *,
    project: ProjectId | None = None,
    kind: RoleKind | None = None,
) -> list[Role]:
    """Roles in id order, optionally one project's or one kind's; anyone logged in may read them."""
    with unit_of_work() as uow:
        roles = uow.roles.for_project(project) if project is not None else uow.roles.list()
    return sorted((r for r in roles if kind is None or r.kind is kind), key=lambda r: r.id)


def get_role(unit_of_work: UnitOfWorkFactory, role: RoleId) -> Role:
    """One role."""
    with unit_of_work() as uow:
        found = uow.roles.get(role)
    if found is None:
        raise NotFound("role", role)
    return found


def list_interests(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    project: ProjectId | None = None,
    person: PersonId | None = None,
) -> list[Interest]:
    """Stated interests: the council sees all; anyone else their own and those in the
    projects they manage (a lead ranks the people who want in)."""
    with unit_of_work() as uow:
        if actor.is_council:
            return list(uow.interests.list(person=person, project=project))
        mine = uow.interests.list(person=actor.person, project=project) if actor.person else []
        # Asking for one's own, the projects one manages add nothing.
        own = person is not None and actor.is_self(person)
        managed = [] if own else _managed(uow, actor, project)
        theirs = [i for p in managed for i in uow.interests.list(person=person, project=p)]
    found = {(i.person, i.project, i.role): i for i in [*mine, *theirs]}.values()
    return sorted(
        (i for i in found if person is None or i.person == person),
        key=lambda i: (i.person, i.rank, i.project, i.role or ""),
    )


def _managed(uow: UnitOfWork, actor: User, project: ProjectId | None) -> list[ProjectId]:
    """The projects ``actor`` manages: ``project`` alone if they manage it, else all of them."""
    if project is not None:
        found = uow.projects.get(project)
        return [project] if found is not None and can_manage(actor, found) else []
    return [p.id for p in uow.projects.list() if can_manage(actor, p)]


def list_groundwork(
    unit_of_work: UnitOfWorkFactory,
    *,
    project: ProjectId | None = None,
    person: PersonId | None = None,
) -> list[Groundwork]:
    """Groundwork records, optionally one project's or one person's; anyone may read them."""
    with unit_of_work() as uow:
        found = uow.groundwork.list(project=project)
    return [g for g in found if person is None or g.person == person]
