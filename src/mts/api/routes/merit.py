"""Merit: people read their own; the council reads anyone's and takes snapshots."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from mts.api.dependencies import ApplicationDep, CouncilUser, CurrentUser
from mts.domain.errors import InvalidInput
from mts.domain.people import PersonId
from mts.services import ledger
from mts.services import merit as merit_service

router = APIRouter(tags=["merit", "audit"])

EARLIEST_AS_OF = date(1970, 1, 1)
LATEST_AHEAD = timedelta(days=366)


def checked_as_of(as_of: date | None, today: date) -> date:
    """``as_of`` (today when omitted) if it lies between 1970 and a year from today.

    Evidence decays with time, and merit fitted centuries away from all of it
    has no weight left to fit (the engine's solve fails), so no date that far
    off is accepted.
    """
    day = as_of or today
    if not EARLIEST_AS_OF <= day <= today + LATEST_AHEAD:
        raise InvalidInput(f"as_of must lie between {EARLIEST_AS_OF} and a year from today")
    return day


class MeritRowOut(BaseModel):
    """A posterior for one skill (``*`` is general execution)."""

    skill: str
    mean: float
    sd: float
    n_effective: float


class PersonMeritOut(BaseModel):
    """One person's merit and the evidence that moved it most."""

    person_id: str
    snapshot: int
    as_of: date
    rows: list[MeritRowOut]
    explanations: dict[str, list[dict[str, Any]]]


class SnapshotIn(BaseModel):
    """When to fit merit as of."""

    model_config = ConfigDict(extra="forbid")
    as_of: date | None = None


class SnapshotOut(BaseModel):
    """A stored snapshot."""

    id: int
    as_of: date
    input_hash: str
    evidence_count: int


@router.get("/merit/{person_id}", response_model=PersonMeritOut)
def person_merit(person_id: str, application: ApplicationDep, user: CurrentUser) -> PersonMeritOut:
    """A person's merit: only for themself and the council."""
    found = merit_service.person_merit(application.unit_of_work, user, PersonId(person_id))
    return PersonMeritOut(
        person_id=found.person,
        snapshot=found.snapshot.id,
        as_of=found.snapshot.as_of,
        rows=[
            MeritRowOut(skill=r.skill, mean=r.mean, sd=r.sd, n_effective=r.n_effective)
            for r in found.rows
        ],
        explanations=found.explanations,
    )


@router.post("/merit/snapshots", response_model=SnapshotOut, status_code=201)
def take_snapshot(body: SnapshotIn, application: ApplicationDep, _: CouncilUser) -> SnapshotOut:
    """Fit merit on all evidence and store a snapshot (council)."""
    header = merit_service.take_snapshot(
        application.unit_of_work,
        as_of=checked_as_of(body.as_of, application.clock().date()),
        now=application.clock(),
    )
    return SnapshotOut(
        id=header.id,
        as_of=header.as_of,
        input_hash=header.input_hash,
        evidence_count=header.evidence_count,
    )


@router.get("/ledger/verify", response_model=dict[str, Any])
def verify_ledger(application: ApplicationDep, _: CouncilUser) -> dict[str, Any]:
    """Whether the audit ledger is intact (council)."""
    return ledger.verify_ledger(application.unit_of_work).to_dict()
