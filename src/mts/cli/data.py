"""Commands over the store: schema, import, export and listings."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from mts.bootstrap import Application, bootstrap
from mts.cli.console import console, errors_console, progress_bar
from mts.domain.errors import MtsError
from mts.importers.files import read_file, render_records
from mts.importers.records import KINDS
from mts.services import records
from mts.services.records import RecordBatch


class Kind(StrEnum):
    """The kinds of record files mts reads and writes."""

    departments = "departments"
    people = "people"
    projects = "projects"
    roles = "roles"
    evidence = "evidence"
    interests = "interests"
    groundwork = "groundwork"


class FileFormat(StrEnum):
    """CSV or JSON; by default taken from the file's suffix."""

    csv = "csv"
    json = "json"


db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
people_app = typer.Typer(help="Members of technical staff.", no_args_is_help=True)
projects_app = typer.Typer(help="Projects and their roles.", no_args_is_help=True)


def open_application(*, require_schema: bool = True) -> Application:
    """The wired application; fails clearly when the database has no current schema."""
    application = bootstrap()
    if require_schema and not application.is_schema_current():
        raise MtsError(
            f"the database at {application.engine.url.render_as_string(hide_password=True)} "
            "is not initialised or not up to date; run `mts init` (or `mts db upgrade`)"
        )
    return application


def init() -> None:
    """Create the database schema (or bring it up to date)."""
    application = open_application(require_schema=False)
    application.upgrade_schema()
    url = application.engine.url.render_as_string(hide_password=True)
    console.print(f"database ready at {url}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database lacks."""
    init()


import_app = typer.Typer(
    help="Import records, git history, GitHub reviews or HR exports: all or nothing.",
    no_args_is_help=True,
)


def import_file(kind: Kind, path: Path, file_format: FileFormat | None, dry_run: bool) -> None:
    """Import records of ``kind`` from a file: all of it, or on any problem nothing."""
    application = open_application()
    parsed = read_file(KINDS[kind], path, file_format=file_format)
    parsed.raise_if_problems()
    batch = RecordBatch(kind=kind, file=path.name, values=parsed.values, rows=parsed.rows)
    with progress_bar(f"importing {kind}", len(batch.values)) as bar:
        report = records.import_records(
            application.unit_of_work,
            batch,
            dry_run=dry_run,
            progress=lambda n: bar.advance(bar.task_ids[0], n),
        )
    verb = "would add" if dry_run else "added"
    console.print(
        f"{report.file}: read {report.read} {kind}; {verb} {report.added}, "
        f"{'would update' if dry_run else 'updated'} {report.updated}"
        + (" (dry run: nothing written)" if dry_run else "")
    )


def _record_importer(kind: Kind) -> Callable[..., None]:
    def command(
        path: Path = typer.Argument(..., help="A CSV or JSON file.", show_default=False),
        file_format: FileFormat | None = typer.Option(
            None, "--format", help="Override the suffix."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
    ) -> None:
        import_file(kind, path, file_format, dry_run)

    command.__doc__ = f"Import {kind} from a CSV or JSON file (see docs/formats.md)."
    return command


for _kind in Kind:
    import_app.command(_kind.value)(_record_importer(_kind))


def export_file(
    kind: Kind = typer.Argument(..., help="What to export."),
    path: Path = typer.Argument(..., help="Where to write; '-' for standard output."),
    file_format: FileFormat | None = typer.Option(None, "--format", help="Override the suffix."),
) -> None:
    """Export records to a CSV or JSON file that `mts import` reads back."""
    application = open_application()
    values = records.export_records(application.unit_of_work, kind)
    chosen = file_format or (FileFormat.json if path.suffix == ".json" else FileFormat.csv)
    text = render_records(KINDS[kind], values, file_format=chosen)
    if str(path) == "-":
        typer.echo(text, nl=False)
        return
    path.write_text(text, encoding="utf-8")
    errors_console.print(f"wrote {len(values)} {kind} to {path}")


@people_app.command("list")
def people_list(
    department: str | None = typer.Option(None, help="Only this department's members."),
    limit: int = typer.Option(50, min=1, help="At most this many."),
    offset: int = typer.Option(0, min=0, help="Skip this many first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List members, by id."""
    application = open_application()
    people = records.list_people(
        application.unit_of_work, department=department, offset=offset, limit=limit
    )
    rows = [
        {
            "person_id": p.id,
            "name": p.name,
            "department": p.department,
            "skills": list(p.skills),
            "active": p.left is None,
        }
        for p in people
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "department", "skills", "active")
    for p in people:
        table.add_row(p.id, p.name, p.department, ", ".join(p.skills), "left" if p.left else "yes")
    console.print(table)


@projects_app.command("list")
def projects_list(
    status: str | None = typer.Option(None, help="Only projects in this status."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List projects with their roles and seats."""
    application = open_application()
    summaries = records.list_projects(application.unit_of_work, status=status)
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in summaries], indent=2))
        return
    table = Table("id", "title", "status", "roles", "seats", "FTE")
    for s in summaries:
        table.add_row(
            s.project.id,
            s.project.title,
            s.project.status,
            str(s.roles),
            str(s.seats),
            f"{s.fte:g}",
        )
    console.print(table)
