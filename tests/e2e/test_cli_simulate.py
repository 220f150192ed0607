"""``mts simulate`` end to end through the real entry point: JSON, the HTML report, bad options."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from mts.cli.app import main

POLICIES = ["level-gated", "merit", "merit+explore", "oracle"]
SMALL = ["--people", "40", "--quarters", "2", "--seeds", "2", "--workers", "1"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    """One small sweep of every policy, run once for the module: its JSON and its report."""
    report = tmp_path_factory.mktemp("lab") / "lab.html"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), pytest.raises(SystemExit) as exit_:
        main(["simulate", *SMALL, "--json", "--html", str(report)])
    assert exit_.value.code == 0
    return json.loads(printed.getvalue()), report.read_text(encoding="utf-8")


def test_the_json_has_every_policy_every_quarter_and_the_settings(sweep) -> None:  # type: ignore[no-untyped-def]
    data, _ = sweep
    assert [s["policy"] for s in data["summaries"]] == POLICIES
    assert data["policies"] == POLICIES and data["seeds"] == [0, 1]
    assert data["settings"]["people"] == 40 and data["settings"]["quarters"] == 2
    assert len(data["quarters"]) == len(POLICIES) * 2 * 2
    assert data["wall_seconds"] > 0


def test_the_oracle_has_zero_regret_and_nobody_beats_it(sweep) -> None:  # type: ignore[no-untyped-def]
    data, _ = sweep
    oracle = next(s for s in data["summaries"] if s["policy"] == "oracle")
    assert oracle["regret_share"] == 0.0
    assert all(share == 0.0 for share in oracle["by_quarter"])
    for quarter in data["quarters"]:
        assert quarter["regret"] >= -1e-6 * max(1.0, abs(quarter["oracle_value"]))


def test_the_certificate_fails_level_gated_and_passes_the_others(sweep) -> None:  # type: ignore[no-untyped-def]
    data, _ = sweep
    verdicts: dict[str, set[str]] = {}
    for quarter in data["quarters"]:
        verdicts.setdefault(quarter["policy"], set()).add(quarter["certificate"])
    assert verdicts == {
        "level-gated": {"failed"},
        "merit": {"passed"},
        "merit+explore": {"passed"},
        "oracle": {"passed"},
    }


def test_the_report_is_one_self_contained_page_with_charts(sweep) -> None:  # type: ignore[no-untyped-def]
    _, page = sweep
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert page.count("<svg") >= 5 and page.count("<polyline") >= len(POLICIES)
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href|url\()\s*=?\s*["']?(https?:)?//""", page)
    for policy in POLICIES:
        assert policy in page
    assert "Targets" in page


def test_the_table_names_each_policy_and_each_target(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("simulate", *SMALL, "--policies", "merit,level-gated")
    assert code == 0, err
    for text in ("Decisions", "Merit, people and audit", "Targets", "merit", "level-gated"):
        assert text in out
    assert "failed 4/4" in out and "passed 4/4" in out
    assert "not this sweep's size" in out


def test_an_unknown_policy_exits_2_with_one_clear_line(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("simulate", "--people", "40", "--policies", "merit,seniority")
    assert code == 2
    assert "unknown policy 'seniority'" in err
    assert "level-gated, merit, merit+explore, oracle" in err
    assert "Traceback" not in err and out == ""


def test_settings_out_of_range_exit_2_naming_each_problem(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("simulate", "--people", "5", "--quarters", "0", "--seeds", "1")
    assert code == 2
    assert "people must be >= 20" in err and "quarters must be >= 1" in err
    assert "Traceback" not in err
