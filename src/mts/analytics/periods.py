"""Calendar periods (months or quarters) that departures and exposure are counted in."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from mts.analytics.encoding import Record


class PeriodKind(enum.StrEnum):
    """How finely talent flow is counted."""

    MONTH = "month"
    QUARTER = "quarter"

    @property
    def months(self) -> int:
        """The length of one period in months."""
        return 1 if self is PeriodKind.MONTH else 3

    @property
    def per_year(self) -> int:
        """How many periods make a year."""
        return 12 // self.months


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarPeriod(Record):
    """A month or quarter: ``start`` inclusive, ``end`` exclusive."""

    label: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day < self.end


def period_of(day: date, kind: PeriodKind) -> CalendarPeriod:
    """The month or quarter that contains ``day``."""
    first_month = (day.month - 1) // kind.months * kind.months + 1
    start = date(day.year, first_month, 1)
    return CalendarPeriod(
        label=_label(start, kind), start=start, end=_add_months(start, kind.months)
    )


def calendar(since: date, until: date, kind: PeriodKind) -> tuple[CalendarPeriod, ...]:
    """Every period from the one containing ``since`` to the one containing ``until``."""
    if until < since:
        return ()
    periods = [period_of(since, kind)]
    while periods[-1].end <= until:
        start = periods[-1].end
        end = _add_months(start, kind.months)
        periods.append(CalendarPeriod(label=_label(start, kind), start=start, end=end))
    return tuple(periods)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(start: date, kind: PeriodKind) -> str:
    if kind is PeriodKind.MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
