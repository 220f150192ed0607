"""The ports the use cases need: repositories and the unit of work that owns a transaction.

A use case opens one unit of work, reads and writes through its
repositories, and commits once; leaving the ``with`` block without a commit
rolls everything back. Repositories never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from mts.audit.ledger import LedgerEntry
from mts.domain.accounts import AccessRole, User, UserId
from mts.domain.evidence import Evidence
from mts.domain.people import Department, DepartmentId, Person, PersonId, Skill
from mts.domain.projects import Groundwork, Interest, Project, ProjectId, Role, RoleId
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import (
    Assignment,
    Override,
    Round,
    RoundId,
    RoundRecord,
    RoundStatus,
    StaffingRule,
)
from mts.merit.snapshot import SnapshotHeader, StoredLeniency
from mts.merit.table import MeritRow, MeritTable

T = TypeVar("T")
K = TypeVar("K")


class Repository(Protocol[K, T]):
    """Keyed storage of one kind of domain value."""

    def put(self, value: T) -> None:
        """Insert ``value``, or replace the stored value with the same key."""

    def get(self, key: K) -> T | None:
        """The stored value with ``key``, or None."""

    def list(self, *, offset: int = 0, limit: int | None = None) -> Sequence[T]:
        """Stored values in key order."""

    def count(self) -> int:
        """How many values are stored."""

    def existing_keys(self, keys: Iterable[K]) -> set[K]:
        """Those of ``keys`` that are stored."""


class PeopleRepository(Repository[PersonId, Person], Protocol):
    """People, with look-ups the importers need."""

    def emails(self) -> dict[str, PersonId]:
        """Every stored email and whose it is."""

    def in_department(
        self, department: DepartmentId, *, offset: int = 0, limit: int | None = None
    ) -> Sequence[Person]:
        """A department's members in id order."""

    def count_in_department(self, department: DepartmentId) -> int:
        """How many members call ``department`` home."""


class RoleRepository(Repository[RoleId, Role], Protocol):
    """Roles, with their project's look-up."""

    def for_project(self, project: ProjectId) -> Sequence[Role]:
        """The roles of ``project``."""


