"""A live mts server and Debian's Chromium driven by Playwright, for the browser tests.

The server runs uvicorn on 127.0.0.1 and a free port, in a background
thread, over a temporary SQLite database holding a 120-person demo
organisation with member, lead and council logins. Chromium is the system's
(``/usr/bin/chromium``); Playwright never downloads a browser. Without it the
tests skip locally and fail under ``CI=true``.

With ``MTS_SCREENSHOTS=1`` the tests save each main page to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from mts.bootstrap import Application, bootstrap
from mts.services import demo, rounds
from mts.services.demo import DemoLogin
from mts.settings import Settings
from mts.sim.organisation import generate_organisation
from mts.web.app import create_web_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SEEDED_ROUND = "seeded round"


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    """Where the app listens, what it serves, and the demo logins by access role."""

    url: str
    application: Application
    logins: dict[str, DemoLogin]


def _seed_round(application: Application) -> None:
    """A proposed round, run before any test approves one, so it has seats to override
    and a merit snapshot for the person pages, whatever order the tests run in."""
    with application.unit_of_work() as uow:
        council = next(u for u in uow.users.list() if u.is_council)
    created = rounds.create_round(
        application.unit_of_work,
        council,
        name=SEEDED_ROUND,
        as_of=AS_OF,
        options=rounds.RoundOptions(seed=1),
        now=NOW,
    )
    rounds.run_round(application.unit_of_work, council, created.id, now=application.clock)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """mts over a fresh 120-person demo organisation, served until the session ends."""
    database = tmp_path_factory.mktemp("browser") / "mts.db"
    application = bootstrap(Settings(database_url=f"sqlite:///{database}"), clock=lambda: NOW)
    application.upgrade_schema()
    org = generate_organisation(people=120, seed=7, as_of=AS_OF)
    demo.store_organisation(application.unit_of_work, org)
    logins = {x.role: x for x in demo.create_demo_logins(application.unit_of_work, org, now=NOW)}
    _seed_round(application)
    port = _free_port()
    config = uvicorn.Config(create_web_app(application), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="mts-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the web server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", application, logins)
    server.should_exit = True
    thread.join(timeout=30)
    application.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright (headless, no sandbox, no network extras)."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing; install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser tab (no cookies) at a laptop's size; fails on any console error."""
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 1366, "height": 900})  # fmt: skip
    tab = context.new_page()
    errors: list[str] = []
    # Pages may answer 403 or 422 on purpose; scripts, styles and fetches never should fail.
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}") if _failed_asset(r) else None)
    tab.on("console", lambda m: errors.append(m.text) if _script_error(m) else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


def _failed_asset(response: Response) -> bool:
    return response.status >= 400 and response.request.resource_type != "document"


def _script_error(message: ConsoleMessage) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def page_without_scripts(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A tab with JavaScript turned off, logged in as the member through the plain form."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    login = live_server.logins["member"]
    tab.goto("/login")
    tab.get_by_label("Email").fill(login.email)
    tab.get_by_label("Password").fill(login.password)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(f"{live_server.url}/")
    yield tab
    context.close()


@pytest.fixture
def log_in(page: Page, live_server: LiveServer) -> Callable[[str], None]:
    """Log in through the form as ``member``, ``lead`` or ``council``."""

    def as_(who: str) -> None:
        login = live_server.logins[who]
        page.goto("/login")
        page.get_by_label("Email").fill(login.email)
        page.get_by_label("Password").fill(login.password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return as_


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], None]:
    """Save the page as ``docs/screenshots/NAME.png`` when ``MTS_SCREENSHOTS=1``."""

    def save(name: str) -> None:
        if os.environ.get("MTS_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save
