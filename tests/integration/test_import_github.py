"""GitHub pull requests and reviews become evidence; fixtures are shaped like `gh api` output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from mts.bootstrap import Application
from mts.cli import history as cli_history
from mts.domain.errors import ImportRejected
from mts.importers.github import read_github, read_logins
from mts.services.history import import_history
from mts.storage.tables import Base

API = "https://api.github.com"
REPO = "acme/widgets"


def _user(login: str, number: int, kind: str = "User") -> dict[str, Any]:
    return {
        "login": login,
        "id": number,
        "node_id": f"MDQ6VXNlcj{number}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
        "gravatar_id": "",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": kind,
        "site_admin": False,
    }


PEOPLE = {
    "ada": _user("ada", 101),
    "bob": _user("Bob", 102),
    "carol": _user("carol", 103),
    "dependabot": _user("dependabot[bot]", 49699333, "Bot"),
    "copilot": _user("copilot-pull-request-reviewer[bot]", 175728472, "Bot"),
}


def _repo() -> dict[str, Any]:
    return {
        "id": 5000,
        "node_id": "R_kgDOAAAB",
        "name": "widgets",
        "full_name": REPO,
        "private": False,
        "owner": _user("acme", 9000, "Organization"),
        "html_url": f"https://github.com/{REPO}",
        "url": f"{API}/repos/{REPO}",
    }


def pull(number: int, who: str, **changes: Any) -> dict[str, Any]:
    """A pull request as `gh api repos/acme/widgets/pulls?state=all` lists it."""
    url = f"{API}/repos/{REPO}/pulls/{number}"
    body: dict[str, Any] = {
        "url": url,
        "id": 1_000_000 + number,
        "node_id": f"PR_kwDOAAAB{number}",
        "html_url": f"https://github.com/{REPO}/pull/{number}",
        "diff_url": f"https://github.com/{REPO}/pull/{number}.diff",
        "issue_url": f"{API}/repos/{REPO}/issues/{number}",
        "number": number,
        "state": "closed",
        "locked": False,
        "title": f"Change {number}",
        "user": PEOPLE[who],
        "body": "What and why.",
        "created_at": "2026-02-01T09:00:00Z",
        "updated_at": "2026-02-03T09:00:00Z",
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": "a" * 40,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "labels": [],
        "draft": False,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "head": {"label": f"{who}:topic", "ref": "topic", "sha": "b" * 40, "user": PEOPLE[who],
                 "repo": _repo()},
        "base": {"label": "acme:main", "ref": "main", "sha": "c" * 40,
                 "user": _user("acme", 9000, "Organization"), "repo": _repo()},
        "_links": {"self": {"href": url}},
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
    }  # fmt: skip
    body.update(changes)
    return body


def review(number: int, pull_number: int, who: str, state: str, day: int) -> dict[str, Any]:
    """A review as `gh api repos/acme/widgets/pulls/N/reviews` returns it."""
    return {
        "id": number,
        "node_id": f"PRR_kwDOAAAB{number}",
        "user": PEOPLE[who],
        "body": "",
        "state": state,
        "html_url": f"https://github.com/{REPO}/pull/{pull_number}#pullrequestreview-{number}",
        "pull_request_url": f"{API}/repos/{REPO}/pulls/{pull_number}",
        "author_association": "MEMBER",
        "_links": {"html": {"href": "..."}, "pull_request": {"href": "..."}},
        "submitted_at": f"2026-02-{day:02d}T10:00:00Z" if state != "PENDING" else None,
        "commit_id": "d" * 40,
    }


def _export(folder: Path) -> Path:
    """A directory as a script of `gh api ... > file` calls leaves it."""
    folder.mkdir()
    merged = {"closed_at": "2026-02-05T12:00:00Z", "merged_at": "2026-02-05T12:00:00Z"}
    closed = {"closed_at": "2026-02-06T12:00:00Z"}
    first_page = [
        pull(1, "ada", **merged, additions=90, deletions=9),
        pull(2, "bob", **closed),
        pull(3, "dependabot", **merged),
    ]
    second_page = [
        pull(4, "carol", state="open"),
        pull(5, "ada", draft=True, **closed),
    ]
    # --paginate writes one JSON array per page, one after the other
    (folder / "pulls.json").write_text(json.dumps(first_page) + "\n" + json.dumps(second_page))
    reviews = folder / "reviews"
    reviews.mkdir()
    (reviews / "1.json").write_text(
        json.dumps(
            [
                review(11, 1, "bob", "CHANGES_REQUESTED", 2),
                review(12, 1, "carol", "COMMENTED", 2),
                review(13, 1, "copilot", "APPROVED", 2),
                review(14, 1, "ada", "COMMENTED", 3),
                review(15, 1, "bob", "APPROVED", 4),
                review(16, 1, "carol", "DISMISSED", 4),
            ]
        )
    )
    (reviews / "2.json").write_text(json.dumps([review(21, 2, "carol", "CHANGES_REQUESTED", 5)]))
    (reviews / "3.json").write_text(json.dumps([review(31, 3, "ada", "APPROVED", 5)]))
    # --slurp nests the pages in one more list
    (reviews / "4.json").write_text(json.dumps([[review(41, 4, "ada", "APPROVED", 7)], []]))
    (reviews / "99.json").write_text(json.dumps([review(991, 99, "ada", "APPROVED", 7)]))
    users = folder / "users"
    users.mkdir()
    ada = {**PEOPLE["ada"], "name": "Ada Abe", "email": "Ada@Example.org"}
    (users / "ada.json").write_text(json.dumps(ada))
    return folder


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A directory of `gh api` responses for five pull requests."""
    return _export(tmp_path / "gh")


