"""The level-blindness certificate: reshuffle protected attributes, demand the identical plan.

If a decision pipeline never reads level, tenure, title, prior employer,
education or promotion dates, then handing each person somebody else's
attributes cannot change who gets which seat. ``certify`` runs the pipeline
once per seed with the attribute bundles shuffled across people and compares
each plan with the reference seat by seat (person, FTE and value).

Each seed draws a cyclic shuffle (Sattolo's algorithm on
``numpy.random.default_rng(seed)``) over the people sorted by id, so nobody
keeps their own bundle and the same seed always moves the same bundles.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from mts.audit.ledger import digest
from mts.domain.people import PersonId
from mts.domain.plain import record_dict
from mts.domain.projects import RoleId
from mts.domain.protected import ProtectedProfile
from mts.staffing.plan import Plan

SeatMap = Mapping[tuple[RoleId, int], PersonId]
"""A plan reduced to who holds each seat: ``{(role, seat index): person}``."""

Pipeline = Callable[[Sequence[ProtectedProfile]], Plan | SeatMap]
"""The whole decision, from the organisation's protected attributes to a plan."""

EngineInput = Callable[[Sequence[ProtectedProfile]], object]
"""The first half of a pipeline: everything the engine will be handed, compared with ``==``."""


@dataclass(frozen=True, slots=True)
class _SeatRecord:
    person: PersonId
    fte: float | None
    value: float | None


_Seats = dict[tuple[RoleId, int], _SeatRecord]


class CertificateVerdict(enum.StrEnum):
    """Passed: every reshuffle gave the identical plan. Failed: approval must wait."""

    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatChange:
    """A seat that differs from the reference in one run (``seed`` None: the control run)."""

    seed: int | None
    role: RoleId
    seat: int
    original: PersonId | None
    new: PersonId | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PermutationRun:
    """One rerun: how many people got a different bundle, and whether the plan held."""

    seed: int | None
    moved: int
    plan_digest: str | None
    identical: bool
    error: str | None = None
    solved: bool = True
    """False when the engine's input was unchanged, so the reference plan stands for the rerun."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Certificate:
    """The evidence that a round's plan does not depend on protected attributes."""

    inputs_digest: str
    plan_digest: str
    seeds: tuple[int, ...]
    people: int
    verdict: CertificateVerdict
    runs: tuple[PermutationRun, ...]
    changes: tuple[SeatChange, ...]
    summary: str

    @property
    def passed(self) -> bool:
        """Whether the plan may go forward to approval."""
        return self.verdict is CertificateVerdict.PASSED

    def to_dict(self) -> dict[str, object]:
        """The certificate as JSON-ready data."""
        return record_dict(self)


def plan_digest(plan: Plan | SeatMap) -> str:
    """SHA-256 of the seats by (role, seat): the person, and for a ``Plan`` also FTE and value.

    Two plans have the same digest exactly when ``certify`` would call them
    identical.
    """
    seats = _seats(plan)
    rows = [
        [role, seat, record.person, record.fte, record.value]
        for (role, seat), record in sorted(seats.items())
    ]
    return digest(rows)


def _seats(plan: Plan | SeatMap) -> _Seats:
    if isinstance(plan, Plan):
        return {
            (seat.role, seat.seat): _SeatRecord(seat.person, seat.fte, seat.value)
            for seat in plan.seats
        }
    return {key: _SeatRecord(person, None, None) for key, person in plan.items()}


def shuffled_profiles(
    profiles: Sequence[ProtectedProfile], seed: int
) -> tuple[tuple[ProtectedProfile, ...], int]:
    """``profiles`` in the same order, each person now holding another's attributes; and how
    many people's attributes actually differ afterwards.

    The shuffle is a random n-cycle (Sattolo) over the people sorted by id,
    drawn from ``numpy.random.default_rng(seed)``.
    """
    order = sorted(range(len(profiles)), key=lambda i: profiles[i].person)
    cycle = _sattolo(len(order), seed)
    source = {order[k]: order[int(cycle[k])] for k in range(len(order))}
    shuffled = tuple(
        replace(profiles[source[i]], person=profiles[i].person) for i in range(len(profiles))
    )
    moved = sum(
        replace(before, person=after.person) != after
        for before, after in zip(profiles, shuffled, strict=True)
    )
    return shuffled, moved


