"""Output records: frozen dataclasses that turn themselves into JSON-ready values.

Every result of ``mts.analytics`` is a ``Record``; ``to_dict()`` gives dicts,
lists, strings, numbers, booleans and None only: dates become ISO strings,
enums their values, and non-finite floats None (JSON has no NaN).
"""

from __future__ import annotations

from typing import Any

from mts.domain.plain import to_plain


class Record:
    """A mixin for frozen, slotted output dataclasses: ``to_dict()`` for ``--json`` and charts."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This record as JSON-ready dicts, lists, strings, numbers, booleans and None."""
        value = to_plain(self)
        assert isinstance(value, dict)  # a dataclass always maps to a dict
        return value
