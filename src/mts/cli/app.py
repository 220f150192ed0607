"""The root Typer app; each area registers its sub-app here."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def main() -> None:
    """Run the CLI."""
    app()
