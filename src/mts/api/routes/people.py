"""Members, departments and evidence."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mts.api.dependencies import ApplicationDep, CurrentUser, Key, Limit, Offset
from mts.api.schemas import (
    DepartmentOut,
    EvidenceAdded,
    EvidenceIn,
    EvidenceOut,
    Page,
    PersonOut,
)
from mts.domain.people import DepartmentId, PersonId
from mts.services import people

router = APIRouter(tags=["people"])


@router.get("/people", response_model=Page[PersonOut])
def list_people(
    application: ApplicationDep,
    _: CurrentUser,
    department: Key = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PersonOut]:
    """Members in id order; filter by department."""
    found = people.list_people(
        application.unit_of_work,
        department=DepartmentId(department) if department else None,
        offset=offset,
        limit=limit,
    )
    items = [PersonOut.of(p) for p in found.items]
    return Page[PersonOut](items=items, total=found.total, limit=limit, offset=offset)


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: str, application: ApplicationDep, _: CurrentUser) -> PersonOut:
    """One member."""
    return PersonOut.of(people.get_person(application.unit_of_work, PersonId(person_id)))


@router.get("/departments", response_model=list[DepartmentOut])
def list_departments(application: ApplicationDep, _: CurrentUser) -> list[DepartmentOut]:
    """Every department."""
    return [DepartmentOut.of(d) for d in people.list_departments(application.unit_of_work)]


@router.get("/evidence", response_model=Page[EvidenceOut])
def list_evidence(
    application: ApplicationDep,
    user: CurrentUser,
    person: Key = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EvidenceOut]:
    """Raw evidence: the council sees all of it; anyone else only the reviews they wrote."""
    found = people.list_evidence(
        application.unit_of_work,
        user,
        person=PersonId(person) if person else None,
        offset=offset,
        limit=limit,
    )
    items = [EvidenceOut.of(e) for e in found.items]
    return Page[EvidenceOut](items=items, total=found.total, limit=limit, offset=offset)


@router.post(
    "/evidence",
    response_model=EvidenceAdded,
    status_code=201,
    responses={200: {"model": EvidenceAdded, "description": "The review was already recorded"}},
)
def add_evidence(
    body: EvidenceIn, response: Response, application: ApplicationDep, user: CurrentUser
) -> EvidenceAdded:
    """Record a review (council: any; a member: reviews they wrote); 200 if it was already in."""
    evidence = body.evidence()
    added = people.add_evidence(application.unit_of_work, user, evidence)
    if not added:
        response.status_code = 200
    return EvidenceAdded(evidence=EvidenceOut.of(evidence), added=added)
