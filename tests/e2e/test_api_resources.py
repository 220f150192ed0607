"""Every resource the API serves, on SQLite and PostgreSQL: lists page and filter, plans are
public and explanations private, audits and the ledger read back what rounds wrote."""

from __future__ import annotations

from typing import Any

from e2e.conftest import ApiWorld


def _get(world: ApiWorld, who: str, url: str, **params: Any) -> Any:
    response = world.client.get(url, params=params, headers=world.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def test_roles_page_and_filter_by_project_and_kind(api_world: ApiWorld) -> None:
    everything = _get(api_world, "member", "/api/roles", limit=500)
    assert everything["total"] == len(everything["items"]) >= 14
    page = _get(api_world, "member", "/api/roles", limit=3, offset=2)
    assert [r["id"] for r in page["items"]] == [r["id"] for r in everything["items"][2:5]]
    leads = _get(api_world, "member", "/api/roles", project="proj0001", kind="lead")
    assert [r["id"] for r in leads["items"]] == ["proj0001-lead"]


def test_an_unknown_role_is_404(api_world: ApiWorld) -> None:
    missing = api_world.client.get("/api/roles/nope", headers=api_world.headers["member"])
    assert missing.status_code == 404 and missing.json()["entity"] == "nope"


def test_interests_are_seen_by_their_author_the_projects_lead_and_the_council(
    api_world: ApiWorld,
) -> None:
    project = api_world.ids["lead_project"]
    stated = api_world.client.post(
        f"/api/projects/{project}/interest", json={"rank": 2}, headers=api_world.headers["member"]
    )
    assert stated.status_code == 201
    mine = _get(api_world, "member", "/api/interests", limit=500)["items"]
    managed_by_member = {api_world.ids[f"scratch_{r}"] for r in ("member", "lead", "council")}
    assert mine and all(
        i["person_id"] == "p00002" or i["project_id"] in managed_by_member for i in mine
    )
    for who in ("lead", "council"):
        seen = _get(api_world, who, "/api/interests", project=project)["items"]
        assert {"person_id": "p00002", "project_id": project, "role_id": None, "rank": 2} in seen
    others = _get(api_world, "lead", "/api/interests", limit=500)["items"]
    assert all(i["person_id"] == "p00003" or i["project_id"] == project for i in others)
    everything = _get(api_world, "council", "/api/interests", limit=500)
    assert everything["total"] > len(others)


def test_groundwork_filters_by_project_and_person(api_world: ApiWorld) -> None:
    project = api_world.ids["lead_project"]
    found = _get(api_world, "member", "/api/groundwork", project=project)["items"]
    assert [(g["person_id"], g["note"]) for g in found] == [("p00003", "proposal")]
    by_person = _get(api_world, "member", "/api/groundwork", person="p00003", limit=500)["items"]
    assert by_person and {g["person_id"] for g in by_person} == {"p00003"}


def test_a_review_is_recorded_once_and_bad_scales_are_refused(api_world: ApiWorld) -> None:
    review = {
        "person_id": "p00005",
        "reviewer_id": "p00002",
        "work_item": "PR-resources",
        "skills": {"rl": 2, "evaluation": 1},
        "score": 80,
        "scale_min": 0,
        "scale_max": 100,
        "date": "2026-10-02",
    }
    member = api_world.headers["member"]
    first = api_world.client.post("/api/evidence", json=review, headers=member)
    assert first.status_code == 201 and first.json()["added"] is True
    again = api_world.client.post("/api/evidence", json=review, headers=member)
    assert again.status_code == 200 and again.json()["added"] is False
    flat = {**review, "scale_max": 0}
    assert api_world.client.post("/api/evidence", json=flat, headers=member).status_code == 422
    own = {**review, "person_id": "p00002", "work_item": "PR-self"}
    assert api_world.client.post("/api/evidence", json=own, headers=member).status_code == 422
    written = _get(api_world, "member", "/api/evidence", person="p00005", limit=500)["items"]
    assert "PR-resources" in {e["work_item"] for e in written}


def test_the_approved_plan_is_public_and_matches_the_round(api_world: ApiWorld) -> None:
    approved = api_world.ids["approved_round"]
    plans = _get(api_world, "member", "/api/plans")["items"]
    assert [p["round"]["id"] for p in plans] == [approved]
    plan = _get(api_world, "member", f"/api/plans/{approved}")
    document = _get(api_world, "council", f"/api/rounds/{approved}")
    assert plans[0]["seats"] == len(plan["seats"]) == len(document["seats"])
    assert {(s["role_id"], s["seat"], s["person_id"]) for s in plan["seats"]} == {
        (s["role"], s["seat"], s["person"]) for s in document["seats"]
    }
    assert all("why" not in seat and "value" not in seat for seat in plan["seats"])
    person = plan["seats"][0]["person_id"]
    theirs = _get(api_world, "lead", f"/api/plans/{approved}", person=person)["seats"]
    assert theirs and {s["person_id"] for s in theirs} == {person}


def test_people_read_why_they_got_their_seats(api_world: ApiWorld) -> None:
    approved = api_world.ids["approved_round"]
    seats = _get(api_world, "council", f"/api/plans/{approved}")["seats"]
    person = seats[0]["person_id"]
    decisions = _get(api_world, "council", f"/api/people/{person}/decisions")
    assert decisions and all(d["seat"]["person_id"] == person for d in decisions)
    assert all(d["why"] for d in decisions)
    unknown = api_world.client.get(
        "/api/people/nobody/decisions", headers=api_world.headers["council"]
    )
    assert unknown.status_code == 404


def test_a_round_audit_reports_parity_and_overrides(api_world: ApiWorld) -> None:
    approved = api_world.ids["approved_round"]
    audit = _get(api_world, "council", f"/api/rounds/{approved}/audit")
    assert audit["round"]["status"] == "approved"
    assert {"lead", "stretch", "newcomers", "flagged"} <= set(audit["parity"])
    assert {"overrides", "findings", "pattern", "flagged"} <= set(audit["overrides"])
    halo = _get(api_world, "council", "/api/audit/halo")
    assert {"overall", "reviewers", "reviews_without_level"} <= set(halo)


def test_the_ledger_lists_what_verify_counts_and_filters_by_round(api_world: ApiWorld) -> None:
    verdict = _get(api_world, "council", "/api/ledger/verify")
    entries = _get(api_world, "council", "/api/ledger", limit=500)
    assert verdict["ok"] and entries["total"] == verdict["entries"]
    assert entries["items"][-1]["hash"] == verdict["head_hash"]
    approved = api_world.ids["approved_round"]
    mine = _get(api_world, "council", "/api/ledger", subject=approved)["items"]
    kinds = [e["kind"] for e in mine]
    assert kinds[:4] == ["round.created", "round.planned", "round.certified", "round.approved"]


def test_rounds_page_and_filter_by_status(api_world: ApiWorld) -> None:
    approved = _get(api_world, "council", "/api/rounds", status="approved")
    assert [r["id"] for r in approved["items"]] == [api_world.ids["approved_round"]]
    drafts = _get(api_world, "council", "/api/rounds", status="draft", limit=1)
    assert drafts["items"][0]["id"] == api_world.ids["draft_round"] and drafts["limit"] == 1


def test_an_admin_creates_an_account_that_can_log_in(api_world: ApiWorld) -> None:
    body = {"email": "analyst@example.org", "password": "a long password", "role": "lead",
            "person_id": "p00010"}  # fmt: skip
    created = api_world.client.post("/api/users", json=body, headers=api_world.headers["admin"])
    assert created.status_code == 201 and created.json()["person_id"] == "p00010"
    again = api_world.client.post("/api/users", json=body, headers=api_world.headers["admin"])
    assert again.status_code == 409
    login = {"email": body["email"], "password": body["password"]}
    assert api_world.client.post("/api/auth/login", json=login).json()["user"]["role"] == "lead"


def test_nul_characters_are_refused_as_422_on_both_databases(api_world: ApiWorld) -> None:
    member = api_world.headers["member"]
    client = api_world.client
    assert client.get("/api/people/p%0001", headers=member).status_code == 422
    nul_query = client.get("/api/people", params={"department": "a\x00"}, headers=member)
    assert nul_query.status_code == 422
    body = {"title": "nul \u0000 inside"}
    assert client.post("/api/projects", json=body, headers=member).status_code == 422
    escaped = {"title": "a backslash then u0000: \\u0000"}
    assert client.post("/api/projects", json=escaped, headers=member).status_code == 201


def test_the_openapi_documents_problem_json_errors_and_bearer_login(api_world: ApiWorld) -> None:
    schema = api_world.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    approve = schema["paths"]["/api/rounds/{round_ref}/approve"]["post"]
    conflict = approve["responses"]["409"]["content"]["application/problem+json"]
    assert conflict["schema"]["$ref"] == "#/components/schemas/ProblemOut"
    login = schema["paths"]["/api/auth/login"]["post"]
    assert "401" not in login["responses"] and "security" not in login
