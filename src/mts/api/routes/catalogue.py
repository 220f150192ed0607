"""Roles, interests and groundwork as lists of their own, paginated and filtered."""

from __future__ import annotations

from fastapi import APIRouter

from mts.api.dependencies import ApplicationDep, CurrentUser, Key, Limit, Offset
from mts.api.schemas import GroundworkOut, InterestOut, Page, RoleOut, page_of
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId, RoleId, RoleKind
from mts.services import projects

router = APIRouter(tags=["projects"])


def _project(key: str | None) -> ProjectId | None:
    return ProjectId(key) if key else None


def _person(key: str | None) -> PersonId | None:
    return PersonId(key) if key else None


@router.get("/roles", response_model=Page[RoleOut])
def list_roles(
    application: ApplicationDep,
    _: CurrentUser,
    project: Key = None,
    kind: RoleKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RoleOut]:
    """Roles in id order; filter by project and by kind (lead or member)."""
    found = projects.list_roles(application.unit_of_work, project=_project(project), kind=kind)
    return page_of([RoleOut.of(r) for r in found], limit=limit, offset=offset)


@router.get("/roles/{role_id}", response_model=RoleOut)
def get_role(role_id: str, application: ApplicationDep, _: CurrentUser) -> RoleOut:
    """One role with its skill needs."""
    return RoleOut.of(projects.get_role(application.unit_of_work, RoleId(role_id)))


@router.get("/interests", response_model=Page[InterestOut])
def list_interests(
    application: ApplicationDep,
    user: CurrentUser,
    project: Key = None,
    person: Key = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[InterestOut]:
    """Stated interests: your own, those in projects you manage, or (council) all of them."""
    found = projects.list_interests(
        application.unit_of_work, user, project=_project(project), person=_person(person)
    )
    return page_of([InterestOut.of(i) for i in found], limit=limit, offset=offset)


@router.get("/groundwork", response_model=Page[GroundworkOut])
def list_groundwork(
    application: ApplicationDep,
    _: CurrentUser,
    project: Key = None,
    person: Key = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[GroundworkOut]:
    """Who did the groundwork of which project; filter by project and person."""
    found = projects.list_groundwork(
        application.unit_of_work, project=_project(project), person=_person(person)
    )
    return page_of([GroundworkOut.of(g) for g in found], limit=limit, offset=offset)
