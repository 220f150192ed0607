"""The four staffing policies the lab compares, each a decision from a round's inputs to seats.

Every policy is called like ``services.pipeline.decide``: it receives the
round's inputs *and* the organisation's protected profiles, so that the
invariance certificate can reshuffle the profiles and rerun it. Only
``level-gated`` reads them.

* ``level-gated``: the big-company baseline. Leads first, each to the
  highest-level person free to lead; then member seats by level, then by
  estimated skill fit (the merit table's posterior means). FTE caps and one
  lead per person hold, as for every policy.
* ``merit``: the staffing engine (``solve_round``) without exploration.
* ``merit+explore``: the engine with UCB or Thompson exploration and stretch
  quotas (seats reserved for people with little evidence).
* ``oracle``: the engine fed the *true* abilities instead of the merit
  table, with no exploration and no quotas: the best plan any policy could
  make under the same head counts, FTE caps and one-lead rule.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from mts.audit.invariance import SeatMap
from mts.domain.errors import Infeasible
from mts.domain.people import PersonId, Skill
from mts.domain.projects import Project, ProjectRules, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Exploration
from mts.merit.table import GENERAL, MeritTable
from mts.sim.assumptions import LabSettings
from mts.sim.world import BoolArray, FloatArray
from mts.staffing import Plan, StaffingRequest, StaffingSettings, solve_round
from mts.staffing.problem import FTE_TOLERANCE

_TINY_SD = 1e-9
_KNOWN = 1e9  # effective evidence of a true ability: nobody is "uncertain" to the oracle


class Policy(enum.StrEnum):
    """The staffing policies the lab can run."""

    LEVEL_GATED = "level-gated"
    MERIT = "merit"
    EXPLORE = "merit+explore"
    ORACLE = "oracle"


@dataclass(frozen=True, kw_only=True)
class RoundInputs:
    """What a round reads besides protected attributes: the engine's request, and the truth.

    ``truth`` is a merit table holding the true abilities of the candidates
    (sd ~0, prior sd 1, so values are in ability units); only the oracle reads it.
    """

    request: StaffingRequest
    truth: MeritTable
    seed: int


Levels = tuple[tuple[PersonId, int], ...]


def decide(
    policy: Policy,
    inputs: RoundInputs,
    profiles: Sequence[ProtectedProfile],
    settings: LabSettings,
) -> Plan | SeatMap:
    """The seats ``policy`` gives for ``inputs``, with ``profiles`` as the protected attributes.

    Two halves: ``engine_input`` reads the profiles, ``run_engine`` decides without them; so
    the certificate can compare the first half across shuffles and skip re-solving when it
    did not change (``certify(engine_input=...)``).
    """
    return run_engine(policy, inputs, engine_input(policy, profiles), settings)


def engine_input(policy: Policy, profiles: Sequence[ProtectedProfile]) -> Levels | None:
    """What ``policy`` decides from besides the round's inputs: levels for level-gated, and
    nothing for the rest, which never read a protected attribute."""
    if policy is Policy.LEVEL_GATED:
        return tuple((p.person, p.level or 0) for p in profiles)
    return None


def run_engine(
    policy: Policy, inputs: RoundInputs, levels: Levels | None, settings: LabSettings
) -> Plan | SeatMap:
    """The seats ``policy`` gives for ``inputs``, with ``levels`` where it reads them."""
    if policy is Policy.LEVEL_GATED:
        return level_gated(inputs.request, dict(levels or ()))
    if policy is Policy.MERIT:
        return solve_round(inputs.request, engine_settings(settings, Exploration.NONE, 0))
    if policy is Policy.EXPLORE:
        return explore(inputs, settings)
    return oracle(inputs, settings)


def engine_settings(
    settings: LabSettings, exploration: Exploration, seed: int, *, gap: float | None = None
) -> StaffingSettings:
    """The staffing engine's settings for a lab round (no stated interest in the lab)."""
    return StaffingSettings(
        exploration=exploration,
        kappa=settings.kappa,
        lead_weight=settings.lead_weight,
        interest_bonus=0.0,
        uncertain_below_evidence=settings.uncertain_below_evidence,
        seed=seed,
        time_limit=settings.time_limit,
        mip_gap=settings.mip_gap if gap is None else gap,
    )


def oracle(inputs: RoundInputs, settings: LabSettings) -> Plan:
    """The engine on true abilities, without exploration, quotas or stated interest."""
    request = replace(
        inputs.request,
        merit=inputs.truth,
        projects=tuple(replace(p, rules=ProjectRules()) for p in inputs.request.projects),
    )
    staffing = engine_settings(settings, Exploration.NONE, 0, gap=settings.oracle_mip_gap)
    return solve_round(request, staffing)


def explore(inputs: RoundInputs, settings: LabSettings) -> Plan:
    """The engine with exploration and stretch quotas; without the quotas if they cannot hold."""
    staffing = engine_settings(settings, settings.exploration, inputs.seed)
    quota = with_stretch_quotas(inputs.request, settings)
    if quota is inputs.request:
        return solve_round(quota, staffing)
    try:
        return solve_round(quota, staffing)
    except Infeasible as error:
        plan = solve_round(inputs.request, staffing)
        return replace(plan, notes=(*plan.notes, f"stretch quotas dropped: {error.message}"))


