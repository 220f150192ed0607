"""``mts analytics composition|attrition|flow`` and ``mts report --html FILE``.

The CLI acts as the operator (see ``mts.cli.operator``), who may read the
analytics. ``--json`` prints the engine's whole report; without it, tables of
the headline numbers. ``--as-of`` defaults to today.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table

from mts.analytics import AttritionReport, CompositionReport, FlowReport
from mts.analytics.distribution import Bucket
from mts.analytics.waves import WaveCheck
from mts.bootstrap import Application
from mts.cli.console import console, errors_console
from mts.cli.data import open_application
from mts.cli.operator import OPERATOR
from mts.domain.errors import MtsError
from mts.services import analytics
from mts.web.report import render_report

analytics_app = typer.Typer(
    help="Organisation analytics: composition, attrition, talent flow.", no_args_is_help=True
)

AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="The day to report on (default: today)."
)
AS_JSON = typer.Option(False, "--json", help="Print the whole report as JSON.")
RECENT_PERIODS = 8
"""Periods of departures printed: two years of quarters."""
NONE = "-"


def _day(application: Application, as_of: datetime | None) -> date:
    return as_of.date() if as_of else application.clock().date()


def _share(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def _number(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def _facts(title: str, rows: Iterable[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    for name, value in rows:
        table.add_row(name, value)
    return table


def _buckets(title: str, key: str, buckets: Sequence[Bucket]) -> Table:
    table = Table(key, "people", "share", title=title)
    for b in buckets:
        table.add_row(b.key, str(b.count), _share(b.share))
    return table


def _print(*tables: Table) -> None:
    for table in tables:
        console.print(table)


@analytics_app.command("composition")
def composition(as_of: datetime | None = AS_OF, as_json: bool = AS_JSON) -> None:
    """Who is on staff: newcomers, home departments, tenure, prior employers, belonging."""
    application = open_application()
    report = analytics.composition(
        application.unit_of_work, OPERATOR, as_of=_day(application, as_of)
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print(
        _composition_facts(report),
        _departments(report),
        _buckets("Time on staff", "tenure", report.tenure),
        _buckets("Project belonging", "outside share", report.belonging.bands),
    )


def _composition_facts(report: CompositionReport) -> Table:
    n, belonging = report.newcomers, report.belonging
    by_evidence = (
        NONE if n.by_evidence is None else f"{n.by_evidence} ({_share(n.by_evidence_share)})"
    )
    return _facts(f"Composition on {report.as_of.isoformat()}", [
        ("on staff", str(report.headcount)),
        ("newcomers by tenure", f"{n.by_tenure} ({_share(n.by_tenure_share)})"),
        ("newcomers by evidence", by_evidence),
        ("median tenure (years)", _number(report.median_tenure_years)),
        ("staffed projects", str(report.staffed_projects)),
        ("drawing on 2+ departments", str(report.projects_drawing_on_two_or_more_departments)),
        ("with a newcomer (tenure)", str(report.projects_with_a_newcomer_by_tenure)),
        ("allocated / without a seat", f"{belonging.allocated} / {belonging.unallocated}"),
        ("mean share of work outside home", _share(belonging.mean_outside_share)),
    ])  # fmt: skip


def _departments(report: CompositionReport) -> Table:
    table = Table("department", "people", "share", "allocated FTE", title="Home departments")
    for d in report.departments:
        table.add_row(d.name, str(d.people), _share(d.people_share), _number(d.fte, 2))
    return table


@analytics_app.command("attrition")
def attrition(as_of: datetime | None = AS_OF, as_json: bool = AS_JSON) -> None:
    """Departures per period, departure waves, retention and signals."""
    application = open_application()
    report = analytics.attrition(application.unit_of_work, OPERATOR, as_of=_day(application, as_of))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print(_attrition_facts(report), _departures(report), _retention(report))
    for check in (c for c in report.waves.checks if c.is_wave):
        console.print(_wave_line("organisation", check))
    for wave in report.waves.department_waves:
        console.print(_wave_line(wave.name, wave.check))


def _wave_line(where: str, check: WaveCheck) -> str:
    label = check.period.label if check.period else str(check.index)
    return (
        f"[bold]departure wave[/] ({where}) in {label}: {check.departures} departures where "
        f"{_number(check.expected)} were expected (p = {_number(check.p_value, 4)})"
    )


def _attrition_facts(report: AttritionReport) -> Table:
    s = report.signals
    return _facts(f"Attrition up to {report.as_of.isoformat()}", [
        ("departures", str(report.departures.total)),
        ("departure waves", str(len(report.waves.waves))),
        ("department waves", str(len(report.waves.department_waves))),
        ("holding a seat now", str(s.allocated_now)),
        ("leading now", str(s.leading_now)),
        (f"without a seat for {s.idle_days}+ days", str(s.idle)),
        ("never led", str(s.never_led)),
    ])  # fmt: skip


def _departures(report: AttritionReport) -> Table:
    waves = {c.index for c in report.waves.checks if c.is_wave}
    periods = report.departures.periods
    first = max(len(periods) - RECENT_PERIODS, 0)
    table = Table(
        report.period.value, "departures", "headcount at start", "annualised rate", "wave",
        title=f"Departures, last {len(periods) - first} periods",
    )  # fmt: skip
    for index in range(first, len(periods)):
        p = periods[index]
        table.add_row(p.period.label, str(p.departures), str(p.headcount_start),
                      _share(p.annualised_rate), "yes" if index in waves else "")  # fmt: skip
    return table


def _retention(report: AttritionReport) -> Table:
    r = report.retention
    days = [m.days for m in r.overall.milestones]
    table = Table("group", "stints", *(f"after {d} days" for d in days), title="Retention")
    for g in (r.overall, *r.by_lead, *r.by_cohort):
        table.add_row(g.label, str(g.curve.subjects), *(_share(m.survival) for m in g.milestones))
    return table


@analytics_app.command("flow")
def flow(as_of: datetime | None = AS_OF, as_json: bool = AS_JSON) -> None:
    """Talent exported per department (lending) and boomerangs."""
    application = open_application()
    report = analytics.flow(application.unit_of_work, OPERATOR, as_of=_day(application, as_of))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print(_lending(report), _boomerangs(report))


def _lending(report: FlowReport) -> Table:
    e = report.exported
    table = Table(
        "department", "allocated FTE", "people lent", "FTE lent", "lent share", "FTE borrowed",
        title=f"Talent exported on {report.as_of.isoformat()}: {e.people_lent} people, "
        f"{_number(e.fte_lent, 2)} FTE lent ({_share(e.lent_share)})",
    )  # fmt: skip
    for d in e.departments:
        table.add_row(
            d.name,
            _number(d.allocated_fte, 2),
            str(d.people_lent),
            _number(d.fte_lent, 2),
            _share(d.lent_share),
            _number(d.fte_borrowed, 2),
        )
    return table


def _boomerangs(report: FlowReport) -> Table:
    b = report.boomerangs
    table = Table(
        "name", "department", "stints", "returned", "on staff", "evidence before", "since",
        title=f"Boomerangs: {b.count} ({b.on_staff} on staff), median gap "
        f"{_number(b.median_gap_days, 0)} days",
    )  # fmt: skip
    for p in b.people:
        table.add_row(p.name, p.department_name, str(p.stints), p.returned.isoformat(),
                      "yes" if p.on_staff else "no", str(p.evidence_before_return.items),
                      str(p.evidence_since_return.items))  # fmt: skip
    return table


def report(
    html: Path = typer.Option(..., "--html", help="Where to write the HTML report."),
    as_of: datetime | None = AS_OF,
) -> None:
    """Write a self-contained HTML report with charts; it needs no network to open."""
    application = open_application()
    day = _day(application, as_of)
    full = analytics.full_report(application.unit_of_work, OPERATOR, as_of=day)
    text = render_report(full)
    try:
        html.write_text(text, encoding="utf-8")
    except OSError as error:
        raise MtsError(f"cannot write the report to {html}: {error.strerror or error}") from None
    errors_console.print(f"wrote the analytics report for {day.isoformat()} to {html} "
                         f"({len(text.encode()) // 1024} KiB)")  # fmt: skip
