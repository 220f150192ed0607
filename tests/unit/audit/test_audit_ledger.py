"""The ledger: canonical JSON, sealed entries, and a chain that shows any single-row tamper."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mts.audit.ledger import (
    GENESIS_HASH,
    LedgerEntry,
    LedgerKind,
    append,
    canonical_json,
    entry_hash,
    verify_chain,
)
from mts.domain.errors import InvalidInput

AT = "2026-06-01T09:00:00+00:00"


def chain(length: int) -> list[LedgerEntry]:
    """A chain of ``length`` entries about one round."""
    entries: list[LedgerEntry] = []
    kinds = list(LedgerKind)
    for i in range(length):
        entries.append(
            append(
                entries[-1] if entries else None,
                kind=kinds[i % len(kinds)],
                subject="round-1",
                payload={"step": i, "value": i / 3},
                actor="council",
                at=AT,
            )
        )
    return entries


def head(entries: list[LedgerEntry]) -> dict[int, str]:
    """The anchor a round row would keep: the last entry's sequence and hash."""
    return {entries[-1].sequence: entries[-1].hash}


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1.5, "é", None, True]}) == (
        '{"a":[1.5,"é",null,true],"b":1}'.encode()
    )


def test_canonical_json_writes_floats_as_their_shortest_round_trip() -> None:
    assert canonical_json([0.1, 1.0, 1e-7, -0.0, 2.5e300]) == b"[0.1,1.0,1e-07,0.0,2.5e+300]"


def test_canonical_json_writes_tuples_as_lists_and_enums_as_values() -> None:
    assert canonical_json({"k": (LedgerKind.ROUND_APPROVED, 2)}) == b'{"k":["round.approved",2]}'


@pytest.mark.parametrize(
    "bad",
    [{"x": float("nan")}, {"x": float("inf")}, {1: "a"}, {"x": {1, 2}}, {"x": object()}],
)
def test_canonical_json_refuses_values_without_one_json_form(bad: object) -> None:
    with pytest.raises(InvalidInput):
        canonical_json(bad)


def test_first_entry_starts_at_one_and_points_at_genesis() -> None:
    first = chain(1)[0]
    assert (first.sequence, first.prev_hash) == (1, GENESIS_HASH)


def test_each_entry_points_at_the_hash_of_the_one_before() -> None:
    entries = chain(3)
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert [e.sequence for e in entries] == [1, 2, 3]


def test_hash_is_sha256_of_the_canonical_json_of_every_other_field() -> None:
    entry = chain(2)[1]
    fields = {k: v for k, v in entry.to_dict().items() if k != "hash"}
    assert entry.hash == hashlib.sha256(canonical_json(fields)).hexdigest()


def test_append_keeps_the_payload_exactly_as_hashed() -> None:
    entry = append(None, kind="round.created", subject="r", payload={"t": (1, 2)}, actor="a", at=AT)
    assert entry.payload == {"t": [1, 2]}
    assert entry_hash(entry) == entry.hash


def test_payload_that_survives_a_json_round_trip_still_verifies() -> None:
    entries = chain(4)
    stored = [
        LedgerEntry(**json.loads(json.dumps(e.to_dict()))) for e in entries
    ]  # as a database row would come back
    assert verify_chain(stored).ok


def test_intact_chain_verifies_and_reports_its_head() -> None:
    entries = chain(5)
    verdict = verify_chain(entries, anchors=head(entries))
    assert verdict.ok
    assert (verdict.entries, verdict.head_sequence, verdict.head_hash) == (5, 5, entries[-1].hash)
    assert verdict.first_bad_sequence is None


def test_empty_ledger_is_intact() -> None:
    verdict = verify_chain([])
    assert verdict.ok and verdict.reason == "the ledger is empty"


def test_edited_payload_is_named_as_the_first_bad_entry() -> None:
    entries = chain(5)
    entries[2] = replace(entries[2], payload={"step": 2, "value": 99})
    verdict = verify_chain(entries)
    assert not verdict.ok
    assert verdict.first_bad_sequence == 3
    assert "edited" in verdict.reason


def test_deleted_middle_entry_is_seen_at_the_gap() -> None:
    entries = chain(5)
    del entries[1]
    verdict = verify_chain(entries)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 3)


def test_swapped_entries_are_seen() -> None:
    entries = chain(5)
    entries[1], entries[3] = entries[3], entries[1]
    assert verify_chain(entries).first_bad_sequence == 4


def test_entry_edited_and_resealed_breaks_the_next_link() -> None:
    entries = chain(4)
    forged = replace(entries[1], actor="mallory")
    entries[1] = replace(forged, hash=entry_hash(forged))
    verdict = verify_chain(entries)
    assert verdict.first_bad_sequence == 3
    assert "does not point at the hash" in verdict.reason


