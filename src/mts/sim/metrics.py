"""What the lab measures each quarter, and how runs are summed up per policy.

Value of a plan, in ability units, with the staffing engine's own weights::

    value = sum_seats fte_r (1 + lead_weight lead_r) sum_s w^_rs theta_ps - penalty * vacant FTE

with ``theta_ps`` the holder's *true* ability and ``w^`` the role's skill
weights normalised to 1: exactly the engine's objective when it is fed the
truth, so the oracle's plan maximises it (up to the solver's gap) over every
plan that respects head counts, FTE caps and one lead per person. Outcome
noise is left out: it is the same for every policy in expectation.

Regret is ``oracle value - value`` in the *same* world and quarter (the
oracle re-staffs that quarter's round with the truth), so it measures
decision quality, not luck in who was hired.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from mts.domain.people import PersonId, Skill
from mts.domain.projects import Role, RoleKind
from mts.merit.table import MeritTable
from mts.sim.world import BoolArray, FloatArray, IntArray

NEWCOMER_DAYS = 365
"""Newcomers: on staff for less than a year when the round is staffed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterMetrics:
    """One policy's quarter: its value and regret, merit's error, who led, who left.

    ``certificate`` is ``passed``, ``failed`` or ``not run``; ``seats_digest``
    fingerprints who holds which seat, so two histories can be compared exactly.
    """

    policy: str
    seed: int
    quarter: int
    people: int
    seats: int
    vacant: int
    leads: int
    value: float
    oracle_value: float
    oracle_bound: float | None
    regret: float
    regret_share: float
    merit_rmse: float
    merit_rank_corr: float
    newcomers: int
    newcomer_leads: int
    top_ability: int
    newcomer_top: int
    stretch_seats: int
    leavers: int
    hires: int
    certificate: str
    notes: tuple[str, ...]
    seats_digest: str


def role_weights(roles: Sequence[Role], skills: Sequence[Skill]) -> FloatArray:
    """Each role's skill weights over ``skills`` (columns), normalised to sum to 1."""
    column = {s: j for j, s in enumerate(skills)}
    weights = np.zeros((len(roles), len(skills)))
    for r, role in enumerate(roles):
        for need in role.needs:
            weights[r, column[need.skill]] += need.weight
    total = weights.sum(axis=1, keepdims=True)
    normalised: FloatArray = weights / np.where(total > 0, total, 1.0)
    return normalised


def plan_value(
    roles: Sequence[Role],
    weights: FloatArray,
    seat_person: IntArray,
    seat_role: IntArray,
    truth: FloatArray,
    general: FloatArray,
    *,
    lead_weight: float,
    vacancy_penalty: float,
) -> float:
    """The true value of seats ``(seat_person[i], seat_role[i])`` (rows of ``truth``).

    ``truth`` is people x skills; a role without skill needs is valued on ``general``.
    """
    fte = np.array([r.fte for r in roles])
    lead = np.array([r.kind is RoleKind.LEAD for r in roles], dtype=bool)
    headcount = np.array([r.headcount for r in roles])
    fit = np.einsum("ij,ij->i", weights[seat_role], truth[seat_person])
    no_needs = weights[seat_role].sum(axis=1) == 0
    fit[no_needs] = general[seat_person[no_needs]]
    filled = float(np.sum(fte[seat_role] * (1.0 + lead_weight * lead[seat_role]) * fit))
    vacant = float(fte @ headcount) - float(fte[seat_role].sum())
    return filled - vacancy_penalty * vacant


def merit_error(
    merit: MeritTable, people: Sequence[PersonId], general: FloatArray
) -> tuple[float, float]:
    """RMSE and rank correlation of estimated against true general ability over ``people``.

    The estimate is the posterior mean of ``g_p`` divided by the prior sd
    (the staffing engine's unit, about one sd of ability); the truth is
    centred on the people's mean, since merit measures against the
    organisation's average. Someone never seen is estimated at 0.
    """
    rows = [merit.person_index(p) for p in people]
    estimate = np.array(
        [0.0 if i is None else merit.general_mean[i] / merit.prior_sd for i in rows]
    )
    truth = general - general.mean()
    rmse = float(np.sqrt(np.mean((estimate - truth) ** 2)))
    return rmse, rank_correlation(estimate, truth)


def rank_correlation(a: FloatArray, b: FloatArray) -> float:
    """Spearman's rho (average ranks for ties are not needed: ties break by position)."""
    if a.size < 2:
        return 0.0
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(np.float64)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(np.float64)
    return float(np.corrcoef(ra, rb)[0, 1])


