"""The ports the use cases need: repositories and the unit of work that owns a transaction.

A use case opens one unit of work, reads and writes through its
repositories, and commits once; leaving the ``with`` block without a commit
rolls everything back. Repositories never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from mts.domain.accounts import AccessRole, User, UserId
from mts.domain.evidence import Evidence
from mts.domain.people import Department, DepartmentId, Person, PersonId
from mts.domain.projects import Groundwork, Interest, Project, ProjectId, Role, RoleId
from mts.domain.protected import ProtectedProfile

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

    def list(self, *, person: PersonId | None = None) -> Sequence[Evidence]:
        """All evidence, or one person's, oldest first."""

    def count(self) -> int:
        """How many pieces are stored."""


class InterestRepository(Protocol):
    """Ranked interests, one per person, project and role."""

    def put(self, interest: Interest) -> bool:
        """Store or update ``interest``; True when it was new."""

    def list(self) -> Sequence[Interest]:
        """Every interest."""

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
