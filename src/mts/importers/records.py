"""The file formats mts reads and writes: one ``RecordKind`` per kind of record.

Each kind names its columns, how to parse each cell, how to build domain
values from a parsed row and how to flatten them back for export, so that
import and export can never disagree. ``docs/formats.md`` documents them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mts.domain.evidence import DEFAULT_SOURCE, Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Person, PersonId
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
from mts.importers import fields as f
from mts.services.records import PersonRecord

Cells = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a file: its name, its parser, and whether a value is required."""

    name: str
    parse: f.Parser
    required: bool = True


@dataclass(frozen=True, slots=True)
class Check:
    """A rule across cells of one row; ``holds`` is False when the row breaks it."""

    column: str
    expected: str
    holds: Callable[[Cells], bool]
    found: Callable[[Cells], str]


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A kind of record: its columns, its key, and its translation to domain values."""

    name: str
    columns: tuple[Column, ...]
    key: Callable[[Cells], str]
    build: Callable[[Cells], Any]
    flatten: Callable[[Any], dict[str, Any]]
    checks: tuple[Check, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns, in the order files list them."""
        return tuple(column.name for column in self.columns)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _text(value: object | None) -> str:
    return "" if value is None else str(value)


def _weights(pairs: Sequence[tuple[str, float]]) -> str:
    return ";".join(name if weight == 1 else f"{name}:{weight:g}" for name, weight in pairs)


DEPARTMENTS = RecordKind(
    name="departments",
    columns=(Column("department_id", f.identifier), Column("name", f.text)),
    key=lambda c: str(c["department_id"]),
    build=lambda c: Department(id=DepartmentId(c["department_id"]), name=c["name"]),
    flatten=lambda d: {"department_id": d.id, "name": d.name},
)


_PROTECTED = ("level", "title", "tenure_start", "prior_employer", "education", "promotion_window")


def _build_person(c: Cells) -> PersonRecord:
    person = Person(
        id=PersonId(c["person_id"]),
        name=c["name"],
        email=c["email"],
        department=DepartmentId(c["department"]),
        joined=c["joined"],
        left=c["left"],
        skills=c["skills"] or (),
        earlier_periods=c["earlier_periods"] or (),
    )
    if all(c[name] is None for name in _PROTECTED):
        return PersonRecord(person, None)
    profile = ProtectedProfile(person=person.id, **{name: c[name] for name in _PROTECTED})
    return PersonRecord(person, profile)


def _flatten_person(record: PersonRecord) -> dict[str, Any]:
    p, profile = record.person, record.profile
    return {
        "person_id": p.id,
        "name": p.name,
        "email": p.email,
        "department": p.department,
        "joined": _iso(p.joined),
        "left": _iso(p.left),
        "skills": ";".join(p.skills),
        "earlier_periods": ";".join(f"{_iso(s.start)}/{_iso(s.end)}" for s in p.earlier_periods),
        "level": _text(profile.level if profile else None),
        "title": _text(profile.title if profile else None),
        "tenure_start": _iso(profile.tenure_start if profile else None),
        "prior_employer": _text(profile.prior_employer if profile else None),
        "education": _text(profile.education if profile else None),
        "promotion_window": _iso(profile.promotion_window if profile else None),
    }


def _left_after_joined(c: Cells) -> bool:
    return c["left"] is None or c["joined"] is None or c["left"] >= c["joined"]


PEOPLE = RecordKind(
    name="people",
    columns=(
        Column("person_id", f.identifier),
        Column("name", f.text),
        Column("email", f.email),
        Column("department", f.identifier),
        Column("joined", f.iso_date),
        Column("left", f.iso_date, required=False),
        Column("skills", f.skill_list, required=False),
        Column("earlier_periods", f.periods, required=False),
        Column("level", f.natural, required=False),
        Column("title", f.text, required=False),
        Column("tenure_start", f.iso_date, required=False),
        Column("prior_employer", f.text, required=False),
        Column("education", f.text, required=False),
        Column("promotion_window", f.iso_date, required=False),
    ),
    key=lambda c: str(c["person_id"]),
    build=_build_person,
    flatten=_flatten_person,
    checks=(
        Check(
            "left",
            "a date on or after 'joined'",
            _left_after_joined,
            lambda c: f"{c['left']} before {c['joined']}",
        ),
    ),
)


def _build_project(c: Cells) -> Project:
    return Project(
        id=ProjectId(c["project_id"]),
        title=c["title"],
        summary=c["summary"] or "",
        proposer=PersonId(c["proposer_id"]),
        status=ProjectStatus(c["status"] or ProjectStatus.PROPOSED),
        department=DepartmentId(c["department"]) if c["department"] else None,
        priority=c["priority"] or 0,
        rules=ProjectRules(
            min_departments=c["min_departments"] or 0,
            min_stretch_seats=c["min_stretch_seats"] or 0,
        ),
    )


PROJECTS = RecordKind(
    name="projects",
    columns=(
        Column("project_id", f.identifier),
        Column("title", f.text),
        Column("summary", f.text, required=False),
        Column("proposer_id", f.identifier),
        Column("status", f.choice(*ProjectStatus), required=False),
        Column("department", f.identifier, required=False),
        Column("priority", f.integer, required=False),
        Column("min_departments", f.natural, required=False),
        Column("min_stretch_seats", f.natural, required=False),
    ),
    key=lambda c: str(c["project_id"]),
    build=_build_project,
    flatten=lambda p: {
        "project_id": p.id,
        "title": p.title,
        "summary": p.summary,
        "proposer_id": p.proposer,
        "status": p.status.value,
        "department": _text(p.department),
        "priority": p.priority,
        "min_departments": p.rules.min_departments,
        "min_stretch_seats": p.rules.min_stretch_seats,
    },
)


