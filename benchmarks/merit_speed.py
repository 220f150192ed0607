"""Speed and memory of ``MeritModel.fit`` from evidence columns: 100k, 1M and 10M rows.

The organisation is the one of ``merit_accuracy.py`` (team-local reviewers,
heavy-tailed activity, 1-3 skill tags per piece) with 20k people, 2k
reviewers and 30 skills; only the number of evidence rows grows.

Each size runs in two fresh processes: the first generates the evidence and
saves it as ``.npy`` files, the second loads them and fits, so that the peak
RSS reported (``ru_maxrss`` of the fitting process) is the input columns plus
the fit, not the generator. Times are wall-clock seconds of ``fit`` alone
(loading is reported separately). Target: 1M rows in < 20 s and < 2 GB.

Run: ``python benchmarks/merit_speed.py [--quick] [--rows 100000 1000000 ...]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

ARRAYS = (
    "person",
    "reviewer",
    "source",
    "skill_indptr",
    "skill_code",
    "skill_weight",
    "score",
    "day",
    "weight",
)
AS_OF = date(2026, 1, 1)


def generate(
    folder: Path, *, rows: int, people: int, reviewers: int, skills: int, seed: int
) -> None:
    """Write one organisation's evidence columns to ``folder`` (runs in its own process)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from merit_accuracy import organisation

    columns = organisation(
        people=people, reviewers=reviewers, rows=rows, skills=skills, seed=seed
    ).columns
    for name in ARRAYS:
        np.save(folder / f"{name}.npy", getattr(columns, name))
    vocabulary = {
        "people": list(columns.people),
        "reviewers": list(columns.reviewers),
        "skills": list(columns.skills),
        "sources": list(columns.sources),
    }
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary))


def fit(folder: Path) -> dict[str, float]:
    """Load the columns in ``folder``, fit, and measure (runs in its own process)."""
    from mts.merit.columns import EvidenceColumns
    from mts.merit.model import MeritModel

    start = time.perf_counter()
    vocabulary = json.loads((folder / "vocabulary.json").read_text())
    arrays = {name: np.load(folder / f"{name}.npy") for name in ARRAYS}
    columns = EvidenceColumns(**{k: tuple(v) for k, v in vocabulary.items()}, **arrays)
    loaded = time.perf_counter()
    model = MeritModel().fit(columns, as_of=AS_OF)
    done = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    h = model.hyperparameters_
    return {
        "rows": columns.n_rows,
        "load_s": loaded - start,
        "fit_s": done - loaded,
        "peak_rss_gb": rss,
        "iterations": h.iterations,
        "rated": len(model.table_.people),
    }


def _child(*args: str) -> str:
    command = [sys.executable, __file__, *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def measure(rows: int, *, people: int, reviewers: int, skills: int, seed: int) -> dict[str, float]:
    """Generate then fit ``rows`` rows, each in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="merit-speed-") as tmp:
        spec = json.dumps(
            {"rows": rows, "people": people, "reviewers": reviewers, "skills": skills, "seed": seed}
        )
        _child("--generate", tmp, spec)
        return json.loads(_child("--fit", tmp))


def main() -> None:
    """Print the scaling table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=2_000)
    parser.add_argument("--skills", type=int, default=30)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--fit", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), **json.loads(args.generate[1]))
        return
    if args.fit:
        print(json.dumps(fit(Path(args.fit))))
        return
    sizes = [100_000] if args.quick else args.rows
    print(f"{args.people} people, {args.reviewers} reviewers, {args.skills} skills\n")
    print("| rows | fit (s) | load (s) | peak RSS (GB) | EB updates | people rated |")
    print("|---:|---:|---:|---:|---:|---:|")
    for rows in sizes:
        r = measure(rows, people=args.people, reviewers=args.reviewers, skills=args.skills, seed=0)
        print(
            f"| {r['rows']:,} | {r['fit_s']:.1f} | {r['load_s']:.1f} | {r['peak_rss_gb']:.2f} "
            f"| {r['iterations']} | {r['rated']:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
