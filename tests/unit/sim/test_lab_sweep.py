"""Sweeps: the same histories in this process, in a process pool and on Ray; the CLI around them."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mts.cli.simulate import simulate
from mts.domain.errors import InvalidInput
from mts.sim.assumptions import LabSettings
from mts.sim.sweep import run_sweep, sweep_jobs

TINY = LabSettings(people=40, quarters=2)
POLICIES = ["merit", "level-gated"]


@pytest.fixture(scope="module")
def serial():  # type: ignore[no-untyped-def]
    return run_sweep(TINY, POLICIES, [0, 1], workers=1)


def test_a_sweep_keeps_the_order_asked_for_whatever_order_runs_finish(serial) -> None:  # type: ignore[no-untyped-def]
    assert [(h.policy, h.seed) for h in serial.histories] == [
        ("merit", 0),
        ("merit", 1),
        ("level-gated", 0),
        ("level-gated", 1),
    ]
    assert [s.policy for s in serial.summaries()] == POLICIES


@pytest.mark.slow
def test_a_process_pool_gives_the_same_histories_as_one_process(serial) -> None:  # type: ignore[no-untyped-def]
    done: list[str] = []
    pooled = run_sweep(TINY, POLICIES, [0, 1], workers=2, on_done=lambda h: done.append(h.policy))
    assert pooled.histories == serial.histories
    assert sorted(done) == sorted(POLICIES * 2)


@pytest.mark.slow
def test_ray_gives_the_same_histories_as_one_process(serial) -> None:  # type: ignore[no-untyped-def]
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'mts[ray]'")
    assert not ray.is_initialized()
    on_own = run_sweep(TINY, POLICIES, [0, 1], ray_address="local")
    assert not ray.is_initialized(), "a Ray instance the sweep started is shut down"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_callers = run_sweep(TINY, POLICIES, [0, 1], ray_address="local")
        assert ray.is_initialized(), "a Ray instance the caller started is left running"
    finally:
        ray.shutdown()
    assert on_own.histories == serial.histories
    assert on_callers.histories == serial.histories


def test_asking_for_ray_without_it_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def without_ray(name: str, *args: object) -> object:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", without_ray)
    with pytest.raises(InvalidInput, match=r"pip install 'mts\[ray\]'"):
        run_sweep(TINY, POLICIES, [0], ray_address="local")


def test_a_sweep_refuses_unknown_policies_repeats_and_negative_seeds() -> None:
    with pytest.raises(InvalidInput) as caught:
        sweep_jobs(TINY, ["merit", "seniority", "merit"], [0, -1])
    message = caught.value.message
    assert "unknown policy 'seniority'" in message
    assert "must not repeat" in message
    assert "seeds must be >= 0" in message


def test_heavier_policies_run_first() -> None:
    jobs = sweep_jobs(TINY, ["level-gated", "oracle", "merit+explore"], [0])
    assert [j.policy for j in jobs] == ["merit+explore", "oracle", "level-gated"]


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(simulate)
    return app


def test_the_cli_prints_json_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "lab.html"
    args = ["--people", "40", "--quarters", "1", "--seeds", "1", "--workers", "1"]
    result = CliRunner().invoke(_cli(), [*args, "--json", "--html", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["policy"] for s in data["summaries"]] == [
        "level-gated",
        "merit",
        "merit+explore",
        "oracle",
    ]
    assert len(data["quarters"]) == 4
    assert report.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_the_cli_prints_the_tables_and_the_targets() -> None:
    args = ["--people", "40", "--quarters", "1", "--seeds", "1", "--workers", "1"]
    result = CliRunner().invoke(_cli(), [*args, "--policies", "merit,level-gated"])
    assert result.exit_code == 0, result.output
    for text in ("Decisions", "Merit, people and audit", "Targets", "failed 1/1", "passed 1/1"):
        assert text in result.stdout


def test_the_cli_rejects_an_unknown_policy() -> None:
    result = CliRunner().invoke(_cli(), ["--people", "40", "--policies", "seniority"])
    assert isinstance(result.exception, InvalidInput)
