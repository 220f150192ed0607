"""The CLI end to end: commands, exit codes, and no tracebacks for users."""

from __future__ import annotations

import json
import re
from pathlib import Path

from factories import DEPARTMENTS_CSV, EVIDENCE_CSV, PEOPLE_CSV, write


def test_commands_before_init_explain_what_to_do(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("people", "list")
    assert code == 1
    assert "run `mts init`" in err and "Traceback" not in err


def test_import_list_and_export_round_trip(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init")[0] == 0
    assert cli("import", "departments", str(write(tmp_path, "d.csv", DEPARTMENTS_CSV)))[0] == 0
    code, out, _ = cli("import", "people", str(write(tmp_path, "people.csv", PEOPLE_CSV)))
    assert code == 0 and "added 3" in out
    assert cli("import", "evidence", str(write(tmp_path, "e.csv", EVIDENCE_CSV)))[0] == 0
    code, out, _ = cli("people", "list", "--json", "--department", "research")
    assert [p["person_id"] for p in json.loads(out)] == ["p1", "p3"]
    assert cli("export", "evidence", str(tmp_path / "out.csv"))[0] == 0
    exported = (tmp_path / "out.csv").read_text().splitlines()
    assert exported[0].startswith("person_id,reviewer_id,skills,score,scale_min,scale_max,date")
    assert len(exported) == 4
    code, out, _ = cli("import", "evidence", str(tmp_path / "out.csv"))
    assert code == 0 and "added 0" in out


def test_bad_file_exits_2_names_row_and_column_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("init")
    cli("import", "departments", str(write(tmp_path, "d.csv", DEPARTMENTS_CSV)))
    bad = PEOPLE_CSV + "p4,Dee,dee@example.org,research,31/12/2025,,,,\n"
    code, _, err = cli("import", "people", str(write(tmp_path, "people.csv", bad)))
    assert code == 2
    assert "people.csv, row 5, column 'joined'" in err and "Traceback" not in err
    code, out, _ = cli("people", "list", "--json")
    assert json.loads(out) == []


def test_dry_run_says_so_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("init")
    code, out, _ = cli(
        "import", "departments", str(write(tmp_path, "d.csv", DEPARTMENTS_CSV)), "--dry-run"
    )
    assert code == 0 and "would add 2" in out and "nothing written" in out
    assert json.loads(cli("export", "departments", "-", "--format", "json")[1]) == []


def test_demo_builds_and_describes_an_organisation(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("demo", "--people", "90", "--seed", "1", "--as-of", "2026-06-30")
    assert code == 0
    assert "Demo organisation" in out
    assert re.search(r"departments\s*│\s*6\b", out)
    assert re.search(r"members\s*│\s*\d+ active, \d+ left", out)
    code, out, _ = cli("projects", "list", "--json")
    assert len(json.loads(out)) == 6
    code, _, err = cli("demo", "--people", "90")
    assert code == 4 and "--fresh" in err
    assert cli("demo", "--people", "30", "--fresh", "--as-of", "2026-06-30")[0] == 0
    assert len(json.loads(cli("people", "list", "--json", "--limit", "500")[1])) == 30


def test_user_add_creates_an_account_that_can_log_in(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from mts.bootstrap import bootstrap
    from mts.services.accounts import log_in

    cli("init")
    code, out, _ = cli(
        "user", "add", "Chair@Example.org", "--role", "council", "--password", "s3cret-pass"
    )
    assert code == 0 and "council account chair@example.org" in out
    code, _, err = cli("user", "add", "chair@example.org", "--password", "another-pass")
    assert code == 4 and "already exists" in err
    code, _, err = cli("user", "add", "x@example.org", "--password", "short")
    assert code == 2 and "at least 8" in err
    credentials = log_in(
        bootstrap().unit_of_work,
        email="chair@example.org",
        password="s3cret-pass",
        now=datetime.now(UTC),
    )
    assert credentials.user.is_council
