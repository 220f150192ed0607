"""``mts audit``: verify the ledger and print the audit reports."""

from __future__ import annotations

import json
from typing import Protocol

import typer

from mts.cli.console import console, errors_console
from mts.cli.data import open_application
from mts.services import audits, ledger

audit_app = typer.Typer(help="The audit: ledger, parity, halo, overrides.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check that no ledger entry was edited, deleted, inserted or reordered."""
    application = open_application()
    verdict = ledger.verify_ledger(application.unit_of_work)
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2))
    elif verdict.ok:
        console.print(f"ledger intact: {verdict.entries} entries, head {verdict.head_hash or '-'}")
    else:
        errors_console.print(
            f"[bold red]ledger broken[/] at entry {verdict.first_bad_sequence}: {verdict.reason}"
        )
    if not verdict.ok:
        raise typer.Exit(8)


class _Report(Protocol):
    def to_dict(self) -> dict[str, object]: ...


def _emit(report: _Report, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    for line in lines:
        console.print(line)


@audit_app.command("parity")
def parity(
    round_ref: str = typer.Option(..., "--round", help="The round's name or id."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON."),
) -> None:
    """Lead and stretch seats by level and tenure band, against what merit alone predicts."""
    report = audits.round_parity(open_application().unit_of_work, round_ref)
    _emit(report, as_json, list(report.verdicts))


@audit_app.command("halo")
def halo(
    as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON."),
) -> None:
    """Do reviewers score higher-level people higher at equal estimated merit?"""
    report = audits.halo(open_application().unit_of_work)
    estimates = (report.overall, *report.reviewers)
    _emit(report, as_json, [e.verdict for e in estimates if e is report.overall or e.flagged])


@audit_app.command("overrides")
def overrides(
    round_ref: str = typer.Option(..., "--round", help="The round's name or id."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON."),
) -> None:
    """A round's overrides: level hand-offs, groundwork hand-offs, promotion favours."""
    report = audits.round_overrides(open_application().unit_of_work, round_ref)
    lines = [f"{report.overrides} override(s), {len(report.findings)} finding(s)"]
    _emit(report, as_json, [*lines, *(f.message for f in report.findings), report.pattern.verdict])
