"""A person's page: merit with its intervals, the evidence behind it, allocations, decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from mts.api.dependencies import ApplicationDep
from mts.domain.errors import NotFound
from mts.domain.people import PersonId
from mts.services import merit, people, views
from mts.services.merit import PersonMerit
from mts.services.views import PageReads
from mts.web import charts
from mts.web.explain import labels_for, people_in, seat_view
from mts.web.queries import ReadsDep
from mts.web.session import Visitor, VisitorDep
from mts.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/me")
def my_page(visitor: VisitorDep) -> Response:
    """The visitor's own page (the board for accounts that are not a member)."""
    target = f"/people/{visitor.user.person}" if visitor.user.person else "/"
    return RedirectResponse(target, status_code=303)


def _can_see_private(visitor: Visitor, person: PersonId) -> bool:
    return visitor.is_council or visitor.user.is_self(person)


def _merit(application: ApplicationDep, visitor: Visitor, person: PersonId) -> PersonMerit | None:
    try:
        return merit.person_merit(application.unit_of_work, visitor.user, person)
    except NotFound:  # no snapshot has been taken yet
        return None


def _merit_context(found: PersonMerit | None) -> dict[str, Any]:
    return {
        "merit": found,
        "merit_chart": charts.merit_intervals(found) if found and found.rows else None,
        "merit_rows": charts.evidenced(found) if found else [],
        "unseen": [r.skill for r in found.rows if r.n_effective <= 0] if found else [],
        "z50": charts.Z50,
        "z90": charts.Z90,
        "skill_label": charts.skill_label,
    }


def _decision_context(reads: PageReads, visitor: Visitor, person: PersonId) -> dict[str, Any]:
    decisions = views.decisions_about(reads, visitor.user, person)
    shown = [(d, seat_view(d.assignment, d.why)) for d in decisions]
    names = views.names_of(reads, [PersonId(n) for n in people_in(v for _, v in shown)])
    labels = labels_for(names, reads.catalogue()) if shown else {}
    return {"decisions": shown, "names": names, "labels": labels}


@router.get("/people/{person_id}")
def person_page(
    person_id: str,
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
) -> Response:
    """Who someone is and what they work on; their merit and decisions for them and the council."""
    uow, today = application.unit_of_work, application.clock().date()
    person = people.get_person(uow, PersonId(person_id))
    private = _can_see_private(visitor, person.id)
    departments = {d.id: d.name for d in people.list_departments(uow)}
    context: dict[str, Any] = {
        "title": person.name,
        "person": person,
        "department": departments.get(person.department, person.department),
        "private": private,
        "own": visitor.user.is_self(person.id),
        "allocations": views.person_allocations(reads, person.id, today),
        "today": today,
        **_merit_context(_merit(application, visitor, person.id) if private else None),
        **(_decision_context(reads, visitor, person.id) if private else {}),
    }
    return render(request, "person.html", context)
