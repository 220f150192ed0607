"""The web's fast reads (``services.views.PageReads``) as SQL over the store's tables.

The repositories answer these questions only in bulk (every interest, every
seat of every round with its JSON); pages need one person's or one project's
share in a few milliseconds, so this adapter selects just the columns and
rows a page shows. It only reads; use cases still decide who may see what.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, Select, select

from mts.domain.people import DepartmentId, Period, PersonId, Skill
from mts.domain.projects import Interest, ProjectId, ProjectStatus, RoleId, RoleKind
from mts.domain.staffing import (
    Assignment,
    Exploration,
    Mechanism,
    Round,
    RoundId,
    RoundStatus,
)
from mts.merit.table import GENERAL, MeritRow
from mts.services.views import Catalogue, Decision, Member, PageReads, RoleLabel, SeatRow
from mts.storage.tables import (
    AssignmentRow,
    InterestRow,
    MeritRowRow,
    PersonRow,
    ProjectRow,
    RoleRow,
    RoundRow,
)

_ROUND_COLUMNS = (
    RoundRow.name.label("round_name"),
    RoundRow.as_of,
    RoundRow.seed,
    RoundRow.exploration,
    RoundRow.mechanism,
    RoundRow.status,
    RoundRow.created_at,
    RoundRow.version,
)
_CHUNK = 500  # ids per IN (...), well under SQLite's and psycopg's parameter limits


class SqlPageReads:
    """``PageReads`` over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._engine.connect() as connection:
            yield connection

    def approved_seats(
        self, *, project: ProjectId | None = None, person: PersonId | None = None
    ) -> list[SeatRow]:
        """Seats of approved rounds on ``project``, on the projects ``person`` sat on, or all."""
        query = _seat_query().where(RoundRow.status == RoundStatus.APPROVED.value)
        if project is not None:
            query = query.where(AssignmentRow.project_id == project)
        if person is not None:
            theirs = (
                select(AssignmentRow.project_id)
                .join(RoundRow, RoundRow.id == AssignmentRow.round_id)
                .where(AssignmentRow.person_id == person, RoundRow.status == "approved")
            )
            query = query.where(AssignmentRow.project_id.in_(theirs))
        rounds: dict[str, Round] = {}  # a few rounds behind thousands of seats: build each once
        with self._connection() as connection:
            return [_seat_row(row, rounds) for row in connection.execute(query)]

    def decided_seats(self, person: PersonId, statuses: Collection[RoundStatus]) -> list[Decision]:
        """Every seat given to ``person`` by a round in ``statuses``, newest round first."""
        query = (
            select(AssignmentRow.round_id, AssignmentRow.role_id, AssignmentRow.project_id,
                   AssignmentRow.person_id, AssignmentRow.fte, AssignmentRow.value,
                   AssignmentRow.seat, AssignmentRow.explanation, *_ROUND_COLUMNS,
                   RoleRow.title.label("role_title"), ProjectRow.title.label("project_title"))
            .join(RoundRow, RoundRow.id == AssignmentRow.round_id)
            .join(RoleRow, RoleRow.id == AssignmentRow.role_id)
            .join(ProjectRow, ProjectRow.id == AssignmentRow.project_id)
            .where(AssignmentRow.person_id == person,
                   RoundRow.status.in_([s.value for s in statuses]))
            .order_by(RoundRow.created_at.desc(), AssignmentRow.role_id, AssignmentRow.seat)
        )  # fmt: skip
        with self._connection() as connection:
            return [_decision(row) for row in connection.execute(query)]

    def interests_of(self, person: PersonId) -> list[Interest]:
        """A person's stated interests, first choice first."""
        query = (
            select(InterestRow.project_id, InterestRow.role_id, InterestRow.rank)
            .where(InterestRow.person_id == person)
            .order_by(InterestRow.rank, InterestRow.id)
        )
        with self._connection() as connection:
            return [
                Interest(
                    person=person,
                    project=ProjectId(project),
                    role=RoleId(role) if role else None,
                    rank=rank,
                )
                for project, role, rank in connection.execute(query)
            ]

    def names(self, people: Collection[PersonId]) -> dict[PersonId, str]:
        """Display names of ``people`` that exist."""
        found: dict[PersonId, str] = {}
        with self._connection() as connection:
            for chunk in _chunks(sorted(people)):
                query = select(PersonRow.id, PersonRow.name).where(PersonRow.id.in_(chunk))
                found.update((PersonId(i), name) for i, name in connection.execute(query))
        return found

    def round_projects(self, round_id: RoundId) -> list[ProjectId]:
        """The projects a round's plan seats people on."""
        query = (
            select(AssignmentRow.project_id)
            .where(AssignmentRow.round_id == round_id)
            .distinct()
            .order_by(AssignmentRow.project_id)
        )
        with self._connection() as connection:
            return [ProjectId(p) for (p,) in connection.execute(query)]

    def round_seats(
        self, round_id: RoundId, projects: Collection[ProjectId]
    ) -> list[tuple[Assignment, dict[str, Any]]]:
        """A round's seats on ``projects`` with their explanations, by role and seat."""
        seats: list[tuple[Assignment, dict[str, Any]]] = []
        with self._connection() as connection:
            for chunk in _chunks(sorted(projects)):
                query = (
                    select(AssignmentRow)
                    .where(AssignmentRow.round_id == round_id, AssignmentRow.project_id.in_(chunk))
                    .order_by(AssignmentRow.role_id, AssignmentRow.seat)
                )
                seats.extend(
                    (_assignment(r), dict(r.explanation)) for r in connection.execute(query)
                )
        return sorted(seats, key=lambda s: (s[0].role, s[0].seat))

    def general_merit(self, snapshot: int) -> list[MeritRow]:
        """Every person's general-execution row of a snapshot."""
        query = select(
            MeritRowRow.person_id, MeritRowRow.mean, MeritRowRow.sd, MeritRowRow.n_effective
        ).where(MeritRowRow.snapshot_id == snapshot, MeritRowRow.skill == GENERAL)
        with self._connection() as connection:
            return [
                MeritRow(PersonId(p), Skill(GENERAL), mean, sd, n)
                for p, mean, sd, n in connection.execute(query)
            ]

    def catalogue(self) -> Catalogue:
        """Every role's and project's title."""
        roles = select(RoleRow.id, RoleRow.title, RoleRow.kind, RoleRow.project_id)
        projects = select(ProjectRow.id, ProjectRow.title)
        with self._connection() as connection:
            return Catalogue(
                roles={
                    RoleId(i): RoleLabel(title, RoleKind(kind), ProjectId(project))
                    for i, title, kind, project in connection.execute(roles)
                },
                projects={ProjectId(i): title for i, title in connection.execute(projects)},
            )

    def active_people(self, day: date) -> list[PersonId]:
        """Everyone on staff on ``day`` (their latest stint or an earlier one)."""
        query = select(PersonRow.id, PersonRow.joined, PersonRow.left, PersonRow.earlier_periods)
        with self._connection() as connection:
            rows = list(connection.execute(query.order_by(PersonRow.id)))
        return [PersonId(i) for i, joined, left, earlier in rows
                if _on_staff(day, joined, left, earlier)]  # fmt: skip


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _on_staff(day: date, joined: date, left: date | None, earlier: list[list[str | None]]) -> bool:
    """Whether someone is on staff on ``day``; earlier stints are stored as [start, end]."""
    stints = [Period(start=joined, end=left)] + [
        Period(start=date.fromisoformat(str(start)), end=date.fromisoformat(end) if end else None)
        for start, end in earlier or ()
    ]
    return any(stint.contains(day) for stint in stints)


