"""Rounds through the API: background runs with progress, approval races, overrides."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from e2e.conftest import ACCOUNTS, PASSWORD
from mts.api import create_app
from mts.bootstrap import Application
from mts.domain.staffing import RoundStatus


def _wait(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = client.get(url, headers=headers).json()
        if progress["status"] in ("proposed", "failed"):
            return progress
        time.sleep(0.05)
    raise AssertionError("the round did not finish")


def _run(client: TestClient, headers: dict[str, str], name: str = "q4") -> dict[str, Any]:
    accepted = client.post("/api/rounds", json={"name": name, "seed": 3}, headers=headers)
    assert accepted.status_code == 202, accepted.text
    return _wait(client, accepted.json()["progress_url"], headers)


def test_council_runs_a_round_in_the_background_and_reads_its_plan(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    council = login("council")
    progress = _run(client, council)
    assert progress["status"] == "proposed" and progress["done"] == 1.0
    document = client.get(f"/api/rounds/{progress['id']}", headers=council).json()
    assert document["certificate"]["verdict"] == "passed"
    assert document["seats"] and all(s["why"]["summary"] for s in document["seats"])
    assert document["stats"]["status"] in ("optimal", "feasible")


def test_members_and_leads_cannot_reach_rounds(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    for who in ("member", "lead"):
        headers = login(who)
        assert client.get("/api/rounds", headers=headers).status_code == 403
        assert client.post("/api/rounds", json={"name": "x"}, headers=headers).status_code == 403


class _RacingRounds:
    """Round storage whose approvals wait for each other, so both have read the round first."""

    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def update(self, round_id: Any, *, expected_version: int, **values: Any) -> int:
        if values.get("status") is RoundStatus.APPROVED:
            self._barrier.wait(timeout=30)
        result: int = self._inner.update(round_id, expected_version=expected_version, **values)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _RacingUnitOfWork:
    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def __enter__(self) -> _RacingUnitOfWork:
        self._inner.__enter__()
        self.rounds = _RacingRounds(self._inner.rounds, self._barrier)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_two_simultaneous_approvals_exactly_one_lands(org_app: Application) -> None:
    # Both approvals read the proposed round, then both write: the version column decides.
    # Were the requests served one after the other, the barrier would break and both fail.
    barrier = threading.Barrier(2)
    racing = replace(
        org_app, unit_of_work=lambda: _RacingUnitOfWork(org_app.unit_of_work(), barrier)
    )
    with TestClient(create_app(racing), raise_server_exceptions=False) as client:
        body = {"email": ACCOUNTS["council"][0], "password": PASSWORD}
        token = client.post("/api/auth/login", json=body).json()["token"]
        council = {"Authorization": f"Bearer {token}"}
        progress = _run(client, council)
        url = f"/api/rounds/{progress['id']}/approve"
        answers: list[tuple[int, str]] = []

        def approve() -> None:
            response = client.post(url, json={"version": progress["version"]}, headers=council)
            answers.append((response.status_code, response.json().get("detail", "")))

        threads = [threading.Thread(target=approve) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        document = client.get(f"/api/rounds/{progress['id']}", headers=council).json()
        ledger = client.get("/api/ledger", params={"subject": progress["id"]}, headers=council)
    assert sorted(code for code, _ in answers) == [200, 409], answers
    assert "changed by someone else" in next(detail for code, detail in answers if code == 409)
    assert document["status"] == "approved"
    assert [e["kind"] for e in ledger.json()["items"]].count("round.approved") == 1


def test_override_needs_a_reason_and_is_recorded(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    council = login("council")
    progress = _run(client, council)
    seat = client.get(f"/api/rounds/{progress['id']}", headers=council).json()["seats"][0]
    url = f"/api/rounds/{progress['id']}/overrides"
    body = {"role": seat["role"], "person": "p00001", "reason": ""}
    assert client.post(url, json=body, headers=council).status_code == 422
    body["reason"] = "   "
    assert client.post(url, json=body, headers=council).status_code == 422
    body["reason"] = "needs continuity with the vendor"
    done = client.post(url, json=body, headers=council)
    assert done.status_code == 201 and done.json()["engine_person"] == seat["person"]
    document = client.get(f"/api/rounds/{progress['id']}", headers=council).json()
    assert document["overrides"][0]["reason"] == "needs continuity with the vendor"
    verdict = client.get("/api/ledger/verify", headers=council).json()
    assert verdict["ok"] and verdict["entries"] == 4


def test_people_see_their_own_merit_and_nobody_elses(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    council = login("council")
    assert client.post("/api/merit/snapshots", json={}, headers=council).status_code == 201
    member = login("member")
    mine = client.get("/api/merit/p00002", headers=member)
    assert mine.status_code == 200 and mine.json()["rows"][0]["skill"] == "*"
    for explained in mine.json()["explanations"].values():
        assert all("reviewer" not in item for item in explained)
    assert client.get("/api/merit/p00003", headers=member).status_code == 403
    assert client.get("/api/merit/p00003", headers=council).status_code == 200
