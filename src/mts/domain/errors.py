"""Every error mts raises on purpose, under one root.

::

    MtsError
    ├── NotFound              an id names nothing (entity kind and id)
    ├── Conflict              the request clashes with what is stored
    │   ├── DuplicateId       an id already exists where a new one was expected
    │   └── StaleVersion      someone else changed the record first
    ├── InvalidInput          a value is malformed or out of range
    │   └── ImportRejected    a file failed validation; carries every Problem found
    ├── InvalidTransition     a life-cycle step that is not allowed
    ├── PermissionDenied      the actor may not do this
    │   └── Unauthenticated   nobody is logged in (or the session ended)
    └── Infeasible            a staffing problem has no plan; names the conflicting rules

Errors carry the offending ids (and, for files, the file, row and column).
They become HTTP statuses only in ``api/errors.py`` and exit codes only in
the CLI. Audits return findings; they never raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MtsError(Exception):
    """The root of every error mts raises on purpose."""

    def __init__(self, message: str, *, entity: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.entity = entity


class NotFound(MtsError):
    """An id names nothing."""

    def __init__(self, kind: str, entity: str) -> None:
        super().__init__(f"no {kind} with id {entity!r}", entity=entity)
        self.kind = kind


class Conflict(MtsError):
    """The request clashes with what is stored."""


class DuplicateId(Conflict):
    """An id already exists where a new one was expected."""


class StaleVersion(Conflict):
    """Someone else changed the record first."""


class InvalidInput(MtsError):
    """A value is malformed or out of range."""


class InvalidTransition(MtsError):
    """A life-cycle step that is not allowed."""


class PermissionDenied(MtsError):
    """The actor may not do this."""


class Unauthenticated(PermissionDenied):
    """Nobody is logged in, or the session has ended."""


class TooManyAttempts(PermissionDenied):
    """Too many failed logins from this address or for this email; wait and retry."""


class Infeasible(MtsError):
    """A staffing problem has no plan; ``conflicts`` names the rules that clash."""

    def __init__(self, message: str, *, conflicts: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.conflicts = tuple(conflicts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with an input file, precise enough to fix by hand."""

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: expected {self.expected}, found {self.found}"


class ImportRejected(InvalidInput):
    """A file failed validation; nothing was written. ``problems`` lists every fault."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {count - 50} more" if count > 50 else ""
        super().__init__(f"{count} problem(s); nothing was written:\n{lines}{more}")
        self.problems = tuple(problems)
