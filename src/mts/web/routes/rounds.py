"""Rounds (council only): start one and watch it solve, review seat by seat, approve, override."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from mts.api.dependencies import ApplicationDep
from mts.domain.errors import Conflict, InvalidInput, NotFound
from mts.domain.people import PersonId
from mts.domain.projects import RoleId
from mts.domain.staffing import Exploration, RoundStatus
from mts.services import rounds, views
from mts.services.views import PageReads
from mts.web.explain import SeatView, labels_for, people_in, seat_view
from mts.web.listing import paginate
from mts.web.queries import ReadsDep
from mts.web.session import CouncilDep
from mts.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PROJECTS_PER_PAGE = 10
_RUNNING = (RoundStatus.DRAFT, RoundStatus.SOLVING)
PERSON_ID = re.compile(r"\bp\d{3,}\b")


def _rounds_page(
    request: Request, application: ApplicationDep, *, status: int = 200, **extra: Any
) -> Response:
    context = {
        "title": "Rounds",
        "records": rounds.list_rounds(application.unit_of_work, plans=False),
        "today": application.clock().date(),
        "explorations": list(Exploration),
        **extra,
    }
    return render(request, "rounds.html", context, status_code=status)


@router.get("/rounds")
def rounds_page(request: Request, application: ApplicationDep, _: CouncilDep) -> Response:
    """Every round, newest first, and the form that starts a new one."""
    return _rounds_page(request, application)


@router.post("/rounds")
def start_round(
    request: Request,
    application: ApplicationDep,
    visitor: CouncilDep,
    name: Annotated[str, Form(max_length=200)] = "",
    as_of: Annotated[date | None, Form()] = None,
    exploration: Annotated[Exploration, Form()] = Exploration.UCB,
    seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    time_limit: Annotated[float, Form(gt=0, le=3600)] = 60.0,
) -> Response:
    """Create a round and solve it in the background; its page shows the progress."""
    options = rounds.RoundOptions(exploration=exploration, seed=seed, time_limit=time_limit)
    try:
        created = rounds.create_round(
            application.unit_of_work, visitor.user, name=name,
            as_of=as_of or application.clock().date(), options=options, now=application.clock(),
        )  # fmt: skip
    except (InvalidInput, Conflict) as error:
        draft = {"name": name, "seed": seed, "time_limit": time_limit}
        return _rounds_page(request, application, error=error.message, draft=draft, status=422)
    request.app.state.worker.submit(visitor.user, created.id)
    return RedirectResponse(f"/rounds/{created.id}", status_code=303)


@router.post("/rounds/{round_ref}/run")
def run_again(
    round_ref: str, request: Request, application: ApplicationDep, visitor: CouncilDep
) -> Response:
    """Run a draft or failed round again."""
    record = views.round_record(application.unit_of_work, round_ref, plan=False)
    request.app.state.worker.submit(visitor.user, record.round.id)
    return RedirectResponse(f"/rounds/{record.round.id}", status_code=303)


@router.get("/rounds/{round_ref}/progress")
def round_progress(
    round_ref: str, request: Request, application: ApplicationDep, _: CouncilDep
) -> Response:
    """Where a solving round stands; once it is done, htmx reloads the page to show the plan."""
    record = views.round_record(application.unit_of_work, round_ref, plan=False)
    response = render(request, "_progress.html", {"record": record})
    if is_htmx(request) and record.round.status not in _RUNNING:
        response.headers["HX-Refresh"] = "true"
    return response


def _round_page(
    request: Request,
    application: ApplicationDep,
    reads: PageReads,
    round_ref: str,
    *,
    page: int = 1,
    project: str = "",
    **extra: Any,
) -> Response:
    review = views.round_review(application.unit_of_work, reads, round_ref)
    chosen = [p for p in review.projects if not project or p == project]
    shown = paginate(chosen, page, PROJECTS_PER_PAGE)
    seats = [seat_view(a, why) for a, why in reads.round_seats(review.record.round.id, shown.items)]
    by_project: dict[str, list[SeatView]] = defaultdict(list)
    for seat in seats:
        by_project[seat.assignment.project].append(seat)
    context = {
        "title": f"Round {review.record.round.name}",
        "review": review,
        "record": review.record,
        "running": review.record.round.status in _RUNNING,
        "shown": shown,
        "by_project": by_project,
        "project_filter": project,
        "filled": review.filled,
        "vacant": sum(int(v.get("seats", 0)) for v in review.vacancies),
        "notice": request.query_params.get("notice"),
        **_catalogue(reads, review, seats),
        **extra,
    }
    return render(request, "round.html", context, status_code=422 if "error" in extra else 200)


def _catalogue(
    reads: PageReads, review: views.RoundReview, seats: list[SeatView]
) -> dict[str, Any]:
    """Names and titles for everything the page's seats, vacancies and overrides mention."""
    overrides = review.overrides
    named = people_in(seats) | _vacancy_people(review.vacancies)
    named |= {o.new_person for o in overrides} | {
        o.engine_person for o in overrides if o.engine_person
    }
    names = views.names_of(reads, [PersonId(p) for p in named])
    catalogue = reads.catalogue()
    return {
        "names": names,
        "labels": labels_for(names, catalogue),
        "projects": catalogue.projects,
        "roles": catalogue.roles,
    }


def _vacancy_people(vacancies: Sequence[dict[str, Any]]) -> set[str]:
    """People a vacancy's reason names ("the best, p00012, is on ...")."""
    found = (PERSON_ID.findall(str(v.get("reason", ""))) for v in vacancies)
    return {p for ids in found for p in ids}


@router.get("/rounds/{round_ref}")
def round_page(
    round_ref: str,
    request: Request,
    application: ApplicationDep,
    _: CouncilDep,
    reads: ReadsDep,
    page: int = 1,
    project: str = "",
) -> Response:
    """A round: live progress while it solves, then its plan seat by seat."""
    return _round_page(request, application, reads, round_ref, page=page, project=project)


@router.post("/rounds/{round_ref}/approve")
def approve(
    round_ref: str,
    application: ApplicationDep,
    visitor: CouncilDep,
    version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Approve the plan as reviewed; refused if the round changed since the page was loaded."""
    record = rounds.approve_round(
        application.unit_of_work, visitor.user, round_ref, now=application.clock(),
        expected_version=version,
    )  # fmt: skip
    return RedirectResponse(f"/rounds/{record.round.id}?notice=approved", status_code=303)


@router.post("/rounds/{round_ref}/overrides")
def override(
    round_ref: str,
    request: Request,
    application: ApplicationDep,
    visitor: CouncilDep,
    reads: ReadsDep,
    role: Annotated[str, Form(max_length=64)],
    person: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    seat: Annotated[int | None, Form(ge=0)] = None,
    page: Annotated[int, Form(ge=1)] = 1,
) -> Response:
    """Put someone else on a seat; the written reason is required and audited."""
    try:
        rounds.override_seat(
            application.unit_of_work, visitor.user, round_ref, role=RoleId(role),
            person=PersonId(person.strip()), reason=reason, seat=seat, now=application.clock(),
        )  # fmt: skip
    except (InvalidInput, NotFound) as error:
        failed = {"key": f"{role}-{seat}", "message": error.message, "person": person,
                  "reason": reason}  # fmt: skip
        return _round_page(request, application, reads, round_ref, page=page, error=failed)
    return RedirectResponse(f"/rounds/{round_ref}?page={page}&notice=overridden", status_code=303)
