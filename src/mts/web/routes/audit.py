"""The audit (council only): ledger status, certificates, flagged overrides, parity.

Parity simulates thousands of merit-only allocations, which takes seconds for
a large organisation, so it is its own fragment: htmx loads it into the page
once the rest is shown (without JavaScript, a link opens it), and it is kept
per round version in the report cache.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from mts.api.dependencies import ApplicationDep
from mts.audit.parity import BandTest, ParityReport
from mts.services import views
from mts.web import charts
from mts.web.queries import ReadsDep
from mts.web.reports import ReportsDep
from mts.web.session import VisitorDep
from mts.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)


def _band_chart(test: BandTest) -> dict[str, Any]:
    held = [b.observed_share for b in test.bands]
    predicted = [b.expected_share for b in test.bands]
    series = [("held", held), ("merit alone predicts", predicted)]
    return charts.bars([b.band for b in test.bands], series, percent=True)


def _parity_charts(parity: ParityReport | None) -> dict[str, Any]:
    if parity is None:
        return {}
    return {
        f"{kind}_{attribute}": _band_chart(getattr(seats, f"by_{attribute}"))
        for kind, seats in (("lead", parity.lead), ("stretch", parity.stretch))
        for attribute in ("level", "tenure")
    }


@router.get("/audit")
def audit_page(request: Request, application: ApplicationDep, visitor: VisitorDep) -> Response:
    """Is the ledger intact, did every plan pass its certificate, were overrides sound?"""
    overview = views.audit_overview(
        application.unit_of_work, visitor.user, as_of=application.clock().date()
    )
    return render(request, "audit.html", {"title": "Audit", "overview": overview})


@router.get("/audit/parity")
def parity_section(
    request: Request,
    application: ApplicationDep,
    visitor: VisitorDep,
    reads: ReadsDep,
    reports: ReportsDep,
) -> Response:
    """Lead and stretch seats of the newest planned round by level and tenure, against merit."""
    overview = views.audit_overview(
        application.unit_of_work, visitor.user, as_of=application.clock().date()
    )
    record = overview.parity_round
    parity = None
    if record is not None:
        key = ("parity", record.round.id, record.round.version, record.snapshot)
        compute = partial(views.parity_of, application.unit_of_work, reads, visitor.user, record)
        parity = reports.get(key, compute, now=application.clock())
    context = {"title": "Parity", "record": record, "parity": parity,
               "charts": _parity_charts(parity)}  # fmt: skip
    template = "_parity.html" if is_htmx(request) else "parity.html"
    return render(request, template, context)
