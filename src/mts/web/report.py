"""The analytics report as one self-contained HTML file (``mts report --html FILE``).

Everything the page needs is inside it: the stylesheet, Chart.js and the
script that draws the charts are inlined from ``mts.web``'s static files,
so the file opens offline and loads nothing from anywhere. (Chart.js keeps
its licence banners, comments that name its home pages; nothing fetches
them.) Every chart's numbers are also in a table beside it, as on the web
pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

from mts.analytics import AnalyticsReport, AttritionReport, CompositionReport, FlowReport
from mts.analytics.retention import RetentionGroup
from mts.analytics.survival import SurvivalPoint
from mts.web import charts
from mts.web.templating import build_templates

TEMPLATE = "report.html"
EMPLOYERS_SHOWN = 12
"""Prior employers charted; the rest are in ``mts analytics composition --json``."""
PEOPLE_SHOWN = 15
"""Rows of the per-person tables (boomerangs, signals); the JSON reports list everyone."""
COHORTS_DRAWN = len(charts.PALETTE)
"""Joining years drawn, the latest ones (one colour each); the table lists every year."""
PERIODS_LISTED = 12
"""Periods in the departures table (three years of quarters); the chart shows them all."""
ALL_STINTS = "all"
"""The key of the overall retention curve, drawn dashed so the groups it sums show through."""
_CLOSING = re.compile(r"</(script|style)|<!--", re.IGNORECASE)


def render_report(report: AnalyticsReport) -> str:
    """The whole report as one HTML document with its stylesheet and scripts inlined."""
    template = build_templates().env.get_template(TEMPLATE)
    return template.render(
        report=report,
        charts=report_charts(report),
        boomerangs=report.flow.boomerangs.people[:PEOPLE_SHOWN],
        signals=report.attrition.signals.people[:PEOPLE_SHOWN],
        recent=report.attrition.departures.periods[-PERIODS_LISTED:],
        waves=[c for c in report.attrition.waves.checks if c.is_wave],
        department_names={d.department: d.name for d in report.composition.departments},
        people_shown=PEOPLE_SHOWN,
        cohorts_drawn=COHORTS_DRAWN,
        assets={
            "css": inline_asset("mts.css"),
            "chart_js": inline_asset("chart.umd.min.js"),
            "draw_js": inline_asset("mts.js"),
        },
    )


def inline_asset(name: str) -> str:
    """A static file's text, checked safe to place inside a ``<script>`` or ``<style>`` element.

    Text holding ``</script``, ``</style`` or ``<!--`` would end the element
    early (or change how the browser parses it), so such a file is refused
    rather than silently altered.
    """
    text = resources.files("mts.web").joinpath("static", name).read_text(encoding="utf-8")
    if _CLOSING.search(text):
        raise ValueError(f"static/{name} cannot be inlined: it holds a closing tag or <!--")
    return text


def report_charts(report: AnalyticsReport) -> dict[str, dict[str, Any] | None]:
    """Every chart of the report as a Chart.js configuration (None where there is no data)."""
    return {
        **composition_charts(report.composition),
        **attrition_charts(report.attrition),
        **flow_charts(report.flow),
    }


def composition_charts(report: CompositionReport) -> dict[str, dict[str, Any] | None]:
    """Home departments, tenure bands, belonging bands, prior employers and project mix."""
    employers = report.prior_employers[:EMPLOYERS_SHOWN]
    return {
        "departments": charts.bars([d.name for d in report.departments],
                                   [("people", [d.people for d in report.departments])],
                                   horizontal=True),
        "tenure": charts.bars([b.key for b in report.tenure],
                              [("people", [b.count for b in report.tenure])]),
        "belonging": charts.bars([b.key for b in report.belonging.bands],
                                 [("people", [b.count for b in report.belonging.bands])]),
        "employers": charts.bars([b.key for b in employers],
                                 [("people", [b.count for b in employers])], horizontal=True),
        "project_mix": project_mix(report),
    }  # fmt: skip


def project_mix(report: CompositionReport) -> dict[str, Any] | None:
    """People on each staffed project by home department, stacked: the departments drawn on."""
    staffed = [p for p in report.projects if p.people]
    if not staffed:
        return None
    names = sorted({d.name for p in staffed for d in p.departments})
    series = [
        (name, [next((d.people for d in p.departments if d.name == name), 0) for p in staffed])
        for name in names
    ]
    return charts.bars([p.title for p in staffed], series, horizontal=True, stacked=True)


def attrition_charts(report: AttritionReport) -> dict[str, dict[str, Any] | None]:
    """Departures per period against the baseline, and retention curves."""
    retention = report.retention
    return {
        "departures": departures(report),
        "retention_lead": survival_lines((retention.overall, *retention.by_lead)),
        "retention_cohort": survival_lines(retention.by_cohort[-COHORTS_DRAWN:]),
    }


def departures(report: AttritionReport) -> dict[str, Any] | None:
    """Departures per period, waves in amber, and the departures the baseline rate expects."""
    periods = report.departures.periods
    if not periods:
        return None
    checks = {c.index: c for c in report.waves.checks}
    is_wave = [i in checks and checks[i].is_wave for i in range(len(periods))]
    expected = [checks[i].expected if i in checks else None for i in range(len(periods))]
    config = charts.bars([p.period.label for p in periods],
                         [("departures", [p.departures for p in periods])])  # fmt: skip
    bars = config["data"]["datasets"][0]
    bars["backgroundColor"] = [charts.AMBER if w else charts.BLUE for w in is_wave]
    config["data"]["datasets"].append({
        "type": "line", "label": "expected at the baseline rate", "data": _finite(expected),
        "borderColor": charts.SLATE, "backgroundColor": charts.SLATE, "borderDash": [4, 3],
        "pointRadius": 0, "spanGaps": False, "tension": 0,
    })  # fmt: skip
    config["options"]["plugins"]["legend"]["display"] = True
    return config


def survival_lines(groups: Sequence[RetentionGroup]) -> dict[str, Any] | None:
    """Kaplan-Meier curves as step lines over days since the stint began."""
    drawn = [g for g in groups if g.curve.points]
    if not drawn:
        return None
    datasets = [
        {
            "label": g.label,
            "data": [{"x": p.time, "y": p.survival} for p in steps(g.curve.points)],
            # A Kaplan-Meier curve holds its value until the next event, then drops.
            "stepped": "before",
            "borderColor": charts.PALETTE[k % len(charts.PALETTE)],
            "backgroundColor": charts.PALETTE[k % len(charts.PALETTE)],
            "borderDash": [6, 4] if g.key == ALL_STINTS else [],
            "pointRadius": 0,
            "borderWidth": 2,
        }
        for k, g in enumerate(drawn)
    ]
    percent = {"style": "percent", "minimumFractionDigits": 0, "maximumFractionDigits": 0}
    return {
        "type": "line",
        "data": {"datasets": datasets},
        "options": {
            "scales": {
                "x": {"type": "linear", "title": {"display": True, "text": "days since joining"}},
                "y": {"min": 0, "max": 1, "ticks": {"format": percent},
                      "title": {"display": True, "text": "still on staff"}},
            },
            "plugins": {"legend": {"position": "bottom"}},
        },
        "height": 300,
    }  # fmt: skip


def steps(points: Sequence[SurvivalPoint]) -> list[SurvivalPoint]:
    """The points where the curve changes, plus its first and last (how far it was followed)."""
    kept = [p for k, p in enumerate(points) if k == 0 or p.survival != points[k - 1].survival]
    return kept if kept[-1] is points[-1] else [*kept, points[-1]]


def flow_charts(report: FlowReport) -> dict[str, dict[str, Any] | None]:
    """FTE each department lends to others' projects, and borrows from other departments."""
    departments = report.exported.departments
    if not departments:
        return {"lending": None}
    series = [
        ("FTE lent", [d.fte_lent for d in departments]),
        ("FTE borrowed", [d.fte_borrowed for d in departments]),
    ]
    return {"lending": charts.bars([d.name for d in departments], series, horizontal=True)}


def _finite(values: Sequence[float | None]) -> list[float | None]:
    # JSON has no NaN: Chart.js reads null as "no value here".
    return [None if v is None or not math.isfinite(v) else v for v in values]
