"""The level-blindness certificate: blind pipelines pass, leaky ones are caught seat by seat."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.audit.invariance import (
    CertificateVerdict,
    Pipeline,
    SeatMap,
    certify,
    plan_digest,
    seat_changes,
    shuffled_profiles,
)
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId, RoleId
from mts.domain.protected import ProtectedProfile
from mts.staffing.plan import Plan, Seat, SeatExplanation, SolverStats, ValueBreakdown

AS_OF = date(2026, 6, 1)
SEEDS = (11, 12, 13, 14, 15)


@dataclass(frozen=True)
class Org:
    """A toy organisation: each person's merit, and roles as (id, seats), leads first."""

    merit: dict[PersonId, float]
    roles: tuple[tuple[RoleId, int], ...]
    profiles: tuple[ProtectedProfile, ...]


def toy_org(n: int = 12, seed: int = 0) -> Org:
    rng = np.random.default_rng(seed)
    people = [PersonId(f"p{i:02d}") for i in range(n)]
    return Org(
        merit={p: float(m) for p, m in zip(people, rng.normal(size=n), strict=True)},
        roles=((RoleId("lead"), 1), (RoleId("eng"), 3)),
        profiles=tuple(
            ProtectedProfile(
                person=p,
                level=int(rng.integers(1, 7)),
                tenure_start=AS_OF - timedelta(days=int(rng.integers(0, 3000))),
                prior_employer=str(rng.choice(["BigCo", "Lab", "none"])),
            )
            for p in people
        ),
    )


def greedy(
    org: Org,
    profiles: Sequence[ProtectedProfile],
    eligible: Callable[[RoleId, PersonId], bool] | None = None,
) -> dict[tuple[RoleId, int], PersonId]:
    """Best merit first, one seat per person; reads profiles only for who exists (and in order,
    so a certificate that reordered them would break ties differently)."""
    people = [profile.person for profile in profiles]
    ranked = sorted(people, key=lambda p: -org.merit.get(p, 0.0))
    seats: dict[tuple[RoleId, int], PersonId] = {}
    taken: set[PersonId] = set()
    for role, count in org.roles:
        pool = [p for p in ranked if p not in taken and (eligible is None or eligible(role, p))]
        for seat, person in enumerate(pool[:count]):
            seats[(role, seat)] = person
            taken.add(person)
    return seats


def blind(org: Org) -> Pipeline:
    return lambda profiles: greedy(org, profiles)