def _sattolo(n: int, seed: int) -> npt.NDArray[np.intp]:
    """A uniformly random cyclic permutation of ``range(n)``: nobody maps to themselves."""
    rng = np.random.default_rng(seed)
    cycle = np.arange(n, dtype=np.intp)
    for i in range(n - 1, 0, -1):
        j = int(rng.integers(0, i))
        cycle[i], cycle[j] = cycle[j], cycle[i]
    return cycle


def certify(
    pipeline: Pipeline,
    profiles: Sequence[ProtectedProfile],
    *,
    seeds: Sequence[int],
    inputs_digest: str,
    people: Iterable[PersonId] = (),
    reference: Plan | SeatMap | None = None,
    engine_input: EngineInput | None = None,
) -> Certificate:
    """Rerun ``pipeline`` once per seed with protected attributes shuffled across people.

    Parameters
    ----------
    pipeline
        The whole decision: protected profiles in, plan out. Level-blind
        means ``pipeline(shuffle(profiles)) == pipeline(profiles)`` seat by seat.
    profiles
        The organisation's protected attributes, one profile per person.
    seeds
        One seeded shuffle per seed; at least one is required to pass.
    inputs_digest
        The caller's fingerprint of everything else the pipeline read
        (evidence, roles, settings), recorded as is (see ``ledger.digest``).
    people
        Everyone in the round; those without a profile get an empty one, so
        that having no HR record is shuffled too.
    reference
        The plan the round proposed. When given, the pipeline is also rerun
        with the true attributes (the control run, ``seed`` None) to check it
        is reproducible; when omitted, that run is the reference.
    engine_input
        The pipeline's first half, for a pipeline that hands a pure engine
        (one that cannot read protected attributes: import-linter holds
        ``merit`` and ``staffing`` to that) everything it decides from. A
        rerun whose engine input equals the reference's is identical by
        construction and is not solved again; one whose input changed is
        solved and compared seat by seat. This keeps a time-limited solve,
        which need not stop at the same plan twice on a large round, from
        failing a certificate that no attribute could have moved.

    A pipeline that raises under a shuffle fails the certificate (the error is
    recorded); the certificate itself never raises on a finding. Without a
    ``reference``, an error on the true attributes propagates: there is no
    plan to certify.
    """
    bundles = _with_blanks(profiles, people)
    outcomes = []
    if reference is None:
        reference = pipeline(bundles)
    elif engine_input is None:
        outcomes.append(_rerun(pipeline, bundles, None, 0, reference))
    rerun = _rerun if engine_input is None else _rerun_if_moved(engine_input, bundles)
    for seed in seeds:
        shuffled, moved = shuffled_profiles(bundles, seed)
        outcomes.append(rerun(pipeline, shuffled, seed, moved, reference))
    runs = [run for run, _ in outcomes]
    changes = [change for _, found in outcomes for change in found]
    verdict = _verdict(runs, seeds)
    return Certificate(
        inputs_digest=inputs_digest,
        plan_digest=plan_digest(reference),
        seeds=tuple(seeds),
        people=len(bundles),
        verdict=verdict,
        runs=tuple(runs),
        changes=tuple(changes),
        summary=_summary(verdict, runs, changes, len(bundles)),
    )


def _with_blanks(
    profiles: Sequence[ProtectedProfile], people: Iterable[PersonId]
) -> tuple[ProtectedProfile, ...]:
    known = {profile.person for profile in profiles}
    blanks = sorted(set(people) - known)
    return (*profiles, *(ProtectedProfile(person=person) for person in blanks))


_Rerun = Callable[
    [Pipeline, Sequence[ProtectedProfile], int | None, int, Plan | SeatMap],
    tuple[PermutationRun, tuple[SeatChange, ...]],
]


def _rerun_if_moved(engine_input: EngineInput, bundles: Sequence[ProtectedProfile]) -> _Rerun:
    """``_rerun``, skipping the solve where the shuffle left the engine's input as it was."""
    original = engine_input(bundles)

    def rerun(
        pipeline: Pipeline,
        shuffled: Sequence[ProtectedProfile],
        seed: int | None,
        moved: int,
        reference: Plan | SeatMap,
    ) -> tuple[PermutationRun, tuple[SeatChange, ...]]:
        try:
            unchanged = engine_input(shuffled) == original
        except Exception as error:  # as in _rerun: breaking under a shuffle is a finding
            return _broken(seed, moved, error), ()
        if not unchanged:
            return _rerun(pipeline, shuffled, seed, moved, reference)
        run = PermutationRun(seed=seed, moved=moved, plan_digest=plan_digest(reference),
                             identical=True, solved=False)  # fmt: skip
        return run, ()

    return rerun


