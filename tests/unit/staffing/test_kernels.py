"""The compiled passes over every pair, against numpy and plain Python readings of the rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.errors import Infeasible
from mts.domain.projects import Interest
from mts.domain.staffing import Exploration
from mts.staffing import StaffingRequest, StaffingSettings, kernels
from mts.staffing.problem import BestPerPerson, build_problem
from unit.staffing.test_round_properties import FAST, rounds


@FAST
@given(rounds(max_people=6), st.sampled_from(list(Exploration)), st.integers(0, 3))
def test_values_are_each_pair_valued_alone_and_minus_inf_exactly_where_ineligible(
    request: StaffingRequest, exploration: Exploration, seed: int
) -> None:
    try:
        problem = build_problem(request, StaffingSettings(exploration=exploration, seed=seed))
    except Infeasible:  # pins or rules that cannot hold: nothing to value
        return
    model = problem.model
    roles = np.arange(problem.n_roles, dtype=np.intp)
    value = model.values(roles)
    eligible = model.eligible(roles)
    assert np.array_equal(np.isfinite(value), eligible)
    role, person = np.nonzero(eligible)
    assert np.allclose(value[role, person], model.pair_values(person, role), atol=1e-12)


@FAST
@given(rounds(max_people=6), st.sampled_from(list(Exploration)), st.integers(0, 3))
def test_breakdowns_of_many_pairs_add_up_to_the_compiled_values_term_by_term(
    request: StaffingRequest, exploration: Exploration, seed: int
) -> None:
    """Explanations value every seat of a round in one call: each pair's terms must sum to
    what the compiled pass says it is worth, and its skills to its fit."""
    first = request.projects[0].id
    keen = tuple(Interest(person=c.person, project=first, rank=1) for c in request.candidates[::2])
    request = replace(request, interests=keen)
    try:
        problem = build_problem(request, StaffingSettings(exploration=exploration, seed=seed))
    except Infeasible:
        return
    model = problem.model
    value = model.values(np.arange(problem.n_roles, dtype=np.intp))
    role, person = np.nonzero(np.isfinite(value))
    for p, r, terms in zip(person, role, model.breakdowns(person, role), strict=True):
        assert terms.total == pytest.approx(value[r, p], abs=1e-12)
        assert terms.total == pytest.approx(
            terms.fit + terms.exploration + terms.lead + terms.interest, abs=1e-12)
        assert terms.fit == pytest.approx(sum(s.contribution for s in terms.fit_by_skill),
                                          abs=1e-12)
        needed = np.flatnonzero(model.weights[r])
        assert [s.skill for s in terms.fit_by_skill] == [model.skills[j] for j in needed]
        assert [s.mean for s in terms.fit_by_skill] == model.mean[p, needed].tolist()


def _block(seed: int, n_rows: int, n_people: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    value = rng.normal(size=(n_rows, n_people))
    value[rng.random((n_rows, n_people)) < 0.3] = -np.inf
    return {
        "value": value,
        "role_shift": rng.random(n_rows),
        "person_shift": rng.random(n_people),
        "looseness": 0.5 * rng.random(n_people),
        "uncertain": rng.random(n_people) < 0.3,
        "stretch": rng.random(n_rows) < 0.5,
        "department": rng.integers(0, 3, n_people).astype(np.intp),
        "ruled": rng.random(n_rows) < 0.5,
    }


def _turns(b: dict[str, np.ndarray]) -> np.ndarray:
    turn = b["role_shift"][:, None] + b["person_shift"][None, :]
    return turn - (turn >= 1.0)


def _rule_by_hand(b: dict[str, np.ndarray], k: int) -> tuple[set[tuple[int, int]], np.ndarray]:
    """The pruning rule read literally: sort each row's eligible people and take from the top."""
    score = b["value"] + kernels.TIE_BREAK * _turns(b)
    kept: set[tuple[int, int]] = set()
    open_ = np.zeros((score.shape[0], 3), dtype=bool)
    for i, row in enumerate(score):
        eligible = [p for p in np.argsort(-row) if np.isfinite(row[p])]
        kept |= {(i, int(p)) for p in eligible[:k]}
        if b["stretch"][i]:
            kept |= {(i, int(p)) for p in [p for p in eligible if b["uncertain"][p]][:k]}
        if b["ruled"][i]:
            for d in range(3):
                mine = [p for p in eligible if b["department"][p] == d]
                kept |= {(i, int(p)) for p in mine[:2]}
                open_[i, d] = bool(mine)
    return kept, open_


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(1, 5))
def test_select_block_keeps_what_the_pruning_rule_names(
    seed: int, n_rows: int, n_people: int, k: int
) -> None:
    b = _block(seed, n_rows, n_people)
    open_ = np.zeros((n_rows, 3), dtype=bool)
    rows, people = kernels.select_block(
        b["value"], b["role_shift"], b["person_shift"], k, b["uncertain"], b["stretch"],
        b["department"], b["ruled"], 2, open_, np.empty((n_rows, 5)),
    )
    kept, expected_open = _rule_by_hand(b, k)
    assert len(rows) == len(kept)
    assert set(zip(rows.tolist(), people.tolist(), strict=True)) == kept
    assert np.array_equal(open_, expected_open)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(1, 4))
