"""Rate-limit failed logins per email and per client address (in memory, per process)."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta

_WINDOW = timedelta(minutes=1)


class LoginThrottle:
    """Allows ``limit`` failures per key in a sliding minute; successes do not count."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def is_blocked(self, keys: tuple[str, ...], now: datetime) -> bool:
        """Whether any of ``keys`` has used up its failures for this minute."""
        with self._lock:
            return any(len(self._recent(key, now)) >= self._limit for key in keys)

    def record_failure(self, keys: tuple[str, ...], now: datetime) -> None:
        """Count one failed attempt against each key."""
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures[key]
        while failures and now - failures[0] > _WINDOW:
            failures.popleft()
        return failures
