"""Parsers for one cell each. A parser returns a value or raises ``FieldError``.

Cells come from CSV (always text) or JSON (text, numbers, booleans, lists),
so each parser accepts either.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from mts.domain.people import Period, Skill


class FieldError(ValueError):
    """A cell that does not hold what its column expects."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


Parser = Callable[[Any], Any]


def is_blank(cell: Any) -> bool:
    """Whether a cell is empty (missing, null or only spaces)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def text(cell: Any) -> str:
    """Any non-empty text."""
    if not isinstance(cell, str | int):
        raise FieldError("text")
    return str(cell).strip()


def identifier(cell: Any) -> str:
    """An id: up to 64 characters, no spaces."""
    value = text(cell)
    if len(value) > 64 or any(ch.isspace() for ch in value):
        raise FieldError("an id of at most 64 characters without spaces")
    return value


def email(cell: Any) -> str:
    """An email address (lower-cased, so that case never splits a person in two)."""
    value = text(cell).lower()
    local, at, domain = value.partition("@")
    if not (local and at and "." in domain) or any(ch.isspace() for ch in value):
        raise FieldError("an email address like name@example.org")
    return value


def number(cell: Any) -> float:
    """A finite number."""
    if isinstance(cell, bool):
        raise FieldError("a number")
    try:
        value = float(cell)
    except (TypeError, ValueError):
        raise FieldError("a number") from None
    if not math.isfinite(value):
        raise FieldError("a finite number")
    return value


def positive_number(cell: Any) -> float:
    """A number above zero."""
    value = number(cell)
    if value <= 0:
        raise FieldError("a number above 0")
    return value


def integer(cell: Any) -> int:
    """A whole number."""
    value = number(cell)
    if not value.is_integer():
        raise FieldError("a whole number")
    return int(value)


def natural(cell: Any) -> int:
    """A whole number of at least 0."""
    value = integer(cell)
    if value < 0:
        raise FieldError("a whole number of at least 0")
    return value


def positive_integer(cell: Any) -> int:
    """A whole number of at least 1."""
    value = integer(cell)
    if value < 1:
        raise FieldError("a whole number of at least 1")
    return value


def iso_date(cell: Any) -> date:
    """An ISO 8601 date (YYYY-MM-DD); a date-time keeps its date."""
    value = text(cell)
    try:
        if len(value) > 10 and value[10] in "T ":
            return datetime.fromisoformat(value).date()
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError("an ISO 8601 date like 2025-03-31") from None


def boolean(cell: Any) -> bool:
    """true/false, yes/no or 1/0."""
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in {"true", "yes", "1"}:
        return True
    if value in {"false", "no", "0"}:
        return False
    raise FieldError("true or false")


def choice(*options: str) -> Parser:
    """One of ``options``."""

    def parse(cell: Any) -> str:
        value = text(cell).lower()
        if value not in options:
            raise FieldError("one of " + ", ".join(options))
        return value

    return parse


def _items(cell: Any) -> list[Any]:
    if isinstance(cell, list):
        return cell
    return [part.strip() for part in text(cell).split(";") if part.strip()]


def skill_list(cell: Any) -> tuple[Skill, ...]:
    """Skills separated by ';' (or a JSON list)."""
    return tuple(Skill(identifier(item)) for item in _items(cell))


def weighted_skills(cell: Any) -> tuple[tuple[Skill, float], ...]:
    """``skill`` or ``skill:weight`` items separated by ';' (or a JSON list of them)."""
    pairs = [_weighted(item) for item in _items(cell)]
    if not pairs:
        raise FieldError("at least one skill, as skill or skill:weight separated by ';'")
    skills = [s for s, _ in pairs]
    if len(set(skills)) != len(skills):
        raise FieldError("each skill once")
    return tuple(pairs)


def _weighted(item: Any) -> tuple[Skill, float]:
    if isinstance(item, list | tuple) and len(item) == 2:
        return Skill(identifier(item[0])), positive_number(item[1])
    name, colon, weight = text(item).partition(":")
    try:
        return Skill(identifier(name)), positive_number(weight) if colon else 1.0
    except FieldError:
        raise FieldError("skill or skill:weight with a weight above 0") from None


def periods(cell: Any) -> tuple[Period, ...]:
    """Earlier employment spans ``start/end`` separated by ';' (both ISO dates)."""
    spans = []
    for item in _items(cell):
        start, slash, end = text(item).partition("/")
        if not slash:
            raise FieldError("start/end date pairs like 2019-01-07/2021-06-30")
        span = Period(start=iso_date(start), end=iso_date(end))
        if span.end is not None and span.end <= span.start:
            raise FieldError("periods that end after they start")
        spans.append(span)
    return tuple(sorted(spans, key=lambda p: p.start))
