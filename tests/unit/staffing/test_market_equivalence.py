"""Market mode gives the identical matching to the `matching` package (1.4.3).

The peer solves the hospital/resident game resident-optimal with
``clean=True``, which drops anyone off the other side's list, as mts does.
The resident-optimal stable matching is unique, so the two must agree
person by person.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from mts.staffing.market import check_stability, parse_instance, solve_market

Data = dict[str, Any]
T = TypeVar("T")


def random_market(
    seed: int, n_people: int = 0, n_roles: int = 0, longest: int = 0, outsiders: float = 0.15
) -> Data:
    """Incomplete lists; leads rank most applicants, drop some, and add a few outsiders.

    Sizes left at 0 are drawn: up to 60 people and 12 roles; people list up
    to ``longest`` roles (0: any number); a lead ranks each non-applicant
    with probability ``outsiders``.
    """
    rng = np.random.default_rng(seed)
    people = [f"p{i}" for i in range(n_people or int(rng.integers(1, 61)))]
    roles = [f"r{j}" for j in range(n_roles or int(rng.integers(1, 13)))]
    prefs = {
        p: [
            roles[j]
            for j in rng.permutation(len(roles))[: rng.integers(0, (longest or len(roles)) + 1)]
        ]
        for p in people
    }
    specs = {}
    for role in roles:
        keep = [p for p in people if rng.random() < (0.85 if role in prefs[p] else outsiders)]
        ranking = [keep[i] for i in rng.permutation(len(keep))]
        specs[role] = {"capacity": int(rng.integers(1, 5)), "ranking": ranking}
    return {"people": prefs, "roles": specs}


def peer_matching(data: Data) -> dict[str, str | None]:
    """The `matching` package's resident-optimal matching, as person -> role."""
    rankings = {role: spec["ranking"] for role, spec in data["roles"].items()}
    capacities = {role: spec["capacity"] for role, spec in data["roles"].items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about every pair it cleans away
        game = HospitalResident.create_from_dictionaries(
            data["people"], rankings, capacities, clean=True
        )
        solved = game.solve(optimal="resident")
    matching: dict[str, str | None] = dict.fromkeys(data["people"])
    for hospital, residents in solved.items():
        for resident in residents:
            matching[resident.name] = hospital.name
    return matching


def ours(data: Data) -> dict[str, str | None]:
    instance = parse_instance(data)
    result = solve_market(instance)
    assert check_stability(instance, result.matching).is_stable
    return dict(result.matching)


def on_deep_stack(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread with a big stack: the peer's constructor recurses deeply."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    limit, size = sys.getrecursionlimit(), threading.stack_size(512 * 2**20)
    sys.setrecursionlimit(100_000)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("block", range(10))
def test_identical_to_the_matching_package_on_seeded_markets(block: int) -> None:
    for seed in range(30 * block, 30 * block + 30):
        data = random_market(seed)
        assert ours(data) == peer_matching(data), f"seed {seed}"


@st.composite
def strict_markets(draw: st.DrawFn) -> Data:
    people = [f"p{i}" for i in range(draw(st.integers(1, 8)))]
    roles = [f"r{j}" for j in range(draw(st.integers(1, 4)))]
    prefs = {p: draw(st.permutations(roles))[: draw(st.integers(0, len(roles)))] for p in people}
    specs = {
        role: {
            "capacity": draw(st.integers(1, 3)),
            "ranking": draw(st.permutations(people))[: draw(st.integers(0, len(people)))],
        }
        for role in roles
    }
    return {"people": prefs, "roles": specs}


@settings(max_examples=150, deadline=None)
@given(strict_markets())
def test_identical_to_the_matching_package_on_any_small_market(data: Data) -> None:
    assert ours(data) == peer_matching(data)


def test_identical_on_a_market_too_deep_for_the_default_stack() -> None:
    data = random_market(2024, n_people=1500, n_roles=300, longest=4, outsiders=0.0)
    with pytest.raises(RecursionError):
        peer_matching(data)
    assert ours(data) == on_deep_stack(lambda: peer_matching(data))
