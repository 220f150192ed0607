"""Execution evidence from GitHub pull requests and their reviews, as ``gh api`` returns them.

Input: one JSON file or a directory of them (read recursively), each holding
one or more REST API responses (``gh api --paginate`` concatenates pages;
``--slurp`` nests them in a list). Every object is recognised by its shape:

* a pull request (``repos/O/R/pulls`` or ``repos/O/R/pulls/N``): has
  ``number``, ``head`` and ``base``;
* a review (``repos/O/R/pulls/N/reviews``): has ``pull_request_url`` and ``state``;
* a user (``users/LOGIN``): has ``login`` and ``type``; its public ``email``
  and ``name`` identify the login.

The scheme (source ``github``, scale 0..1), one work item per pull request:

=======================  =================  ==========  =====  ==========
signal                   about              reviewer    score  weight
=======================  =================  ==========  =====  ==========
``APPROVED`` review      the PR's author    the review  1      size
``CHANGES_REQUESTED``    the PR's author    the review  0      size
merged                   the PR's author    none        1      size
closed without merging   the PR's author    none        0      size / 2
=======================  =================  ==========  =====  ==========

Comments, dismissed and pending reviews are not verdicts; open and draft
pull requests have no outcome yet. Bots (``type: Bot``, ``...[bot]``) are
left out, as authors and as reviewers. Logins become people by email: the
``--logins`` file, else a ``users/LOGIN`` response with a public email, else
GitHub's no-reply address ``LOGIN@users.noreply.github.com`` (which is what
the web flow writes into commits, so git and GitHub meet).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mts.domain.errors import ImportRejected, Problem
from mts.domain.evidence import Scale, SkillTag
from mts.domain.people import Skill
from mts.importers import fields as f
from mts.importers.files import MAX_FILE_BYTES, read_file
from mts.importers.git import size_weight
from mts.importers.identities import github_email, is_bot, normalise_email
from mts.importers.records import Column, RecordKind
from mts.services.history import EvidenceSource, HistoryItem, Identity, Judgement, slug

SOURCE = "github"
SCALE = Scale(low=0.0, high=1.0)
VERDICTS: dict[str, float] = {"APPROVED": 1.0, "CHANGES_REQUESTED": 0.0}
CLOSED_WEIGHT = 0.5
"""A pull request closed unmerged counts half: it may have been superseded, not rejected."""

_PULL_URL = re.compile(r"/repos/(?P<repo>[^/]+/[^/]+)/pulls/(?P<number>\d+)/?$")

LOGINS = RecordKind(
    name="logins",
    columns=(Column("login", f.identifier), Column("email", f.email)),
    key=lambda c: str(c["login"]).lower(),
    build=lambda c: (str(c["login"]).lower(), c["email"]),
    flatten=lambda pair: {"login": pair[0], "email": pair[1]},
)
"""``--logins FILE``: a CSV mapping GitHub logins to the emails people use elsewhere."""


def read_logins(path: Path) -> dict[str, str]:
    """Login -> email from a logins file, or ``ImportRejected`` naming every bad cell."""
    parsed = read_file(LOGINS, path, file_format="csv")
    parsed.raise_if_problems()
    return dict(parsed.values)


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A GitHub account as a response shows it."""

    login: str
    is_bot: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PullRequest:
    """The fields of a pull request the scheme reads."""

    repo: str
    number: int
    author: User | None
    merged: date | None
    closed: date | None
    draft: bool
    lines: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """The fields of a review the scheme reads."""

    repo: str
    number: int
    id: int
    reviewer: User | None
    state: str
    day: date | None


@dataclass(slots=True)
class GithubStats:
    """What the reader saw, beyond the evidence it produced."""

    pulls: int = 0
    reviews: int = 0
    verdicts: int = 0
    bot_pulls: int = 0
    bot_reviews: int = 0
    orphan_reviews: int = 0


