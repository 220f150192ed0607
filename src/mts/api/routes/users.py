"""Accounts, for admins: list them and create them."""

from __future__ import annotations

from fastapi import APIRouter

from mts.api.dependencies import ApplicationDep, CurrentUser
from mts.api.schemas import UserIn, UserOut
from mts.domain.people import PersonId
from mts.services import accounts

router = APIRouter(prefix="/users", tags=["auth"])


@router.get("", response_model=list[UserOut])
def list_users(application: ApplicationDep, user: CurrentUser) -> list[UserOut]:
    """Every account (admins)."""
    return [UserOut.of(u) for u in accounts.list_users(application.unit_of_work, user)]


@router.post("", response_model=UserOut, status_code=201)
def add_user(body: UserIn, application: ApplicationDep, user: CurrentUser) -> UserOut:
    """Create an account with an access role, optionally linked to a member (admins)."""
    created = accounts.add_user(
        application.unit_of_work,
        user,
        email=body.email,
        password=body.password,
        role=body.role,
        person=PersonId(body.person_id) if body.person_id else None,
        now=application.clock(),
    )
    return UserOut.of(created)
