"""Level bands and tenure bands: how the audit groups people it may not judge by.

Levels cut at ``level_edges`` (default 3, 5: bands ``1-2``, ``3-4``,
``5+``; anything below the first edge falls in the first band). Tenure is
``(as_of - tenure_start)`` in years of 365.25 days, cut at
``tenure_edges_years`` (default 1, 3, 7: ``<1y``, ``1-3y``, ``3-7y``,
``7y+``). A person with no level or no tenure start is in band ``unknown``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from mts.domain.protected import ProtectedProfile

UNKNOWN = "unknown"
DAYS_PER_YEAR = 365.25


def level_labels(edges: Sequence[int]) -> tuple[str, ...]:
    """Labels of the level bands cut at ``edges``: ``1-2``, ``3-4``, ``5+`` for (3, 5)."""
    lows = [1, *edges]
    inner = [_span(lo, hi - 1) for lo, hi in zip(lows, edges, strict=False)]
    return (*inner, f"{lows[-1]}+")


def _span(lo: int, hi: int) -> str:
    return str(lo) if lo >= hi else f"{lo}-{hi}"


def tenure_labels(edges: Sequence[float]) -> tuple[str, ...]:
    """Labels of the tenure bands cut at ``edges``: ``<1y``, ``1-3y``, ``3-7y``, ``7y+``."""
    if not edges:
        return ("all",)
    inner = [f"{lo:g}-{hi:g}y" for lo, hi in itertools.pairwise(edges)]
    return (f"<{edges[0]:g}y", *inner, f"{edges[-1]:g}y+")


def level_band(profile: ProtectedProfile | None, edges: Sequence[int]) -> str:
    """The level band of ``profile``, or ``unknown``."""
    if profile is None or profile.level is None:
        return UNKNOWN
    return level_labels(edges)[sum(profile.level >= edge for edge in edges)]


def tenure_years(profile: ProtectedProfile | None, as_of: date) -> float | None:
    """Years from ``tenure_start`` to ``as_of`` (negative for a future start), or None."""
    if profile is None or profile.tenure_start is None:
        return None
    return (as_of - profile.tenure_start).days / DAYS_PER_YEAR


def tenure_band(profile: ProtectedProfile | None, as_of: date, edges: Sequence[float]) -> str:
    """The tenure band of ``profile`` on ``as_of``, or ``unknown``."""
    years = tenure_years(profile, as_of)
    if years is None:
        return UNKNOWN
    return tenure_labels(edges)[sum(years >= edge for edge in edges)]
