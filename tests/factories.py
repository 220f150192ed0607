"""Small, readable builders of domain values and record files for tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Person, PersonId, Skill
from mts.domain.projects import Project, ProjectId, Role, RoleId, RoleKind, SkillNeed


def department(key: str = "research", name: str = "Research") -> Department:
    """A department."""
    return Department(id=DepartmentId(key), name=name)


def person(
    key: str = "p1", *, department: str = "research", joined: date = date(2024, 1, 8)
) -> Person:
    """A member with a unique email."""
    return Person(
        id=PersonId(key),
        name=f"Person {key}",
        email=f"{key}@example.org",
        department=DepartmentId(department),
        joined=joined,
    )


def project(key: str = "proj1", *, proposer: str = "p1") -> Project:
    """A proposed project."""
    return Project(
        id=ProjectId(key), title=f"Project {key}", summary="", proposer=PersonId(proposer)
    )


def role(key: str = "r1", *, project: str = "proj1", kind: RoleKind = RoleKind.MEMBER) -> Role:
    """A one-seat, full-time role needing one skill."""
    return Role(
        id=RoleId(key),
        project=ProjectId(project),
        title="Engineer",
        kind=kind,
        needs=(SkillNeed(skill=Skill("rl")),),
    )


def evidence(
    person: str = "p1", *, reviewer: str | None = "p2", score: float = 4.0, item: str = "w1"
) -> Evidence:
    """A review on a 1..5 scale."""
    return Evidence(
        person=PersonId(person),
        reviewer=PersonId(reviewer) if reviewer else None,
        source="review",
        work_item=item,
        skills=(SkillTag(skill=Skill("rl")),),
        score=score,
        scale=Scale(low=1, high=5),
        day=date(2026, 3, 2),
    )


DEPARTMENTS_CSV = "department_id,name\nresearch,Research\nsafety,Safety\n"

PEOPLE_CSV = (
    "person_id,name,email,department,joined,left,level,prior_employer,education\n"
    "p1,Ada Abe,ada@example.org,research,2024-01-08,,3,BigCo,PhD\n"
    "p2,Ben Berg,ben@example.org,safety,2019-05-01,,6,,MSc\n"
    "p3,Chen Costa,chen@example.org,research,2026-09-01,,,,\n"
)

EVIDENCE_CSV = (
    "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item,weight\n"
    "p1,p2,rl:2;evaluation,4,1,5,2026-03-02,PR-1,1\n"
    "p3,p2,rl,5,1,5,2026-10-01,PR-2,\n"
    "p2,,safety-evals,80,0,100,2026-02-11,launch-1,2\n"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    """Write ``content`` to a file called ``name`` and return its path."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path