def _logins(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "logins.csv"
    path.write_text("login,email\ncarol,carol@example.org\n")
    return read_logins(path)


def _stored(app: Application) -> set[tuple[object, ...]]:
    with app.unit_of_work() as uow:
        return {
            (e.person, e.reviewer, e.work_item, e.score, e.day.day, round(e.weight, 4), e.source)
            for e in uow.evidence.list()
        }


def _row_counts(app: Application) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _import(app: Application, path: Path, logins: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    reader = read_github(path, logins=logins)
    return import_history(app.unit_of_work, reader.source, reader.items()), reader


def test_verdicts_and_outcomes_give_exactly_this_evidence(
    app: Application, export: Path, tmp_path: Path
) -> None:
    report, reader = _import(app, export, _logins(tmp_path))
    item = f"{REPO}#"
    assert _stored(app) == {
        # bob first asked for changes, then approved: both verdicts count
        ("ada", "bob", f"{item}1 review 11", 0.0, 2, 1.0, "github"),
        ("ada", "bob", f"{item}1 review 15", 1.0, 4, 1.0, "github"),
        ("ada", None, f"{item}1 merged", 1.0, 5, 1.0, "github"),
        ("bob", "carol", f"{item}2 review 21", 0.0, 5, 1.0, "github"),
        ("bob", None, f"{item}2 closed unmerged", 0.0, 6, 0.5, "github"),
        # an open pull request has verdicts but no outcome yet
        ("carol", "ada", f"{item}4 review 41", 1.0, 7, 1.0, "github"),
    }
    assert (reader.stats.pulls, reader.stats.reviews, reader.stats.verdicts) == (5, 10, 4)
    assert (reader.stats.bot_pulls, reader.stats.bot_reviews, reader.stats.orphan_reviews) == (
        1,
        1,
        1,
    )
    assert report.added == 6


def test_logins_become_people_by_profile_email_mapping_or_noreply_address(
    app: Application, export: Path, tmp_path: Path
) -> None:
    report, _ = _import(app, export, _logins(tmp_path))
    with app.unit_of_work() as uow:
        people = {p.id: (p.name, p.email, p.department) for p in uow.people.list()}
    assert people == {
        "ada": ("Ada Abe", "ada@example.org", "unassigned"),
        "bob": ("Bob", "bob@users.noreply.github.com", "unassigned"),
        "carol": ("carol", "carol@example.org", "unassigned"),
    }
    assert len(report.people_created) == 3


def test_importing_the_same_export_again_adds_nothing(app: Application, export: Path) -> None:
    _import(app, export)
    before = _row_counts(app)
    again, _ = _import(app, export)
    assert (again.added, again.already_stored, again.people_created) == (0, 6, ())
    assert _row_counts(app) == before


def test_a_single_file_holding_pulls_and_reviews_imports_the_same(
    app: Application, export: Path, tmp_path: Path
) -> None:
    combined = tmp_path / "everything.json"
    combined.write_text("\n".join(p.read_text() for p in sorted(export.rglob("*.json"))))
    _import(app, combined, _logins(tmp_path))
    assert len(_stored(app)) == 6


def test_broken_json_names_the_file_line_and_character_and_writes_nothing(
    app: Application, export: Path
) -> None:
    (export / "reviews" / "2.json").write_text('[{"id": 21,\n "state": }]')
    before = _row_counts(app)
    with pytest.raises(ImportRejected) as raised:
        _import(app, export)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column, problem.expected) == (
        "reviews/2.json",
        2,
        "character 11",
        "valid JSON",
    )
    assert _row_counts(app) == before


def test_a_malformed_field_or_unknown_object_is_named_by_row_and_column(export: Path) -> None:
    bad_pull = pull(6, "ada", merged_at="last tuesday")
    (export / "more.json").write_text(json.dumps([bad_pull, {"message": "Not Found"}]))
    with pytest.raises(ImportRejected) as raised:
        read_github(export)
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [
        ("more.json", 1, "merged_at"),
        ("more.json", 2, None),
    ]


def test_the_cli_imports_an_export_directory(
    app: Application, export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTS_DATABASE_URL", app.settings.database_url)
    logins = tmp_path / "logins.csv"
    logins.write_text("login,email\ncarol,carol@example.org\n")
    commands = typer.Typer()
    commands.command("github")(cli_history.import_github)
    commands.command("other")(cli_history.import_hr)
    result = CliRunner().invoke(commands, ["github", str(export), "--logins", str(logins)])
    assert result.exit_code == 0, result.output
    assert "read 5 pull requests and 10 reviews" in result.output
    assert "added 6 evidence" in result.output
    assert len(_stored(app)) == 6
