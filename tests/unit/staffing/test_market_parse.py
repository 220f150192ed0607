"""Reading a market: every fault is named by its JSON path, all at once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.errors import ImportRejected, InvalidInput, Problem
from mts.staffing.market import find_problems, parse_instance


def valid() -> dict[str, Any]:
    return {
        "people": {"p1": ["r1", "r2"], "p2": ["r2"], "p3": []},
        "roles": {
            "r1": {"capacity": 1, "ranking": ["p2", "p1"]},
            "r2": {"capacity": 2, "ranking": [["p1", "p2"], "p3"]},
        },
    }


def problems_of(data: object) -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        parse_instance(data, source="market.json")
    return list(caught.value.problems)


def only_problem(data: object) -> Problem:
    (problem,) = problems_of(data)
    return problem


def test_valid_instance_parses_with_its_ids_in_order() -> None:
    instance = parse_instance(valid())
    assert instance.people == ("p1", "p2", "p3")
    assert instance.roles == ("r1", "r2")
    assert instance.capacity.tolist() == [1, 2]
    assert instance.has_ties


def test_tuples_from_python_callers_read_like_lists() -> None:
    data = {"people": {"p1": ("r1",)}, "roles": {"r1": {"capacity": 1, "ranking": ("p1",)}}}
    assert parse_instance(data).preferences("p1") == ("r1",)


def test_group_of_one_is_not_a_tie() -> None:
    data = {"people": {"p1": ["r1"]}, "roles": {"r1": {"capacity": 1, "ranking": [["p1"]]}}}
    assert not parse_instance(data).has_ties


def test_ranking_naming_an_unknown_person_is_rejected_at_its_path() -> None:
    data = valid()
    data["roles"]["r1"]["ranking"] = ["p2", "p9"]
    assert only_problem(data) == Problem(
        file="market.json",
        row=None,
        column="roles.r1.ranking[1]",
        expected="a person id defined under 'people'",
        found='"p9"',
    )


def test_person_listing_an_unknown_role_is_rejected_at_its_path() -> None:
    data = valid()
    data["people"]["p2"] = ["r7"]
    problem = only_problem(data)
    assert (problem.column, problem.found) == ("people.p2[0]", '"r7"')


def test_duplicate_in_a_persons_list_points_at_the_first_copy() -> None:
    data = valid()
    data["people"]["p1"] = ["r1", "r2", "r1"]
    problem = only_problem(data)
    assert problem.column == "people.p1[2]"
    assert "already at people.p1[0]" in problem.expected


def test_duplicate_across_tiers_of_a_ranking_is_rejected() -> None:
    data = valid()
    data["roles"]["r2"]["ranking"] = [["p1", "p2"], "p1"]
    problem = only_problem(data)
    assert problem.column == "roles.r2.ranking[1]"
    assert "already at roles.r2.ranking[0][0]" in problem.expected


@pytest.mark.parametrize("capacity", [0, -2, 1.5, 2.0, "2", True, None])
def test_capacity_must_be_a_whole_number_of_at_least_one(capacity: object) -> None:
    data = valid()
    data["roles"]["r1"]["capacity"] = capacity
    problem = only_problem(data)
    assert problem.column == "roles.r1.capacity"
    assert problem.expected == "a whole number of seats, at least 1"


def test_missing_and_extra_fields_are_both_named() -> None:
    data = valid()
    data["roles"]["r1"] = {"ranking": ["p1"], "title": "Lead"}
    columns = [p.column for p in problems_of(data)]
    assert columns == ["roles.r1.capacity", "roles.r1.title"]


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda d: d.update(people=["p1"]), "people"),
        (lambda d: d["people"].update(p1="r1"), "people.p1"),
        (lambda d: d["people"].update(p1=[1]), "people.p1[0]"),
        (lambda d: d["roles"].update(r1=["p1"]), "roles.r1"),
        (lambda d: d["roles"]["r1"].update(ranking={"p1": 1}), "roles.r1.ranking"),
        (lambda d: d["roles"]["r1"].update(ranking=["p1", []]), "roles.r1.ranking[1]"),
        (lambda d: d["roles"]["r1"].update(ranking=[["p1", ["p2"]]]), "roles.r1.ranking[0][1]"),
        (lambda d: d["roles"]["r1"].update(ranking=[None]), "roles.r1.ranking[0]"),
        (lambda d: d.pop("roles"), "roles"),
        (lambda d: d.update(version=2), "version"),
    ],
)
def test_wrong_types_are_named_by_their_json_path(change: Any, column: str) -> None:
    data = valid()
    data["roles"]["r1"]["ranking"] = ["p2", "p1"]
    change(data)
    assert column in [p.column for p in problems_of(data)]


def test_top_level_that_is_not_an_object_has_no_column() -> None:
    problem = only_problem([1, 2])
    assert problem.column is None
    assert problem.found == "[1, 2]"


def test_odd_ids_are_quoted_in_the_path() -> None:
    data = {"people": {"a b": ["x.y"]}, "roles": {}}
    assert only_problem(data).column == 'people["a b"][0]'


def test_every_fault_is_reported_at_once_naming_the_file() -> None:
    data = valid()
    data["people"]["p1"] = ["r1", "r1", "r9"]
    data["roles"]["r1"] = {"capacity": 0, "ranking": ["p1", "p1", "p9"]}
    problems = problems_of(data)
    assert [p.column for p in problems] == [
        "people.p1[1]",
        "people.p1[2]",
        "roles.r1.capacity",
        "roles.r1.ranking[1]",
        "roles.r1.ranking[2]",
    ]
    assert {p.file for p in problems} == {"market.json"}


def test_rejection_is_an_invalid_input_error() -> None:
    with pytest.raises(InvalidInput):
        parse_instance({"people": {}, "roles": {"r": {"capacity": 0, "ranking": []}}})


PEOPLE = ["p1", "p2", "p3"]
ROLES = ["r1", "r2"]
entries = st.one_of(
    st.sampled_from([*PEOPLE, *ROLES, "zz"]),
    st.lists(st.sampled_from(PEOPLE), max_size=2),
    st.integers(0, 2),
    st.none(),
)
capacities = st.one_of(st.integers(-1, 3), st.floats(0, 3), st.booleans(), st.just("1"))
role_specs = st.one_of(
    st.fixed_dictionaries({"capacity": capacities, "ranking": st.lists(entries, max_size=4)}),
    st.fixed_dictionaries({"ranking": st.lists(entries, max_size=2)}),
    st.lists(entries, max_size=2),
)
documents = st.fixed_dictionaries(
    {
        "people": st.dictionaries(
            st.sampled_from(PEOPLE), st.one_of(st.lists(entries, max_size=4), entries)
        ),
        "roles": st.dictionaries(st.sampled_from(ROLES), role_specs),
    }
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_parse_accepts_exactly_what_the_full_check_finds_clean(data: dict[str, Any]) -> None:
    problems = find_problems(data)
    if problems:
        with pytest.raises(ImportRejected) as caught:
            parse_instance(data)
        assert list(caught.value.problems) == problems
    else:
        parse_instance(data)


class Tag(str):
    """A str subclass, as an enum or a typed id might be."""


def test_ids_that_subclass_str_are_accepted() -> None:
    data = {
        "people": {Tag("p1"): [Tag("r1")]},
        "roles": {Tag("r1"): {"capacity": 1, "ranking": [Tag("p1")]}},
    }
    assert parse_instance(data).people == ("p1",)
