"""Accounts: create users, check passwords (argon2), open and close sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mts.domain.accounts import AccessRole, User
from mts.domain.errors import Conflict, InvalidInput, PermissionDenied
from mts.domain.people import PersonId
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(days=90)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed login the same whether or not the
# email exists, so timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A freshly issued token and its CSRF secret; only the token's hash is stored."""

    token: str
    csrf: str
    user: User
    expires: datetime


def hash_token(token: str) -> str:
    """The SHA-256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    unit_of_work: UnitOfWorkFactory,
    *,
    email: str,
    password: str,
    role: AccessRole,
    person: PersonId | None = None,
    now: datetime,
) -> User:
    """Create an account; the password is stored only as an argon2 hash."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    with unit_of_work() as uow:
        if uow.users.by_email(email) is not None:
            raise Conflict(f"an account for {email} already exists", entity=email)
        if person is not None and uow.people.get(person) is None:
            raise InvalidInput(f"no member with id {person!r} to link the account to")
        user = uow.users.add(
            email=email, password_hash=_hasher.hash(password), role=role, person=person, at=now
        )
        uow.commit()
    return user


def add_user(
    unit_of_work: UnitOfWorkFactory,
    actor: User,
    *,
    email: str,
    password: str,
    role: AccessRole,
    person: PersonId | None = None,
    now: datetime,
) -> User:
    """Create an account on an admin's behalf (``mts user add`` is the operator's way)."""
    if not actor.is_admin:
        raise PermissionDenied("only an admin creates accounts")
    return create_user(
        unit_of_work, email=email, password=password, role=role, person=person, now=now
    )


def log_in(
    unit_of_work: UnitOfWorkFactory,
    *,
    email: str,
    password: str,
    now: datetime,
    kind: str = "session",
) -> Credentials:
    """Check a password and issue a session (web) or API token."""
    with unit_of_work() as uow:
        found = uow.users.by_email(email.strip().lower())
        stored = found[1] if found else _DUMMY_HASH
        if not _password_matches(stored, password) or found is None:
            raise PermissionDenied("wrong email or password")
        user = found[0]
        if _hasher.check_needs_rehash(stored):
            uow.users.set_password_hash(user.id, _hasher.hash(password))
        credentials = _issue(uow, user, kind=kind, now=now)
        uow.commit()
    return credentials


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _issue(uow: UnitOfWork, user: User, *, kind: str, now: datetime) -> Credentials:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + (SESSION_LIFETIME if kind == "session" else API_TOKEN_LIFETIME)
    uow.users.add_token(
        token_hash=hash_token(token), user=user.id, kind=kind, csrf=csrf, at=now, expires=expires
    )
    return Credentials(token=token, csrf=csrf, user=user, expires=expires)


def user_for_token(
    unit_of_work: UnitOfWorkFactory, token: str, *, now: datetime
) -> tuple[User, str] | None:
    """The user behind a live token and its CSRF secret, or None."""
    with unit_of_work() as uow:
        return uow.users.by_token(hash_token(token), now=now)


def log_out(unit_of_work: UnitOfWorkFactory, token: str) -> None:
    """End a session or revoke a token."""
    with unit_of_work() as uow:
        uow.users.remove_token(hash_token(token))
        uow.commit()


def list_users(unit_of_work: UnitOfWorkFactory, actor: User) -> list[User]:
    """Every account; admins only."""
    if not actor.is_admin:
        raise PermissionDenied("only an admin may list accounts")
    with unit_of_work() as uow:
        return uow.users.list()
