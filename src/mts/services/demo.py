"""Fill a store with a synthetic organisation, in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from mts.domain.accounts import AccessRole
from mts.domain.people import PersonId
from mts.domain.projects import RoleKind
from mts.services.accounts import create_user
from mts.services.records import PersonRecord, Progress, write_values
from mts.services.unit_of_work import UnitOfWorkFactory
from mts.sim.organisation import SyntheticOrganisation


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """The headline numbers of an organisation, as the demo prints them."""

    departments: int
    people: int
    active: int
    leavers: int
    boomerangs: int
    newcomers: int
    projects_by_status: dict[str, int]
    roles: int
    lead_roles: int
    seats: int
    evidence: int
    first_evidence: date | None
    last_evidence: date | None
    interests: int
    groundwork: int


def store_organisation(
    unit_of_work: UnitOfWorkFactory, org: SyntheticOrganisation, progress: Progress | None = None
) -> None:
    """Write every record of ``org`` (never its hidden truth) or, on failure, nothing."""
    people = [
        PersonRecord(person, profile)
        for person, profile in zip(org.people, org.profiles, strict=True)
    ]
    with unit_of_work() as uow:
        write_values(uow, "departments", org.departments, progress)
        write_values(uow, "people", people, progress)
        write_values(uow, "projects", org.projects, progress)
        write_values(uow, "roles", org.roles, progress)
        write_values(uow, "evidence", org.evidence, progress)
        write_values(uow, "interests", org.interests, progress)
        write_values(uow, "groundwork", org.groundwork, progress)
        uow.commit()


def record_count(org: SyntheticOrganisation) -> int:
    """How many records ``store_organisation`` writes, for a progress bar."""
    return sum(
        len(part)
        for part in (
            org.departments,
            org.people,
            org.projects,
            org.roles,
            org.evidence,
            org.interests,
            org.groundwork,
        )
    )


def summarise_organisation(unit_of_work: UnitOfWorkFactory, *, as_of: date) -> OrganisationSummary:
    """The headline numbers of the stored organisation on ``as_of``."""
    with unit_of_work() as uow:
        people = uow.people.list()
        roles = uow.roles.list()
        evidence = uow.evidence.list()
        days = [e.day for e in evidence]
        first_seen = Counter(e.person for e in evidence)
        return OrganisationSummary(
            departments=uow.departments.count(),
            people=len(people),
            active=sum(p.is_active(as_of) for p in people),
            leavers=sum(not p.is_active(as_of) for p in people),
            boomerangs=sum(p.is_boomerang for p in people),
            newcomers=sum(p.is_active(as_of) and first_seen[p.id] < 3 for p in people),
            projects_by_status=dict(Counter(p.status.value for p in uow.projects.list())),
            roles=len(roles),
            lead_roles=sum(r.kind is RoleKind.LEAD for r in roles),
            seats=sum(r.headcount for r in roles),
            evidence=len(evidence),
            first_evidence=min(days, default=None),
            last_evidence=max(days, default=None),
            interests=uow.interests.count(),
            groundwork=uow.groundwork.count(),
        )


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """An account the demo creates, with its (published, demo-only) password."""

    role: str
    email: str
    password: str
    person: PersonId | None


def create_demo_logins(
    unit_of_work: UnitOfWorkFactory, org: SyntheticOrganisation, *, now: datetime
) -> list[DemoLogin]:
    """A council, a lead (the proposer of the first project) and a member login for the demo."""
    active = [p for p in org.people if p.left is None]
    lead = org.projects[0].proposer
    member = next(p.id for p in active if p.id != lead)
    logins = [
        DemoLogin("council", "council@example.org", "council-demo", None),
        DemoLogin("lead", "lead@example.org", "lead-demo", lead),
        DemoLogin("member", "member@example.org", "member-demo", member),
    ]
    for login in logins:
        create_user(
            unit_of_work,
            email=login.email,
            password=login.password,
            role=AccessRole(login.role),
            person=login.person,
            now=now,
        )
    return logins
