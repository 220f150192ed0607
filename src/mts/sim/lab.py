"""The policy lab's quarter loop: one policy, one seed, a synthetic organisation over time.

Each quarter, in this order::

    projects open            (the same projects in every policy's world)
    the policy staffs them   (audited: protected attributes reshuffled, plan compared)
    the oracle staffs them   (same world, true abilities: the regret baseline)
    outcomes -> evidence     (true ability + project shock + noise, through reviewers)
    people grow              (faster in stretch seats)
    people leave             (hazard rising with idle quarters), new people are hired
    promotions, reviewers    (levels by time served; departments keep reviewers)
    merit is refitted        (on all evidence so far, as of the quarter's end)

Pure: no I/O and no clock; every random draw comes from
``numpy.random.default_rng([seed, quarter, stream])``, one stream per kind
of draw, so the same seed gives the same history and different policies
share projects, departures draws and hires (common random numbers).
"""

from __future__ import annotations

import enum
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from mts.audit.invariance import SeatMap, certify
from mts.audit.ledger import digest
from mts.domain.people import PersonId
from mts.domain.projects import Project, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.merit.model import Hyperparameters, MeritModel
from mts.merit.table import MeritTable
from mts.sim.assumptions import LabSettings
from mts.sim.dynamics import depart, grow, hire, promote, top_up_reviewers, update_idle
from mts.sim.metrics import (
    NEWCOMER_DAYS,
    QuarterMetrics,
    merit_error,
    plan_value,
    role_weights,
    top_share,
)
from mts.sim.organisation import generate_organisation
from mts.sim.outcomes import RoleSkills, SeatBatch, background_evidence, seat_evidence
from mts.sim.policies import Policy, RoundInputs, decide, engine_input, oracle, truth_table
from mts.sim.projects import open_projects
from mts.sim.world import Commitments, IntArray, World, world_from
from mts.staffing import Candidate, Commitment, Plan, StaffingRequest, StaffingSettings

VACANCY_PENALTY = StaffingSettings().vacancy_penalty
"""What an unfilled FTE costs in the value of a plan: the staffing engine's default, which
every policy's engine settings keep, so that the metric and the oracle's objective agree."""

LAB_START = date(2026, 1, 1)
"""The first day of the lab's first quarter; the generated history ends here."""


class Stream(enum.IntEnum):
    """One random stream per kind of draw, so that policies share what they should."""

    PROJECTS = 1
    WORK = 2
    ROUTINE = 3
    DEPARTURES = 4
    HIRES = 5
    PROMOTIONS = 6
    REVIEWERS = 7


def stream(seed: int, quarter: int, which: Stream) -> np.random.Generator:
    """The generator of one kind of draw in one quarter of one run."""
    return np.random.default_rng([seed, quarter, int(which)])


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    """One run: a policy and a seed, and what each quarter measured."""

    policy: str
    seed: int
    settings: LabSettings
    quarters: tuple[QuarterMetrics, ...]


def run_lab(settings: LabSettings, policy: Policy | str, seed: int) -> History:
    """Simulate ``settings.quarters`` quarters of ``policy`` on the organisation of ``seed``.

    Raises ``InvalidInput`` for settings out of range and ``ValueError`` for
    an unknown policy or a negative seed.
    """
    settings.check()
    if seed < 0:
        raise ValueError(f"seeds must be >= 0, got {seed}")
    run = _Run.start(settings, Policy(policy), seed)
    rows = tuple(run.quarter(q) for q in range(settings.quarters))
    return History(policy=run.policy.value, seed=seed, settings=settings, quarters=rows)


@dataclass(frozen=True, kw_only=True)
class OpeningRound:
    """The first round of a run, before any policy acts: for tests, diagnostics and benchmarks."""

    world: World
    projects: tuple[Project, ...]
    roles: tuple[Role, ...]
    inputs: RoundInputs
    profiles: tuple[ProtectedProfile, ...]


def opening_round(settings: LabSettings, seed: int) -> OpeningRound:
    """The organisation of ``seed`` and its first round, exactly as ``run_lab`` sees it."""
    settings.check()
    run = _Run.start(settings, Policy.MERIT, seed)
    projects, roles = run.open(0)
    codes = run.world.active_codes()
    return OpeningRound(
        world=run.world,
        projects=projects,
        roles=roles,
        inputs=run._inputs(projects, roles, codes, 0),
        profiles=run.world.profiles(codes),
    )