def _build_role(c: Cells) -> Role:
    return Role(
        id=RoleId(c["role_id"]),
        project=ProjectId(c["project_id"]),
        title=c["title"],
        kind=RoleKind(c["kind"] or RoleKind.MEMBER),
        headcount=c["headcount"] if c["headcount"] is not None else 1,
        fte=c["fte"] if c["fte"] is not None else 1.0,
        needs=tuple(SkillNeed(skill=s, weight=w) for s, w in c["needs"] or ()),
    )


def _fte_in_range(c: Cells) -> bool:
    return c["fte"] is None or 0 < c["fte"] <= 1


ROLES = RecordKind(
    name="roles",
    columns=(
        Column("role_id", f.identifier),
        Column("project_id", f.identifier),
        Column("title", f.text),
        Column("kind", f.choice(*RoleKind), required=False),
        Column("headcount", f.positive_integer, required=False),
        Column("fte", f.positive_number, required=False),
        Column("needs", f.weighted_skills, required=False),
    ),
    key=lambda c: str(c["role_id"]),
    build=_build_role,
    flatten=lambda r: {
        "role_id": r.id,
        "project_id": r.project,
        "title": r.title,
        "kind": r.kind.value,
        "headcount": r.headcount,
        "fte": r.fte,
        "needs": _weights([(n.skill, n.weight) for n in r.needs]),
    },
    checks=(Check("fte", "an FTE above 0 and at most 1", _fte_in_range, lambda c: str(c["fte"])),),
)


def _build_evidence(c: Cells) -> Evidence:
    return Evidence(
        person=PersonId(c["person_id"]),
        reviewer=PersonId(c["reviewer_id"]) if c["reviewer_id"] else None,
        source=c["source"] or DEFAULT_SOURCE,
        work_item=c["work_item"],
        skills=tuple(SkillTag(skill=s, weight=w) for s, w in c["skills"]),
        score=c["score"],
        scale=Scale(low=c["scale_min"], high=c["scale_max"]),
        day=c["date"],
        weight=c["weight"] if c["weight"] is not None else 1.0,
    )


def _scale_is_ordered(c: Cells) -> bool:
    low, high = c["scale_min"], c["scale_max"]
    return low is None or high is None or low < high


def _score_on_scale(c: Cells) -> bool:
    low, high, score = c["scale_min"], c["scale_max"], c["score"]
    return None in (low, high, score) or not low < high or low <= score <= high


EVIDENCE = RecordKind(
    name="evidence",
    columns=(
        Column("person_id", f.identifier),
        Column("reviewer_id", f.identifier, required=False),
        Column("skills", f.weighted_skills),
        Column("score", f.number),
        Column("scale_min", f.number),
        Column("scale_max", f.number),
        Column("date", f.iso_date),
        Column("work_item", f.text),
        Column("weight", f.positive_number, required=False),
        Column("source", f.identifier, required=False),
    ),
    key=lambda c: _build_evidence(c).key,
    build=_build_evidence,
    flatten=lambda e: {
        "person_id": e.person,
        "reviewer_id": _text(e.reviewer),
        "skills": _weights([(t.skill, t.weight) for t in e.skills]),
        "score": e.score,
        "scale_min": e.scale.low,
        "scale_max": e.scale.high,
        "date": _iso(e.day),
        "work_item": e.work_item,
        "weight": e.weight,
        "source": e.source,
    },
    checks=(
        Check(
            "scale_max",
            "a scale_max above scale_min",
            _scale_is_ordered,
            lambda c: f"{c['scale_max']} (scale_min {c['scale_min']})",
        ),
        Check(
            "score",
            "a score within [scale_min, scale_max]",
            _score_on_scale,
            lambda c: f"{c['score']} on [{c['scale_min']}, {c['scale_max']}]",
        ),
    ),
)


INTERESTS = RecordKind(
    name="interests",
    columns=(
        Column("person_id", f.identifier),
        Column("project_id", f.identifier),
        Column("role_id", f.identifier, required=False),
        Column("rank", f.positive_integer),
    ),
    key=lambda c: f"{c['person_id']}/{c['project_id']}/{c['role_id'] or ''}",
    build=lambda c: Interest(
        person=PersonId(c["person_id"]),
        project=ProjectId(c["project_id"]),
        role=RoleId(c["role_id"]) if c["role_id"] else None,
        rank=c["rank"],
    ),
    flatten=lambda i: {
        "person_id": i.person,
        "project_id": i.project,
        "role_id": _text(i.role),
        "rank": i.rank,
    },
)


GROUNDWORK = RecordKind(
    name="groundwork",
    columns=(
        Column("project_id", f.identifier),
        Column("person_id", f.identifier),
        Column("date", f.iso_date),
        Column("note", f.text, required=False),
        Column("declines_lead", f.boolean, required=False),
    ),
    key=lambda c: f"{c['project_id']}/{c['person_id']}/{c['date']}",
    build=lambda c: Groundwork(
        project=ProjectId(c["project_id"]),
        person=PersonId(c["person_id"]),
        day=c["date"],
        note=c["note"] or "",
        declines_lead=bool(c["declines_lead"]),
    ),
    flatten=lambda g: {
        "project_id": g.project,
        "person_id": g.person,
        "date": _iso(g.day),
        "note": g.note,
        "declines_lead": "true" if g.declines_lead else "false",
    },
)


KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (DEPARTMENTS, PEOPLE, PROJECTS, ROLES, EVIDENCE, INTERESTS, GROUNDWORK)
}
"""Every kind, in an order in which each only refers to kinds before it."""
