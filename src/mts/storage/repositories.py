"""Repositories over SQLAlchemy sessions. They read and write; they never commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import islice
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, func, insert, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mts.domain.evidence import Evidence
from mts.domain.people import Department, DepartmentId, Person, PersonId
from mts.domain.projects import Groundwork, Interest, Project, ProjectId, Role, RoleId
from mts.domain.protected import ProtectedProfile
from mts.storage import mapping
from mts.storage.tables import (
    Base,
    DepartmentRow,
    EvidenceRow,
    GroundworkRow,
    InterestRow,
    PersonRow,
    ProjectRow,
    ProtectedProfileRow,
    RoleRow,
)

T = TypeVar("T")
K = TypeVar("K", bound=str)
R = TypeVar("R", bound=Base)

# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_CHUNK = 500


def _chunks(items: Iterable[T], size: int = _CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class KeyedRepository(Generic[K, T, R]):
    """Domain values of one kind stored one per row under a string key."""

    def __init__(
        self,
        session: Session,
        row_type: type[R],
        key: InstrumentedAttribute[str],
        to_row: Callable[[T], dict[str, Any]],
        to_value: Callable[[R], T],
    ) -> None:
        self._session = session
        self._row_type = row_type
        self._key = key
        self._to_row = to_row
        self._to_value = to_value

    def put(self, value: T) -> None:
        """Insert ``value``, or replace the stored value with the same key."""
        self._session.merge(self._row_type(**self._to_row(value)))

    def get(self, key: K) -> T | None:
        """The stored value with ``key``, or None."""
        row = self._session.get(self._row_type, key)
        return self._to_value(row) if row is not None else None

    def list(self, *, offset: int = 0, limit: int | None = None) -> Sequence[T]:
        """Stored values in key order."""
        # Plain rows carry the same attributes as the mapped ones, and skipping the ORM's
        # instances and identity map halves the cost of listing thousands of people or roles.
        columns = [getattr(self._row_type, c.key) for c in inspect(self._row_type).column_attrs]
        query = select(*columns).order_by(self._key).offset(offset).limit(limit)
        rows = self._session.execute(query)
        return [self._to_value(cast(R, row)) for row in rows]

    def count(self) -> int:
        """How many values are stored."""
        return self._session.scalar(select(func.count()).select_from(self._row_type)) or 0

    def existing_keys(self, keys: Iterable[K]) -> set[K]:
        """Those of ``keys`` that are stored."""
        found: set[K] = set()
        for chunk in _chunks(keys):
            found.update(self._session.scalars(select(self._key).where(self._key.in_(chunk))))
        return found


class SqlPeopleRepository(KeyedRepository[PersonId, Person, PersonRow]):
    """People, with the email index the importers check against."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, PersonRow, PersonRow.id, mapping.person_row, mapping.person_value)

    def emails(self) -> dict[str, PersonId]:
        """Every stored email and whose it is."""
        rows = self._session.execute(select(PersonRow.email, PersonRow.id))
        return {email: PersonId(pid) for email, pid in rows}

    def in_department(
        self, department: DepartmentId, *, offset: int = 0, limit: int | None = None
    ) -> Sequence[Person]:
        """A department's members in id order."""
        query = (
            select(PersonRow)
            .where(PersonRow.department_id == department)
            .order_by(PersonRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [mapping.person_value(row) for row in self._session.scalars(query)]

    def count_in_department(self, department: DepartmentId) -> int:
        """How many members call ``department`` home."""
        query = select(func.count()).where(PersonRow.department_id == department)
        return self._session.scalar(query) or 0


class SqlRoleRepository(KeyedRepository[RoleId, Role, RoleRow]):
    """Roles, with their project's look-up."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, RoleRow, RoleRow.id, mapping.role_row, mapping.role_value)

    def for_project(self, project: ProjectId) -> Sequence[Role]:
        """The roles of ``project``."""
        query = select(RoleRow).where(RoleRow.project_id == project).order_by(RoleRow.id)
        return [mapping.role_value(row) for row in self._session.scalars(query)]


class SqlEvidenceRepository:
    """Evidence, appended in bulk; the key makes re-imports idempotent."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_new(self, evidence: Sequence[Evidence]) -> int:
        """Store the pieces whose key is not stored yet; return how many were new."""
        added = 0
        for chunk in _chunks(evidence):
            by_key = {e.key: e for e in chunk}
            stored = set(
                self._session.scalars(select(EvidenceRow.key).where(EvidenceRow.key.in_(by_key)))
            )
            rows = [mapping.evidence_row(e) for k, e in by_key.items() if k not in stored]
            if rows:
                self._session.execute(insert(EvidenceRow), rows)
                added += len(rows)
        return added

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
        query = (
            select(EvidenceRow)
            .where(*_evidence_filters(person, reviewer, until))
            .order_by(EvidenceRow.day, EvidenceRow.key)
            .offset(offset)
            .limit(limit)
        )
        return [mapping.evidence_value(row) for row in self._session.scalars(query)]

    def count(
        self,
        *,
        person: PersonId | None = None,
        reviewer: PersonId | None = None,
        until: date | None = None,
    ) -> int:
        """How many pieces are stored (one person's, one reviewer's; dated ``until`` or before)."""
        query = select(func.count()).select_from(EvidenceRow)
        return self._session.scalar(query.where(*_evidence_filters(person, reviewer, until))) or 0


def _evidence_filters(
    person: PersonId | None, reviewer: PersonId | None, until: date | None = None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if person is not None:
        where.append(EvidenceRow.person_id == person)
    if reviewer is not None:
        where.append(EvidenceRow.reviewer_id == reviewer)
    if until is not None:
        where.append(EvidenceRow.day <= until)
    return where


def _same_optional(column: InstrumentedAttribute[str | None], value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


class SqlInterestRepository:
    """Ranked interests, one per person, project and role."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, interest: Interest) -> bool:
        """Store or update ``interest``; True when it was new."""
        row = self._session.scalars(
            select(InterestRow).where(
                InterestRow.person_id == interest.person,
                InterestRow.project_id == interest.project,
                _same_optional(InterestRow.role_id, interest.role),
            )
        ).first()
        if row is not None:
            row.rank = interest.rank
            return False
        self._session.add(
            InterestRow(
                person_id=interest.person,
                project_id=interest.project,
                role_id=interest.role,
                rank=interest.rank,
            )
        )
        return True

    def list(
        self, *, person: PersonId | None = None, project: ProjectId | None = None
    ) -> Sequence[Interest]:
        """Every interest, or one person's, or one project's, by person then rank."""
        where: list[ColumnElement[bool]] = []
        if person is not None:
            where.append(InterestRow.person_id == person)
        if project is not None:
            where.append(InterestRow.project_id == project)
        query = (
            select(InterestRow)
            .where(*where)
            .order_by(InterestRow.person_id, InterestRow.rank, InterestRow.id)
        )
        return [mapping.interest_value(row) for row in self._session.scalars(query)]

    def count(self) -> int:
        """How many are stored."""
        return self._session.scalar(select(func.count()).select_from(InterestRow)) or 0


class SqlGroundworkRepository:
    """Groundwork records, one per project, person and day."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, groundwork: Groundwork) -> bool:
        """Store or update ``groundwork``; True when it was new."""
        row = self._session.scalars(
            select(GroundworkRow).where(
                GroundworkRow.project_id == groundwork.project,
                GroundworkRow.person_id == groundwork.person,
                GroundworkRow.day == groundwork.day,
            )
        ).first()
        if row is not None:
            row.note = groundwork.note
            row.declines_lead = groundwork.declines_lead
            return False
        self._session.add(
            GroundworkRow(
                project_id=groundwork.project,
                person_id=groundwork.person,
                day=groundwork.day,
                note=groundwork.note,
                declines_lead=groundwork.declines_lead,
            )
        )
        return True

    def list(self, *, project: ProjectId | None = None) -> Sequence[Groundwork]:
        """Every record, or one project's, oldest first."""
        where: list[ColumnElement[bool]] = []
        if project is not None:
            where.append(GroundworkRow.project_id == project)
        query = select(GroundworkRow).where(*where).order_by(GroundworkRow.day, GroundworkRow.id)
        return [mapping.groundwork_value(row) for row in self._session.scalars(query)]

    def count(self) -> int:
        """How many are stored."""
        return self._session.scalar(select(func.count()).select_from(GroundworkRow)) or 0


def departments(session: Session) -> KeyedRepository[DepartmentId, Department, DepartmentRow]:
    """The departments repository."""
    return KeyedRepository(
        session, DepartmentRow, DepartmentRow.id, mapping.department_row, mapping.department_value
    )


def protected_profiles(
    session: Session,
) -> KeyedRepository[PersonId, ProtectedProfile, ProtectedProfileRow]:
    """The protected profiles repository; only audit and analytics use cases read it."""
    return KeyedRepository(
        session,
        ProtectedProfileRow,
        ProtectedProfileRow.person_id,
        mapping.protected_row,
        mapping.protected_value,
    )


def projects(session: Session) -> KeyedRepository[ProjectId, Project, ProjectRow]:
    """The projects repository."""
    return KeyedRepository(
        session, ProjectRow, ProjectRow.id, mapping.project_row, mapping.project_value
    )
