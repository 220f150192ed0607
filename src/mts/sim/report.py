"""The policy lab's HTML report: one self-contained page, charts drawn as inline SVG.

No script, no stylesheet or font from anywhere else: the page opens offline
and can be attached to a council's minutes as it is. ``render_html`` is pure
(a string out); the CLI writes it to a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

import numpy as np

from mts.sim.metrics import PolicySummary, mean_of, ratio
from mts.sim.sweep import SweepResult

COLOURS = {
    "level-gated": "#b03a2e",
    "merit": "#2471a3",
    "merit+explore": "#1e8449",
    "oracle": "#7d3c98",
}
_WIDTH, _HEIGHT = 560, 250
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 16, 34, 34

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1180px;
       color: #1c2833; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d5d8dc; }
table { border-collapse: collapse; margin: .6rem 0; }
caption { text-align: left; font-weight: 600; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e5e8e8; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.met { color: #1e8449; font-weight: 600; } .missed { color: #b03a2e; font-weight: 600; }
.note { color: #566573; max-width: 60rem; } svg text { font: 12px system-ui, sans-serif; }
"""


def render_html(result: SweepResult) -> str:
    """The whole report for ``result`` as one HTML document."""
    s = result.settings
    title = f"Policy lab: {s.people} people, {s.quarters} quarters, {len(result.seeds)} seed(s)"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">Policies: {escape(", ".join(result.policies))}; seeds '
        f"{escape(', '.join(str(x) for x in result.seeds))}. Values are in units of the spread "
        "of general ability; regret is measured against the oracle staffing the same round of "
        "the same world with the true abilities. See docs/policy-lab.md for what this shows and "
        "what it does not.</p>",
        _targets_table(result),
        _summary_table(result.summaries()),
        "<h2>Quarter by quarter</h2>",
        f'<div class="charts">{_charts(result)}</div>',
        _settings_table(result),
        "</body></html>",
    ]
    return "\n".join(parts)


def _targets_table(result: SweepResult) -> str:
    rows = []
    for target in result.targets():
        verdict = "not measured" if target.met is None else "met" if target.met else "missed"
        css = {"met": "met", "missed": "missed"}.get(verdict, "")
        rows.append(
            f"<tr><td>{escape(target.name)}</td><td>{escape(target.measured)}</td>"
            f'<td>{escape(target.goal)}</td><td class="{css}">{verdict}</td></tr>'
        )
    return (
        "<h2>Targets</h2><table><tr><th>target</th><th>measured</th><th>goal</th>"
        "<th>verdict</th></tr>" + "".join(rows) + "</table>"
    )


def _summary_table(summaries: Sequence[PolicySummary]) -> str:
    head = (
        "<tr><th>policy</th><th>runs</th><th>value / quarter</th><th>oracle value</th>"
        "<th>regret</th><th>regret, last quarter</th><th>merit RMSE</th><th>merit rank corr</th>"
        "<th>newcomers' share of leads</th><th>of true top ability</th>"
        "<th>attrition / quarter</th><th>certificates passed</th><th>failed</th></tr>"
    )
    rows = [
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in summary_cells(s)) + "</tr>"
        for s in summaries
    ]
    return (
        "<h2>Summary</h2><table><caption>Sums over every run and quarter; merit error at "
        "the last quarter</caption>" + head + "".join(rows) + "</table>"
    )


def summary_cells(s: PolicySummary) -> list[str]:
    """One policy's summary as the report's and the CLI's table cells."""
    last = s.regret_at(s.quarters)
    return [
        s.policy,
        str(s.runs),
        f"{s.value:.1f}",
        f"{s.oracle_value:.1f}",
        percent(s.regret_share),
        percent(last),
        f"{s.merit_rmse:.3f}",
        f"{s.merit_rank_corr:.3f}",
        percent(s.newcomer_lead_share),
        percent(s.newcomer_top_share),
        percent(s.attrition),
        str(s.certificates_passed),
        str(s.certificates_failed),
    ]


def percent(value: float | None) -> str:
    """``12.3%``, or ``n/a`` for nothing to show."""
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.1%}"


def _settings_table(result: SweepResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>"
        for k, v in result.settings.to_dict().items()
    )
    return f"<h2>Settings</h2><table><tr><th>setting</th><th>value</th></tr>{rows}</table>"


# -- charts -------------------------------------------------------------------------------


def quarter_series(result: SweepResult) -> dict[str, dict[str, list[float]]]:
    """Per chart, per policy, one number per quarter (means or ratios over seeds)."""
    rows = result.rows()
    out: dict[str, dict[str, list[float]]] = {
        "value": {},
        "regret": {},
        "merit": {},
        "newcomer leads": {},
        "attrition": {},
    }
    for policy in result.policies:
        per_q = [
            [m for m in rows if m.policy == policy and m.quarter == q]
            for q in range(1, result.settings.quarters + 1)
        ]
        out["value"][policy] = [mean_of(m.value for m in q) for q in per_q]
        out["regret"][policy] = [ratio(q, "regret", "oracle_value") for q in per_q]
        out["merit"][policy] = [mean_of(m.merit_rmse for m in q) for q in per_q]
        out["newcomer leads"][policy] = [ratio(q, "newcomer_leads", "leads") for q in per_q]
        out["attrition"][policy] = [ratio(q, "leavers", "people") for q in per_q]
    return out


