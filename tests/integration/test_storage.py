"""Repositories, the unit of work and migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from factories import department, evidence, person, project, role
from mts.bootstrap import Application, bootstrap
from mts.domain.people import Period, Skill
from mts.domain.projects import Groundwork, Interest, ProjectStatus
from mts.domain.protected import ProtectedProfile
from mts.settings import Settings
from mts.storage import migrate
from mts.storage.tables import Base


def _seed(app: Application) -> None:
    with app.unit_of_work() as uow:
        uow.departments.put(department())
        uow.people.put(person("p1"))
        uow.people.put(person("p2"))
        uow.projects.put(project())
        uow.roles.put(role())
        uow.commit()


def test_every_kind_round_trips_through_its_repository(app: Application) -> None:
    _seed(app)
    returning = person("p3")
    returning = type(returning)(
        **{s: getattr(returning, s) for s in returning.__slots__},  # type: ignore[attr-defined]
    )
    profile = ProtectedProfile(person=returning.id, level=4, tenure_start=date(2020, 1, 1))
    interest = Interest(person=returning.id, project=project().id, role=role().id, rank=1)
    groundwork = Groundwork(project=project().id, person=returning.id, day=date(2026, 1, 5))
    with app.unit_of_work() as uow:
        uow.people.put(returning)
        uow.protected.put(profile)
        assert uow.evidence.add_new([evidence(), evidence("p2", reviewer="p1")]) == 2
        assert uow.interests.put(interest) is True
        assert uow.groundwork.put(groundwork) is True
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.people.get(returning.id) == returning
        assert uow.protected.get(returning.id) == profile
        assert uow.projects.get(project().id) == project()
        assert uow.roles.for_project(project().id) == [role()]
        assert uow.evidence.list(person=evidence().person) == [evidence()]
        assert uow.interests.list() == [interest]
        assert uow.groundwork.list(project=project().id) == [groundwork]


def test_people_keep_skills_and_earlier_periods(app: Application) -> None:
    _seed(app)
    base = person("p9")
    fields = {s: getattr(base, s) for s in base.__slots__}  # type: ignore[attr-defined]
    fields["skills"] = (Skill("rl"), Skill("evaluation"))
    fields["earlier_periods"] = (Period(start=date(2018, 1, 1), end=date(2020, 2, 1)),)
    boomerang = type(base)(**fields)
    with app.unit_of_work() as uow:
        uow.people.put(boomerang)
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.people.get(base.id) == boomerang


def test_unit_of_work_without_commit_writes_nothing(app: Application) -> None:
    with app.unit_of_work() as uow:
        uow.departments.put(department())
    with app.unit_of_work() as uow:
        assert uow.departments.count() == 0


def test_adding_the_same_evidence_twice_stores_it_once(app: Application) -> None:
    _seed(app)
    with app.unit_of_work() as uow:
        assert uow.evidence.add_new([evidence()]) == 1
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.evidence.add_new([evidence(), evidence(item="w2")]) == 1
        uow.commit()
        assert uow.evidence.count() == 2


def test_evidence_up_to_a_day_is_read_and_counted_in_the_database(app: Application) -> None:
    _seed(app)
    early, late = evidence(item="early"), replace(evidence(item="late"), day=date(2026, 9, 1))
    with app.unit_of_work() as uow:
        uow.evidence.add_new([late, early])
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.evidence.list(until=date(2026, 8, 31)) == [early]
        assert uow.evidence.count(until=date(2026, 8, 31)) == 1
        assert uow.evidence.list(until=date(2026, 9, 1)) == [early, late]
        assert uow.evidence.count(until=date(2026, 9, 1)) == 2


def test_put_replaces_the_stored_value(app: Application) -> None:
    _seed(app)
    opened = project().moved_to(ProjectStatus.OPEN)
    with app.unit_of_work() as uow:
        uow.projects.put(opened)
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.projects.get(opened.id) == opened and uow.projects.count() == 1


def test_migrations_build_exactly_the_declared_schema(database_url: str) -> None:
    application = bootstrap(Settings(database_url=database_url))
    assert not application.is_schema_current()
    application.upgrade_schema()
    assert application.is_schema_current()
    with application.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    migrate.downgrade(application.engine)
    assert set(inspect(application.engine).get_table_names()) <= {"alembic_version"}
    application.engine.dispose()
