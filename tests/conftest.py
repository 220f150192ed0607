"""Fixtures shared by every test: databases on SQLite and PostgreSQL, and the application.

PostgreSQL tests use ``MTS_TEST_POSTGRES_URL`` (default: the local ``test``
database). Each test run creates its own database and drops it at the end.
Locally they skip with a message when no server answers; under ``CI=true``
that is a failure instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mts.bootstrap import Application, bootstrap
from mts.settings import Settings
from mts.storage.tables import Base

POSTGRES_URL = os.environ.get(
    "MTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"mts_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server means "no PostgreSQL"
        admin.dispose()
        _skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(error).__name__}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _postgres_application(postgres_url: str) -> Iterator[Application]:
    application = bootstrap(Settings(database_url=postgres_url))
    application.upgrade_schema()
    yield application
    application.engine.dispose()


def _empty_postgres(application: Application) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with application.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, unmigrated database, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mts.db'}"
    postgres = request.getfixturevalue("postgres_url")
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"mts_m_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    request.addfinalizer(lambda: _drop_database(postgres, name))
    return make_url(postgres).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Application]:
    """A migrated, empty application on each backend in turn."""
    if request.param == "sqlite":
        application = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'mts.db'}"))
        application.upgrade_schema()
        yield application
        application.engine.dispose()
        return
    application = request.getfixturevalue("_postgres_application")
    _empty_postgres(application)
    yield application
