"""``mts bench gap`` reads a shared GAP instance and prints the documented JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mts.cli.app import main

GAP = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "gap"


def test_bench_gap_solves_gap1_to_its_known_optimum(capsys: pytest.CaptureFixture[str]) -> None:
    if not GAP.exists():
        pytest.skip(f"the shared GAP instances are not at {GAP}")
    with pytest.raises(SystemExit) as exited:
        main(["bench", "gap", str(GAP / "cattrysse1994" / "gap1-0"), "--time-limit=10", "--json"])
    assert exited.value.code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "optimal" and result["objective"] == 261.0
    assert len(result["assignment"]) == 15 and set(result["assignment"]) <= set(range(5))


def test_bench_gap_on_a_malformed_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2 3\n1 2\n")
    with pytest.raises(SystemExit) as exited:
        main(["bench", "gap", str(bad), "--json"])
    assert exited.value.code == 2 and "Traceback" not in capsys.readouterr().err
