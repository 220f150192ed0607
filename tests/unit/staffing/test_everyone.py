"""Reaching past the candidate lists: each role's best among the people with room, the
local search over them (with its swap move), and the last fill of open seats from everyone."""

from __future__ import annotations

import time
from unittest.mock import patch

import numpy as np
from hypothesis import assume, given, reject
from hypothesis import strategies as st

from mts.domain.errors import Infeasible
from mts.staffing import StaffingRequest, StaffingSettings, solver
from mts.staffing import board as board_module
from mts.staffing.board import (
    Board,
    Candidates,
    Seats,
    board_of,
    fill_open_seats,
    greedy_baseline,
    improve,
    objective,
    roomy_candidates,
    violations,
)
from mts.staffing.board import _swap_into as board_swap
from mts.staffing.board import _weakest as board_weakest
from mts.staffing.problem import FTE_TOLERANCE, StaffingProblem, build_problem
from unit.staffing.test_round_examples import PLAIN, merit, person, role
from unit.staffing.test_round_examples import request as example_round
from unit.staffing.test_round_properties import FAST, rounds

NARROW = StaffingSettings(time_limit=60.0, seed=3, top_k=1, top_k_person=0)


def buildable(request: StaffingRequest) -> StaffingProblem:
    """The round's problem; rounds whose rules cannot hold whatever happens are skipped."""
    try:
        return build_problem(request, NARROW)
    except Infeasible:
        reject()
        raise


def every_value(problem: StaffingProblem) -> np.ndarray:
    """(roles x people) values, -inf where ineligible."""
    return np.vstack([value for _, value in problem.value_blocks(np.arange(problem.n_roles))])


def with_room(board: Board, value: np.ndarray) -> np.ndarray:
    pr = board.problem
    fits = board.room[None, :] >= pr.fte[:, None] - FTE_TOLERANCE
    return np.where(fits, value, -np.inf)


@FAST
@given(rounds(max_people=8, rules=False))
def test_roomy_candidates_are_each_roles_best_among_the_people_with_room(
    request: StaffingRequest,
) -> None:
    problem = build_problem(request, NARROW)
    board = board_of(problem, greedy_baseline(problem))
    found = roomy_candidates(board, k=2)
    value = with_room(board, every_value(problem))
    assert np.all(board.room[found.person] >= problem.fte[found.role] - FTE_TOLERANCE)
    assert np.all(np.isfinite(value[found.role, found.person]))
    for r in range(problem.n_roles):
        kept = found.person[found.role == r]
        eligible = int(np.isfinite(value[r]).sum())
        assert kept.size >= min(2, eligible)
        if kept.size:  # nobody left out beats the weakest kept
            left_out = np.delete(value[r], kept)
            assert left_out.max(initial=-np.inf) <= value[r, kept].min() + 1e-12


@FAST
@given(rounds(max_people=8))
def test_the_last_fill_leaves_no_seat_open_that_someone_with_room_could_take(
    request: StaffingRequest,
) -> None:
    problem = buildable(request)
    start = greedy_baseline(problem)
    board = board_of(problem, start)
    for r in range(problem.n_roles):  # open every seat that is not pinned
        for p in list(board.seated[r]):
            if (p, r) not in board.pinned:
                board.drop(p, r)
    emptied = board.seats()
    filled = solver._filled(problem, emptied, time.perf_counter())
    assert objective(problem, filled) >= objective(problem, emptied) - 1e-9
    after = board_of(problem, filled)
    value = with_room(after, every_value(problem))
    for r in range(problem.n_roles):
        if len(after.seated[r]) < problem.headcount[r]:
            takers = value[r] > -problem.settings.vacancy_penalty
            takers[list(after.seated[r])] = False
            if problem.is_lead[r]:
                takers &= ~after.leading
            assert not takers.any(), f"role {r} left open though someone could take it"


