"""Logging in and out of the web UI with a session cookie."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from mts.api.dependencies import SESSION_COOKIE, ApplicationDep
from mts.api.routes.auth import log_in_throttled, set_session_cookie
from mts.domain.errors import PermissionDenied
from mts.services import accounts
from mts.web.session import VisitorDep, local_path
from mts.web.templating import render

router = APIRouter(include_in_schema=False)

# Before there is a session, the login form is protected by a double-submit token:
# a random cookie that the form must repeat, which another site cannot read.
LOGIN_CSRF_COOKIE = "mts_login_csrf"


def _login_page(request: Request, *, next_path: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"title": "Log in", "next": next_path, "error": error, "login_csrf": token},
        status_code=status,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    return _login_page(request, next_path=local_path(next), error=None, status=200)


@router.post("/login")
def log_in(
    request: Request,
    application: ApplicationDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password, start a session and go where the visitor was heading."""
    target = local_path(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf, expected):
        return _login_page(request, next_path=target, error="The form expired; please try again.",
                           status=400)  # fmt: skip
    try:
        credentials = log_in_throttled(request, application, email, password, "session")
    except PermissionDenied as error:
        return _login_page(request, next_path=target, error=error.message.capitalize() + ".",
                           status=401)  # fmt: skip
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, application, credentials.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def log_out(request: Request, application: ApplicationDep, _: VisitorDep) -> Response:
    """End the session."""
    accounts.log_out(application.unit_of_work, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
