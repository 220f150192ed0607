"""The ``mts`` command line: one Typer app, a sub-app per area.

Errors print one clear message and exit non-zero; no traceback reaches a user.
"""

from mts.cli.app import main

__all__ = ["main"]