def _seat_query() -> Select[*tuple[Any, ...]]:
    return (
        select(AssignmentRow.round_id, AssignmentRow.role_id, AssignmentRow.project_id,
               AssignmentRow.person_id, AssignmentRow.fte, AssignmentRow.value,
               AssignmentRow.seat, *_ROUND_COLUMNS, PersonRow.name, PersonRow.department_id,
               PersonRow.left, RoleRow.title.label("role_title"), RoleRow.kind,
               ProjectRow.title.label("project_title"), ProjectRow.status.label("project_status"))
        .join(RoundRow, RoundRow.id == AssignmentRow.round_id)
        .join(PersonRow, PersonRow.id == AssignmentRow.person_id)
        .join(RoleRow, RoleRow.id == AssignmentRow.role_id)
        .join(ProjectRow, ProjectRow.id == AssignmentRow.project_id)
        .order_by(PersonRow.id, AssignmentRow.project_id, AssignmentRow.role_id)
    )  # fmt: skip


def _seat_row(row: Any, rounds: dict[str, Round]) -> SeatRow:
    found = rounds.get(row.round_id)
    if found is None:
        found = rounds[row.round_id] = _round(row)
    return SeatRow(
        assignment=_assignment(row),
        round=found,
        member=Member(PersonId(row.person_id), row.name, DepartmentId(row.department_id), row.left),
        role_title=row.role_title,
        role_kind=RoleKind(row.kind),
        project_title=row.project_title,
        project_status=ProjectStatus(row.project_status),
    )


def _round(row: Any) -> Round:
    return Round(
        id=RoundId(row.round_id), name=row.round_name, as_of=row.as_of, seed=row.seed,
        exploration=Exploration(row.exploration), mechanism=Mechanism(row.mechanism),
        status=RoundStatus(row.status), created_at=row.created_at, version=row.version,
    )  # fmt: skip


def _assignment(row: Any) -> Assignment:
    return Assignment(
        round=RoundId(row.round_id),
        role=RoleId(row.role_id),
        project=ProjectId(row.project_id),
        person=PersonId(row.person_id),
        fte=row.fte,
        value=row.value,
        seat=row.seat,
    )


def _decision(row: Any) -> Decision:
    return Decision(
        _round(row), _assignment(row), row.role_title, row.project_title, dict(row.explanation)
    )


def page_reads(request: Request) -> PageReads:
    """The app's fast reads."""
    reads: PageReads = request.app.state.reads
    return reads


ReadsDep = Annotated[PageReads, Depends(page_reads)]
