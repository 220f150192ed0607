"""Bad evidence is rejected with every problem named by file, row and column; nothing is fitted."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pytest

from mts.domain.errors import ImportRejected, Problem
from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import PersonId, Skill
from mts.merit.columns import EvidenceColumns
from mts.merit.model import MeritModel

AS_OF = date(2026, 3, 1)


def good(item: str, person: str = "ada") -> Evidence:
    """A valid review on a 1..5 scale."""
    return Evidence(
        person=PersonId(person),
        source="review",
        work_item=item,
        skills=(SkillTag(skill=Skill("rl")),),
        score=4.0,
        scale=Scale(low=1, high=5),
        day=AS_OF - timedelta(days=3),
        reviewer=PersonId("rex"),
    )


def rejected(evidence: list[Evidence] | EvidenceColumns, **kwargs: str) -> list[Problem]:
    """The problems ``fit`` reports, after checking that it raised and fitted nothing."""
    model = MeritModel()
    with pytest.raises(ImportRejected) as caught:
        model.fit(evidence, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]
    assert not hasattr(model, "table_")
    return list(caught.value.problems)


def test_a_score_outside_its_scale_is_rejected_naming_the_row() -> None:
    problems = rejected([good("w1"), dataclasses.replace(good("w2"), score=7.0)])
    assert problems == [
        Problem(
            file="evidence", row=2, column="score", expected="a score within [1, 5]", found="7.0"
        )
    ]


def test_every_problem_is_listed_not_just_the_first() -> None:
    evidence = [
        dataclasses.replace(good("w1"), score=float("nan")),
        dataclasses.replace(good("w2"), skills=()),
        dataclasses.replace(good("w3"), weight=0.0),
        dataclasses.replace(good("w4"), day=AS_OF + timedelta(days=1)),
        good("w5"),
        good("w5"),
        dataclasses.replace(good("w6"), skills=(SkillTag(skill=Skill("rl"), weight=-1.0),)),
        dataclasses.replace(good("w7"), scale=Scale(low=5, high=5)),
    ]
    found = {(p.row, p.column) for p in rejected(evidence, file="march.csv")}
    assert found == {
        (1, "score"),
        (2, "skills"),
        (3, "weight"),
        (4, "date"),
        (6, "work_item"),
        (7, "skills"),
        (8, "scale_max"),
    }


def test_problems_carry_the_file_name_and_what_was_expected() -> None:
    problems = rejected([dataclasses.replace(good("w1"), day=date(2026, 3, 2))], file="march.csv")
    assert problems == [
        Problem(
            file="march.csv",
            row=1,
            column="date",
            expected="a date on or before 2026-03-01",
            found="2026-03-02",
        )
    ]


def test_a_duplicate_names_the_row_it_repeats() -> None:
    problems = rejected([good("w1"), good("w2"), good("w1")])
    assert [(p.row, p.found) for p in problems] == [(3, "a duplicate of row 1")]


def test_the_same_work_item_by_two_people_is_not_a_duplicate() -> None:
    model = MeritModel().fit([good("w1", "ada"), good("w1", "ben")], as_of=AS_OF)
    assert model.n_evidence_ == 2


def test_from_evidence_checks_rows_but_leaves_dates_to_fit() -> None:
    late = dataclasses.replace(good("w1"), day=AS_OF + timedelta(days=9))
    columns = EvidenceColumns.from_evidence([late])
    assert [(p.row, p.column) for p in rejected(columns)] == [(1, "date")]
    with pytest.raises(ImportRejected):
        EvidenceColumns.from_evidence([dataclasses.replace(good("w1"), score=0.0)])


def _columns(**changes: object) -> EvidenceColumns:
    base = EvidenceColumns.from_evidence([good("w1"), good("w2"), good("w3")])
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_columns_are_checked_with_the_same_rules() -> None:
    columns = _columns(
        score=np.array([0.5, np.nan, 1.5]),
        weight=np.array([1.0, -1.0, 1.0]),
        skill_indptr=np.array([0, 1, 1, 2]),
        skill_code=np.array([0, 0]),
        skill_weight=np.array([1.0, 1.0]),
        work_item=("w1", "w1", "w3"),
    )
    found = {(p.row, p.column) for p in rejected(columns)}
    assert found == {(2, "score"), (3, "score"), (2, "weight"), (2, "skills"), (2, "work_item")}


def test_malformed_columns_are_rejected_before_any_row_is_read() -> None:
    problems = rejected(_columns(person=np.array([0, 0, 5]), weight=np.ones(2)))
    assert {p.column for p in problems} == {"person_id", "weight"}
    assert all(p.row is None for p in problems)
