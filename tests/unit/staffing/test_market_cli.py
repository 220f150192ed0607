"""``mts market solve``: a file in, a matching out, clear words and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from mts.cli.market import app as market_app

root = typer.Typer()
root.add_typer(market_app, name="market")
runner = CliRunner()

INSTANCE = {
    "people": {"p1": ["r1"], "p2": ["r1", "r2"], "p3": ["r1"]},
    "roles": {
        "r1": {"capacity": 1, "ranking": ["p1", "p2", "p3"]},
        "r2": {"capacity": 1, "ranking": ["p2"]},
    },
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "instance.json"
    path.write_text(text, encoding="utf-8")
    return path


def solve(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(root, ["market", "solve", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_has_the_matching_and_no_blocking_pair(tmp_path: Path) -> None:
    code, out, _ = solve(str(write(tmp_path, json.dumps(INSTANCE))), "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["matching"] == {"p1": "r1", "p2": "r2", "p3": None}
    assert payload["blocking_pairs"] == 0
    assert payload["seconds"] >= 0


def test_summary_table_counts_the_matched(tmp_path: Path) -> None:
    code, out, _ = solve(str(write(tmp_path, json.dumps(INSTANCE))))
    assert code == 0
    assert "matched" in out
    assert "blocking pairs" in out


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{"people": {"p1": ["r1"],\n  "p2": ["r1" "r2"]}}')
    code, _, err = solve(str(path), "--json")
    assert code == 2
    assert f"{path}: malformed JSON at line 2, column 15" in err
    assert "Traceback" not in err


def test_duplicate_json_key_is_not_silently_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, '{"people": {"p1": [], "p1": ["r1"]}, "roles": {}}')
    code, _, err = solve(str(path))
    assert code == 2
    assert "'p1' appears twice" in err


def test_every_validation_problem_is_listed(tmp_path: Path) -> None:
    bad = {
        "people": {"p1": ["r1", "r1", "r9"]},
        "roles": {"r1": {"capacity": 0, "ranking": ["p1", "p3"]}},
    }
    code, _, err = solve(str(write(tmp_path, json.dumps(bad))), "--json")
    assert code == 2
    assert "4 problem(s)" in err
    for column in ("people.p1[1]", "people.p1[2]", "roles.r1.capacity", "roles.r1.ranking[1]"):
        assert column in err


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = solve(str(tmp_path / "absent.json"))
    assert code == 2
    assert "absent.json: cannot read the file" in err


def test_seed_option_breaks_ties(tmp_path: Path) -> None:
    tied = {
        "people": {"a": ["r"], "b": ["r"]},
        "roles": {"r": {"capacity": 1, "ranking": [["a", "b"]]}},
    }
    path = str(write(tmp_path, json.dumps(tied)))

    def winner(seed: int) -> str:
        matching = json.loads(solve(path, "--json", "--seed", str(seed))[1])["matching"]
        return next(person for person, role in matching.items() if role is not None)

    assert {winner(seed) for seed in range(12)} == {"a", "b"}
