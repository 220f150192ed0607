"""Staffing rounds: create, run (merit snapshot -> plan -> certificate), approve, override.

Each use case is one transaction. A run that fails leaves the round
``failed`` with the reason, and a later run starts it over; only the
council runs, approves and overrides rounds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mts.audit.invariance import Certificate, certify
from mts.audit.ledger import LedgerKind, digest
from mts.domain.accounts import User
from mts.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mts.domain.people import PersonId
from mts.domain.projects import ProjectStatus, RoleId
from mts.domain.staffing import (
    Assignment,
    Exploration,
    Mechanism,
    Override,
    Round,
    RoundId,
    RoundRecord,
    RoundStatus,
)
from mts.merit.table import MeritTable
from mts.services import ledger
from mts.services.merit import MeritSettings, take_snapshot
from mts.services.pipeline import Organisation, decide, engine_input, load_organisation
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory
from mts.staffing import Plan, StaffingSettings

Report = Callable[[str, float], None]
"""Told each stage of a run and how far along it is (0..1); the CLI and the web show it."""

_RUNNABLE = (RoundStatus.DRAFT, RoundStatus.FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundOptions:
    """How a round is run; stored with it so that its plan can be reproduced."""

    exploration: Exploration = Exploration.UCB
    mechanism: Mechanism = Mechanism.OPTIMISER
    seed: int = 0
    kappa: float = 0.5
    time_limit: float = 60.0
    certificate_permutations: int = 3

    def staffing(self) -> StaffingSettings:
        """The staffing engine's settings for this round."""
        return StaffingSettings(
            exploration=self.exploration,
            kappa=self.kappa,
            seed=self.seed,
            time_limit=self.time_limit,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings."""
        return {
            "exploration": self.exploration.value,
            "mechanism": self.mechanism.value,
            "seed": self.seed,
            "kappa": self.kappa,
            "time_limit": self.time_limit,
            "certificate_permutations": self.certificate_permutations,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundOptions:
        """Settings as stored with a round."""
        return cls(
            exploration=Exploration(data.get("exploration", "ucb")),
            mechanism=Mechanism(data.get("mechanism", "optimiser")),
            seed=int(data.get("seed", 0)),
            kappa=float(data.get("kappa", 0.5)),
            time_limit=float(data.get("time_limit", 60.0)),
            certificate_permutations=int(data.get("certificate_permutations", 3)),
        )


def _council(actor: User) -> None:
    if not actor.is_council:
        raise PermissionDenied("only the staffing council runs, approves and overrides rounds")


def find_round(uow: UnitOfWork, round_ref: str, *, plan: bool = True) -> RoundRecord:
    """A round by id or name, or NotFound; ``plan=False`` leaves its plan unread (empty)."""
    rounds = uow.rounds
    record = rounds.get(RoundId(round_ref), plan=plan) or rounds.by_name(round_ref, plan=plan)
    if record is None:
        raise NotFound("round", round_ref)
    return record


def create_round(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    name: str,
    as_of: date,
    options: RoundOptions,
    now: datetime,
) -> Round:
    """Create a draft round; nothing is decided until it runs."""
    _council(actor)
    if not name.strip():
        raise InvalidInput("a round needs a name")
    staffing_round = Round(
        id=RoundId(f"round-{secrets.token_hex(6)}"),
        name=name.strip(),
        as_of=as_of,
        seed=options.seed,
        exploration=options.exploration,
        mechanism=options.mechanism,
        created_at=now,
    )
    with unit_of_work() as uow:
        if uow.rounds.by_name(staffing_round.name) is not None:
            raise Conflict(f"a round named {staffing_round.name!r} already exists")
        uow.rounds.add(staffing_round, settings=options.to_dict(), created_by=actor.email)
        ledger.record(
            uow,
            kind=LedgerKind.ROUND_CREATED,
            subject=staffing_round.id,
            payload={"name": staffing_round.name, "as_of": as_of.isoformat(), **options.to_dict()},
            actor=actor.email,
            at=now,
        )
        uow.commit()
    return staffing_round


def run_round(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    round_ref: str,
    *,
    now: Callable[[], datetime],
    report: Report = lambda _stage, _done: None,
) -> RoundRecord:
    """Snapshot merit, solve, certify and store the plan, all or nothing; ``failed`` on error."""
    _council(actor)
    record = _start(unit_of_work, round_ref)
    try:
        return _solve_and_store(unit_of_work, actor, record, now=now, report=report)
    except Exception as error:
        _mark_failed(unit_of_work, record.round.id, error)
        raise


def runnable_round(unit_of_work: UnitOfWorkFactory, actor: User, round_ref: str) -> RoundRecord:
    """A round the council may run now (a draft or a failed one); Conflict for any other."""
    _council(actor)
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
    if record.round.status not in _RUNNABLE:
        raise Conflict(f"round {record.round.name} is {record.round.status}; it cannot run now")
    return record


def _start(unit_of_work: UnitOfWorkFactory, round_ref: str) -> RoundRecord:
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
        if record.round.status not in _RUNNABLE:
            raise Conflict(f"round {record.round.name} is {record.round.status}; it cannot run now")
        uow.rounds.update(
            record.round.id,
            expected_version=record.round.version,
            status=RoundStatus.SOLVING,
            error=None,
            progress={"stage": "starting", "done": 0.0},
        )
        uow.commit()
        return find_round(uow, record.round.id)


def _mark_failed(unit_of_work: UnitOfWorkFactory, round_id: RoundId, error: Exception) -> None:
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    with unit_of_work() as uow:
        current = uow.rounds.get(round_id)
        if current is not None:
            uow.rounds.update(
                round_id,
                expected_version=current.round.version,
                status=RoundStatus.FAILED,
                error=message[:2000],
            )
            uow.commit()


def _solve_and_store(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    record: RoundRecord,
    *,
    now: Callable[[], datetime],
    report: Report,
) -> RoundRecord:
    staffing_round = record.round
    options = RoundOptions.from_dict(record.settings)
    report("merit snapshot", 0.05)
    snapshot_id, merit = _merit_for(unit_of_work, staffing_round.as_of, now())
    with unit_of_work() as uow:
        org = load_organisation(uow)
    report("solving", 0.3)
    plan = _plan(org, merit, options, staffing_round.as_of)
    report("certifying level-blindness", 0.6)
    certificate = _certify(org, merit, options, staffing_round.as_of, plan, snapshot_id)
    report("storing the plan", 0.95)
    with unit_of_work() as uow:
        _store(uow, record, plan, certificate, snapshot_id, actor=actor.email, at=now())
        uow.commit()
        return find_round(uow, staffing_round.id)


def _merit_for(
    unit_of_work: UnitOfWorkFactory, as_of: date, now: datetime
) -> tuple[int, MeritTable]:
    # Reuse the newest snapshot when it was fitted on exactly today's evidence up to as_of.
    # Evidence is only ever appended (the repository can neither change nor delete a piece),
    # so the same count up to as_of means the same pieces: a COUNT, not reading every row.
    with unit_of_work() as uow:
        latest = uow.merit.latest(as_of=as_of)
        if (latest is not None and latest.as_of == as_of
                and latest.evidence_count == uow.evidence.count(until=as_of)):
            return latest.id, uow.merit.table(latest.id)
    header = take_snapshot(unit_of_work, as_of=as_of, now=now, settings=MeritSettings())
    with unit_of_work() as uow:
        return header.id, uow.merit.table(header.id)


def _plan(org: Organisation, merit: MeritTable, options: RoundOptions, as_of: date) -> Plan:
    return decide(
        org,
        org.profiles,
        merit=merit,
        settings=options.staffing(),
        as_of=as_of,
        mechanism=options.mechanism,
    )


def _certify(
    org: Organisation,
    merit: MeritTable,
    options: RoundOptions,
    as_of: date,
    plan: Plan,
    snapshot_id: int,
) -> Certificate:
    settings = options.staffing()

    def pipeline(profiles: Any) -> Plan:
        return decide(
            org,
            profiles,
            merit=merit,
            settings=settings,
            as_of=as_of,
            mechanism=options.mechanism,
        )

    seeds = [options.seed * 1000 + k + 1 for k in range(options.certificate_permutations)]
    inputs = digest(
        {"snapshot": snapshot_id, "settings": options.to_dict(), "as_of": as_of.isoformat()}
    )
    return certify(
        pipeline,
        org.profiles,
        seeds=seeds,
        inputs_digest=inputs,
        people=[p.id for p in org.people],
        reference=plan,
        engine_input=lambda profiles: engine_input(org, profiles, merit=merit, as_of=as_of),
    )


def _store(
    uow: UnitOfWork,
    record: RoundRecord,
    plan: Plan,
    certificate: Certificate,
    snapshot_id: int,
    *,
    actor: str,
    at: datetime,
) -> None:
    round_id = record.round.id
    plan_json = plan.to_dict()
    seats = [
        (assignment, seat_json["why"])
        for assignment, seat_json in zip(
            plan.assignments(round_id), plan_json["seats"], strict=True
        )
    ]
    uow.rounds.replace_seats(round_id, seats)
    current = find_round(uow, round_id)
    uow.rounds.update(
        round_id,
        expected_version=current.round.version,
        status=RoundStatus.PROPOSED,
        plan=plan_json,
        solver_stats=plan_json["stats"],
        certificate=certificate.to_dict(),
        snapshot_id=snapshot_id,
        progress={"stage": "done", "done": 1.0},
    )
    summary = {
        "seats": len(plan.seats),
        "vacancies": sum(v.seats for v in plan.vacancies),
        "objective": plan.stats.objective,
        "plan_digest": certificate.plan_digest,
        "snapshot": snapshot_id,
    }
    ledger.record(
        uow, kind=LedgerKind.ROUND_PLANNED, subject=round_id, payload=summary, actor=actor, at=at
    )
    verdict = {
        "verdict": certificate.verdict.value,
        "plan_digest": certificate.plan_digest,
        "inputs_digest": certificate.inputs_digest,
        "seeds": list(certificate.seeds),
    }
    ledger.record(
        uow, kind=LedgerKind.ROUND_CERTIFIED, subject=round_id, payload=verdict, actor=actor, at=at
    )


def record_progress(
    unit_of_work: UnitOfWorkFactory, round_ref: str, stage: str, done: float
) -> None:
    """Keep a running round's progress where the web UI and the API can read it."""
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
        uow.rounds.update(
            record.round.id,
            expected_version=record.round.version,
            progress={"stage": stage, "done": round(done, 3)},
        )
        uow.commit()


def approve_round(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    round_ref: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> RoundRecord:
    """Approve a proposed round whose certificate passed; its projects become staffed."""
    _council(actor)
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
        if record.round.status is not RoundStatus.PROPOSED:
            raise Conflict(f"round {record.round.name} is {record.round.status}, not proposed")
        if record.certificate.get("verdict") != "passed":
            raise Conflict(
                f"round {record.round.name}: the level-blindness certificate did not pass, "
                "so the plan cannot be approved"
            )
        version = expected_version if expected_version is not None else record.round.version
        uow.rounds.update(record.round.id, expected_version=version, status=RoundStatus.APPROVED)
        _mark_projects_staffed(uow, record.round.id)
        ledger.record(
            uow,
            kind=LedgerKind.ROUND_APPROVED,
            subject=record.round.id,
            payload={"seats": len(uow.rounds.seats(record.round.id)), "version": version},
            actor=actor.email,
            at=now,
        )
        uow.commit()
        return find_round(uow, record.round.id)


def _mark_projects_staffed(uow: UnitOfWork, round_id: RoundId) -> None:
    for project_id in sorted({a.project for a, _ in uow.rounds.seats(round_id)}):
        project = uow.projects.get(project_id)
        if project is not None and project.status is ProjectStatus.OPEN:
            uow.projects.put(project.moved_to(ProjectStatus.STAFFED))


def override_seat(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    round_ref: str,
    *,
    role: RoleId,
    person: PersonId,
    reason: str,
    now: datetime,
    seat: int | None = None,
) -> Override:
    """Put ``person`` on a seat of ``role`` in place of the engine's pick; a reason is required."""
    _council(actor)
    if not reason.strip():
        raise InvalidInput("an override needs a written reason")
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
        if record.round.status not in (RoundStatus.PROPOSED, RoundStatus.APPROVED):
            raise Conflict(
                f"round {record.round.name} is {record.round.status}; nothing to override"
            )
        if uow.people.get(person) is None:
            raise NotFound("person", person)
        target = _seat_to_override(uow, record, role, seat)
        override = Override(
            round=record.round.id,
            role=role,
            engine_person=target[0].person if target else None,
            new_person=person,
            reason=reason.strip(),
            actor=actor.email,
            at=now,
        )
        _apply_override(uow, record, role, target, override)
        uow.commit()
    return override


def _seat_to_override(
    uow: UnitOfWork, record: RoundRecord, role: RoleId, seat: int | None
) -> tuple[Assignment, dict[str, Any]] | None:
    seats = [s for s in uow.rounds.seats(record.round.id) if s[0].role == role]
    if uow.roles.get(role) is None:
        raise NotFound("role", role)
    if seat is None:
        return seats[0] if seats else None
    chosen = [s for s in seats if s[0].seat == seat]
    if not chosen:
        raise NotFound("seat", f"{role}#{seat}")
    return chosen[0]


def _apply_override(
    uow: UnitOfWork,
    record: RoundRecord,
    role_id: RoleId,
    target: tuple[Assignment, dict[str, Any]] | None,
    override: Override,
) -> None:
    role = uow.roles.get(role_id)
    assert role is not None  # checked by _seat_to_override
    seat_index = target[0].seat if target else len(uow.rounds.seats(record.round.id))
    assignment = Assignment(
        round=record.round.id,
        role=role_id,
        project=role.project,
        person=override.new_person,
        fte=role.fte,
        value=0.0,
        seat=seat_index,
    )
    engine_why = target[1] if target else {}
    why = {"override": {"reason": override.reason, "actor": override.actor}, "engine": engine_why}
    uow.rounds.set_seat(assignment, why)
    uow.rounds.add_override(override)
    ledger.record(
        uow,
        kind=LedgerKind.ROUND_OVERRIDE,
        subject=record.round.id,
        payload={
            "role": role_id,
            "seat": seat_index,
            "engine_person": override.engine_person,
            "new_person": override.new_person,
            "reason": override.reason,
        },
        actor=override.actor,
        at=override.at,
    )


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round with its seats, explanations and overrides."""

    record: RoundRecord
    seats: list[tuple[Assignment, dict[str, Any]]]
    overrides: list[Override]

    def to_dict(self) -> dict[str, Any]:
        """The round as one JSON document: settings, stats, certificate, seats, overrides."""
        record = self.record
        return {
            "id": record.round.id,
            "name": record.round.name,
            "status": record.round.status.value,
            "as_of": record.round.as_of.isoformat(),
            "version": record.round.version,
            "created_by": record.created_by,
            "settings": record.settings,
            "snapshot": record.snapshot,
            "stats": record.stats,
            "certificate": record.certificate,
            "progress": record.progress,
            "error": record.error,
            "seats": [_seat_dict(a, why) for a, why in self.seats],
            "vacancies": record.plan.get("vacancies", []),
            "groundwork": record.plan.get("groundwork", []),
            "notes": record.plan.get("notes", []),
            "overrides": [_override_dict(o) for o in self.overrides],
        }


def _seat_dict(a: Assignment, why: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": a.role,
        "project": a.project,
        "seat": a.seat,
        "person": a.person,
        "fte": a.fte,
        "value": a.value,
        "why": why,
    }


def _override_dict(o: Override) -> dict[str, Any]:
    return {
        "role": o.role,
        "engine_person": o.engine_person,
        "new_person": o.new_person,
        "reason": o.reason,
        "actor": o.actor,
        "at": o.at.isoformat(),
    }


def show_round(unit_of_work: UnitOfWorkFactory, round_ref: str) -> RoundView:
    """A round by id or name, with everything it decided."""
    with unit_of_work() as uow:
        record = find_round(uow, round_ref)
        return RoundView(
            record, uow.rounds.seats(record.round.id), uow.rounds.overrides(record.round.id)
        )


def list_rounds(unit_of_work: UnitOfWorkFactory, *, plans: bool = True) -> list[RoundRecord]:
    """Every round, newest first (without their plans, which can be megabytes, if not wanted)."""
    with unit_of_work() as uow:
        return uow.rounds.newest_first(plans=plans)


def fail_interrupted_rounds(unit_of_work: UnitOfWorkFactory) -> int:
    """Mark rounds left ``solving`` by a worker that died as failed, so they can run again."""
    with unit_of_work() as uow:
        stuck = [r for r in uow.rounds.newest_first() if r.round.status is RoundStatus.SOLVING]
        for record in stuck:
            uow.rounds.update(
                record.round.id,
                expected_version=record.round.version,
                status=RoundStatus.FAILED,
                error="the worker stopped before the round finished; run it again",
            )
        uow.commit()
    return len(stuck)
