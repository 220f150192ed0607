"""Logging in and out: bearer tokens for API clients, a session cookie for the web."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from mts.api.dependencies import SESSION_COOKIE, ApplicationDep, CurrentUser
from mts.api.schemas import LoginIn, TokenOut, UserOut
from mts.domain.errors import PermissionDenied, TooManyAttempts
from mts.services import accounts
from mts.services.accounts import Credentials

router = APIRouter(prefix="/auth", tags=["auth"])


def log_in_throttled(
    request: Request, application: ApplicationDep, email: str, password: str, kind: str
) -> Credentials:
    """Log in, refusing further attempts once an email or address has failed too often."""
    throttle = request.app.state.login_throttle
    now = application.clock()
    client = request.client.host if request.client else "unknown"
    keys = (f"email:{email.strip().lower()}", f"client:{client}")
    if throttle.is_blocked(keys, now):
        raise TooManyAttempts("too many failed logins; wait a minute and try again")
    try:
        return accounts.log_in(
            application.unit_of_work, email=email, password=password, now=now, kind=kind
        )
    except PermissionDenied:
        throttle.record_failure(keys, now)
        raise


def set_session_cookie(response: Response, application: ApplicationDep, token: str) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax, Secure when served over TLS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=application.settings.cookie_secure,
    )


@router.post("/login", response_model=TokenOut)
def login(
    body: LoginIn, request: Request, response: Response, application: ApplicationDep
) -> TokenOut:
    """Exchange an email and password for a bearer token (or a web session cookie)."""
    credentials = log_in_throttled(request, application, body.email, body.password, body.kind)
    if body.kind == "session":
        set_session_cookie(response, application, credentials.token)
    return TokenOut(
        token=credentials.token,
        csrf=credentials.csrf,
        expires=credentials.expires.isoformat(),
        user=UserOut.of(credentials.user),
    )


@router.post("/logout", status_code=204)
def logout(
    request: Request, response: Response, application: ApplicationDep, _: CurrentUser
) -> None:
    """End this session or revoke this bearer token."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE, "")
    accounts.log_out(application.unit_of_work, token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    """The account making the request."""
    return UserOut.of(user)