def test_scan_block_summarises_each_role_and_keeps_each_persons_standout_roles(
    seed: int, n_rows: int, n_people: int, depth: int
) -> None:
    b = _block(seed, n_rows, n_people)
    k = 2
    rows = np.arange(10, 10 + n_rows, dtype=np.intp)
    stats = np.empty((n_rows, 4))
    open_ = np.zeros((n_rows, 3), dtype=bool)
    best = BestPerPerson.empty(depth, n_people)
    r, p = kernels.scan_block(
        b["value"], rows, b["role_shift"], b["person_shift"], b["looseness"], k,
        b["uncertain"], b["stretch"], b["department"], b["ruled"], 2, open_, stats,
        best.score, best.role, best.value, best.floor,
    )
    kept, _ = _rule_by_hand(b, k)
    assert set(zip(r.tolist(), p.tolist(), strict=True)) == kept
    value, finite = b["value"], np.isfinite(b["value"])
    for i in range(n_rows):
        out = [value[i, q] for q in range(n_people) if finite[i, q] and (i, q) not in kept]
        assert stats[i, 0] == max(out, default=-np.inf)
        assert stats[i, 1] == value[i].max()
        if finite[i].any():
            assert stats[i, 2] == int(np.argmax(value[i]))
        assert stats[i, 3] == (finite[i] & b["uncertain"]).sum()
    # each person's lists: the roles where their z-score, loosened by the turn, is highest
    mean = np.array([value[i, finite[i]].mean() if finite[i].any() else 0.0
                     for i in range(n_rows)])
    spread = np.array([value[i, finite[i]].std() if finite[i].any() else 0.0
                       for i in range(n_rows)])
    z = (value - mean[:, None]) / np.where(spread > 0, spread, 1.0)[:, None]
    z += _turns(b) * b["looseness"][None, :]
    edges = best.edges()
    for q in range(n_people):
        eligible = np.flatnonzero(finite[:, q])
        expected = sorted(eligible, key=lambda i: -z[i, q])[:depth]
        assert sorted(edges.role[edges.person == q].tolist()) == sorted(
            int(rows[i]) for i in expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 30), st.integers(1, 3),
       st.integers(1, 3))
def test_offer_profits_keeps_each_persons_best_lagrangian_profits_over_all_blocks(
    seed: int, n_rows: int, n_people: int, depth: int, n_blocks: int
) -> None:
    b = _block(seed, n_rows, n_people)
    rng = np.random.default_rng(seed + 1)
    rows = np.arange(5, 5 + n_rows, dtype=np.intp)
    fte, role_price = rng.choice([0.2, 0.5, 1.0], n_rows), rng.normal(size=n_rows)
    stretch_price, link = rng.random(n_rows), rng.normal(size=(n_rows, 3))
    which = np.flatnonzero(rng.random(n_rows) < 0.7)
    best = BestPerPerson.empty(depth, n_people)
    for block in np.array_split(which, n_blocks):
        kernels.offer_profits(b["value"], block, rows, fte, role_price, stretch_price, link,
                              b["uncertain"], b["department"], best.score, best.role,
                              best.value, best.floor)
    profit = fte[:, None] * b["value"] - role_price[:, None]
    profit += stretch_price[:, None] * b["uncertain"][None, :]
    profit += link[:, b["department"]]
    edges = best.edges()
    for q in range(n_people):
        offered = [i for i in which if np.isfinite(profit[i, q])]
        expected = sorted(offered, key=lambda i: -profit[i, q])[:depth]
        mine = edges.person == q
        assert sorted(edges.role[mine].tolist()) == sorted(int(rows[i]) for i in expected)
        assert np.array_equal(edges.value[mine], b["value"][edges.role[mine] - 5, q])
