"""Evidence of execution: one scored piece of reviewed or shipped work."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from mts.domain.people import PersonId, Skill

DEFAULT_SOURCE = "review"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """The range a source scores on, e.g. 1..5; merit normalises to it."""

    low: float
    high: float

    def normalise(self, score: float) -> float:
        """Map ``score`` onto [0, 1]."""
        return (score - self.low) / (self.high - self.low)

    def contains(self, score: float) -> bool:
        """Whether ``score`` lies on the scale."""
        return self.low <= score <= self.high


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillTag:
    """A skill a piece of work exercised, and how much of the work it was."""

    skill: Skill
    weight: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One scored work item by ``person``, optionally judged by ``reviewer``."""

    person: PersonId
    source: str
    work_item: str
    skills: tuple[SkillTag, ...]
    score: float
    scale: Scale
    day: date
    reviewer: PersonId | None = None
    weight: float = 1.0

    @property
    def key(self) -> str:
        """A stable identity, so that importing the same evidence twice adds nothing."""
        parts = (self.person, self.source, self.work_item, self.reviewer or "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
