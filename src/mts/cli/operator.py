"""Who the CLI acts as: the operator, who already holds the database itself."""

from __future__ import annotations

from mts.domain.accounts import AccessRole, User, UserId

OPERATOR = User(id=UserId(0), email="operator@cli", role=AccessRole.ADMIN)
"""Anyone who can run ``mts`` against the database can read it directly, so the CLI
acts with full rights; the web UI and the API are where per-person rules bite."""
