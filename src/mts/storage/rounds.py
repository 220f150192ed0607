"""Rounds, their seats, overrides and the council's pins and forbids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer, load_only

from mts.domain.errors import StaleVersion
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId, RoleId
from mts.domain.staffing import (
    Assignment,
    Exploration,
    Mechanism,
    Override,
    Round,
    RoundId,
    RoundRecord,
    RoundStatus,
    StaffingRule,
)
from mts.storage.tables import AssignmentRow, OverrideRow, RoundRow, StaffingRuleRow


def _round(row: RoundRow) -> Round:
    return Round(
        id=RoundId(row.id),
        name=row.name,
        as_of=row.as_of,
        seed=row.seed,
        exploration=Exploration(row.exploration),
        mechanism=Mechanism(row.mechanism),
        status=RoundStatus(row.status),
        created_at=row.created_at,
        version=row.version,
    )


_ROUND_COLUMNS = (
    RoundRow.id,
    RoundRow.name,
    RoundRow.as_of,
    RoundRow.seed,
    RoundRow.exploration,
    RoundRow.mechanism,
    RoundRow.status,
    RoundRow.created_at,
    RoundRow.version,
)


def _record(row: RoundRow, *, plan: bool = True) -> RoundRecord:
    return RoundRecord(
        round=_round(row),
        settings=dict(row.settings),
        plan=dict(row.plan) if plan else {},
        stats=dict(row.solver_stats),
        certificate=dict(row.certificate),
        progress=dict(row.progress),
        error=row.error,
        snapshot=row.snapshot_id,
        created_by=row.created_by,
    )


def _assignment(row: AssignmentRow) -> Assignment:
    return Assignment(
        round=RoundId(row.round_id),
        role=RoleId(row.role_id),
        project=ProjectId(row.project_id),
        person=PersonId(row.person_id),
        fte=row.fte,
        value=row.value,
        seat=row.seat,
    )


class SqlRoundRepository:
    """Rounds and everything a round decides."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, staffing_round: Round, *, settings: dict[str, Any], created_by: str) -> None:
        """Store a new round."""
        r = staffing_round
        self._session.add(
            RoundRow(
                id=r.id,
                name=r.name,
                as_of=r.as_of,
                seed=r.seed,
                exploration=r.exploration.value,
                mechanism=r.mechanism.value,
                status=r.status.value,
                created_at=r.created_at,
                version=r.version,
                settings=settings,
                solver_stats={},
                plan={},
                certificate={},
                progress={},
                created_by=created_by,
            )
        )
        self._session.flush()

    def get(self, round_id: RoundId, *, plan: bool = True) -> RoundRecord | None:
        """A round by id; with ``plan=False`` its plan (megabytes in a large round) is left
        unread and shown empty."""
        options = [] if plan else [defer(RoundRow.plan)]
        row = self._session.get(RoundRow, round_id, options=options)
        return _record(row, plan=plan) if row else None

    def by_name(self, name: str, *, plan: bool = True) -> RoundRecord | None:
        """A round by its unique name; with ``plan=False`` as in ``get``."""
        query = select(RoundRow).where(RoundRow.name == name)
        if not plan:
            query = query.options(defer(RoundRow.plan))
        row = self._session.scalars(query).first()
        return _record(row, plan=plan) if row else None

    def newest_first(self, *, plans: bool = True) -> list[RoundRecord]:
        """Every round, newest first; with ``plans=False`` their plans are left unread (empty)."""
        query = select(RoundRow).order_by(RoundRow.created_at.desc(), RoundRow.id)
        if not plans:
            query = query.options(defer(RoundRow.plan))
        return [_record(row, plan=plans) for row in self._session.scalars(query)]

    def update(self, round_id: RoundId, *, expected_version: int, **values: Any) -> int:
        """Change a round unless someone changed it after ``expected_version``; the new version."""
        if "status" in values and isinstance(values["status"], RoundStatus):
            values["status"] = values["status"].value
        result = self._session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.version == expected_version)
            .values(version=expected_version + 1, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]  # UPDATE results carry rowcount
            raise StaleVersion(f"round {round_id} was changed by someone else", entity=round_id)
        return expected_version + 1

    def replace_seats(
        self, round_id: RoundId, seats: Sequence[tuple[Assignment, dict[str, Any]]]
    ) -> None:
        """Replace a round's seats with ``seats`` (each with its explanation)."""
        self._session.execute(delete(AssignmentRow).where(AssignmentRow.round_id == round_id))
        for assignment, explanation in seats:
            self._session.add(_assignment_row(assignment, explanation))
        self._session.flush()

    def seats(self, round_id: RoundId) -> list[tuple[Assignment, dict[str, Any]]]:
        """A round's seats with their explanations, by role and seat."""
        query = (
            select(AssignmentRow)
            .where(AssignmentRow.round_id == round_id)
            .order_by(AssignmentRow.role_id, AssignmentRow.seat)
        )
        return [(_assignment(r), dict(r.explanation)) for r in self._session.scalars(query)]

    def vacancies(self, round_id: RoundId) -> list[dict[str, Any]]:
        """The unfilled seats of a round's plan, read without the rest of the plan (which
        the database parses far faster than Python would build it)."""
        query = select(RoundRow.plan["vacancies"]).where(RoundRow.id == round_id)
        found = self._session.scalar(query)
        return [dict(v) for v in found] if isinstance(found, list) else []

    def seat_count(self, round_id: RoundId) -> int:
        """How many seats a round's plan fills."""
        query = select(func.count()).where(AssignmentRow.round_id == round_id)
        return self._session.scalar(query) or 0

    def holders(
        self,
        round_id: RoundId,
        *,
        project: ProjectId | None = None,
        person: PersonId | None = None,
    ) -> list[Assignment]:
        """A round's seats (optionally one project's, one person's) without their explanations
        (left unread), by role and seat."""
        query = (
            select(AssignmentRow)
            .options(defer(AssignmentRow.explanation))
            .where(AssignmentRow.round_id == round_id)
            .order_by(AssignmentRow.role_id, AssignmentRow.seat)
        )
        if project is not None:
            query = query.where(AssignmentRow.project_id == project)
        if person is not None:
            query = query.where(AssignmentRow.person_id == person)
        return [_assignment(r) for r in self._session.scalars(query)]

    def set_seat(self, assignment: Assignment, explanation: dict[str, Any]) -> None:
        """Put ``assignment`` on its seat, replacing whoever held it."""
        self._session.merge(_assignment_row(assignment, explanation))

    def allocations(
        self, statuses: Sequence[RoundStatus] = (RoundStatus.APPROVED,)
    ) -> list[Assignment]:
        """Seats of rounds in ``statuses`` (approved by default): who holds what now."""
        query = (
            select(AssignmentRow)
            .options(defer(AssignmentRow.explanation))
            .join(RoundRow, RoundRow.id == AssignmentRow.round_id)
            .where(RoundRow.status.in_([s.value for s in statuses]))
            .order_by(AssignmentRow.person_id, AssignmentRow.role_id)
        )
        return [_assignment(r) for r in self._session.scalars(query)]

    def seats_of(
        self, person: PersonId, statuses: Sequence[RoundStatus]
    ) -> list[tuple[Round, Assignment, dict[str, Any]]]:
        """Every seat ``person`` holds in rounds in ``statuses``, with its round and explanation,
        newest round first (without reading any round's plan document)."""
        seats = self._session.scalars(
            select(AssignmentRow)
            .join(RoundRow, RoundRow.id == AssignmentRow.round_id)
            .where(
                AssignmentRow.person_id == person,
                RoundRow.status.in_([s.value for s in statuses]),
            )
            .order_by(AssignmentRow.role_id, AssignmentRow.seat)
        ).all()
        rounds = {
            row.id: _round(row)
            for row in self._session.scalars(
                select(RoundRow)
                .options(load_only(*_ROUND_COLUMNS))
                .where(RoundRow.id.in_({a.round_id for a in seats}))
            )
        }
        found = [(rounds[a.round_id], _assignment(a), dict(a.explanation)) for a in seats]
        oldest = sorted(rounds.values(), key=lambda r: (r.created_at is None, r.created_at, r.id))
        order = {r.id: i for i, r in enumerate(reversed(oldest))}
        return sorted(found, key=lambda seat: order[seat[0].id])

    def add_override(self, override: Override) -> None:
        """Record a council override."""
        self._session.add(
            OverrideRow(
                round_id=override.round,
                role_id=override.role,
                engine_person_id=override.engine_person,
                new_person_id=override.new_person,
                reason=override.reason,
                actor=override.actor,
                at=override.at,
            )
        )

    def overrides(self, round_id: RoundId | None = None) -> list[Override]:
        """Overrides of one round, or of all, oldest first."""
        query = select(OverrideRow).order_by(OverrideRow.id)
        if round_id is not None:
            query = query.where(OverrideRow.round_id == round_id)
        return [
            Override(
                round=RoundId(r.round_id),
                role=RoleId(r.role_id),
                engine_person=PersonId(r.engine_person_id) if r.engine_person_id else None,
                new_person=PersonId(r.new_person_id),
                reason=r.reason,
                actor=r.actor,
                at=r.at,
            )
            for r in self._session.scalars(query)
        ]

    def rules(self) -> list[StaffingRule]:
        """Every pin and forbid."""
        query = select(StaffingRuleRow).order_by(StaffingRuleRow.role_id, StaffingRuleRow.person_id)
        return [
            StaffingRule(
                role=RoleId(r.role_id), person=PersonId(r.person_id), kind=r.kind, reason=r.reason
            )
            for r in self._session.scalars(query)
        ]

    def put_rule(self, rule: StaffingRule) -> None:
        """Pin or forbid a person on a role (replacing any rule for that pair)."""
        self._session.merge(
            StaffingRuleRow(
                role_id=rule.role, person_id=rule.person, kind=rule.kind, reason=rule.reason
            )
        )

    def remove_rule(self, role: RoleId, person: PersonId) -> None:
        """Drop the pin or forbid of a person on a role."""
        self._session.execute(
            delete(StaffingRuleRow).where(
                StaffingRuleRow.role_id == role, StaffingRuleRow.person_id == person
            )
        )


def _assignment_row(assignment: Assignment, explanation: dict[str, Any]) -> AssignmentRow:
    return AssignmentRow(
        round_id=assignment.round,
        role_id=assignment.role,
        seat=assignment.seat,
        project_id=assignment.project,
        person_id=assignment.person,
        fte=assignment.fte,
        value=assignment.value,
        explanation=explanation,
    )
