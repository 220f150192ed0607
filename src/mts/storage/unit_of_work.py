"""The SQL unit of work: one session, one transaction, every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from mts.domain.people import Department, DepartmentId, PersonId
from mts.domain.projects import Project, ProjectId
from mts.domain.protected import ProtectedProfile
from mts.services import unit_of_work as ports
from mts.storage import repositories as repos
from mts.storage.accounts import SqlUserRepository
from mts.storage.ledger import SqlLedgerRepository
from mts.storage.merit import SqlMeritRepository
from mts.storage.rounds import SqlRoundRepository


class SqlUnitOfWork:
    """Opens a session on enter; rolls back whatever was not committed on exit."""

    departments: ports.Repository[DepartmentId, Department]
    people: ports.PeopleRepository
    protected: ports.Repository[PersonId, ProtectedProfile]
    projects: ports.Repository[ProjectId, Project]
    roles: ports.RoleRepository
    evidence: ports.EvidenceRepository
    interests: ports.InterestRepository
    groundwork: ports.GroundworkRepository
    users: ports.UserRepository
    merit: ports.MeritRepository
    rounds: ports.RoundRepository
    ledger: ports.LedgerRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.departments = repos.departments(self.session)
        self.people = repos.SqlPeopleRepository(self.session)
        self.protected = repos.protected_profiles(self.session)
        self.projects = repos.projects(self.session)
        self.roles = repos.SqlRoleRepository(self.session)
        self.evidence = repos.SqlEvidenceRepository(self.session)
        self.interests = repos.SqlInterestRepository(self.session)
        self.groundwork = repos.SqlGroundworkRepository(self.session)
        self.users = SqlUserRepository(self.session)
        self.merit = SqlMeritRepository(self.session)
        self.rounds = SqlRoundRepository(self.session)
        self.ledger = SqlLedgerRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Make every change of this unit durable, at once."""
        self.session.commit()
