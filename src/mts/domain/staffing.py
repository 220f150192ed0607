"""Staffing rounds, the seats they assign, and the council's overrides."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NewType

from mts.domain.people import PersonId
from mts.domain.projects import ProjectId, RoleId

RoundId = NewType("RoundId", str)


class RoundStatus(enum.StrEnum):
    """draft -> solving -> proposed -> approved; a crashed solve ends ``failed``."""

    DRAFT = "draft"
    SOLVING = "solving"
    PROPOSED = "proposed"
    APPROVED = "approved"
    FAILED = "failed"


class Exploration(enum.StrEnum):
    """How a round gives uncertain people a chance: optimism, a posterior draw, or none."""

    UCB = "ucb"
    THOMPSON = "thompson"
    NONE = "none"


class Mechanism(enum.StrEnum):
    """A central optimiser, or a two-sided market."""

    OPTIMISER = "optimiser"
    MARKET = "market"


@dataclass(frozen=True, slots=True, kw_only=True)
class Round:
    """One staffing round: its settings and where it stands."""

    id: RoundId
    name: str
    as_of: date
    seed: int = 0
    exploration: Exploration = Exploration.UCB
    mechanism: Mechanism = Mechanism.OPTIMISER
    status: RoundStatus = RoundStatus.DRAFT
    created_at: datetime | None = None
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """One seat: ``person`` holds ``fte`` of ``role`` from ``round``."""

    round: RoundId
    role: RoleId
    project: ProjectId
    person: PersonId
    fte: float
    value: float = 0.0
    seat: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Override:
    """A council change to the engine's plan; the reason is mandatory."""

    round: RoundId
    role: RoleId
    engine_person: PersonId | None
    new_person: PersonId
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundRecord:
    """A round as stored: its settings, the engine's plan, the certificate and the progress.

    ``plan``, ``stats``, ``certificate`` and ``progress`` are JSON documents
    written by the staffing engine, the audit and the worker.
    """

    round: Round
    settings: dict[str, Any]
    plan: dict[str, Any]
    stats: dict[str, Any]
    certificate: dict[str, Any]
    progress: dict[str, Any]
    error: str | None
    snapshot: int | None
    created_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffingRule:
    """A council's pin (``kind="pin"``) or forbid (``kind="forbid"``) of a person on a role."""

    role: RoleId
    person: PersonId
    kind: str
    reason: str = ""
