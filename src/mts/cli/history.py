"""``mts import git|github|reviews|hr``: evidence and people from an organisation's own records.

Each function is a Typer command; ``cli/app.py`` routes ``mts import KIND``
to them. Every import is one transaction: on any problem it prints every
problem (file, row, column) and writes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from mts.cli.console import console, progress_bar
from mts.cli.data import FileFormat, open_application
from mts.domain.errors import InvalidInput
from mts.domain.people import DepartmentId
from mts.importers import fields
from mts.importers.files import read_file
from mts.importers.git import GitHistory, GitStats
from mts.importers.git_repository import Repository
from mts.importers.github import GithubStats, read_github, read_logins
from mts.importers.hr import read_hr
from mts.importers.records import EVIDENCE
from mts.importers.skills import PathSkills, read_skills_map
from mts.services import history
from mts.services.history import DEFAULT_DEPARTMENT, HistoryReport, HrReport
from mts.services.records import RecordBatch

_SHOWN = 20

_DEPARTMENT = typer.Option(
    DEFAULT_DEPARTMENT,
    "--department",
    help="Home department of people new to mts (created if missing).",
)
_DRY_RUN = typer.Option(False, "--dry-run", help="Do everything but write.")


def _day(option: str, value: str | None) -> date | None:
    try:
        return fields.iso_date(value) if value else None
    except fields.FieldError as error:
        raise InvalidInput(f"{option}: expected {error.expected}, found {value!r}") from None


def _department(value: str) -> DepartmentId:
    try:
        return DepartmentId(fields.identifier(value))
    except fields.FieldError as error:
        raise InvalidInput(f"--department: expected {error.expected}, found {value!r}") from None


def import_git(
    path: Path = typer.Argument(..., help="A git work tree or bare repository."),
    since: str | None = typer.Option(None, "--since", help="Only commits dated on or after."),
    until: str | None = typer.Option(None, "--until", help="Only commits dated on or before."),
    skills_map: Path | None = typer.Option(
        None, "--skills-map", help="CSV of path patterns and the skills they exercise."
    ),
    department: str = _DEPARTMENT,
    dry_run: bool = _DRY_RUN,
) -> None:
    """Import a repository's history: commits, review trailers, merges, reverts and fixes."""
    home = _department(department)
    window = {"since": _day("--since", since), "until": _day("--until", until)}
    rules = read_skills_map(skills_map) if skills_map else ()
    application = open_application()
    reader = GitHistory(Repository(path), skills=PathSkills(rules), **window)
    with progress_bar(f"importing {reader.repository.name}", reader.count()) as bar:
        report = history.import_history(
            application.unit_of_work,
            reader.source,
            reader.items(),
            department=home,
            dry_run=dry_run,
            progress=lambda n: bar.advance(bar.task_ids[0], n),
        )
    _print_git(reader.stats, report.origin)
    _print_history(report)


def import_github(
    path: Path = typer.Argument(
        ..., help="A JSON file, or a directory of them, of `gh api` pull requests and reviews."
    ),
    logins: Path | None = typer.Option(
        None, "--logins", help="CSV with columns login,email mapping GitHub logins to people."
    ),
    department: str = _DEPARTMENT,
    dry_run: bool = _DRY_RUN,
) -> None:
    """Import pull requests: review verdicts, merges and pull requests closed unmerged."""
    home = _department(department)
    export = read_github(path, logins=read_logins(logins) if logins else None)
    application = open_application()
    with progress_bar(f"importing {export.origin}", export.count()) as bar:
        report = history.import_history(
            application.unit_of_work,
            export.source,
            export.items(),
            department=home,
            dry_run=dry_run,
            progress=lambda n: bar.advance(bar.task_ids[0], n),
        )
    _print_github(export.stats, report.origin)
    _print_history(report)


def import_reviews(
    path: Path = typer.Argument(..., help="An evidence file (CSV or JSON)."),
    file_format: FileFormat | None = typer.Option(None, "--format", help="Override the suffix."),
    dry_run: bool = _DRY_RUN,
) -> None:
    """Import peer reviews in the evidence format; people may be given by id or by email."""
    parsed = read_file(EVIDENCE, path, file_format=file_format)
    parsed.raise_if_problems()
    application = open_application()
    batch = RecordBatch(kind="evidence", file=path.name, values=parsed.values, rows=parsed.rows)
    with progress_bar("importing reviews", len(batch.values)) as bar:
        report = history.import_reviews(
            application.unit_of_work,
            batch,
            dry_run=dry_run,
            progress=lambda n: bar.advance(bar.task_ids[0], n),
        )
    verb = "would add" if dry_run else "added"
    console.print(
        f"{report.file}: read {report.read} reviews; {verb} {report.added}, "
        f"{report.updated} already stored" + _dry(dry_run)
    )


