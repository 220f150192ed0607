"""Git history becomes evidence: real repositories built with the git CLI, on both databases."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from mts.bootstrap import Application
from mts.cli import history as cli_history
from mts.domain.errors import ImportRejected, InvalidInput
from mts.domain.evidence import Evidence
from mts.importers.git import GitHistory
from mts.importers.git_repository import Repository
from mts.importers.skills import PathSkills, read_skills_map
from mts.services.history import HistoryReport, import_history
from mts.services.records import import_records
from mts.storage.tables import Base

ADA = ("Ada Abe", "ada@example.org")
BEN = ("Ben Berg", "ben@example.org")
CLEO = ("Cleo Cruz", "cleo@example.org")
DAN = ("Dan Dahl", "dan@example.org")
EVE = ("Eve Ekberg", "eve@example.org")
FAY = ("Fay Fox", "fay@example.org")
GUS = ("Gus Gray", "gus@example.org")
HAL = ("Hal Hart", "hal@example.org")
IVY_OLD = ("ivy", "IVY@old.example")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


def _contact(who: tuple[str, str]) -> str:
    return f"{who[0]} <{who[1]}>"


class GitRepo:
    """A repository in ``path`` that commits with given people and days."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, who: tuple[str, str] = ADA, by: tuple[str, str] | None = None,
            day: int = 1) -> str:  # fmt: skip
        committer = by or who
        stamp = f"2026-01-{day:02d}T12:00:00+00:00"
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": who[0],
            "GIT_AUTHOR_EMAIL": who[1],
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, message: str, files: dict[str, int], **who: object) -> str:
        """Commit ``files`` (path -> how many lines it gets) and return the new sha."""
        for name, lines in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a") as handle:
                handle.writelines(f"{name} line {i}\n" for i in range(lines))
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, **who)  # type: ignore[arg-type]
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> tuple[GitRepo, dict[str, str]]:
    """One repository with every trailer kind, a mailmap, a revert, a Fixes:, a merge and a bot."""
    repo = GitRepo(tmp_path / "work")
    (repo.path / ".mailmap").write_text("Ivy Ito <ivy@example.org> <ivy@old.example>\n")
    shas = {}
    shas["parser"] = repo.commit(
        "Add the parser\n\nIt parses.\n\n"
        f"Reviewed-by: {_contact(CLEO)}\nTested-by: {_contact(DAN)}\nAcked-by: {_contact(EVE)}\n"
        f"Reported-by: {_contact(HAL)}\nSigned-off-by: {_contact(ADA)}\n"
        f"Reviewed-by: {_contact(ADA)}\n",
        {"src/parser.py": 98},
        who=ADA,
        by=BEN,
        day=5,
    )
    shas["guide"] = repo.commit(
        "Write the guide\n\n"
        f"Co-authored-by: {_contact(ADA)}\nHelped-by: {_contact(GUS)}\n"
        "Assisted-by: an-assistant:model-1\n",
        {"docs/guide.md": 9},
        who=FAY,
        day=6,
    )
    shas["core"] = repo.commit(
        f"Rework the core\n\nReviewed-by: {_contact(IVY_OLD)}\n",
        {"src/core.c": 999},
        who=CLEO,
        by=BEN,
        day=7,
    )
    shas["risky"] = repo.commit("Risky change", {"src/core.c": 9}, who=IVY_OLD, by=BEN, day=8)
    repo.git("revert", "--no-edit", shas["risky"], who=BEN, day=9)
    shas["revert"] = repo.git("rev-parse", "HEAD")
    shas["fix"] = repo.commit(
        f'Fix the parser\n\nFixes: {shas["parser"][:12]} ("Add the parser")\n',
        {"src/parser.py": 9},
        who=CLEO,
        day=10,
    )
    repo.git("checkout", "-q", "-b", "feature", day=11)
    shas["tool"] = repo.commit("Add a tool", {"tools/run.sh": 9}, who=DAN, day=11)
    repo.git("checkout", "-q", "main", day=12)
    repo.git("merge", "--no-ff", "--no-edit", "feature", who=BEN, day=12)
    shas["merge"] = repo.git("rev-parse", "HEAD")
    shas["bump"] = repo.commit("Bump a dependency", {"requirements.txt": 1}, who=BOT, day=13)
    return repo, shas