def _broken(seed: int | None, moved: int, error: Exception) -> PermutationRun:
    message = f"{type(error).__name__}: {error}"
    return PermutationRun(seed=seed, moved=moved, plan_digest=None, identical=False, error=message)


def _rerun(
    pipeline: Pipeline,
    bundles: Sequence[ProtectedProfile],
    seed: int | None,
    moved: int,
    reference: Plan | SeatMap,
) -> tuple[PermutationRun, tuple[SeatChange, ...]]:
    try:
        plan = pipeline(bundles)
    except Exception as error:  # a pipeline that breaks under a shuffle is a finding
        return _broken(seed, moved, error), ()
    found = seat_changes(reference, plan, seed=seed)
    run = PermutationRun(seed=seed, moved=moved, plan_digest=plan_digest(plan), identical=not found)
    return run, found


def seat_changes(
    reference: Plan | SeatMap, plan: Plan | SeatMap, *, seed: int | None
) -> tuple[SeatChange, ...]:
    """Every seat where ``plan`` differs from ``reference``, in (role, seat) order."""
    before, after = _seats(reference), _seats(plan)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        note = _difference(before.get(key), after.get(key))
        if note is not None:
            old, new = before.get(key), after.get(key)
            changes.append(
                SeatChange(
                    seed=seed,
                    role=key[0],
                    seat=key[1],
                    original=old.person if old else None,
                    new=new.person if new else None,
                    note=note,
                )
            )
    return tuple(changes)


def _difference(old: _SeatRecord | None, new: _SeatRecord | None) -> str | None:
    if old == new:
        return None
    if old is None or new is None:
        return "the seat was vacant in one plan and filled in the other"
    if old.person != new.person:
        return f"{old.person} was replaced by {new.person}"
    return f"same person, but FTE {old.fte} -> {new.fte} and value {old.value} -> {new.value}"


def _verdict(runs: Sequence[PermutationRun], seeds: Sequence[int]) -> CertificateVerdict:
    if not seeds or not all(run.identical for run in runs):
        return CertificateVerdict.FAILED
    return CertificateVerdict.PASSED


def _summary(
    verdict: CertificateVerdict,
    runs: Sequence[PermutationRun],
    changes: Sequence[SeatChange],
    people: int,
) -> str:
    shuffles = [run for run in runs if run.seed is not None]
    if not shuffles:
        return "no shuffle was run (no seeds), so level-blindness was not shown"
    control = [run for run in runs if run.seed is None and not run.identical]
    if control:
        return (
            "the pipeline gave a different plan when rerun with the true attributes: "
            "it is not reproducible, so its level-blindness cannot be certified"
        )
    if verdict is CertificateVerdict.FAILED:
        return _failure_summary(shuffles, changes)
    if all(run.moved == 0 for run in shuffles):
        return (
            f"the plan held, but trivially: the {people} people's protected attributes are all "
            "alike (or there are fewer than two people), so no shuffle changed anything"
        )
    return (
        f"the plan stayed identical under {len(shuffles)} random reshuffles of level, tenure, "
        f"title, prior employer, education and promotion dates across {people} people"
    )


def _failure_summary(shuffles: Sequence[PermutationRun], changes: Sequence[SeatChange]) -> str:
    failed = [run for run in shuffles if not run.identical]
    seeds = ", ".join(str(run.seed) for run in failed)
    errors = sum(run.error is not None for run in failed)
    seats = len({(change.role, change.seat) for change in changes})
    crashed = f"; the pipeline raised an error under {errors} of them" if errors else ""
    return (
        f"the plan changed when protected attributes were reshuffled (seeds {seeds}): "
        f"{seats} seat(s) changed{crashed}. Either the pipeline reads protected attributes, "
        "or it does not give the same plan twice (a solve stopped by a time limit may not); "
        "approval is blocked"
    )
