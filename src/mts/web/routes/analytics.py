"""Analytics (council only): team composition and attrition charts."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from mts.analytics.departures import PeriodDepartures
from mts.api.dependencies import ApplicationDep
from mts.services import views
from mts.services.views import AnalyticsOverview
from mts.web import charts
from mts.web.reports import ReportsDep
from mts.web.session import VisitorDep
from mts.web.templating import render

router = APIRouter(include_in_schema=False)
RECENT_PERIODS = 12
"""Periods of departures shown: three years of quarters."""


def _charts(overview: AnalyticsOverview) -> dict[str, Any]:
    comp = overview.composition
    periods = recent(overview)
    return {
        "departments": charts.bars([d.name for d in comp.departments],
                                   [("people", [d.people for d in comp.departments])],
                                   horizontal=True),
        "tenure": charts.bars([b.key for b in comp.tenure],
                              [("people", [b.count for b in comp.tenure])]),
        "belonging": charts.bars([b.key for b in comp.belonging.bands],
                                 [("people", [b.count for b in comp.belonging.bands])]),
        "departures": charts.bars([p.period.label for p in periods],
                                  [("departures", [p.departures for p in periods])]),
    }  # fmt: skip


def recent(overview: AnalyticsOverview) -> list[PeriodDepartures]:
    """The last ``RECENT_PERIODS`` periods of departures (the wave rule still reads them all)."""
    return list(overview.attrition.departures.periods[-RECENT_PERIODS:])


@router.get("/analytics")
def analytics_page(
    request: Request, application: ApplicationDep, visitor: VisitorDep, reports: ReportsDep
) -> Response:
    """Who the organisation is made of, and who leaves and when (kept until the data changes)."""
    uow, today = application.unit_of_work, application.clock().date()
    views.require_council(visitor.user, "the analytics")  # also before a kept copy is served
    key = ("analytics", today, views.data_fingerprint(uow))
    compute = partial(views.analytics_overview, uow, visitor.user, as_of=today)
    overview = reports.get(key, compute, now=application.clock())
    context = {
        "title": "Analytics",
        "overview": overview,
        "charts": _charts(overview),
        "recent": recent(overview),
    }
    return render(request, "analytics.html", context)
