"""An API client over a small organisation with one account per access role.

``org_app``/``client`` are fresh for every test. ``api_world`` is one
organisation per database for a whole package run, with a planned and
approved round, a draft round and named targets, for the tests that only
need to read it or that write where nobody else looks (the authorisation
matrix, the resource tests).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mts.api import create_app
from mts.bootstrap import Application, bootstrap
from mts.cli.app import main
from mts.domain.accounts import AccessRole, User
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId
from mts.services import accounts, merit, projects, rounds
from mts.services.demo import store_organisation
from mts.settings import Settings
from mts.sim.organisation import generate_organisation

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ACCOUNTS = {
    "member": ("member@example.org", AccessRole.MEMBER, "p00002"),
    "lead": ("lead@example.org", AccessRole.LEAD, "p00003"),
    "council": ("council@example.org", AccessRole.COUNCIL, "p00004"),
    "admin": ("admin@example.org", AccessRole.ADMIN, None),
}


@pytest.fixture
def org_app(app: Application) -> Application:
    """The application over a 60-person synthetic organisation, with four accounts."""
    application = type(app)(
        settings=app.settings, engine=app.engine, unit_of_work=app.unit_of_work, clock=lambda: NOW
    )
    store_organisation(
        application.unit_of_work, generate_organisation(people=60, seed=5, as_of=date(2026, 11, 1))
    )
    for email, role, person in ACCOUNTS.values():
        accounts.create_user(
            application.unit_of_work,
            email=email,
            password=PASSWORD,
            role=role,
            person=PersonId(person) if person else None,
            now=NOW,
        )
    return application


@pytest.fixture
def client(org_app: Application) -> Iterator[TestClient]:
    """A test client of the API, logged in as nobody."""
    with TestClient(create_app(org_app), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def login(client: TestClient) -> Callable[[str], dict[str, str]]:
    """Bearer headers for one of the accounts: member, lead, council or admin."""

    def headers(who: str) -> dict[str, str]:
        email = ACCOUNTS[who][0]
        response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return headers


_ = Path

ROLES = ("anonymous", "member", "lead", "council", "admin")
"""Every access role the API knows, with nobody logged in first."""


@dataclass(frozen=True)
class ApiWorld:
    """A served organisation: a client, bearer headers per role, and named ids to aim at."""

    client: TestClient
    application: Application
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]

    def fresh_headers(self, role: str) -> dict[str, str]:
        """Bearer headers of a new token for ``role`` (to spend on a logout)."""
        if role == "anonymous":
            return {}
        body = {"email": ACCOUNTS[role][0], "password": PASSWORD}
        token = self.client.post("/api/auth/login", json=body).json()["token"]
        return {"Authorization": f"Bearer {token}"}


def create_database(admin_url: str, prefix: str) -> str:
    """A new, empty PostgreSQL database next to ``admin_url``'s; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database at ``url`` (connections and all)."""
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def world_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for a package-wide world, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('world') / 'mts.db'}"
        return
    url = create_database(request.getfixturevalue("postgres_url"), "mts_world")
    yield url
    drop_database(url)


def populate(application: Application) -> dict[str, str]:
    """The 60-person organisation, the four accounts, and the targets the tests aim at."""
    store_organisation(
        application.unit_of_work, generate_organisation(people=60, seed=5, as_of=date(2026, 11, 1))
    )
    users = {role: _account(application, role) for role in ACCOUNTS}
    member, lead, council = users["member"], users["lead"], users["council"]
    uow = application.unit_of_work
    ids = {"other_project": "proj0001", "other_role": "proj0001-r1"}
    ids["lead_project"] = _propose(application, lead, "The lead's own project")
    for role in ROLES:
        ids[f"scratch_{role}"] = _propose(application, member, f"Scratch for {role}")
    merit.take_snapshot(uow, as_of=date(2026, 11, 1), now=NOW)
    ids.update(_rounds(application, council))
    return ids


def _account(application: Application, role: str) -> User:
    email, access, person = ACCOUNTS[role]
    return accounts.create_user(
        application.unit_of_work,
        email=email,
        password=PASSWORD,
        role=access,
        person=PersonId(person) if person else None,
        now=NOW,
    )


def _propose(application: Application, actor: User, title: str) -> ProjectId:
    return projects.propose_project(
        application.unit_of_work, actor, title=title, summary="", today=NOW.date()
    ).id


def _rounds(application: Application, council: User) -> dict[str, str]:
    uow = application.unit_of_work
    options = rounds.RoundOptions(seed=3)
    approved = rounds.create_round(
        uow, council, name="approved", as_of=date(2026, 11, 1), options=options, now=NOW
    )
    rounds.run_round(uow, council, approved.id, now=lambda: NOW)
    rounds.approve_round(uow, council, approved.id, now=NOW)
    seat = rounds.show_round(uow, approved.id).seats[0][0]
    draft = rounds.create_round(
        uow, council, name="draft", as_of=date(2026, 11, 1), options=options, now=NOW
    )
    return {
        "approved_round": approved.id,
        "approved_name": approved.name,
        "seat_role": seat.role,
        "seat_person": seat.person,
        "draft_round": draft.id,
    }


@pytest.fixture(scope="package")
def api_world(world_url: str) -> Iterator[ApiWorld]:
    """One organisation per database for the package, served by one test client."""
    application = bootstrap(Settings(database_url=world_url), clock=lambda: NOW)
    application.upgrade_schema()
    ids = populate(application)
    with TestClient(create_app(application), raise_server_exceptions=False) as client:
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        world = ApiWorld(client, application, headers, ids)
        headers.update({role: world.fresh_headers(role) for role in ACCOUNTS})
        yield world
    application.engine.dispose()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``mts ARGS`` in-process on a fresh SQLite file; (exit code, stdout, stderr)."""
    monkeypatch.setenv("MTS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
