"""How people change between quarters: growth, idleness, departures, hires, promotions, reviewers.

* Growth: ``g_p += fte * growth_member`` per seat held this quarter,
  ``growth_stretch`` instead for a stretch seat (a lead, or a seat held by
  someone with little evidence).
* Idleness: a quarter without a seat of at least ``meaningful_fte`` (new or
  still running) or a lead counts as idle; a meaningful role resets the count.
* Departures: ``P(leave) = min(cap, base + per_idle * idle quarters)``.
* Hires: ``hires_per_leaver`` per leaver, drawn one by one from their own
  stream so that the k-th hire of a quarter is the same person in every
  policy's world (common random numbers).
* Promotions: by time served, one level with probability ``promotion_rate``.
* Reviewers: a department left with fewer than ``reviewers_per_department``
  reviewers makes its longest-serving members reviewers, each with a
  leniency ``~ N(0, leniency_sd^2)``.
"""

from __future__ import annotations

import numpy as np

from mts.domain.people import PersonId
from mts.sim.assumptions import DEPARTMENT_SHARES, LabSettings
from mts.sim.outcomes import SeatBatch
from mts.sim.world import BoolArray, FloatArray, IntArray, People, World

_MAX_LEVEL = 8


def grow(people: People, seats: SeatBatch, settings: LabSettings) -> None:
    """Raise the true general ability of everyone who held a seat, more in stretch seats."""
    rate = np.where(seats.stretch, settings.growth_stretch, settings.growth_member)
    np.add.at(people.general, seats.person, rate * seats.fte)


def update_idle(world: World, quarter: int, seats: SeatBatch, settings: LabSettings) -> None:
    """Count one more idle quarter for everyone on staff without a meaningful role."""
    people = world.people
    busy = np.zeros(people.count, dtype=bool)
    meaningful = (seats.fte >= settings.meaningful_fte) | seats.lead
    busy[seats.person[meaningful]] = True
    held = world.commitments
    running = held.held(quarter, people.active)
    running &= (held.fte >= settings.meaningful_fte) | held.lead
    busy[held.person[running]] = True
    people.idle = np.where(busy, 0, people.idle + people.active)


def depart(rng: np.random.Generator, people: People, settings: LabSettings) -> IntArray:
    """Draw who leaves this quarter; they stop being active. Returns their codes."""
    hazard = settings.attrition_base + settings.attrition_per_idle_quarter * people.idle
    hazard = np.minimum(hazard, settings.attrition_cap)
    leaving: BoolArray = people.active & (rng.random(people.count) < hazard)
    people.active &= ~leaving
    return np.flatnonzero(leaving).astype(np.int64)


def hire(
    rng: np.random.Generator, world: World, count: int, day: int, settings: LabSettings
) -> None:
    """Add ``count`` new people who join on ``day`` (an ordinal), with no evidence yet."""
    if count <= 0:
        return
    n_skills = len(world.skills)
    start = world.people.count
    rows = [_hire(rng, n_skills, settings) for _ in range(count)]
    world.people.append(
        People(
            ids=[PersonId(f"p{start + k + 1:05d}") for k in range(count)],
            department=np.array([r[0] for r in rows], dtype=np.int64),
            general=np.array([r[1] for r in rows]),
            skill=np.array([r[2] for r in rows]).reshape(count, n_skills),
            level=np.array([r[3] for r in rows], dtype=np.int64),
            joined=np.full(count, day, dtype=np.int64),
            active=np.ones(count, dtype=bool),
            idle=np.zeros(count, dtype=np.int64),
            leniency=np.full(count, np.nan),
        )
    )


def _hire(
    rng: np.random.Generator, n_skills: int, settings: LabSettings
) -> tuple[int, float, FloatArray, int]:
    """One hire: department, ``g``, ``d`` per skill, level (the generator's level formula)."""
    department = int(rng.choice(len(DEPARTMENT_SHARES), p=DEPARTMENT_SHARES))
    general = float(rng.normal(settings.hire_ability_mean, 1.0))
    skill = rng.normal(0.0, settings.skill_sd, size=n_skills)
    graduate = rng.random() < settings.new_graduate_share
    experience = float(rng.gamma(2.0, 2.2))
    raw = 1.5 + 0.45 * experience + 0.25 * general + float(rng.normal(0.0, 0.8))
    level = 1 if graduate else int(np.clip(round(raw), 1, _MAX_LEVEL))
    return department, general, skill, level


def promote(rng: np.random.Generator, people: People, settings: LabSettings) -> None:
    """Promote one level, by time served: probability ``promotion_rate`` per quarter."""
    promoted = people.active & (rng.random(people.count) < settings.promotion_rate)
    people.level = np.minimum(people.level + promoted, _MAX_LEVEL)


def top_up_reviewers(rng: np.random.Generator, world: World, settings: LabSettings) -> None:
    """Keep at least ``reviewers_per_department`` reviewers on staff in every department."""
    people = world.people
    for d in range(len(world.departments)):
        members = np.flatnonzero(people.active & (people.department == d))
        have = int(np.sum(~np.isnan(people.leniency[members])))
        if have >= settings.reviewers_per_department:
            continue
        others = members[np.isnan(people.leniency[members])]
        longest = others[np.argsort(people.joined[others], kind="stable")]
        chosen = longest[: settings.reviewers_per_department - have]
        people.leniency[chosen] = rng.normal(0.0, settings.leniency_sd, size=chosen.size)
