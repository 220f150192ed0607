"""From the seats of a quarter to evidence: true ability, plus noise, seen through a reviewer.

For a piece of work by person ``p`` tagged with skills ``s`` (shares
``a_s``, summing to 1) on project ``j``, judged by reviewer ``r``::

    outcome = g_p + sum_s a_s d_ps + shock_j + eps,       eps ~ N(0, outcome_sd^2)
    seen    = outcome + leniency_r
    score   = clip(round(60 + 12 seen), 0, 100)   (delivery, 0-100)
            | clip(round(3 + 0.8 seen), 1, 5)     (review, 1-5)

the same scoring as the generated organisation's history (``shock_j = 0``
for routine work). Scores are stored normalised to [0, 1], as the merit
engine reads them. Reviewers come from the work's department, and with
probability ``cross_department_reviews`` from anywhere; nobody reviews
their own work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mts.domain.projects import Role
from mts.sim.assumptions import LabSettings
from mts.sim.world import (
    QUARTER_DAYS,
    SOURCES,
    BoolArray,
    EvidenceChunk,
    FloatArray,
    IntArray,
    World,
)

_ITEM_WEIGHTS = (0.5, 1.0, 1.0, 2.0)
_DELIVERY, _REVIEW = SOURCES.index("delivery"), SOURCES.index("review")


@dataclass(frozen=True, eq=False, kw_only=True)
class SeatBatch:
    """The seats filled this quarter: holder code, role row, FTE, lead, stretch, project row."""

    person: IntArray
    role: IntArray
    fte: FloatArray
    lead: BoolArray
    stretch: BoolArray
    project: IntArray

    @property
    def size(self) -> int:
        """How many seats were filled."""
        return int(self.person.size)


@dataclass(frozen=True, eq=False, kw_only=True)
class RoleSkills:
    """Each role's skill codes and shares (summing to 1), and its project's department."""

    skills: tuple[IntArray, ...]
    shares: tuple[FloatArray, ...]
    department: IntArray

    @staticmethod
    def of(roles: Sequence[Role], world: World, project_department: IntArray) -> RoleSkills:
        """Skill codes and shares of ``roles``; ``project_department`` per role."""
        code = {s: j for j, s in enumerate(world.skills)}
        skills = tuple(np.array([code[n.skill] for n in r.needs], dtype=np.int64) for r in roles)
        weights = [np.array([n.weight for n in r.needs]) for r in roles]
        return RoleSkills(
            skills=skills,
            shares=tuple(w / w.sum() for w in weights),
            department=project_department,
        )


def seat_evidence(
    rng: np.random.Generator,
    world: World,
    seats: SeatBatch,
    roles: RoleSkills,
    quarter: int,
    settings: LabSettings,
) -> EvidenceChunk:
    """The quarter's scored project work: ``Poisson(items_per_fte * fte)`` pieces per seat."""
    shock = rng.normal(0.0, settings.project_shock_sd, size=int(seats.project.max(initial=-1)) + 1)
    counts = rng.poisson(settings.items_per_fte * seats.fte)
    seat = np.repeat(np.arange(seats.size), counts)
    role = seats.role[seat]
    person = seats.person[seat]
    tag_skill = [roles.skills[r] for r in role.tolist()]
    tag_share = [roles.shares[r] for r in role.tolist()]
    ability = _ability(world, person, tag_skill, tag_share) + shock[seats.project[seat]]
    return _scored(
        rng,
        world,
        person,
        ability,
        roles.department[role],
        tag_skill,
        tag_share,
        quarter,
        settings,
    )


def background_evidence(
    rng: np.random.Generator, world: World, quarter: int, settings: LabSettings
) -> EvidenceChunk:
    """Routine work outside projects: ``Poisson(background_items)`` pieces per person on staff,
    on one or two skills, mostly of their home department."""
    codes = np.flatnonzero(world.people.active)
    counts = rng.poisson(settings.background_items, size=codes.size)
    person = np.repeat(codes, counts).astype(np.int64)
    department = world.people.department[person]
    n_skills = len(world.skills)
    tag_skill: list[IntArray] = []
    for d in department.tolist():
        home = rng.random() < 0.8
        pool = world.home_skills[d] if home else np.arange(n_skills, dtype=np.int64)
        tag_skill.append(np.unique(rng.choice(pool, size=int(rng.integers(1, 3)))))
    tag_share = [np.full(t.size, 1.0 / t.size) for t in tag_skill]
    ability = _ability(world, person, tag_skill, tag_share)
    return _scored(rng, world, person, ability, department, tag_skill, tag_share, quarter, settings)


def _ability(
    world: World, person: IntArray, skills: list[IntArray], shares: list[FloatArray]
) -> FloatArray:
    """``g_p + sum_s a_s d_ps`` for each piece."""
    specific = np.array(
        [
            float(world.people.skill[p, s] @ a)
            for p, s, a in zip(person.tolist(), skills, shares, strict=True)
        ],
        dtype=np.float64,
    )
    result: FloatArray = world.people.general[person] + specific.reshape(person.size)
    return result


def _scored(
    rng: np.random.Generator,
    world: World,
    person: IntArray,
    ability: FloatArray,
    department: IntArray,
    tag_skill: list[IntArray],
    tag_share: list[FloatArray],
    quarter: int,
    settings: LabSettings,
) -> EvidenceChunk:
    n = person.size
    reviewer = reviewers_for(rng, world, person, department, settings.cross_department_reviews)
    outcome = ability + rng.normal(0.0, settings.outcome_sd, size=n)
    seen = outcome + world.people.leniency[reviewer]
    delivery = rng.random(n) < settings.delivery_share
    score = np.where(
        delivery,
        np.clip(np.round(60 + 12 * seen), 0, 100) / 100,
        (np.clip(np.round(3 + 0.8 * seen), 1, 5) - 1) / 4,
    )
    first = world.day(quarter).toordinal()
    return EvidenceChunk(
        person=person,
        reviewer=reviewer,
        source=np.where(delivery, _DELIVERY, _REVIEW).astype(np.int64),
        n_tags=np.array([t.size for t in tag_skill], dtype=np.int64),
        tag_skill=_codes(tag_skill),
        tag_weight=_shares(tag_share),
        score=score,
        day=first + rng.integers(0, QUARTER_DAYS, size=n),
        weight=rng.choice(_ITEM_WEIGHTS, size=n),
    )


def _codes(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _shares(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)


def reviewers_for(
    rng: np.random.Generator,
    world: World,
    person: IntArray,
    department: IntArray,
    cross: float,
) -> IntArray:
    """A reviewer code for each piece: from its department, or with probability ``cross``
    from anywhere; never the author. Every department keeps reviewers (``top_up_reviewers``),
    so a reviewer other than the author always exists."""
    is_reviewer = world.people.is_reviewer()
    everyone = np.flatnonzero(is_reviewer)
    pools = [
        np.flatnonzero(is_reviewer & (world.people.department == d))
        for d in range(len(world.departments))
    ]
    anywhere = rng.random(person.size) < cross
    out = np.empty(person.size, dtype=np.int64)
    for k, (p, d, wide) in enumerate(
        zip(person.tolist(), department.tolist(), anywhere.tolist(), strict=True)
    ):
        pool = everyone if wide or pools[d].size < 2 else pools[d]
        pick = int(pool[rng.integers(0, pool.size)])
        if pick == p:
            pick = int(pool[(np.searchsorted(pool, p) + 1) % pool.size])
        out[k] = pick
    return out