@FAST
@given(rounds(max_people=8))
def test_reaching_everyone_never_loses_value_and_keeps_every_seat_a_candidate(
    request: StaffingRequest,
) -> None:
    problem = buildable(request)
    assume(np.isfinite(problem.left_out_best).any())  # some eligible pair is on no list
    start = greedy_baseline(problem)
    edges, found = solver._reach_everyone(problem, problem.edges, start, time.perf_counter())
    assert objective(problem, found) >= objective(problem, start) - 1e-9
    keys = set(zip(edges.person.tolist(), edges.role.tolist(), strict=True))
    assert set(zip(problem.edges.person.tolist(), problem.edges.role.tolist(),
                   strict=True)) <= keys
    assert set(zip(found.person.tolist(), found.role.tolist(), strict=True)) <= keys | set(
        zip(start.person.tolist(), start.role.tolist(), strict=True))


def test_a_swap_gives_each_of_two_people_the_role_they_fit() -> None:
    """Each holds the other's better role and neither has room: only a swap helps."""
    table = merit({"ann": 0.0, "bob": 0.0},
                  skills={"ann": {"ml": 1.0, "infra": -1.0}, "bob": {"ml": -1.0, "infra": 1.0}})
    roles = (role("m", "P", needs=("ml",)), role("i", "Q", needs=("infra",)))
    problem = build_problem(example_round(roles, (person("ann"), person("bob")), table),
                            PLAIN)
    ml, infra = ([str(r.id) for r in problem.roles].index(k) for k in ("m", "i"))
    wrong = Seats(person=np.array([0, 1]), role=np.array([infra, ml]))  # ann, bob
    lists = Candidates.of(problem.edges, problem.n_roles)
    plain = board_of(problem, wrong)
    improve(plain, lists)
    assert objective(problem, plain.seats()) == objective(problem, wrong)
    swapped = board_of(problem, wrong)
    improve(swapped, lists, swaps=True)
    seats = swapped.seats()
    assert sorted(zip(seats.person.tolist(), seats.role.tolist(), strict=True)) == [(0, ml),
                                                                                  (1, infra)]
    assert objective(problem, seats) > objective(problem, wrong)


@FAST
@given(rounds(max_people=8))
def test_a_swap_gains_and_keeps_every_rule_or_changes_nothing(request: StaffingRequest) -> None:
    """Offered every candidate who beats a full role's weakest holder and has no room."""
    problem = buildable(request)
    board = board_of(problem, greedy_baseline(problem))
    lists = Candidates.of(problem.edges, problem.n_roles)
    for r in range(problem.n_roles):
        for q, value in zip(lists.people[r], lists.values[r], strict=True):
            w = board_weakest(board, r)
            if w is None or q in board.seated[r] or board.seated[r][w] >= value:
                continue
            before, was = board.seats(), objective(problem, board.seats())
            broken = set(violations(problem, before))
            if board_swap(board, r, w, q, value, lists):
                assert objective(problem, board.seats()) > was + 1e-12
                assert set(violations(problem, board.seats())) <= broken
            else:
                after = board.seats()
                assert sorted(zip(after.person.tolist(), after.role.tolist(), strict=True)) == \
                    sorted(zip(before.person.tolist(), before.role.tolist(), strict=True))


@FAST
@given(rounds(max_people=8), st.integers(0, 2**16), st.integers(1, 4))
def test_filling_open_seats_takes_what_checking_each_pair_in_turn_takes(
    request: StaffingRequest, seed: int, chunk: int
) -> None:
    """The fill drops, a chunk at a time, the pairs that cannot fit any more; in any order of
    the pairs and with chunks of any size, it must seat exactly what the plain reading does."""
    problem = buildable(request)
    edges = problem.edges
    order = np.random.default_rng(seed).permutation(len(edges)).astype(np.intp)
    expected = Board.start(problem)
    for i in order.tolist():
        p, r, v = int(edges.person[i]), int(edges.role[i]), float(edges.value[i])
        if v > -problem.settings.vacancy_penalty and expected.can_take(p, r):
            expected.take(p, r, v)
    filled = Board.start(problem)
    with patch.object(board_module, "_LIST_CHUNK", chunk):
        fill_open_seats(filled, edges, order)
    assert filled.seated == expected.seated
