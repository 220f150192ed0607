"""``create_web_app``: the API and the web pages in one FastAPI app, with vendored static files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from mts.api import create_app
from mts.bootstrap import Application
from mts.web.errors import install_page_errors
from mts.web.queries import SqlPageReads
from mts.web.reports import ReportCache
from mts.web.routes import analytics, audit, auth, board, people, projects, rounds, workload
from mts.web.templating import STATIC, build_templates

# Scripts and styles come only from /static: no inline script, no CDN.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_web_app(application: Application) -> FastAPI:
    """The API under ``/api`` and the web UI at ``/``, serving ``application``."""
    app = create_app(application)
    app.state.templates = build_templates()
    app.state.reads = SqlPageReads(application.engine)
    app.state.reports = ReportCache()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app)
    for module in (auth, board, projects, people, rounds, audit, workload, analytics):
        app.include_router(module.router)
    app.middleware("http")(_page_headers)
    return app


async def _page_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.update(_PAGE_HEADERS)
    return response
