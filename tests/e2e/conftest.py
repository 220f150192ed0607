"""An API client over a small organisation with one account per access role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mts.api import create_app
from mts.bootstrap import Application
from mts.domain.accounts import AccessRole
from mts.domain.people import PersonId
from mts.services import accounts
from mts.services.demo import store_organisation
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
