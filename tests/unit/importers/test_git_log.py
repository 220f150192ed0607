"""The streamed ``git log`` parse and the git scheme's pure parts."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mts.importers.git import size_weight
from mts.importers.git_repository import Commit, parse_log

SHA1, SHA2 = "a" * 40, "b" * 40


def _record(sha: str, parents: str, body: str, trailers: str, numstat: list[str]) -> bytes:
    fields = [sha, parents, "Ada Abe", "ada@example.org", "Ben", "ben@example.org", "2026-01-05"]
    header = "\x1e" + "".join(f"{field}\0" for field in [*fields, trailers, body]) + "\0"
    changes = "".join(f"{line}\0" for line in numstat)
    return (header + ("\n" + changes if changes else "")).encode()


STREAM = _record(
    SHA1,
    "",
    "Add the parser\n\nReviewed-by: Cleo <cleo@example.org>\n",
    'Reviewed-by: Cleo <cleo@example.org>\nFixes: 1234567 ("x")\n',
    ["10\t2\tsrc/parser.py", "-\t-\tlogo.png", "1\t0\tweird\x1epath\twith tab"],
) + _record(SHA2, f"{SHA1} {'c' * 40}", "Merge branch 'x'\n", "", [])


def test_a_commit_record_becomes_a_commit_with_trailers_and_changes() -> None:
    first, merge = parse_log([STREAM])
    assert first == Commit(
        sha=SHA1,
        parents=(),
        author_name="Ada Abe",
        author_email="ada@example.org",
        committer_name="Ben",
        committer_email="ben@example.org",
        day=date(2026, 1, 5),
        trailers=(("reviewed-by", "Cleo <cleo@example.org>"), ("fixes", '1234567 ("x")')),
        message="Add the parser\n\nReviewed-by: Cleo <cleo@example.org>\n",
        changes=(("src/parser.py", 12), ("logo.png", 1), ("weird\x1epath\twith tab", 1)),
    )
    assert merge.is_merge and merge.changes == () and not first.is_merge


@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_the_parse_does_not_depend_on_where_the_stream_is_cut(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(STREAM)]
    chunks = [STREAM[a:b] for a, b in pairwise(bounds)]
    assert list(parse_log(chunks)) == list(parse_log([STREAM]))


def test_an_empty_stream_has_no_commits() -> None:
    assert list(parse_log([])) == []


@pytest.mark.parametrize(
    ("lines", "weight"), [(0, 0.25), (1, 0.25), (9, 0.5), (99, 1.0), (9999, 2.0), (10**7, 2.0)]
)
def test_size_weight_grows_with_the_log_of_the_lines_changed(lines: int, weight: float) -> None:
    assert size_weight(lines) == pytest.approx(weight)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_size_weight_is_bounded_and_never_shrinks_with_size(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert 0.25 <= size_weight(low) <= size_weight(high) <= 2.0
