"""Request-scoped dependencies as ``Annotated`` aliases: the application, the current user."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Query, Request

from mts.bootstrap import Application
from mts.domain.accounts import User
from mts.domain.errors import InvalidInput, PermissionDenied, Unauthenticated
from mts.services import accounts

Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many items first.")]
Key = Annotated[str | None, Query(min_length=1, max_length=64)]
"""An optional id to filter a list by."""

SESSION_COOKIE = "mts_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# A JSON escape of NUL is "\u0000" after an even number of backslashes (an odd one escapes it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def reject_nul_characters(request: Request) -> None:
    """Refuse text holding NUL characters anywhere: PostgreSQL cannot store them, so neither
    backend accepts them (422 on both, never a database error)."""
    if _nul_in_url(request) or await _nul_in_body(request):
        raise InvalidInput("text may not contain NUL characters")


def _nul_in_url(request: Request) -> bool:
    pairs = request.query_params.multi_items()
    return "\x00" in request.scope.get("path", "") or any("\x00" in k + v for k, v in pairs)


async def _nul_in_body(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = await request.body()  # FastAPI has read and kept it already, or keeps it now
        return b"\x00" in body or _JSON_NUL.search(body) is not None
    if kind.startswith("application/x-www-form-urlencoded"):
        form = await request.form()  # kept on the request, for the route to read again
        return any("\x00" in k + v for k, v in form.multi_items() if isinstance(v, str))
    return False


def get_application(request: Request) -> Application:
    """The application this server was created with."""
    application: Application = request.app.state.application
    return application


ApplicationDep = Annotated[Application, Depends(get_application)]


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _token_owner(request: Request, application: ApplicationDep) -> tuple[User, str, bool]:
    # A plain function, so FastAPI runs it in its thread pool: it waits on the database, and
    # an async one would hold up every other request on the event loop meanwhile.
    token = _bearer(request)
    via_cookie = token is None
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("log in first")
    found = accounts.user_for_token(application.unit_of_work, token, now=application.clock())
    if found is None:
        raise Unauthenticated("the session has ended; log in again")
    return found[0], found[1], via_cookie


async def current_user(
    request: Request, owner: Annotated[tuple[User, str, bool], Depends(_token_owner)]
) -> User:
    """The logged-in user, by bearer token or by session cookie (with a CSRF check on writes)."""
    user, csrf, via_cookie = owner
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
