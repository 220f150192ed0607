"""Chart.js configurations as plain data; ``static/mts.js`` draws them.

Every chart's numbers are also on the page as a table, so nothing is lost
without JavaScript. Colours keep at least 3:1 contrast on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mts.merit.table import GENERAL, MeritRow
from mts.services.merit import PersonMerit

Z50 = 0.6745
"""Half-width of a central 50% normal interval, in sds."""
Z90 = 1.6449
"""Half-width of a central 90% normal interval, in sds."""

BLUE, BLUE_LIGHT, SLATE, AMBER, GREEN = "#1d4ed8", "#93b4f5", "#334155", "#b45309", "#15803d"
MERIT_AXIS = "merit (0 = organisation average)"
PALETTE = (BLUE, AMBER, GREEN, "#7e22ce", "#be123c", "#0e7490", SLATE, "#a16207")


def skill_label(skill: str) -> str:
    """How a skill is named on a page (``*`` is general execution)."""
    return "general execution" if skill == "*" else skill


def merit_intervals(merit: PersonMerit) -> dict[str, Any]:
    """Each skill's posterior mean as a point with its 50% and 90% intervals (horizontal)."""
    rows = evidenced(merit)
    labels = [skill_label(r.skill) for r in rows]
    band90 = [[r.mean - Z90 * r.sd, r.mean + Z90 * r.sd] for r in rows]
    band50 = [[r.mean - Z50 * r.sd, r.mean + Z50 * r.sd] for r in rows]
    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                _points("estimate", [r.mean for r in rows]),
                _band("50% interval", band50, BLUE, 0.7, order=1),
                _band("90% interval", band90, BLUE_LIGHT, 0.35, order=2),
            ],
        },
        "options": {
            "indexAxis": "y",
            "scales": {"x": {"title": {"display": True, "text": MERIT_AXIS}}},
            "plugins": {"legend": {"position": "bottom"}},
        },
        "height": 60 + 34 * len(labels),
    }


def evidenced(merit: PersonMerit) -> list[MeritRow]:
    """General execution and every skill with some evidence; the rest sit at the prior."""
    return [r for r in merit.rows if r.skill == GENERAL or r.n_effective > 0]


def _points(label: str, data: list[float]) -> dict[str, Any]:
    # Drawn last (lowest order) so the estimate sits on top of its bands.
    return {
        "type": "line", "label": label, "data": data, "showLine": False, "pointRadius": 7,
        "pointHoverRadius": 8, "pointStyle": "rectRot", "backgroundColor": AMBER,
        "borderColor": "#78350f", "borderWidth": 1.5, "order": 0,
    }  # fmt: skip


def _band(
    label: str, data: list[list[float]], colour: str, thickness: float, *, order: int
) -> dict[str, Any]:
    return {
        "label": label, "data": data, "backgroundColor": colour, "grouped": False,
        "barPercentage": thickness, "categoryPercentage": 0.9, "borderSkipped": False,
        "borderRadius": 3, "order": order,
    }  # fmt: skip


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    horizontal: bool = False,
    percent: bool = False,
    stacked: bool = False,
) -> dict[str, Any]:
    """A bar chart with one dataset per ``(name, values)``."""
    axis = "x" if horizontal else "y"
    value_axis: dict[str, Any] = {
        "beginAtZero": True,
        "stacked": stacked,
        "ticks": {"precision": 0},
    }
    if percent:
        value_axis["ticks"] = {
            "format": {"style": "percent", "minimumFractionDigits": 0, "maximumFractionDigits": 0}
        }
    return {
        "type": "bar",
        "data": {
            "labels": list(labels),
            "datasets": [
                {"label": name, "data": list(values), "backgroundColor": PALETTE[k % len(PALETTE)]}
                for k, (name, values) in enumerate(series)
            ],
        },
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "scales": {axis: value_axis, ("y" if axis == "x" else "x"): {"stacked": stacked}},
            "plugins": {"legend": {"display": len(series) > 1, "position": "bottom"}},
        },
        "height": max(180, 40 + 28 * len(labels)) if horizontal else 260,
    }


def doughnut(labels: Sequence[str], values: Sequence[float]) -> dict[str, Any]:
    """A doughnut of parts of one whole."""
    return {
        "type": "doughnut",
        "data": {
            "labels": list(labels),
            "datasets": [{"data": list(values), "backgroundColor": list(PALETTE[: len(values)])}],
        },
        "options": {"plugins": {"legend": {"position": "bottom"}}},
        "height": 220,
    }