@dataclass(slots=True)
class GithubExport:
    """Pull requests, their reviews and what users' profiles say, from one export."""

    origin: str
    pulls: dict[tuple[str, int], PullRequest] = field(default_factory=dict)
    reviews: dict[tuple[str, int], dict[int, Review]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    stats: GithubStats = field(default_factory=GithubStats)

    @property
    def source(self) -> EvidenceSource:
        """The evidence source this export feeds."""
        return EvidenceSource(name=SOURCE, scale=SCALE, origin=self.origin)

    def count(self) -> int:
        """How many work items (pull requests) the import reads."""
        return len(self.pulls)

    def items(self) -> Iterator[HistoryItem]:
        """One item per pull request, in (repository, number) order."""
        for key in sorted(self.pulls):
            yield HistoryItem(judgements=tuple(self._judge(self.pulls[key])))
        linked = sum(len(r) for key, r in self.reviews.items() if key in self.pulls)
        self.stats.orphan_reviews = self.stats.reviews - linked

    def identity(self, user: User) -> Identity:
        """The identity a login stands for."""
        login = user.login.lower()
        email = self.emails.get(login) or github_email(login)
        return Identity(name=self.names.get(login, user.login), email=email)

    def _judge(self, pull: PullRequest) -> list[Judgement]:
        if pull.author is None or pull.author.is_bot:
            self.stats.bot_pulls += pull.author is not None
            return []
        author = self.identity(pull.author)
        tags = (SkillTag(skill=Skill(slug(pull.repo.rsplit("/", 1)[-1]))),)
        weight = size_weight(pull.lines) if pull.lines is not None else 1.0
        item = f"{pull.repo}#{pull.number}"
        judgements = [
            Judgement(
                person=author,
                reviewer=self.identity(review.reviewer),
                work_item=f"{item} review {review.id}",
                skills=tags,
                score=VERDICTS[review.state],
                day=review.day,
                weight=weight,
            )
            for review in self._verdicts(pull, pull.author.login.lower())
            if review.reviewer is not None and review.day is not None
        ]
        outcome = _outcome(pull, item)
        if outcome is not None:
            label, score, day, share = outcome
            judgements.append(
                Judgement(
                    person=author,
                    work_item=label,
                    skills=tags,
                    score=score,
                    day=day,
                    weight=weight * share,
                )
            )
        return judgements

    def _verdicts(self, pull: PullRequest, author: str) -> list[Review]:
        found = []
        for review in self.reviews.get((pull.repo, pull.number), {}).values():
            reviewer = review.reviewer
            if reviewer is not None and reviewer.is_bot:
                self.stats.bot_reviews += 1
            elif reviewer is not None and review.state in VERDICTS:
                found += [review] if reviewer.login.lower() != author else []
        self.stats.verdicts += len(found)
        return sorted(found, key=lambda r: (r.day or date.min, r.id))


def _outcome(pull: PullRequest, item: str) -> tuple[str, float, date, float] | None:
    if pull.merged is not None:
        return f"{item} merged", 1.0, pull.merged, 1.0
    if pull.closed is not None and not pull.draft:
        return f"{item} closed unmerged", 0.0, pull.closed, CLOSED_WEIGHT
    return None


# -- reading ------------------------------------------------------------------------


def read_github(path: Path, *, logins: Mapping[str, str] | None = None) -> GithubExport:
    """Every pull request, review and user in ``path`` (a file or a directory).

    Problems (bad JSON, objects of no known shape, missing or malformed
    fields) are collected over all files and raised together as ``ImportRejected``.
    """
    export = GithubExport(origin=path.name)
    problems: list[Problem] = []
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    if not files:
        problems.append(_problem(path.name, None, None, "JSON files of `gh api` responses", "none"))
    for file in files:
        _read_one(export, file, path, problems)
    if problems:
        raise ImportRejected(problems)
    for login, email in (logins or {}).items():
        export.emails[login.lower()] = normalise_email(email) or email
    return export


def _read_one(export: GithubExport, file: Path, root: Path, problems: list[Problem]) -> None:
    name = str(file.relative_to(root)) if root.is_dir() else file.name
    text = _text(file, name, problems)
    if text is None:
        return
    for row, item in _objects(text, name, problems):
        reader = _reader(item)
        if reader is None:
            found = "keys " + ", ".join(sorted(item)[:6]) if isinstance(item, dict) else item
            expected = "a pull request, a review or a user, as `gh api` returns them"
            problems.append(_problem(name, row, None, expected, found))
            continue
        try:
            reader(export, item)
        except _Bad as bad:
            problems.append(_problem(name, row, bad.column, bad.expected, bad.found))


def _text(file: Path, name: str, problems: list[Problem]) -> str | None:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            problems.append(_problem(name, None, None, "a file of at most 512 MiB", "larger"))
            return None
        return file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        problems.append(_problem(name, None, None, "a readable file", error.strerror or "?"))
    except UnicodeDecodeError:
        problems.append(_problem(name, None, None, "UTF-8 text", "bytes that are not UTF-8"))
    return None


def _objects(text: str, name: str, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    """Every object of every (possibly concatenated, possibly nested) document, numbered from 1."""
    decoder, position, row = json.JSONDecoder(), 0, 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.append(
                _problem(name, error.lineno, f"character {error.colno}", "valid JSON", error.msg)
            )
            return
        for item in _flatten(document):
            row += 1
            yield row, item


def _flatten(document: Any) -> Iterator[Any]:
    if isinstance(document, list):
        for item in document:
            yield from _flatten(item)
    else:
        yield document


class _Bad(Exception):
    def __init__(self, column: str, expected: str, found: Any) -> None:
        super().__init__(column)
        self.column, self.expected, self.found = column, expected, found


def _problem(file: str, row: int | None, column: str | None, expected: str, found: Any) -> Problem:
    shown = str(found)
    return Problem(
        file=file,
        row=row,
        column=column,
        expected=expected,
        found=shown if len(shown) <= 60 else shown[:57] + "...",
    )


def _reader(item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    if {"number", "head", "base"} <= item.keys():
        return _read_pull
    if {"pull_request_url", "state"} <= item.keys():
        return _read_review
    if {"login", "type"} <= item.keys():
        return _read_user
    return None


def _field(item: dict[str, Any], path: str, parse: f.Parser, *, required: bool = True) -> Any:
    value: Any = item
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if f.is_blank(value):
        if required:
            raise _Bad(path, "a value", "nothing")
        return None
    try:
        return parse(value)
    except f.FieldError as error:
        raise _Bad(path, error.expected, repr(value)) from None


def _timestamp(cell: Any) -> date:
    value = f.text(cell)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise f.FieldError("an ISO 8601 time like 2025-03-31T12:00:00Z") from None


def _user(item: dict[str, Any], path: str) -> User | None:
    user = item.get(path)
    if user is None:
        return None  # a deleted account ("ghost"): nobody to credit
    login = _field(item, f"{path}.login", f.text)
    kind = _field(item, f"{path}.type", f.text, required=False)
    return User(login=login, is_bot=kind == "Bot" or is_bot(login, f"{login.lower()}@github"))


def _repo_of(item: dict[str, Any]) -> str:
    repo = _field(item, "base.repo.full_name", f.text, required=False)
    if repo is None:
        match = _PULL_URL.search(_field(item, "url", f.text))
        if match is None:
            raise _Bad("url", "a pull request API URL", item.get("url"))
        repo = match["repo"]
    return str(repo)


def _read_pull(export: GithubExport, item: dict[str, Any]) -> None:
    additions = _field(item, "additions", f.natural, required=False)
    deletions = _field(item, "deletions", f.natural, required=False)
    pull = PullRequest(
        repo=_repo_of(item),
        number=_field(item, "number", f.positive_integer),
        author=_user(item, "user"),
        merged=_field(item, "merged_at", _timestamp, required=False),
        closed=_field(item, "closed_at", _timestamp, required=False),
        draft=bool(_field(item, "draft", f.boolean, required=False)),
        lines=None if additions is None or deletions is None else additions + deletions,
    )
    if (pull.repo, pull.number) not in export.pulls:
        export.stats.pulls += 1
    export.pulls[(pull.repo, pull.number)] = pull


def _read_review(export: GithubExport, item: dict[str, Any]) -> None:
    match = _PULL_URL.search(_field(item, "pull_request_url", f.text))
    if match is None:
        raise _Bad("pull_request_url", "a pull request API URL", item.get("pull_request_url"))
    review = Review(
        repo=match["repo"],
        number=int(match["number"]),
        id=_field(item, "id", f.positive_integer),
        reviewer=_user(item, "user"),
        state=_field(item, "state", f.text).upper(),
        day=_field(item, "submitted_at", _timestamp, required=False),
    )
    reviews = export.reviews.setdefault((review.repo, review.number), {})
    if review.id not in reviews:
        export.stats.reviews += 1
    reviews[review.id] = review


def _read_user(export: GithubExport, item: dict[str, Any]) -> None:
    login = _field(item, "login", f.text).lower()
    email = item.get("email")
    normalised = normalise_email(email) if isinstance(email, str) else None
    if normalised is not None:
        export.emails.setdefault(login, normalised)
    name = item.get("name")
    if isinstance(name, str) and name.strip():
        export.names[login] = " ".join(name.split())[:200]
