"""The audit ledger's rows. Append-only by use: nothing here updates or deletes."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mts.audit.ledger import LedgerEntry
from mts.storage.tables import LedgerRow

_APPEND_LOCK = 0x6D7473_4C4544  # "mtsLED": the advisory lock key of ledger appends


def _entry(row: LedgerRow) -> LedgerEntry:
    return LedgerEntry(
        sequence=row.sequence,
        kind=row.kind,
        subject=row.subject,
        payload=dict(row.payload),
        actor=row.actor,
        at=row.at,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class SqlLedgerRepository:
    """Appends sealed entries and reads them back in sequence order."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entry: LedgerEntry) -> None:
        """Store a sealed entry; a concurrent append of the same sequence fails on the key."""
        self._session.add(
            LedgerRow(
                sequence=entry.sequence,
                kind=entry.kind,
                subject=entry.subject,
                payload=dict(entry.payload),
                actor=entry.actor,
                at=entry.at,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        self._session.flush()

    def head_for_append(self) -> LedgerEntry | None:
        """The newest entry, read under a lock held until the transaction ends, so that two
        appends at once (a council action while the round worker records a solve) queue up
        instead of both taking the next sequence number. PostgreSQL gets a transaction-scoped
        advisory lock; SQLite, whose driver starts a transaction only at the first write,
        gets a write that changes nothing, which takes its one writer's lock."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
        else:
            self._session.execute(text("UPDATE ledger SET sequence = sequence WHERE 0 = 1"))
        return self.last()

    def last(self) -> LedgerEntry | None:
        """The newest entry, or None for an empty ledger."""
        row = self._session.scalars(select(LedgerRow).order_by(LedgerRow.sequence.desc())).first()
        return _entry(row) if row else None

    def entries(self, *, subject: str | None = None) -> list[LedgerEntry]:
        """Every entry (or one subject's) in stored sequence order."""
        query = select(LedgerRow).order_by(LedgerRow.sequence)
        if subject is not None:
            query = query.where(LedgerRow.subject == subject)
        return [_entry(row) for row in self._session.scalars(query)]
