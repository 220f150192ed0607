"""Seats dated by staffing rounds: who held what share of which project, and when.

An assignment carries no date of its own; its round does. A seat is held
from its round's ``as_of`` until the next round that staffed the same project
(which replaces that project's team). The seats of a project's latest round
are still held, unless the project is closed: its closing day is not
recorded, so they end on the day of that last round, which makes the idle
clock of ``signals`` start early rather than late.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from mts.analytics.encoding import Record
from mts.domain.people import Period, PersonId
from mts.domain.projects import Project, ProjectId, ProjectStatus, Role, RoleId, RoleKind
from mts.domain.staffing import Assignment, Round, RoundId


@dataclass(frozen=True, slots=True, kw_only=True)
class Seat(Record):
    """``person`` held ``fte`` of ``role`` on ``project`` from ``start`` until ``end`` (exclusive).

    ``end`` is None while the seat is still held.
    """

    person: PersonId
    project: ProjectId
    role: RoleId
    kind: RoleKind
    fte: float
    round: RoundId
    start: date
    end: date | None

    def holds_on(self, day: date) -> bool:
        """Whether the seat is held on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, period: Period) -> bool:
        """Whether the seat was held on some day of ``period``."""
        starts_in_time = period.end is None or self.start < period.end
        return starts_in_time and (self.end is None or self.end > period.start)

    def last_day(self, as_of: date) -> date:
        """The last day the seat was held (``as_of`` while it still is); its start at the least."""
        if self.end is None or self.end > as_of:
            return as_of
        return max(self.start, self.end - timedelta(days=1))


def dated_seats(
    *,
    rounds: Sequence[Round],
    assignments: Sequence[Assignment],
    roles: Sequence[Role],
    projects: Sequence[Project],
    as_of: date,
) -> tuple[Seat, ...]:
    """Every assignment of a round dated on or before ``as_of``, as a dated ``Seat``.

    Parameters
    ----------
    rounds : the rounds whose plans took effect; their ``as_of`` dates the seats.
    assignments : the seats of those rounds; others are ignored.
    roles : read for the role kind (lead or member); an unknown role counts as a member.
    projects : read for the status; a closed project's last team ends on its last round.
    as_of : rounds after this day have not happened yet.
    """
    day_of = {r.id: r.as_of for r in rounds if r.as_of <= as_of}
    kind_of = {r.id: r.kind for r in roles}
    closed = {p.id for p in projects if p.status is ProjectStatus.CLOSED}
    by_project: dict[ProjectId, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        if assignment.round in day_of:
            by_project[assignment.project].append(assignment)
    seats: list[Seat] = []
    for project, held in sorted(by_project.items()):
        ends = _round_ends(project, held, day_of, closed)
        seats.extend(
            Seat(
                person=a.person,
                project=a.project,
                role=a.role,
                kind=kind_of.get(a.role, RoleKind.MEMBER),
                fte=a.fte,
                round=a.round,
                start=day_of[a.round],
                end=ends[a.round],
            )
            for a in sorted(held, key=lambda a: (day_of[a.round], a.round, a.role, a.seat))
        )
    return tuple(seats)


def _round_ends(
    project: ProjectId,
    held: Iterable[Assignment],
    day_of: dict[RoundId, date],
    closed: set[ProjectId],
) -> dict[RoundId, date | None]:
    """When each round's team of ``project`` was replaced: the day of the project's next round."""
    order = sorted({a.round for a in held}, key=lambda r: (day_of[r], r))
    ends: dict[RoundId, date | None] = {
        current: day_of[following] for current, following in itertools.pairwise(order)
    }
    ends[order[-1]] = day_of[order[-1]] if project in closed else None
    return ends


def clip_to_stint(seat: Seat, periods: Sequence[Period]) -> Seat | None:
    """``seat`` cut at the end of the stint it began in; None if it began off staff."""
    for period in periods:
        if period.contains(seat.start):
            if period.end is None or (seat.end is not None and seat.end <= period.end):
                return seat
            return replace(seat, end=period.end)
    return None
