"""Projects, their roles, interest and groundwork."""

from __future__ import annotations

from fastapi import APIRouter

from mts.api.dependencies import ApplicationDep, CurrentUser, Limit, Offset
from mts.api.schemas import (
    GroundworkIn,
    GroundworkOut,
    InterestIn,
    InterestOut,
    Page,
    ProjectDetailOut,
    ProjectOut,
    ProposeIn,
    RoleIn,
    RoleOut,
    RulesIn,
    StatusIn,
)
from mts.domain.people import DepartmentId, Skill
from mts.domain.projects import ProjectId, ProjectRules, ProjectStatus, RoleId, SkillNeed
from mts.services import projects

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=Page[ProjectOut])
def list_projects(
    application: ApplicationDep,
    _: CurrentUser,
    status: ProjectStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ProjectOut]:
    """Projects in id order; filter by status."""
    found, total = projects.list_projects(
        application.unit_of_work, status=status, offset=offset, limit=limit
    )
    items = [ProjectOut.of(p) for p in found]
    return Page[ProjectOut](items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=ProjectOut, status_code=201)
def propose(body: ProposeIn, application: ApplicationDep, user: CurrentUser) -> ProjectOut:
    """Propose a project: anyone may; the proposer is credited with its groundwork."""
    project = projects.propose_project(
        application.unit_of_work,
        user,
        title=body.title,
        summary=body.summary,
        department=DepartmentId(body.department) if body.department else None,
        today=application.clock().date(),
    )
    return ProjectOut.of(project)


def _detail(detail: projects.ProjectDetail) -> ProjectDetailOut:
    return ProjectDetailOut(
        project=ProjectOut.of(detail.project),
        roles=[RoleOut.of(r) for r in detail.roles],
        groundwork=[GroundworkOut.of(g) for g in detail.groundwork],
    )


@router.get("/{project_id}", response_model=ProjectDetailOut)
def get_project(project_id: str, application: ApplicationDep, _: CurrentUser) -> ProjectDetailOut:
    """A project with its roles and groundwork."""
    return _detail(projects.project_detail(application.unit_of_work, ProjectId(project_id)))


@router.post("/{project_id}/status", response_model=ProjectOut)
def move(
    project_id: str, body: StatusIn, application: ApplicationDep, user: CurrentUser
) -> ProjectOut:
    """Move a project along proposed -> open -> staffed -> active -> closed (council)."""
    moved = projects.move_project(
        application.unit_of_work, user, ProjectId(project_id), body.status
    )
    return ProjectOut.of(moved)


@router.put("/{project_id}/rules", response_model=ProjectOut)
def set_rules(
    project_id: str, body: RulesIn, application: ApplicationDep, user: CurrentUser
) -> ProjectOut:
    """Set how many departments a project draws on and its stretch seats (council)."""
    rules = ProjectRules(
        min_departments=body.min_departments, min_stretch_seats=body.min_stretch_seats
    )
    return ProjectOut.of(
        projects.set_rules(application.unit_of_work, user, ProjectId(project_id), rules)
    )


@router.post("/{project_id}/roles", response_model=RoleOut, status_code=201)
def add_role(
    project_id: str, body: RoleIn, application: ApplicationDep, user: CurrentUser
) -> RoleOut:
    """Add a role with its skill needs (the project's proposer or the council)."""
    role = projects.add_role(
        application.unit_of_work,
        user,
        ProjectId(project_id),
        title=body.title,
        kind=body.kind,
        headcount=body.headcount,
        fte=body.fte,
        needs=[SkillNeed(skill=Skill(n.skill), weight=n.weight) for n in body.needs],
    )
    return RoleOut.of(role)


@router.post("/{project_id}/interest", response_model=InterestOut, status_code=201)
def state_interest(
    project_id: str, body: InterestIn, application: ApplicationDep, user: CurrentUser
) -> InterestOut:
    """Say you would like to work on this project (or one of its roles)."""
    interest = projects.state_interest(
        application.unit_of_work,
        user,
        ProjectId(project_id),
        rank=body.rank,
        role=RoleId(body.role_id) if body.role_id else None,
    )
    return InterestOut.of(interest)


@router.post("/{project_id}/groundwork", response_model=GroundworkOut, status_code=201)
def record_groundwork(
    project_id: str, body: GroundworkIn, application: ApplicationDep, user: CurrentUser
) -> GroundworkOut:
    """Credit yourself with groundwork on this project (optionally declining the lead)."""
    groundwork = projects.record_groundwork(
        application.unit_of_work,
        user,
        ProjectId(project_id),
        today=application.clock().date(),
        note=body.note,
        declines_lead=body.declines_lead,
    )
    return GroundworkOut.of(groundwork)
