"""Accounts: argon2 passwords, sessions and API tokens that expire and can be revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mts.bootstrap import Application
from mts.domain.accounts import AccessRole
from mts.domain.errors import Conflict, PermissionDenied
from mts.services import accounts
from mts.storage.tables import UserRow

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def _council(app: Application) -> None:
    accounts.create_user(
        app.unit_of_work,
        email="chair@example.org",
        password="correct horse",
        role=AccessRole.COUNCIL,
        now=NOW,
    )


def test_password_is_stored_only_as_an_argon2_hash(app: Application) -> None:
    _council(app)
    with app.engine.connect() as connection:
        [row] = connection.execute(select(UserRow.password_hash)).all()
    assert row.password_hash.startswith("$argon2") and "correct horse" not in row.password_hash


def test_login_issues_a_token_that_finds_its_user_until_it_expires(app: Application) -> None:
    _council(app)
    credentials = accounts.log_in(
        app.unit_of_work, email="Chair@Example.org", password="correct horse", now=NOW
    )
    found = accounts.user_for_token(app.unit_of_work, credentials.token, now=NOW)
    assert (
        found is not None and found[0].email == "chair@example.org" and found[1] == credentials.csrf
    )
    later = NOW + accounts.SESSION_LIFETIME + timedelta(seconds=1)
    assert accounts.user_for_token(app.unit_of_work, credentials.token, now=later) is None


def test_wrong_password_and_unknown_email_fail_alike(app: Application) -> None:
    _council(app)
    for email, password in [("chair@example.org", "wrong"), ("nobody@example.org", "x" * 9)]:
        with pytest.raises(PermissionDenied, match="wrong email or password"):
            accounts.log_in(app.unit_of_work, email=email, password=password, now=NOW)


def test_logout_revokes_the_token(app: Application) -> None:
    _council(app)
    credentials = accounts.log_in(
        app.unit_of_work, email="chair@example.org", password="correct horse", now=NOW
    )
    accounts.log_out(app.unit_of_work, credentials.token)
    assert accounts.user_for_token(app.unit_of_work, credentials.token, now=NOW) is None


def test_one_account_per_email(app: Application) -> None:
    _council(app)
    with pytest.raises(Conflict):
        _council(app)
