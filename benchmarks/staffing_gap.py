"""GAP benchmark: mts's ``solve_gap`` against HiGHS alone and OR-Tools CP-SAT, same limits.

Instances: every row of ``data.csv`` in ``../shared/benchmarks/gap/`` (the
folder beside the repository root), plus seeded random Chu-Beasley type D
instances (200 agents x 2,000 jobs; ``w ~ U[1,100]``, ``c = 111 - w + U[-10,10]``,
``b_i = floor(0.8 sum_j w_ij / m)``), named ``random/d200x2000-s<seed>``, whose
reference value is the LP bound (marked ``*``).

Each solver gets the same wall-clock limit and runs one after another:

- mts: ``solve_gap(instance, time_limit=L)`` (heuristic mode; ``--exact`` for exact mode);
- HiGHS: the plain binary model, ``mip_rel_gap = 0``, ``time_limit = L``;
- CP-SAT: the same model, ``max_time_in_seconds = L``, 2 workers.

Prints one row per instance (value and % above the best known value) and the
mean gap per family and solver. Run from the repository root::

    .venv/bin/python benchmarks/staffing_gap.py --quick
    .venv/bin/python benchmarks/staffing_gap.py --limit 10 --instances '*/[de]*'
    .venv/bin/python benchmarks/staffing_gap.py --limit 60 --instances 'yagiura2004/d*1600'
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import math
import os
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mts.staffing.gap import GapInstance, read_gap, solve_gap
from mts.staffing.gap_highs import branch_and_bound, solve_relaxation

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "gap"
QUICK = [
    "cattrysse1994/gap12-4", "chu1997/a20200", "chu1997/b20200", "chu1997/c20200",
    "chu1997/d20100", "yagiura2004/e20200", "yagiura2004/d801600", "yagiura2004/e801600",
]
SOLVERS = ("mts", "highs", "cpsat")


@dataclass
class Row:
    """One instance's results; ``reference`` is the best known value (or the LP bound)."""

    instance: str
    family: str
    m: int
    n: int
    reference: float
    reference_is_bound: bool
    values: dict[str, float | None]
    seconds: dict[str, float]


