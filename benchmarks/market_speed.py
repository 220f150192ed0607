"""Market mode speed: mts against the `matching` package (1.4.3), same instances, same script.

Each person ranks ``ranks`` distinct roles drawn uniformly at random; each
lead ranks every applicant in a random order; every role has
``people // roles`` seats, so there are about as many seats as people.

mts is timed end to end on the JSON text: ``json.loads``, ``parse_instance``
(validate and compile), ``solve_market`` and ``check_stability``; the table
gives each stage's median of ``--repeats`` runs, the best total, and the
process CPU time (steadier than wall time on a shared machine). Every run
must pass the stability check or the script stops. The peer is timed building its
``HospitalResident`` game from the same dictionaries (``clean=True``) and
solving it resident-optimal, once, in a child process with a time limit
and a memory cap; its constructor recurses deeply, so it runs in a thread
with a large stack. Where the peer finishes, the two matchings are compared.
Speed-up (end to end) is the peer's build + solve over mts's parse + solve +
check; speed-up (solve) compares the two solves alone.

    .venv/bin/python benchmarks/market_speed.py [--sizes 10000x1000,100000x5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mts.staffing.market import check_stability, parse_instance, solve_market

Data = dict[str, Any]
PEER_MEMORY = 8 * 2**30


def make_market(n_people: int, n_roles: int, ranks: int, seed: int = 0) -> Data:
    """A JSON-shaped market of the kind described in the module docstring."""
    rng = np.random.default_rng(seed)
    picks = _distinct_rows(rng, n_people, n_roles, ranks)
    role_names = [f"r{j}" for j in range(n_roles)]
    person_names = [f"p{i}" for i in range(n_people)]
    people = {person_names[i]: [role_names[r] for r in row] for i, row in enumerate(picks.tolist())}
    owner = np.repeat(np.arange(n_people), ranks)
    order = np.lexsort((rng.random(owner.size), picks.ravel()))
    applicants = np.split(
        owner[order], np.cumsum(np.bincount(picks.ravel(), minlength=n_roles))[:-1]
    )
    capacity = max(1, n_people // n_roles)
    roles = {
        role_names[j]: {"capacity": capacity, "ranking": [person_names[i] for i in ids.tolist()]}
        for j, ids in enumerate(applicants)
    }
    return {"people": people, "roles": roles}


def _distinct_rows(rng: np.random.Generator, rows: int, high: int, width: int) -> np.ndarray:
    """``rows`` rows of ``width`` distinct integers below ``high``, redrawing rows with repeats."""
    picks = rng.integers(0, high, (rows, width))
    while True:
        ordered = np.sort(picks, axis=1)
        bad = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if bad.size == 0:
            return picks
        picks[bad] = rng.integers(0, high, (bad.size, width))


@dataclass
class Run:
    """One mts run: wall seconds per stage, CPU seconds of parse+solve+check, and the result."""

    load: float
    parse: float
    solve: float
    check: float
    cpu: float
    proposals: int
    matching: dict[str, str | None]

    @property
    def engine(self) -> float:
        return self.parse + self.solve + self.check


@dataclass
class OurTimes:
    """Median of each stage over the runs, the best total, and the last run's result."""

    load: float
    parse: float
    solve: float
    check: float
    cpu: float
    best: float
    proposals: int
    matching: dict[str, str | None]

    @property
    def engine(self) -> float:
        return self.parse + self.solve + self.check


def time_ours(text: str, repeats: int) -> OurTimes:
    """Run mts ``repeats`` times on the JSON text; keep each stage's median."""
    runs = [one_run(text) for _ in range(repeats)]
    return OurTimes(
        load=statistics.median(r.load for r in runs),
        parse=statistics.median(r.parse for r in runs),
        solve=statistics.median(r.solve for r in runs),
        check=statistics.median(r.check for r in runs),
        cpu=statistics.median(r.cpu for r in runs),
        best=min(r.engine for r in runs),
        proposals=runs[-1].proposals,
        matching=runs[-1].matching,
    )


def one_run(text: str) -> Run:
    """Load, parse, solve and check once; exit if the result is not stable."""
    clock = time.perf_counter
    t0 = clock()
    data = json.loads(text)
    t1, cpu = clock(), time.process_time()
    instance = parse_instance(data)
    t2 = clock()
    result = solve_market(instance)
    t3 = clock()
    report = check_stability(instance, result.matching)
    t4, cpu = clock(), time.process_time() - cpu
    if not report.is_stable:
        raise SystemExit(f"mts produced an unstable matching: {report}")
    return Run(t1 - t0, t2 - t1, t3 - t2, t4 - t3, cpu, result.proposals, dict(result.matching))


@dataclass
class PeerTimes:
    """The peer's build and solve seconds; None where it did not finish."""

    build: float | None
    solve: float | None
    matching: dict[str, str | None] | None
    note: str


