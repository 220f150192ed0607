"""Domain values in, matrices out: the one place staffing does index bookkeeping.

A round is described by a ``StaffingRequest`` (roles, candidates, the merit
table, interests, groundwork, pins, forbids) and tuned by
``StaffingSettings``. ``build_problem`` validates it, values every eligible
(person, role) pair, decides groundwork continuity and prunes the pairs to a
candidate set the solver can handle.

Value of person ``p`` in role ``r`` (in units of the organisation's prior sd
``sigma0``, so that every setting is scale-free)::

    value_pr = (1 + lambda * lead_r) * (fit_pr + explore_pr) + bonus_pr
    fit_pr   = sum_s w_rs * m_ps / (sigma0 * sum_s w_rs)          (posterior mean skill fit)
    var_pr   = (gsd_p^2 + sum_s w^_rs^2 * max(sd_ps^2 - gsd_p^2, 0)) / sigma0^2
    explore  = kappa * sqrt(var_pr)                                (ucb)
             = sum_s w^_rs * (theta~_ps - m_ps) / sigma0            (thompson, one seeded draw)
             = 0                                                    (none)
    bonus_pr = beta / rank                                          (stated interest)

with ``theta_ps = g_p + d_ps`` from the merit table, ``w^ = w / sum w`` and
``theta~_ps = m_ps + gsd_p * z_p + sqrt(max(sd_ps^2 - gsd_p^2, 0)) * z_ps``:
the general part ``g_p`` is shared by every skill of a person, the
skill-specific parts are treated as independent. A role with no skill needs
is valued on general execution ``g_p``.
"""

from __future__ import annotations

