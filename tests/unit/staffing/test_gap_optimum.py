"""Known optima: every Cattrysse (gap1-gap12) and every 100-job Chu-Beasley a/b/c instance.

The instances and their optima (``data.csv``) live in ``../shared/benchmarks/gap/``,
beside the repository root. Exact runs use HiGHS with ``mip_rel_gap = 0``.
"""

from __future__ import annotations

import csv
import fnmatch
from pathlib import Path

import pytest

from mts.staffing.gap import read_gap, solve_gap

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "gap"
needs_data = pytest.mark.skipif(
    not (DATA / "data.csv").exists(),
    reason=f"GAP benchmark data not found at {DATA} (the shared folder beside the repo root)",
)


def known_optima(*patterns: str) -> list[tuple[str, float]]:
    """(path, optimum) for every data.csv row whose path matches one of ``patterns``."""
    if not (DATA / "data.csv").exists():
        return []
    with (DATA / "data.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (row["Path"], float(row["Optimum"]))
        for row in rows
        if row["Optimum"] and any(fnmatch.fnmatch(row["Path"], p) for p in patterns)
    ]


QUICK = ["cattrysse1994/gap1-0", "cattrysse1994/gap8-2", "chu1997/a05100"]
CATTRYSSE = known_optima("cattrysse1994/gap*")
CHU_100 = known_optima("chu1997/[abc]??100")


@needs_data
def test_the_data_holds_sixty_cattrysse_and_nine_chu_beasley_optima() -> None:
    assert len(CATTRYSSE) == 60
    assert len(CHU_100) == 9


@needs_data
@pytest.mark.parametrize(("path", "optimum"), [x for x in CATTRYSSE + CHU_100 if x[0] in QUICK])
def test_small_instances_end_at_their_known_optimum(path: str, optimum: float) -> None:
    result = solve_gap(read_gap((DATA / path).read_text()), time_limit=60, exact=True)
    assert result.status == "optimal"
    assert result.objective == optimum
    assert result.lower_bound == optimum


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize(("path", "optimum"), [x for x in CATTRYSSE + CHU_100 if x[0] not in QUICK])
def test_every_cattrysse_and_100_job_chu_beasley_instance_ends_at_its_optimum(
    path: str, optimum: float
) -> None:
    instance = read_gap((DATA / path).read_text())
    result = solve_gap(instance, time_limit=60, exact=True)
    assert result.status == "optimal"
    assert result.objective == optimum
    assert sum(instance.costs[i, j] for j, i in enumerate(result.assignment)) == optimum
