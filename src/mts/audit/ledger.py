"""An append-only, hash-chained log of what happened to every round.

Each entry's ``hash`` is ``SHA-256(canonical_json(entry without hash))``, and
that JSON includes ``prev_hash``, the hash of the entry before it, and
``sequence``, its position (1, 2, 3, ...). Editing, deleting, inserting or
reordering a row therefore breaks the chain at that row or the next one, and
``verify_chain`` names the first entry where it breaks.

What a chain alone cannot show: a row cut off the *end* (the rest still
chains), or a forger who rewrites a row *and every row after it*. Both are
caught by anchors, ``(sequence, hash)`` pairs kept somewhere else (a round's
stored row, an exported receipt) and passed to ``verify_chain``.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mts.domain.errors import InvalidInput

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first entry, which has nobody before it."""

FIRST_SEQUENCE = 1


class LedgerKind(enum.StrEnum):
    """The events a round leaves in the ledger; ``append`` also accepts other dotted names."""

    ROUND_CREATED = "round.created"
    ROUND_PLANNED = "round.planned"
    ROUND_CERTIFIED = "round.certified"
    ROUND_APPROVED = "round.approved"
    ROUND_OVERRIDE = "round.override"


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEntry:
    """One row of the ledger; ``hash`` seals every other field, ``prev_hash`` the row before."""

    sequence: int
    kind: str
    subject: str
    payload: Mapping[str, Any]
    actor: str
    at: str
    prev_hash: str
    hash: str

    def sealed_fields(self) -> dict[str, object]:
        """Every field the hash covers (all but ``hash``)."""
        return {
            "sequence": self.sequence,
            "kind": self.kind,
            "subject": self.subject,
            "payload": self.payload,
            "actor": self.actor,
            "at": self.at,
            "prev_hash": self.prev_hash,
        }

    def to_dict(self) -> dict[str, object]:
        """The entry as JSON-ready data, hash included."""
        return {**self.sealed_fields(), "hash": self.hash}


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerVerdict:
    """Whether a chain is intact; if not, the first entry (by stored sequence) that breaks it."""

    ok: bool
    entries: int
    first_bad_sequence: int | None
    reason: str
    head_sequence: int | None
    head_hash: str | None

    def to_dict(self) -> dict[str, object]:
        """The verdict as JSON-ready data."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_sequence": self.first_bad_sequence,
            "reason": self.reason,
            "head_sequence": self.head_sequence,
            "head_hash": self.head_hash,
        }


def canonical_json(value: object) -> bytes:
    """``value`` as canonical JSON: sorted keys, no whitespace, UTF-8, shortest round-trip floats.

    Accepts dicts with string keys, lists, tuples (written as lists), strings
    (enum values included), integers, finite floats, booleans and None.
    Floats are written with Python's ``repr``, the shortest text that reads
    back as the same double, so the bytes are the same on every platform
    (``-0.0`` is written ``0.0``).
    Raises ``InvalidInput`` for anything else (NaN, infinities, sets, dates,
    non-string keys), since such a value has no single canonical form.
    """
    plain = _canonical(value, "$")
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _canonical(value: object, path: str) -> object:
    if value is None or isinstance(value, bool | int | str):
        # Enum members become their plain value so the text never says "Kind.X".
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"ledger payload at {path}: {value} has no JSON form")
        return value + 0.0  # -0.0 becomes 0.0: some databases cannot keep the sign of zero
    if isinstance(value, list | tuple):
        return [_canonical(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        return _canonical_mapping(value, path)
    raise InvalidInput(f"ledger payload at {path}: {type(value).__name__} is not JSON data")


def _canonical_mapping(value: Mapping[Any, Any], path: str) -> dict[str, object]:
    plain: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidInput(f"ledger payload at {path}: key {key!r} is not a string")
        plain[str(key)] = _canonical(item, f"{path}.{key}")
    return plain


def digest(value: object) -> str:
    """The SHA-256 (hex) of ``canonical_json(value)``: a stable fingerprint of plain data."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def entry_hash(entry: LedgerEntry) -> str:
    """The hash ``entry`` should carry: ``SHA-256(canonical_json(every field but hash))``."""
    return digest(entry.sealed_fields())


