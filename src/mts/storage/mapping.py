"""Translation between table rows and domain values, in both directions."""

from __future__ import annotations

from datetime import date
from typing import Any

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Period, Person, PersonId, Skill
from mts.domain.projects import (
    Groundwork,
    Interest,
    Project,
    ProjectId,
    ProjectRules,
    ProjectStatus,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.domain.protected import ProtectedProfile
from mts.storage.tables import (
    DepartmentRow,
    EvidenceRow,
    GroundworkRow,
    InterestRow,
    PersonRow,
    ProjectRow,
    ProtectedProfileRow,
    RoleRow,
)


def department_row(value: Department) -> dict[str, Any]:
    """The columns of a department."""
    return {"id": value.id, "name": value.name}


def department_value(row: DepartmentRow) -> Department:
    """A department from its row."""
    return Department(id=DepartmentId(row.id), name=row.name)


def person_row(value: Person) -> dict[str, Any]:
    """The columns of a person."""
    return {
        "id": value.id,
        "name": value.name,
        "email": value.email,
        "department_id": value.department,
        "joined": value.joined,
        "left": value.left,
        "skills": list(value.skills),
        "earlier_periods": [_period_json(p) for p in value.earlier_periods],
    }


def _period_json(period: Period) -> list[str | None]:
    return [period.start.isoformat(), period.end.isoformat() if period.end else None]


def _period_value(pair: list[str | None]) -> Period:
    start, end = pair
    assert start is not None  # written by _period_json, which always sets a start
    return Period(start=date.fromisoformat(start), end=date.fromisoformat(end) if end else None)


def person_value(row: PersonRow) -> Person:
    """A person from their row."""
    return Person(
        id=PersonId(row.id),
        name=row.name,
        email=row.email,
        department=DepartmentId(row.department_id),
        joined=row.joined,
        left=row.left,
        skills=tuple(Skill(s) for s in row.skills),
        earlier_periods=tuple(_period_value(p) for p in row.earlier_periods),
    )


def protected_row(value: ProtectedProfile) -> dict[str, Any]:
    """The columns of a protected profile."""
    return {
        "person_id": value.person,
        "level": value.level,
        "title": value.title,
        "tenure_start": value.tenure_start,
        "prior_employer": value.prior_employer,
        "education": value.education,
        "promotion_window": value.promotion_window,
    }


def protected_value(row: ProtectedProfileRow) -> ProtectedProfile:
    """A protected profile from its row."""
    return ProtectedProfile(
        person=PersonId(row.person_id),
        level=row.level,
        title=row.title,
        tenure_start=row.tenure_start,
        prior_employer=row.prior_employer,
        education=row.education,
        promotion_window=row.promotion_window,
    )


def project_row(value: Project) -> dict[str, Any]:
    """The columns of a project."""
    return {
        "id": value.id,
        "title": value.title,
        "summary": value.summary,
        "proposer_id": value.proposer,
        "status": value.status.value,
        "department_id": value.department,
        "priority": value.priority,
        "min_departments": value.rules.min_departments,
        "min_stretch_seats": value.rules.min_stretch_seats,
    }


def project_value(row: ProjectRow) -> Project:
    """A project from its row."""
    return Project(
        id=ProjectId(row.id),
        title=row.title,
        summary=row.summary,
        proposer=PersonId(row.proposer_id),
        status=ProjectStatus(row.status),
        department=DepartmentId(row.department_id) if row.department_id else None,
        priority=row.priority,
        rules=ProjectRules(
            min_departments=row.min_departments, min_stretch_seats=row.min_stretch_seats
        ),
    )


def role_row(value: Role) -> dict[str, Any]:
    """The columns of a role."""
    return {
        "id": value.id,
        "project_id": value.project,
        "title": value.title,
        "kind": value.kind.value,
        "headcount": value.headcount,
        "fte": value.fte,
        "needs": [[n.skill, n.weight] for n in value.needs],
    }


def role_value(row: RoleRow) -> Role:
    """A role from its row."""
    return Role(
        id=RoleId(row.id),
        project=ProjectId(row.project_id),
        title=row.title,
        kind=RoleKind(row.kind),
        headcount=row.headcount,
        fte=row.fte,
        needs=tuple(SkillNeed(skill=Skill(s), weight=float(w)) for s, w in row.needs),
    )


def evidence_row(value: Evidence) -> dict[str, Any]:
    """The columns of a piece of evidence."""
    return {
        "key": value.key,
        "person_id": value.person,
        "reviewer_id": value.reviewer,
        "source": value.source,
        "work_item": value.work_item,
        "skills": [[t.skill, t.weight] for t in value.skills],
        "score": value.score,
        "scale_low": value.scale.low,
        "scale_high": value.scale.high,
        "day": value.day,
        "weight": value.weight,
    }


def evidence_value(row: EvidenceRow) -> Evidence:
    """A piece of evidence from its row."""
    return Evidence(
        person=PersonId(row.person_id),
        reviewer=PersonId(row.reviewer_id) if row.reviewer_id else None,
        source=row.source,
        work_item=row.work_item,
        skills=tuple(SkillTag(skill=Skill(s), weight=float(w)) for s, w in row.skills),
        score=row.score,
        scale=Scale(low=row.scale_low, high=row.scale_high),
        day=row.day,
        weight=row.weight,
    )


def interest_value(row: InterestRow) -> Interest:
    """An interest from its row."""
    return Interest(
        person=PersonId(row.person_id),
        project=ProjectId(row.project_id),
        role=RoleId(row.role_id) if row.role_id else None,
        rank=row.rank,
    )


def groundwork_value(row: GroundworkRow) -> Groundwork:
    """A groundwork record from its row."""
    return Groundwork(
        project=ProjectId(row.project_id),
        person=PersonId(row.person_id),
        day=row.day,
        note=row.note,
        declines_lead=row.declines_lead,
    )
