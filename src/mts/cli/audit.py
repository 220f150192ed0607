"""``mts audit``: verify the ledger and print the audit reports."""

from __future__ import annotations

import json

import typer

from mts.cli.console import console, errors_console
from mts.cli.data import open_application
from mts.services import ledger

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
