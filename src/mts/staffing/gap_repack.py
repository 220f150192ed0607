"""Exact re-packing of the jobs of three agents: a neighbourhood the ejection chains miss.

Take three agents and every job they hold, and give those jobs the cheapest
assignment to the same three agents that respects their capacities, found
exactly by depth-first search. Each job keeps one of the three agents, so
the rest of the assignment, and every other agent's load, is unchanged.

Chains of up to ``gap_heuristic.LAYERS`` moves reach some of these
re-packings, but not those that move many jobs among the same few agents
at once, where every single move breaks a capacity. On type D with five
jobs an agent (d20100) the chain search's local minima are often not
optimal for some three agents: from the search's 6,213, passes over
every three of its 20 agents gave 6,197, where the search alone is at
6,204 after 240 s.

The search's bound prices each agent's room at the LP's capacity dual. On
type D, where a job costs less the heavier it is, the plain bound (every
later job at its cheapest agent) ignores that those agents cannot take
them all, and a pass over every three of d20100's agents took 0.9 s; priced,
0.03 s. On d40400 (ten jobs an agent) the plain search hit its node limit
and found nothing in 13.7 s; priced, a pass took 0.6 s and gained 3. Even
so, ``solve_gap`` uses it only where agents hold few jobs: at ten jobs an
agent, at 60 s, the search did worse with it on d10100 and d20200 and moved
by a few units either way on d20400 and d40400.

The search is compiled by numba (``cache=True``): the first call on a
machine compiles it, about 5 s; later processes load it in a quarter of a
second. ``solve_gap`` makes that call before its clock starts.
"""

from __future__ import annotations

import time
from itertools import combinations

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

GROUP = 3
"""Agents re-packed together: on d20100 two found nothing the chains had not, and a pass over
every four took some fifty times as long as over every three and found no more."""
NODE_LIMIT = 200_000
"""Search nodes per group at most: a search cut short keeps the best packing it found, if any."""


def repack(
    costs: FloatArray, weights: FloatArray, capacities: FloatArray, a: IntArray, *,
    rng: np.random.Generator, passes: int, deadline: float = np.inf,
    prices: FloatArray | None = None,
) -> bool:
    """Re-pack every ``GROUP`` of agents of ``a``, in a random order, in place.

    Passes repeat while the last one improved anything, at most ``passes``
    times. The work is bounded by passes, groups and ``NODE_LIMIT``, so the
    same ``rng`` state gives the same answer unless ``deadline`` (a
    ``time.perf_counter()`` value, checked between groups) stops it first.
    ``prices`` (one per agent, at least zero: the LP's capacity duals) make
    the search's bound tighter; without them it is the plain one. Returns
    whether ``a`` got cheaper.
    """
    m = costs.shape[0]
    prices = np.zeros(m) if prices is None else np.maximum(prices, 0.0)
    if m < GROUP:
        return False
    groups = np.array(list(combinations(range(m), GROUP)), dtype=np.int64)
    improved = False
    for _ in range(passes):
        changed = False
        for group in groups[rng.permutation(len(groups))]:
            if time.perf_counter() >= deadline:
                return improved | changed
            changed |= _repack_group(costs, weights, capacities, prices, a, group)
        improved |= changed
        if not changed:
            break
    return improved


def _repack_group(
    costs: FloatArray, weights: FloatArray, capacities: FloatArray, prices: FloatArray,
    a: IntArray, group: IntArray,
) -> bool:
    jobs = np.flatnonzero(np.isin(a, group)).astype(np.int64)
    if jobs.size == 0:
        return False
    now = float(costs[a[jobs], jobs].sum())
    found, placed = _cheapest_packing(costs, weights, capacities, prices, group, jobs, now,
                                      NODE_LIMIT)
    if found:
        a[jobs] = placed
    return bool(found)


@numba.njit(cache=True, nogil=True)
def _cheapest_packing(
    costs: FloatArray, weights: FloatArray, capacities: FloatArray, prices: FloatArray,
    agents: IntArray, jobs: IntArray, beat: float, node_limit: int,
) -> tuple[bool, IntArray]:  # pragma: no cover - compiled; checked against brute force in tests
    """The cheapest placement of ``jobs`` (at least one) on ``agents`` within capacity, if
    one costs less than ``beat``: (found, agent of each job). After ``node_limit`` nodes
    the best found so far is returned.

    Depth-first over the jobs, heaviest first (they decide feasibility
    soonest), each tried on every agent with room; a branch is cut when its
    cost plus a bound on the later jobs cannot beat the best. There are two
    bounds: every later job at its cheapest agent, and the same with each
    agent's weight priced at ``prices`` less the price of the room left
    (the later jobs cannot use more). On type D, where cost falls as weight
    rises, only the second sees that the cheapest agents cannot take them all.
    """
    price = prices[agents]
    order, cost, weight, rest, priced_rest = _tables(costs, weights, price, agents, jobs)
    k, n = agents.size, jobs.size
    room = capacities[agents].copy()
    room_price = float((price * room).sum())
    choice = np.full(n, -1, np.int64)
    best_choice = np.full(n, -1, np.int64)
    spent = np.zeros(n + 1)
    best = beat - 1e-9
    t, nodes = 0, 0
    while t >= 0 and nodes < node_limit:
        nodes += 1
        g = choice[t]
        if g >= 0:
            room[g] += weight[t, g]  # take the job back before trying its next agent
            room_price += price[g] * weight[t, g]
        g += 1
        while g < k and (weight[t, g] > room[g] + 1e-9
                         or spent[t] + cost[t, g] + rest[t + 1] >= best
                         or spent[t] + cost[t, g] + priced_rest[t + 1]
                         - (room_price - price[g] * weight[t, g]) >= best):
            g += 1
        if g == k:
            choice[t] = -1
            t -= 1
            continue
        choice[t] = g
        room[g] -= weight[t, g]
        room_price -= price[g] * weight[t, g]
        if t == n - 1:  # a whole placement, cheaper than the best: keep it, try the next
            best = spent[t] + cost[t, g]
            best_choice[:] = choice
        else:
            spent[t + 1] = spent[t] + cost[t, g]
            t += 1
    found = best_choice[0] >= 0
    placed = np.full(n, -1, np.int64)
    if found:
        placed[order] = agents[best_choice]
    return bool(found), placed


@numba.njit(cache=True, nogil=True)
def _tables(
    costs: FloatArray, weights: FloatArray, price: FloatArray, agents: IntArray, jobs: IntArray
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:  # pragma: no cover
    """The jobs heaviest first (by their lightest weight), their costs and weights on each
    agent in that order, and the least the jobs from each position on can cost, plainly
    and with weight priced at ``price``."""
    k, n = agents.size, jobs.size
    lightest = np.full(n, np.inf)
    for t in range(n):
        for g in range(k):
            lightest[t] = min(lightest[t], weights[agents[g], jobs[t]])
    order = np.argsort(-lightest)
    cost = np.empty((n, k))
    weight = np.empty((n, k))
    for t in range(n):
        for g in range(k):
            cost[t, g] = costs[agents[g], jobs[order[t]]]
            weight[t, g] = weights[agents[g], jobs[order[t]]]
    rest = np.zeros(n + 1)
    priced_rest = np.zeros(n + 1)
    for t in range(n - 1, -1, -1):
        rest[t] = rest[t + 1] + cost[t].min()
        priced_rest[t] = priced_rest[t + 1] + (cost[t] + price * weight[t]).min()
    return order, cost, weight, rest, priced_rest
