"""Properties of market mode, checked against brute force on small random markets."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.staffing.market import check_stability, parse_instance, solve_market

Data = dict[str, Any]
Matching = Mapping[str, str | None]


@st.composite
def markets(draw: st.DrawFn, max_people: int = 7, max_roles: int = 4, ties: bool = True) -> Data:
    """A random market: incomplete lists both ways, capacities 1-3, optional tie groups."""
    people = [f"p{i}" for i in range(draw(st.integers(0, max_people)))]
    roles = [f"r{j}" for j in range(draw(st.integers(0, max_roles)))]
    prefs = {p: draw(st.permutations(roles))[: draw(st.integers(0, len(roles)))] for p in people}
    specs = {}
    for role in roles:
        ranked = draw(st.permutations(people))[: draw(st.integers(0, len(people)))]
        ranking = (
            _tie_up(ranked, draw(st.lists(st.booleans(), min_size=len(ranked)))) if ties else ranked
        )
        specs[role] = {"capacity": draw(st.integers(1, 3)), "ranking": ranking}
    order = draw(st.permutations(people))  # key order must not matter
    return {"people": {p: prefs[p] for p in order}, "roles": specs}


def _tie_up(ranked: list[str], joins: list[bool]) -> list[object]:
    """Group ``ranked`` into tiers: ``joins[i]`` puts entry i in the tier before it."""
    tiers: list[list[str]] = []
    for i, person in enumerate(ranked):
        if tiers and joins[i]:
            tiers[-1].append(person)
        else:
            tiers.append([person])
    return [tier[0] if len(tier) == 1 else tier for tier in tiers]


def tier(data: Data, role: str, person: str) -> float:
    """Where ``role``'s lead puts ``person`` (equal numbers are ties); inf when unranked."""
    for position, entry in enumerate(data["roles"][role]["ranking"]):
        if person == entry or (isinstance(entry, list) and person in entry):
            return position
    return float("inf")


def person_rank(data: Data, person: str, role: str | None) -> float:
    """Where ``person`` lists ``role``; inf when unlisted or unmatched."""
    prefs = data["people"][person]
    return prefs.index(role) if role in prefs else float("inf")


def holders(matching: Matching, role: str) -> list[str]:
    return [p for p, r in matching.items() if r == role]


def brute_blocking(data: Data, matching: Matching, rank: Any = tier) -> set[tuple[str, str]]:
    """Blocking pairs straight from the definition, one pair at a time."""
    pairs = set()
    for person, prefs in data["people"].items():
        current = person_rank(data, person, matching.get(person))
        for role in prefs[: int(min(current, len(prefs)))]:
            mine = rank(data, role, person)
            held = holders(matching, role)
            room = len(held) < data["roles"][role]["capacity"]
            if mine < float("inf") and (room or any(rank(data, role, h) > mine for h in held)):
                pairs.add((person, role))
    return pairs


def brute_unacceptable(data: Data, matching: Matching) -> set[tuple[str, str]]:
    return {
        (p, r)
        for p, r in matching.items()
        if r is not None
        and (
            p not in data["people"]
            or r not in data["roles"]
            or r not in data["people"][p]
            or tier(data, r, p) == float("inf")
        )
    }


def brute_over_capacity(data: Data, matching: Matching) -> set[str]:
    return {r for r, s in data["roles"].items() if len(holders(matching, r)) > s["capacity"]}