import enum
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from mts.domain.errors import Infeasible, InvalidInput
from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import Groundwork, Interest, Project, ProjectId, Role, RoleId, RoleKind
from mts.domain.staffing import Exploration
from mts.merit.table import GENERAL, MeritTable
from mts.staffing import kernels
from mts.staffing.plan import (
    GroundworkDecision,
    GroundworkOutcome,
    PinSource,
    SkillFit,
    ValueBreakdown,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_T = TypeVar("_T")

FTE_TOLERANCE = 1e-9
_BLOCK_CELLS = 2_000_000  # values per block while scanning every pair: ~16 MB per temporary
_PAIR_CHUNK = 200_000
_DEPARTMENT_KEEP = 2  # best candidates kept per department for roles under a department rule


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffingSettings:
    """How a round values people and how hard the solver works.

    Values are in prior-sd units: ``interest_bonus=0.2`` is a fifth of the
    spread of execution across the organisation.
    """

    exploration: Exploration = Exploration.UCB
    kappa: float = 0.5
    lead_weight: float = 0.5
    interest_bonus: float = 0.2
    vacancy_penalty: float = 5.0
    uncertain_below_evidence: float = 2.0
    uncertain_sd_ratio: float | None = None
    groundwork_margin: float = 0.5
    top_k: int = 20
    top_k_person: int = 24
    seed: int = 0
    time_limit: float = 30.0
    mip_gap: float = 1e-4
    pricing_rounds: int = 8
    lagrangian_iterations: int = 200
    repair_every: int = 20
    mip_max_pairs: int = 50_000
    lp_max_pairs: int = 1_000_000
    threads: int = 2

    def problems(self) -> list[str]:
        """Every setting out of range, as readable sentences."""
        checks = [
            (self.kappa >= 0, f"kappa must be >= 0, got {self.kappa}"),
            (self.lead_weight > -1, f"lead_weight must be > -1, got {self.lead_weight}"),
            (self.interest_bonus >= 0, f"interest_bonus must be >= 0, got {self.interest_bonus}"),
            (self.vacancy_penalty > 0, f"vacancy_penalty must be > 0, got {self.vacancy_penalty}"),
            (self.groundwork_margin >= 0, "groundwork_margin must be >= 0"),
            (self.top_k >= 1, f"top_k must be >= 1, got {self.top_k}"),
            (self.top_k_person >= 0, f"top_k_person must be >= 0, got {self.top_k_person}"),
            (self.time_limit > 0, f"time_limit must be > 0, got {self.time_limit}"),
            (0 <= self.mip_gap < 1, f"mip_gap must be in [0, 1), got {self.mip_gap}"),
            (self.pricing_rounds >= 1, "pricing_rounds must be >= 1"),
            (self.lagrangian_iterations >= 1, "lagrangian_iterations must be >= 1"),
            (self.repair_every >= 1, "repair_every must be >= 1"),
            (self.mip_max_pairs >= 0, "mip_max_pairs must be >= 0"),
            (self.lp_max_pairs >= 0, "lp_max_pairs must be >= 0"),
            (self.threads >= 1, f"threads must be >= 1, got {self.threads}"),
        ]
        return [message for ok, message in checks if not ok]


@dataclass(frozen=True, slots=True, kw_only=True)
class Commitment:
    """An allocation a person already holds outside this round."""

    project: ProjectId
    fte: float
    role: RoleId | None = None
    lead: bool = False
    title: str = ""

    def describe(self) -> str:
        """``already on X at 0.8`` or ``already leads X``, for explanations."""
        name = self.title or self.project
        return f"already leads {name}" if self.lead else f"already on {name} at {self.fte:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A person who may be staffed this round, with what they already hold."""

    person: PersonId
    department: DepartmentId
    fte_cap: float = 1.0
    commitments: tuple[Commitment, ...] = ()

    @property
    def fte_available(self) -> float:
        """The cap minus the allocations already held, never below 0."""
        return max(0.0, self.fte_cap - sum(c.fte for c in self.commitments))

    @property
    def leads(self) -> tuple[Commitment, ...]:
        """Lead roles already held; at most one lead per person."""
        return tuple(c for c in self.commitments if c.lead)

    def describe_commitments(self) -> str:
        """All commitments in one phrase, or ``no other commitments``."""
        return "; ".join(c.describe() for c in self.commitments) or "no other commitments"


@dataclass(frozen=True, slots=True, kw_only=True)
class Pin:
    """The council fixes ``person`` on a seat of ``role``."""

    person: PersonId
    role: RoleId
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Forbid:
    """The council keeps ``person`` off ``role``."""

    person: PersonId
    role: RoleId
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class StaffingRequest:
    """Everything a round needs: open roles and their projects, candidates, merit, wishes, rules."""

    roles: tuple[Role, ...]
    projects: tuple[Project, ...]
    candidates: tuple[Candidate, ...]
    merit: MeritTable
    interests: tuple[Interest, ...] = ()
    groundwork: tuple[Groundwork, ...] = ()
    pins: tuple[Pin, ...] = ()
    forbids: tuple[Forbid, ...] = ()


class RuleKind(enum.StrEnum):
    """Rules the diagnosis may relax; FTE caps, head counts and one-lead stay hard."""

    PIN = "pin"
    GROUNDWORK = "groundwork"
    DEPARTMENTS = "departments"
    STRETCH = "stretch"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One relaxable rule: a pinned pair (``index`` into the pins) or a project rule."""

    kind: RuleKind
    index: int
    label: str


@dataclass(frozen=True, eq=False)
class Edges:
    """Candidate (person, role) pairs as parallel arrays, sorted by role then value."""

    person: IntArray
    role: IntArray
    value: FloatArray

    def __len__(self) -> int:
        return int(self.person.size)

    def subset(self, keep: BoolArray) -> Edges:
        """The pairs where ``keep`` is true, in the same order."""
        return Edges(self.person[keep], self.role[keep], self.value[keep])

    @staticmethod
    def union(parts: Sequence[Edges], n_people: int) -> Edges:
        """The pairs of every part once each, sorted by role, value (descending), person."""
        person = np.concatenate([p.person for p in parts]).astype(np.intp)
        role = np.concatenate([p.role for p in parts]).astype(np.intp)
        value = np.concatenate([p.value for p in parts])
        _, first = np.unique(role * n_people + person, return_index=True)
        order = first[np.lexsort((person[first], -value[first], role[first]))]
        return Edges(person[order], role[order], value[order])


@dataclass(frozen=True, eq=False, kw_only=True)
class ValueModel:
    """Posterior matrices over the skills roles need; values any block of pairs on demand.

    Columns are ``(GENERAL, *skills)``; ``weights`` rows sum to 1.
    """

    skills: tuple[Skill, ...]
    mean: FloatArray
    dvar: FloatArray
    gvar: FloatArray
    draw: FloatArray | None
    weights: FloatArray
    lead_factor: FloatArray
    interest: sparse.csr_matrix
    forbidden: sparse.csr_matrix
    capacity: FloatArray
    may_lead: BoolArray
    fte: FloatArray
    is_lead: BoolArray
    exploration: Exploration
    kappa: float
    _sparse: sparse.csr_matrix = field(init=False, repr=False)
    _columns: FloatArray = field(init=False, repr=False)
    _spread: FloatArray = field(init=False, repr=False)
    _drawn: FloatArray | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # roles need a few skills each: sparse weights against skill-major matrices make a
        # block of values cost (skills per role) x people, not (all skills) x people;
        # with exploration off, the kernel's UCB term is taken with kappa 0
        object.__setattr__(self, "_sparse", sparse.csr_matrix(self.weights))
        object.__setattr__(self, "_columns", np.ascontiguousarray(self.mean.T))
        object.__setattr__(self, "_spread", np.ascontiguousarray(self.dvar.T))
        drawn = None if self.draw is None else np.ascontiguousarray(self.draw.T)
        object.__setattr__(self, "_drawn", drawn)

    def values(self, rows: IntArray) -> FloatArray:
        """Values of every person (columns) in each role of ``rows``; -inf where ineligible."""
        w, drawn = self._sparse, self._drawn
        value = kernels.values_block(
            np.ascontiguousarray(rows, dtype=np.intp), w.indptr, w.indices, w.data,
            self._columns, self._spread if drawn is None else drawn, self.gvar,
            drawn is None, self.kappa if self.exploration is Exploration.UCB else 0.0,
            self.lead_factor, self.fte, self.is_lead, self.capacity, self.may_lead,
            FTE_TOLERANCE,
        )
        bonus = self.interest[rows].tocoo()
        value[bonus.row, bonus.col] += bonus.data
        banned = self.forbidden[rows].tocoo()
        value[banned.row, banned.col] = -np.inf
        return value

    def eligible(self, rows: IntArray) -> BoolArray:
        """Whether each person (columns) may take a seat of each role in ``rows``."""
        ok = self.capacity[None, :] >= self.fte[rows, None] - FTE_TOLERANCE
        for i in np.flatnonzero(self.is_lead[rows]).tolist():
            ok[i] &= self.may_lead
        banned = self.forbidden[rows].tocoo()
        ok[banned.row, banned.col] = False
        return ok

    def pair_values(self, person: IntArray, role: IntArray) -> FloatArray:
        """Values of the given pairs, ignoring eligibility (pins are checked elsewhere)."""
        fit, explore, interest = self._terms(person, role)
        out: FloatArray = self.lead_factor[role] * (fit + explore) + interest
        return out

    def _terms(self, person: IntArray, role: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Fit, exploration and interest of the given pairs, in chunks (each holds a row of
        skill weights per pair)."""
        fit, explore, interest = np.empty(person.size), np.empty(person.size), np.empty(person.size)
        for start in range(0, person.size, _PAIR_CHUNK):
            at = slice(start, start + _PAIR_CHUNK)
            p, r = person[at], role[at]
            w = self.weights[r]
            fit[at] = np.einsum("ij,ij->i", w, self.mean[p])
            explore[at] = self._explore(p, r, w)
            interest[at] = np.asarray(self.interest[r, p]).ravel()
        return fit, explore, interest

    def _explore(self, p: IntArray, r: IntArray, w: FloatArray) -> FloatArray:
        if self.exploration is Exploration.UCB:
            var: FloatArray = np.einsum("ij,ij->i", w * w, self.dvar[p]) + self.gvar[p]
            return self.kappa * np.sqrt(var)
        if self.draw is not None:
            drawn: FloatArray = np.einsum("ij,ij->i", w, self.draw[p])
            return drawn
        return np.zeros(p.size)

    def breakdown(self, person: int, role: int) -> ValueBreakdown:
        """The value of one pair, term by term."""
        return self.breakdowns(np.array([person]), np.array([role]))[0]

    def breakdowns(self, person: IntArray, role: IntArray) -> list[ValueBreakdown]:
        """The values of the given pairs, term by term, in one pass (a round's explanations
        ask for every seat: one pair at a time took 1.5 s at 10,000 people, this 0.16 s)."""
        fit, explore, interest = self._terms(person, role)
        lead = (self.lead_factor[role] - 1.0) * (fit + explore)
        total = fit + explore + lead + interest
        return [
            ValueBreakdown(fit=a, fit_by_skill=self._skill_fits(p, r), exploration=b, lead=c,
                           interest=d, total=e)
            for p, r, a, b, c, d, e in zip(person.tolist(), role.tolist(), fit.tolist(),
                                           explore.tolist(), lead.tolist(), interest.tolist(),
                                           total.tolist(), strict=True)
        ]

    def _skill_fits(self, person: int, role: int) -> tuple[SkillFit, ...]:
        """Each skill the role needs, with the person's mean in it, in skill order."""
        w = self._sparse
        at = slice(w.indptr[role], w.indptr[role + 1])
        mean = self.mean[person, w.indices[at]].tolist()
        return tuple(
            SkillFit(skill=self.skills[j], weight=weight, mean=m, contribution=weight * m)
            for j, weight, m in zip(w.indices[at].tolist(), w.data[at].tolist(), mean, strict=True)
        )


@dataclass(frozen=True, eq=False, kw_only=True)
class StaffingProblem:
    """A round as arrays: people (sorted by id), roles (sorted by id), projects, pairs, pins.

    ``edges`` is the pruned candidate set; ``left_out_best[r]`` is the best
    value of an eligible person left out of role ``r`` (-inf if none).
    """

    people: tuple[PersonId, ...]
    candidates: tuple[Candidate, ...]
    departments: tuple[DepartmentId, ...]
    department: IntArray
    capacity: FloatArray
    may_lead: BoolArray
    uncertain: BoolArray
    roles: tuple[Role, ...]
    projects: tuple[Project, ...]
    role_project: IntArray
    headcount: IntArray
    fte: FloatArray
    is_lead: BoolArray
    min_departments: IntArray
    min_stretch: IntArray
    model: ValueModel
    edges: Edges
    left_out_best: FloatArray
    best_value: FloatArray
    best_person: IntArray
    pin_person: IntArray
    pin_role: IntArray
    pin_source: tuple[PinSource, ...]
    pin_reason: tuple[str, ...]
    rules: tuple[Rule, ...]
    groundwork: tuple[GroundworkDecision, ...]
    settings: StaffingSettings
    scan_seconds: float = 0.0
    _role_index: dict[RoleId, int] = field(init=False, repr=False)
    _project_roles: list[IntArray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_role_index", {r.id: i for i, r in enumerate(self.roles)})
        order = np.argsort(self.role_project, kind="stable")
        cuts = np.searchsorted(self.role_project[order], np.arange(1, len(self.projects)))
        object.__setattr__(self, "_project_roles", np.split(order.astype(np.intp), cuts))

    @property
    def n_people(self) -> int:
        """How many candidates the round has."""
        return len(self.people)

    @property
    def n_roles(self) -> int:
        """How many open roles the round has."""
        return len(self.roles)

    @property
    def all_listed(self) -> bool:
        """Whether every eligible pair is a candidate already (nothing left out to price)."""
        return not np.isfinite(self.left_out_best).any()

    def role_index(self, role: RoleId) -> int:
        """The row of ``role``."""
        return self._role_index[role]

    def project_roles(self, project: int) -> IntArray:
        """The role rows of project ``project``."""
        return self._project_roles[project]

    def commitments_of(self, person: int) -> str:
        """What ``person`` already holds, as a phrase for explanations."""
        return self.candidates[person].describe_commitments()

    def ineligibility(self, person: int, role: int) -> str | None:
        """Why ``person`` may not take ``role`` at all, or None if they may."""
        candidate = self.candidates[person]
        if self.capacity[person] < self.fte[role] - FTE_TOLERANCE:
            return (
                f"FTE cap: {candidate.describe_commitments()}; "
                f"{self.capacity[person]:g} free < {self.fte[role]:g} needed"
            )
        if self.is_lead[role] and not self.may_lead[person]:
            return candidate.leads[0].describe()
        if self.model.forbidden[role, person]:
            return "kept off this role by the council"
        return None

    def value_blocks(self, roles: IntArray) -> Iterator[tuple[IntArray, FloatArray]]:
        """Blocks of ``roles`` with every person's value (-inf where ineligible).

        With more than one thread, the next block is valued on another while
        the caller works through this one (the greedy's fill from everyone
        values every short role for everyone).
        """
        blocks = list(role_blocks(roles, self.n_people))
        if self.settings.threads == 1 or len(blocks) < 2:
            yield from ((rows, self.model.values(rows)) for rows in blocks)
            return
        with ThreadPoolExecutor(1) as pool:
            ahead = pool.submit(self.model.values, blocks[0])
            for rows, after in zip(blocks, [*blocks[1:], None], strict=True):
                value = ahead.result()
                if after is not None:
                    ahead = pool.submit(self.model.values, after)
                yield rows, value

    def select_candidates(
        self, roles: IntArray, k: int, people: BoolArray | None = None
    ) -> Edges:
        """The pruning rule (see ``_select``) applied to ``roles`` with ``k`` per role.

        ``people`` restricts the choice to some people, e.g. those with room left.
        """
        parts = [no_edges()]
        for rows, value in self.value_blocks(roles):
            if people is not None:
                value[:, ~people] = -np.inf
            projects = self.role_project[rows]
            r, p = _select(
                value,
                k,
                uncertain=self.uncertain,
                stretch=self.min_stretch[projects] > 0,
                department=self.department,
                n_departments=len(self.departments),
                ruled=self.min_departments[projects] > 0,
            )
            parts.append(Edges(p.astype(np.intp), rows[r], value[r, p]))
        return Edges.union(parts, self.n_people)


def build_problem(request: StaffingRequest, settings: StaffingSettings) -> StaffingProblem:
    """Validate ``request``, value its pairs, decide groundwork and prune to candidates.

    Raises ``InvalidInput`` for malformed requests and ``Infeasible`` when the
    pins, or a project's rules, cannot hold whatever the solver does.
    """
    _validate(request, settings)
    index = _Index.of(request, settings)
    model = _value_model(request, index, settings)
    pins = _pins(request, index, model)
    started = time.perf_counter()  # measured, never decides anything but how to spend time
    scan = _scan(index, model, settings)
    scan_seconds = time.perf_counter() - started
    if index.people:  # with nobody at all there is nothing to staff, and nothing to diagnose
        _check_rules(index, scan)
    decisions, gw_pins = _decide_groundwork(request, index, model, pins, scan, settings)
    all_pins = pins + gw_pins
    pin_edges = _pairs(model, [(p, r) for p, r, _, _ in all_pins])
    edges = Edges.union([scan.edges, pin_edges], len(index.people))
    return StaffingProblem(
        people=index.people,
        candidates=index.candidates,
        departments=index.departments,
        department=index.department,
        capacity=model.capacity,
        may_lead=model.may_lead,
        uncertain=index.uncertain,
        roles=index.roles,
        projects=index.projects,
        role_project=index.role_project,
        headcount=index.headcount,
        fte=model.fte,
        is_lead=model.is_lead,
        min_departments=index.min_departments,
        min_stretch=index.min_stretch,
        model=model,
        edges=edges,
        left_out_best=scan.left_out_best,
        best_value=scan.best_value,
        best_person=scan.best_person,
        pin_person=np.array([p for p, _, _, _ in all_pins], dtype=np.intp),
        pin_role=np.array([r for _, r, _, _ in all_pins], dtype=np.intp),
        pin_source=tuple(s for _, _, s, _ in all_pins),
        pin_reason=tuple(t for _, _, _, t in all_pins),
        rules=_rules(index, all_pins),
        groundwork=decisions,
        settings=settings,
        scan_seconds=scan_seconds,
    )


def no_edges() -> Edges:
    """An empty set of pairs."""
    return Edges(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0))


def role_blocks(roles: IntArray, n_people: int) -> Iterator[IntArray]:
    """``roles`` in blocks small enough that a block's values for everyone stay ~16 MB."""
    block = max(1, _BLOCK_CELLS // max(n_people, 1))
    for start in range(0, roles.size, block):
        yield roles[start : start + block]


def in_role_runs(n_roles: int, threads: int, work: Callable[[IntArray], _T]) -> list[_T]:
    """``work`` on ``threads`` runs of consecutive roles at once; its results in role order.

    The passes over every pair (building's scan, pricing) spend their time
    in compiled kernels that release the GIL, so runs proceed on separate
    cores: 1.5x faster on two at 10,000 people, 1.75x at 30,000. Each run
    keeps its own lists, merged in role order (``BestPerPerson.merged``),
    so the result does not depend on ``threads``.
    """
    runs = np.array_split(np.arange(n_roles, dtype=np.intp), max(1, min(threads, n_roles)))
    if len(runs) == 1:
        return [work(runs[0])]
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(work, runs))


def _pairs(model: ValueModel, pairs: Sequence[tuple[int, int]]) -> Edges:
    person = np.array([p for p, _ in pairs], dtype=np.intp)
    role = np.array([r for _, r in pairs], dtype=np.intp)
    return Edges(person, role, model.pair_values(person, role))


# -- validation ---------------------------------------------------------------------------


def _validate(request: StaffingRequest, settings: StaffingSettings) -> None:
    problems = settings.problems()
    problems += _duplicates("person", [c.person for c in request.candidates])
    problems += _duplicates("role", [r.id for r in request.roles])
    problems += _duplicates("project", [p.id for p in request.projects])
    projects = {p.id for p in request.projects}
    for role in request.roles:
        problems += _role_problems(role, projects)
    for project in request.projects:
        if project.rules.min_departments < 0 or project.rules.min_stretch_seats < 0:
            problems.append(f"project {project.id}: rules must be >= 0")
    for candidate in request.candidates:
        if candidate.fte_cap < 0 or any(c.fte < 0 for c in candidate.commitments):
            problems.append(f"person {candidate.person}: FTE must be >= 0")
    if request.merit.prior_sd <= 0:
        problems.append(f"merit table: prior_sd must be > 0, got {request.merit.prior_sd}")
    if problems:
        raise InvalidInput("invalid staffing request: " + "; ".join(problems))


def _duplicates(kind: str, ids: Iterable[str]) -> list[str]:
    counts = Counter(ids)
    return [f"{kind} {i} appears more than once" for i in sorted(counts) if counts[i] > 1]


def _role_problems(role: Role, projects: set[ProjectId]) -> list[str]:
    problems = []
    if role.project not in projects:
        problems.append(f"role {role.id}: project {role.project} is not in the request")
    if role.headcount < 1:
        problems.append(f"role {role.id}: headcount must be >= 1, got {role.headcount}")
    if not 0 < role.fte <= 1:
        problems.append(f"role {role.id}: fte must be in (0, 1], got {role.fte}")
    weights = [need.weight for need in role.needs]
    if any(w < 0 for w in weights) or (weights and sum(weights) <= 0):
        problems.append(f"role {role.id}: skill weights must be >= 0 and not all 0")
    return problems


# -- indexing -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class _Index:
    people: tuple[PersonId, ...]
    candidates: tuple[Candidate, ...]
    person: dict[PersonId, int]
    departments: tuple[DepartmentId, ...]
    department: IntArray
    uncertain: BoolArray
    roles: tuple[Role, ...]
    role: dict[RoleId, int]
    projects: tuple[Project, ...]
    project: dict[ProjectId, int]
    role_project: IntArray
    headcount: IntArray
    min_departments: IntArray
    min_stretch: IntArray

    @staticmethod
    def of(request: StaffingRequest, settings: StaffingSettings) -> _Index:
        candidates = tuple(sorted(request.candidates, key=lambda c: c.person))
        people = tuple(c.person for c in candidates)
        departments = tuple(sorted({c.department for c in candidates}))
        dept_index = {d: i for i, d in enumerate(departments)}
        roles = tuple(sorted(request.roles, key=lambda r: r.id))
        used = {r.project for r in roles}
        projects = tuple(sorted((p for p in request.projects if p.id in used), key=lambda p: p.id))
        project = {p.id: j for j, p in enumerate(projects)}
        return _Index(
            people=people,
            candidates=candidates,
            person={p: i for i, p in enumerate(people)},
            departments=departments,
            department=np.array([dept_index[c.department] for c in candidates], dtype=np.intp),
            uncertain=_uncertain(request.merit, people, settings),
            roles=roles,
            role={r.id: i for i, r in enumerate(roles)},
            projects=projects,
            project=project,
            role_project=np.array([project[r.project] for r in roles], dtype=np.intp),
            headcount=np.array([r.headcount for r in roles], dtype=np.intp),
            min_departments=np.array([p.rules.min_departments for p in projects], dtype=np.intp),
            min_stretch=np.array([p.rules.min_stretch_seats for p in projects], dtype=np.intp),
        )


def _uncertain(
    merit: MeritTable, people: Sequence[PersonId], settings: StaffingSettings
) -> BoolArray:
    """Little evidence, read from the merit table only: low ``n_effective`` or a wide sd."""
    rows = [merit.person_index(p) for p in people]
    known = np.array([i is not None for i in rows], dtype=bool)
    at = np.array([i for i in rows if i is not None], dtype=np.intp)
    evidence = np.zeros(len(people))
    evidence[known] = merit.general_n_effective[at]
    sd = np.full(len(people), merit.prior_sd)
    sd[known] = merit.general_sd[at]
    uncertain = evidence < settings.uncertain_below_evidence
    if settings.uncertain_sd_ratio is not None:
        uncertain |= sd >= settings.uncertain_sd_ratio * merit.prior_sd
    return uncertain


# -- values -------------------------------------------------------------------------------


def _value_model(
    request: StaffingRequest, index: _Index, settings: StaffingSettings
) -> ValueModel:
    skills = (GENERAL, *sorted({n.skill for r in index.roles for n in r.needs} - {GENERAL}))
    mean, sd2, gsd2 = _posterior(request.merit, index.people, skills)
    sigma2 = request.merit.prior_sd**2
    dvar = np.maximum(sd2 - gsd2[:, None], 0.0) / sigma2
    dvar[:, 0] = 0.0
    gvar = gsd2 / sigma2
    draw = None
    if settings.exploration is Exploration.THOMPSON:
        rng = np.random.default_rng(settings.seed)
        z_general = rng.standard_normal(len(index.people))
        z_skill = rng.standard_normal(mean.shape)
        draw = np.sqrt(gvar)[:, None] * z_general[:, None] + np.sqrt(dvar) * z_skill
    is_lead = np.array([r.kind is RoleKind.LEAD for r in index.roles], dtype=bool)
    return ValueModel(
        skills=skills,
        mean=mean / request.merit.prior_sd,
        dvar=dvar,
        gvar=gvar,
        draw=draw,
        weights=_weights(index.roles, skills),
        lead_factor=1.0 + settings.lead_weight * is_lead,
        interest=_interest_matrix(request.interests, index, settings.interest_bonus),
        forbidden=_forbidden_matrix(request, index),
        capacity=np.array([c.fte_available for c in index.candidates]),
        may_lead=np.array([not c.leads for c in index.candidates], dtype=bool),
        fte=np.array([r.fte for r in index.roles]),
        is_lead=is_lead,
        exploration=settings.exploration,
        kappa=settings.kappa,
    )


def _posterior(
    merit: MeritTable, people: Sequence[PersonId], skills: Sequence[Skill]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Posterior mean and variance of ``theta_ps`` (column 0: ``g_p``), and ``var g_p``."""
    rows = [merit.person_index(p) for p in people]
    known = np.array([i is not None for i in rows], dtype=bool)
    at = np.array([i for i in rows if i is not None], dtype=np.intp)
    n = len(people)
    gmean = np.zeros(n)
    gmean[known] = merit.general_mean[at]
    gsd2 = np.full(n, merit.prior_sd**2)
    gsd2[known] = merit.general_sd[at] ** 2
    unseen = merit.prior_sd**2 + merit.skill_prior_sd**2
    mean = np.zeros((n, len(skills)))
    sd2 = np.full((n, len(skills)), unseen)
    mean[:, 0], sd2[:, 0] = gmean, gsd2
    for j, skill in enumerate(skills[1:], start=1):
        column = merit.skill_index(skill)
        if column is None:
            mean[:, j] = gmean
            sd2[:, j] = gsd2 + merit.skill_prior_sd**2
        else:
            mean[known, j] = merit.mean[at, column]
            sd2[known, j] = merit.sd[at, column] ** 2
    return mean, sd2, gsd2


def _weights(roles: Sequence[Role], skills: Sequence[Skill]) -> FloatArray:
    column = {s: j for j, s in enumerate(skills)}
    weights = np.zeros((len(roles), len(skills)))
    for i, role in enumerate(roles):
        for need in role.needs:
            weights[i, column[need.skill]] += need.weight
        if not role.needs:
            weights[i, 0] = 1.0
    normalised: FloatArray = weights / weights.sum(axis=1, keepdims=True)
    return normalised


def _interest_matrix(
    interests: Iterable[Interest], index: _Index, bonus: float
) -> sparse.csr_matrix:
    """``beta / rank`` for every role a person stated interest in (the best rank wins)."""
    roles_of: dict[int, list[int]] = defaultdict(list)
    for r, j in enumerate(index.role_project):
        roles_of[int(j)].append(r)
    best: dict[tuple[int, int], float] = {}
    for interest in interests:
        p, j = index.person.get(interest.person), index.project.get(interest.project)
        if p is None or j is None:
            continue  # interest in something not staffed this round, or by someone not in it
        targets = roles_of[j] if interest.role is None else [index.role.get(interest.role, -1)]
        for r in targets:
            if r >= 0 and index.role_project[r] == j:
                best[(r, p)] = max(best.get((r, p), 0.0), bonus / max(interest.rank, 1))
    return _csr(best, index, float)


def _forbidden_matrix(request: StaffingRequest, index: _Index) -> sparse.csr_matrix:
    pairs = {
        (index.role[f.role], index.person[f.person]): True
        for f in request.forbids
        if f.role in index.role and f.person in index.person
    }
    return _csr(pairs, index, bool)


def _csr(
    entries: dict[tuple[int, int], float] | dict[tuple[int, int], bool],
    index: _Index,
    dtype: type,
) -> sparse.csr_matrix:
    rows = np.array([r for r, _ in entries], dtype=np.intp)
    cols = np.array([p for _, p in entries], dtype=np.intp)
    data: npt.NDArray[np.generic] = np.array(list(entries.values()), dtype=dtype)
    shape = (len(index.roles), len(index.people))
    return sparse.csr_matrix((data, (rows, cols)), shape=shape, dtype=dtype)


# -- pins ---------------------------------------------------------------------------------

_PinRow = tuple[int, int, PinSource, str]


def _pins(request: StaffingRequest, index: _Index, model: ValueModel) -> list[_PinRow]:
    """Council pins as index rows; ``Infeasible`` naming every pin that cannot hold."""
    conflicts: list[str] = []
    rows: dict[tuple[int, int], _PinRow] = {}
    for pin in request.pins:
        label = f"pin: {pin.person} on {pin.role}"
        p, r = index.person.get(pin.person), index.role.get(pin.role)
        if r is None:
            conflicts.append(f"{label}, but {pin.role} is not open in this round")
        elif p is None:
            conflicts.append(f"{label}, but {pin.person} is not available in this round")
        else:
            rows[(p, r)] = (p, r, PinSource.COUNCIL, pin.reason)
    for p, r, _, _ in rows.values():
        conflicts += _pin_pair_conflicts(index, model, p, r)
    conflicts += _pin_total_conflicts(index, model, list(rows.values()))
    if conflicts:
        raise Infeasible("the pins cannot all hold: " + "; ".join(conflicts), conflicts=conflicts)
    return sorted(rows.values())


def _pin_pair_conflicts(index: _Index, model: ValueModel, p: int, r: int) -> list[str]:
    label = f"pin: {index.people[p]} on {index.roles[r].id}"
    candidate = index.candidates[p]
    if model.forbidden[r, p]:
        return [label, f"forbid: {index.people[p]} on {index.roles[r].id}"]
    if model.capacity[p] < model.fte[r] - FTE_TOLERANCE:
        return [f"{label}, but the FTE cap leaves {model.capacity[p]:g} "
                f"({candidate.describe_commitments()})"]
    if model.is_lead[r] and not model.may_lead[p]:
        return [f"{label}, but {candidate.leads[0].describe()} (one lead per person)"]
    return []


def _pin_total_conflicts(index: _Index, model: ValueModel, rows: list[_PinRow]) -> list[str]:
    by_role: dict[int, list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    for p, r, _, _ in rows:
        by_role[r].append(p)
        by_person[p].append(r)
    conflicts = []
    for r, people in sorted(by_role.items()):
        if len(people) > index.headcount[r]:
            names = ", ".join(index.people[p] for p in people)
            conflicts.append(f"pins: {names} on {index.roles[r].id} exceed its head count "
                             f"{index.headcount[r]}")
    for p, roles in sorted(by_person.items()):
        names = ", ".join(index.roles[r].id for r in roles)
        if model.fte[roles].sum() > model.capacity[p] + FTE_TOLERANCE:
            conflicts.append(f"pins: {index.people[p]} on {names} need "
                             f"{model.fte[roles].sum():g} FTE, {model.capacity[p]:g} free")
        if model.is_lead[roles].sum() > 1:
            conflicts.append(f"pins: {index.people[p]} leads {names} (one lead per person)")
    return conflicts


# -- scanning every pair: pruning, bounds, best candidates ---------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class _Scan:
    edges: Edges
    left_out_best: FloatArray
    best_value: FloatArray
    best_person: IntArray
    departments_open: BoolArray  # (roles x departments): anyone eligible from there?
    uncertain_eligible: IntArray  # per role


def _scan(index: _Index, model: ValueModel, settings: StaffingSettings) -> _Scan:
    """One pass over every (person, role) pair, a block of roles at a time.

    Keeps each role's best candidates (see ``_select``) and each person's
    ``top_k_person`` roles where they stand out most against the role's
    field (value z-scored within the role): when one general factor drives
    everyone's value, the per-role lists all name the same few people, and
    the per-person lists are what give every seat realistic candidates.
    Runs of roles are scanned on ``settings.threads`` threads (``in_role_runs``).
    """
    n_roles, n_people = len(index.roles), len(index.people)
    out = _ScanBuffers.empty(n_roles, len(index.departments))
    spread = _Spread.of(settings.seed, n_roles, n_people, np.sqrt(model.gvar))

    def scan_run(roles: IntArray) -> _Kept:
        kept = _Kept.empty(settings.top_k_person, n_people)
        for rows in role_blocks(roles, n_people):
            _scan_block(index, model, settings, rows, out, kept, spread)
        return kept

    return out.result(in_role_runs(n_roles, settings.threads, scan_run), n_people)


@dataclass(frozen=True, eq=False)
class _Spread:
    """Seeded tie-breaking for the candidate lists, so equals do not all crowd the same roles.

    ``f = frac(a_r + b_p)`` orders people differently in every role (a
    rotation of one seeded order), which spreads, say, newcomers with
    identical posteriors over the roles instead of listing the same few
    everywhere. Roles rank people by ``value + 1e-6 f`` (ties only); people
    rank roles by ``z + 0.5 sd_p f``, more loosely the less we know about them.
    ``kernels.scan_block`` computes ``f`` pair by pair from these shifts.
    """

    role_shift: FloatArray
    person_shift: FloatArray
    looseness: FloatArray

    @staticmethod
    def of(seed: int, n_roles: int, n_people: int, sd: FloatArray) -> _Spread:
        rng = np.random.default_rng([seed, 7919])
        return _Spread(rng.random(n_roles), rng.random(n_people), 0.5 * np.minimum(sd, 1.0))


@dataclass(eq=False)
class BestPerPerson:
    """Each person's ``depth`` best-scoring roles seen so far, as (people x depth) arrays.

    The compiled scan and pricing (``kernels``) offer roles one after another;
    a role enters a person's list only if it beats the lowest score kept there
    (``floor``), so once the first roles are in, the rest cost one comparison
    per pair.
    """

    score: FloatArray
    role: IntArray
    value: FloatArray
    floor: FloatArray

    @staticmethod
    def empty(depth: int, n_people: int) -> BestPerPerson:
        shape = (n_people, depth)
        floor = np.full(n_people, np.inf if depth == 0 else -np.inf)
        return BestPerPerson(np.full(shape, -np.inf), np.full(shape, -1, dtype=np.intp),
                             np.zeros(shape), floor)

    @staticmethod
    def merged(runs: Sequence[BestPerPerson]) -> BestPerPerson:
        """The lists kept over runs of consecutive roles, in role order, as one list.

        Each holds the best of its run by score, ties to the earlier role
        (``kernels._offer``), so the best of them all, in that order, is what
        one list offered every role would hold.
        """
        if len(runs) == 1:
            return runs[0]
        score = np.concatenate([run.score for run in runs], axis=1)
        role = np.concatenate([run.role for run in runs], axis=1)
        value = np.concatenate([run.value for run in runs], axis=1)
        depth = runs[0].score.shape[1]
        best = np.lexsort((role, -score), axis=1)[:, :depth]
        score = np.take_along_axis(score, best, axis=1)
        floor = score.min(axis=1) if depth else runs[0].floor
        return BestPerPerson(score, np.take_along_axis(role, best, axis=1),
                             np.take_along_axis(value, best, axis=1), floor)

    def edges(self, above: float = -np.inf) -> Edges:
        """Every kept pair scoring above ``above``."""
        keep = (self.score > above) & (self.role >= 0)
        person = np.broadcast_to(np.arange(self.score.shape[0])[:, None], keep.shape)[keep]
        return Edges(person.astype(np.intp), self.role[keep], self.value[keep])


@dataclass(eq=False)
class _ScanBuffers:
    """What the scan works out per role; runs of roles fill their own rows."""

    left_out_best: FloatArray
    best_value: FloatArray
    best_person: IntArray
    departments_open: BoolArray
    uncertain_eligible: IntArray

    @staticmethod
    def empty(n_roles: int, n_departments: int) -> _ScanBuffers:
        return _ScanBuffers(
            left_out_best=np.full(n_roles, -np.inf),
            best_value=np.full(n_roles, -np.inf),
            best_person=np.full(n_roles, -1, dtype=np.intp),
            departments_open=np.zeros((n_roles, n_departments), dtype=bool),
            uncertain_eligible=np.zeros(n_roles, dtype=np.intp),
        )

    def result(self, runs: Sequence[_Kept], n_people: int) -> _Scan:
        standouts = BestPerPerson.merged([run.standouts for run in runs])
        parts = [no_edges(), *(part for run in runs for part in run.parts), standouts.edges()]
        return _Scan(
            edges=Edges.union(parts, n_people),
            left_out_best=self.left_out_best,
            best_value=self.best_value,
            best_person=self.best_person,
            departments_open=self.departments_open,
            uncertain_eligible=self.uncertain_eligible,
        )


@dataclass(eq=False)
class _Kept:
    """What one run of roles keeps: its roles' candidates, and each person's standouts."""

    parts: list[Edges]
    standouts: BestPerPerson

    @staticmethod
    def empty(depth: int, n_people: int) -> _Kept:
        return _Kept([], BestPerPerson.empty(depth, n_people))


def _scan_block(
    index: _Index,
    model: ValueModel,
    settings: StaffingSettings,
    rows: IntArray,
    out: _ScanBuffers,
    kept: _Kept,
    spread: _Spread,
) -> None:
    value = model.values(rows)
    projects = index.role_project[rows]
    stats = np.empty((rows.size, 4))
    open_ = np.zeros((rows.size, len(index.departments)), dtype=bool)
    best = kept.standouts
    r, p = kernels.scan_block(
        value, rows, spread.role_shift[rows], spread.person_shift, spread.looseness,
        _role_k(index.headcount[rows], settings.top_k),
        index.uncertain, index.min_stretch[projects] > 0, index.department,
        index.min_departments[projects] > 0, _DEPARTMENT_KEEP, open_,
        stats, best.score, best.role, best.value, best.floor,
    )
    out.departments_open[rows] = open_
    out.left_out_best[rows] = stats[:, 0]
    out.best_value[rows] = stats[:, 1]
    out.best_person[rows] = stats[:, 2].astype(np.intp)
    out.uncertain_eligible[rows] = stats[:, 3].astype(np.intp)
    kept.parts.append(Edges(p, rows[r], value[r, p]))


def _role_k(headcount: IntArray, top_k: int) -> IntArray:
    """Candidates kept per role: ``top_k``, or enough for its head count."""
    return np.maximum(headcount + 2, top_k).astype(np.intp)


def _select(
    value: FloatArray,
    k: int,
    *,
    uncertain: BoolArray,
    stretch: BoolArray,
    department: IntArray,
    n_departments: int,
    ruled: BoolArray,
) -> tuple[IntArray, IntArray]:
    """The pruning rule on a block of roles (rows) by people (columns), as kept (row, person).

    Keeps the top ``k`` eligible by value; in rows under a stretch rule also the
    top ``k`` uncertain people; in rows under a department rule also the best
    two of every department (``kernels.select_block``; the scan applies the same
    rule with its seeded tie-break).
    """
    open_ = np.zeros((value.shape[0], n_departments), dtype=bool)
    return kernels.select_block(
        np.ascontiguousarray(value), np.zeros(value.shape[0]), np.zeros(value.shape[1]),
        np.full(value.shape[0], k, dtype=np.intp),
        uncertain, stretch, department, ruled, _DEPARTMENT_KEEP, open_,
        np.empty((value.shape[0], 5)),
    )


# -- project rules: impossibilities that need no solver ---------------------------------


def _check_rules(index: _Index, scan: _Scan) -> None:
    conflicts: list[str] = []
    order = np.argsort(index.role_project, kind="stable")
    cuts = np.searchsorted(index.role_project[order], np.arange(1, len(index.projects)))
    groups = np.split(order, cuts) if index.projects else []
    for project, roles in zip(index.projects, groups, strict=True):
        seats = int(index.headcount[roles].sum())
        conflicts += _department_conflicts(project, seats, scan.departments_open[roles])
        reachable = np.minimum(index.headcount[roles], scan.uncertain_eligible[roles])
        uncertain_seats = int(reachable.sum())
        conflicts += _stretch_conflicts(project, seats, uncertain_seats)
    if conflicts:
        raise Infeasible("project rules cannot hold: " + "; ".join(conflicts), conflicts=conflicts)


def department_rule_label(project: Project) -> str:
    """How a department rule is named in diagnoses and explanations."""
    return f"department rule on {project.id}: at least {project.rules.min_departments} departments"


def stretch_rule_label(project: Project) -> str:
    """How a stretch rule is named in diagnoses and explanations."""
    return (
        f"stretch rule on {project.id}: at least {project.rules.min_stretch_seats} "
        "seats for people with little evidence"
    )


def _department_conflicts(project: Project, seats: int, open_: BoolArray) -> list[str]:
    need = project.rules.min_departments
    if need <= 0:
        return []
    if need > seats:
        return [department_rule_label(project), f"head count of {project.id}: {seats} seats"]
    available = int(open_.any(axis=0).sum())
    if need > available:
        return [department_rule_label(project),
                f"only {available} departments have anyone eligible for {project.id}"]
    return []


def _stretch_conflicts(project: Project, seats: int, uncertain_seats: int) -> list[str]:
    need = project.rules.min_stretch_seats
    if need <= 0:
        return []
    if need > seats:
        return [stretch_rule_label(project), f"head count of {project.id}: {seats} seats"]
    if need > uncertain_seats:
        return [stretch_rule_label(project),
                f"only {uncertain_seats} seats of {project.id} can go to eligible people "
                "with little evidence"]
    return []


def _rules(index: _Index, pins: Sequence[_PinRow]) -> tuple[Rule, ...]:
    rules = []
    for i, (p, r, source, _) in enumerate(pins):
        who, what = index.people[p], index.roles[r].id
        if source is PinSource.GROUNDWORK:
            label = f"groundwork: {who} has first refusal on {what}"
            rules.append(Rule(kind=RuleKind.GROUNDWORK, index=i, label=label))
        else:
            rules.append(Rule(kind=RuleKind.PIN, index=i, label=f"pin: {who} on {what}"))
    for j, project in enumerate(index.projects):
        if project.rules.min_departments > 0:
            label = department_rule_label(project)
            rules.append(Rule(kind=RuleKind.DEPARTMENTS, index=j, label=label))
        if project.rules.min_stretch_seats > 0:
            rules.append(Rule(kind=RuleKind.STRETCH, index=j, label=stretch_rule_label(project)))
    return tuple(rules)


# -- groundwork continuity ----------------------------------------------------------------


def _decide_groundwork(
    request: StaffingRequest,
    index: _Index,
    model: ValueModel,
    pins: Sequence[_PinRow],
    scan: _Scan,
    settings: StaffingSettings,
) -> tuple[tuple[GroundworkDecision, ...], list[_PinRow]]:
    """First refusal on the lead, unless declined, unavailable, or trailing by > the margin.

    An author with first refusal on several leads keeps the one where their
    value is highest; a lead with more entitled authors than seats goes to
    the highest-valued ones.
    """
    decided: dict[tuple[ProjectId, PersonId], GroundworkDecision] = {}
    offers: list[_Offer] = []
    # one entry per author and project; a recorded decline wins over a later claim
    unique: dict[tuple[ProjectId, PersonId], Groundwork] = {}
    for work in request.groundwork:
        key = (work.project, work.person)
        if key not in unique or work.declines_lead:
            unique[key] = work
    for _, work in sorted(unique.items()):
        outcome = _offer(index, model, pins, scan, settings, work)
        if isinstance(outcome, GroundworkDecision):
            decided[(work.project, work.person)] = outcome
        else:
            offers.append(outcome)
    gw_pins = _grant(index, pins, offers, decided)
    return tuple(decided[key] for key in sorted(decided)), gw_pins


def _offer(
    index: _Index,
    model: ValueModel,
    pins: Sequence[_PinRow],
    scan: _Scan,
    settings: StaffingSettings,
    work: Groundwork,
) -> GroundworkDecision | _Offer:
    """A decision already, or the lead on offer to the author."""
    j = index.project.get(work.project)
    leads = [] if j is None else [int(r) for r in np.flatnonzero(index.role_project == j)
                                  if model.is_lead[r]]
    if not leads:
        return _decision(work, None, GroundworkOutcome.NO_LEAD_ROLE,
                         "no lead role is open this round")
    first = index.roles[leads[0]].id
    if work.declines_lead:
        reason = f"{work.person} declined the lead"
        return _decision(work, first, GroundworkOutcome.DECLINED, reason)
    p = index.person.get(work.person)
    if p is None:
        return _decision(work, first, GroundworkOutcome.UNAVAILABLE,
                         f"{work.person} is not available in this round")
    reasons = {r: _blocked_lead(index, model, pins, p, r) for r in leads}
    open_leads = [r for r in leads if reasons[r] is None]
    if not open_leads:
        return _decision(work, first, GroundworkOutcome.UNAVAILABLE, str(reasons[leads[0]]))
    values = model.pair_values(np.full(len(open_leads), p, dtype=np.intp),
                               np.array(open_leads, dtype=np.intp))
    best = int(np.argmax(values))
    r, value = open_leads[best], float(values[best])
    return _margin_check(index, scan, settings, work, p, r, value)


def _margin_check(
    index: _Index,
    scan: _Scan,
    settings: StaffingSettings,
    work: Groundwork,
    p: int,
    r: int,
    value: float,
) -> GroundworkDecision | _Offer:
    trail = float(scan.best_value[r]) - value
    rival = index.people[int(scan.best_person[r])]
    versus = (f"{work.person}'s value {value:.2f} trails the best candidate, {rival} "
              f"({scan.best_value[r]:.2f}), by {trail:.2f}")
    if trail > settings.groundwork_margin:
        reason = f"{versus} > margin {settings.groundwork_margin:g}"
        return _decision(work, index.roles[r].id, GroundworkOutcome.TRAILS, reason)
    if trail <= 0:
        versus = f"{work.person} is the best candidate (value {value:.2f})"
    else:
        versus += f" <= margin {settings.groundwork_margin:g}"
    return _Offer(value=value, person=p, role=r, work=work, reason=versus)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Offer:
    value: float
    person: int
    role: int
    work: Groundwork
    reason: str


def _decision(
    work: Groundwork, role: RoleId | None, outcome: GroundworkOutcome, reason: str
) -> GroundworkDecision:
    return GroundworkDecision(
        project=work.project, person=work.person, role=role, outcome=outcome, reason=reason
    )


def _blocked_lead(
    index: _Index, model: ValueModel, pins: Sequence[_PinRow], p: int, r: int
) -> str | None:
    candidate = index.candidates[p]
    pinned_fte = sum(model.fte[pr] for pp, pr, _, _ in pins if pp == p)
    if model.forbidden[r, p]:
        return f"{candidate.person} is kept off {index.roles[r].id} by the council"
    if not model.may_lead[p]:
        return f"{candidate.person} {candidate.leads[0].describe()} (one lead per person)"
    if any(pp == p and model.is_lead[pr] for pp, pr, _, _ in pins):
        return f"{candidate.person} is pinned to another lead (one lead per person)"
    if pinned_fte + model.fte[r] > model.capacity[p] + FTE_TOLERANCE:
        return (f"FTE cap: {candidate.person} has {model.capacity[p]:g} free "
                f"({candidate.describe_commitments()}), {model.fte[r]:g} needed")
    if sum(1 for _, pr, _, _ in pins if pr == r) >= index.headcount[r]:
        return f"every seat of {index.roles[r].id} is pinned by the council"
    return None


def _grant(
    index: _Index,
    pins: Sequence[_PinRow],
    offers: list[_Offer],
    decided: dict[tuple[ProjectId, PersonId], GroundworkDecision],
) -> list[_PinRow]:
    seats = {o.role: int(index.headcount[o.role]) - sum(1 for _, pr, _, _ in pins if pr == o.role)
             for o in offers}
    granted: dict[int, int] = {}
    rows: list[_PinRow] = []
    for offer in sorted(offers, key=lambda o: (-o.value, o.work.project, o.work.person)):
        work, p, r = offer.work, offer.person, offer.role
        role = index.roles[r].id
        key = (work.project, work.person)
        if p in granted:
            other = index.roles[granted[p]].project
            reason = f"{work.person} takes the lead of {other} instead (one lead per person)"
            decided[key] = _decision(work, role, GroundworkOutcome.UNAVAILABLE, reason)
        elif seats[r] <= 0:
            reason = f"the lead seats of {role} went to co-authors valued higher"
            decided[key] = _decision(work, role, GroundworkOutcome.UNAVAILABLE, reason)
        else:
            seats[r] -= 1
            granted[p] = r
            rows.append((p, r, PinSource.GROUNDWORK, "groundwork continuity"))
            reason = f"{work.person} did the groundwork; {offer.reason}"
            decided[key] = _decision(work, role, GroundworkOutcome.PINNED, reason)
    return rows
