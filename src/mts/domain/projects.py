"""Projects, the roles they need, and who has shown interest or done groundwork."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from typing import NewType

from mts.domain.errors import InvalidTransition
from mts.domain.people import DepartmentId, PersonId, Skill

ProjectId = NewType("ProjectId", str)
RoleId = NewType("RoleId", str)


class ProjectStatus(enum.StrEnum):
    """Where a project is in its life: proposed -> open -> staffed -> active -> closed."""

    PROPOSED = "proposed"
    OPEN = "open"
    STAFFED = "staffed"
    ACTIVE = "active"
    CLOSED = "closed"


# A staffed project may reopen when its plan is withdrawn; any project may close.
_NEXT_STATUSES: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.PROPOSED: frozenset({ProjectStatus.OPEN, ProjectStatus.CLOSED}),
    ProjectStatus.OPEN: frozenset({ProjectStatus.STAFFED, ProjectStatus.CLOSED}),
    ProjectStatus.STAFFED: frozenset(
        {ProjectStatus.ACTIVE, ProjectStatus.OPEN, ProjectStatus.CLOSED}
    ),
    ProjectStatus.ACTIVE: frozenset({ProjectStatus.CLOSED}),
    ProjectStatus.CLOSED: frozenset(),
}


class RoleKind(enum.StrEnum):
    """A lead role, at most one per person, or a member role."""

    LEAD = "lead"
    MEMBER = "member"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectRules:
    """Per-project staffing rules the council may set."""

    min_departments: int = 0
    min_stretch_seats: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """A piece of work anyone may propose; staffed in rounds."""

    id: ProjectId
    title: str
    summary: str
    proposer: PersonId
    status: ProjectStatus = ProjectStatus.PROPOSED
    department: DepartmentId | None = None
    priority: int = 0
    rules: ProjectRules = ProjectRules()

    def can_move_to(self, status: ProjectStatus) -> bool:
        """Whether the life cycle allows ``status`` next."""
        return status in _NEXT_STATUSES[self.status]

    def moved_to(self, status: ProjectStatus) -> Project:
        """This project in ``status``, or ``InvalidTransition``."""
        if not self.can_move_to(status):
            raise InvalidTransition(
                f"project {self.id} cannot move from {self.status} to {status}",
                entity=self.id,
            )
        return replace(self, status=status)


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillNeed:
    """How much a role draws on one skill."""

    skill: Skill
    weight: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """Seats on a project needing the same skills: ``headcount`` seats of ``fte`` each."""

    id: RoleId
    project: ProjectId
    title: str
    kind: RoleKind = RoleKind.MEMBER
    headcount: int = 1
    fte: float = 1.0
    needs: tuple[SkillNeed, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Interest:
    """A person's interest in a project, or in one of its roles; rank 1 is first choice."""

    person: PersonId
    project: ProjectId
    rank: int
    role: RoleId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Groundwork:
    """Preparatory work on a project; its author has first refusal on the lead."""

    project: ProjectId
    person: PersonId
    day: date
    note: str = ""
    declines_lead: bool = False