def import_hr(
    path: Path = typer.Argument(..., help="An HR export, one row per stint (CSV or JSON)."),
    file_format: FileFormat | None = typer.Option(None, "--format", help="Override the suffix."),
    dry_run: bool = _DRY_RUN,
) -> None:
    """Import people from HR: departments, joins, leaves, re-hires and protected attributes."""
    employees = read_hr(path, file_format=file_format)
    application = open_application()
    report = history.import_employees(
        application.unit_of_work, employees, file=path.name, dry_run=dry_run
    )
    _print_hr(report)


# -- reports ------------------------------------------------------------------------


def _dry(dry_run: bool) -> str:
    return " (dry run: nothing written)" if dry_run else ""


def _print_git(stats: GitStats, origin: str) -> None:
    console.print(
        f"{origin}: read {stats.commits} commits: {stats.work_items} work items, "
        f"{stats.merges} merges ({stats.merged_branches} branches accepted), "
        f"{stats.reverts} reverts, {stats.fixes} Fixes: trailers"
    )
    skipped = {
        "by bots": stats.bot_commits,
        "without a usable author email": stats.unusable_author,
        "touching no skill": stats.without_skills,
        "dated outside the window": stats.outside_window,
    }
    if any(skipped.values()):
        console.print("  left out: " + ", ".join(f"{n} {why}" for why, n in skipped.items() if n))
    if stats.unresolved:
        shown = ", ".join(stats.unresolved[:_SHOWN])
        console.print(
            f"  {len(stats.unresolved)} revert/Fixes targets not in the repository: {shown}"
        )


def _print_github(stats: GithubStats, origin: str) -> None:
    console.print(
        f"{origin}: read {stats.pulls} pull requests and {stats.reviews} reviews "
        f"({stats.verdicts} verdicts); left out {stats.bot_pulls} pull requests and "
        f"{stats.bot_reviews} reviews by bots, {stats.orphan_reviews} reviews of pull "
        "requests not in the export"
    )


def _print_history(report: HistoryReport) -> None:
    verb = "would add" if report.dry_run else "added"
    console.print(
        f"{report.origin}: {report.judgements} pieces of {report.source} evidence; "
        f"{verb} {report.added} evidence, {report.already_stored} already stored"
        + _dry(report.dry_run)
    )
    created = sorted(report.people_created, key=lambda p: p.person)
    where = f" in {created[0].department}" if created else ""
    console.print(
        f"{report.people_matched} people matched by email; {len(created)} people created{where}"
        + (" (a new department)" if report.department_created else "")
    )
    if created:
        table = Table("new person", "name", "email", title="not in HR yet: place them")
        for person in created[:_SHOWN]:
            table.add_row(person.person, person.name, person.email)
        console.print(table)
        if len(created) > _SHOWN:
            console.print(f"... and {len(created) - _SHOWN} more")
    _print_ambiguous(report.ambiguous)


def _print_ambiguous(ambiguous: tuple[history.AmbiguousMatch, ...]) -> None:
    if not ambiguous:
        return
    table = Table("name", "people", "emails", "why", title="ambiguous identities")
    for match in ambiguous:
        table.add_row(match.name, ", ".join(match.people), ", ".join(match.emails), match.reason)
    console.print(table)


def _print_hr(report: HrReport) -> None:
    verb = "would add" if report.dry_run else "added"
    console.print(
        f"{report.file}: read {report.employees} employees ({report.rehires} re-hired, "
        f"{report.leavers} left); {verb} {report.added}, updated {report.updated}"
        + _dry(report.dry_run)
    )
    if report.departments_created:
        console.print("new departments: " + ", ".join(report.departments_created))
    for employee, person in report.matched_by_email:
        console.print(f"  employee {employee} is stored member {person} (same email)")
    _print_ambiguous(report.ambiguous)
