"""Results as JSON-ready data: one encoder for every engine's ``to_dict()``.

Dataclasses become dicts of their fields, enums their values, dates ISO
strings, tuples lists, numpy scalars Python numbers, and non-finite floats
None (JSON has no NaN).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date


def to_plain(value: object) -> object:
    """``value`` as dicts, lists, strings, numbers, booleans and None."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if _is_numpy_scalar(value):
        value = value.item()  # type: ignore[attr-defined]  # numpy scalars all have item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: to_plain(getattr(value, name)) for name in fields}
    return value


def _is_numpy_scalar(value: object) -> bool:
    # Duck-typed so that the domain needs no numpy: np.float64, np.int64, np.bool_ ...
    return type(value).__module__ == "numpy" and hasattr(value, "item")


def record_dict(value: object) -> dict[str, object]:
    """A dataclass as a JSON-ready dict."""
    plain = to_plain(value)
    assert isinstance(plain, dict)  # callers pass dataclasses, which map to dicts
    return plain
