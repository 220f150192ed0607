"""The root Typer app. Every command module registers here; ``main`` turns errors into exit codes.

Exit codes: 0 success, 1 other error, 2 invalid input (nothing was written),
3 not found, 4 conflict, 5 not allowed, 6 infeasible, 7 invalid life-cycle step,
8 the audit ledger is broken.
"""

from __future__ import annotations

from collections.abc import Sequence

import typer
from sqlalchemy.exc import SQLAlchemyError

from mts.cli import data, demo, history
from mts.cli.analytics import analytics_app, report
from mts.cli.audit import audit_app
from mts.cli.bench import bench_app
from mts.cli.console import errors_console, exit_code
from mts.cli.market import app as market_app
from mts.cli.merit import merit_app
from mts.cli.rounds import round_app, staff_app
from mts.cli.serve import serve
from mts.cli.simulate import simulate
from mts.cli.users import users_app
from mts.domain.errors import MtsError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="mts: staff projects by execution, not by rank.",
)
app.command("init")(data.init)
app.add_typer(data.import_app, name="import")
data.import_app.command("git")(history.import_git)
data.import_app.command("github")(history.import_github)
data.import_app.command("reviews")(history.import_reviews)
data.import_app.command("hr")(history.import_hr)
app.command("export")(data.export_file)
app.command("demo")(demo.demo)
app.command("serve")(serve)
app.add_typer(data.db_app, name="db")
app.add_typer(data.people_app, name="people")
app.add_typer(data.projects_app, name="projects")
app.add_typer(users_app, name="user")
app.add_typer(merit_app, name="merit")
app.add_typer(staff_app, name="staff")
app.add_typer(round_app, name="round")
app.add_typer(audit_app, name="audit")
app.add_typer(market_app, name="market")
app.add_typer(bench_app, name="bench")
app.add_typer(analytics_app, name="analytics")
app.command("report")(report)
app.command("simulate")(simulate)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; print one clear line, never a traceback, when something fails."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="mts")
    except MtsError as error:
        errors_console.print(f"[bold red]error:[/] {error.message}")
        raise SystemExit(exit_code(error)) from None
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None)
        detail = str(original) if original is not None else type(error).__name__
        errors_console.print(f"[bold red]database error:[/] {detail.splitlines()[0]}")
        raise SystemExit(1) from None