def append(
    previous: LedgerEntry | None,
    *,
    kind: str,
    subject: str,
    payload: Mapping[str, object],
    actor: str,
    at: str,
) -> LedgerEntry:
    """The entry that follows ``previous`` (or starts the chain when None), sealed.

    ``at`` is an ISO timestamp the caller supplies (the engine reads no clock).
    The stored payload is the canonical form of ``payload`` (tuples become
    lists, enums their values), so what is kept is exactly what was hashed.
    Raises ``InvalidInput`` when ``payload`` is not plain JSON data.
    """
    plain = json.loads(canonical_json(payload))
    unsealed = LedgerEntry(
        sequence=FIRST_SEQUENCE if previous is None else previous.sequence + 1,
        kind=str(kind),
        subject=subject,
        payload=plain,
        actor=actor,
        at=at,
        prev_hash=GENESIS_HASH if previous is None else previous.hash,
        hash="",
    )
    return replace(unsealed, hash=entry_hash(unsealed))


def verify_chain(
    entries: Sequence[LedgerEntry], *, anchors: Mapping[int, str] | None = None
) -> LedgerVerdict:
    """Whether ``entries`` (in stored sequence order) form an unbroken chain from the start.

    Entry ``k`` (0-based) must have sequence ``k + 1``, ``prev_hash`` equal to
    entry ``k - 1``'s hash (``GENESIS_HASH`` for the first), and a hash that
    matches its own contents. ``anchors`` maps sequences to the hashes
    recorded for them elsewhere; each must be present and equal. Never raises:
    an entry whose payload cannot be hashed is a finding like any other.
    """
    previous: LedgerEntry | None = None
    for entry in entries:
        problem = _problem(previous, entry)
        if problem is not None:
            return _broken(entries, entry.sequence, problem)
        previous = entry
    return _check_anchors(entries, anchors or {})


def _problem(previous: LedgerEntry | None, entry: LedgerEntry) -> str | None:
    expected = FIRST_SEQUENCE if previous is None else previous.sequence + 1
    if entry.sequence != expected:
        return (
            f"entry {entry.sequence} is where entry {expected} should be: "
            "an entry was deleted, inserted or moved"
        )
    expected_prev = GENESIS_HASH if previous is None else previous.hash
    if entry.prev_hash != expected_prev:
        return (
            f"entry {entry.sequence} does not point at the hash of the entry before it: "
            "the entry before it was replaced, or this one was moved"
        )
    try:
        sealed = entry_hash(entry)
    except InvalidInput as error:
        return f"entry {entry.sequence} cannot be hashed ({error.message}): it was edited"
    if entry.hash != sealed:
        return f"entry {entry.sequence}'s contents do not match its hash: it was edited"
    return None


def _check_anchors(entries: Sequence[LedgerEntry], anchors: Mapping[int, str]) -> LedgerVerdict:
    by_sequence = {entry.sequence: entry for entry in entries}
    for sequence in sorted(anchors):
        entry = by_sequence.get(sequence)
        if entry is None:
            reason = f"entry {sequence} is recorded elsewhere but missing: the ledger was cut short"
            return _broken(entries, sequence, reason)
        if entry.hash != anchors[sequence]:
            reason = (
                f"entry {sequence} differs from the hash recorded for it elsewhere: "
                "it and the entries after it were rewritten"
            )
            return _broken(entries, sequence, reason)
    return _intact(entries)


def _intact(entries: Sequence[LedgerEntry]) -> LedgerVerdict:
    head = entries[-1] if entries else None
    count = len(entries)
    return LedgerVerdict(
        ok=True,
        entries=count,
        first_bad_sequence=None,
        reason=f"the chain of {count} entries is intact" if count else "the ledger is empty",
        head_sequence=head.sequence if head else None,
        head_hash=head.hash if head else None,
    )


def _broken(entries: Sequence[LedgerEntry], sequence: int, reason: str) -> LedgerVerdict:
    head = entries[-1] if entries else None
    return LedgerVerdict(
        ok=False,
        entries=len(entries),
        first_bad_sequence=sequence,
        reason=reason,
        head_sequence=head.sequence if head else None,
        head_hash=head.hash if head else None,
    )
