"""Audits for the council: a round's parity and overrides, reviewers' halo, the ledger."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from mts.api.dependencies import ApplicationDep, CouncilUser, CurrentUser, Key, Limit, Offset
from mts.api.schemas import LedgerEntryOut, Page, RoundRef, page_of
from mts.services import audits, ledger, views

router = APIRouter(tags=["audit"])


class RoundAuditOut(BaseModel):
    """Lead and stretch seats by level and tenure band against merit alone, and the overrides."""

    round: RoundRef
    parity: dict[str, Any]
    overrides: dict[str, Any]


@router.get("/rounds/{round_ref}/audit", response_model=RoundAuditOut)
def round_audit(round_ref: str, application: ApplicationDep, _: CouncilUser) -> RoundAuditOut:
    """Parity and override findings of a round with a plan (council); 404 before it has one."""
    record = views.round_record(application.unit_of_work, round_ref)
    return RoundAuditOut(
        round=RoundRef.of(record.round),
        parity=audits.round_parity(application.unit_of_work, record.round.id).to_dict(),
        overrides=audits.round_overrides(application.unit_of_work, record.round.id).to_dict(),
    )


@router.get("/audit/halo", response_model=dict[str, Any])
def halo(application: ApplicationDep, _: CouncilUser) -> dict[str, Any]:
    """Do reviewers score higher-level people higher at equal merit? (council)"""
    return audits.halo(application.unit_of_work).to_dict()


@router.get("/ledger", response_model=Page[LedgerEntryOut])
def ledger_entries(
    application: ApplicationDep,
    user: CurrentUser,
    subject: Key = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[LedgerEntryOut]:
    """The audit ledger in order, or one round's entries (council)."""
    entries = ledger.ledger_entries(application.unit_of_work, user, subject=subject)
    items = [LedgerEntryOut.model_validate(e.to_dict()) for e in entries]
    return page_of(items, limit=limit, offset=offset)
