"""Audit results as JSON-ready data, for the ledger, the CLI's ``--json`` and the API."""

from __future__ import annotations

import enum
import math
from datetime import date


def to_plain(value: object) -> object:
    """``value`` as dicts, lists, strings, numbers, booleans and None.

    Dataclasses become dicts of their fields, enums their values, dates ISO
    strings, and non-finite floats None (JSON has no NaN).
    """
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: to_plain(getattr(value, name)) for name in fields}
    return value


def record_dict(value: object) -> dict[str, object]:
    """A dataclass as a JSON-ready dict."""
    plain = to_plain(value)
    assert isinstance(plain, dict)  # callers pass dataclasses, which map to dicts
    return plain
