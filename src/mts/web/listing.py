"""Filtering and paging long lists for display."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from mts.services.views import BoardProject

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of a list: its items, which page it is, and how many there are."""

    items: Sequence[T]
    page: int
    pages: int
    total: int


def paginate(items: Sequence[T], page: int, size: int) -> Paged[T]:
    """Page ``page`` (from 1, clamped to the last) of ``items`` in pages of ``size``."""
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return Paged(items[start : start + size], page, pages, len(items))


def filter_board(
    projects: Sequence[BoardProject], *, skill: str, department: str
) -> list[BoardProject]:
    """Projects run from ``department`` with a role needing ``skill`` (blank: any)."""
    return [
        p
        for p in projects
        if (not department or p.project.department == department)
        and (not skill or any(n.skill == skill for r in p.roles for n in r.needs))
    ]
