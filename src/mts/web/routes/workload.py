"""Workload: each person's FTE across projects, over-allocation highlighted."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from mts.api.dependencies import ApplicationDep
from mts.services import people, views
from mts.web.listing import paginate
from mts.web.queries import ReadsDep
from mts.web.session import VisitorDep
from mts.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
FULL_TIME = 1.0
"""Above this much FTE a person is over-allocated."""


@router.get("/workload")
def workload_page(
    request: Request,
    application: ApplicationDep,
    _: VisitorDep,
    reads: ReadsDep,
    department: str = "",
    over: bool = False,
    page: int = 1,
) -> Response:
    """Everyone holding seats from approved rounds, most loaded first."""
    uow = application.unit_of_work
    loads = views.workload(reads, application.clock().date())
    over_count = sum(load.fte > FULL_TIME + 1e-9 for load in loads)
    chosen = [
        load
        for load in loads
        if (not department or load.member.department == department)
        and (not over or load.fte > FULL_TIME + 1e-9)
    ]
    context = {
        "title": "Workload",
        "shown": paginate(chosen, page, PAGE_SIZE),
        "allocated": len(loads),
        "over_count": over_count,
        "full_time": FULL_TIME,
        "departments": people.list_departments(uow),
        "filters": {"department": department, "over": over},
    }
    return render(request, "workload.html", context)