def fit_merit(
    world: World, as_of: date, settings: LabSettings, fixed: Hyperparameters | None = None
) -> MeritModel:
    """The merit engine on all the world's evidence; everyone on staff gets a row.

    ``fixed``: hold the variances at these (from an earlier fit) instead of estimating them.
    """
    active = [world.people.ids[i] for i in world.active_codes().tolist()]
    columns = world.evidence.columns(world.ids(), world.skills)
    model = MeritModel(half_life_days=settings.half_life_days)
    if fixed is not None:
        model = MeritModel(
            half_life_days=settings.half_life_days,
            noise_sd=fixed.noise_sd,
            general_sd=fixed.general_sd,
            skill_sd=fixed.skill_sd,
        )
    return model.fit(columns, as_of=as_of, people=active)


@dataclass(eq=False)
class _Run:
    settings: LabSettings
    policy: Policy
    seed: int
    world: World
    model: MeritModel

    @property
    def merit(self) -> MeritTable:
        """The merit table the next round will read."""
        return self.model.table_

    @staticmethod
    def start(settings: LabSettings, policy: Policy, seed: int) -> _Run:
        """The generated organisation as of the first round, with merit fitted on its history."""
        org = generate_organisation(
            people=settings.people, seed=seed, as_of=LAB_START, quarters=settings.history_quarters
        )
        world = world_from(org, LAB_START)
        return _Run(settings, policy, seed, world, fit_merit(world, LAB_START, settings))

    def quarter(self, q: int) -> QuarterMetrics:
        """Run quarter ``q`` (0-based) and measure it."""
        s, w = self.settings, self.world
        w.commitments.prune(q, w.people.active)
        projects, roles = self.open(q)
        codes = w.active_codes()
        inputs = self._inputs(projects, roles, codes, q)
        decision, verdict = self._decide(inputs, w.profiles(codes), q)
        own = self.policy is Policy.ORACLE and isinstance(decision, Plan)
        best = decision if own and isinstance(decision, Plan) else oracle(inputs, s)
        batch = self._batch(decision, projects, roles)
        measured = self._measure(q, codes, roles, batch, best, verdict, decision)
        leavers, hires = self._advance(q, batch, projects, roles)
        return _with_flow(measured, leavers, hires)

    # -- the round ----------------------------------------------------------------------

    def open(self, q: int) -> tuple[tuple[Project, ...], tuple[Role, ...]]:
        """The projects opening in quarter ``q``: as many in every world, from the seed alone."""
        s, w = self.settings, self.world
        return open_projects(
            stream(self.seed, q, Stream.PROJECTS),
            quarter=q,
            count=max(1, round(s.projects_per_person * s.people)),
            departments=w.departments,
            skills=w.skills,
            home_skills=w.home_skills,
        )

    def _inputs(
        self, projects: tuple[Project, ...], roles: tuple[Role, ...], codes: IntArray, q: int
    ) -> RoundInputs:
        w = self.world
        ids = [w.people.ids[i] for i in codes.tolist()]
        request = StaffingRequest(
            roles=roles, projects=projects, candidates=self._candidates(codes), merit=self.merit
        )
        truth = truth_table(ids, w.skills, w.people.truth()[codes], w.people.general[codes])
        return RoundInputs(request=request, truth=truth, seed=self.seed * 1000 + q)

    def _candidates(self, codes: IntArray) -> tuple[Candidate, ...]:
        """Everyone on staff, with the seats they hold on running projects (as the pipeline)."""
        w = self.world
        held: dict[int, list[Commitment]] = defaultdict(list)
        c = w.commitments
        for k, person in enumerate(c.person.tolist()):
            held[person].append(
                Commitment(
                    project=c.project[k],
                    role=c.role[k],
                    fte=float(c.fte[k]),
                    lead=bool(c.lead[k]),
                    title=c.project[k],
                )
            )
        return tuple(
            Candidate(
                person=w.people.ids[i],
                department=w.departments[int(w.people.department[i])],
                fte_cap=1.0,
                commitments=tuple(held[i]),
            )
            for i in codes.tolist()
        )

    def _decide(
        self, inputs: RoundInputs, profiles: tuple[ProtectedProfile, ...], q: int
    ) -> tuple[Plan | SeatMap, str]:
        """The policy's plan, and the certificate's verdict when this quarter is audited."""
        s = self.settings

        def pipeline(bundles: Sequence[ProtectedProfile]) -> Plan | SeatMap:
            return decide(self.policy, inputs, bundles, s)

        if s.certify_every == 0 or q % s.certify_every:
            return pipeline(profiles), "not run"
        made: list[Plan | SeatMap] = []

        def recorded(bundles: Sequence[ProtectedProfile]) -> Plan | SeatMap:
            made.append(pipeline(bundles))
            return made[-1]

        seeds = [self.seed * 100_003 + q * 101 + k for k in range(s.certificate_seeds)]
        certificate = certify(
            recorded,
            profiles,
            seeds=seeds,
            inputs_digest=_fingerprint(inputs, self.policy, q),
            engine_input=lambda bundles: engine_input(self.policy, bundles),
        )
        return made[0], certificate.verdict.value

    def _batch(
        self,
        decision: Plan | SeatMap,
        projects: tuple[Project, ...],
        roles: tuple[Role, ...],
    ) -> SeatBatch:
        """The seats as arrays; stretch seats are leads and seats of people with little evidence."""
        project_row = {p.id: k for k, p in enumerate(projects)}
        person, role = self._seat_arrays(decision, roles)
        holders = [self.world.people.ids[i] for i in person.tolist()]
        lead = np.array([roles[r].kind is RoleKind.LEAD for r in role.tolist()], dtype=bool)
        uncertain = self.merit.uncertain(
            holders, below_evidence=self.settings.uncertain_below_evidence
        )
        return SeatBatch(
            person=person,
            role=role,
            fte=np.array([roles[r].fte for r in role.tolist()]),
            lead=lead,
            stretch=lead | uncertain,
            project=np.array(
                [project_row[roles[r].project] for r in role.tolist()], dtype=np.int64
            ),
        )

    # -- measuring ----------------------------------------------------------------------

    def _measure(
        self,
        q: int,
        codes: IntArray,
        roles: tuple[Role, ...],
        batch: SeatBatch,
        best: Plan,
        verdict: str,
        decision: Plan | SeatMap,
    ) -> QuarterMetrics:
        w = self.world
        value = self._value(roles, batch.person, batch.role)
        best_value = self._value(roles, *self._seat_arrays(best, roles))
        newcomer = w.people.joined > w.day(q).toordinal() - NEWCOMER_DAYS
        general = w.people.general
        rmse, corr = merit_error(
            self.merit, [w.people.ids[i] for i in codes.tolist()], general[codes]
        )
        leads = int(batch.lead.sum())
        regret = best_value - value
        return QuarterMetrics(
            policy=self.policy.value,
            seed=self.seed,
            quarter=q + 1,
            people=int(codes.size),
            seats=batch.size,
            vacant=int(sum(r.headcount for r in roles)) - batch.size,
            leads=leads,
            value=value,
            oracle_value=best_value,
            oracle_bound=best.stats.bound,
            regret=regret,
            regret_share=regret / best_value if best_value > 0 else float("nan"),
            merit_rmse=rmse,
            merit_rank_corr=corr,
            newcomers=int(newcomer[codes].sum()),
            newcomer_leads=int(newcomer[batch.person[batch.lead]].sum()),
            top_ability=leads,
            newcomer_top=top_share(general[codes], newcomer[codes], leads),
            stretch_seats=int((batch.stretch & ~batch.lead).sum()),
            leavers=0,
            hires=0,
            certificate=verdict,
            notes=decision.notes if isinstance(decision, Plan) else (),
            seats_digest=digest(sorted([r, p] for r, p in seat_pairs(decision))),
        )

    def _seat_arrays(
        self, decision: Plan | SeatMap, roles: tuple[Role, ...]
    ) -> tuple[IntArray, IntArray]:
        """The holders' person codes and the role rows of every seat."""
        code = {pid: i for i, pid in enumerate(self.world.people.ids)}
        row = {r.id: k for k, r in enumerate(roles)}
        pairs = seat_pairs(decision)
        person = np.array([code[p] for _, p in pairs], dtype=np.int64)
        return person, np.array([row[r] for r, _ in pairs], dtype=np.int64)

    def _value(self, roles: tuple[Role, ...], person: IntArray, role: IntArray) -> float:
        """The true value of a plan (see ``metrics.plan_value``) in this world, now."""
        w = self.world
        return plan_value(
            roles,
            role_weights(roles, w.skills),
            person,
            role,
            w.people.truth(),
            w.people.general,
            lead_weight=self.settings.lead_weight,
            vacancy_penalty=VACANCY_PENALTY,
        )

    # -- the quarter's consequences -----------------------------------------------------

    def _advance(
        self, q: int, batch: SeatBatch, projects: tuple[Project, ...], roles: tuple[Role, ...]
    ) -> tuple[int, int]:
        s, w = self.settings, self.world
        departments = np.array(
            [w.departments.index(p.department) for p in projects if p.department is not None],
            dtype=np.int64,
        )
        skills = RoleSkills.of(roles, w, departments[batch_projects(projects, roles)])
        w.evidence.add(seat_evidence(stream(self.seed, q, Stream.WORK), w, batch, skills, q, s))
        w.evidence.add(background_evidence(stream(self.seed, q, Stream.ROUTINE), w, q, s))
        grow(w.people, batch, s)
        w.commitments.extend(_commitments(batch, roles, q + s.project_quarters))
        update_idle(w, q, batch, s)
        leavers = depart(stream(self.seed, q, Stream.DEPARTURES), w.people, s)
        hires = round(leavers.size * s.hires_per_leaver)
        hire(stream(self.seed, q, Stream.HIRES), w, hires, w.day(q + 1).toordinal(), s)
        promote(stream(self.seed, q, Stream.PROMOTIONS), w.people, s)
        top_up_reviewers(stream(self.seed, q, Stream.REVIEWERS), w, s)
        if q + 1 < s.quarters:
            fixed = None if s.reestimate_variances else self.model.hyperparameters_
            self.model = fit_merit(w, w.day(q + 1), s, fixed)
        return int(leavers.size), hires