def time_peer(path: Path, timeout: float) -> PeerTimes:
    """Run the peer on the instance file in a child process, killed after ``timeout`` seconds."""
    out = path.with_suffix(".peer.json")
    command = [sys.executable, __file__, "--peer-child", str(path), str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return PeerTimes(None, None, None, f"build not done after {timeout:.0f} s")
    if done.returncode != 0:
        return PeerTimes(None, None, None, f"failed: {done.stderr.strip().splitlines()[-1:]}")
    found = json.loads(out.read_text())
    return PeerTimes(found["build"], found["solve"], found["matching"], "")


def peer_child(path: Path, out: Path) -> None:
    """The child's side of ``time_peer``: build, solve, write timings and matching."""
    from matching.games import HospitalResident

    resource.setrlimit(resource.RLIMIT_AS, (PEER_MEMORY, PEER_MEMORY))
    data = json.loads(path.read_text())
    rankings = {role: spec["ranking"] for role, spec in data["roles"].items()}
    capacities = {role: spec["capacity"] for role, spec in data["roles"].items()}
    clock = time.perf_counter
    warnings.simplefilter("ignore")
    t0 = clock()
    game = on_deep_stack(
        lambda: HospitalResident.create_from_dictionaries(
            data["people"], rankings, capacities, clean=True
        )
    )
    t1 = clock()
    solved = game.solve(optimal="resident")
    t2 = clock()
    matching: dict[str, str | None] = dict.fromkeys(data["people"])
    for hospital, residents in solved.items():
        for resident in residents:
            matching[resident.name] = hospital.name
    out.write_text(json.dumps({"build": t1 - t0, "solve": t2 - t1, "matching": matching}))


def on_deep_stack(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a thread with a 1 GiB stack and a high recursion limit."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # re-raised in the main thread
            box["error"] = error

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(2**30)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def row(size: str, entries: int, ours: OurTimes, peer: PeerTimes | None, timeout: float) -> str:
    """One markdown table row."""
    peer_total = None if peer is None or peer.build is None else peer.build + (peer.solve or 0.0)
    cells = [
        size,
        f"{entries:,}",
        f"{ours.proposals:,}",
        f"{ours.parse:.3f}",
        f"{ours.solve:.3f}",
        f"{ours.check:.3f}",
        f"**{ours.engine:.3f}** ({ours.best:.3f})",
        f"{ours.cpu:.3f}",
        f"{ours.load + ours.engine:.3f}",
        _peer_cell(peer, "build"),
        _peer_cell(peer, "solve"),
        _speedup(peer_total, ours.engine, peer, f"> {timeout / ours.engine:,.0f}x"),
        _speedup(None if peer is None else peer.solve, ours.solve, peer, "-"),
        _identical(ours, peer),
    ]
    return "| " + " | ".join(cells) + " |"


def _peer_cell(peer: PeerTimes | None, stage: str) -> str:
    if peer is None:
        return "not run"
    value = getattr(peer, stage)
    return f"{value:.2f}" if value is not None else peer.note or "-"


def _speedup(theirs: float | None, mine: float, peer: PeerTimes | None, unfinished: str) -> str:
    if peer is None:
        return "-"
    return unfinished if theirs is None else f"{theirs / mine:,.0f}x"


def _identical(ours: OurTimes, peer: PeerTimes | None) -> str:
    if peer is None or peer.matching is None:
        return "-"
    return "yes" if peer.matching == ours.matching else "**NO**"


HEADER = (
    "| people x roles | list entries | proposals | parse | solve | check "
    "| parse+solve+check (best) | its CPU time | + json.loads | matching build | matching solve "
    "| speed-up (end to end) | speed-up (solve) | same matching |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    """Build each size, time mts and the peer, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000x1000,100000x5000")
    parser.add_argument("--ranks", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peer-timeout", type=float, default=120.0)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--peer-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer_child:
        peer_child(*args.peer_child)
        return
    print(HEADER)
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            n_people, n_roles = (int(x) for x in size.split("x"))
            text = json.dumps(make_market(n_people, n_roles, args.ranks))
            path = Path(folder) / f"market-{size}.json"
            path.write_text(text)
            ours = time_ours(text, args.repeats)
            peer = None if args.no_peer else time_peer(path, args.peer_timeout)
            label = f"{n_people:,} x {n_roles:,}"
            print(row(label, n_people * args.ranks, ours, peer, args.peer_timeout), flush=True)
    print(
        f"\nseconds; mts: median of {args.repeats} runs per stage (best total in brackets); "
        f"matching: one run, limit {args.peer_timeout:.0f} s, {PEER_MEMORY // 2**30} GiB."
    )


if __name__ == "__main__":
    main()
