"""Rounds on SQLite and PostgreSQL: run, certify, approve, override, fail cleanly, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from factories import evidence
from mts.bootstrap import Application
from mts.domain.accounts import AccessRole, User, UserId
from mts.domain.errors import Conflict, InvalidInput, PermissionDenied
from mts.domain.evidence import Evidence
from mts.domain.people import PersonId
from mts.domain.projects import RoleId
from mts.domain.staffing import RoundStatus
from mts.services import ledger, rounds
from mts.services.demo import store_organisation
from mts.sim.organisation import generate_organisation

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
COUNCIL = User(id=UserId(1), email="chair@example.org", role=AccessRole.COUNCIL)
MEMBER = User(
    id=UserId(2), email="m@example.org", role=AccessRole.MEMBER, person=PersonId("p00002")
)


@pytest.fixture
def org_app(app: Application) -> Application:
    store_organisation(app.unit_of_work, generate_organisation(people=90, seed=2, as_of=AS_OF))
    return app


def _run(app: Application, name: str = "q4", **options: object) -> rounds.RoundView:
    created = rounds.create_round(
        app.unit_of_work,
        COUNCIL,
        name=name,
        as_of=AS_OF,
        options=rounds.RoundOptions(**options),  # type: ignore[arg-type]
        now=NOW,
    )
    rounds.run_round(app.unit_of_work, COUNCIL, created.id, now=lambda: NOW)
    return rounds.show_round(app.unit_of_work, name)


def test_a_round_proposes_a_certified_plan_and_leaves_a_ledger_trail(org_app: Application) -> None:
    view = _run(org_app)
    assert view.record.round.status is RoundStatus.PROPOSED
    assert view.record.certificate["verdict"] == "passed"
    assert view.seats and view.record.snapshot is not None
    kinds = [e.kind for e in _entries(org_app)]
    assert kinds == ["round.created", "round.planned", "round.certified"]
    assert ledger.verify_ledger(org_app.unit_of_work).ok


def _entries(app: Application) -> list:  # type: ignore[type-arg]
    with app.unit_of_work() as uow:
        return uow.ledger.entries()


def test_same_seed_gives_the_same_plan(org_app: Application) -> None:
    first = _run(org_app, "a", seed=4)
    second = _run(org_app, "b", seed=4)
    assert [(a.role, a.seat, a.person) for a, _ in first.seats] == [
        (a.role, a.seat, a.person) for a, _ in second.seats
    ]


def test_a_round_reuses_the_snapshot_until_evidence_up_to_its_date_arrives(
    org_app: Application,
) -> None:
    first = _run(org_app, "a").record.snapshot
    assert first is not None
    _add_evidence(org_app, replace(evidence("p00002", reviewer="p00003", item="later"),
                                   day=AS_OF + timedelta(days=3)))
    assert _run(org_app, "b").record.snapshot == first  # evidence after as_of changes nothing
    _add_evidence(org_app, replace(evidence("p00002", reviewer="p00003", item="in time"),
                                   day=AS_OF))
    refitted = _run(org_app, "c").record.snapshot
    assert refitted is not None and refitted != first
    with org_app.unit_of_work() as uow:
        old, new = uow.merit.header(first), uow.merit.header(refitted)
    assert old is not None and new is not None
    assert new.evidence_count == old.evidence_count + 1
    assert new.input_hash != old.input_hash


def _add_evidence(app: Application, piece: Evidence) -> None:
    with app.unit_of_work() as uow:
        assert uow.evidence.add_new([piece]) == 1
        uow.commit()


def test_only_the_council_runs_rounds(org_app: Application) -> None:
    with pytest.raises(PermissionDenied):
        rounds.create_round(
            org_app.unit_of_work,
            MEMBER,
            name="x",
            as_of=AS_OF,
            options=rounds.RoundOptions(),
            now=NOW,
        )


def test_approval_staffs_the_projects_and_blocks_a_second_approval(org_app: Application) -> None:
    view = _run(org_app)
    approved = rounds.approve_round(org_app.unit_of_work, COUNCIL, "q4", now=NOW)
    assert approved.round.status is RoundStatus.APPROVED
    with org_app.unit_of_work() as uow:
        staffed = {a.project for a, _ in view.seats}
        assert all(uow.projects.get(p).status == "staffed" for p in staffed)  # type: ignore[union-attr]
        assert len(uow.rounds.allocations()) == len(view.seats)
    with pytest.raises(Conflict):
        rounds.approve_round(org_app.unit_of_work, COUNCIL, "q4", now=NOW)


def test_stale_version_approval_is_refused(org_app: Application) -> None:
    view = _run(org_app)
    with pytest.raises(Conflict):
        rounds.approve_round(
            org_app.unit_of_work,
            COUNCIL,
            "q4",
            now=NOW,
            expected_version=view.record.round.version - 1,
        )


def test_failed_certificate_blocks_approval(org_app: Application) -> None:
    _run(org_app)
    with org_app.engine.begin() as connection:
        connection.execute(
            text("UPDATE rounds SET certificate = :c"), {"c": '{"verdict": "failed"}'}
        )
    with pytest.raises(Conflict, match="certificate did not pass"):
        rounds.approve_round(org_app.unit_of_work, COUNCIL, "q4", now=NOW)


def test_override_replaces_the_seat_keeps_the_engine_pick_and_needs_a_reason(
    org_app: Application,
) -> None:
    view = _run(org_app)
    seat, _ = view.seats[0]
    with pytest.raises(InvalidInput):
        rounds.override_seat(
            org_app.unit_of_work,
            COUNCIL,
            "q4",
            role=seat.role,
            person=PersonId("p00001"),
            reason=" ",
            now=NOW,
        )
    done = rounds.override_seat(
        org_app.unit_of_work,
        COUNCIL,
        "q4",
        role=RoleId(seat.role),
        person=PersonId("p00001"),
        reason="continuity with the partner team",
        now=NOW,
    )
    assert done.engine_person == seat.person
    after = rounds.show_round(org_app.unit_of_work, "q4")
    held = {(a.role, a.seat): (a.person, why) for a, why in after.seats}
    person, why = held[(seat.role, seat.seat)]
    assert person == "p00001" and why["override"]["reason"] == "continuity with the partner team"
    assert [o.new_person for o in after.overrides] == ["p00001"]


def test_a_round_that_fails_is_marked_failed_and_can_run_again(org_app: Application) -> None:
    created = rounds.create_round(
        org_app.unit_of_work, COUNCIL, name="q", as_of=AS_OF, options=rounds.RoundOptions(), now=NOW
    )

    def boom(stage: str, done: float) -> None:
        if stage == "solving":
            raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        rounds.run_round(org_app.unit_of_work, COUNCIL, created.id, now=lambda: NOW, report=boom)
    failed = rounds.show_round(org_app.unit_of_work, "q")
    assert failed.record.round.status is RoundStatus.FAILED and "worker lost" in (
        failed.record.error or ""
    )
    assert failed.seats == []
    rounds.run_round(org_app.unit_of_work, COUNCIL, created.id, now=lambda: NOW)
    assert rounds.show_round(org_app.unit_of_work, "q").record.round.status is RoundStatus.PROPOSED


def test_a_round_left_solving_by_a_dead_worker_is_failed_on_restart(org_app: Application) -> None:
    created = rounds.create_round(
        org_app.unit_of_work, COUNCIL, name="q", as_of=AS_OF, options=rounds.RoundOptions(), now=NOW
    )
    with org_app.engine.begin() as connection:
        connection.execute(text("UPDATE rounds SET status = 'solving'"))
    assert rounds.fail_interrupted_rounds(org_app.unit_of_work) == 1
    rounds.run_round(org_app.unit_of_work, COUNCIL, created.id, now=lambda: NOW)
    assert rounds.show_round(org_app.unit_of_work, "q").record.round.status is RoundStatus.PROPOSED


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE ledger SET actor = 'someone@else' WHERE sequence = 2",
        "DELETE FROM ledger WHERE sequence = 2",
        "UPDATE ledger SET sequence = 99 WHERE sequence = 1",
    ],
)
def test_ledger_detects_a_row_changed_directly_in_the_database(
    org_app: Application, tamper: str
) -> None:
    _run(org_app)
    rounds.approve_round(org_app.unit_of_work, COUNCIL, "q4", now=NOW)
    assert ledger.verify_ledger(org_app.unit_of_work).ok
    with org_app.engine.begin() as connection:
        connection.execute(text(tamper))
    verdict = ledger.verify_ledger(org_app.unit_of_work)
    assert not verdict.ok and verdict.first_bad_sequence is not None
