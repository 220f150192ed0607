"""Read CSV and JSON record files into domain values, collecting every problem first.

Rows are numbered as a person sees them: in a CSV the header is line 1, so
the first record is row 2; in JSON the first object of the list is row 1.
Nothing here writes anything: a file either parses whole or yields problems.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mts.domain.errors import ImportRejected, Problem
from mts.importers.fields import FieldError, is_blank
from mts.importers.records import RecordKind

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused before parsing."""

_SHOWN = 60


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record as read, before its cells are parsed."""

    number: int
    cells: Mapping[str, Any]


@dataclass(slots=True)
class ParsedFile:
    """A file's domain values, in file order, and their rows and keys."""

    kind: RecordKind
    file: str
    values: list[Any] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: int | None, column: str | None, expected: str, found: Any) -> None:
        """Record one problem with this file."""
        self.problems.append(
            Problem(file=self.file, row=row, column=column, expected=expected, found=_shown(found))
        )

    def raise_if_problems(self) -> None:
        """Fail with every problem at once, if there are any."""
        if self.problems:
            raise ImportRejected(self.problems)


def _shown(found: Any) -> str:
    text = str(found)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def detect_format(path: Path, explicit: str | None = None) -> str:
    """``csv`` or ``json``, from ``explicit`` or the file's suffix."""
    chosen = (explicit or path.suffix.lstrip(".")).lower()
    return chosen if chosen in {"csv", "json"} else "csv"


def read_file(kind: RecordKind, path: Path, *, file_format: str | None = None) -> ParsedFile:
    """Parse ``path`` as records of ``kind``; problems are collected, not raised."""
    parsed = ParsedFile(kind=kind, file=path.name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            parsed.problem(None, None, f"a file of at most {MAX_FILE_BYTES} bytes", size)
            return parsed
        data = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        parsed.problem(None, None, "a readable file", error.strerror or str(error))
        return parsed
    except UnicodeDecodeError:
        parsed.problem(None, None, "UTF-8 text", "bytes that are not UTF-8")
        return parsed
    return parse_text(kind, data, file=path.name, file_format=detect_format(path, file_format))


def parse_text(kind: RecordKind, data: str, *, file: str, file_format: str) -> ParsedFile:
    """Parse ``data`` (the text of a CSV or JSON file) as records of ``kind``."""
    parsed = ParsedFile(kind=kind, file=file)
    reader = _csv_rows if file_format == "csv" else _json_rows
    rows = list(reader(data, parsed))
    if not rows and not parsed.problems:
        parsed.problem(None, None, f"at least one {kind.name} record", "an empty file")
    for row in rows:
        _parse_row(parsed, row)
    _check_unique_keys(parsed)
    return parsed


def _csv_rows(data: str, parsed: ParsedFile) -> Iterator[RawRow]:
    reader = csv.reader(io.StringIO(data, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [name.strip() for name in header]
        if not _check_columns(parsed, header, row=1):
            return
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                expected = f"{len(header)} fields, as in the header"
                parsed.problem(number, None, expected, f"{len(values)} fields")
                continue
            yield RawRow(number, dict(zip(header, values, strict=True)))
    except csv.Error as error:
        parsed.problem(reader.line_num, None, "well-formed CSV", str(error))


def _json_rows(data: str, parsed: ParsedFile) -> Iterator[RawRow]:
    try:
        document = json.loads(data) if data.strip() else []
    except json.JSONDecodeError as error:
        parsed.problem(error.lineno, f"character {error.colno}", "valid JSON", error.msg)
        return
    if isinstance(document, dict) and parsed.kind.name in document:
        document = document[parsed.kind.name]
    if not isinstance(document, list):
        parsed.problem(None, None, "a JSON list of objects", type(document).__name__)
        return
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            parsed.problem(number, None, "a JSON object", type(item).__name__)
        elif _check_columns(parsed, list(item), row=number, need_all=False):
            yield RawRow(number, item)


def _check_columns(
    parsed: ParsedFile, names: Sequence[str], *, row: int, need_all: bool = True
) -> bool:
    known = set(parsed.kind.column_names)
    ok = True
    for name in names:
        if name not in known:
            parsed.problem(
                row, name, "a known column: " + ", ".join(parsed.kind.column_names), name
            )
            ok = False
    for column in parsed.kind.columns:
        if column.required and need_all and column.name not in names:
            parsed.problem(row, column.name, "this required column", "no such column")
            ok = False
    if len(set(names)) != len(names):
        parsed.problem(row, None, "each column once", ", ".join(names))
        ok = False
    return ok


def _parse_row(parsed: ParsedFile, row: RawRow) -> None:
    cells: dict[str, Any] = {}
    ok = True
    for column in parsed.kind.columns:
        raw = row.cells.get(column.name)
        if is_blank(raw):
            cells[column.name] = None
            if column.required:
                parsed.problem(row.number, column.name, "a value", "an empty cell")
                ok = False
            continue
        try:
            cells[column.name] = column.parse(raw)
        except FieldError as error:
            parsed.problem(row.number, column.name, error.expected, repr(raw))
            ok = False
    if ok and _passes_checks(parsed, row.number, cells):
        parsed.values.append(parsed.kind.build(cells))
        parsed.rows.append(row.number)
        parsed.cells.append(cells)


def _passes_checks(parsed: ParsedFile, number: int, cells: dict[str, Any]) -> bool:
    broken = [check for check in parsed.kind.checks if not check.holds(cells)]
    for check in broken:
        parsed.problem(number, check.column, check.expected, check.found(cells))
    return not broken


def _check_unique_keys(parsed: ParsedFile) -> None:
    first_seen: dict[str, int] = {}
    for number, cells in zip(parsed.rows, parsed.cells, strict=True):
        key = parsed.kind.key(cells)
        if key in first_seen:
            expected = f"a record not already given on row {first_seen[key]}"
            parsed.problem(number, parsed.kind.columns[0].name, expected, f"duplicate {key}")
        else:
            first_seen[key] = number


def render_records(kind: RecordKind, values: Sequence[Any], *, file_format: str) -> str:
    """The text of a file holding ``values`` of ``kind``, readable again by ``parse_text``."""
    rows = [kind.flatten(value) for value in values]
    if file_format == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=kind.column_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