def side_door(org: Org) -> Pipeline:
    """A 'seniority check' hidden in the candidate filter: leads need two years' tenure."""

    def pipeline(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        tenure = {p.person: p.tenure_start for p in profiles}

        def eligible(role: RoleId, person: PersonId) -> bool:
            start = tenure[person]
            return role != "lead" or (start is not None and (AS_OF - start).days >= 730)

        return greedy(org, profiles, eligible)

    return pipeline


def test_level_blind_pipeline_passes() -> None:
    org = toy_org()
    certificate = certify(blind(org), org.profiles, seeds=SEEDS, inputs_digest="in")
    assert certificate.verdict is CertificateVerdict.PASSED and certificate.passed
    assert certificate.changes == ()
    assert [run.seed for run in certificate.runs] == list(SEEDS)
    assert all(run.identical and run.moved > 0 for run in certificate.runs)
    assert certificate.plan_digest == plan_digest(greedy(org, org.profiles))
    assert "stayed identical under 5 random reshuffles" in certificate.summary


def test_tenure_read_through_a_side_door_is_caught() -> None:
    org = replace(toy_org(), merit={PersonId(f"p{i:02d}"): float(12 - i) for i in range(12)})
    # The best person is a newcomer, so the side door keeps them from the lead.
    profiles = tuple(
        replace(p, tenure_start=AS_OF - timedelta(days=30 if p.person == "p00" else 1500))
        for p in org.profiles
    )
    certificate = certify(side_door(org), profiles, seeds=SEEDS, inputs_digest="in")
    assert certificate.verdict is CertificateVerdict.FAILED
    lead_changes = [c for c in certificate.changes if c.role == "lead"]
    assert lead_changes, certificate.changes
    assert all(c.original == "p01" and c.new == "p00" for c in lead_changes)
    assert {c.seed for c in certificate.changes} <= set(SEEDS)
    assert "approval is blocked" in certificate.summary


def test_failure_lists_every_changed_seat_with_its_seed() -> None:
    org = toy_org()
    by_level = {p.person: p.level or 0 for p in org.profiles}

    def seniority(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        levels = {p.person: p.level or 0 for p in profiles}
        return {(RoleId("lead"), 0): max(sorted(levels), key=lambda p: levels[p])}

    certificate = certify(seniority, org.profiles, seeds=SEEDS, inputs_digest="in")
    original = max(sorted(by_level), key=lambda p: by_level[p])
    failed = [run.seed for run in certificate.runs if not run.identical]
    assert [c.seed for c in certificate.changes] == failed
    assert all(c.original == original and c.new != original for c in certificate.changes)


def test_pipeline_that_raises_under_a_shuffle_fails_with_the_error_recorded() -> None:
    org = toy_org()
    true_levels = {p.person: p.level for p in org.profiles}

    def brittle(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        if any(p.level != true_levels[p.person] for p in profiles):
            raise KeyError("level lookup")
        return greedy(org, profiles)

    certificate = certify(brittle, org.profiles, seeds=(1,), inputs_digest="in")
    assert not certificate.passed
    assert certificate.runs[0].error == "KeyError: 'level lookup'"
    assert "raised an error" in certificate.summary


def test_pipeline_that_is_not_reproducible_fails_its_control_run() -> None:
    org = toy_org()
    calls = itertools.count()

    def flaky(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        seats = greedy(org, profiles)
        return seats if next(calls) % 2 else {k: PersonId("nobody") for k in seats}

    reference = greedy(org, org.profiles)
    certificate = certify(flaky, org.profiles, seeds=(1,), inputs_digest="in", reference=reference)
    assert not certificate.passed
    assert certificate.runs[0].seed is None and not certificate.runs[0].identical
    assert "not reproducible" in certificate.summary


def test_certificate_without_seeds_does_not_pass() -> None:
    org = toy_org()
    certificate = certify(blind(org), org.profiles, seeds=(), inputs_digest="in")
    assert certificate.verdict is CertificateVerdict.FAILED
    assert "no shuffle" in certificate.summary


def test_certificate_records_digests_and_is_json_ready() -> None:
    org = toy_org()
    certificate = certify(blind(org), org.profiles, seeds=(3,), inputs_digest="abc")
    data = certificate.to_dict()
    assert data["inputs_digest"] == "abc" and data["verdict"] == "passed"
    assert data["seeds"] == [3] and data["plan_digest"] == certificate.plan_digest


def test_shuffle_gives_everyone_another_bundle_and_keeps_ids_and_order() -> None:
    profiles = tuple(ProtectedProfile(person=PersonId(f"p{i}"), level=i) for i in range(9))
    shuffled, moved = shuffled_profiles(profiles, seed=4)
    assert [p.person for p in shuffled] == [p.person for p in profiles]
    assert sorted(p.level or 0 for p in shuffled) == list(range(9))
    assert all(a.level != b.level for a, b in zip(profiles, shuffled, strict=True))
    assert moved == 9


def test_same_seed_gives_the_same_shuffle_whatever_the_input_order() -> None:
    profiles = tuple(ProtectedProfile(person=PersonId(f"p{i}"), level=i) for i in range(7))
    forward = {p.person: p.level for p in shuffled_profiles(profiles, 9)[0]}
    backward = {p.person: p.level for p in shuffled_profiles(profiles[::-1], 9)[0]}
    assert forward == backward
    assert forward != {p.person: p.level for p in shuffled_profiles(profiles, 10)[0]}


def test_people_without_a_profile_take_part_with_an_empty_one() -> None:
    org = toy_org(n=4)
    seen: list[int] = []

    def counting(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        seen.append(len(profiles))
        return greedy(org, profiles)

    certificate = certify(
        counting, org.profiles[:2], seeds=(1,), inputs_digest="in", people=org.merit
    )
    assert seen == [4, 4] and certificate.people == 4


def test_identical_attributes_pass_but_say_the_test_was_trivial() -> None:
    org = toy_org(n=5)
    alike = tuple(ProtectedProfile(person=p.person, level=3) for p in org.profiles)
    certificate = certify(blind(org), alike, seeds=(1, 2), inputs_digest="in")
    assert certificate.passed and "trivially" in certificate.summary


def seat(role: str, person: str, value: float, fte: float = 1.0) -> Seat:
    breakdown = ValueBreakdown(fit=value, fit_by_skill=(), exploration=0.0, lead=0.0,
                               interest=0.0, total=value)  # fmt: skip
    why = SeatExplanation(value=breakdown, runner_up=None, runner_up_value=None, margin=None,
                          passed_over=(), rules=(), summary="")  # fmt: skip
    return Seat(role=RoleId(role), project=ProjectId("x"), person=PersonId(person), fte=fte,
                value=value, seat=0, pinned_by=None, why=why)  # fmt: skip


def plan(*seats: Seat) -> Plan:
    stats = SolverStats(
        method="test", status="optimal", objective=0.0, bound=None, gap=None, bound_scope="none",
        mip_bound=None, mip_gap=None, seconds=0.0, people=0, roles=0, candidate_pairs=0,
        added_by_pricing=0, greedy_objective=None, mip_nodes=0, seed=0, exploration="ucb",
    )  # fmt: skip
    return Plan(seats=seats, vacancies=(), groundwork=(), stats=stats)


def test_a_plan_whose_values_move_is_not_identical_even_with_the_same_people() -> None:
    before = plan(seat("lead", "p1", 1.0), seat("eng", "p2", 0.5))
    after = plan(seat("lead", "p1", 1.25), seat("eng", "p2", 0.5))
    changes = seat_changes(before, after, seed=7)
    assert [(c.role, c.original, c.new, c.seed) for c in changes] == [("lead", "p1", "p1", 7)]
    assert "value 1.0 -> 1.25" in changes[0].note
    assert plan_digest(before) != plan_digest(after)


def test_plan_digest_does_not_depend_on_seat_order() -> None:
    a, b = seat("lead", "p1", 1.0), seat("eng", "p2", 0.5)
    assert plan_digest(plan(a, b)) == plan_digest(plan(b, a))
    assert plan_digest({(RoleId("r"), 0): PersonId("p")}) != plan_digest(
        {(RoleId("r"), 0): PersonId("q")}
    )


def test_a_seat_filled_in_one_plan_and_vacant_in_the_other_is_a_change() -> None:
    before: SeatMap = {(RoleId("r"), 0): PersonId("p"), (RoleId("r"), 1): PersonId("q")}
    after: SeatMap = {(RoleId("r"), 0): PersonId("p")}
    changes = seat_changes(before, after, seed=1)
    assert [(c.seat, c.original, c.new) for c in changes] == [(1, "q", None)]


# -- properties over random small organisations ---------------------------------------------


@st.composite
def organisations(draw: st.DrawFn) -> Org:
    n = draw(st.integers(2, 12))
    people = [PersonId(f"p{i:02d}") for i in range(n)]
    merit = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))  # ties on purpose
    roles = tuple(
        (RoleId(f"r{j}"), draw(st.integers(1, 3))) for j in range(draw(st.integers(1, 4)))
    )
    profiles = tuple(
        ProtectedProfile(
            person=p,
            level=draw(st.none() | st.integers(1, 8)),
            tenure_start=draw(st.none() | st.dates(date(2000, 1, 1), AS_OF)),
            education=draw(st.sampled_from([None, "PhD", "BSc"])),
            promotion_window=draw(st.none() | st.dates(AS_OF, date(2027, 1, 1))),
        )
        for p in people
    )
    order = draw(st.permutations(range(n)))  # whatever order storage returns them in
    return Org(
        merit={p: float(m) for p, m in zip(people, merit, strict=True)},
        roles=roles,
        profiles=tuple(profiles[i] for i in order),
    )


@settings(max_examples=60, deadline=None)
@given(org=organisations(), seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4))
def test_shuffling_protected_attributes_never_changes_a_blind_plan(
    org: Org, seeds: list[int]
) -> None:
    certificate = certify(blind(org), org.profiles, seeds=seeds, inputs_digest="in")
    assert certificate.passed, certificate.summary


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 10), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_a_lead_chosen_by_level_is_always_caught_when_levels_differ(
    n: int, seed: int, data: st.DataObject
) -> None:
    levels = data.draw(st.lists(st.integers(1, 30), min_size=n, max_size=n, unique=True))
    profiles = tuple(
        ProtectedProfile(person=PersonId(f"p{i}"), level=level) for i, level in enumerate(levels)
    )

    def by_level(found: Sequence[ProtectedProfile]) -> SeatMap:
        return {(RoleId("lead"), 0): max(found, key=lambda p: p.level or 0).person}

    assert not certify(by_level, profiles, seeds=(seed,), inputs_digest="in").passed


def _eligibility(org: Org, profiles: Sequence[ProtectedProfile], door: bool) -> object:
    """A two-stage pipeline's first half: who may lead (through the side door, or everyone)."""
    tenure = {p.person: p.tenure_start for p in profiles}
    return tuple(
        sorted(
            p
            for p, start in tenure.items()
            if not door or (start is not None and (AS_OF - start).days >= 730)
        )
    )


def test_an_unchanged_engine_input_stands_for_a_solve_that_would_wander() -> None:
    # A time-limited solve need not stop at the same plan twice; with the engine's input
    # unchanged by every shuffle, the reference plan stands and nothing is solved again.
    org = toy_org()
    solves = itertools.count()

    def wandering(profiles: Sequence[ProtectedProfile]) -> SeatMap:
        next(solves)
        return {(RoleId("lead"), 0): PersonId(f"p{next(solves) % 12:02d}")}

    reference = wandering(org.profiles)
    certificate = certify(
        wandering, org.profiles, seeds=SEEDS, inputs_digest="in", reference=reference,
        engine_input=lambda profiles: _eligibility(org, profiles, door=False),
    )  # fmt: skip
    assert certificate.passed
    assert [run.seed for run in certificate.runs] == list(SEEDS)  # no control rerun either
    assert not any(run.solved for run in certificate.runs)
    assert next(solves) == 2  # only the reference solve ran
    without = certify(wandering, org.profiles, seeds=SEEDS, inputs_digest="in", reference=reference)
    assert not without.passed  # the same pipeline re-solved: the wandering shows


def test_a_side_door_in_the_engine_input_is_solved_and_caught() -> None:
    org = replace(toy_org(), merit={PersonId(f"p{i:02d}"): float(12 - i) for i in range(12)})
    profiles = tuple(
        replace(p, tenure_start=AS_OF - timedelta(days=30 if p.person == "p00" else 1500))
        for p in org.profiles
    )
    certificate = certify(
        side_door(org), profiles, seeds=SEEDS, inputs_digest="in",
        engine_input=lambda bundles: _eligibility(org, bundles, door=True),
    )  # fmt: skip
    assert certificate.verdict is CertificateVerdict.FAILED
    assert any(run.solved and not run.identical for run in certificate.runs)
    lead_changes = [c for c in certificate.changes if c.role == "lead"]
    assert lead_changes and all(c.original == "p01" and c.new == "p00" for c in lead_changes)