def test_cutting_off_the_tail_is_only_seen_against_an_anchor() -> None:
    entries = chain(4)
    anchors = head(entries)
    assert verify_chain(entries[:-1]).ok  # the chain alone cannot tell: see the module docstring
    verdict = verify_chain(entries[:-1], anchors=anchors)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 4)
    assert "cut short" in verdict.reason


def test_rewriting_every_later_entry_is_caught_by_an_anchor() -> None:
    entries = chain(4)
    anchors = {2: entries[1].hash}
    rewritten = entries[:1]
    for e in entries[1:]:
        payload = {"step": 0} if e.sequence == 2 else e.payload
        rewritten.append(append(rewritten[-1], kind=e.kind, subject=e.subject,
                                payload=payload, actor=e.actor, at=e.at))  # fmt: skip
    assert verify_chain(rewritten).ok
    assert verify_chain(rewritten, anchors=anchors).first_bad_sequence == 2


def test_payload_edited_into_something_unhashable_is_a_finding_not_an_error() -> None:
    entries = chain(3)
    entries[1] = replace(entries[1], payload={"value": float("nan")})
    verdict = verify_chain(entries)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 2)


# -- any single-row tamper of a random chain is detected -------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(max_size=6), json_values, max_size=4)


@st.composite
def chains(draw: st.DrawFn) -> list[LedgerEntry]:
    """A random chain of 1 to 10 entries."""
    entries: list[LedgerEntry] = []
    for _ in range(draw(st.integers(1, 10))):
        entries.append(
            append(
                entries[-1] if entries else None,
                kind=draw(st.sampled_from(list(LedgerKind))),
                subject=draw(st.text(max_size=6)),
                payload=draw(payloads),
                actor=draw(st.text(max_size=6)),
                at=draw(st.sampled_from([AT, "2026-06-02T10:30:00+00:00"])),
            )
        )
    return entries


FIELDS = ["sequence", "kind", "subject", "payload", "actor", "at", "prev_hash", "hash"]


def edited(data: st.DataObject, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    i = data.draw(st.integers(0, len(entries) - 1))
    name = data.draw(st.sampled_from(FIELDS))
    old = getattr(entries[i], name)
    new: Any = {
        "sequence": st.integers(0, 20),
        "payload": payloads,
        "prev_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        "hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    }.get(name, st.text(max_size=8))
    value = data.draw(new)
    assume(value != old)
    changed = replace(entries[i], **{name: value})
    if data.draw(st.booleans()) and name != "hash":
        changed = replace(changed, hash=entry_hash(changed))  # a forger who reseals the row
    return [*entries[:i], changed, *entries[i + 1 :]]


def deleted(data: st.DataObject, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    i = data.draw(st.integers(0, len(entries) - 1))
    return entries[:i] + entries[i + 1 :]


def inserted(data: st.DataObject, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    # Before an existing row: a row added after the head is an ordinary append.
    i = data.draw(st.integers(0, len(entries) - 1))
    forged = append(entries[i - 1] if i else None, kind="round.override", subject="x",
                    payload=data.draw(payloads), actor="mallory", at=AT)  # fmt: skip
    return [*entries[:i], forged, *entries[i:]]


def swapped(data: st.DataObject, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    assume(len(entries) >= 2)
    i, j = sorted(data.draw(st.lists(st.integers(0, len(entries) - 1), min_size=2, max_size=2,
                                unique=True)))  # fmt: skip
    out = list(entries)
    out[i], out[j] = out[j], out[i]
    return out


@settings(max_examples=150, deadline=None)
@given(data=st.data(), entries=chains())
def test_any_single_row_tamper_is_detected(data: st.DataObject, entries: list[LedgerEntry]) -> None:
    anchors = head(entries)
    assert verify_chain(entries, anchors=anchors).ok
    tamper = data.draw(st.sampled_from([edited, deleted, inserted, swapped]))
    tampered = tamper(data, entries)
    verdict = verify_chain(tampered, anchors=anchors)
    assert not verdict.ok
    assert verdict.first_bad_sequence is not None


@settings(max_examples=50, deadline=None)
@given(data=st.data(), entries=chains())
def test_an_unresealed_edit_is_named_exactly(
    data: st.DataObject, entries: list[LedgerEntry]
) -> None:
    i = data.draw(st.integers(0, len(entries) - 1))
    tampered = list(entries)
    tampered[i] = replace(entries[i], actor=entries[i].actor + "!")
    assert verify_chain(tampered).first_bad_sequence == entries[i].sequence
