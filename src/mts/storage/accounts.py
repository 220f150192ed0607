"""Users and their session or API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mts.domain.accounts import AccessRole, User, UserId
from mts.domain.people import PersonId
from mts.storage.tables import TokenRow, UserRow


def _user(row: UserRow) -> User:
    return User(
        id=UserId(row.id),
        email=row.email,
        role=AccessRole(row.role),
        person=PersonId(row.person_id) if row.person_id else None,
    )


class SqlUserRepository:
    """Accounts, found by id, email or token hash."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        email: str,
        password_hash: str,
        role: AccessRole,
        person: PersonId | None,
        at: datetime,
    ) -> User:
        """Store a new account and return it with its id."""
        row = UserRow(
            email=email,
            password_hash=password_hash,
            role=role.value,
            person_id=person,
            created_at=at,
        )
        self._session.add(row)
        self._session.flush()
        return _user(row)

    def by_email(self, email: str) -> tuple[User, str] | None:
        """The account with ``email`` and its password hash, or None."""
        row = self._session.scalars(select(UserRow).where(UserRow.email == email)).first()
        return (_user(row), row.password_hash) if row else None

    def set_password_hash(self, user: UserId, password_hash: str) -> None:
        """Replace a stored hash (after argon2 asks for a rehash)."""
        row = self._session.get(UserRow, user)
        if row is not None:
            row.password_hash = password_hash

    def list(self) -> list[User]:
        """Every account, by id."""
        return [_user(r) for r in self._session.scalars(select(UserRow).order_by(UserRow.id))]

    def count(self) -> int:
        """How many accounts exist."""
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0

    def add_token(
        self,
        *,
        token_hash: str,
        user: UserId,
        kind: str,
        csrf: str,
        at: datetime,
        expires: datetime,
    ) -> None:
        """Store a new session or API token (by its hash)."""
        self._session.add(
            TokenRow(
                token_hash=token_hash,
                user_id=user,
                kind=kind,
                csrf=csrf,
                created_at=at,
                expires_at=expires,
            )
        )

    def by_token(self, token_hash: str, *, now: datetime) -> tuple[User, str] | None:
        """The account a live token belongs to, and the token's CSRF secret."""
        found = self._session.execute(
            select(UserRow, TokenRow.csrf, TokenRow.expires_at)
            .join(TokenRow, TokenRow.user_id == UserRow.id)
            .where(TokenRow.token_hash == token_hash)
        ).first()
        if found is None:
            return None
        row, csrf, expires = found
        if _aware(expires) <= now:
            return None
        return _user(row), csrf

    def remove_token(self, token_hash: str) -> None:
        """Forget a token (logout)."""
        self._session.execute(delete(TokenRow).where(TokenRow.token_hash == token_hash))


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything mts stores is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
