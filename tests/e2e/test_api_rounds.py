"""Rounds through the API: background runs with progress, approval races, overrides."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient


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


def test_two_simultaneous_approvals_exactly_one_lands(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    council = login("council")
    progress = _run(client, council)
    url = f"/api/rounds/{progress['id']}/approve"
    codes: list[int] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        codes.append(
            client.post(url, json={"version": progress["version"]}, headers=council).status_code
        )

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]


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
