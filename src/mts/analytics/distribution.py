"""Counts turned into shares: the bars of every composition chart."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mts.analytics.encoding import Record


@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket(Record):
    """One bar: ``count`` items with this ``key``, and their ``share`` of the total."""

    key: str
    count: int
    share: float


def shares(counts: Mapping[str, int], order: Sequence[str] | None = None) -> tuple[Bucket, ...]:
    """``counts`` as buckets whose shares sum to 1 (all 0 when there is nothing to count).

    ``order`` fixes the bars (absent keys count 0); without it, largest first,
    ties by key.
    """
    keys = list(order) if order is not None else sorted(counts, key=lambda k: (-counts[k], k))
    total = sum(counts.get(k, 0) for k in keys)
    return tuple(
        Bucket(key=k, count=counts.get(k, 0), share=counts.get(k, 0) / total if total else 0.0)
        for k in keys
    )


def band_labels(edges: Sequence[float], unit: str = "y") -> tuple[str, ...]:
    """Labels of the bands cut at ``edges``: ``<1y``, ``1-2y``, ..., ``10y+``."""
    if not edges:
        return (f"all{unit}",)
    inner = [f"{_number(lo)}-{_number(hi)}{unit}" for lo, hi in itertools.pairwise(edges)]
    return (f"<{_number(edges[0])}{unit}", *inner, f"{_number(edges[-1])}{unit}+")


def band_of(value: float, edges: Sequence[float], labels: Sequence[str]) -> str:
    """The label of the band holding ``value``: band ``k`` is ``[edges[k-1], edges[k])``."""
    index = sum(value >= edge for edge in edges)
    return labels[index]


def _number(value: float) -> str:
    return f"{value:g}"