def _charts(result: SweepResult) -> str:
    series = quarter_series(result)
    return "\n".join(
        [
            line_chart("True value of the plan (mean over seeds)", series["value"], percent=False),
            line_chart("Regret: share of the oracle's value lost", series["regret"], percent=True),
            line_chart("Merit error: RMSE of general ability", series["merit"], percent=False),
            line_chart("Newcomers' share of lead seats", series["newcomer leads"], percent=True),
            line_chart("Attrition per quarter", series["attrition"], percent=True),
            share_chart(result.summaries()),
        ]
    )


def line_chart(title: str, series: Mapping[str, Sequence[float]], *, percent: bool) -> str:
    """An SVG line chart of one value per quarter for each policy."""
    values = [v for ys in series.values() for v in ys if math.isfinite(v)]
    low, high = _range(values, include_zero=percent)
    n = max((len(ys) for ys in series.values()), default=1)
    x = _scale(1, max(n, 2), _LEFT, _WIDTH - _RIGHT)
    y = _scale(low, high, _HEIGHT - _BOTTOM, _TOP)
    body = [_axes(low, high, n, x, y, percent)]
    for policy, ys in series.items():
        colour = COLOURS.get(policy, "#333")
        points = [(x(q + 1), y(v)) for q, v in enumerate(ys) if math.isfinite(v)]
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
            + " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            + '"/>'
        )
        body.extend(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points
        )
    return _svg(title, [*body, _legend(list(series))])


def share_chart(summaries: Sequence[PolicySummary]) -> str:
    """Bars: each policy's newcomers' share of leads beside their share of true top ability."""
    top = max(
        [s.newcomer_lead_share for s in summaries]
        + [s.newcomer_top_share for s in summaries]
        + [0.05],
        key=lambda v: v if math.isfinite(v) else 0.0,
    )
    y = _scale(0.0, top * 1.1, _HEIGHT - _BOTTOM, _TOP)
    band = (_WIDTH - _LEFT - _RIGHT) / max(len(summaries), 1)
    body = [_axes(0.0, top * 1.1, 0, _scale(0, 1, _LEFT, _WIDTH - _RIGHT), y, True)]
    for k, s in enumerate(summaries):
        left = _LEFT + k * band + band * 0.15
        width = band * 0.33
        for j, (value, shade) in enumerate(
            ((s.newcomer_lead_share, 1.0), (s.newcomer_top_share, 0.4))
        ):
            v = value if math.isfinite(value) else 0.0
            body.append(
                f'<rect x="{left + j * width:.1f}" y="{y(v):.1f}" width="{width - 2:.1f}" '
                f'height="{y(0.0) - y(v):.1f}" fill="{COLOURS.get(s.policy, "#333")}" '
                f'fill-opacity="{shade}"><title>{escape(s.policy)}: {v:.1%}</title></rect>'
            )
        body.append(
            f'<text x="{left + width:.1f}" y="{_HEIGHT - 12}" text-anchor="middle">'
            f"{escape(s.policy)}</text>"
        )
    body.append(
        f'<text x="{_WIDTH - _RIGHT}" y="{_TOP - 6}" text-anchor="end">solid: leads; '
        "pale: top ability</text>"
    )
    return _svg("Newcomers: share of leads vs share of true top ability", body)


def _svg(title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{escape(title)}">'
        f'<text x="{_LEFT}" y="16" font-weight="600">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _axes(low: float, high: float, n: int, x: _Scale, y: _Scale, percent: bool) -> str:
    parts = [
        f'<line x1="{_LEFT}" y1="{y(low):.1f}" x2="{_WIDTH - _RIGHT}" y2="{y(low):.1f}" '
        'stroke="#999"/>'
    ]
    for tick in np.linspace(low, high, 5):
        label = f"{tick:.0%}" if percent else f"{tick:.3g}"
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(tick):.1f}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{y(tick):.1f}" stroke="#eee"/>'
            f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    parts.extend(
        f'<text x="{x(q):.1f}" y="{_HEIGHT - 14}" text-anchor="middle">Q{q}</text>'
        for q in range(1, n + 1)
    )
    return "".join(parts)


def _legend(policies: Sequence[str]) -> str:
    parts = []
    for k, policy in enumerate(policies):
        left = _LEFT + 10 + k * 120
        parts.append(
            f'<rect x="{left}" y="{_TOP - 10}" width="10" height="3" '
            f'fill="{COLOURS.get(policy, "#333")}"/><text x="{left + 14}" '
            f'y="{_TOP - 6}">{escape(policy)}</text>'
        )
    return "".join(parts)


class _Scale:
    """A linear map from data to pixels."""

    def __init__(self, lo: float, hi: float, out_lo: float, out_hi: float) -> None:
        self.lo, self.span, self.out_lo, self.out_span = (
            lo,
            (hi - lo) or 1.0,
            out_lo,
            out_hi - out_lo,
        )

    def __call__(self, value: float) -> float:
        return self.out_lo + (value - self.lo) / self.span * self.out_span


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> _Scale:
    return _Scale(lo, hi, out_lo, out_hi)


def _range(values: Sequence[float], *, include_zero: bool) -> tuple[float, float]:
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if include_zero:
        low = min(low, 0.0)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    return low - (0.0 if include_zero and low == 0.0 else pad), high + pad
