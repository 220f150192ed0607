"""Approved plans for everyone; the explanations of a person's seats for them and the council."""

from __future__ import annotations

from fastapi import APIRouter

from mts.api.dependencies import ApplicationDep, CurrentUser, Key, Limit, Offset
from mts.api.schemas import (
    DecisionOut,
    Page,
    PlanOut,
    PlanSummaryOut,
    RoundRef,
    SeatOut,
    page_of,
)
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId
from mts.services import plans

router = APIRouter(tags=["plans"])


@router.get("/plans", response_model=Page[PlanSummaryOut])
def list_plans(
    application: ApplicationDep, _: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[PlanSummaryOut]:
    """Approved plans, newest first."""
    found = [
        PlanSummaryOut(round=RoundRef.of(p.round), seats=p.seats)
        for p in plans.approved_plans(application.unit_of_work)
    ]
    return page_of(found, limit=limit, offset=offset)


@router.get("/plans/{round_ref}", response_model=PlanOut)
def get_plan(
    round_ref: str,
    application: ApplicationDep,
    _: CurrentUser,
    project: Key = None,
    person: Key = None,
) -> PlanOut:
    """Who holds which seat of an approved round; filter by project and person."""
    plan = plans.approved_plan(
        application.unit_of_work,
        round_ref,
        project=ProjectId(project) if project else None,
        person=PersonId(person) if person else None,
    )
    return PlanOut(
        round=RoundRef.of(plan.round),
        seats=[SeatOut.of(a) for a in plan.seats],
        vacancies=plan.vacancies,
    )


@router.get("/people/{person_id}/decisions", response_model=list[DecisionOut])
def decisions(person_id: str, application: ApplicationDep, user: CurrentUser) -> list[DecisionOut]:
    """Every seat a round gave this person, and why (that person and the council)."""
    found = plans.decisions_about(application.unit_of_work, user, PersonId(person_id))
    return [
        DecisionOut(round=RoundRef.of(d.round), seat=SeatOut.of(d.assignment), why=d.why)
        for d in found
    ]
