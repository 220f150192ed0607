"""Page speed of the web UI over a 10k-person organisation in SQLite.

Builds (or reuses, with ``--db``) an organisation from ``generate_organisation``
stored through ``services.demo``, with one market round run (which takes the
merit snapshot) and approved through ``services.rounds``, then renders each main
page ``--repeat`` times through FastAPI's TestClient, logged in as the
council (who sees every page) and as a member (for their own page). Times
are wall-clock milliseconds per request, including the session look-up;
``first`` is the first request of a page in this process. Goal: every page
under 300 ms. Parity and analytics are kept per process until their inputs
change, so their ``first`` column is the cost after a change and the rest the
cost of a kept report.

Run: ``python benchmarks/web_pages.py [--people 10000] [--repeat 15] [--db /tmp/org.db]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from mts.bootstrap import Application, bootstrap
from mts.domain.accounts import AccessRole, User
from mts.domain.projects import ProjectId, ProjectStatus
from mts.domain.staffing import Mechanism, RoundStatus
from mts.services import accounts, demo, projects, rounds
from mts.settings import Settings
from mts.sim.organisation import generate_organisation
from mts.web.app import create_web_app

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PASSWORD = "benchmark-password"
COUNCIL, MEMBER = "bench-council@example.org", "bench-member@example.org"


def build(application: Application, people: int, seed: int) -> None:
    """Store an organisation and the two accounts."""
    started = time.perf_counter()
    application.reset_schema()
    org = generate_organisation(people=people, seed=seed, as_of=AS_OF)
    demo.store_organisation(application.unit_of_work, org)
    ensure_accounts(application)
    seconds = time.perf_counter() - started
    print(f"built {people} people, {len(org.evidence)} pieces of evidence in {seconds:.0f} s")


def plan_round(application: Application) -> None:
    """One round run (it takes the merit snapshot) and approved.

    A market round: it is deterministic, so its level-blindness certificate
    passes whatever the load. An optimiser round that hits its time limit on
    a loaded machine can stop at different plans when the certificate reruns
    it, and a plan whose certificate fails cannot be approved.
    """
    started = time.perf_counter()
    council = ensure_accounts(application)
    with application.unit_of_work() as uow:
        taken = {r.round.name for r in uow.rounds.newest_first()}
    name = next(f"benchmark {k}" for k in range(1, len(taken) + 2) if f"benchmark {k}" not in taken)
    options = rounds.RoundOptions(seed=1, mechanism=Mechanism.MARKET)
    created = rounds.create_round(
        application.unit_of_work, council, name=name, as_of=AS_OF, options=options, now=NOW
    )
    rounds.run_round(application.unit_of_work, council, created.id, now=lambda: NOW)
    rounds.approve_round(application.unit_of_work, council, created.id, now=NOW)
    print(f"ran and approved round {name!r} in {time.perf_counter() - started:.0f} s")


def ensure_accounts(application: Application) -> User:
    """The council and member accounts the benchmark logs in with (created if missing)."""
    with application.unit_of_work() as uow:
        users = {u.email: u for u in uow.users.list()}
        member = next(p.id for p in uow.people.list(limit=50) if p.left is None)
    wanted = ((COUNCIL, AccessRole.COUNCIL, None), (MEMBER, AccessRole.MEMBER, member))
    for email, role, person in wanted:
        if email not in users:
            users[email] = accounts.create_user(
                application.unit_of_work,
                email=email,
                password=PASSWORD,
                role=role,
                person=person,
                now=NOW,
            )
    return users[COUNCIL]


def log_in(client: TestClient, email: str) -> None:
    """Log in through the login form."""
    client.cookies.clear()
    form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert form
    data = {"email": email, "password": PASSWORD, "csrf": form.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def pages(application: Application) -> list[tuple[str, str, str]]:
    """``(label, who, path)`` of every main page, with real ids from the store."""
    with application.unit_of_work() as uow:
        record = next(
            r for r in uow.rounds.newest_first() if r.round.status is RoundStatus.APPROVED
        )
        seat = uow.rounds.allocations()[0]
        member = next(u for u in uow.users.list() if u.email == MEMBER)
    ranked = open_project(application)
    return [
        ("board", "member", "/?status=all"),
        ("board, filtered", "member", "/?status=all&skill=rl&department=research"),
        ("project", "member", f"/projects/{seat.project}"),
        ("project (council)", "council", f"/projects/{ranked}"),
        ("candidate ranking", "council", f"/projects/{ranked}/ranking"),
        ("person (own, merit)", "member", f"/people/{member.person}"),
        ("person (council)", "council", f"/people/{seat.person}"),
        ("workload", "member", "/workload"),
        ("rounds", "council", "/rounds"),
        ("round review", "council", f"/rounds/{record.round.id}"),
        ("round progress", "council", f"/rounds/{record.round.id}/progress"),
        ("audit", "council", "/audit"),
        ("audit: parity", "council", "/audit/parity"),
        ("analytics", "council", "/analytics"),
    ]


def open_project(application: Application) -> ProjectId:
    """An open project with roles for the lead's ranking: the round staffed every open one,
    so the council opens a proposed one (once; later runs find it open)."""
    with application.unit_of_work() as uow:
        council = next(u for u in uow.users.list() if u.email == COUNCIL)
        with_roles = {r.project for r in uow.roles.list()}
        found = [p for p in uow.projects.list() if p.id in with_roles]
    if opened := next((p for p in found if p.status is ProjectStatus.OPEN), None):
        return opened.id
    proposed = next(p for p in found if p.status is ProjectStatus.PROPOSED)
    projects.move_project(application.unit_of_work, council, proposed.id, ProjectStatus.OPEN)
    return proposed.id


def measure(client: TestClient, path: str, repeat: int) -> tuple[float, list[float], int]:
    """The first request's time, the times of ``repeat`` more, and the page's size."""
    times = []
    size = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        size = len(response.content)
    return times[0], times[1:], size


def main() -> None:
    """Build or reuse the organisation, render every page, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="reuse this SQLite file if built")
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/mts-web-bench-{args.people}.db")
    application = bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=lambda: NOW)
    if not path.exists() or not application.is_schema_current() or not _has_people(application):
        build(application, args.people, args.seed)
    if not _has_round(application):
        plan_round(application)
    ensure_accounts(application)
    with TestClient(create_web_app(application)) as client:
        rows = []
        for label, who, url in pages(application):
            log_in(client, COUNCIL if who == "council" else MEMBER)
            first, times, size = measure(client, url, args.repeat)
            rows.append((label, first, statistics.median(times), _p95(times), size))
    _print(rows, args)


def _has_people(application: Application) -> bool:
    with application.unit_of_work() as uow:
        return uow.people.count() > 0


def _has_round(application: Application) -> bool:
    with application.unit_of_work() as uow:
        return any(r.round.status is RoundStatus.APPROVED for r in uow.rounds.newest_first())


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _print(rows: list[tuple[str, float, float, float, int]], args: argparse.Namespace) -> None:
    print(f"\n{args.people} people, SQLite, {args.repeat} renders per page after the first")
    print(f"{'page':<22}{'first ms':>10}{'median ms':>11}{'p95 ms':>9}{'KiB':>8}  goal")
    for label, first, median, p95, size in rows:
        verdict = "ok" if p95 < 300 else "SLOW"
        print(f"{label:<22}{first:>10.0f}{median:>11.0f}{p95:>9.0f}{size / 1024:>8.0f}  {verdict}")


if __name__ == "__main__":
    main()
