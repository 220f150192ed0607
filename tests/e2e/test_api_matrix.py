"""The authorisation matrix: every access role against every endpoint, on both databases.

Each row names one request and the status each role must get: 401 for
nobody logged in, 403 where the rules forbid it, and for an allowed request
the exact answer it earns (2xx, or a 404/409 that comes only after the
role was let through). The rows are checked against the app's OpenAPI, so an
endpoint added without a row fails here. The rules (issue 7):

- anyone may propose a project, and the proposer's level is never consulted;
- leads manage only their own projects' roles (here: the project they proposed);
- only the council runs, approves and overrides rounds (admins are council too);
- raw review evidence is for the council and the reviewer who wrote it;
- people see their own merit and decisions; nobody else's, except the council.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from e2e.conftest import ROLES, ApiWorld

_A, _M, _L, _C, _D = ROLES  # anonymous, member, lead, council, admin (D for the admin)


def everyone(ok: int) -> dict[str, int]:
    """Anyone logged in gets ``ok``."""
    return {_A: 401, _M: ok, _L: ok, _C: ok, _D: ok}


def council(ok: int) -> dict[str, int]:
    """Only the council (and admins) get ``ok``."""
    return {_A: 401, _M: 403, _L: 403, _C: ok, _D: ok}


def members(ok: int) -> dict[str, int]:
    """Accounts that are members get ``ok``; an admin account is no member, so it cannot."""
    return {_A: 401, _M: ok, _L: ok, _C: ok, _D: 403}


@dataclass(frozen=True)
class Row:
    """One request and what each role gets. ``{name}`` in the path or body is an id of the
    world, ``{role}`` the role asking; ``fresh`` spends a new token (for logging out)."""

    method: str
    template: str
    path: str
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    fresh: bool = False
    tag: str = field(default="")

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.method} {self.path}{' ' + self.tag if self.tag else ''}"


REVIEW = {
    "person_id": "p00001",
    "reviewer_id": "p00002",
    "work_item": "matrix-{role}",
    "skills": {"rl": 1.0},
    "score": 4,
    "scale_min": 1,
    "scale_max": 5,
    "date": "2026-10-01",
}
OVERRIDE = {"role": "{seat_role}", "person": "p00001", "reason": "matrix check by {role}"}
NEW_USER = {"email": "new-{role}@example.org", "password": "long enough secret"}
ROLE = {"title": "Engineer", "needs": [{"skill": "rl"}]}

ROWS = [
    Row("POST", "/api/auth/login", "/api/auth/login", dict.fromkeys(ROLES, 200),
        body={"email": "member@example.org", "password": "correct horse battery"}),
    Row("POST", "/api/auth/logout", "/api/auth/logout", everyone(204), fresh=True),
    Row("GET", "/api/auth/me", "/api/auth/me", everyone(200)),
    Row("GET", "/api/users", "/api/users", {**council(403), _D: 200}),
    Row("POST", "/api/users", "/api/users", {**council(403), _D: 201}, body=NEW_USER),
    Row("GET", "/api/people", "/api/people", everyone(200)),
    Row("GET", "/api/people/{person_id}", "/api/people/p00001", everyone(200)),
    Row("GET", "/api/departments", "/api/departments", everyone(200)),
    Row("GET", "/api/evidence", "/api/evidence", everyone(200)),
    Row("POST", "/api/evidence", "/api/evidence", {**council(201), _M: 201}, body=REVIEW,
        tag="a review the member wrote"),
    Row("GET", "/api/projects", "/api/projects", everyone(200)),
    Row("POST", "/api/projects", "/api/projects", members(201), body={"title": "Idea of {role}"}),
    Row("GET", "/api/projects/{project_id}", "/api/projects/{other_project}", everyone(200)),
    Row("POST", "/api/projects/{project_id}/status", "/api/projects/{scratch_{role}}/status",
        council(200), body={"status": "open"}),
    Row("PUT", "/api/projects/{project_id}/rules", "/api/projects/{other_project}/rules",
        council(200), body={"min_departments": 2}),
    Row("POST", "/api/projects/{project_id}/roles", "/api/projects/{lead_project}/roles",
        {**council(201), _L: 201}, body=ROLE, tag="the lead's own project"),
    Row("POST", "/api/projects/{project_id}/roles", "/api/projects/{other_project}/roles",
        council(201), body=ROLE, tag="someone else's project"),
    Row("GET", "/api/projects/{project_id}/ranking", "/api/projects/{lead_project}/ranking",
        {**council(200), _L: 200}, tag="the lead's own project"),
    Row("GET", "/api/projects/{project_id}/ranking", "/api/projects/{other_project}/ranking",
        council(200), tag="someone else's project"),
    Row("POST", "/api/projects/{project_id}/interest", "/api/projects/{other_project}/interest",
        members(201), body={"rank": 1}),
    Row("POST", "/api/projects/{project_id}/groundwork",
        "/api/projects/{other_project}/groundwork", members(201), body={"note": "a design doc"}),
    Row("GET", "/api/roles", "/api/roles", everyone(200)),
    Row("GET", "/api/roles/{role_id}", "/api/roles/{other_role}", everyone(200)),
    Row("GET", "/api/interests", "/api/interests", everyone(200)),
    Row("GET", "/api/groundwork", "/api/groundwork", everyone(200)),
    Row("GET", "/api/merit/{person_id}", "/api/merit/p00002", {**council(200), _M: 200},
        tag="the member's own"),
    Row("GET", "/api/merit/{person_id}", "/api/merit/p00003", {**council(200), _L: 200},
        tag="the lead's own"),
    Row("POST", "/api/merit/snapshots", "/api/merit/snapshots", council(201), body={}),
    Row("GET", "/api/ledger/verify", "/api/ledger/verify", council(200)),
    Row("GET", "/api/analytics/composition", "/api/analytics/composition", council(200)),
    Row("GET", "/api/analytics/attrition", "/api/analytics/attrition", council(200)),
    Row("GET", "/api/analytics/flow", "/api/analytics/flow", council(200)),
    Row("GET", "/api/ledger", "/api/ledger", council(200)),
    Row("POST", "/api/rounds", "/api/rounds", council(409), body={"name": "{approved_name}"},
        tag="a name already taken, so nothing runs"),
    Row("GET", "/api/rounds", "/api/rounds", council(200)),
    Row("POST", "/api/rounds/{round_ref}/run", "/api/rounds/{approved_round}/run", council(409)),
    Row("GET", "/api/rounds/{round_ref}/progress", "/api/rounds/{approved_round}/progress",
        council(200)),
    Row("GET", "/api/rounds/{round_ref}", "/api/rounds/{approved_round}", council(200)),
    Row("POST", "/api/rounds/{round_ref}/approve", "/api/rounds/{approved_round}/approve",
        council(409), body={}, tag="already approved"),
    Row("POST", "/api/rounds/{round_ref}/approve", "/api/rounds/{draft_round}/approve",
        council(409), body={}, tag="not planned yet"),
    Row("POST", "/api/rounds/{round_ref}/overrides", "/api/rounds/{approved_round}/overrides",
        council(201), body=OVERRIDE),
    Row("GET", "/api/rounds/{round_ref}/audit", "/api/rounds/{approved_round}/audit",
        council(200)),
    Row("GET", "/api/rounds/{round_ref}/audit", "/api/rounds/{draft_round}/audit", council(404),
        tag="no plan yet"),
    Row("GET", "/api/audit/halo", "/api/audit/halo", council(200)),
    Row("GET", "/api/plans", "/api/plans", everyone(200)),
    Row("GET", "/api/plans/{round_ref}", "/api/plans/{approved_round}", everyone(200)),
    Row("GET", "/api/plans/{round_ref}", "/api/plans/{draft_round}", everyone(404),
        tag="a draft is no plan"),
    Row("GET", "/api/people/{person_id}/decisions", "/api/people/p00002/decisions",
        {**council(200), _M: 200}),
]  # fmt: skip


def _fill(value: Any, role: str, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.replace("{role}", role).format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, role, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, role, ids) for v in value]
    return value


def _answer(world: ApiWorld, row: Row, role: str) -> int:
    headers = world.fresh_headers(role) if row.fresh else world.headers[role]
    response = world.client.request(
        row.method,
        _fill(row.path, role, world.ids),
        json=_fill(row.body, role, world.ids),
        headers=headers,
    )
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
    return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_each_role_gets_what_the_rules_say(api_world: ApiWorld, row: Row) -> None:
    got = {role: _answer(api_world, row, role) for role in ROLES}
    assert got == row.expect


def test_every_endpoint_of_the_openapi_has_a_row(api_world: ApiWorld) -> None:
    paths = api_world.client.get("/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert served == {(row.method, row.template) for row in ROWS}


def test_every_row_names_every_role_and_points_at_a_real_path(api_world: ApiWorld) -> None:
    for row in ROWS:
        assert set(row.expect) == set(ROLES), row.id
        assert "{" not in _fill(row.path, "member", api_world.ids), row.id
