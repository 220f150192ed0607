"""The database schema as SQLAlchemy 2 typed rows. Migrations mirror this file.

Protected attributes live in their own table, ``protected_profiles``, read
only through ``ProtectedProfileRepository``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = Any


class Base(DeclarativeBase):
    """The declarative base of every mts table."""


class DepartmentRow(Base):
    """A home pool."""

    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class PersonRow(Base):
    """A member; protected attributes are elsewhere on purpose."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), index=True)
    joined: Mapped[date] = mapped_column(Date)
    left: Mapped[date | None] = mapped_column(Date)
    skills: Mapped[Json] = mapped_column(JSON, default=list)
    earlier_periods: Mapped[Json] = mapped_column(JSON, default=list)


class ProtectedProfileRow(Base):
    """Level, tenure, pedigree: kept apart, never a decision input."""

    __tablename__ = "protected_profiles"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    level: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    tenure_start: Mapped[date | None] = mapped_column(Date)
    prior_employer: Mapped[str | None] = mapped_column(String(200))
    education: Mapped[str | None] = mapped_column(String(200))
    promotion_window: Mapped[date | None] = mapped_column(Date)


class ProjectRow(Base):
    """A project and its staffing rules."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    proposer_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    min_departments: Mapped[int] = mapped_column(Integer, default=0)
    min_stretch_seats: Mapped[int] = mapped_column(Integer, default=0)


class RoleRow(Base):
    """Seats on a project that need the same skills."""

    __tablename__ = "roles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    headcount: Mapped[int] = mapped_column(Integer)
    fte: Mapped[float] = mapped_column(Float)
    needs: Mapped[Json] = mapped_column(JSON, default=list)


class EvidenceRow(Base):
    """One scored work item; ``key`` makes re-imports idempotent."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_person_day", "person_id", "day"),)

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    work_item: Mapped[str] = mapped_column(String(500))
    skills: Mapped[Json] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    scale_low: Mapped[float] = mapped_column(Float)
    scale_high: Mapped[float] = mapped_column(Float)
    day: Mapped[date] = mapped_column(Date)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class InterestRow(Base):
    """A ranked statement of interest in a project or one of its roles."""

    __tablename__ = "interests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    role_id: Mapped[str | None] = mapped_column(ForeignKey("roles.id"))
    rank: Mapped[int] = mapped_column(Integer)


class GroundworkRow(Base):
    """Preparatory work on a project, credited to its author."""

    __tablename__ = "groundwork"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    declines_lead: Mapped[bool] = mapped_column(default=False)


class RoundRow(Base):
    """A staffing round; ``version`` guards against concurrent approvals."""

    __tablename__ = "rounds"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    as_of: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    exploration: Mapped[str] = mapped_column(String(16))
    mechanism: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    solver_stats: Mapped[Json] = mapped_column(JSON, default=dict)


class AssignmentRow(Base):
    """One seat of a round's plan, with the engine's explanation."""

    __tablename__ = "assignments"

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id"), primary_key=True)
    seat: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    fte: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[Json] = mapped_column(JSON, default=dict)


class OverrideRow(Base):
    """A council change to a plan, with its mandatory reason."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), index=True)
    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id"))
    engine_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    new_person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
