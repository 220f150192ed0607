"""Worked examples of market mode, small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from mts.domain.errors import NotFound
from mts.staffing.market import (
    Explanation,
    Rejection,
    check_stability,
    parse_instance,
    solve_market,
)

# The hospital/resident example from the `matching` package's documentation.
PEOPLE = {
    "A": ["C"],
    "S": ["C", "M"],
    "D": ["C", "M", "G"],
    "J": ["C", "G", "M"],
    "L": ["M", "C", "G"],
}
RANKINGS = {
    "M": ["D", "L", "S", "J"],
    "C": ["D", "A", "S", "L", "J"],
    "G": ["D", "J", "L"],
}


def textbook() -> dict[str, object]:
    roles = {role: {"capacity": 2, "ranking": ranking} for role, ranking in RANKINGS.items()}
    return {"people": PEOPLE, "roles": roles}


def market(people: dict[str, list[str]], roles: dict[str, tuple[int, list[object]]]) -> object:
    specs = {role: {"capacity": cap, "ranking": ranking} for role, (cap, ranking) in roles.items()}
    return {"people": people, "roles": specs}


def test_textbook_instance_gives_the_people_optimal_matching() -> None:
    result = solve_market(parse_instance(textbook()))
    assert result.matching == {"A": "C", "S": "M", "D": "C", "J": "G", "L": "M"}


def test_textbook_matching_is_stable_and_counts_its_proposals() -> None:
    instance = parse_instance(textbook())
    result = solve_market(instance)
    assert check_stability(instance, result.matching).is_stable
    # A, S, D to C; S to M; J to C, then G; L to M.
    assert result.proposals == 7


def test_rejected_person_learns_who_the_lead_kept_instead() -> None:
    result = solve_market(parse_instance(textbook()))
    # C holds D and A; its lead ranks A second and S third.
    assert result.explain("S") == Explanation(
        person="S",
        role="M",
        rejected_by=(Rejection(role="C", preferred="A", by_lottery=False),),
    )


def test_first_choice_means_nothing_to_explain() -> None:
    result = solve_market(parse_instance(textbook()))
    assert result.explain("L").rejected_by == ()
    assert set(result.explanations()) == set(PEOPLE)


def test_role_that_never_ranked_the_person_names_nobody() -> None:
    data = market({"ann": ["lead", "eng"]}, {"lead": (1, []), "eng": (1, ["ann"])})
    result = solve_market(parse_instance(data))
    assert result.explain("ann") == Explanation(
        person="ann",
        role="eng",
        rejected_by=(Rejection(role="lead", preferred=None, by_lottery=False),),
    )


def test_unmatched_person_hears_from_every_role_they_ranked() -> None:
    data = market(
        {"ann": ["eng"], "bob": ["eng", "ops"], "cy": ["ops"]},
        {"eng": (1, ["ann", "bob"]), "ops": (1, ["cy", "bob"])},
    )
    result = solve_market(parse_instance(data))
    assert result.matching == {"ann": "eng", "bob": None, "cy": "ops"}
    assert [r.preferred for r in result.explain("bob").rejected_by] == ["ann", "cy"]


def test_incomplete_lists_only_match_mutually_acceptable_pairs() -> None:
    data = market({"ann": ["eng"], "bob": []}, {"eng": (2, ["bob"])})
    instance = parse_instance(data)
    result = solve_market(instance)
    assert result.matching == {"ann": None, "bob": None}
    assert check_stability(instance, result.matching).is_stable


def test_empty_market_has_an_empty_matching() -> None:
    instance = parse_instance({"people": {}, "roles": {}})
    result = solve_market(instance)
    assert result.matching == {}
    assert check_stability(instance, result.matching).is_stable


def test_eviction_chain_ends_people_optimal() -> None:
    # bob displaces ann at eng; ann displaces cy at ops; cy falls to qa.
    data = market(
        {"ann": ["eng", "ops"], "bob": ["eng"], "cy": ["ops", "qa"]},
        {"eng": (1, ["bob", "ann"]), "ops": (1, ["ann", "cy"]), "qa": (1, ["cy"])},
    )
    result = solve_market(parse_instance(data))
    assert result.matching == {"ann": "ops", "bob": "eng", "cy": "qa"}


def test_tie_is_broken_by_the_documented_lottery() -> None:
    data = market({"ann": ["eng"], "bob": ["eng"]}, {"eng": (1, [["bob", "ann"]])})
    instance = parse_instance(data)
    for seed in range(8):
        draws = np.random.default_rng(seed).permutation(2)  # ann, bob: people sorted by id
        winner = "ann" if draws[0] < draws[1] else "bob"
        assert solve_market(instance, seed=seed).matching[winner] == "eng"


def test_both_sides_of_a_tie_win_under_some_seed() -> None:
    data = market({"ann": ["eng"], "bob": ["eng"]}, {"eng": (1, [["ann", "bob"]])})
    instance = parse_instance(data)
    winners = {solve_market(instance, seed=s).matching["ann"] for s in range(16)}
    assert winners == {"eng", None}


def test_loser_of_a_tie_is_told_the_lottery_decided() -> None:
    data = market({"ann": ["eng"], "bob": ["eng"]}, {"eng": (1, [["ann", "bob"]])})
    result = solve_market(parse_instance(data), seed=3)
    loser = next(p for p, role in result.matching.items() if role is None)
    (rejection,) = result.explain(loser).rejected_by
    assert rejection.by_lottery
    assert rejection.preferred == ({"ann", "bob"} - {loser}).pop()


def test_lottery_ignores_the_order_people_are_listed_in() -> None:
    people = {f"p{i}": ["eng"] for i in range(6)}
    forward = market(people, {"eng": (2, [list(people)])})
    backward = market(dict(reversed(people.items())), {"eng": (2, [list(people)])})
    for seed in range(5):
        first = solve_market(parse_instance(forward), seed=seed).matching
        second = solve_market(parse_instance(backward), seed=seed).matching
        assert first == second


def test_tiers_above_a_tie_still_win_outright() -> None:
    data = market(
        {"ann": ["eng"], "bob": ["eng"], "cy": ["eng"]},
        {"eng": (1, ["cy", ["ann", "bob"]])},
    )
    instance = parse_instance(data)
    for seed in range(5):
        assert solve_market(instance, seed=seed).matching["cy"] == "eng"


def test_check_finds_the_pair_that_would_rather_be_together() -> None:
    instance = parse_instance(textbook())
    swapped = {"A": "C", "S": "M", "D": "M", "J": "G", "L": "C"}
    assert ("D", "C") in check_stability(instance, swapped).blocking_pairs


def test_check_flags_an_over_full_role() -> None:
    instance = parse_instance(textbook())
    crowded = {"A": "C", "S": "C", "D": "C", "J": None, "L": None}
    report = check_stability(instance, crowded)
    assert report.over_capacity == ("C",)
    assert not report.is_stable


def test_check_flags_pairs_off_either_list_and_unknown_ids() -> None:
    instance = parse_instance(textbook())
    odd = {"A": "M", "J": "nowhere", "ghost": "C"}
    assert set(check_stability(instance, odd).unacceptable) == {
        ("A", "M"),
        ("J", "nowhere"),
        ("ghost", "C"),
    }


def test_check_counts_a_person_left_out_as_unmatched() -> None:
    instance = parse_instance(textbook())
    report = check_stability(instance, {})
    assert ("A", "C") in report.blocking_pairs
    assert report.over_capacity == ()


def test_instance_reports_a_persons_list() -> None:
    assert parse_instance(textbook()).preferences("J") == ("C", "G", "M")


def test_example_in_the_council_guide_comes_out_as_described() -> None:
    data = market(
        {"Ana": ["Compiler"], "Ben": ["Compiler", "Eval"]},
        {"Compiler": (1, ["Ben", "Ana"]), "Eval": (1, ["Ana", "Ben"])},
    )
    result = solve_market(parse_instance(data))
    assert result.matching == {"Ana": None, "Ben": "Compiler"}
    assert result.explain("Ana").rejected_by == (
        Rejection(role="Compiler", preferred="Ben", by_lottery=False),
    )


def test_instance_file_in_the_council_guide_solves_as_printed() -> None:
    data = {
        "people": {"p1": ["r3", "r1"], "p2": ["r1"]},
        "roles": {
            "r1": {"capacity": 2, "ranking": ["p2", "p1"]},
            "r3": {"capacity": 1, "ranking": [["p1", "p2"]]},
        },
    }
    assert solve_market(parse_instance(data)).matching == {"p1": "r3", "p2": "r1"}


def test_explaining_someone_outside_the_market_is_not_found() -> None:
    result = solve_market(parse_instance(textbook()))
    with pytest.raises(NotFound):
        result.explain("nobody")
