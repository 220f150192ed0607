"""A project's page: roles, team, its composition, groundwork; adding a role with skill needs.

The lead's candidate ranking builds a round's whole staffing problem, which
takes a while in a large organisation, so it is its own fragment: htmx loads
it once the page is shown (without JavaScript, a link opens it), and it is
kept in the report cache until what it reads changes (or ten minutes pass).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from mts.api.dependencies import ApplicationDep
from mts.domain.errors import InvalidInput
from mts.domain.people import Skill
from mts.domain.projects import ProjectId, ProjectStatus, RoleKind, SkillNeed
from mts.services import projects, rankings, views
from mts.services.unit_of_work import UnitOfWorkFactory
from mts.web import charts
from mts.web.queries import ReadsDep
from mts.web.reports import ReportsDep
from mts.web.session import VisitorDep
from mts.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
NEED_ROWS = 4
"""Skill-need rows on the add-role form; blank rows are ignored."""


def _project_page(
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    project_id: str,
    **extra: Any,
) -> Response:
    uow, today = application.unit_of_work, application.clock().date()
    detail = projects.project_detail(uow, ProjectId(project_id))
    team = views.project_team(uow, reads, detail.project.id, today)
    people = [detail.project.proposer, *(g.person for g in detail.groundwork)]
    can_manage = projects.can_manage(visitor.user, detail.project)
    context = {
        "title": detail.project.title,
        "detail": detail,
        "team": team.seats,
        "composition": team.composition,
        "charts": _composition_charts(team.composition),
        "names": views.names_of(reads, people),
        "can_manage": can_manage,
        "sees_ranking": rankings.can_see_ranking(uow, visitor.user, detail.project),
        # the add-role form's suggestions: every project's roles, read only for its managers
        "skills": _known_skills(uow) if can_manage else [],
        "need_rows": NEED_ROWS,
        "interested": {(i.project, i.role) for i in views.interests_of(reads, visitor.user)},
        "notice": request.query_params.get("notice"),
        **extra,
    }
    return render(request, "project.html", context, status_code=422 if "error" in extra else 200)


def _known_skills(uow: UnitOfWorkFactory) -> list[Skill]:
    return views.skills_in_demand(views.board(uow, statuses=list(ProjectStatus)))


def _composition_charts(composition: Any) -> dict[str, Any]:
    if composition is None:
        return {}
    departments = composition.departments
    newcomers = composition.newcomers
    record = newcomers.by_evidence if newcomers.by_evidence is not None else newcomers.by_tenure
    members = [("people", [d.people for d in departments])]
    return {
        "departments": charts.bars([d.name for d in departments], members, horizontal=True),
        "record": charts.doughnut(
            ["little evidence yet", "a long record"], [record, newcomers.people - record]
        ),
    }


@router.get("/projects/{project_id}")
def project_page(
    project_id: str,
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
) -> Response:
    """A project with its roles, team, composition and groundwork."""
    return _project_page(request, application, visitor, reads, project_id)


@router.get("/projects/{project_id}/ranking")
def ranking_section(
    project_id: str,
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    reports: ReportsDep,
) -> Response:
    """Each open role's candidates as its lead would rank them in a market round."""
    uow, today = application.unit_of_work, application.clock().date()
    project = rankings.ranked_project(uow, visitor.user, ProjectId(project_id))
    key = ("ranking", project.id, today, rankings.ranking_inputs(uow))
    compute = partial(rankings.candidate_ranking, uow, visitor.user, project.id, today=today)
    ranking = reports.get(key, compute, now=application.clock())
    people = [c.person for r in ranking.roles for c in r.candidates]
    context = {
        "title": "Candidate ranking",
        "project": project,
        "ranking": ranking,
        "names": views.names_of(reads, people),
    }
    return render(request, "_ranking.html" if is_htmx(request) else "ranking.html", context)


@router.post("/projects/{project_id}/roles")
def add_role(
    project_id: str,
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    title: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[RoleKind, Form()] = RoleKind.MEMBER,
    headcount: Annotated[int, Form(ge=1, le=100)] = 1,
    fte: Annotated[float, Form(gt=0, le=1)] = 1.0,
    skill: Annotated[list[str], Form(max_length=NEED_ROWS)] = [],  # noqa: B006  # FastAPI copies defaults
    weight: Annotated[list[str], Form(max_length=NEED_ROWS)] = [],  # noqa: B006
) -> Response:
    """Add a role with its skill needs (the project's proposer or the council)."""
    try:
        projects.add_role(
            application.unit_of_work,
            visitor.user,
            ProjectId(project_id),
            title=title,
            kind=kind,
            headcount=headcount,
            fte=fte,
            needs=_needs(skill, weight),
        )
    except InvalidInput as error:
        draft = {"title": title, "kind": kind.value, "headcount": headcount, "fte": fte,
                 "skill": skill, "weight": weight}  # fmt: skip
        return _project_page(
            request, application, visitor, reads, project_id, error=error.message, draft=draft
        )
    return RedirectResponse(f"/projects/{project_id}?notice=role-added", status_code=303)


def _needs(skills: list[str], weights: list[str]) -> list[SkillNeed]:
    """Pair each named skill with its weight (blank: 1); a weight that is not a number fails."""
    needs = []
    for k, name in enumerate(skills):
        if not name.strip():
            continue
        raw = weights[k].strip() if k < len(weights) else ""
        try:
            value = float(raw) if raw else 1.0
            if not math.isfinite(value):
                raise ValueError(raw)
        except ValueError:
            raise InvalidInput(f"the weight of {name.strip()} must be a number") from None
        needs.append(SkillNeed(skill=Skill(name.strip().lower()), weight=value))
    if not needs:
        raise InvalidInput("a role needs at least one skill")
    return needs