def _import(app: Application, path: Path, **options: object) -> tuple[HistoryReport, GitHistory]:
    reader = GitHistory(Repository(path), **options)  # type: ignore[arg-type]
    return import_history(app.unit_of_work, reader.source, reader.items()), reader


def _stored(app: Application) -> set[tuple[object, ...]]:
    with app.unit_of_work() as uow:
        return {_row(e) for e in uow.evidence.list()}


def _row(e: Evidence) -> tuple[object, ...]:
    skills = tuple((t.skill, t.weight) for t in e.skills)
    return (e.person, e.reviewer, e.work_item, e.score, e.day.day, round(e.weight, 4), skills)


def _row_counts(app: Application) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _expected(shas: dict[str, str]) -> set[tuple[object, ...]]:
    python = (("python", 1.0), ("src", 1.0))
    c_code = (("c", 1.0), ("src", 1.0))
    docs = (("docs", 1.0),)  # the directory and the file type name one skill
    tools = (("shell", 1.0), ("tools", 1.0))
    parser, guide, core, risky = (f"commit {shas[k]}" for k in ("parser", "guide", "core", "risky"))
    tool, fix = f"commit {shas['tool']}", f"commit {shas['fix']}"
    full, half = round(0.5 / 2.5, 4), round(0.5 * 0.5 / 2.5, 4)
    return {
        # applied by Ben, endorsed by Cleo (review), Dan (test) and Eve (ack);
        # neither Hal's report nor Ada's own sign-off or review is evidence
        ("ada", "ben", parser, 3.0, 5, 1.0, python),
        ("ada", "cleo", parser, 4.0, 5, 1.0, python),
        ("ada", "dan", parser, 3.5, 5, 1.0, python),
        ("ada", "eve", parser, 3.5, 5, 1.0, python),
        # nobody else judged the guide: shipped, credit shared 1 : 1 : 0.5
        ("fay", None, guide, 2.0, 6, full, docs),
        ("ada", None, guide, 2.0, 6, full, docs),
        ("gus", None, guide, 2.0, 6, half, docs),
        # the mailmap turns Ivy's old address in a trailer into her own
        ("cleo", "ben", core, 3.0, 7, 1.5, c_code),
        ("cleo", "ivy", core, 4.0, 7, 1.5, c_code),
        ("ivy", "ben", risky, 3.0, 8, 0.5, c_code),
        # the revert counts against the reverted commit's author, and is no work item
        ("ivy", None, f"{risky} reverted by {shas['revert']}", 0.0, 9, 0.5, c_code),
        ("cleo", None, fix, 2.0, 10, 0.5, python),
        ("ada", None, f"{parser} fixed by {shas['fix']}", 1.0, 10, 1.0, python),
        ("dan", None, tool, 2.0, 11, 0.5, tools),
        # the merge is Ben accepting the branch's tip, on the day he merged it
        ("dan", "ben", tool, 3.0, 12, 0.5, tools),
    }


