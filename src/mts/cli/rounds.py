"""``mts staff round`` and ``mts round``: run, review, approve and override staffing rounds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import typer
from rich.table import Table

from mts.cli.console import console, progress_bar
from mts.cli.data import open_application
from mts.cli.operator import OPERATOR
from mts.domain.people import PersonId
from mts.domain.projects import RoleId
from mts.domain.staffing import Exploration, Mechanism
from mts.services import rounds

staff_app = typer.Typer(help="Staffing rounds: build and solve.", no_args_is_help=True)
round_app = typer.Typer(help="Review, approve and override rounds.", no_args_is_help=True)


def _now() -> datetime:
    return datetime.now(UTC)


@staff_app.command("round")
def staff_round(
    name: str = typer.Option(..., help="A unique name, e.g. 2026-Q4."),
    explore: Exploration = typer.Option(Exploration.UCB, help="ucb, thompson or none."),
    mechanism: Mechanism = typer.Option(Mechanism.OPTIMISER, help="optimiser or market."),
    seed: int = typer.Option(0, help="The same seed gives the same plan."),
    time_limit: float = typer.Option(60.0, min=0.1, help="Seconds the solver may take."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="The round's date (default: today)."
    ),
) -> None:
    """Build a draft round from the database, solve it, certify it and store the plan."""
    application = open_application()
    options = rounds.RoundOptions(
        exploration=explore, mechanism=mechanism, seed=seed, time_limit=time_limit
    )
    day = as_of.date() if as_of else date.today()
    created = rounds.create_round(
        application.unit_of_work, OPERATOR, name=name, as_of=day, options=options, now=_now()
    )
    with progress_bar(f"round {name}", 1.0) as bar:
        task = bar.task_ids[0]
        record = rounds.run_round(
            application.unit_of_work,
            OPERATOR,
            created.id,
            now=_now,
            report=lambda stage, done: bar.update(task, description=stage, completed=done),
        )
    print_summary(rounds.show_round(application.unit_of_work, record.round.id))


def print_summary(view: rounds.RoundView) -> None:
    """The headline of a round: seats, vacancies, solver quality, certificate."""
    record = view.record
    stats = record.stats
    vacancies: list[dict[str, Any]] = record.plan.get("vacancies", [])
    gap = stats.get("gap")
    gap_text = "n/a" if gap is None else f"{float(gap):.2%}"
    console.print(
        f"round [bold]{record.round.name}[/] ({record.round.status}): "
        f"{len(view.seats)} seats filled, {sum(int(v['seats']) for v in vacancies)} vacant; "
        f"objective {float(stats.get('objective', 0.0)):.3f}, gap {gap_text}, "
        f"{stats.get('method', '?')} in {float(stats.get('seconds', 0.0)):.2f}s; "
        f"level-blindness certificate: {record.certificate.get('verdict', 'none')}"
    )


@round_app.command("list")
def round_list() -> None:
    """Every round, newest first."""
    application = open_application()
    table = Table("name", "status", "as of", "seats", "certificate", "created by")
    for record in rounds.list_rounds(application.unit_of_work):
        seats = len(record.plan.get("seats", []))
        table.add_row(
            record.round.name,
            record.round.status,
            str(record.round.as_of),
            str(seats),
            str(record.certificate.get("verdict", "-")),
            record.created_by,
        )
    console.print(table)


@round_app.command("show")
def round_show(
    name: str = typer.Argument(..., help="The round's name or id."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole round as JSON."),
) -> None:
    """A round's plan seat by seat, with why each person holds their seat."""
    application = open_application()
    view = rounds.show_round(application.unit_of_work, name)
    if as_json:
        typer.echo(json.dumps(view.to_dict(), indent=2))
        return
    print_summary(view)
    table = Table("role", "seat", "person", "FTE", "value", "why")
    for assignment, why in view.seats:
        table.add_row(
            assignment.role,
            str(assignment.seat),
            assignment.person,
            f"{assignment.fte:g}",
            f"{assignment.value:.3f}",
            _why(why),
        )
    console.print(table)


def _why(why: dict[str, Any]) -> str:
    if "override" in why:
        return f"override: {why['override']['reason']}"
    return str(why.get("summary", ""))


@round_app.command("run")
def round_run(name: str = typer.Argument(..., help="A draft or failed round.")) -> None:
    """Run a draft round again (after a failure, for instance)."""
    application = open_application()
    with progress_bar(f"round {name}", 1.0) as bar:
        task = bar.task_ids[0]
        record = rounds.run_round(
            application.unit_of_work,
            OPERATOR,
            name,
            now=_now,
            report=lambda stage, done: bar.update(task, description=stage, completed=done),
        )
    print_summary(rounds.show_round(application.unit_of_work, record.round.id))


@round_app.command("approve")
def round_approve(name: str = typer.Argument(..., help="The round's name or id.")) -> None:
    """Approve a proposed round whose level-blindness certificate passed."""
    application = open_application()
    record = rounds.approve_round(application.unit_of_work, OPERATOR, name, now=_now())
    console.print(f"round {record.round.name} approved; its projects are now staffed")


@round_app.command("override")
def round_override(
    name: str = typer.Argument(..., help="The round's name or id."),
    role: str = typer.Option(..., help="The role whose seat changes."),
    person: str = typer.Option(..., help="Who takes the seat."),
    reason: str = typer.Option(..., help="Why (required; it is audited)."),
    seat: int | None = typer.Option(None, help="Which seat of the role (default: the first)."),
) -> None:
    """Replace the engine's pick on one seat; the reason and the change are audited."""
    application = open_application()
    override = rounds.override_seat(
        application.unit_of_work,
        OPERATOR,
        name,
        role=RoleId(role),
        person=PersonId(person),
        reason=reason,
        seat=seat,
        now=_now(),
    )
    console.print(
        f"{override.new_person} now holds a seat of {override.role} "
        f"(the engine chose {override.engine_person or 'nobody'}); recorded in the ledger"
    )
