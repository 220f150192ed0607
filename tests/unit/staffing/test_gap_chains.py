"""The compiled ejection-chain pass (``gap_chains``), checked against plain enumeration."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mts.staffing import gap_chains as chains
from mts.staffing import gap_heuristic as heuristic

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def random_state(seed: int) -> tuple[Arrays, heuristic.Arcs, np.ndarray, np.ndarray]:
    """An instance with some of each job's agents as arcs, an assignment that may overload
    agents, and random penalty weights."""
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 8)), int(rng.integers(4, 30))
    c = rng.integers(1, 60, size=(m, n)).astype(float)
    w = rng.integers(1, 30, size=(m, n)).astype(float)
    b = np.floor(w.sum(axis=1) / m * rng.uniform(0.7, 1.2))
    job, agent = heuristic.candidate_arcs(c - c.min(axis=0), w, b,
                                          width=int(rng.integers(2, m + 1)), slack=np.inf)
    a = rng.integers(0, m, size=n).astype(np.int64)
    return (c, w, b), heuristic.Arcs.of(job, agent, c, w), a, rng.uniform(0.5, 20.0, m)


def penalised(instance: Arrays, a: np.ndarray, p: np.ndarray) -> float:
    c, w, b = instance
    over = np.maximum(heuristic.loads(a, w) - b, 0.0)
    return float(c[a, np.arange(len(a))].sum() + p @ over)


def improve(instance: Arrays, arcs: heuristic.Arcs, a: np.ndarray, p: np.ndarray) -> int:
    c, w, b = instance
    load = heuristic.loads(a, w)
    done = chains.improve_once(c, w, b, arcs.job, arcs.agent, arcs.cost, arcs.weight, arcs.slot,
                               arcs.slot_job, arcs.slot_weight, heuristic.LAYERS, a, load, p,
                               2 * len(b))
    np.testing.assert_allclose(load, heuristic.loads(a, w))  # kept in step with the moves
    return int(done)


@pytest.mark.parametrize("seed", range(40))
def test_a_pass_lowers_the_penalised_cost_and_a_descent_ends_where_no_arc_move_helps(
    seed: int,
) -> None:
    instance, arcs, a, p = random_state(seed)
    before = penalised(instance, a, p)
    while improve(instance, arcs, a, p):
        after = penalised(instance, a, p)
        assert after < before - 1e-9
        before = after
    for j, i in zip(arcs.job, arcs.agent, strict=True):  # every single move along an arc
        moved = a.copy()
        moved[j] = i
        assert penalised(instance, moved, p) >= before - 1e-9


@pytest.mark.parametrize("seed", range(40))
def test_the_programme_prices_every_simple_chain_exactly(seed: int) -> None:
    """A chain through distinct agents (a cycle may close on its first) is estimated at its
    exact change of the penalised cost."""
    (c, w, b), arcs, a, p = random_state(seed)
    closing, back, position = chains._programme(
        c, w, b, arcs.job, arcs.agent, arcs.cost, arcs.weight, arcs.slot, arcs.slot_job,
        arcs.slot_weight, heuristic.LAYERS, a, heuristic.loads(a, w), p)
    checked = 0
    for flat in np.flatnonzero(np.isfinite(closing.ravel())):
        chain = chains._trace(flat, arcs.job, arcs.slot, back, position, a)
        jobs, dests = arcs.job[chain], arcs.agent[chain]
        sources = a[jobs]
        visited = np.concatenate([sources, dests[-1:]])
        closes = visited[-1] == visited[0]
        if len(set(visited[:-1] if closes else visited)) < len(visited) - closes:
            continue  # an agent met twice: the programme's estimate is only an estimate
        moved = a.copy()
        moved[jobs] = dests
        change = penalised((c, w, b), moved, p) - penalised((c, w, b), a, p)
        assert closing.ravel()[flat] == pytest.approx(change)
        checked += 1
    assert checked > 0


def full_agents(costs: list[list[float]]) -> tuple[Arrays, heuristic.Arcs, np.ndarray]:
    """Agent ``i`` holds job ``i``; every job weighs 1 and every capacity is 1, so a single
    move overloads an agent and only a cycle of moves can help."""
    c = np.array(costs, dtype=float)
    m = c.shape[0]
    w, b = np.ones((m, m)), np.ones(m)
    job, agent = np.divmod(np.arange(m * m), m)
    return (c, w, b), heuristic.Arcs.of(job, agent, c, w), np.arange(m, dtype=np.int64)


def test_a_swap_is_found_where_every_single_move_overloads() -> None:
    instance, arcs, a = full_agents([[10, 1], [1, 10]])
    p = np.full(2, 1000.0)
    assert improve(instance, arcs, a, p) == 1
    assert a.tolist() == [1, 0]


def test_a_rotation_of_three_is_found_where_no_swap_helps() -> None:
    instance, arcs, a = full_agents([[10, 100, 1], [1, 10, 100], [100, 1, 10]])
    p = np.full(3, 1000.0)
    assert improve(instance, arcs, a, p) == 1
    assert a.tolist() == [1, 2, 0]  # every job one agent on: cost 3 instead of 30


WARM_THEN_SOLVE = """
import json

import numpy as np
from mts.staffing import gap, gap_chains, gap_repack

def compiled():
    return (len(gap_chains.improve_once.signatures),
            len(gap_repack._cheapest_packing.signatures))

gap._compile_search()
warm = compiled()
rng = np.random.default_rng(1)
w = rng.integers(1, 101, size=(4, 16)).astype(float)
c = 111 - w + rng.integers(-10, 11, size=(4, 16))
instance = gap.GapInstance(costs=c, weights=w, capacities=np.floor(0.8 * w.sum(axis=1) / 4))
gap.solve_gap(instance, time_limit=20)
print(json.dumps([warm, compiled()]))
"""


def test_the_warm_up_compiles_every_pass_a_solve_uses_before_its_clock_starts() -> None:
    """In a fresh process, ``solve_gap`` meets no argument types the warm-up did not: so on
    a new machine numba compiles before the time limit starts, never inside it."""
    out = subprocess.run([sys.executable, "-c", WARM_THEN_SOLVE], check=True,
                         capture_output=True, text=True).stdout
    warm, after = json.loads(out)
    assert min(warm) >= 1  # both passes compiled (or loaded from the cache) ...
    assert after == warm  # ... and the solve needed no other
