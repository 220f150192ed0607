"""The web UI end to end through its pages, on SQLite and PostgreSQL.

Logged in as each access role of ``tests/e2e/conftest.py`` (member p00002,
lead p00003, council p00004), through forms with their CSRF tokens, as a
browser would post them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from mts.bootstrap import Application
from mts.web.app import create_web_app

PASSWORD = "correct horse battery"
EMAILS = {
    "member": "member@example.org",
    "lead": "lead@example.org",
    "council": "council@example.org",
}
LogIn = Callable[[str], str]


@pytest.fixture
def web(org_app: Application) -> Iterator[TestClient]:
    """A browser-like client of the web app, logged in as nobody."""
    with TestClient(create_web_app(org_app), raise_server_exceptions=False) as client:
        yield client


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def log_in(web: TestClient) -> LogIn:
    """Log in through the login form as member, lead or council; returns the session's CSRF."""

    def as_(who: str) -> str:
        web.cookies.clear()
        form = _token(web.get("/login").text)
        data = {"email": EMAILS[who], "password": PASSWORD, "csrf": form, "next": "/"}
        done = web.post("/login", data=data, follow_redirects=False)
        assert done.status_code == 303, done.text
        return _token(web.get("/").text)

    return as_


def _wait_for_plan(web: TestClient, round_url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fragment = web.get(f"{round_url}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        if fragment.headers.get("HX-Refresh") == "true":
            return
        time.sleep(0.05)
    raise AssertionError("the round did not finish")


def _start_round(web: TestClient, csrf: str, name: str = "q4") -> str:
    started = web.post("/rounds", data={"csrf": csrf, "name": name, "seed": "3"},
                       follow_redirects=False)  # fmt: skip
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    _wait_for_plan(web, url)
    return url


def _first_seat(html: str) -> tuple[str, str]:
    role = re.search(r'name="role" value="([^"]+)"', html)
    seat = re.search(r'name="seat" value="([^"]+)"', html)
    assert role and seat
    return role.group(1), seat.group(1)


# -- logging in ------------------------------------------------------------------------


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(web: TestClient) -> None:
    response = web.get("/workload?department=safety", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fworkload%3Fdepartment%3Dsafety"
    htmx = web.get("/workload", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"].startswith("/login")


def test_a_wrong_password_shows_an_error_and_starts_no_session(web: TestClient) -> None:
    form = _token(web.get("/login").text)
    data = {"email": EMAILS["member"], "password": "nope", "csrf": form}
    response = web.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 401 and "Wrong email or password" in response.text
    assert "mts_session" not in response.cookies
    assert web.get("/", follow_redirects=False).status_code == 303


def test_a_login_without_its_form_token_is_refused(web: TestClient) -> None:
    web.get("/login")
    data = {"email": EMAILS["member"], "password": PASSWORD, "csrf": "forged"}
    response = web.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 400 and "mts_session" not in response.cookies


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(web: TestClient) -> None:
    for asked, landing in (("/workload", "/workload"), ("//evil.example", "/"),
                           ("https://evil.example", "/")):  # fmt: skip
        web.cookies.clear()
        form = _token(web.get("/login").text)
        data = {"email": EMAILS["member"], "password": PASSWORD, "csrf": form, "next": asked}
        assert web.post("/login", data=data, follow_redirects=False).headers["location"] == landing


def test_logging_out_ends_the_session(web: TestClient, log_in: LogIn) -> None:
    csrf = log_in("member")
    assert web.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert web.get("/", follow_redirects=False).headers["location"].startswith("/login")


# -- the board and projects ---------------------------------------------------------------


def test_a_member_proposes_a_project_and_lands_on_its_page_with_the_groundwork(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("member")
    data = {"csrf": csrf, "title": "Tiny evals", "summary": "Evals that fit on a laptop."}
    created = web.post("/projects", data=data, follow_redirects=False)
    assert created.status_code == 303
    page = web.get(created.headers["location"])
    assert page.status_code == 200 and "Tiny evals" in page.text
    assert "credited with its groundwork" in page.text
    assert 'href="/people/p00002"' in page.text and "Add a role" in page.text


def test_a_write_without_the_csrf_token_is_refused_and_writes_nothing(
    web: TestClient, log_in: LogIn
) -> None:
    log_in("member")
    refused = web.post("/projects", data={"title": "Sneaky"}, follow_redirects=False)
    assert refused.status_code == 403 and "security token" in refused.text
    assert "Sneaky" not in web.get("/?status=all").text


def test_a_project_without_a_title_is_refused_on_the_board(web: TestClient, log_in: LogIn) -> None:
    csrf = log_in("member")
    response = web.post("/projects", data={"csrf": csrf, "title": "  ", "summary": "kept"})
    assert response.status_code == 422
    assert (
        'role="alert">a project needs a title' in response.text
        and ">kept</textarea>" in response.text
    )


def test_the_board_filters_projects_by_skill_and_department(web: TestClient, log_in: LogIn) -> None:
    log_in("member")
    everything = web.get("/?status=all").text
    choices = everything.split('id="f-skill"')[1].split("</select>")[0]
    skill = re.findall(r'<option value="([a-z-]+)">', choices)[0]
    filtered = web.get(f"/?status=all&skill={skill}").text
    assert f"needing <strong>{skill}</strong>" in filtered
    assert 0 < _count(filtered) <= _count(everything)
    assert filtered.count('class="card project-card"') == min(_count(filtered), 20)
    nobody = web.get("/?status=all&department=no-such-department").text
    assert "No projects match these filters" in nobody


def test_a_member_states_interest_in_a_role_in_place(web: TestClient, log_in: LogIn) -> None:
    csrf = log_in("member")
    board = web.get("/").text
    form = re.search(r'action="(/projects/[^"]+/interest)".*?name="role" value="([^"]+)"', board,
                     re.S)  # fmt: skip
    assert form
    done = web.post(form.group(1), data={"csrf": csrf, "role": form.group(2)},
                    headers={"HX-Request": "true"})  # fmt: skip
    assert done.status_code == 200 and "Interested · choice 1" in done.text
    assert "<html" not in done.text
    assert '<span class="badge ok">Interested</span>' in web.get("/").text


def test_the_proposer_adds_a_role_with_skill_needs_and_others_may_not(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("lead")
    created = web.post("/projects", data={"csrf": csrf, "title": "Lead's idea"},
                       follow_redirects=False)  # fmt: skip
    url = created.headers["location"].split("?")[0]
    role = {"csrf": csrf, "title": "Evaluator", "kind": "member", "headcount": "2",
            "fte": "0.5", "skill": ["evaluation", "rl", ""], "weight": ["2", "", ""]}  # fmt: skip
    added = web.post(f"{url}/roles", data=role, follow_redirects=False)
    assert added.status_code == 303
    page = web.get(url).text
    assert "Evaluator" in page and "2 \u00d7 0.5 FTE" in page and "evaluation" in page
    assert '<span class="weight">\u00d72</span>' in page
    other = log_in("member")
    assert "Add a role" not in web.get(url).text
    refused = web.post(f"{url}/roles", data={**role, "csrf": other})
    assert refused.status_code == 403 and "Traceback" not in refused.text


def test_a_role_without_any_skill_is_refused_with_the_form_kept(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("lead")
    url = web.post("/projects", data={"csrf": csrf, "title": "Skills?"},
                   follow_redirects=False).headers["location"].split("?")[0]  # fmt: skip
    response = web.post(f"{url}/roles", data={"csrf": csrf, "title": "Generalist", "skill": [""]})
    assert response.status_code == 422
    assert (
        "a role needs at least one skill" in response.text and 'value="Generalist"' in response.text
    )


# -- who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "lead"])
def test_members_and_leads_cannot_reach_rounds_audit_or_analytics(
    web: TestClient, log_in: LogIn, who: str
) -> None:
    csrf = log_in(who)
    for path in ("/rounds", "/rounds/anything", "/audit", "/analytics"):
        page = web.get(path)
        assert page.status_code == 403 and "Not allowed" in page.text, path
    assert web.post("/rounds", data={"csrf": csrf, "name": "x"}).status_code == 403
    assert 'href="/rounds"' not in web.get("/").text


def test_errors_are_friendly_pages_while_the_api_keeps_problem_json(
    web: TestClient, log_in: LogIn
) -> None:
    log_in("member")
    missing = web.get("/projects/no-such-project")
    assert missing.status_code == 404 and "No project with id" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert "Traceback" not in missing.text and "sqlalchemy" not in missing.text.lower()
    assert web.get("/no/such/page").status_code == 404
    api = web.get("/api/projects/no-such-project")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_pages_carry_a_strict_content_security_policy(web: TestClient, log_in: LogIn) -> None:
    log_in("member")
    headers = web.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_the_vendored_scripts_are_served_locally(web: TestClient) -> None:
    for name in ("htmx.min.js", "chart.umd.min.js", "mts.js", "mts.css"):
        assert web.get(f"/static/{name}").status_code == 200, name


# -- rounds, merit, workload ----------------------------------------------------------------


def test_the_council_runs_a_round_reviews_a_seat_and_approves(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("council")
    url = _start_round(web, csrf)
    page = web.get(url).text
    assert "✓ certificate passed" in page and "Approve this plan" in page
    assert "Value breakdown" in page and "Runner-up" in page and "Binding constraint" in page
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    approved = web.post(f"{url}/approve", data={"csrf": csrf, "version": version.group(1)})
    assert approved.status_code == 200 and "The plan is approved" in approved.text
    again = web.post(f"{url}/approve", data={"csrf": csrf, "version": version.group(1)})
    assert again.status_code == 409 and "not proposed" in again.text
    assert "✓ intact" in web.get("/audit").text


def test_an_override_needs_a_written_reason(web: TestClient, log_in: LogIn) -> None:
    csrf = log_in("council")
    url = _start_round(web, csrf)
    role, seat = _first_seat(web.get(url).text)
    body = {"csrf": csrf, "role": role, "seat": seat, "person": "p00001", "reason": "   "}
    refused = web.post(f"{url}/overrides", data=body)
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "An override needs a written reason" in refused.text
    assert "overridden</span>" not in refused.text
    body["reason"] = "continuity with the vendor"
    done = web.post(f"{url}/overrides", data=body)
    assert done.status_code == 200 and "continuity with the vendor" in done.text
    assert "overrides checked" not in done.text
    assert "1 override checked" in web.get("/audit").text


def test_people_see_their_own_merit_and_decisions_and_nobody_elses(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("council")
    url = _start_round(web, csrf)
    web.post(f"{url}/approve", data={"csrf": csrf})
    log_in("member")
    mine = web.get("/me")
    assert mine.status_code == 200 and "Your merit" in mine.text
    assert 'data-chart="chart-data-merit"' in mine.text and "90% interval" in mine.text
    assert "general execution" in mine.text
    other = web.get("/people/p00003").text
    assert "shown only to" in other and "chart-data-merit" not in other


def test_workload_shows_fte_from_approved_rounds_and_highlights_over_allocation(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("council")
    url = _start_round(web, csrf)
    web.post(f"{url}/approve", data={"csrf": csrf})
    page = web.get(url).text
    holder = re.search(r'<p class="seat-holder"><a href="/people/(p\d+)"', page)
    roles = re.findall(r'name="role" value="([^"]+)"', page)
    assert holder and roles
    body = {"csrf": csrf, "role": roles[-1], "seat": "0", "person": holder.group(1),
            "reason": "needs both"}  # fmt: skip
    assert web.post(f"{url}/overrides", data=body).status_code == 200
    workload = web.get("/workload?over=true").text
    assert 'class="over-row"' in workload and f'href="/people/{holder.group(1)}"' in workload


def test_no_page_speaks_of_rank_and_only_audit_and_analytics_speak_of_levels(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("council")
    url = _start_round(web, csrf)
    pages = [
        "/",
        "/?status=all",
        "/projects/proj0001",
        "/people/p00002",
        "/workload",
        "/rounds",
        url,
    ]
    for path in [*pages, "/audit", "/analytics"]:
        text = web.get(path).text.lower()
        assert "junior" not in text and "senior" not in text, path
    for path in pages:
        assert not re.search(r"\blevels?\b", _visible(web.get(path).text)), path


def _count(board: str) -> int:
    found = re.search(r'<p class="result-count">(\d+) project', board)
    assert found
    return int(found.group(1))


def _visible(html: str) -> str:
    """The page's text without its tags and scripts, lower-cased."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html).lower()


def test_parity_loads_on_its_own_and_kept_reports_are_still_council_only(
    web: TestClient, log_in: LogIn
) -> None:
    csrf = log_in("council")
    _start_round(web, csrf)
    audit = web.get("/audit").text
    assert 'hx-get="/audit/parity"' in audit and 'href="/audit/parity"' in audit
    fragment = web.get("/audit/parity", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Lead seats" in fragment.text and "merit predicts" in fragment.text
    page = web.get("/audit/parity").text
    assert "<html" in page and "Lead seats" in page
    assert web.get("/analytics").status_code == 200
    log_in("member")
    for path in ("/audit/parity", "/analytics"):
        assert web.get(path).status_code == 403, path


def _lead_project(web: TestClient, log_in: LogIn) -> str:
    """The lead proposes a project with one role, and the council opens it."""
    csrf = log_in("lead")
    created = web.post("/projects", data={"csrf": csrf, "title": "Lead's evals"},
                       follow_redirects=False)  # fmt: skip
    url = created.headers["location"].split("?")[0]
    role = {"csrf": csrf, "title": "Eval engineer", "kind": "member", "headcount": "2",
            "fte": "0.5", "skill": ["rl", ""], "weight": ["1", ""]}  # fmt: skip
    assert web.post(f"{url}/roles", data=role, follow_redirects=False).status_code == 303
    csrf = log_in("council")
    opened = web.post(f"/api{url}/status", json={"status": "open"},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert opened.status_code == 200, opened.text
    return url


def _ranking_rows(html: str) -> list[tuple[int, str, float]]:
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td><td><a href="/people/([^"]+)">.*?</a></td>'
        r'<td class="num">(-?[\d.]+)</td>',
        html,
    )
    return [(int(place), person, float(value)) for place, person, value in rows]


def test_the_lead_sees_the_candidate_ranking_and_a_plain_member_does_not(
    web: TestClient, log_in: LogIn
) -> None:
    url = _lead_project(web, log_in)
    _start_round(web, log_in("council"))  # takes the merit snapshot values come from
    log_in("lead")
    page = web.get(url).text
    assert 'id="ranking"' in page and f'hx-get="{url}/ranking"' in page
    fragment = web.get(f"{url}/ranking", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    rows = _ranking_rows(fragment.text)
    assert 0 < len(rows) <= 10 and "Eval engineer" in fragment.text
    values = [value for _, _, value in rows]
    assert values == sorted(values, reverse=True) and rows[0][0] == 1
    assert "<html" in web.get(f"{url}/ranking").text
    api = web.get(f"/api{url}/ranking").json()
    assert [c["person_id"] for c in api["roles"][0]["candidates"]] == [p for _, p, _ in rows]
    log_in("member")
    assert 'id="ranking"' not in web.get(url).text
    assert web.get(f"{url}/ranking").status_code == 403
    assert web.get(f"/api{url}/ranking").status_code == 403