def top_share(general: FloatArray, newcomer: BoolArray, count: int) -> int:
    """How many of the ``count`` people with the highest true ability are newcomers."""
    if count <= 0:
        return 0
    top = np.argsort(-general, kind="stable")[:count]
    return int(newcomer[top].sum())


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySummary:
    """One policy over every run: sums of quarters, then shares of the sums.

    ``regret_share`` is total regret over total oracle value; ``by_quarter``
    gives it per quarter (1-based, summed over seeds).
    """

    policy: str
    runs: int
    quarters: int
    value: float
    oracle_value: float
    regret_share: float
    by_quarter: tuple[float, ...]
    merit_rmse: float
    merit_rank_corr: float
    newcomer_lead_share: float
    newcomer_top_share: float
    attrition: float
    certificates_passed: int
    certificates_failed: int
    quotas_dropped: int

    def regret_at(self, quarter: int) -> float | None:
        """The regret share in ``quarter`` (1-based), or None when the runs were shorter."""
        return self.by_quarter[quarter - 1] if 0 < quarter <= len(self.by_quarter) else None


def summarise(policy: str, rows: Iterable[QuarterMetrics]) -> PolicySummary:
    """Sum one policy's quarters over every seed."""
    mine = [m for m in rows if m.policy == policy]
    quarters = max((m.quarter for m in mine), default=0)
    last = [m for m in mine if m.quarter == quarters]
    return PolicySummary(
        policy=policy,
        runs=len({m.seed for m in mine}),
        quarters=quarters,
        value=mean_of(m.value for m in mine),
        oracle_value=mean_of(m.oracle_value for m in mine),
        regret_share=ratio(mine, "regret", "oracle_value"),
        by_quarter=tuple(
            ratio([m for m in mine if m.quarter == q], "regret", "oracle_value")
            for q in range(1, quarters + 1)
        ),
        merit_rmse=mean_of(m.merit_rmse for m in last),
        merit_rank_corr=mean_of(m.merit_rank_corr for m in last),
        newcomer_lead_share=ratio(mine, "newcomer_leads", "leads"),
        newcomer_top_share=ratio(mine, "newcomer_top", "top_ability"),
        attrition=ratio(mine, "leavers", "people"),
        certificates_passed=sum(m.certificate == "passed" for m in mine),
        certificates_failed=sum(m.certificate == "failed" for m in mine),
        quotas_dropped=sum(any("stretch quotas dropped" in n for n in m.notes) for m in mine),
    )


def mean_of(values: Iterable[float]) -> float:
    """The mean, or NaN for no values."""
    items = list(values)
    return float(np.mean(items)) if items else float("nan")


def ratio(rows: Sequence[QuarterMetrics], top: str, bottom: str) -> float:
    """``sum(top) / sum(bottom)`` over ``rows`` (field names), or NaN when the bottom is 0."""
    denominator = sum(float(getattr(m, bottom)) for m in rows)
    numerator = sum(float(getattr(m, top)) for m in rows)
    return numerator / denominator if denominator else float("nan")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One of the issue's targets: what was measured against what was asked."""

    name: str
    measured: str
    goal: str
    met: bool | None


def targets(summaries: Sequence[PolicySummary], *, at_quarter: int = 4) -> tuple[Target, ...]:
    """The regret and newcomer targets, judged on ``merit+explore`` (None: not measured)."""
    by = {s.policy: s for s in summaries}
    explore, gated = by.get("merit+explore"), by.get("level-gated")
    regret = explore.regret_at(at_quarter) if explore else None
    beside = gated.regret_at(at_quarter) if gated else None
    measured = "not run" if regret is None else f"{regret:.1%}"
    if beside is not None:
        measured += f" (level-gated {beside:.1%})"
    out = [
        Target(
            name=f"merit+explore regret in quarter {at_quarter}",
            measured=measured,
            goal="<= 3.0% of the oracle's value",
            met=None if regret is None else round(regret, 9) <= 0.03,
        )
    ]
    if explore is not None:
        gap = explore.newcomer_lead_share - explore.newcomer_top_share
        out.append(
            Target(
                name="merit+explore newcomers' share of leads vs of true top ability",
                measured=f"{explore.newcomer_lead_share:.1%} vs {explore.newcomer_top_share:.1%} "
                f"({gap * 100:+.1f} points)",
                goal="within 5 points",
                met=bool(round(abs(gap), 9) <= 0.05) if np.isfinite(gap) else None,
            )
        )
    return tuple(out)
