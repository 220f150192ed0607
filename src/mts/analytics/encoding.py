"""Output records: frozen dataclasses that turn themselves into JSON-ready values.

Every result of ``mts.analytics`` is a ``Record``; ``to_dict()`` gives dicts,
lists, strings, numbers, booleans and None only: dates become ISO strings,
enums their values, and non-finite floats None (JSON has no NaN).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np


class Record:
    """A mixin for frozen, slotted output dataclasses: ``to_dict()`` for ``--json`` and charts."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This record as JSON-ready dicts, lists, strings, numbers, booleans and None."""
        value = plain(self)
        assert isinstance(value, dict)  # a dataclass always maps to a dict
        return value


def plain(value: object) -> object:
    """``value`` with dataclasses, tuples, dates, enums and numpy scalars made JSON-ready."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: plain(getattr(value, name)) for name in fields}
    return value
