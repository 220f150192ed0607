"""HR exports and review forms: people matched by email across sources, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import write
from mts.bootstrap import Application
from mts.cli import history as cli_history
from mts.domain.errors import ImportRejected
from mts.domain.evidence import Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Period, Skill
from mts.importers.files import parse_text
from mts.importers.hr import HR, parse_hr
from mts.importers.records import EVIDENCE
from mts.services.history import (
    EvidenceSource,
    HistoryItem,
    HrReport,
    Identity,
    Judgement,
    import_employees,
    import_history,
    import_reviews,
)
from mts.services.records import RecordBatch
from mts.storage.tables import Base

HEADER = (
    "employee_id,name,email,department,start_date,end_date,skills,level,title,"
    "tenure_start,prior_employer,education,promotion_window\n"
)
HR_CSV = HEADER + (
    "E1,Ada Abe,ada@example.org,Research,2020-01-06,,rl;evals,3,MTS,,BigCo,PhD,\n"
    "E2,Ben Berg,Ben@Example.org,data science,2019-05-01,2025-06-30,,6,,,,MSc,2026-01-01\n"
    "E3,Cleo Cruz,cleo@example.org,Safety,2023-03-01,,,4,,,,,\n"
    "E3,Cleo Cruz,cleo@old.example,Safety,2018-01-08,2021-06-29,,2,,,,,\n"
)


def _row_counts(app: Application) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _hr(app: Application, data: str, *, file: str = "hr.csv", dry_run: bool = False) -> HrReport:
    employees = parse_hr(data, file=file)
    return import_employees(app.unit_of_work, employees, file=file, dry_run=dry_run)


def _seed_department(app: Application) -> None:
    with app.unit_of_work() as uow:
        uow.departments.put(Department(id=DepartmentId("ds"), name="Data Science"))
        uow.commit()


def _seed_from_history(app: Application, *people: tuple[str, str]) -> None:
    """People created the way a git import creates them, each with one piece of evidence."""
    source = EvidenceSource(name="git", scale=Scale(low=0, high=4), origin="repo")
    items = [
        HistoryItem(
            judgements=(
                Judgement(
                    person=Identity(name=name, email=email),
                    work_item=f"commit {number}",
                    skills=(SkillTag(skill=Skill("src")),),
                    score=2.0,
                    day=date(2026, 1, 5),
                ),
            )
        )
        for number, (name, email) in enumerate(people)
    ]
    import_history(app.unit_of_work, source, items)


def test_an_hr_export_stores_people_stints_departments_and_protected_attributes(
    app: Application,
) -> None:
    _seed_department(app)
    report = _hr(app, HR_CSV)
    with app.unit_of_work() as uow:
        people = {p.id: p for p in uow.people.list()}
        departments = {d.id: d.name for d in uow.departments.list()}
        profiles = {p: uow.protected.get(p) for p in people}
    assert departments == {"ds": "Data Science", "research": "Research", "safety": "Safety"}
    ada, ben, cleo = people["E1"], people["E2"], people["E3"]
    assert (ada.department, ada.joined, ada.left, ada.skills) == (
        "research",
        date(2020, 1, 6),
        None,
        ("rl", "evals"),
    )
    # the last day worked is inclusive; `left` is the day after it
    assert (ben.email, ben.department, ben.left) == ("ben@example.org", "ds", date(2025, 7, 1))
    assert cleo.earlier_periods == (Period(start=date(2018, 1, 8), end=date(2021, 6, 30)),)
    assert (cleo.joined, cleo.email, cleo.is_boomerang) == (
        date(2023, 3, 1),
        "cleo@example.org",
        True,
    )
    assert profiles["E1"] is not None and profiles["E1"].prior_employer == "BigCo"
    assert profiles["E3"] is not None and profiles["E3"].level == 4
    assert profiles["E3"].tenure_start == date(2018, 1, 8)
    assert (report.added, report.updated, report.rehires, report.leavers) == (3, 0, 1, 1)
    assert set(report.departments_created) == {"research", "safety"}


def test_importing_the_same_hr_export_again_changes_nothing(app: Application) -> None:
    _hr(app, HR_CSV)
    before = _row_counts(app)
    again = _hr(app, HR_CSV)
    assert (again.added, again.updated, again.departments_created) == (0, 3, ())
    assert _row_counts(app) == before


def test_people_first_seen_in_git_are_matched_by_email_and_keep_their_evidence(
    app: Application,
) -> None:
    _seed_from_history(app, ("Ada", "ada@example.org"), ("Hal Hart", "hal@example.org"))
    report = _hr(app, HR_CSV)
    with app.unit_of_work() as uow:
        ada = uow.people.get("ada")  # type: ignore[arg-type]
        evidence = {e.person for e in uow.evidence.list()}
        ids = {p.id for p in uow.people.list()}
    assert report.matched_by_email == (("E1", "ada"),)
    assert ada is not None and (ada.name, ada.department, ada.joined) == (
        "Ada Abe",
        "research",
        date(2020, 1, 6),
    )
    assert ids == {"ada", "hal", "E2", "E3"} and evidence == {"ada", "hal"}


def test_ambiguous_matches_are_reported_not_merged(app: Application) -> None:
    _seed_from_history(app, ("Ben Berg", "ben@home.example"))
    _hr(app, HEADER + "E3,Cleo Cruz,cleo@old.example,Safety,2018-01-08,,,,,,,,\n")
    report = _hr(app, HR_CSV)
    reasons = {match.name: match for match in report.ambiguous}
    assert set(reasons) == {"Ben Berg", "Cleo Cruz"}
    assert set(reasons["Ben Berg"].people) == {"ben", "E2"}
    assert "added as a separate member" in reasons["Ben Berg"].reason
    assert "email is replaced" in reasons["Cleo Cruz"].reason


@pytest.mark.parametrize(
    ("rows", "row", "column", "expected"),
    [
        (
            "E3,Cleo,c@example.org,Safety,2018-01-08,2021-06-29,,,,,,,\n"
            "E3,Cleo,c@example.org,Safety,2021-01-01,,,,,,,,\n",
            3,
            "start_date",
            "a start after the stint on row 2 ended (2021-06-29)",
        ),
        (
            "E3,Cleo,c@example.org,Safety,2018-01-08,,,,,,,,\n"
            "E3,Cleo,c@example.org,Safety,2021-01-01,,,,,,,,\n",
            2,
            "end_date",
            "an end date: only the latest stint may be open",
        ),
        (
            "E3,Cleo,c@example.org,Safety,2018-01-08,,,,,,,,\n"
            "E4,Dee,C@example.org,Safety,2021-01-01,,,,,,,,\n",
            3,
            "email",
            "an email not already used by E3 on row 2",
        ),
        (
            "E3,Cleo,c@example.org,Safety,2018-01-08,2017-01-01,,,,,,,\n",
            2,
            "end_date",
            "an end_date on or after start_date",
        ),
        ("E3,Cleo,c@example.org,Safety,08/01/2018,,,,,,,,\n", 2, "start_date", None),
    ],
)
def test_a_bad_hr_row_is_named_by_file_row_and_column_and_nothing_is_written(
    app: Application, rows: str, row: int, column: str, expected: str | None
) -> None:
    before = _row_counts(app)
    with pytest.raises(ImportRejected) as raised:
        _hr(app, HEADER + rows, file="people.csv")
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("people.csv", row, column)
    assert expected is None or problem.expected == expected
    assert _row_counts(app) == before


def test_two_employees_claiming_one_stored_member_are_refused(app: Application) -> None:
    _hr(app, HEADER + "E1,Ada Abe,ada@example.org,Research,2020-01-06,,,,,,,,\n")
    before = _row_counts(app)
    rows = (
        "E9,Ada Abe,ada@example.org,Research,2020-01-06,,,,,,,,\n"
        "E1,Ada,new@example.org,R,2020-01-06,,,,,,,,\n"
    )
    with pytest.raises(ImportRejected) as raised:
        _hr(app, HEADER + rows)
    [problem] = raised.value.problems
    assert (problem.row, problem.column) == (3, "email")
    assert _row_counts(app) == before


_cells = st.one_of(
    st.just(""),
    st.sampled_from(["E1", "E2", "x y", "Research", "a@example.org", "b@example.org", "nope"]),
    st.sampled_from(["2020-01-06", "2021-06-30", "2019-02-30", "today", "3", "-1", "rl;evals"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6),
)
_columns = list(HR.column_names)


_VALID = [line.split(",") for line in HR_CSV.splitlines()[1:]]


@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(range(len(_VALID))),
            st.dictionaries(st.sampled_from(range(len(_columns))), _cells, max_size=2),
        ),
        max_size=4,
    ),
    drop=st.sampled_from([None, None, "end_date", "email", "level"]),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_hr_files_either_import_whole_or_change_nothing(  # type: ignore[no-untyped-def]
    app: Application, picks, drop
) -> None:
    rows = [
        [changes.get(i, cell) for i, cell in enumerate(_VALID[which])] for which, changes in picks
    ]
    before = _row_counts(app)
    columns = [c for c in _columns if c != drop]
    written = [[cell for c, cell in zip(_columns, row, strict=True) if c != drop] for row in rows]
    lines = [",".join(columns)] + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in written
    ]
    try:
        report = _hr(app, "\n".join(lines) + "\n", file="fuzz.csv")
    except ImportRejected as rejected:
        event("rejected")
        assert rejected.problems and all(p.file == "fuzz.csv" for p in rejected.problems)
        assert all(p.row is not None or p.column is None for p in rejected.problems)
        assert _row_counts(app) == before
        return
    event("imported")
    after = _row_counts(app)
    assert after["people"] == before["people"] + report.added
    assert report.employees == len({r[0].strip() for r in written if any(c.strip() for c in r)})


def test_reviews_may_name_people_by_email(app: Application) -> None:
    _hr(app, HR_CSV)
    data = (
        "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item\n"
        "ADA@example.org,E2,rl,4,1,5,2026-03-02,design-doc-7\n"
        "E3,ben@example.org,evals,2,1,5,2026-03-03,launch-2\n"
    )
    parsed = parse_text(EVIDENCE, data, file="reviews.csv", file_format="csv")
    batch = RecordBatch("evidence", "reviews.csv", parsed.values, parsed.rows)
    report = import_reviews(app.unit_of_work, batch)
    with app.unit_of_work() as uow:
        stored = {(e.person, e.reviewer, e.work_item) for e in uow.evidence.list()}
    assert stored == {("E1", "E2", "design-doc-7"), ("E3", "E2", "launch-2")}
    assert report.added == 2


def test_a_review_by_an_unknown_email_is_refused_with_its_row(app: Application) -> None:
    _hr(app, HR_CSV)
    data = (
        "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item\n"
        "ada@example.org,E2,rl,4,1,5,2026-03-02,design-doc-7\n"
        "E3,zed@example.org,evals,2,1,5,2026-03-03,launch-2\n"
    )
    parsed = parse_text(EVIDENCE, data, file="reviews.csv", file_format="csv")
    before = _row_counts(app)
    with pytest.raises(ImportRejected) as raised:
        import_reviews(
            app.unit_of_work, RecordBatch("evidence", "r.csv", parsed.values, parsed.rows)
        )
    [problem] = raised.value.problems
    assert (problem.row, problem.column, problem.expected) == (
        3,
        "reviewer_id",
        "a known person id",
    )
    assert _row_counts(app) == before


_review_cells = st.one_of(
    st.sampled_from(["", "E1", "E2", "ada@example.org", "BEN@example.org", "zed@example.org"]),
    st.sampled_from(["rl", "rl:2;evals", "rl:0", "3", "1", "5", "9", "2026-03-02", "x"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=5),
)
_review_columns = list(EVIDENCE.column_names)


@given(
    rows=st.lists(
        st.lists(_review_cells, min_size=len(_review_columns), max_size=len(_review_columns)),
        max_size=4,
    )
)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_review_files_either_import_whole_or_change_nothing(  # type: ignore[no-untyped-def]
    app: Application, rows
) -> None:
    with app.unit_of_work() as uow:
        if uow.people.count() == 0:
            _hr(app, HR_CSV)
    before = _row_counts(app)
    lines = [",".join(_review_columns)] + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows
    ]
    parsed = parse_text(EVIDENCE, "\n".join(lines) + "\n", file="fuzz.csv", file_format="csv")
    try:
        parsed.raise_if_problems()
        batch = RecordBatch("evidence", "fuzz.csv", parsed.values, parsed.rows)
        report = import_reviews(app.unit_of_work, batch)
    except ImportRejected as rejected:
        assert rejected.problems and all(p.file == "fuzz.csv" for p in rejected.problems)
        assert _row_counts(app) == before
        return
    assert _row_counts(app)["evidence"] == before["evidence"] + report.added


def test_the_cli_imports_hr_then_reviews(
    app: Application, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTS_DATABASE_URL", app.settings.database_url)
    commands = typer.Typer()
    commands.command("hr")(cli_history.import_hr)
    commands.command("reviews")(cli_history.import_reviews)
    runner = CliRunner()
    result = runner.invoke(commands, ["hr", str(write(tmp_path, "hr.csv", HR_CSV))])
    assert result.exit_code == 0, result.output
    assert "read 3 employees (1 re-hired, 1 left); added 3" in result.output
    reviews = write(
        tmp_path,
        "reviews.csv",
        "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item\n"
        "ada@example.org,E2,rl,4,1,5,2026-03-02,design-doc-7\n",
    )
    result = runner.invoke(commands, ["reviews", str(reviews), "--dry-run"])
    assert result.exit_code == 0 and "would add 1" in result.output
    assert _row_counts(app)["evidence"] == 0
