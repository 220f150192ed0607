"""Expensive council reports (parity, analytics) kept per process between page views.

A report is keyed by what it was computed from (a round's id and version, or
a fingerprint of the organisation); a key that stops matching simply misses.
Entries also expire after ``ttl``, for changes no fingerprint sees (an import
that edits people in place).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

T = TypeVar("T")


class ReportCache:
    """The newest ``size`` reports by key, each for at most ``ttl``."""

    def __init__(self, *, ttl: timedelta = timedelta(minutes=10), size: int = 16) -> None:
        self._ttl, self._size = ttl, size
        self._entries: OrderedDict[Hashable, tuple[datetime, Any]] = OrderedDict()
        # One report computes at a time: two council members opening the audit at once
        # should not both spend seconds on the same simulation.
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, now: datetime) -> T:
        """The cached report for ``key``, computing (and keeping) it when missing or stale."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self._ttl:
                self._entries.move_to_end(key)
                return found[1]  # type: ignore[no-any-return]  # stored by this method as T
            value = compute()
            self._entries[key] = (now, value)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
            return value


def report_cache(request: Request) -> ReportCache:
    """The app's report cache."""
    cache: ReportCache = request.app.state.reports
    return cache


ReportsDep = Annotated[ReportCache, Depends(report_cache)]