def random_type_d(m: int, n: int, seed: int) -> GapInstance:
    """A Chu-Beasley type D instance (generator in the data README)."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 101, size=(m, n)).astype(float)
    c = 111 - w + rng.integers(-10, 11, size=(m, n))
    b = np.floor(0.8 * w.sum(axis=1) / m)
    return GapInstance(costs=c, weights=w, capacities=b)


def family(path: str) -> str:
    """gap1-12, a, b, c, d, e or random-d."""
    if path.startswith("cattrysse"):
        return "gap1-12"
    if path.startswith("random"):
        return "random-d"
    return Path(path).name[0]


def catalogue(args: argparse.Namespace) -> list[tuple[str, float | None]]:
    """(path, best known) for every instance to run, in data.csv order, randoms last."""
    with (DATA / "data.csv").open(newline="") as f:
        rows = [(r["Path"], float(r["Best known solution value"])) for r in csv.DictReader(f)]
    randoms: list[tuple[str, float | None]] = [
        (f"random/d200x2000-s{s}", None) for s in range(args.random)
    ]
    every = rows + randoms
    if args.quick:
        every = [r for r in every if r[0] in QUICK or r[0].startswith("random")]
    if args.instances:
        every = [r for r in every if any(fnmatch.fnmatch(r[0], g) for g in args.instances)]
    return every


def load(path: str) -> GapInstance:
    if path.startswith("random/"):
        return random_type_d(200, 2000, int(path.rsplit("-s", 1)[1]))
    return read_gap((DATA / path).read_text())


def run_mts(instance: GapInstance, limit: float, exact: bool) -> float | None:
    return solve_gap(instance, time_limit=limit, exact=exact).objective


def run_highs(instance: GapInstance, limit: float) -> float | None:
    outcome = branch_and_bound(instance.costs, instance.weights, instance.capacities,
                               start=None, time_limit=limit)
    a = outcome.assignment
    return None if a is None else float(instance.costs[a, np.arange(instance.n)].sum())


def run_cpsat(instance: GapInstance, limit: float) -> float | None:
    """CP-SAT on the binary model (integer data assumed, as in every benchmark file)."""
    from ortools.sat.python import cp_model

    m, n = instance.m, instance.n
    c = np.rint(instance.costs).astype(int)
    w = np.rint(instance.weights).astype(int)
    model = cp_model.CpModel()
    x = [[model.NewBoolVar(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.AddExactlyOne(x[i][j] for i in range(m))
    for i in range(m):
        model.Add(sum(int(w[i, j]) * x[i][j] for j in range(n)) <= int(instance.capacities[i]))
    model.Minimize(sum(int(c[i, j]) * x[i][j] for i in range(m) for j in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return float(solver.ObjectiveValue())


def measure(path: str, best: float | None, args: argparse.Namespace) -> Row:
    instance = load(path)
    reference = best
    if reference is None:
        relaxation = solve_relaxation(instance.costs, instance.weights, instance.capacities,
                                      time_limit=600)
        reference = math.ceil((relaxation.bound or 0.0) - 1e-6)
    values: dict[str, float | None] = {}
    seconds: dict[str, float] = {}
    for solver in args.solvers:
        start = time.perf_counter()
        if solver == "mts":
            values[solver] = run_mts(instance, args.limit, args.exact)
        elif solver == "highs":
            values[solver] = run_highs(instance, args.limit)
        else:
            values[solver] = run_cpsat(instance, args.limit)
        seconds[solver] = time.perf_counter() - start
    return Row(path, family(path), instance.m, instance.n, float(reference), best is None,
               values, seconds)


def gap(value: float | None, reference: float) -> float | None:
    """Percent above the reference; None when no solution was found."""
    return None if value is None else 100.0 * (value - reference) / abs(reference)


def fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_row(row: Row, solvers: tuple[str, ...]) -> None:
    ref = f"{row.reference:.0f}" + ("*" if row.reference_is_bound else "")
    cells = [f"{row.instance:<26}", f"{ref:>9}"]
    for s in solvers:
        v = row.values[s]
        cells += [f"{fmt(v, 0):>9}", f"{fmt(gap(v, row.reference)):>7}", f"{row.seconds[s]:6.1f}"]
    print(" ".join(cells), flush=True)


def print_header(solvers: tuple[str, ...]) -> None:
    cells = [f"{'instance':<26}", f"{'best':>9}"]
    for s in solvers:
        cells += [f"{s:>9}", f"{'gap%':>7}", f"{'s':>6}"]
    print(" ".join(cells))


def print_families(rows: list[Row], solvers: tuple[str, ...]) -> None:
    """Mean % above best known per family and solver (a missing solution counts as missing)."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.family].append(row)
    print()
    print(f"{'family':<10} {'count':>5} " + " ".join(f"{s + ' mean':>11} {'max':>7} {'none':>4}"
                                              for s in solvers))
    for name, members in groups.items():
        cells = [f"{name:<10}", f"{len(members):>5}"]
        for s in solvers:
            gaps = [g for g in (gap(r.values[s], r.reference) for r in members) if g is not None]
            missing = len(members) - len(gaps)
            cells += [f"{fmt(float(np.mean(gaps)) if gaps else None):>11}",
                      f"{fmt(max(gaps) if gaps else None):>7}", f"{missing:>4}"]
        print(" ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per solver and instance")
    parser.add_argument("--quick", action="store_true", help="one or two instances per family")
    parser.add_argument("--instances", nargs="*", help="glob(s) on data.csv paths or random/*")
    parser.add_argument("--random", type=int, default=1, help="random 200x2000 type D instances")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="comma list, e.g. mts,highs")
    parser.add_argument("--exact", action="store_true", help="run mts in exact mode")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    args = parser.parse_args()
    args.solvers = tuple(s for s in args.solvers.split(",") if s)
    if not (DATA / "data.csv").exists():
        sys.exit(f"GAP data not found at {DATA}")
    print(f"GAP benchmark: limit {args.limit:g} s per solver, {os.cpu_count()} cpu(s), "
          f"solvers run one after another")
    print_header(args.solvers)
    rows = []
    for path, best in catalogue(args):
        row = measure(path, best, args)
        print_row(row, args.solvers)
        rows.append(row)
    print_families(rows, args.solvers)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
