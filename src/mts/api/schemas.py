"""Request and response bodies of the API. Translation from domain values lives beside each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mts.domain.accounts import AccessRole, User
from mts.domain.evidence import DEFAULT_SOURCE, Evidence, Scale, SkillTag
from mts.domain.people import Department, Person, PersonId, Skill
from mts.domain.projects import Groundwork, Interest, Project, ProjectStatus, Role, RoleKind
from mts.domain.staffing import Assignment, Round

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many items the whole list has."""

    items: list[T]
    total: int
    limit: int
    offset: int


def page_of(items: Sequence[T], *, limit: int, offset: int) -> Page[T]:
    """The page of ``items`` from ``offset``, at most ``limit`` long."""
    return Page[T](
        items=list(items[offset : offset + limit]), total=len(items), limit=limit, offset=offset
    )


class InvalidField(BaseModel):
    """Where a request was invalid, and why."""

    location: list[str]
    message: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem: ``type`` for programs, ``title`` and ``detail`` for people."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    entity: str | None = None
    errors: list[InvalidField] | None = None


class LoginIn(BaseModel):
    """Credentials; ``kind`` asks for a web session or a bearer token."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    kind: str = Field(default="api", pattern="^(api|session)$")


class TokenOut(BaseModel):
    """A bearer token for API clients (or the session token behind a web login)."""

    token: str
    token_type: str = "bearer"
    csrf: str
    expires: str
    user: UserOut


class UserOut(BaseModel):
    """An account."""

    id: int
    email: str
    role: AccessRole
    person_id: str | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """From the domain value."""
        return cls(id=user.id, email=user.email, role=user.role, person_id=user.person)


class DepartmentOut(BaseModel):
    """A home pool."""

    id: str
    name: str

    @classmethod
    def of(cls, department: Department) -> DepartmentOut:
        """From the domain value."""
        return cls(id=department.id, name=department.name)


class PersonOut(BaseModel):
    """A member as everyone may see them: no merit, no protected attributes."""

    id: str
    name: str
    email: str
    department: str
    skills: list[str]
    joined: date
    left: date | None

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        """From the domain value."""
        return cls(
            id=person.id,
            name=person.name,
            email=person.email,
            department=person.department,
            skills=list(person.skills),
            joined=person.joined,
            left=person.left,
        )


class SkillNeedIO(BaseModel):
    """A skill a role draws on, with its weight."""

    skill: str = Field(min_length=1, max_length=64, pattern=r"^\S+$")
    weight: float = Field(default=1.0, gt=0, le=100)


class RoleOut(BaseModel):
    """A role: seats of the same kind on a project."""

    id: str
    project_id: str
    title: str
    kind: RoleKind
    headcount: int
    fte: float
    needs: list[SkillNeedIO]

    @classmethod
    def of(cls, role: Role) -> RoleOut:
        """From the domain value."""
        return cls(
            id=role.id,
            project_id=role.project,
            title=role.title,
            kind=role.kind,
            headcount=role.headcount,
            fte=role.fte,
            needs=[SkillNeedIO(skill=n.skill, weight=n.weight) for n in role.needs],
        )


class ProjectOut(BaseModel):
    """A project (the proposer's level is not part of it, anywhere)."""

    id: str
    title: str
    summary: str
    proposer_id: str
    status: ProjectStatus
    department: str | None
    priority: int
    min_departments: int
    min_stretch_seats: int

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
        """From the domain value."""
        return cls(
            id=project.id,
            title=project.title,
            summary=project.summary,
            proposer_id=project.proposer,
            status=project.status,
            department=project.department,
            priority=project.priority,
            min_departments=project.rules.min_departments,
            min_stretch_seats=project.rules.min_stretch_seats,
        )


class GroundworkOut(BaseModel):
    """Credit for preparatory work."""

    project_id: str
    person_id: str
    date: date
    note: str
    declines_lead: bool

    @classmethod
    def of(cls, g: Groundwork) -> GroundworkOut:
        """From the domain value."""
        return cls(
            project_id=g.project,
            person_id=g.person,
            date=g.day,
            note=g.note,
            declines_lead=g.declines_lead,
        )


class ProjectDetailOut(BaseModel):
    """A project with its roles and groundwork."""

    project: ProjectOut
    roles: list[RoleOut]
    groundwork: list[GroundworkOut]


class ProposeIn(BaseModel):
    """A project idea."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=10_000)
    department: str | None = Field(default=None, min_length=1, max_length=64)


class StatusIn(BaseModel):
    """A life-cycle step."""

    model_config = ConfigDict(extra="forbid")
    status: ProjectStatus


class RoleIn(BaseModel):
    """A new role."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    kind: RoleKind = RoleKind.MEMBER
    headcount: int = Field(default=1, ge=1, le=1000)
    fte: float = Field(default=1.0, gt=0, le=1)
    needs: list[SkillNeedIO] = Field(default_factory=list, max_length=50)


class InterestIn(BaseModel):
    """Interest in a project, or in one of its roles."""

    model_config = ConfigDict(extra="forbid")
    rank: int = Field(default=1, ge=1, le=1000)
    role_id: str | None = Field(default=None, min_length=1, max_length=64)


class InterestOut(BaseModel):
    """A stated interest."""

    person_id: str
    project_id: str
    role_id: str | None
    rank: int

    @classmethod
    def of(cls, i: Interest) -> InterestOut:
        """From the domain value."""
        return cls(person_id=i.person, project_id=i.project, role_id=i.role, rank=i.rank)


class GroundworkIn(BaseModel):
    """Groundwork to credit to the current user."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000)
    declines_lead: bool = False


class EvidenceOut(BaseModel):
    """A piece of raw evidence (the council and its reviewer only)."""

    key: str
    person_id: str
    reviewer_id: str | None
    source: str
    work_item: str
    skills: dict[str, float]
    score: float
    scale_min: float
    scale_max: float
    date: date
    weight: float

    @classmethod
    def of(cls, e: Evidence) -> EvidenceOut:
        """From the domain value."""
        return cls(
            key=e.key,
            person_id=e.person,
            reviewer_id=e.reviewer,
            source=e.source,
            work_item=e.work_item,
            skills={t.skill: t.weight for t in e.skills},
            score=e.score,
            scale_min=e.scale.low,
            scale_max=e.scale.high,
            date=e.day,
            weight=e.weight,
        )


SkillName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S+$")]
# Bounded so that a stored review can never push the merit fit into overflow.
_SCORE_BOUND = 1e6
EvidenceDay = Annotated[date, Field(ge=date(1970, 1, 1), le=date(2100, 12, 31))]


class EvidenceIn(BaseModel):
    """A scored piece of work; a member may record only reviews they wrote."""

    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(min_length=1, max_length=64)
    reviewer_id: str | None = Field(default=None, min_length=1, max_length=64)
    source: str = Field(default=DEFAULT_SOURCE, min_length=1, max_length=64)
    work_item: str = Field(min_length=1, max_length=300)
    skills: dict[SkillName, Annotated[float, Field(gt=0, le=100)]] = Field(
        min_length=1, max_length=50
    )
    score: float = Field(ge=-_SCORE_BOUND, le=_SCORE_BOUND)
    scale_min: float = Field(ge=-_SCORE_BOUND, le=_SCORE_BOUND)
    scale_max: float = Field(ge=-_SCORE_BOUND, le=_SCORE_BOUND)
    date: EvidenceDay
    weight: float = Field(default=1.0, gt=0, le=100)

    @model_validator(mode="after")
    def _scale_is_a_range(self) -> Self:
        if self.scale_min >= self.scale_max:
            raise ValueError("scale_min must be below scale_max")
        return self

    def evidence(self) -> Evidence:
        """As a domain value."""
        return Evidence(
            person=PersonId(self.person_id),
            reviewer=PersonId(self.reviewer_id) if self.reviewer_id else None,
            source=self.source,
            work_item=self.work_item,
            skills=tuple(SkillTag(skill=Skill(k), weight=w) for k, w in self.skills.items()),
            score=self.score,
            scale=Scale(low=self.scale_min, high=self.scale_max),
            day=self.date,
            weight=self.weight,
        )


class EvidenceAdded(BaseModel):
    """A recorded piece of evidence; ``added`` is false when the same review was already in."""

    evidence: EvidenceOut
    added: bool


class RulesIn(BaseModel):
    """A project's staffing rules."""

    model_config = ConfigDict(extra="forbid")
    min_departments: int = Field(default=0, ge=0, le=50)
    min_stretch_seats: int = Field(default=0, ge=0, le=1000)


class UserIn(BaseModel):
    """A new account (admins only)."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1024)
    role: AccessRole = AccessRole.MEMBER
    person_id: str | None = Field(default=None, min_length=1, max_length=64)


class SeatOut(BaseModel):
    """Who holds one seat of a plan."""

    round_id: str
    role_id: str
    project_id: str
    seat: int
    person_id: str
    fte: float

    @classmethod
    def of(cls, a: Assignment) -> SeatOut:
        """From the domain value."""
        return cls(
            round_id=a.round,
            role_id=a.role,
            project_id=a.project,
            seat=a.seat,
            person_id=a.person,
            fte=a.fte,
        )


class RoundRef(BaseModel):
    """A round as plans and decisions name it."""

    id: str
    name: str
    as_of: date
    status: str

    @classmethod
    def of(cls, r: Round) -> RoundRef:
        """From the domain value."""
        return cls(id=r.id, name=r.name, as_of=r.as_of, status=r.status.value)


class PlanSummaryOut(BaseModel):
    """An approved plan and how many seats it fills."""

    round: RoundRef
    seats: int


class PlanOut(BaseModel):
    """An approved plan: who holds which seat, and the seats left open."""

    round: RoundRef
    seats: list[SeatOut]
    vacancies: list[dict[str, Any]]


class DecisionOut(BaseModel):
    """A seat a round gave a person, and why."""

    round: RoundRef
    seat: SeatOut
    why: dict[str, Any]


class LedgerEntryOut(BaseModel):
    """One sealed entry of the audit ledger."""

    sequence: int
    kind: str
    subject: str
    payload: dict[str, Any]
    actor: str
    at: str
    prev_hash: str
    hash: str


TokenOut.model_rebuild()
