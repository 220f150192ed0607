"""Errors on pages: a friendly page (never a traceback), or a redirect to log in.

The API's handlers still answer every ``/api`` request with problem+json;
these wrap them and take over for everything else. Statuses are the API's
(``mts.api.errors.status_of``): 403, 404, 409, 422; being logged out is a
redirect to the login page (for htmx, an ``HX-Redirect``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from mts.api.errors import status_of
from mts.domain.errors import MtsError, Unauthenticated
from mts.web.templating import is_htmx, render

Handler = Callable[[Request, Exception], Awaitable[Response]]
ApiHandler = Callable[[Request, Any], Response | Awaitable[Response]]
_log = logging.getLogger("mts.web")

_TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Not found",
    409: "That clashes with what is stored",
    422: "Please check what you entered",
    500: "Something went wrong",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def login_redirect(request: Request) -> Response:
    """Send the visitor to the login page, to come back here afterwards."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?next=" + quote(back if request.method == "GET" else "/", safe="")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, message: str) -> Response:
    """The friendly error page."""
    title = _TITLES.get(status, _TITLES[400])
    return render(
        request, "error.html", {"title": title, "status": status, "message": message},
        status_code=status,
    )  # fmt: skip


async def _page_error(request: Request, error: Exception) -> Response:
    if isinstance(error, Unauthenticated):
        return login_redirect(request)
    if isinstance(error, MtsError):
        return error_page(request, status_of(error)[0], error.message)
    if isinstance(error, RequestValidationError):
        fields = ", ".join(str(e.get("loc", ("",))[-1]) for e in error.errors())
        return error_page(request, 422, f"these fields are missing or malformed: {fields}")
    if isinstance(error, HTTPException):
        message = "there is no page at this address" if error.status_code == 404 else "not allowed"
        return error_page(request, error.status_code, message)
    _log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return error_page(request, 500, "it has been logged; please try again later")


def install_page_errors(app: FastAPI) -> None:
    """Route errors on pages to friendly pages, leaving the API's problem+json in place."""
    for kind in (MtsError, RequestValidationError, HTTPException, Exception):
        api_handler = app.exception_handlers[kind]
        app.add_exception_handler(kind, _either(api_handler))


def _either(api_handler: ApiHandler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        if _is_api(request):
            answer = api_handler(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        return await _page_error(request, error)

    return handle
