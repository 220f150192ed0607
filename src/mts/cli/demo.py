"""``mts demo``: build a synthetic organisation in the database and describe it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.table import Table

from mts.cli.console import console, progress_bar
from mts.cli.data import open_application
from mts.domain.errors import Conflict
from mts.services import demo as demo_service
from mts.sim.organisation import generate_organisation


def demo(
    people: int = typer.Option(300, min=1, max=200_000, help="How many members."),
    seed: int = typer.Option(7, help="The same seed gives the same organisation."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="The organisation's today (default: today)."
    ),
    fresh: bool = typer.Option(False, "--fresh", help="Empty the database first."),
) -> None:
    """Build a demo organisation and print a summary of it."""
    today = as_of.date() if as_of else date.today()
    application = open_application(require_schema=False)
    if fresh:
        application.reset_schema()
    else:
        application.upgrade_schema()
    with application.unit_of_work() as uow:
        if uow.people.count():
            raise Conflict("the database already holds people; pass --fresh to start over")
    org = generate_organisation(people=people, seed=seed, as_of=today)
    with progress_bar("storing the organisation", demo_service.record_count(org)) as bar:
        demo_service.store_organisation(
            application.unit_of_work, org, lambda n: bar.advance(bar.task_ids[0], n)
        )
    print_summary(demo_service.summarise_organisation(application.unit_of_work, as_of=today))
    logins = demo_service.create_demo_logins(application.unit_of_work, org, now=datetime.now(UTC))
    print_logins(logins)


def print_logins(logins: list[demo_service.DemoLogin]) -> None:
    """The demo's accounts, so that someone can log in to the web UI straight away."""
    table = Table("access", "email", "password", "member", title="Demo logins")
    for login in logins:
        table.add_row(login.role, login.email, login.password, login.person or "-")
    console.print(table)


def print_summary(summary: demo_service.OrganisationSummary) -> None:
    """Print the organisation's headline numbers as a table."""
    table = Table("", "", title="Demo organisation", show_header=False)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary.projects_by_status.items()))
    rows = [
        ("departments", str(summary.departments)),
        ("members", f"{summary.active} active, {summary.leavers} left"),
        ("re-hired (boomerangs)", str(summary.boomerangs)),
        ("members with little evidence", str(summary.newcomers)),
        ("projects", statuses),
        ("roles", f"{summary.roles} ({summary.lead_roles} lead), {summary.seats} seats"),
        (
            "evidence",
            f"{summary.evidence} pieces, {summary.first_evidence} to {summary.last_evidence}",
        ),
        ("interests", str(summary.interests)),
        ("groundwork records", str(summary.groundwork)),
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