def seat_pairs(decision: Plan | SeatMap) -> list[tuple[RoleId, PersonId]]:
    """``(role id, person)`` of every filled seat, in (role, seat) order."""
    if isinstance(decision, Plan):
        return sorted((seat.role, seat.person) for seat in decision.seats)
    return [(role, person) for (role, _), person in sorted(decision.items())]


def batch_projects(projects: Sequence[Project], roles: Sequence[Role]) -> IntArray:
    """The project row of each role."""
    row = {p.id: k for k, p in enumerate(projects)}
    return np.array([row[r.project] for r in roles], dtype=np.int64)


def _commitments(batch: SeatBatch, roles: tuple[Role, ...], ends: int) -> Commitments:
    return Commitments(
        person=batch.person.copy(),
        fte=batch.fte.copy(),
        lead=batch.lead.copy(),
        ends=np.full(batch.size, ends, dtype=np.int64),
        project=[roles[r].project for r in batch.role.tolist()],
        role=[roles[r].id for r in batch.role.tolist()],
    )


def _with_flow(m: QuarterMetrics, leavers: int, hires: int) -> QuarterMetrics:
    return replace(m, leavers=leavers, hires=hires)


def _fingerprint(inputs: RoundInputs, policy: Policy, q: int) -> str:
    """What the round read besides protected attributes: roles, candidates and merit, hashed."""
    request = inputs.request
    merit = hashlib.sha256()
    for array in (request.merit.mean, request.merit.general_mean, request.merit.sd):
        merit.update(np.ascontiguousarray(array).tobytes())
    return digest(
        {
            "policy": policy.value,
            "quarter": q,
            "roles": [[r.id, r.headcount, r.fte] for r in request.roles],
            "candidates": [[c.person, c.fte_available] for c in request.candidates],
            "merit": merit.hexdigest(),
        }
    )
