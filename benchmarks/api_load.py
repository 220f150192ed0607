"""Load on the API: 50 clients for 60 s of mixed reads and writes, 10k people in PostgreSQL.

Creates a fresh database on the local PostgreSQL server (dropped at the end
unless ``--keep``; ``--reuse NAME`` runs again on a kept one), stores
``generate_organisation`` through ``services.demo``, makes one member login
per client (every tenth on the council), and runs and approves one round
(which takes the merit snapshot) over the first ``--staffed`` open projects,
the council closing the rest (see ``plan``). It then starts
``mts serve`` on 127.0.0.1 and a free port, and runs ``--clients`` threads,
each with its own keep-alive connection, its own seeded mix of requests and
a think time between them (uniform, mean ``--think`` seconds), for
``--seconds`` and at most ``--max-requests`` requests in all. Only loopback
is ever contacted.

It reports p50, p95 and p99 latency per kind of request (wall-clock ms at
the client, so the client's own threads are in it: they share the machine
with the server) and every non-2xx answer or transport error. Afterwards it
counts, in the database, every write the server acknowledged: projects,
interests, groundwork and reviews. Target: p95 under 50 ms on reads, no
errors, nothing lost.

Run: ``python benchmarks/api_load.py [--people 10000] [--clients 50] [--seconds 60]
[--think 0.5] [--staffed 40] [--reuse NAME] [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from mts.bootstrap import Application, bootstrap
from mts.domain.accounts import AccessRole
from mts.domain.projects import ProjectStatus
from mts.domain.staffing import RoundStatus
from mts.services import accounts, demo, projects, rounds
from mts.settings import Settings
from mts.sim.organisation import generate_organisation
from mts.storage.tables import EvidenceRow, GroundworkRow, InterestRow, ProjectRow

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PASSWORD = "load-benchmark-password"
COUNCIL = "load-council@example.org"
MTS = Path(sys.executable).with_name("mts")


# -- the organisation -------------------------------------------------------------------


def create_database(name: str) -> str:
    """A new database ``name`` on the local server; its URL."""
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(name)


def database_url(name: str) -> str:
    """The URL of database ``name`` on the local server."""
    return make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    """Drop database ``name`` (connections and all)."""
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def build(application: Application, people: int, seed: int, clients: int) -> None:
    """Store the organisation and the logins."""
    started = time.perf_counter()
    application.upgrade_schema()
    org = generate_organisation(people=people, seed=seed, as_of=AS_OF)
    demo.store_organisation(application.unit_of_work, org)
    accounts.create_user(
        application.unit_of_work,
        email=COUNCIL,
        password=PASSWORD,
        role=AccessRole.COUNCIL,
        now=NOW,
    )
    active = [p.id for p in org.people if p.left is None]
    for i in range(clients):
        role = AccessRole.COUNCIL if i % 10 == 9 else AccessRole.MEMBER
        accounts.create_user(
            application.unit_of_work,
            email=f"load-{i}@example.org",
            password=PASSWORD,
            role=role,
            person=active[i],
            now=NOW,
        )
    print(f"stored {people} people and {len(org.evidence)} pieces of evidence "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


def plan(application: Application, staffed: int) -> None:
    """Run and approve a round over the ``staffed`` first open projects (the council closes
    the rest), unless an approved round exists already.

    The benchmark loads the API, not the staffing engine: a round over every open project
    of 10k people runs into its time limit, and a plan cut short by the clock is not
    reproducible, so its certificate fails and it cannot be approved.
    """
    with application.unit_of_work() as uow:
        council = next(u for u in uow.users.list() if u.email == COUNCIL)
        if any(r.round.status is RoundStatus.APPROVED for r in uow.rounds.newest_first()):
            return
        opened = [p.id for p in uow.projects.list() if p.status is ProjectStatus.OPEN]
    started = time.perf_counter()
    for project in opened[staffed:]:
        projects.move_project(application.unit_of_work, council, project, ProjectStatus.CLOSED)
    options = rounds.RoundOptions(seed=1, time_limit=120)
    created = rounds.create_round(
        application.unit_of_work,
        council,
        name=f"load-{uuid.uuid4().hex[:6]}",
        as_of=AS_OF,
        options=options,
        now=NOW,
    )
    rounds.run_round(application.unit_of_work, council, created.id, now=lambda: NOW)
    rounds.approve_round(application.unit_of_work, council, created.id, now=NOW)
    print(f"merit snapshot and an approved round over {min(staffed, len(opened))} open projects "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    """Ids the clients draw from: people, projects (those not closed apart), the approved round."""

    people: list[str]
    projects: list[str]
    live_projects: list[str]
    round_id: str


def catalogue(application: Application) -> Catalogue:
    """What the stored organisation holds, for the clients to aim at."""
    with application.unit_of_work() as uow:
        people = [p.id for p in uow.people.list()]
        stored = uow.projects.list()
        approved = [r for r in uow.rounds.newest_first() if r.round.status is RoundStatus.APPROVED]
    return Catalogue(
        people=people,
        projects=[p.id for p in stored],
        live_projects=[p.id for p in stored if p.status is not ProjectStatus.CLOSED],
        round_id=approved[0].round.id,
    )


# -- the server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``mts serve`` on loopback over ``url``; the process and its base URL once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [str(MTS), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "MTS_DATABASE_URL": url},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/openapi.json", timeout=5).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"mts serve did not start; see {log}")


# -- the clients ------------------------------------------------------------------------


@dataclass
class Tally:
    """Every latency per kind, every error, and every acknowledged write, shared by clients."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    written: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    budget: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """Claim one request of the global budget; False when it is spent."""
        with self.lock:
            self.budget -= 1
            return self.budget >= 0


Request = tuple[str, str, dict[str, Any] | None, Callable[[dict[str, Any]], Any] | None]
"""Method, path, JSON body, and what to remember of a successful answer (a written key)."""


def _get(path: Callable[[], str]) -> Callable[[], Request]:
    return lambda: ("GET", path(), None, None)


@dataclass
class Client:
    """One logged-in member (or council member) with a seeded mix of requests."""

    index: int
    person: str
    council: bool
    token: str
    rng: random.Random
    ids: Catalogue
    counter: int = 0

    def reads(self) -> list[tuple[str, int, Callable[[], Request]]]:
        """Kinds of read, their weights, and how to make one."""
        ids, rng, me = self.ids, self.rng, self.person
        paths: list[tuple[str, int, Callable[[], str]]] = [
            ("GET people page", 10,
             lambda: f"/api/people?limit=50&offset={rng.randrange(len(ids.people) - 50)}"),
            ("GET person", 10, lambda: f"/api/people/{rng.choice(ids.people)}"),
            ("GET projects page", 6, lambda: "/api/projects?limit=50"),
            ("GET project", 10, lambda: f"/api/projects/{rng.choice(ids.projects)}"),
            ("GET roles of a project", 5, lambda: f"/api/roles?project={rng.choice(ids.projects)}"),
            ("GET own merit", 8, lambda: f"/api/merit/{me}"),
            ("GET own seats in the plan", 5, lambda: f"/api/plans/{ids.round_id}?person={me}"),
            ("GET own decisions", 3, lambda: f"/api/people/{me}/decisions"),
            ("GET own interests", 3, lambda: f"/api/interests?person={me}"),
            ("GET reviews one wrote", 2, lambda: "/api/evidence"),
            ("GET me", 5, lambda: "/api/auth/me"),
        ]  # fmt: skip
        if self.council:
            paths += [
                ("GET round progress (council)", 4,
                 lambda: f"/api/rounds/{ids.round_id}/progress"),
                ("GET a person's evidence (council)", 4,
                 lambda: f"/api/evidence?person={rng.choice(ids.people)}"),
            ]  # fmt: skip
        return [(name, weight, _get(path)) for name, weight, path in paths]

    def writes(self) -> list[tuple[str, int, Callable[[], Request]]]:
        """Kinds of write, their weights, and how to make one."""
        return [
            ("POST propose a project", 2, self._propose),
            ("POST state interest", 4, self._interest),
            ("POST record groundwork", 2, self._groundwork),
            ("POST add a review", 3, self._review),
        ]

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _propose(self) -> Request:
        body = {"title": f"Load idea {self.index}-{self._next()}", "summary": "from the benchmark"}
        return "POST", "/api/projects", body, lambda answer: ("project", answer["id"])

    def _interest(self) -> Request:
        project = self.rng.choice(self.ids.live_projects)
        rank = self.rng.randint(1, 5)
        return ("POST", f"/api/projects/{project}/interest", {"rank": rank},
                lambda answer: ("interest", (self.person, project)))  # fmt: skip

    def _groundwork(self) -> Request:
        project = self.rng.choice(self.ids.live_projects)
        return ("POST", f"/api/projects/{project}/groundwork", {"note": "load notes"},
                lambda answer: ("groundwork", (project, self.person)))  # fmt: skip

    def _review(self) -> Request:
        reviewed = self.rng.choice(self.ids.people)
        while reviewed == self.person:
            reviewed = self.rng.choice(self.ids.people)
        body = {
            "person_id": reviewed,
            "reviewer_id": self.person,
            "work_item": f"load-{self.index}-{self._next()}",
            "skills": {"ml": 1.0},
            "score": self.rng.randint(1, 5),
            "scale_min": 1,
            "scale_max": 5,
            "date": AS_OF.isoformat(),
        }
        return "POST", "/api/evidence", body, lambda answer: ("review", answer["evidence"]["key"])


def run_client(client: Client, base: str, tally: Tally, until: float, think: float) -> None:
    """Send ``client``'s mix until ``until`` or until the shared budget is spent."""
    kinds = client.reads() + client.writes()
    weights = [w for _, w, _ in kinds]
    headers = {"Authorization": f"Bearer {client.token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        while time.monotonic() < until and tally.take():
            name, _, make = client.rng.choices(kinds, weights)[0]
            method, path, body, remember = make()
            started = time.perf_counter()
            try:
                answer = http.request(method, path, json=body)
                failed = None if answer.is_success else f"{answer.status_code} {answer.text[:120]}"
            except httpx.HTTPError as error:
                failed = f"{type(error).__name__}: {error}"
            elapsed = (time.perf_counter() - started) * 1000
            with tally.lock:
                tally.latencies[name].append(elapsed)
                if failed:
                    tally.errors[name].append(failed)
                elif remember is not None:
                    kind, key = remember(answer.json())
                    tally.written[kind].add(key)
            time.sleep(client.rng.uniform(0, 2 * think))


def log_in(base: str, index: int) -> str:
    """A bearer token for client ``index``."""
    body = {"email": f"load-{index}@example.org", "password": PASSWORD}
    answer = httpx.post(f"{base}/api/auth/login", json=body, timeout=60)
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


def make_clients(base: str, ids: Catalogue, count: int, seed: int) -> list[Client]:
    """``count`` logged-in clients; every tenth is on the council."""
    return [
        Client(i, "", i % 10 == 9, log_in(base, i), random.Random(seed + i), ids)
        for i in range(count)
    ]


def attach_people(application: Application, clients: list[Client]) -> None:
    """Which member each client's account is."""
    with application.unit_of_work() as uow:
        people = {u.email: u.person for u in uow.users.list()}
    for client in clients:
        person = people[f"load-{client.index}@example.org"]
        assert person is not None
        client.person = person


# -- after the run ----------------------------------------------------------------------


def lost_writes(application: Application, tally: Tally) -> dict[str, tuple[int, int]]:
    """Per kind of write: how many the server acknowledged, and how many the database holds."""
    written = tally.written
    with application.engine.connect() as connection:
        projects = set(connection.scalars(select(ProjectRow.id)))
        reviews = set(connection.scalars(select(EvidenceRow.key)))
        interest_rows = connection.execute(select(InterestRow.person_id, InterestRow.project_id))
        interests = {tuple(row) for row in interest_rows}
        groundwork_rows = connection.execute(
            select(GroundworkRow.project_id, GroundworkRow.person_id)
        )
        groundwork = {tuple(row) for row in groundwork_rows}
    found = {
        "project": written["project"] & projects,
        "review": written["review"] & reviews,
        "interest": written["interest"] & interests,
        "groundwork": written["groundwork"] & groundwork,
    }
    return {kind: (len(written[kind]), len(found[kind])) for kind in found}


def _quantile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(tally: Tally, seconds: float, writes: dict[str, tuple[int, int]]) -> None:
    """The latency table, the errors, and the writes made against the rows found."""
    total = sum(len(t) for t in tally.latencies.values())
    print(f"\n{total} requests in {seconds:.1f} s ({total / seconds:.0f} per second)\n")
    print("| request | count | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    reads = [t for name, ts in tally.latencies.items() if name.startswith("GET") for t in ts]
    rows = sorted(tally.latencies.items(), key=lambda kv: (not kv[0].startswith("GET"), kv[0]))
    rows += [("all reads", reads)]
    rows += [("all writes", [t for n, ts in tally.latencies.items() if n.startswith("POST")
                             for t in ts])]  # fmt: skip
    for name, times in rows:
        errors = sum(len(e) for n, e in tally.errors.items() if n == name or (
            name == "all reads" and n.startswith("GET")) or (
            name == "all writes" and n.startswith("POST")))  # fmt: skip
        p95, p99 = _quantile(times, 0.95), _quantile(times, 0.99)
        print(f"| {name} | {len(times)} | {statistics.median(times):.1f} | "
              f"{p95:.1f} | {p99:.1f} | {errors} |")  # fmt: skip
    print("\n| write | acknowledged | found in the database |")
    print("|---|---:|---:|")
    for kind, (made, found) in writes.items():
        print(f"| {kind} | {made} | {found} |")
    for name, errors in tally.errors.items():
        print(f"\n{len(errors)} errors on {name}, e.g. {errors[0]}")


def main() -> None:
    """Build (or reuse) the organisation, serve it, load it, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between requests")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--staffed", type=int, default=40, help="open projects the round staffs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", default=None, help="a database kept by an earlier --keep")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 600:
        raise SystemExit("keep it bounded: 1..500 clients, at most 600 seconds")

    name = args.reuse or f"mts_load_{uuid.uuid4().hex[:10]}"
    url = database_url(name) if args.reuse else create_database(name)
    application = bootstrap(Settings(database_url=url), clock=lambda: NOW)
    server: subprocess.Popen[bytes] | None = None
    try:
        if not args.reuse:
            build(application, args.people, args.seed, args.clients)
        plan(application, args.staffed)
        ids = catalogue(application)
        log = Path(tempfile.gettempdir()) / f"{name}-serve.log"
        server, base = start_server(url, log)
        clients = make_clients(base, ids, args.clients, args.seed)
        attach_people(application, clients)
        tally = Tally(budget=args.max_requests)
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=run_client, args=(c, base, tally, started + args.seconds, args.think)
            )
            for c in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        report(tally, elapsed, lost_writes(application, tally))
        print(f"\n{args.clients} clients, mean think time {args.think} s, {args.people} people; "
              f"server log: {log}")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        application.engine.dispose()
        if not args.keep:
            drop_database(name)
        else:
            print(f"kept database {name}; run again with --reuse {name}")


if __name__ == "__main__":
    main()
