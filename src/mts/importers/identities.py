"""Who a source means: normalised emails, ``Name <email>`` parsing, and bots.

Every source names people by email, so the email is the key that merges
identities across git, GitHub, review forms and HR. Normalising it:

* trims it and folds its case (``Ada@Example.ORG`` is ``ada@example.org``);
* folds GitHub's two no-reply forms into one: ``12345+ada@users.noreply.github.com``
  and ``ada@users.noreply.github.com`` are both ``ada@users.noreply.github.com``.

Bots are never people: their commits, pull requests and reviews are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mts.services.history import Identity

GITHUB_NOREPLY = "users.noreply.github.com"
"""The domain of GitHub's per-user no-reply addresses."""

_MAX_EMAIL = 320
_MAX_NAME = 200
_CONTACT = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*$")
_BOT_EMAILS = frozenset({"noreply@github.com", "actions@github.com", "bot@renovateapp.com"})
_BOT_SUFFIXES = ("[bot]", "-bot", "-robot", " bot")


@lru_cache(maxsize=1 << 16)
def normalise_email(text: str) -> str | None:
    """``text`` as a comparable email, or None when it is not an email address."""
    email = text.strip().strip("<>").strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain.strip(".")) or len(email) > _MAX_EMAIL:
        return None
    if any(ch.isspace() or ch in "<>,;" for ch in email):
        return None
    if domain == GITHUB_NOREPLY and "+" in local:
        local = local.partition("+")[2]
    return f"{local}@{domain}"


@lru_cache(maxsize=1 << 16)
def identity(name: str, email: str) -> Identity | None:
    """An identity from a name and an email, or None without a usable email or for a bot."""
    normalised = normalise_email(email)
    if normalised is None or is_bot(name, normalised):
        return None
    return Identity(name=" ".join(name.split())[:_MAX_NAME], email=normalised)


def parse_contact(text: str) -> Identity | None:
    """``Name <email>`` (as in a ``Reviewed-by:`` trailer) as an identity, or None."""
    match = _CONTACT.match(text)
    if match is None:
        return None
    return identity(match["name"], match["email"])


def is_bot(name: str, email: str) -> bool:
    """Whether an identity is an automaton (GitHub Apps, CI and dependency bots)."""
    lowered = name.strip().lower()
    local = email.partition("@")[0]
    return (
        email in _BOT_EMAILS
        or lowered.endswith(_BOT_SUFFIXES)
        or local.endswith(_BOT_SUFFIXES)
        or "[bot]" in local
    )


def github_email(login: str) -> str:
    """The no-reply address GitHub gives ``login``, in its normalised form."""
    return f"{login.lower()}@{GITHUB_NOREPLY}"
