"""``mts market``: solve a two-sided market from a JSON file, offline.

Exit codes: 0 solved; 2 the file is unreadable, malformed or invalid (every
problem is listed); 1 the solver's own result failed its stability check,
which is a bug in mts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from mts.domain.errors import ImportRejected
from mts.staffing.market import (
    MarketInstance,
    MarketResult,
    StabilityReport,
    check_stability,
    parse_instance,
    solve_market,
)

app = typer.Typer(
    help="Two-sided market: people rank roles, leads rank people; people-proposing "
    "deferred acceptance gives the people-optimal stable matching.",
    no_args_is_help=True,
    add_completion=False,
)


class _DuplicateKey(ValueError):
    """A JSON object names the same key twice; json.loads would silently keep the last."""


@app.command()
def solve(
    instance: Annotated[
        Path,
        typer.Argument(
            metavar="INSTANCE.json",
            help='{"people": {"p1": ["r3", "r1"]}, "roles": {"r1": {"capacity": 2, '
            '"ranking": ["p7", "p1"]}}}; a nested list in a ranking is a tie.',
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the matching as JSON, not a summary.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the lottery that breaks ties.")] = 0,
) -> None:
    """Solve INSTANCE.json and check the result is stable."""
    started = time.perf_counter()
    market = _parse(_load(instance), instance)
    result = solve_market(market, seed=seed)
    report = check_stability(market, result.matching)
    seconds = time.perf_counter() - started
    if not report.is_stable:
        _fail(f"mts produced an unstable or invalid matching, please report it: {report}", code=1)
    if as_json:
        _print_json(result, report, seconds)
    else:
        _print_summary(market, result, report, seconds)


def _load(path: Path) -> object:
    """The parsed JSON of ``path``; exit 2 with the place of the fault when it is not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"{path}: cannot read the file: {error.strerror or error}")
    except UnicodeDecodeError as error:
        _fail(f"{path}: not UTF-8 text (bad byte at offset {error.start})")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        _fail(f"{path}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}")
    except _DuplicateKey as error:
        _fail(f"{path}: {error}")
    except RecursionError:
        _fail(f"{path}: JSON nested too deeply")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        raise _DuplicateKey(f"the key {_first_repeat(pairs)!r} appears twice in one JSON object")
    return obj


def _first_repeat(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _parse(data: object, path: Path) -> MarketInstance:
    try:
        return parse_instance(data, source=str(path))
    except ImportRejected as error:
        listed = "\n".join(f"  {problem}" for problem in error.problems)
        _fail(f"{len(error.problems)} problem(s) in {path}:\n{listed}")


def _fail(message: str, *, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _print_json(result: MarketResult, report: StabilityReport, seconds: float) -> None:
    payload = {
        "matching": result.matching,
        "blocking_pairs": len(report.blocking_pairs),
        "seconds": round(seconds, 6),
    }
    typer.echo(json.dumps(payload))


def _print_summary(
    market: MarketInstance, result: MarketResult, report: StabilityReport, seconds: float
) -> None:
    matched = sum(role is not None for role in result.matching.values())
    table = Table(title="Stable matching", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("people", len(market.people)),
        ("matched", matched),
        ("unmatched", len(market.people) - matched),
        ("roles", len(market.roles)),
        ("seats", int(market.capacity.sum())),
        ("proposals", result.proposals),
        ("blocking pairs", len(report.blocking_pairs)),
        ("seconds", f"{seconds:.3f}"),
    ]
    for measure, value in rows:
        table.add_row(measure, str(value))
    Console().print(table)
    typer.echo("Use --json for the full matching.")
