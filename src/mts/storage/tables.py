"""The database schema as SQLAlchemy 2 typed rows. Migrations mirror this file.

Protected attributes live in their own table, ``protected_profiles``, read
only through ``ProtectedProfileRepository``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = Any


class Base(DeclarativeBase):
    """The declarative base of every mts table."""

    # Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


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
    settings: Mapped[Json] = mapped_column(JSON, default=dict)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("merit_snapshots.id"))
    plan: Mapped[Json] = mapped_column(JSON, default=dict)
    certificate: Mapped[Json] = mapped_column(JSON, default=dict)
    progress: Mapped[Json] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320), default="")


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


class MeritSnapshotRow(Base):
    """A versioned merit fit: its parameters, a hash of its inputs, and when."""

    __tablename__ = "merit_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    input_hash: Mapped[str] = mapped_column(String(64))
    evidence_count: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[Json] = mapped_column(JSON)


class MeritRowRow(Base):
    """One person's posterior for one skill (``*`` is general execution) in a snapshot."""

    __tablename__ = "merit_rows"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("merit_snapshots.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    mean: Mapped[float] = mapped_column(Float)
    sd: Mapped[float] = mapped_column(Float)
    n_effective: Mapped[float] = mapped_column(Float)


class ReviewerLeniencyRow(Base):
    """A reviewer's estimated leniency (positive) or severity (negative) in a snapshot."""

    __tablename__ = "reviewer_leniency"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("merit_snapshots.id"), primary_key=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mean: Mapped[float] = mapped_column(Float)
    sd: Mapped[float] = mapped_column(Float)
    reviews: Mapped[int] = mapped_column(Integer)


class StaffingRuleRow(Base):
    """A council's pin (this person must hold a seat of this role) or forbid."""

    __tablename__ = "staffing_rules"

    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")


class LedgerRow(Base):
    """One append-only, hash-chained entry of the audit ledger."""

    __tablename__ = "ledger"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[Json] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class UserRow(Base):
    """A login: an email, an argon2 password hash, and an access role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenRow(Base):
    """A web session or an API token; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeritExplanationRow(Base):
    """The evidence that moved one person's estimates most, per skill, in a snapshot."""

    __tablename__ = "merit_explanations"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("merit_snapshots.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    contributions: Mapped[Json] = mapped_column(JSON)
