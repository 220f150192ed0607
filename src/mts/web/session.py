"""Who is looking at a page: the session cookie's user and its CSRF secret.

The web reads only the session cookie (never a bearer token). Every write
must carry the session's CSRF token, as the hidden form field ``csrf`` or
the ``X-CSRF-Token`` header that htmx sends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from mts.api.dependencies import CSRF_HEADER, SESSION_COOKIE, ApplicationDep
from mts.domain.accounts import User
from mts.domain.errors import PermissionDenied, Unauthenticated
from mts.services import accounts

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class Visitor:
    """A logged-in user and the CSRF token their forms must carry."""

    user: User
    csrf: str

    @property
    def is_council(self) -> bool:
        """Whether the visitor may run, review and audit rounds."""
        return self.user.is_council


async def visitor(request: Request, application: ApplicationDep) -> Visitor:
    """The logged-in visitor; ``Unauthenticated`` (a redirect to the login page) otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    found = (
        accounts.user_for_token(application.unit_of_work, token, now=application.clock())
        if token
        else None
    )
    if token is None or found is None:
        raise Unauthenticated("log in first")
    user, csrf = found
    if request.method not in _SAFE_METHODS:
        await check_csrf(request, csrf)
    seen = Visitor(user, csrf)
    request.state.visitor = seen
    return seen


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse a write whose CSRF token (header or form field) is missing or wrong."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get("csrf")
        sent = value if isinstance(value, str) else None
    if sent is None or not secrets.compare_digest(sent, expected):
        raise PermissionDenied("the form's security token was missing or old; reload and retry")


def council(visitor: Annotated[Visitor, Depends(visitor)]) -> Visitor:
    """The visitor, who must be on the council (rounds have no member view)."""
    if not visitor.is_council:
        raise PermissionDenied("only the staffing council reviews rounds")
    return visitor


VisitorDep = Annotated[Visitor, Depends(visitor)]
CouncilDep = Annotated[Visitor, Depends(council)]


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
