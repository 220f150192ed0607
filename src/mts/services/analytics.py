"""Organisation analytics over the store: the one loader of their inputs, and the reports.

The analytics read protected attributes (tenure, prior employer), so every
report is for the council (admins included) and refused to anyone else
before anything is read. Each use case reads in one unit of work and writes
nothing.

What the engine is given: everyone, every department, HR profile, project
and role; the approved rounds and their seats (rounds still planned never
took effect); for the flow report, the evidence of boomerangs (the only
people whose evidence it reads); and the newest merit snapshot fitted on or
before ``as_of``, so a report dated in the past does not see later evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mts.analytics import (
    AnalyticsReport,
    AnalyticsSettings,
    AttritionReport,
    CompositionReport,
    FlowReport,
    OrganisationData,
    analytics_report,
    attrition_report,
    composition_report,
    flow_report,
)
from mts.domain.accounts import User
from mts.domain.errors import PermissionDenied
from mts.domain.evidence import Evidence
from mts.domain.people import Person
from mts.domain.staffing import RoundStatus
from mts.merit.table import MeritTable
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

DEFAULT_SETTINGS = AnalyticsSettings()
"""The settings documented in docs/analytics.md."""


@dataclass(frozen=True, slots=True)
class AnalyticsInputs:
    """What the analytics engine reads: the organisation and, if any was fitted, merit."""

    data: OrganisationData
    merit: MeritTable | None


def require_analyst(actor: User) -> None:
    """Refuse anyone but the council or an admin: the analytics read protected attributes."""
    if not actor.is_council:
        raise PermissionDenied("only the staffing council sees the analytics")


def load_organisation(uow: UnitOfWork, *, boomerang_evidence: bool = False) -> OrganisationData:
    """The organisation as the analytics read it, from an open unit of work.

    ``boomerang_evidence`` also reads the evidence of people hired more than
    once, which only the boomerang report looks at.
    """
    people = tuple(uow.people.list())
    rounds = uow.rounds.newest_first(plans=False)  # plans are megabytes, and unread here
    approved = [r.round for r in rounds if r.round.status is RoundStatus.APPROVED]
    return OrganisationData(
        people=people,
        departments=tuple(uow.departments.list()),
        profiles=tuple(uow.protected.list()),
        projects=tuple(uow.projects.list()),
        roles=tuple(uow.roles.list()),
        rounds=tuple(approved),
        assignments=tuple(uow.rounds.allocations()),
        evidence=_evidence_of_boomerangs(uow, people) if boomerang_evidence else (),
    )


def _evidence_of_boomerangs(uow: UnitOfWork, people: tuple[Person, ...]) -> tuple[Evidence, ...]:
    # Per person: boomerangs are few, and all evidence can run to millions of rows.
    return tuple(e for p in people if p.is_boomerang for e in uow.evidence.list(person=p.id))


def latest_merit(uow: UnitOfWork, *, as_of: date) -> MeritTable | None:
    """The newest merit snapshot fitted on or before ``as_of``, as a table; None if none was."""
    header = uow.merit.latest(as_of=as_of)
    return None if header is None else uow.merit.table(header.id)


def load_inputs(
    uow: UnitOfWork, *, as_of: date, boomerang_evidence: bool = False, merit: bool = True
) -> AnalyticsInputs:
    """The organisation and (unless ``merit`` is False) the merit table current on ``as_of``."""
    return AnalyticsInputs(
        data=load_organisation(uow, boomerang_evidence=boomerang_evidence),
        merit=latest_merit(uow, as_of=as_of) if merit else None,
    )


def _read(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    settings: AnalyticsSettings,
    *,
    as_of: date,
    boomerang_evidence: bool = False,
    merit: bool = True,
) -> AnalyticsInputs:
    require_analyst(actor)
    settings.check()  # bad settings fail before a wasted read
    with unit_of_work() as uow:
        return load_inputs(uow, as_of=as_of, boomerang_evidence=boomerang_evidence, merit=merit)


def composition(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    as_of: date,
    settings: AnalyticsSettings = DEFAULT_SETTINGS,
) -> CompositionReport:
    """Team composition on ``as_of``: newcomers, departments, tenure, employers, belonging."""
    inputs = _read(unit_of_work, actor, settings, as_of=as_of)
    return composition_report(inputs.data, as_of=as_of, merit=inputs.merit, settings=settings)


def attrition(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    as_of: date,
    settings: AnalyticsSettings = DEFAULT_SETTINGS,
) -> AttritionReport:
    """Departures, departure waves, retention curves and signals up to ``as_of``."""
    inputs = _read(unit_of_work, actor, settings, as_of=as_of, merit=False)
    return attrition_report(inputs.data, as_of=as_of, settings=settings)


def flow(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    as_of: date,
    settings: AnalyticsSettings = DEFAULT_SETTINGS,
) -> FlowReport:
    """Talent exported per department and boomerangs, on ``as_of``."""
    inputs = _read(unit_of_work, actor, settings, as_of=as_of, boomerang_evidence=True)
    return flow_report(inputs.data, as_of=as_of, merit=inputs.merit, settings=settings)


def full_report(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    as_of: date,
    settings: AnalyticsSettings = DEFAULT_SETTINGS,
) -> AnalyticsReport:
    """Composition, attrition and flow on ``as_of``, from one read of the store."""
    inputs = _read(unit_of_work, actor, settings, as_of=as_of, boomerang_evidence=True)
    return analytics_report(inputs.data, as_of=as_of, merit=inputs.merit, settings=settings)
