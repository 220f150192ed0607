"""Rendering pages: one Jinja2 environment, the filters the templates share, and ``render``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from mts.web.explain import readable

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


NONE = "\N{EN DASH}"
"""How a missing number is shown."""


def _fte(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _signed(value: float | None) -> str:
    return NONE if value is None else f"{value:+.2f}"


def _number(value: float | None, digits: int = 2) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def build_templates() -> Jinja2Templates:
    """The page templates with mts's filters (autoescaping on, as for every ``.html``)."""
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.filters.update(
        fte=_fte, signed=_signed, number=_number, percent=_percent, readable=readable
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """``template`` filled with ``context`` plus who is looking (``visitor``) and the page path."""
    templates: Jinja2Templates = request.app.state.templates
    page = {"visitor": getattr(request.state, "visitor", None), "path": request.url.path, **context}
    return templates.TemplateResponse(request, template, page, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"
