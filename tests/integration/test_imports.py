"""Imports are one transaction: all of a file, or on any problem nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factories import DEPARTMENTS_CSV, EVIDENCE_CSV, PEOPLE_CSV, write
from mts.bootstrap import Application
from mts.domain.errors import ImportRejected
from mts.importers.files import parse_text, read_file
from mts.importers.records import KINDS
from mts.services.records import RecordBatch, export_records, import_records
from mts.storage.tables import Base


def _import(app: Application, kind: str, data: str, *, name: str = "f.csv", dry_run: bool = False):  # type: ignore[no-untyped-def]
    parsed = parse_text(KINDS[kind], data, file=name, file_format=name.rsplit(".", 1)[1])
    parsed.raise_if_problems()
    batch = RecordBatch(kind=kind, file=name, values=parsed.values, rows=parsed.rows)
    return import_records(app.unit_of_work, batch, dry_run=dry_run)


def _row_counts(app: Application) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _seed(app: Application) -> None:
    _import(app, "departments", DEPARTMENTS_CSV)
    _import(app, "people", PEOPLE_CSV)


def test_importing_the_same_files_twice_adds_nothing_the_second_time(app: Application) -> None:
    _seed(app)
    first = _import(app, "evidence", EVIDENCE_CSV)
    counts = _row_counts(app)
    again = _import(app, "evidence", EVIDENCE_CSV)
    people_again = _import(app, "people", PEOPLE_CSV)
    assert (first.added, again.added, again.updated) == (3, 0, 3)
    assert people_again.added == 0
    assert _row_counts(app) == counts
    assert counts["protected_profiles"] == 2


def test_dry_run_reports_but_writes_nothing(app: Application) -> None:
    _seed(app)
    before = _row_counts(app)
    report = _import(app, "evidence", EVIDENCE_CSV, dry_run=True)
    assert report.added == 3 and report.dry_run
    assert _row_counts(app) == before


@pytest.mark.parametrize(
    ("kind", "data", "column", "expected"),
    [
        (
            "people",
            "person_id,name,email,department,joined\np9,Nia,nia@example.org,marketing,2025-01-01\n",
            "department",
            "a known department id",
        ),
        (
            "evidence",
            "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item\n"
            "p1,ghost,rl,3,1,5,2026-01-01,PR-9\n",
            "reviewer_id",
            "a known person id",
        ),
        (
            "people",
            "person_id,name,email,department,joined\np9,Nia,ada@example.org,research,2025-01-01\n",
            "email",
            "an email not used by p1",
        ),
        (
            "evidence",
            "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item\n"
            "p1,p1,rl,3,1,5,2026-01-01,PR-9\n",
            "reviewer_id",
            "a reviewer other than the person",
        ),
        (
            "projects",
            "project_id,title,proposer_id\nproj1,Atlas,p404\n",
            "proposer_id",
            "a known person id",
        ),
    ],
)
def test_dangling_reference_is_rejected_and_nothing_is_written(
    app: Application, kind: str, data: str, column: str, expected: str
) -> None:
    _seed(app)
    before = _row_counts(app)
    with pytest.raises(ImportRejected) as raised:
        _import(app, kind, data, name="input.csv")
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column, problem.expected) == (
        "input.csv",
        2,
        column,
        expected,
    )
    assert _row_counts(app) == before


def test_a_bad_last_row_keeps_every_good_row_out_too(app: Application) -> None:
    _seed(app)
    before = _row_counts(app)
    data = EVIDENCE_CSV + "p1,nobody,rl,3,1,5,2026-01-01,PR-77,1\n"
    with pytest.raises(ImportRejected):
        _import(app, "evidence", data)
    assert _row_counts(app) == before


def test_export_then_import_into_an_empty_store_gives_the_same_records(
    app: Application, tmp_path: Path
) -> None:
    from mts.importers.files import render_records
    from mts.services.records import export_records

    _seed(app)
    _import(app, "evidence", EVIDENCE_CSV)
    people = export_records(app.unit_of_work, "people")
    text = render_records(KINDS["people"], people, file_format="json")
    path = write(tmp_path, "people.json", text)
    parsed = read_file(KINDS["people"], path)
    assert parsed.problems == [] and parsed.values == list(people)


_cells = st.one_of(
    st.just(""),
    st.sampled_from(["p1", "p2", "ghost", "rl", "rl:0", "4", "9", "-1", "1", "5", "x"]),
    st.sampled_from(["2026-01-01", "2026-02-30", "yesterday", "nan", "inf", "1e9"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6),
)
_columns = list(KINDS["evidence"].column_names)


@given(
    rows=st.lists(st.lists(_cells, min_size=len(_columns), max_size=len(_columns)), max_size=5),
    drop=st.sampled_from([None, *_columns]),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_evidence_files_either_import_whole_or_change_nothing(  # type: ignore[no-untyped-def]
    app: Application, rows, drop
) -> None:
    with app.unit_of_work() as uow:
        seeded = uow.people.count() > 0
    if not seeded:
        _seed(app)
    before = _row_counts(app)
    columns = [c for c in _columns if c != drop]
    lines = [",".join(columns)] + [
        ",".join(
            '"' + cell.replace('"', '""') + '"'
            for c, cell in zip(_columns, row, strict=True)
            if c != drop
        )
        for row in rows
    ]
    parsed = parse_text(
        KINDS["evidence"], "\n".join(lines) + "\n", file="fuzz.csv", file_format="csv"
    )
    try:
        parsed.raise_if_problems()
        batch = RecordBatch("evidence", "fuzz.csv", parsed.values, parsed.rows)
        report = import_records(app.unit_of_work, batch)
    except ImportRejected as rejected:
        assert rejected.problems and all(p.file == "fuzz.csv" for p in rejected.problems)
        assert _row_counts(app) == before
        return
    after = _row_counts(app)
    assert after["evidence"] == before["evidence"] + report.added
    assert report.read == len(parsed.values)
    assert len(export_records(app.unit_of_work, "evidence")) == after["evidence"]
