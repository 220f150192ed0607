"""What a stored merit snapshot says about itself: when, on what, with which settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mts.domain.people import PersonId


@dataclass(frozen=True, slots=True)
class SnapshotHeader:
    """A snapshot's identity: its as-of date, a hash of its inputs, and its parameters."""

    id: int
    as_of: date
    created_at: datetime
    input_hash: str
    evidence_count: int
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredLeniency:
    """A reviewer's leniency as kept with a snapshot."""

    reviewer: PersonId
    mean: float
    sd: float
    reviews: int
