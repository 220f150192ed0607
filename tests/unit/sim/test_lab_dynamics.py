"""How the simulated organisation moves: evidence, growth, idleness, leavers, hires, reviewers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mts.sim.assumptions import LabSettings
from mts.sim.dynamics import depart, grow, hire, promote, top_up_reviewers, update_idle
from mts.sim.lab import opening_round
from mts.sim.outcomes import RoleSkills, SeatBatch, background_evidence, seat_evidence
from mts.sim.world import QUARTER_DAYS, World

SETTINGS = LabSettings(people=80, quarters=1)


@pytest.fixture()
def world() -> World:
    return opening_round(SETTINGS, 4).world


def _seats(world: World, people: list[int], *, stretch: bool, lead: bool = False) -> SeatBatch:
    n = len(people)
    return SeatBatch(
        person=np.array(people, dtype=np.int64),
        role=np.zeros(n, dtype=np.int64),
        fte=np.ones(n),
        lead=np.full(n, lead),
        stretch=np.full(n, stretch),
        project=np.zeros(n, dtype=np.int64),
    )


def test_stretch_seats_grow_people_faster_than_ordinary_seats(world: World) -> None:
    before = world.people.general.copy()
    grow(world.people, _seats(world, [0], stretch=True), SETTINGS)
    grow(world.people, _seats(world, [1], stretch=False), SETTINGS)
    gained = world.people.general - before
    assert gained[0] == pytest.approx(SETTINGS.growth_stretch)
    assert gained[1] == pytest.approx(SETTINGS.growth_member)
    assert np.all(gained[2:] == 0)


def test_idle_quarters_count_up_and_a_meaningful_role_resets_them(world: World) -> None:
    active = world.active_codes()
    busy = int(active[0])
    world.people.idle[:] = 3
    update_idle(world, 0, _seats(world, [busy], stretch=False), SETTINGS)
    assert world.people.idle[busy] == 0
    assert np.all(world.people.idle[active[1:]] == 4)


def test_idle_people_leave_more_often(world: World) -> None:
    people = world.people
    people.active[:] = True
    people.idle[:] = np.arange(people.count) % 2 * 20
    settings = replace(
        SETTINGS, attrition_base=0.05, attrition_per_idle_quarter=0.05, attrition_cap=0.6
    )
    left = np.zeros(people.count)
    for k in range(40):
        people.active[:] = True
        left[depart(np.random.default_rng(k), people, settings)] += 1
    idle = people.idle > 0
    assert left[idle].mean() / 40 == pytest.approx(0.6, abs=0.08)
    assert left[~idle].mean() / 40 == pytest.approx(0.05, abs=0.04)


def test_the_kth_hire_is_the_same_person_in_every_world() -> None:
    a, b = opening_round(SETTINGS, 4).world, opening_round(SETTINGS, 4).world
    b.people.active[:5] = False
    start = a.people.count
    hire(np.random.default_rng(9), a, 2, 700_000, SETTINGS)
    hire(np.random.default_rng(9), b, 5, 700_000, SETTINGS)
    assert a.people.ids[start:] == b.people.ids[start : start + 2]
    assert np.array_equal(a.people.general[start:], b.people.general[start : start + 2])
    assert np.all(a.people.joined[start:] == 700_000)
    assert np.all(np.isnan(a.people.leniency[start:]))


def test_promotion_raises_levels_by_one_and_never_past_eight(world: World) -> None:
    before = world.people.level.copy()
    promote(np.random.default_rng(1), world.people, replace(SETTINGS, promotion_rate=1.0))
    active = world.people.active
    assert np.all(world.people.level[active] == np.minimum(before[active] + 1, 8))


def test_a_department_without_reviewers_gets_its_longest_serving_members(world: World) -> None:
    people = world.people
    research = people.department == 0
    people.leniency[research] = np.nan
    top_up_reviewers(np.random.default_rng(0), world, SETTINGS)
    chosen = np.flatnonzero(research & people.active & ~np.isnan(people.leniency))
    assert chosen.size == SETTINGS.reviewers_per_department
    others = np.flatnonzero(research & people.active & np.isnan(people.leniency))
    assert people.joined[chosen].max() <= people.joined[others].min()


def test_evidence_is_normalised_dated_in_the_quarter_and_never_self_reviewed(
    world: World,
) -> None:
    chunk = background_evidence(np.random.default_rng(3), world, 2, SETTINGS)
    assert chunk.rows > 0
    assert np.all((chunk.score >= 0) & (chunk.score <= 1))
    assert np.all(chunk.reviewer != chunk.person)
    first = world.day(2).toordinal()
    assert np.all((chunk.day >= first) & (chunk.day < first + QUARTER_DAYS))
    assert np.all(world.people.active[chunk.person])


def test_abler_people_score_higher_on_project_work(world: World) -> None:
    opening = opening_round(SETTINGS, 4)
    roles = opening.roles[:1]
    w = opening.world
    strong, weak = 0, 1
    w.people.general[strong], w.people.general[weak] = 2.0, -2.0
    skills = RoleSkills.of(roles, w, np.zeros(1, dtype=np.int64))
    settings = replace(SETTINGS, items_per_fte=60.0)
    seats = _seats(w, [strong, weak], stretch=False)
    chunk = seat_evidence(np.random.default_rng(0), w, seats, skills, 0, settings)
    mean = {p: chunk.score[chunk.person == p].mean() for p in (strong, weak)}
    assert mean[strong] > mean[weak] + 0.2