def with_stretch_quotas(request: StaffingRequest, settings: LabSettings) -> StaffingRequest:
    """``request`` with ``stretch_seats`` reserved in projects of at least ``stretch_min_seats``
    seats, in project order, while there are people with little evidence and room to take them."""
    if settings.stretch_seats == 0:
        return request
    ids = [c.person for c in request.candidates]
    uncertain = request.merit.uncertain(ids, below_evidence=settings.uncertain_below_evidence)
    room = np.array([c.fte_available for c in request.candidates])
    budget = int(np.sum(uncertain & (room >= 0.5 - FTE_TOLERANCE)))
    seats: dict[str, int] = {}
    for role in request.roles:
        seats[role.project] = seats.get(role.project, 0) + role.headcount
    projects: list[Project] = []
    for project in sorted(request.projects, key=lambda p: p.id):
        if (
            seats.get(project.id, 0) >= settings.stretch_min_seats
            and budget >= settings.stretch_seats
        ):
            budget -= settings.stretch_seats
            rules = replace(project.rules, min_stretch_seats=settings.stretch_seats)
            project = replace(project, rules=rules)
        projects.append(project)
    return replace(request, projects=tuple(projects))


def level_gated(request: StaffingRequest, levels: Mapping[PersonId, int]) -> SeatMap:
    """Leads to the highest levels, then member seats by level and estimated skill fit.

    Ties within a level go to the higher posterior mean fit, then to the
    lower person id. Roles are taken in id order, all leads before any
    member seat; a person takes a seat only within their FTE cap, and leads
    at most one project (counting leads already held).
    """
    candidates = sorted(request.candidates, key=lambda c: c.person)
    ids = [c.person for c in candidates]
    level = np.array([levels.get(p, 0) for p in ids], dtype=np.float64)
    room = np.array([c.fte_available for c in candidates])
    leading = np.array([bool(c.leads) for c in candidates], dtype=bool)
    roles = sorted(request.roles, key=lambda r: (r.kind is not RoleKind.LEAD, r.id))
    fit = estimated_fit(request.merit, ids, roles)
    seats: dict[tuple[RoleId, int], PersonId] = {}
    for r, role in enumerate(roles):
        free = room >= role.fte - FTE_TOLERANCE
        if role.kind is RoleKind.LEAD:
            free &= ~leading
        order = np.lexsort((np.arange(len(ids)), -fit[r], -level))
        chosen = order[free[order]][: role.headcount]
        for k, p in enumerate(chosen.tolist()):
            seats[(role.id, k)] = ids[p]
            room[p] -= role.fte
            leading[p] |= role.kind is RoleKind.LEAD
    return seats


def estimated_fit(
    merit: MeritTable, people: Sequence[PersonId], roles: Sequence[Role]
) -> FloatArray:
    """Posterior mean fit ``sum_s w_rs m_ps / sum_s w_rs`` of each person (columns) for each role.

    A skill the table has no column for falls back to the person's general
    mean; someone the table has never seen has mean 0 everywhere.
    """
    skills = sorted({n.skill for r in roles for n in r.needs})
    theta = posterior_means(merit, people, skills)
    column = {s: j for j, s in enumerate(skills)}
    weights = np.zeros((len(roles), len(skills)))
    for r, role in enumerate(roles):
        for need in role.needs:
            weights[r, column[need.skill]] += need.weight
    total = weights.sum(axis=1, keepdims=True)
    general = posterior_means(merit, people, [GENERAL])[:, 0]
    fit: FloatArray = (weights / np.where(total > 0, total, 1.0)) @ theta.T
    fit[total[:, 0] == 0] = general
    return fit


def posterior_means(
    merit: MeritTable, people: Sequence[PersonId], skills: Sequence[Skill]
) -> FloatArray:
    """Posterior means of ``theta_ps`` (``g_p`` for ``GENERAL``), people x skills."""
    rows = [merit.person_index(p) for p in people]
    known: BoolArray = np.array([i is not None for i in rows], dtype=bool)
    at = np.array([i for i in rows if i is not None], dtype=np.intp)
    out = np.zeros((len(people), len(skills)))
    general = merit.general_mean[at]
    for j, skill in enumerate(skills):
        column = None if skill == GENERAL else merit.skill_index(skill)
        out[known, j] = general if column is None else merit.mean[at, column]
    return out


def truth_table(
    people: Sequence[PersonId],
    skills: Sequence[Skill],
    truth: FloatArray,
    general: FloatArray,
) -> MeritTable:
    """A merit table that *is* the truth: means are true abilities, sds ~0, prior sd 1."""
    n, s = truth.shape
    return MeritTable(
        people=tuple(people),
        skills=tuple(skills),
        mean=truth,
        sd=np.full((n, s), _TINY_SD),
        n_effective=np.full((n, s), _KNOWN),
        general_mean=general,
        general_sd=np.full(n, _TINY_SD),
        general_n_effective=np.full(n, _KNOWN),
        prior_sd=1.0,
        skill_prior_sd=_TINY_SD,
    )
