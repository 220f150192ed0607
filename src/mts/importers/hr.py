"""People from an HR export: one row per stint, so joins, leaves and re-hires are all rows.

Columns (``docs/importers.md``): ``employee_id``, ``name``, ``email``,
``department`` (an id or a name; created if new), ``start_date``,
``end_date`` (the last day of the stint, inclusive; empty while it lasts),
``skills`` and the protected attributes ``level``, ``title``,
``tenure_start``, ``prior_employer``, ``education``, ``promotion_window``.

An employee with several rows was re-hired: their stints must not overlap
and only the latest may be open. The latest row gives the name, email,
department, skills and protected attributes; ``tenure_start`` defaults to
the first day of the first stint. Every problem names the file, the row and
the column; a file with any problem writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from mts.domain.people import Period, PersonId, Skill
from mts.domain.protected import ProtectedProfile
from mts.importers import fields as f
from mts.importers.files import ParsedFile, parse_text, read_file
from mts.importers.records import Cells, Check, Column, RecordKind
from mts.services.history import Employee

_PROTECTED = ("level", "title", "tenure_start", "prior_employer", "education", "promotion_window")
_MAX_TEXT = 200
"""The longest name, department, title, employer or education the store keeps."""


def _short_text(cell: object) -> str:
    value = f.text(cell)
    if len(value) > _MAX_TEXT:
        raise f.FieldError(f"text of at most {_MAX_TEXT} characters")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Stint:
    """One row of an HR export: one person's one spell of employment."""

    cells: Cells

    @property
    def period(self) -> Period:
        """The stint as a period whose ``end`` is the day after the last day."""
        end: date | None = self.cells["end_date"]
        return Period(start=self.cells["start_date"], end=end + timedelta(days=1) if end else None)


def _ends_after_start(c: Cells) -> bool:
    return c["end_date"] is None or c["start_date"] is None or c["end_date"] >= c["start_date"]


HR = RecordKind(
    name="hr",
    columns=(
        Column("employee_id", f.identifier),
        Column("name", _short_text),
        Column("email", f.email),
        Column("department", _short_text),
        Column("start_date", f.iso_date),
        Column("end_date", f.iso_date, required=False),
        Column("skills", f.skill_list, required=False),
        Column("level", f.natural, required=False),
        Column("title", _short_text, required=False),
        Column("tenure_start", f.iso_date, required=False),
        Column("prior_employer", _short_text, required=False),
        Column("education", _short_text, required=False),
        Column("promotion_window", f.iso_date, required=False),
    ),
    key=lambda c: f"{c['employee_id']} starting {c['start_date']}",
    build=lambda c: Stint(cells=dict(c)),
    flatten=lambda s: {k: "" if v is None else v for k, v in s.cells.items()},
    checks=(
        Check(
            "end_date",
            "an end_date on or after start_date",
            _ends_after_start,
            lambda c: f"{c['end_date']} before {c['start_date']}",
        ),
    ),
)


def read_hr(path: Path, *, file_format: str | None = None) -> list[Employee]:
    """The employees of an HR export, or ``ImportRejected`` naming every problem."""
    return employees_of(read_file(HR, path, file_format=file_format))


def parse_hr(data: str, *, file: str, file_format: str = "csv") -> list[Employee]:
    """The employees in ``data``, the text of an HR export."""
    return employees_of(parse_text(HR, data, file=file, file_format=file_format))


def employees_of(parsed: ParsedFile) -> list[Employee]:
    """Group a parsed export's stints by employee, checking stints and emails across rows."""
    grouped: dict[str, list[tuple[int, Stint]]] = {}
    for row, stint in zip(parsed.rows, parsed.values, strict=True):
        grouped.setdefault(stint.cells["employee_id"], []).append((row, stint))
    employees = [_employee(parsed, sorted(rows, key=_start)) for rows in grouped.values()]
    _check_emails(parsed, employees)
    parsed.raise_if_problems()
    return employees


def _start(item: tuple[int, Stint]) -> date:
    start: date = item[1].cells["start_date"]
    return start


def _employee(parsed: ParsedFile, rows: Sequence[tuple[int, Stint]]) -> Employee:
    _check_stints(parsed, rows)
    row, latest = rows[-1]
    cells: dict[str, Any] = dict(latest.cells)
    protected = {name: cells[name] for name in _PROTECTED}
    protected["tenure_start"] = protected["tenure_start"] or rows[0][1].cells["start_date"]
    person = PersonId(cells["employee_id"])
    skills: tuple[Skill, ...] | None = cells["skills"]
    return Employee(
        employee_id=person,
        name=cells["name"],
        email=cells["email"],
        department=cells["department"],
        stints=tuple(stint.period for _, stint in rows),
        profile=ProtectedProfile(person=person, **protected),
        skills=skills,
        row=row,
    )


def _check_stints(parsed: ParsedFile, rows: Sequence[tuple[int, Stint]]) -> None:
    for (row, stint), (next_row, following) in pairwise(rows):
        end = stint.period.end
        if end is None:
            parsed.problem(
                row, "end_date", "an end date: only the latest stint may be open", "an empty cell"
            )
        elif following.cells["start_date"] < end:
            parsed.problem(
                next_row,
                "start_date",
                f"a start after the stint on row {row} ended ({stint.cells['end_date']})",
                following.cells["start_date"],
            )


def _check_emails(parsed: ParsedFile, employees: Sequence[Employee]) -> None:
    owners: dict[str, Employee] = {}
    for employee in employees:
        owner = owners.setdefault(employee.email, employee)
        if owner is not employee:
            parsed.problem(
                employee.row,
                "email",
                f"an email not already used by {owner.employee_id} on row {owner.row}",
                employee.email,
            )