class EvidenceRepository(Protocol):
    """Evidence, appended in bulk; its key makes re-imports idempotent."""

    def add_new(self, evidence: Sequence[Evidence]) -> int:
        """Store the pieces whose key is not stored yet; return how many were new."""

    def list(
        self,
        *,
        person: PersonId | None = None,
        reviewer: PersonId | None = None,
        until: date | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> Sequence[Evidence]:
        """All evidence, or one person's, or one reviewer's (dated ``until`` or before), oldest
        first."""

    def count(
        self,
        *,
        person: PersonId | None = None,
        reviewer: PersonId | None = None,
        until: date | None = None,
    ) -> int:
        """How many pieces are stored (one person's, one reviewer's; dated ``until`` or before)."""


class InterestRepository(Protocol):
    """Ranked interests, one per person, project and role."""

    def put(self, interest: Interest) -> bool:
        """Store or update ``interest``; True when it was new."""

    def list(
        self, *, person: PersonId | None = None, project: ProjectId | None = None
    ) -> Sequence[Interest]:
        """Every interest, or one person's, or one project's."""

    def count(self) -> int:
        """How many are stored."""


class GroundworkRepository(Protocol):
    """Groundwork records, one per project, person and day."""

    def put(self, groundwork: Groundwork) -> bool:
        """Store or update ``groundwork``; True when it was new."""

    def list(self, *, project: ProjectId | None = None) -> Sequence[Groundwork]:
        """Every record, or one project's."""

    def count(self) -> int:
        """How many are stored."""


class UserRepository(Protocol):
    """Accounts and their tokens (stored by hash)."""

    def add(
        self,
        *,
        email: str,
        password_hash: str,
        role: AccessRole,
        person: PersonId | None,
        at: datetime,
    ) -> User:
        """Store a new account and return it with its id."""

    def by_email(self, email: str) -> tuple[User, str] | None:
        """The account with ``email`` and its password hash, or None."""

    def set_password_hash(self, user: UserId, password_hash: str) -> None:
        """Replace a stored hash."""

    def list(self) -> list[User]:
        """Every account, by id."""

    def count(self) -> int:
        """How many accounts exist."""

    def add_token(
        self,
        *,
        token_hash: str,
        user: UserId,
        kind: str,
        csrf: str,
        at: datetime,
        expires: datetime,
    ) -> None:
        """Store a new session or API token (by its hash)."""

    def by_token(self, token_hash: str, *, now: datetime) -> tuple[User, str] | None:
        """The account a live token belongs to, and the token's CSRF secret."""

    def remove_token(self, token_hash: str) -> None:
        """Forget a token."""


class MeritRepository(Protocol):
    """Stored merit snapshots."""

    def add(
        self,
        *,
        as_of: date,
        created_at: datetime,
        input_hash: str,
        evidence_count: int,
        parameters: dict[str, Any],
        table: MeritTable,
        leniency: Sequence[StoredLeniency],
        explanations: dict[PersonId, dict[str, list[dict[str, Any]]]],
    ) -> SnapshotHeader:
        """Store a snapshot: every row of ``table``, the reviewers' leniency, the explanations."""

    def explanation(self, snapshot: int, person: PersonId) -> dict[str, list[dict[str, Any]]]:
        """Per skill (``*`` for general), the evidence that moved ``person`` most."""

    def latest(self, *, as_of: date | None = None) -> SnapshotHeader | None:
        """The newest snapshot (fitted on or before ``as_of``, when given)."""

    def header(self, snapshot: int) -> SnapshotHeader | None:
        """One snapshot's header."""

    def rows_for(self, snapshot: int, person: PersonId) -> list[MeritRow]:
        """One person's rows, general execution first."""

    def leniency(self, snapshot: int) -> list[StoredLeniency]:
        """Every reviewer's leniency in a snapshot."""

    def table(self, snapshot: int, *, skills: Collection[Skill] | None = None) -> MeritTable:
        """The snapshot as the table the staffing engine reads (general execution and, when
        given, only ``skills``)."""


class RoundRepository(Protocol):
    """Rounds, their seats, overrides, and the council's pins and forbids."""

    def add(self, staffing_round: Round, *, settings: dict[str, Any], created_by: str) -> None:
        """Store a new round."""

    def get(self, round_id: RoundId, *, plan: bool = True) -> RoundRecord | None:
        """A round by id (with an empty plan, unread, when ``plan`` is False)."""

    def by_name(self, name: str, *, plan: bool = True) -> RoundRecord | None:
        """A round by name (with an empty plan, unread, when ``plan`` is False)."""

    def newest_first(self, *, plans: bool = True) -> list[RoundRecord]:
        """Every round, newest first (with empty plans, unread, when ``plans`` is False)."""

    def update(self, round_id: RoundId, *, expected_version: int, **values: Any) -> int:
        """Change a round unless someone changed it after ``expected_version``."""

    def replace_seats(
        self, round_id: RoundId, seats: Sequence[tuple[Assignment, dict[str, Any]]]
    ) -> None:
        """Replace a round's seats."""

    def seats(self, round_id: RoundId) -> list[tuple[Assignment, dict[str, Any]]]:
        """A round's seats with their explanations."""

    def vacancies(self, round_id: RoundId) -> list[dict[str, Any]]:
        """The unfilled seats of a round's plan, without the rest of the plan."""

    def seat_count(self, round_id: RoundId) -> int:
        """How many seats a round's plan fills."""

    def holders(
        self,
        round_id: RoundId,
        *,
        project: ProjectId | None = None,
        person: PersonId | None = None,
    ) -> list[Assignment]:
        """A round's seats (optionally one project's, one person's) without their explanations,
        by role and seat."""

    def set_seat(self, assignment: Assignment, explanation: dict[str, Any]) -> None:
        """Put ``assignment`` on its seat."""

    def allocations(self, statuses: Sequence[RoundStatus] = ...) -> list[Assignment]:
        """Seats of approved rounds: who holds what now."""

    def seats_of(
        self, person: PersonId, statuses: Sequence[RoundStatus]
    ) -> list[tuple[Round, Assignment, dict[str, Any]]]:
        """Every seat ``person`` holds in rounds in ``statuses``, newest round first."""

    def add_override(self, override: Override) -> None:
        """Record a council override."""

    def overrides(self, round_id: RoundId | None = None) -> list[Override]:
        """Overrides, oldest first."""

    def rules(self) -> list[StaffingRule]:
        """Every pin and forbid."""

    def put_rule(self, rule: StaffingRule) -> None:
        """Pin or forbid a person on a role."""

    def remove_rule(self, role: RoleId, person: PersonId) -> None:
        """Drop a pin or forbid."""


class LedgerRepository(Protocol):
    """The append-only audit ledger."""

    def append(self, entry: LedgerEntry) -> None:
        """Store a sealed entry."""

    def last(self) -> LedgerEntry | None:
        """The newest entry."""

    def head_for_append(self) -> LedgerEntry | None:
        """The newest entry, read so that no other transaction appends until this one ends."""

    def entries(self, *, subject: str | None = None) -> list[LedgerEntry]:
        """Entries in stored sequence order."""


class UnitOfWork(Protocol):
    """One transaction over every repository."""

    departments: Repository[DepartmentId, Department]
    people: PeopleRepository
    protected: Repository[PersonId, ProtectedProfile]
    projects: Repository[ProjectId, Project]
    roles: RoleRepository
    evidence: EvidenceRepository
    interests: InterestRepository
    groundwork: GroundworkRepository
    users: UserRepository
    merit: MeritRepository
    rounds: RoundRepository
    ledger: LedgerRepository

    def __enter__(self) -> Self:
        """Begin the transaction."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed, and end the transaction."""

    def commit(self) -> None:
        """Make every change of this unit durable, at once."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
