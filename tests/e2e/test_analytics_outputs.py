"""The analytics outputs end to end on a demo organisation with an approved round.

The CLI commands (``analytics composition|attrition|flow``, ``report --html``)
and the API routes are mounted here on their own, so these tests do not
depend on where the root CLI and the API register them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient

from mts.api import create_app
from mts.api.routes.analytics import router as analytics_router
from mts.bootstrap import Application
from mts.cli.analytics import analytics_app, report
from mts.cli.operator import OPERATOR
from mts.domain.accounts import AccessRole, User
from mts.domain.errors import MtsError, PermissionDenied
from mts.domain.people import PersonId
from mts.domain.staffing import Assignment
from mts.services import accounts, analytics, rounds
from mts.services.demo import store_organisation
from mts.sim.organisation import SyntheticOrganisation, generate_organisation

ROUND_DAY = date(2026, 11, 1)
AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Demo:
    """The stored organisation and the seats its approved round gave."""

    application: Application
    org: SyntheticOrganisation
    seats: tuple[Assignment, ...]


@pytest.fixture
def demo(app: Application) -> Demo:
    """A 60-person synthetic organisation with one round, run and approved by the operator."""
    application = dataclasses.replace(app, clock=lambda: NOW)
    uow = application.unit_of_work
    org = generate_organisation(people=60, seed=5, as_of=ROUND_DAY)
    store_organisation(uow, org)
    options = rounds.RoundOptions(seed=3, certificate_permutations=1)  # one is enough here
    made = rounds.create_round(uow, OPERATOR, name="q4", as_of=ROUND_DAY, options=options, now=NOW)
    rounds.run_round(uow, OPERATOR, made.id, now=lambda: NOW)
    rounds.approve_round(uow, OPERATOR, made.id, now=NOW)
    seats = tuple(a for a, _ in rounds.show_round(uow, made.id).seats)
    return Demo(application, org, seats)


def _account(application: Application, email: str, role: AccessRole, person: str | None) -> User:
    return accounts.create_user(
        application.unit_of_work,
        email=email,
        password=PASSWORD,
        role=role,
        person=PersonId(person) if person else None,
        now=NOW,
    )


@pytest.fixture
def cli(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., tuple[int, str]]:
    """Run a command of the analytics CLI against the demo's database; (exit code, stdout)."""
    monkeypatch.setenv("MTS_DATABASE_URL", demo.application.settings.database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env file changes the settings
    root = typer.Typer()
    root.add_typer(analytics_app, name="analytics")
    root.command("report")(report)

    def run(*args: str) -> tuple[int, str]:
        try:
            root(args=list(args), prog_name="mts")
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        return code, capsys.readouterr().out

    return run


def _json(cli: Callable[..., tuple[int, str]], command: str) -> dict[str, Any]:
    code, out = cli("analytics", command, "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0, out
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def _departures(org: SyntheticOrganisation) -> int:
    return sum(1 for p in org.people for s in p.periods if s.end is not None and s.end <= AS_OF)


def test_analytics_commands_print_the_demo_organisations_known_numbers(
    demo: Demo, cli: Callable[..., tuple[int, str]]
) -> None:
    on_staff = {p.id for p in demo.org.people if p.is_active(AS_OF)}
    composition = _json(cli, "composition")
    assert composition["as_of"] == AS_OF.isoformat()
    assert composition["headcount"] == len(on_staff)
    assert composition["belonging"]["allocated"] == len({a.person for a in demo.seats} & on_staff)
    assert composition["staffed_projects"] == len({a.project for a in demo.seats})
    # The round's merit snapshot was read: the evidence-based newcomer count exists.
    assert composition["newcomers"]["by_evidence"] is not None

    attrition = _json(cli, "attrition")
    assert attrition["departures"]["total"] == _departures(demo.org) > 0
    assert attrition["signals"]["allocated_now"] == composition["belonging"]["allocated"]

    flow = _json(cli, "flow")
    returned = [p for p in demo.org.people if p.is_boomerang]
    assert [b["person"] for b in flow["boomerangs"]["people"]] == [p.id for p in returned]
    for boomerang, person in zip(flow["boomerangs"]["people"], returned, strict=True):
        evidence = [e for e in demo.org.evidence if e.person == person.id and e.day <= AS_OF]
        since = sum(e.day >= person.joined for e in evidence)
        assert boomerang["evidence_since_return"]["items"] == since > 0
        assert boomerang["evidence_before_return"]["items"] == len(evidence) - since


def test_analytics_commands_without_json_print_readable_tables(
    demo: Demo, cli: Callable[..., tuple[int, str]]
) -> None:
    headcount = sum(p.is_active(AS_OF) for p in demo.org.people)
    code, out = cli("analytics", "composition", "--as-of", AS_OF.isoformat())
    assert code == 0 and f"Composition on {AS_OF.isoformat()}" in out
    assert re.search(rf"on staff\s*│\s*{headcount}\s", out)
    code, out = cli("analytics", "attrition", "--as-of", AS_OF.isoformat())
    assert code == 0 and re.search(rf"departures\s*│\s*{_departures(demo.org)}\s", out)
    code, out = cli("analytics", "flow", "--as-of", AS_OF.isoformat())
    boomerangs = sum(p.is_boomerang for p in demo.org.people)
    assert code == 0 and "Talent exported" in out and f"Boomerangs: {boomerangs} " in out
    assert not out.lstrip().startswith("{")


def _charts(html: str) -> dict[str, dict[str, Any]]:
    blocks = re.findall(
        r'<script type="application/json" id="chart-data-(\w+)">(.*?)</script>', html
    )
    return {name: json.loads(text) for name, text in blocks}


def _outside_licence_comments(html: str) -> str:
    # Vendored Chart.js keeps its licence banners (/*! ... */), which name its home pages.
    return re.sub(r"/\*!.*?\*/", "", html, flags=re.DOTALL)


def test_html_report_is_self_contained_and_holds_the_charts_data(
    demo: Demo, cli: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    code, _ = cli("report", "--html", str(target), "--as-of", AS_OF.isoformat())
    assert code == 0 and target.is_file()
    html = target.read_text(encoding="utf-8")
    composition, attrition = _json(cli, "composition"), _json(cli, "attrition")

    charts = _charts(html)
    assert {"departments", "tenure", "departures", "retention_lead", "lending"} <= set(charts)
    departments = charts["departments"]["data"]
    assert departments["labels"] == [d["name"] for d in composition["departments"]]
    assert departments["datasets"][0]["data"] == [d["people"] for d in composition["departments"]]
    periods = attrition["departures"]["periods"]
    assert charts["departures"]["data"]["datasets"][0]["data"] == [p["departures"] for p in periods]

    assert "Chart.js v4" in html and "new Chart(" in html  # the library and the drawing, inlined
    assert re.search(r"""\b(src|href)\s*=|@import|url\(""", html) is None
    assert re.search(r"https?://", _outside_licence_comments(html)) is None
    with pytest.raises(MtsError, match=r"cannot write the report to .*missing"):
        cli("report", "--html", str(tmp_path / "missing" / "report.html"))


@dataclass(frozen=True)
class Api:
    """A client of the API with the analytics routes, and a council and a member account."""

    client: TestClient
    council: User
    member: User

    def bearer(self, user: User) -> dict[str, str]:
        """Headers carrying a new token of ``user``."""
        body = {"email": user.email, "password": PASSWORD}
        response = self.client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def api(demo: Demo) -> Iterator[Api]:
    """The API with the analytics routes mounted as the application will mount them."""
    council = _account(demo.application, "council@example.org", AccessRole.COUNCIL, None)
    member_id = demo.org.people[1].id
    member = _account(demo.application, "member@example.org", AccessRole.MEMBER, member_id)
    served = create_app(demo.application)
    served.include_router(analytics_router, prefix="/api")
    with TestClient(served, raise_server_exceptions=False) as client:
        yield Api(client, council, member)


def test_api_serves_the_reports_to_the_council_and_refuses_a_member(demo: Demo, api: Api) -> None:
    council, member = api.bearer(api.council), api.bearer(api.member)
    uow, day = demo.application.unit_of_work, {"as_of": AS_OF.isoformat()}
    expected = {
        "composition": analytics.composition(uow, api.council, as_of=AS_OF).to_dict(),
        "attrition": analytics.attrition(uow, api.council, as_of=AS_OF).to_dict(),
        "flow": analytics.flow(uow, api.council, as_of=AS_OF).to_dict(),
    }
    get = api.client.get
    for name, body in expected.items():
        response = get(f"/api/analytics/{name}", params=day, headers=council)
        assert response.status_code == 200, response.text
        assert response.json() == json.loads(json.dumps(body))
        assert get(f"/api/analytics/{name}", params=day, headers=member).status_code == 403
        assert get(f"/api/analytics/{name}", params=day).status_code == 401
    today = get("/api/analytics/composition", headers=council).json()
    assert today["as_of"] == NOW.date().isoformat()
    far = get("/api/analytics/flow", params={"as_of": "3000-01-01"}, headers=council)
    assert far.status_code == 422
    with pytest.raises(PermissionDenied):
        analytics.flow(uow, api.member, as_of=AS_OF)
