"""Logins and what each access role may do. Access roles are not ranks: they grant
duties (running rounds, managing a project's roles), never a say in who is good."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NewType

from mts.domain.people import PersonId

UserId = NewType("UserId", int)


class AccessRole(enum.StrEnum):
    """member < lead (their own projects) < council (rounds) < admin (accounts)."""

    MEMBER = "member"
    LEAD = "lead"
    COUNCIL = "council"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """Someone who can log in, optionally linked to the member they are."""

    id: UserId
    email: str
    role: AccessRole
    person: PersonId | None = None

    @property
    def is_council(self) -> bool:
        """Whether the user may run, approve and override rounds (admins may too)."""
        return self.role in (AccessRole.COUNCIL, AccessRole.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Whether the user may manage accounts."""
        return self.role is AccessRole.ADMIN

    def is_self(self, person: PersonId) -> bool:
        """Whether ``person`` is the member this user is."""
        return self.person is not None and self.person == person