@settings(max_examples=150, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_market_result_is_always_stable(data: Data, seed: int) -> None:
    instance = parse_instance(data)
    matching = solve_market(instance, seed=seed).matching
    assert check_stability(instance, matching).is_stable
    assert brute_blocking(data, matching) == set()


@settings(max_examples=150, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_market_never_overfills_a_role_nor_matches_an_unacceptable_pair(
    data: Data, seed: int
) -> None:
    matching = solve_market(parse_instance(data), seed=seed).matching
    assert set(matching) == set(data["people"])
    assert brute_over_capacity(data, matching) == set()
    assert brute_unacceptable(data, matching) == set()


@settings(max_examples=100, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_same_seed_gives_the_same_result(data: Data, seed: int) -> None:
    first = solve_market(parse_instance(data), seed=seed)
    second = solve_market(parse_instance(data), seed=seed)
    assert first.matching == second.matching
    assert first.explanations() == second.explanations()


@settings(max_examples=100, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_ties_are_broken_by_one_lottery_over_people_sorted_by_id(data: Data, seed: int) -> None:
    draws = np.random.default_rng(seed).permutation(len(data["people"]))
    lottery = dict(zip(sorted(data["people"]), draws.tolist(), strict=True))

    def strict(data: Data, role: str, person: str) -> float:
        return tier(data, role, person) * len(lottery) + lottery[person]

    matching = solve_market(parse_instance(data), seed=seed).matching
    assert brute_blocking(data, matching, rank=strict) == set()


@settings(max_examples=150, deadline=None)
@given(
    markets(),
    st.lists(st.sampled_from([None, "r0", "r1", "r2", "r3", "ghost"]), max_size=8),
)
def test_check_agrees_with_brute_force_on_any_matching(data: Data, picks: list[str | None]) -> None:
    roles = set(data["roles"]) | {"ghost"}
    matching = {p: r if r in roles else None for p, r in zip(data["people"], picks, strict=False)}
    report = check_stability(parse_instance(data), matching)
    bad = brute_unacceptable(data, matching)
    assert set(report.unacceptable) == bad
    assert set(report.over_capacity) == brute_over_capacity(data, matching)
    assert set(report.blocking_pairs) == brute_blocking(data, matching)


def stable_matchings(data: Data) -> list[dict[str, str | None]]:
    """Every valid matching of a tiny market that has no blocking pair."""
    people = list(data["people"])
    options = [[None, *(r for r in data["people"][p] if tier(data, r, p) < 99)] for p in people]
    found = []
    for choice in itertools.product(*options):
        matching = dict(zip(people, choice, strict=True))
        if not brute_over_capacity(data, matching) and not brute_blocking(data, matching):
            found.append(matching)
    return found


@settings(max_examples=60, deadline=None)
@given(markets(max_people=5, max_roles=3, ties=False))
def test_every_person_does_at_least_as_well_as_in_any_stable_matching(data: Data) -> None:
    ours = solve_market(parse_instance(data)).matching
    stable = stable_matchings(data)
    assert ours in stable
    for other in stable:
        for person in data["people"]:
            assert person_rank(data, person, ours[person]) <= person_rank(
                data, person, other[person]
            )


@settings(max_examples=100, deadline=None)
@given(markets(), st.integers(0, 2**32 - 1))
def test_every_better_role_rejected_the_person_for_someone_it_kept(data: Data, seed: int) -> None:
    result = solve_market(parse_instance(data), seed=seed)
    for person, prefs in data["people"].items():
        explanation = result.explain(person)
        above = prefs[: int(min(person_rank(data, person, explanation.role), len(prefs)))]
        assert [r.role for r in explanation.rejected_by] == above
        for rejection in explanation.rejected_by:
            if rejection.preferred is None:
                assert tier(data, rejection.role, person) == float("inf")
                continue
            assert result.matching[rejection.preferred] == rejection.role
            theirs, mine = (
                tier(data, rejection.role, rejection.preferred),
                tier(data, rejection.role, person),
            )
            assert theirs < mine or (theirs == mine and rejection.by_lottery)


def every_report(roles: list[str]) -> list[list[str]]:
    """Every list a person could submit: each ordered subset of the roles."""
    return [list(p) for k in range(len(roles) + 1) for p in itertools.permutations(roles, k)]


@settings(max_examples=80, deadline=None)
@given(markets(max_people=6, max_roles=4), st.integers(0, 2**32 - 1), st.data())
def test_no_person_gets_a_better_role_by_misreporting(
    data: Data, seed: int, pick: st.DataObject
) -> None:
    if not data["people"]:
        return
    person = pick.draw(st.sampled_from(sorted(data["people"])))
    honest = solve_market(parse_instance(data), seed=seed).matching[person]
    for report in every_report(list(data["roles"])):
        lie = {**data, "people": {**data["people"], person: report}}
        got = solve_market(parse_instance(lie), seed=seed).matching[person]
        assert person_rank(data, person, got) >= person_rank(data, person, honest), report
