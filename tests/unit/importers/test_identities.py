"""Identities merge by normalised email; bots are never people."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mts.importers.identities import identity, is_bot, normalise_email, parse_contact
from mts.services.history import Identity, name_key, slug


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (" Ada@Example.ORG ", "ada@example.org"),
        ("<ada@example.org>", "ada@example.org"),
        ("12345+Ada@users.noreply.github.com", "ada@users.noreply.github.com"),
        ("ada@users.noreply.github.com", "ada@users.noreply.github.com"),
        ("ada+lists@example.org", "ada+lists@example.org"),
        ("root@localhost", None),
        ("", None),
        ("no at sign", None),
        ("a b@example.org", None),
    ],
)
def test_emails_are_normalised_or_refused(raw: str, normal: str | None) -> None:
    assert normalise_email(raw) == normal


@given(st.emails())
def test_normalising_twice_changes_nothing(email: str) -> None:
    once = normalise_email(email)
    assert once is None or normalise_email(once) == once


def test_a_trailer_contact_becomes_an_identity() -> None:
    assert parse_contact("Cleo  Cruz <Cleo@Example.org>") == Identity(
        name="Cleo Cruz", email="cleo@example.org"
    )
    assert parse_contact("an-assistant:model-1") is None
    assert parse_contact("Cleo <not-an-email>") is None


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("GitHub", "noreply@github.com"),
        ("k8s-ci-robot", "k8s-ci-robot@example.org"),
        ("Renovate Bot", "bot@renovateapp.com"),
    ],
)
def test_bots_are_recognised_and_never_identities(name: str, email: str) -> None:
    assert is_bot(name, normalise_email(email) or email)
    assert identity(name, email) is None


def test_people_with_bot_like_letters_in_their_names_are_people() -> None:
    assert identity("Abbott Ng", "abbott@example.org") is not None


def test_names_compare_without_accents_case_or_spacing() -> None:
    assert name_key("  José  ÁLVAREZ ") == name_key("jose alvarez") == "jose alvarez"


@given(st.text(max_size=100))
def test_a_slug_is_always_a_valid_id(text: str) -> None:
    value = slug(text)
    assert 0 < len(value) <= 64 and not any(ch.isspace() for ch in value)
