"""Staffing rounds: start one in the background, follow its progress, approve, override."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from mts.api.dependencies import ApplicationDep, CouncilUser, Limit, Offset
from mts.api.routes.merit import checked_as_of
from mts.api.schemas import Page, page_of
from mts.domain.people import PersonId
from mts.domain.projects import RoleId
from mts.domain.staffing import Exploration, Mechanism, RoundRecord, RoundStatus
from mts.services import rounds, views

router = APIRouter(prefix="/rounds", tags=["rounds"])


class RoundIn(BaseModel):
    """A round to create and run."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    as_of: date | None = None
    exploration: Exploration = Exploration.UCB
    mechanism: Mechanism = Mechanism.OPTIMISER
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    time_limit: float = Field(default=60.0, gt=0, le=3600)


class RoundAccepted(BaseModel):
    """A round queued to run; poll ``progress_url``."""

    id: str
    name: str
    status: str
    progress_url: str


class Progress(BaseModel):
    """Where a round stands."""

    id: str
    name: str
    status: str
    stage: str
    done: float
    error: str | None
    version: int


class ApproveIn(BaseModel):
    """The version the council reviewed; approval fails with 409 if the round changed since."""

    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(default=None, ge=1)


class OverrideIn(BaseModel):
    """A seat change; the reason is required and audited."""

    model_config = ConfigDict(extra="forbid")
    role: str = Field(min_length=1, max_length=64)
    person: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=5000)
    seat: int | None = Field(default=None, ge=0)


class OverrideOut(BaseModel):
    """A recorded override."""

    round: str
    role: str
    engine_person: str | None
    new_person: str
    reason: str
    actor: str
    at: str


def _accepted(record_id: str, name: str, status: str) -> RoundAccepted:
    return RoundAccepted(
        id=record_id, name=name, status=status, progress_url=f"/api/rounds/{record_id}/progress"
    )


@router.post("", response_model=RoundAccepted, status_code=202)
def start_round(
    body: RoundIn, request: Request, application: ApplicationDep, user: CouncilUser
) -> RoundAccepted:
    """Create a round and run it in the background (council)."""
    options = rounds.RoundOptions(
        exploration=body.exploration,
        mechanism=body.mechanism,
        seed=body.seed,
        time_limit=body.time_limit,
    )
    created = rounds.create_round(
        application.unit_of_work,
        user,
        name=body.name,
        as_of=checked_as_of(body.as_of, application.clock().date()),
        options=options,
        now=application.clock(),
    )
    request.app.state.worker.submit(user, created.id)
    return _accepted(created.id, created.name, created.status.value)


@router.post("/{round_ref}/run", response_model=RoundAccepted, status_code=202)
def rerun_round(
    round_ref: str, request: Request, application: ApplicationDep, user: CouncilUser
) -> RoundAccepted:
    """Run a draft or failed round again in the background (council); 409 for any other."""
    record = rounds.runnable_round(application.unit_of_work, user, round_ref)
    request.app.state.worker.submit(user, record.round.id)
    return _accepted(record.round.id, record.round.name, record.round.status.value)


@router.get("", response_model=Page[Progress])
def list_rounds(
    application: ApplicationDep,
    _: CouncilUser,
    status: RoundStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Progress]:
    """Rounds, newest first, with where each stands; filter by status (council)."""
    found = [
        _progress(r)
        for r in rounds.list_rounds(application.unit_of_work, plans=False)
        if status is None or r.round.status is status
    ]
    return page_of(found, limit=limit, offset=offset)


def _progress(record: RoundRecord) -> Progress:
    return Progress(
        id=record.round.id,
        name=record.round.name,
        status=record.round.status.value,
        stage=str(record.progress.get("stage", "")),
        done=float(record.progress.get("done", 0.0)),
        error=record.error,
        version=record.round.version,
    )


@router.get("/{round_ref}/progress", response_model=Progress)
def round_progress(round_ref: str, application: ApplicationDep, _: CouncilUser) -> Progress:
    """Where a running round stands (council)."""
    return _progress(views.round_record(application.unit_of_work, round_ref, plan=False))


@router.get("/{round_ref}", response_model=dict[str, Any])
def get_round(round_ref: str, application: ApplicationDep, _: CouncilUser) -> dict[str, Any]:
    """A round with its plan, explanations, certificate and overrides (council)."""
    return rounds.show_round(application.unit_of_work, round_ref).to_dict()


@router.post("/{round_ref}/approve", response_model=Progress)
def approve(
    round_ref: str, body: ApproveIn, application: ApplicationDep, user: CouncilUser
) -> Progress:
    """Approve a proposed round whose certificate passed; 409 if it changed meanwhile."""
    record = rounds.approve_round(
        application.unit_of_work,
        user,
        round_ref,
        now=application.clock(),
        expected_version=body.version,
    )
    return _progress(record)


@router.post("/{round_ref}/overrides", response_model=OverrideOut, status_code=201)
def override(
    round_ref: str, body: OverrideIn, application: ApplicationDep, user: CouncilUser
) -> OverrideOut:
    """Put someone else on a seat, with a reason (council)."""
    done = rounds.override_seat(
        application.unit_of_work,
        user,
        round_ref,
        role=RoleId(body.role),
        person=PersonId(body.person),
        reason=body.reason,
        seat=body.seat,
        now=application.clock(),
    )
    return OverrideOut(
        round=done.round,
        role=done.role,
        engine_person=done.engine_person,
        new_person=done.new_person,
        reason=done.reason,
        actor=done.actor,
        at=done.at.isoformat(),
    )
