"""Pricing: every pair left out of the candidates revalued at the current multipliers.

Column generation (step 3 of ``solver``'s docstring): each person's pairs
that could pay join the candidates, so the bound holds for every pair, not
only the candidates. The pass is compiled (``kernels.offer_profits``).
"""


from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mts.staffing import kernels
from mts.staffing.problem import (
    BestPerPerson,
    Edges,
    FloatArray,
    IntArray,
    StaffingProblem,
    in_role_runs,
    no_edges,
    role_blocks,
)
from mts.staffing.relaxation import MAX_SLOTS, PROFIT_TOLERANCE, Arcs, Multipliers, fte_unit


def price(problem: StaffingProblem, arcs: Arcs, mult: Multipliers) -> Edges:
    """Left-out pairs that could enter someone's best knapsack at ``mult``.

    For every person and every (FTE, lead) class of roles, the ``capacity //
    fte`` pairs with the highest positive profit (one for leads): a best
    knapsack over all pairs only ever uses those, so once they are all
    candidates, the dual value over the candidates is the dual value over
    every pair, and so a bound on the whole problem.
    """
    def price_run(roles: IntArray) -> _Classes:
        classes = _Classes.of(arcs)
        for rows in role_blocks(roles, problem.n_people):
            classes.add(problem, mult, rows, problem.model.values(rows))
        return classes

    runs = in_role_runs(problem.n_roles, problem.settings.threads, price_run)
    found = _Classes.merged(runs).edges(problem.n_people)
    known = arcs.edges.role * problem.n_people + arcs.edges.person
    fresh = ~np.isin(found.role * problem.n_people + found.person, known)
    return found.subset(fresh)


@dataclass(eq=False)
class _Classes:
    """Per (FTE, lead) class of roles, each person's best-profit pairs so far."""

    of_role: IntArray
    best: list[BestPerPerson]

    @staticmethod
    def of(arcs: Arcs) -> _Classes:
        pr = arcs.problem
        weight = np.floor(pr.fte / fte_unit(pr) + 1e-6).astype(np.intp)
        keys, of_role = np.unique(weight * 2 + pr.is_lead, return_inverse=True)
        room = int(arcs.capacity.max(initial=0))
        depth = [1 if key % 2 else min(room // max(key // 2, 1), MAX_SLOTS) for key in keys]
        return _Classes(of_role.astype(np.intp),
                        [BestPerPerson.empty(max(d, 1), pr.n_people) for d in depth])

    @staticmethod
    def merged(runs: list[_Classes]) -> _Classes:
        """The classes kept over runs of consecutive roles, in role order, as one."""
        by_class = zip(*(run.best for run in runs), strict=True)
        return _Classes(runs[0].of_role, [BestPerPerson.merged(lists) for lists in by_class])

    def add(self, problem: StaffingProblem, mult: Multipliers, rows: IntArray,
            value: FloatArray) -> None:
        """Offer a block of roles (rows x people) to each person at its profit, in its class."""
        j = problem.role_project[rows]
        prices = (problem.fte[rows], mult.role[rows], mult.stretch[j],
                  np.ascontiguousarray(mult.link[j]))
        for k in np.unique(self.of_role[rows]).tolist():
            best = self.best[k]
            which = np.flatnonzero(self.of_role[rows] == k)
            kernels.offer_profits(value, which, rows, *prices, problem.uncertain,
                                  problem.department, best.score, best.role, best.value,
                                  best.floor)

    def edges(self, n_people: int) -> Edges:
        """Every kept pair with positive profit."""
        parts = [best.edges(above=PROFIT_TOLERANCE) for best in self.best]
        return Edges.union([no_edges(), *parts], n_people)


def pricing_fits(problem: StaffingProblem, started: float, share: float) -> bool:
    """Whether a pass over every pair still ends within ``share`` of the time limit."""
    if problem.all_listed:
        return False  # nothing to find
    left = started + share * problem.settings.time_limit - time.perf_counter()
    return pricing_seconds(problem) < left


def pricing_seconds(problem: StaffingProblem) -> float:
    """How long a pricing pass should take: it values every pair like building's scan but
    keeps far less (0.4 s against the scan's 1.0 s at 10,000 people x 6,000 roles; 25 s
    against 60 s at 100,000 x 60,000)."""
    return 0.5 * problem.scan_seconds