def test_every_trailer_kind_revert_fixes_and_merge_give_exactly_this_evidence(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, shas = history
    report, reader = _import(app, repo.path)
    assert _stored(app) == _expected(shas)
    assert report.added == len(_expected(shas)) and report.already_stored == 0
    assert (reader.stats.commits, reader.stats.merges, reader.stats.reverts) == (9, 1, 1)
    assert (reader.stats.fixes, reader.stats.bot_commits, reader.stats.merged_branches) == (1, 1, 1)


def test_people_come_from_identities_and_land_in_the_default_department(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    report, _ = _import(app, history[0].path)
    with app.unit_of_work() as uow:
        people = {p.id: p for p in uow.people.list()}
        department = uow.departments.get("unassigned")  # type: ignore[arg-type]
    assert sorted(people) == ["ada", "ben", "cleo", "dan", "eve", "fay", "gus", "ivy"]
    assert people["ivy"].email == "ivy@example.org" and people["ivy"].name == "Ivy Ito"
    assert people["ada"].joined == date(2026, 1, 5) and people["dan"].department == "unassigned"
    assert department is not None and report.department_created == "unassigned"
    assert sorted(p.person for p in report.people_created) == sorted(people)


def test_a_bare_clone_gives_the_same_evidence(
    app: Application, history: tuple[GitRepo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = history
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    _import(app, bare)
    assert _stored(app) == _expected(shas)


def test_importing_the_same_history_again_adds_nothing(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    _import(app, history[0].path)
    before = _row_counts(app)
    again, _ = _import(app, history[0].path)
    assert (again.added, again.already_stored) == (0, len(_expected(history[1])))
    assert again.people_created == () and again.people_matched == 8
    assert _row_counts(app) == before


def test_people_already_stored_are_matched_by_email_whatever_the_case(
    app: Application, history: tuple[GitRepo, dict[str, str]], tmp_path: Path
) -> None:
    departments = tmp_path / "d.csv"
    departments.write_text("department_id,name\nresearch,Research\n")
    people = tmp_path / "p.csv"
    people.write_text(
        "person_id,name,email,department,joined\nE7,Ada Abe,ADA@Example.org,research,2020-01-01\n"
    )
    from mts.importers.files import read_file
    from mts.importers.records import KINDS
    from mts.services.records import RecordBatch

    for kind, path in (("departments", departments), ("people", people)):
        parsed = read_file(KINDS[kind], path)
        import_records(app.unit_of_work, RecordBatch(kind, path.name, parsed.values, parsed.rows))
    report, _ = _import(app, history[0].path)
    assert "E7" in {e[0] for e in _stored(app)} and "ada" not in {e[0] for e in _stored(app)}
    assert report.people_matched == 1 and len(report.people_created) == 7


def test_since_and_until_keep_commits_dated_inside_the_window(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, _ = history
    _, reader = _import(app, repo.path, since=date(2026, 1, 7), until=date(2026, 1, 9))
    assert {(e[0], e[1], e[4]) for e in _stored(app)} == {
        ("cleo", "ben", 7),
        ("cleo", "ivy", 7),
        ("ivy", "ben", 8),
        ("ivy", None, 9),
    }
    assert reader.stats.commits == 3


def test_a_fix_outside_the_window_still_finds_the_original_author(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, shas = history
    _import(app, repo.path, since=date(2026, 1, 10), until=date(2026, 1, 10))
    assert ("ada", None, f"commit {shas['parser']} fixed by {shas['fix']}") in {
        e[:3] for e in _stored(app)
    }


def test_a_revert_of_a_revert_blames_nobody(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, shas = history
    repo.git("revert", "--no-edit", shas["revert"], who=CLEO, day=14)
    _import(app, repo.path)
    assert _stored(app) == _expected(shas)


def test_a_back_merge_accepts_nothing_and_a_merged_merge_credits_the_branch_work(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, shas = history
    repo.git("checkout", "-q", "-b", "topic", day=14)
    topic = repo.commit("Topic work", {"tools/more.sh": 9}, who=DAN, day=14)
    repo.git("checkout", "-q", "main", day=15)
    main_work = repo.commit("Main work", {"docs/x.md": 9}, who=BEN, day=15)
    repo.git("checkout", "-q", "topic", day=16)
    repo.git("merge", "--no-ff", "--no-edit", "main", who=DAN, day=16)
    repo.git("checkout", "-q", "main", day=17)
    repo.git("merge", "--no-ff", "--no-edit", "topic", who=BEN, day=17)
    _, reader = _import(app, repo.path)
    added = {e[:5] for e in _stored(app)} - {e[:5] for e in _expected(shas)}
    # Dan merging main into his branch is no review of Ben's work
    assert added == {
        ("dan", None, f"commit {topic}", 2.0, 14),
        ("ben", None, f"commit {main_work}", 2.0, 15),
        ("dan", "ben", f"commit {topic}", 3.0, 17),
    }
    assert reader.stats.back_merges == 1


def test_a_reverted_merge_counts_against_the_merged_branch_author(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, shas = history
    repo.git("revert", "--no-edit", "-m", "1", shas["merge"], who=BEN, day=14)
    revert = repo.git("rev-parse", "HEAD")
    _import(app, repo.path)
    tools = (("shell", 1.0), ("tools", 1.0))
    assert _stored(app) - _expected(shas) == {
        ("dan", None, f"commit {shas['tool']} reverted by {revert}", 0.0, 14, 0.5, tools)
    }


def test_a_cherry_pick_is_the_same_work_item_accepted_again(
    app: Application, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "picks")
    start = repo.commit("Start", {"README.md": 1}, who=BEN, day=1)
    fix = repo.commit("Fix the engine", {"src/engine.rs": 9}, who=ADA, day=2)
    repo.git("checkout", "-q", "-b", "stable", start, day=3)
    repo.git("cherry-pick", "-x", fix, who=ADA, by=CLEO, day=3)
    repo.git("checkout", "-q", "main", day=4)
    repo.git("merge", "--no-ff", "--no-edit", "stable", who=CLEO, day=4)
    _import(app, repo.path)
    assert {e[:5] for e in _stored(app) if e[0] == "ada"} == {
        ("ada", None, f"commit {fix}", 2.0, 2),
        ("ada", "cleo", f"commit {fix}", 3.0, 3),
    }


def test_one_name_under_two_emails_is_reported_as_ambiguous(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    repo, _ = history
    repo.commit("Docs", {"docs/more.md": 3}, who=("Ben Berg", "ben@home.example"), day=14)
    report, _ = _import(app, repo.path)
    [ambiguous] = report.ambiguous
    assert ambiguous.name == "Ben Berg" and set(ambiguous.people) == {"ben", "ben-2"}
    assert set(ambiguous.emails) == {"ben@example.org", "ben@home.example"}


def test_a_skills_map_replaces_the_defaults_and_can_drop_paths(
    app: Application, history: tuple[GitRepo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = history
    mapping = tmp_path / "skills.csv"
    mapping.write_text("pattern,skills\nsrc/*.c,systems:2;performance\ndocs/*,\n")
    _import(app, repo.path, skills=PathSkills(read_skills_map(mapping)))
    stored = _stored(app)
    assert {e[6] for e in stored if e[2] == f"commit {shas['core']}"} == {
        (("systems", 2.0), ("performance", 1.0))
    }
    assert not any(e[2] == f"commit {shas['guide']}" for e in stored)


def test_a_skills_map_with_a_bad_row_names_file_row_and_column(tmp_path: Path) -> None:
    mapping = tmp_path / "skills.csv"
    mapping.write_text("pattern,skills\nsrc/*,systems:-1\n")
    with pytest.raises(ImportRejected) as raised:
        read_skills_map(mapping)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("skills.csv", 2, "skills")


def test_a_directory_that_is_no_repository_is_refused_and_nothing_is_written(
    app: Application, tmp_path: Path
) -> None:
    (tmp_path / "plain").mkdir()
    before = _row_counts(app)
    with pytest.raises(InvalidInput, match="not a git repository"):
        _import(app, tmp_path / "plain")
    assert _row_counts(app) == before


def test_a_failure_while_reading_writes_nothing(
    app: Application, history: tuple[GitRepo, dict[str, str]]
) -> None:
    reader = GitHistory(Repository(history[0].path))

    def broken():  # type: ignore[no-untyped-def]
        for number, item in enumerate(reader.items()):
            if number == 5:
                raise InvalidInput("the disk went away")
            yield item

    before = _row_counts(app)
    with pytest.raises(InvalidInput):
        import_history(app.unit_of_work, reader.source, broken())
    assert _row_counts(app) == before


def test_the_cli_imports_with_a_progress_callback_and_reports(
    app: Application,
    history: tuple[GitRepo, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTS_DATABASE_URL", app.settings.database_url)
    commands = typer.Typer()
    commands.command("git")(cli_history.import_git)
    commands.command("other")(cli_history.import_hr)
    result = CliRunner().invoke(commands, ["git", str(history[0].path), "--since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "9 commits" in result.output and "added 15 evidence" in result.output
    assert "8 people created in unassigned" in result.output
    again = CliRunner().invoke(commands, ["git", str(history[0].path)])
    assert "added 0 evidence" in again.output
