"""The API end to end, on SQLite and PostgreSQL: auth, projects, errors as problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_requests_without_login_get_401_problem_json(client: TestClient) -> None:
    response = client.get("/api/people")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-authenticated"


def test_unknown_project_is_404_not_422(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/projects/nope", headers=login("member"))
    assert response.status_code == 404 and response.json()["entity"] == "nope"


def test_people_list_is_paginated_and_filtered(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    headers = login("member")
    page = client.get("/api/people", params={"limit": 10, "offset": 5}, headers=headers).json()
    assert page["total"] == 60 and len(page["items"]) == 10 and page["items"][0]["id"] == "p00006"
    research = client.get("/api/people", params={"department": "research"}, headers=headers).json()
    assert research["total"] == len(research["items"]) > 0
    assert {p["department"] for p in research["items"]} == {"research"}
    assert "level" not in page["items"][0]


def test_member_proposes_a_project_and_is_credited_with_its_groundwork(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    headers = login("member")
    created = client.post("/api/projects", json={"title": "Tiny evals"}, headers=headers)
    assert created.status_code == 201
    project = created.json()
    assert project["proposer_id"] == "p00002" and project["status"] == "proposed"
    detail = client.get(f"/api/projects/{project['id']}", headers=headers).json()
    assert [g["person_id"] for g in detail["groundwork"]] == ["p00002"]


def test_only_the_proposer_or_council_adds_roles(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    project = client.post("/api/projects", json={"title": "X"}, headers=login("member")).json()
    role = {"title": "Lead", "kind": "lead", "needs": [{"skill": "rl", "weight": 2}]}
    url = f"/api/projects/{project['id']}/roles"
    assert client.post(url, json=role, headers=login("lead")).status_code == 403
    added = client.post(url, json=role, headers=login("member"))
    assert added.status_code == 201 and added.json()["needs"] == [{"skill": "rl", "weight": 2.0}]
    assert client.post(url, json=role, headers=login("council")).status_code == 201


def test_only_the_council_opens_projects_and_the_life_cycle_is_enforced(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    project = client.post("/api/projects", json={"title": "Y"}, headers=login("member")).json()
    url = f"/api/projects/{project['id']}/status"
    assert client.post(url, json={"status": "open"}, headers=login("member")).status_code == 403
    assert client.post(url, json={"status": "active"}, headers=login("council")).status_code == 409
    opened = client.post(url, json={"status": "open"}, headers=login("council"))
    assert opened.status_code == 200 and opened.json()["status"] == "open"


def test_invalid_body_is_422_problem_json(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/projects", json={"title": ""}, headers=login("member"))
    assert response.status_code == 422 and response.json()["errors"][0]["location"][-1] == "title"


def test_raw_evidence_is_for_the_council_and_its_reviewer_only(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/evidence", params={"limit": 500}, headers=login("council")).json()
    assert everything["total"] > 0
    mine = client.get("/api/evidence", params={"limit": 500}, headers=login("member")).json()
    assert all(e["reviewer_id"] == "p00002" for e in mine["items"])
    about_me = client.get("/api/evidence", params={"person": "p00002"}, headers=login("council"))
    assert about_me.json()["total"] > 0
    assert not any(e["person_id"] == "p00002" for e in mine["items"])


def test_session_cookie_writes_need_the_csrf_token(client: TestClient) -> None:
    body = {"email": "member@example.org", "password": "correct horse battery", "kind": "session"}
    login = client.post("/api/auth/login", json=body)
    assert "httponly" in login.headers["set-cookie"].lower()
    assert "samesite=lax" in login.headers["set-cookie"].lower()
    assert client.post("/api/projects", json={"title": "Z"}).status_code == 403
    csrf = {"X-CSRF-Token": login.json()["csrf"]}
    assert client.post("/api/projects", json={"title": "Z"}, headers=csrf).status_code == 201


def test_repeated_failed_logins_are_throttled(client: TestClient) -> None:
    bad = {"email": "member@example.org", "password": "wrong"}
    codes = [client.post("/api/auth/login", json=bad).status_code for _ in range(12)]
    assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]
    blocked = client.post("/api/auth/login", json={**bad, "password": "correct horse battery"})
    assert blocked.status_code == 429 and "too many" in blocked.json()["detail"]
    assert blocked.headers["Retry-After"] == "60"


def test_logout_ends_the_token(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    headers = login("member")
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401
