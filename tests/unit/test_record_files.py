"""Parsing record files: every problem is found, named by file, row and column."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import EVIDENCE_CSV, PEOPLE_CSV
from mts.domain.errors import ImportRejected
from mts.importers.files import parse_text, render_records
from mts.importers.records import EVIDENCE, PEOPLE, ROLES


def _problems(kind, data: str, fmt: str = "csv") -> list[tuple[int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    parsed = parse_text(kind, data, file="f." + fmt, file_format=fmt)
    return [(p.row, p.column, p.expected) for p in parsed.problems]


def test_people_file_parses_into_people_and_protected_profiles() -> None:
    parsed = parse_text(PEOPLE, PEOPLE_CSV, file="people.csv", file_format="csv")
    assert parsed.problems == []
    first, _, newcomer = parsed.values
    assert first.person.joined == date(2024, 1, 8)
    assert first.profile.level == 3 and first.profile.prior_employer == "BigCo"
    assert newcomer.profile is None
    assert parsed.rows == [2, 3, 4]


def test_evidence_skills_take_optional_weights() -> None:
    parsed = parse_text(EVIDENCE, EVIDENCE_CSV, file="e.csv", file_format="csv")
    tags = parsed.values[0].skills
    assert [(t.skill, t.weight) for t in tags] == [("rl", 2.0), ("evaluation", 1.0)]
    assert parsed.values[2].reviewer is None and parsed.values[2].weight == 2.0


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        ("p1,p2,rl,4,1,5,2026-13-02,PR-1,1", "date", "an ISO 8601 date like 2025-03-31"),
        ("p1,p2,rl,nine,1,5,2026-03-02,PR-1,1", "score", "a number"),
        ("p1,p2,rl,7,1,5,2026-03-02,PR-1,1", "score", "a score within [scale_min, scale_max]"),
        ("p1,p2,,4,1,5,2026-03-02,PR-1,1", "skills", "a value"),
        ("p1,p2,rl,nan,1,5,2026-03-02,PR-1,1", "score", "a finite number"),
        ("p1,p2,rl,4,5,1,2026-03-02,PR-1,1", "scale_max", "a scale_max above scale_min"),
        ("p1,p2,rl:-1,4,1,5,2026-03-02,PR-1,1", "skills", "skill or skill:weight"),
        ("p1,p2,rl,4,1,5,2026-03-02,PR-1,0", "weight", "a number above 0"),
    ],
)
def test_bad_evidence_cell_is_named_by_row_and_column(row: str, column: str, expected: str) -> None:
    header = EVIDENCE_CSV.splitlines()[0]
    problems = _problems(EVIDENCE, f"{header}\n{row}\n")
    assert len(problems) == 1
    assert problems[0][:2] == (2, column)
    assert problems[0][2].startswith(expected)


def test_every_problem_in_a_file_is_reported_not_just_the_first() -> None:
    header = EVIDENCE_CSV.splitlines()[0]
    data = f"{header}\np1,p2,rl,x,1,5,2026-03-02,PR-1,1\np1,p2,rl,4,1,5,someday,PR-2,1\n"
    assert [(r, c) for r, c, _ in _problems(EVIDENCE, data)] == [(2, "score"), (3, "date")]


def test_duplicate_rows_are_problems_pointing_at_the_first() -> None:
    line = EVIDENCE_CSV.splitlines()[1]
    header = EVIDENCE_CSV.splitlines()[0]
    problems = _problems(EVIDENCE, f"{header}\n{line}\n{line}\n")
    assert problems == [(3, "person_id", "a record not already given on row 2")]


def test_missing_required_column_and_unknown_column_are_reported() -> None:
    problems = _problems(ROLES, "role_id,title,colour\nr1,Lead,blue\n")
    assert (1, "colour", "a known column: " + ", ".join(ROLES.column_names)) in problems
    assert (1, "project_id", "this required column") in problems


def test_empty_file_is_a_clear_problem() -> None:
    assert _problems(PEOPLE, "") == [(None, None, "at least one people record")]
    assert _problems(PEOPLE, "person_id,name,email,department,joined\n") == [
        (None, None, "at least one people record")
    ]


def test_ragged_csv_row_is_reported() -> None:
    problems = _problems(ROLES, "role_id,project_id,title\nr1,proj1\n")
    assert problems == [(2, None, "3 fields, as in the header")]


def test_malformed_json_names_line_and_character() -> None:
    problems = _problems(ROLES, '[{"role_id": "r1",\n "title": }]', "json")
    assert problems[0][0] == 2 and problems[0][1] is not None and problems[0][2] == "valid JSON"


def test_json_records_accept_native_types() -> None:
    data = '[{"role_id": "r1", "project_id": "p", "title": "Lead", "headcount": 2, "fte": 0.5,'
    data += ' "needs": [["rl", 2], ["evaluation", 1]]}]'
    parsed = parse_text(ROLES, data, file="roles.json", file_format="json")
    assert parsed.problems == []
    assert parsed.values[0].headcount == 2 and parsed.values[0].needs[0].weight == 2


def test_raise_if_problems_raises_with_all_of_them() -> None:
    parsed = parse_text(
        ROLES,
        "role_id,project_id,title,fte\nr1,p,T,2\nr2,p,T,-1\n",
        file="r.csv",
        file_format="csv",
    )
    with pytest.raises(ImportRejected) as raised:
        parsed.raise_if_problems()
    assert [p.row for p in raised.value.problems] == [2, 3]


_ids = st.from_regex(r"[a-z][a-z0-9\-]{0,10}", fullmatch=True)
_scores = st.integers(min_value=1, max_value=5)


@given(
    rows=st.lists(
        st.tuples(_ids, st.one_of(st.none(), _ids), _ids, _scores, st.dates(), st.booleans()),
        min_size=1,
        max_size=8,
        unique_by=lambda r: (r[0], r[1], r[2]),
    ),
    fmt=st.sampled_from(["csv", "json"]),
)
@settings(max_examples=60, deadline=None)
def test_rendered_evidence_parses_back_to_the_same_values(rows, fmt) -> None:  # type: ignore[no-untyped-def]
    header = "person_id,reviewer_id,skills,score,scale_min,scale_max,date,work_item,weight\n"
    body = "".join(
        f"{p},{r or ''},{s},{score},1,5,{d.isoformat()},{p}-{s},{2 if heavy else 1}\n"
        for p, r, s, score, d, heavy in rows
    )
    original = parse_text(EVIDENCE, header + body, file="e.csv", file_format="csv")
    assert original.problems == []
    text = render_records(EVIDENCE, original.values, file_format=fmt)
    again = parse_text(EVIDENCE, text, file="e." + fmt, file_format=fmt)
    assert again.problems == [] and again.values == original.values
