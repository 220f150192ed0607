"""Request-scoped dependencies as ``Annotated`` aliases: the application, the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mts.bootstrap import Application
from mts.domain.accounts import User
from mts.domain.errors import PermissionDenied, Unauthenticated
from mts.services import accounts

SESSION_COOKIE = "mts_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_application(request: Request) -> Application:
    """The application this server was created with."""
    application: Application = request.app.state.application
    return application


ApplicationDep = Annotated[Application, Depends(get_application)]


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def current_user(request: Request, application: ApplicationDep) -> User:
    """The logged-in user, by bearer token or by session cookie (with a CSRF check on writes)."""
    token = _bearer(request)
    via_cookie = token is None
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("log in first")
    found = accounts.user_for_token(application.unit_of_work, token, now=application.clock())
    if found is None:
        raise Unauthenticated("the session has ended; log in again")
    user, csrf = found
    if via_cookie and request.method not in _SAFE_METHODS:
        await _check_csrf(request, csrf)
    request.state.user = user
    return user


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if sent != expected:
        raise PermissionDenied("missing or wrong CSRF token")


CurrentUser = Annotated[User, Depends(current_user)]


def council_user(user: CurrentUser) -> User:
    """The current user, who must be on the council."""
    if not user.is_council:
        raise PermissionDenied("only the staffing council may do this")
    return user


CouncilUser = Annotated[User, Depends(council_user)]
