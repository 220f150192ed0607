"""Members, departments and evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mts.api.dependencies import ApplicationDep, CurrentUser
from mts.api.schemas import DepartmentOut, EvidenceOut, Page, PersonOut
from mts.domain.people import DepartmentId, PersonId
from mts.services import people

router = APIRouter(tags=["people"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/people", response_model=Page[PersonOut])
def list_people(
    application: ApplicationDep,
    _: CurrentUser,
    department: Annotated[str | None, Query(max_length=64)] = None,
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
    person: Annotated[str | None, Query(max_length=64)] = None,
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
