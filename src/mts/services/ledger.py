"""The audit ledger as use cases see it: append inside a transaction, verify the chain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from mts.audit.ledger import LedgerEntry, LedgerVerdict, append, verify_chain
from mts.domain.accounts import User
from mts.domain.errors import PermissionDenied
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory


def record(
    uow: UnitOfWork,
    *,
    kind: str,
    subject: str,
    payload: Mapping[str, object],
    actor: str,
    at: datetime,
) -> LedgerEntry:
    """Seal and append one entry in ``uow``; it lands only if ``uow`` commits."""
    entry = append(
        uow.ledger.head_for_append(),
        kind=kind,
        subject=subject,
        payload=payload,
        actor=actor,
        at=at.isoformat(),
    )
    uow.ledger.append(entry)
    return entry


def verify_ledger(unit_of_work: UnitOfWorkFactory) -> LedgerVerdict:
    """Whether the stored ledger is intact, reading every row as the database holds it."""
    with unit_of_work() as uow:
        return verify_chain(uow.ledger.entries())


def ledger_entries(
    unit_of_work: UnitOfWorkFactory, actor: User, *, subject: str | None = None
) -> list[LedgerEntry]:
    """The ledger in stored order, or one subject's entries (the council's to read)."""
    if not actor.is_council:
        raise PermissionDenied("only the staffing council reads the ledger")
    with unit_of_work() as uow:
        return uow.ledger.entries(subject=subject)
