"""Protected attributes: imported from HR, never an input to any decision.

Only ``audit`` and ``analytics`` may read this module; import-linter forbids
``merit`` and ``staffing`` from importing it, so a decision cannot see it even
by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mts.domain.people import PersonId


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtectedProfile:
    """What an HR system knows about a person that must not decide their work."""

    person: PersonId
    level: int | None = None
    title: str | None = None
    tenure_start: date | None = None
    prior_employer: str | None = None
    education: str | None = None
    promotion_window: date | None = None
