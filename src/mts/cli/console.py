"""Where the CLI writes, how it draws progress, and how errors become exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mts.domain import errors

console = Console(highlight=False, soft_wrap=True)
errors_console = Console(stderr=True, highlight=False, soft_wrap=True)

_EXIT_CODES: tuple[tuple[type[errors.MtsError], int], ...] = (
    (errors.InvalidInput, 2),
    (errors.NotFound, 3),
    (errors.Conflict, 4),
    (errors.PermissionDenied, 5),
    (errors.Infeasible, 6),
    (errors.InvalidTransition, 7),
)


def exit_code(error: errors.MtsError) -> int:
    """The documented exit code for ``error`` (1 when no more specific one applies)."""
    return next((code for kind, code in _EXIT_CODES if isinstance(error, kind)), 1)


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[Progress]:
    """A Rich progress bar on stderr, so that ``--json`` output on stdout stays clean."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors_console,
        transient=True,
    )
    with bar:
        bar.add_task(description, total=total)
        yield bar
