"""The project board: open projects and roles, filters, proposing a project, stating interest."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from mts.api.dependencies import ApplicationDep
from mts.domain.errors import InvalidInput
from mts.domain.people import DepartmentId
from mts.domain.projects import ProjectId, ProjectStatus, RoleId
from mts.services import people, projects, views
from mts.web.listing import filter_board, paginate
from mts.web.queries import ReadsDep
from mts.web.session import VisitorDep, local_path
from mts.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
STATUS_CHOICES: dict[str, tuple[ProjectStatus, ...]] = {
    "open": (ProjectStatus.OPEN,),
    "proposed": (ProjectStatus.PROPOSED,),
    "staffed": (ProjectStatus.STAFFED, ProjectStatus.ACTIVE),
    "all": (ProjectStatus.PROPOSED, ProjectStatus.OPEN, ProjectStatus.STAFFED,
            ProjectStatus.ACTIVE),
}  # fmt: skip


def _board(
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    filters: dict[str, Any],
    **extra: Any,
) -> Response:
    uow = application.unit_of_work
    listing = views.board(uow, statuses=STATUS_CHOICES.get(filters["status"], ()))
    chosen = filter_board(listing, skill=filters["skill"], department=filters["department"])
    shown = paginate(chosen, filters["page"], PAGE_SIZE)
    context = {
        "title": "Project board",
        "filters": filters,
        "statuses": list(STATUS_CHOICES),
        "skills": views.skills_in_demand(listing),
        "departments": people.list_departments(uow),
        "shown": shown,
        "proposers": views.names_of(reads, [p.project.proposer for p in shown.items]),
        "interested": {(i.project, i.role) for i in views.interests_of(reads, visitor.user)},
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **extra,
    }
    return render(request, "board.html", context, status_code=422 if "error" in extra else 200)


@router.get("/")
def board_page(
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    skill: str = "",
    department: str = "",
    status: str = "open",
    page: int = 1,
) -> Response:
    """Projects and their roles, filtered by skill, department and status."""
    filters = {"skill": skill, "department": department, "status": status, "page": page}
    return _board(request, application, visitor, reads, filters)


@router.post("/projects")
def propose(
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    title: Annotated[str, Form(max_length=200)] = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Propose a project (anyone may); its proposer is credited with the groundwork."""
    try:
        project = projects.propose_project(
            application.unit_of_work,
            visitor.user,
            title=title,
            summary=summary,
            department=DepartmentId(department) if department else None,
            today=application.clock().date(),
        )
    except InvalidInput as error:
        filters = {"skill": "", "department": "", "status": "open", "page": 1}
        draft = {"title": title, "summary": summary, "department": department}
        return _board(
            request, application, visitor, reads, filters, error=error.message, draft=draft
        )
    return RedirectResponse(f"/projects/{project.id}?notice=proposed", status_code=303)


@router.post("/projects/{project_id}/interest")
def state_interest(
    project_id: str,
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    role: Annotated[str, Form(max_length=64)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Say "I'm interested" in a project or one of its roles; it joins your ranked wishes."""
    uow = application.unit_of_work
    mine = views.interests_of(reads, visitor.user)
    wanted = (ProjectId(project_id), RoleId(role) if role else None)
    rank = next((i.rank for i in mine if (i.project, i.role) == wanted), len(mine) + 1)
    projects.state_interest(uow, visitor.user, wanted[0], rank=rank, role=wanted[1])
    if is_htmx(request):
        return render(request, "_interested.html", {"rank": rank})
    return RedirectResponse(local_path(back), status_code=303)
