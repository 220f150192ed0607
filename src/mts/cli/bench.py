"""``mts bench gap``: the staffing solver on one Generalized Assignment Problem instance."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mts.cli.console import console
from mts.domain.errors import InvalidInput
from mts.staffing.gap import read_gap, solve_gap

bench_app = typer.Typer(help="Benchmark interfaces of the engines.", no_args_is_help=True)


@bench_app.command("gap")
def gap(
    path: Path = typer.Argument(..., help="'m n', the cost rows, the weight rows, the capacities."),
    time_limit: float = typer.Option(10.0, min=0.01, help="Seconds the solver may take."),
    seed: int = typer.Option(0, help="The same seed gives the same answer."),
    exact: bool = typer.Option(False, help="Prove optimality (mip_rel_gap=0); may take long."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Minimise cost, every job to one agent, capacities respected; report the bound and gap."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from None
    result = solve_gap(read_gap(text), time_limit=time_limit, seed=seed, exact=exact)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    console.print(
        f"{path.name}: {result.status}, objective {result.objective}, "
        f"lower bound {result.lower_bound}, {result.seconds:.2f}s"
    )
