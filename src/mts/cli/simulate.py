"""``mts simulate``: run the policy lab and print how each staffing policy fares against the oracle.

Exit codes: 0 done; 2 invalid options (unknown policy, settings out of
range, Ray asked for but not installed).
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mts.cli.console import console, errors_console, progress_bar
from mts.domain.errors import InvalidInput
from mts.domain.staffing import Exploration
from mts.sim.assumptions import LabSettings
from mts.sim.lab import History
from mts.sim.policies import Policy
from mts.sim.report import percent, render_html
from mts.sim.sweep import SweepResult, run_sweep

ALL_POLICIES = ",".join(p.value for p in Policy)


def simulate(
    people: Annotated[int, typer.Option(help="Members of the generated organisation.")] = 500,
    quarters: Annotated[int, typer.Option(help="Quarters to simulate.")] = 4,
    policies: Annotated[
        str, typer.Option(help=f"Comma-separated, from: {ALL_POLICIES}.")
    ] = ALL_POLICIES,
    seeds: Annotated[int, typer.Option(help="Runs per policy (seeds first-seed, +1, ...).")] = 3,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole sweep as JSON instead of a table.")
    ] = False,
    html: Annotated[
        Path | None, typer.Option(help="Also write a self-contained HTML report with charts.")
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run on Ray ('auto', 'ray://host:10001', or 'local'); needs the ray extra.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (1: in this process).")] = 2,
    exploration: Annotated[
        Exploration, typer.Option(help="Exploration of merit+explore.")
    ] = Exploration.UCB,
    first_seed: Annotated[int, typer.Option(help="The first seed.")] = 0,
) -> None:
    """Simulate an organisation under each staffing policy and compare them with the oracle."""
    settings = LabSettings(people=people, quarters=quarters, exploration=exploration)
    chosen = [p.strip() for p in policies.split(",") if p.strip()]
    if seeds < 1:
        raise InvalidInput(f"--seeds must be >= 1, got {seeds}")
    seed_list = list(range(first_seed, first_seed + seeds))
    if workers > 1 and ray is None:
        # each worker runs one simulation; more BLAS threads than cores only contend
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
    started = time.perf_counter()
    result = _run(settings, chosen, seed_list, workers, ray)
    seconds = time.perf_counter() - started
    if html is not None:
        html.write_text(render_html(result), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(_finite({**result.to_dict(), "wall_seconds": seconds})))
        return
    _print(result, _sweep_time(result, seconds, "on Ray" if ray else f"{workers} worker(s)"))
    if html is not None:
        console.print(f"Report written to {html}")


def _run(
    settings: LabSettings, policies: list[str], seeds: list[int], workers: int, ray: str | None
) -> SweepResult:
    with progress_bar("simulating", total=len(policies) * len(seeds)) as bar:
        task = bar.task_ids[0]

        def done(history: History) -> None:
            bar.advance(task)

        return run_sweep(settings, policies, seeds, workers=workers, ray_address=ray, on_done=done)


def _print(result: SweepResult, timing: tuple[str, str, str]) -> None:
    s = result.settings
    console.print(
        f"Policy lab: {s.people} people, {s.quarters} quarters, seeds "
        f"{', '.join(str(x) for x in result.seeds)}; values in sds of ability, regret against "
        "the oracle in the same world"
    )
    console.print(_decisions(result))
    console.print(_health(result))
    console.print(_targets(result, timing))
    dropped = sum(x.quotas_dropped for x in result.summaries())
    if dropped:
        errors_console.print(
            f"note: stretch quotas could not all hold in {dropped} round(s); "
            "those rounds ran without them"
        )


def _decisions(result: SweepResult) -> Table:
    last = result.settings.quarters
    table = Table(title="Decisions")
    for k, header in enumerate(
        (
            "policy",
            "value/q",
            "oracle/q",
            "regret",
            f"regret Q{last}",
            "newcomer leads",
            "top ability",
        )
    ):
        table.add_column(header, justify="left" if k == 0 else "right", no_wrap=k == 0)
    for x in result.summaries():
        table.add_row(
            x.policy,
            f"{x.value:.1f}",
            f"{x.oracle_value:.1f}",
            percent(x.regret_share),
            percent(x.regret_at(last)),
            percent(x.newcomer_lead_share),
            percent(x.newcomer_top_share),
        )
    return table


def _health(result: SweepResult) -> Table:
    table = Table(title="Merit, people and audit")
    for k, header in enumerate(("policy", "merit RMSE", "merit rho", "attrition/q", "certificate")):
        table.add_column(header, justify="left" if k == 0 else "right", no_wrap=k == 0)
    for x in result.summaries():
        runs = x.certificates_passed + x.certificates_failed
        verdict = (
            f"failed {x.certificates_failed}/{runs}"
            if x.certificates_failed
            else (f"passed {x.certificates_passed}/{runs}" if runs else "not run")
        )
        table.add_row(
            x.policy,
            f"{x.merit_rmse:.3f}",
            f"{x.merit_rank_corr:.3f}",
            percent(x.attrition),
            verdict,
        )
    return table


def _targets(result: SweepResult, timing: tuple[str, str, str]) -> Table:
    table = Table(title="Targets")
    for header in ("target", "measured", "goal"):
        table.add_column(header)
    table.add_column("verdict", no_wrap=True)
    for t in result.targets():
        verdict = "not measured" if t.met is None else "met" if t.met else "missed"
        table.add_row(t.name, t.measured, t.goal, verdict)
    table.add_row("sweep of 2,000 people x 8 quarters x 3 policies x 10 seeds", *timing)
    return table


def _sweep_time(result: SweepResult, seconds: float, where: str) -> tuple[str, str, str]:
    """The sweep-time target's row: judged only on a sweep of exactly the target's size."""
    s = result.settings
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    measured = f"{seconds / 60:.1f} min, {where}, {os.cpu_count()} cores, load {load}"
    sized = (s.people, s.quarters, len(result.policies), len(result.seeds)) == (2000, 8, 3, 10)
    verdict = ("met" if seconds < 600 else "missed") if sized else "not this sweep's size"
    return measured, "< 10 minutes on 2 cores", verdict


def _finite(value: object) -> object:
    """NaN and infinities as None, so that the JSON is standard."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
