"""Organisation analytics for the council: composition, attrition and talent flow on a day.

Each endpoint returns the engine's report as ``to_dict()`` gives it (the same
JSON as ``mts analytics ... --json``); docs/analytics.md explains every field.
Anyone but the council or an admin is refused (403), before the day is even checked.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mts.api.dependencies import ApplicationDep, CouncilUser
from mts.domain.errors import InvalidInput
from mts.services import analytics

router = APIRouter(prefix="/analytics", tags=["analytics"])

EARLIEST_AS_OF = date(1970, 1, 1)
LATEST_AHEAD = timedelta(days=366)
"""How far past today a report may be dated: a far-future day only adds empty periods."""

AsOf = Annotated[
    date | None,
    Query(description="The day to report on, YYYY-MM-DD (default: today)."),
]


def report_day(as_of: date | None, today: date) -> date:
    """``as_of`` (today when omitted), if it lies between 1970 and a year from today."""
    day = as_of or today
    if not EARLIEST_AS_OF <= day <= today + LATEST_AHEAD:
        raise InvalidInput(f"as_of must lie between {EARLIEST_AS_OF} and a year from today")
    return day


@router.get("/composition", response_model=dict[str, Any])
def composition(
    application: ApplicationDep, user: CouncilUser, as_of: AsOf = None
) -> dict[str, Any]:
    """Newcomers, home departments, tenure, prior employers and project belonging (council)."""
    day = report_day(as_of, application.clock().date())
    return analytics.composition(application.unit_of_work, user, as_of=day).to_dict()


@router.get("/attrition", response_model=dict[str, Any])
def attrition(application: ApplicationDep, user: CouncilUser, as_of: AsOf = None) -> dict[str, Any]:
    """Departures per period, departure waves, retention curves and signals (council)."""
    day = report_day(as_of, application.clock().date())
    return analytics.attrition(application.unit_of_work, user, as_of=day).to_dict()


@router.get("/flow", response_model=dict[str, Any])
def flow(application: ApplicationDep, user: CouncilUser, as_of: AsOf = None) -> dict[str, Any]:
    """Talent exported per department and boomerangs (council)."""
    day = report_day(as_of, application.clock().date())
    return analytics.flow(application.unit_of_work, user, as_of=day).to_dict()
