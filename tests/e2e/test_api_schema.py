"""schemathesis over the whole OpenAPI: no server errors and no answer outside the schema.

The app is served by uvicorn on 127.0.0.1 (a free port) over a 30-person
organisation with a planned round and a merit snapshot, and fuzzed twice:
as an admin who is also a member (every route lets them through, so every
code path behind the checks is reached) and as a plain member (the paths
that filter what a member may see). Each operation gets a few valid and a
few invalid requests, derandomised, so the run is bounded and the same every
time; the checks are the server-error check and the three conformance
checks: status code, content type, body. Every failure is reported at once.

schemathesis's own pytest plugin (``from_fixture``) does not run under
pytest 9, so the operations' strategies are driven by hypothesis directly.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from e2e.conftest import NOW, PASSWORD, create_database, drop_database
from mts.api import create_app
from mts.bootstrap import Application, bootstrap
from mts.domain.accounts import AccessRole
from mts.domain.people import PersonId
from mts.services import accounts, merit, rounds
from mts.services.demo import store_organisation
from mts.settings import Settings
from mts.sim.organisation import generate_organisation

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_ACCOUNTS = {
    "admin": ("fuzz-admin@example.org", AccessRole.ADMIN, "p00004"),
    "member": ("fuzz-member@example.org", AccessRole.MEMBER, "p00002"),
}
# MTS_FUZZ_EXAMPLES=200 MTS_FUZZ_RANDOM=1 digs deeper by hand; make test keeps it small and fixed.
BOUNDED = settings(
    max_examples=int(os.environ.get("MTS_FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=os.environ.get("MTS_FUZZ_RANDOM") != "1",
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class LiveApi:
    """Where the fuzzed API listens, and how to log in to it."""

    url: str
    openapi: dict[str, Any]
    tokens: dict[str, str]

    def headers(self, who: str, *, fresh: bool = False) -> dict[str, str]:
        """Bearer headers for ``who``; ``fresh`` spends a new token (for logging out)."""
        token = _log_in(self.url, who) if fresh else self.tokens[who]
        return {"Authorization": f"Bearer {token}"}


def _log_in(url: str, who: str) -> str:
    body = {"email": FUZZ_ACCOUNTS[who][0], "password": PASSWORD}
    response = httpx.post(f"{url}/api/auth/login", json=body, timeout=30)
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def _populate(application: Application) -> None:
    as_of = date(2026, 11, 1)
    store_organisation(
        application.unit_of_work, generate_organisation(people=30, seed=11, as_of=as_of)
    )
    users = {
        who: accounts.create_user(
            application.unit_of_work,
            email=email,
            password=PASSWORD,
            role=role,
            person=PersonId(person),
            now=NOW,
        )
        for who, (email, role, person) in FUZZ_ACCOUNTS.items()
    }
    merit.take_snapshot(application.unit_of_work, as_of=as_of, now=NOW)
    planned = rounds.create_round(
        application.unit_of_work,
        users["admin"],
        name="planned",
        as_of=as_of,
        options=rounds.RoundOptions(seed=1),
        now=NOW,
    )
    rounds.run_round(application.unit_of_work, users["admin"], planned.id, now=lambda: NOW)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the fuzzed app, on each backend in turn."""
    if request.param == "sqlite":
        database: Path = tmp_path_factory.mktemp("fuzz") / "mts.db"
        yield f"sqlite:///{database}"
        return
    url = create_database(request.getfixturevalue("postgres_url"), "mts_fuzz")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def live_api(fuzz_url: str) -> Iterator[LiveApi]:
    """The API over a fresh organisation, served on loopback for this module."""
    # The fuzzer fails logins by the dozen; the throttle must not lock out the test's own.
    settings = Settings(database_url=fuzz_url, login_attempts_per_minute=10_000)
    application = bootstrap(settings, clock=lambda: NOW)
    application.upgrade_schema()
    _populate(application)
    app = create_app(application)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="mts-fuzz", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the API server did not start"
    url = f"http://127.0.0.1:{port}"
    yield LiveApi(url, app.openapi(), {who: _log_in(url, who) for who in FUZZ_ACCOUNTS})
    server.should_exit = True
    thread.join(timeout=60)
    application.engine.dispose()


def _call(case: schemathesis.Case, live_api: LiveApi, who: str) -> None:
    # A logout would end the shared token, so each one spends a token of its own.
    fresh = case.operation.path == "/api/auth/logout"
    case.call_and_validate(
        base_url=live_api.url, headers=live_api.headers(who, fresh=fresh), checks=CHECKS
    )


def _fuzz(live_api: LiveApi, who: str) -> tuple[int, list[str]]:
    """Fuzz every operation in both modes as ``who``; how many runs, and what failed."""
    api = schemathesis.openapi.from_dict(live_api.openapi)
    runs, failures = 0, []
    for result in api.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                _call(case, live_api, who)

            try:
                run()
            except Exception as error:  # each failure is collected, so all are reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
            runs += 1
    return runs, failures


def test_fuzzed_as_an_admin_who_is_a_member(live_api: LiveApi) -> None:
    runs, failures = _fuzz(live_api, "admin")
    assert runs == 2 * sum(len(ops) for ops in live_api.openapi["paths"].values())
    assert not failures, "\n\n".join(failures)


# The member's paths differ only in what they filter, not in what the database is asked to
# store, so they are fuzzed on SQLite alone; the admin's run covers PostgreSQL.
@pytest.mark.parametrize("fuzz_url", ["sqlite"], indirect=True)
def test_fuzzed_as_a_member(live_api: LiveApi) -> None:
    _, failures = _fuzz(live_api, "member")
    assert not failures, "\n\n".join(failures)
