"""``mts user``: accounts for the web UI and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from mts.cli.console import console
from mts.cli.data import open_application
from mts.domain.accounts import AccessRole
from mts.domain.people import PersonId
from mts.services import accounts

users_app = typer.Typer(help="Accounts and access roles.", no_args_is_help=True)


@users_app.command("add")
def user_add(
    email: str = typer.Argument(..., help="The login email."),
    role: AccessRole = typer.Option(AccessRole.MEMBER, help="member, lead, council or admin."),
    person: str | None = typer.Option(None, help="The member id this account belongs to."),
    password: str | None = typer.Option(
        None, help="The password; prompted for (hidden) when omitted."
    ),
) -> None:
    """Create an account; the password is stored only as an argon2 hash."""
    application = open_application()
    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(
        application.unit_of_work,
        email=email,
        password=secret,
        role=role,
        person=PersonId(person) if person else None,
        now=datetime.now(UTC),
    )
    console.print(f"created {user.role} account {user.email} (id {user.id})")
