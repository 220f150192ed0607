"""Members of technical staff and the departments that are their home pools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NewType

PersonId = NewType("PersonId", str)
DepartmentId = NewType("DepartmentId", str)
Skill = NewType("Skill", str)


@dataclass(frozen=True, slots=True, kw_only=True)
class Department:
    """A coarse home pool (Research, Safety, ...), never a silo."""

    id: DepartmentId
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A span of employment; ``end`` is None while it lasts."""

    start: date
    end: date | None = None

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls within the span."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A member of technical staff.

    ``joined`` and ``left`` bound the latest stint; ``earlier_periods`` holds
    the stints before a re-hire, so a boomerang keeps their history.
    """

    id: PersonId
    name: str
    email: str
    department: DepartmentId
    joined: date
    left: date | None = None
    skills: tuple[Skill, ...] = ()
    earlier_periods: tuple[Period, ...] = ()

    @property
    def periods(self) -> tuple[Period, ...]:
        """Every stint, oldest first, the latest included."""
        return (*self.earlier_periods, Period(start=self.joined, end=self.left))

    def is_active(self, day: date) -> bool:
        """Whether the person is on staff on ``day``."""
        return any(period.contains(day) for period in self.periods)

    @property
    def is_boomerang(self) -> bool:
        """Whether the person left once and was hired again."""
        return bool(self.earlier_periods)
