"""Parity: do lead and stretch seats follow level or tenure beyond what merit alone predicts?

The merit-only model. Each person in the pool has a posterior merit
``theta_i ~ N(mean_i, sd_i^2)`` (general execution from the merit table).
If merit alone decided ``k`` seats, the holders would be the top ``k`` of a
draw of ``theta``; the chance that person ``i`` is among them is ``pi_i``,
estimated from ``draws`` seeded draws. A band's expected count is
``E_b = sum_{i in b} pi_i`` and its expected share ``E_b / k``.

The test. ``T = sum_b (O_b - E_b)^2 / E_b`` (Pearson's chi-square statistic)
compares observed and expected counts; its null distribution is not the
textbook chi-square (seats are drawn without replacement from a finite
pool) so it is simulated: ``T`` of ``draws`` fresh merit-only draws, and
``p = (1 + #{T_sim >= T_obs}) / (1 + draws)`` (a Monte Carlo test). Below
``alpha`` the verdict names the band with the largest excess
``(O_b - E_b) / sqrt(E_b)``.

Lead seats draw on everyone in the pool; stretch seats, seats held by
uncertain people, draw on the uncertain people in the pool. The model
ignores each role's skill mix and FTE limits: it asks whether level or
tenure explains who was seated once general merit is accounted for.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from mts.audit.bands import UNKNOWN, level_band, level_labels, tenure_band, tenure_labels
from mts.audit.bands import tenure_years as years_on_staff
from mts.audit.invariance import SeatMap
from mts.domain.errors import InvalidInput
from mts.domain.people import PersonId
from mts.domain.plain import record_dict
from mts.domain.projects import RoleId
from mts.domain.protected import ProtectedProfile
from mts.merit.table import GENERAL, MeritTable
from mts.staffing.plan import Plan

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

_CELLS = 1 << 21  # merit draws held at once (16 MB), to bound memory on large pools


@dataclass(frozen=True, slots=True, kw_only=True)
class MeritScore:
    """A person's general merit posterior: mean and sd, in the merit table's units."""

    mean: float
    sd: float


def merit_scores(table: MeritTable, people: Iterable[PersonId]) -> dict[PersonId, MeritScore]:
    """Each person's general-execution posterior from ``table`` (the prior when unseen)."""
    rows = {person: table.posterior(person, GENERAL) for person in people}
    return {person: MeritScore(mean=row.mean, sd=row.sd) for person, row in rows.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class ParitySettings:
    """Bands, the newcomer line, the simulation size and the test level."""

    level_edges: tuple[int, ...] = (3, 5)
    tenure_edges_years: tuple[float, ...] = (1.0, 3.0, 7.0)
    newcomer_years: float = 1.0
    draws: int = 2000
    alpha: float = 0.05
    prior_sd: float = 1.0

    def problems(self) -> list[str]:
        """Every setting out of range, as readable sentences."""
        checks = [
            (_increasing(self.level_edges), "level_edges must be strictly increasing"),
            (_increasing(self.tenure_edges_years) and all(e > 0 for e in self.tenure_edges_years),
             "tenure_edges_years must be positive and strictly increasing"),
            (self.newcomer_years > 0, "newcomer_years must be > 0"),
            (self.draws >= 100, "draws must be >= 100"),
            (0 < self.alpha < 1, "alpha must be in (0, 1)"),
            (self.prior_sd > 0, "prior_sd must be > 0"),
        ]  # fmt: skip
        return [message for ok, message in checks if not ok]

    def check(self) -> None:
        """Raise ``InvalidInput`` naming every setting out of range."""
        problems = self.problems()
        if problems:
            raise InvalidInput("invalid parity settings: " + "; ".join(problems))


def _increasing(edges: Sequence[float]) -> bool:
    return all(lo < hi for lo, hi in itertools.pairwise(edges))


@dataclass(frozen=True, slots=True, kw_only=True)
class BandShare:
    """One band: its people in the pool, the seats they hold, and what merit predicts."""

    band: str
    pool: int
    observed: int
    observed_share: float
    expected: float
    expected_share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class BandTest:
    """Seats by one attribute's bands against the merit-only model, with a plain verdict."""

    attribute: str
    bands: tuple[BandShare, ...]
    statistic: float | None
    p_value: float | None
    significant: bool
    skew: str | None
    verdict: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatParity:
    """One kind of seat (lead or stretch): how many, from how large a pool, by level and tenure."""

    kind: str
    seats: int
    pool: int
    by_level: BandTest
    by_tenure: BandTest


@dataclass(frozen=True, slots=True, kw_only=True)
class NewcomerShare:
    """Lead seats held by newcomers (short tenure) and by people with little evidence."""

    lead_seats: int
    newcomer_leads: int
    share: float
    expected_share: float
    pool_newcomers: int
    pool_share: float
    uncertain_leads: int
    uncertain_share: float
    verdict: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParityReport:
    """Lead and stretch seats by level and tenure band, and the newcomers' share of leads."""

    as_of: date
    seed: int
    draws: int
    alpha: float
    lead: SeatParity
    stretch: SeatParity
    newcomers: NewcomerShare
    verdicts: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        """Whether any test found seats skewed beyond what merit predicts."""
        seats = (self.lead, self.stretch)
        return any(s.by_level.significant or s.by_tenure.significant for s in seats)

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {**record_dict(self), "flagged": self.flagged}


@dataclass(frozen=True, slots=True)
class _Population:
    people: tuple[PersonId, ...]
    mean: FloatArray
    sd: FloatArray
    level: tuple[tuple[str, ...], IntArray]
    tenure: tuple[tuple[str, ...], IntArray]
    newcomer: BoolArray


def parity_report(
    plan: Plan | SeatMap,
    *,
    lead_roles: Collection[RoleId],
    pool: Iterable[PersonId],
    merit: Mapping[PersonId, MeritScore],
    uncertain: Collection[PersonId],
    profiles: Sequence[ProtectedProfile],
    as_of: date,
    seed: int,
    settings: ParitySettings | None = None,
) -> ParityReport:
    """Lead and stretch seats of ``plan`` by level and tenure band, against merit alone.

    Parameters
    ----------
    plan
        The round's plan (or its seat map).
    lead_roles
        The ids of the lead roles; their seats are the lead seats.
    pool
        Everyone available this round; seated people are added if missing.
    merit
        Each person's general merit posterior (``merit_scores``); anyone
        missing has mean 0 and sd ``settings.prior_sd``.
    uncertain
        The people the staffing engine treats as uncertain (little
        evidence); a seat they hold is a stretch seat.
    profiles, as_of
        Protected attributes, and the day tenure is measured to.
    seed
        Seeds the merit-only draws (``numpy.random.default_rng``).

    The model and the test are in the module docstring. Raises
    ``InvalidInput`` only for settings out of range.
    """
    settings = settings or ParitySettings()
    settings.check()
    seats = _seat_holders(plan)
    leads = {person for (role, _), person in seats.items() if role in lead_roles}
    seated = set(seats.values())
    population = _population(set(pool) | seated, merit, profiles, as_of, settings)
    rngs = np.random.default_rng(seed).spawn(4)
    everyone = np.ones(len(population.people), dtype=np.bool_)
    lead, lead_pi = _seat_parity("lead", population, everyone, leads, rngs[:2], settings)
    in_doubt = np.array([p in uncertain for p in population.people], dtype=np.bool_)
    stretch, _ = _seat_parity("stretch", population, in_doubt, seated, rngs[2:], settings)
    newcomers = _newcomer_share(population, leads, lead_pi, set(uncertain))
    return ParityReport(
        as_of=as_of,
        seed=seed,
        draws=settings.draws,
        alpha=settings.alpha,
        lead=lead,
        stretch=stretch,
        newcomers=newcomers,
        verdicts=(*_verdicts(lead), *_verdicts(stretch), newcomers.verdict),
    )


def _seat_holders(plan: Plan | SeatMap) -> dict[tuple[RoleId, int], PersonId]:
    if isinstance(plan, Plan):
        return {(seat.role, seat.seat): seat.person for seat in plan.seats}
    return dict(plan)


def _population(
    people: set[PersonId],
    merit: Mapping[PersonId, MeritScore],
    profiles: Sequence[ProtectedProfile],
    as_of: date,
    settings: ParitySettings,
) -> _Population:
    ordered = tuple(sorted(people))
    prior = MeritScore(mean=0.0, sd=settings.prior_sd)
    scores = [merit.get(person, prior) for person in ordered]
    by_person = {profile.person: profile for profile in profiles}
    found = [by_person.get(person) for person in ordered]
    years = [years_on_staff(profile, as_of) for profile in found]
    level_names = (*level_labels(settings.level_edges), UNKNOWN)
    tenure_names = (*tenure_labels(settings.tenure_edges_years), UNKNOWN)
    levels = [level_band(profile, settings.level_edges) for profile in found]
    tenures = [tenure_band(p, as_of, settings.tenure_edges_years) for p in found]
    return _Population(
        people=ordered,
        mean=np.array([score.mean for score in scores], dtype=np.float64),
        sd=np.array([max(score.sd, 0.0) for score in scores], dtype=np.float64),
        level=(level_names, np.array([level_names.index(b) for b in levels], dtype=np.intp)),
        tenure=(tenure_names, np.array([tenure_names.index(b) for b in tenures], dtype=np.intp)),
        newcomer=np.array(
            [y is not None and y < settings.newcomer_years for y in years], dtype=np.bool_
        ),
    )


def _seat_parity(
    kind: str,
    population: _Population,
    pool: BoolArray,
    holders: set[PersonId],
    rngs: Sequence[np.random.Generator],
    settings: ParitySettings,
) -> tuple[SeatParity, FloatArray]:
    """The band tests of one kind of seat, and each person's merit-only chance of one."""
    held = np.array([p in holders for p in population.people], dtype=np.bool_)
    observed = held & pool
    k, n = int(observed.sum()), int(pool.sum())
    if not 0 < k < n:
        tests = [_untested(kind, name, bands, pool, observed) for name, bands in _bands(population)]
        chance = observed.astype(np.float64)
    else:
        expected = _simulate(population, pool, k, settings.draws, rngs[0])
        null = _simulate(population, pool, k, settings.draws, rngs[1])
        tests = [
            _band_test(kind, name, bands, pool, observed, expected, null, settings.alpha)
            for name, bands in _bands(population)
        ]
        chance = expected.chance
    parity = SeatParity(kind=kind, seats=k, pool=n, by_level=tests[0], by_tenure=tests[1])
    return parity, chance


def _bands(population: _Population) -> tuple[tuple[str, tuple[tuple[str, ...], IntArray]], ...]:
    return ("level", population.level), ("tenure", population.tenure)


@dataclass(frozen=True, slots=True)
class _Draws:
    """Merit-only draws: each person's chance of a seat, and seats per band in every draw."""

    chance: FloatArray
    counts: dict[str, FloatArray]


def _simulate(
    population: _Population, pool: BoolArray, k: int, draws: int, rng: np.random.Generator
) -> _Draws:
    """``draws`` merit-only allocations: the top ``k`` of ``theta ~ N(mean, sd^2)`` over the pool.

    Draws are made a block at a time (at most ``_CELLS`` values of ``theta``),
    and the block size does not change the numbers drawn.
    """
    index = np.flatnonzero(pool)
    mean, sd = population.mean[index], population.sd[index]
    seats = np.zeros(len(population.people), dtype=np.float64)
    counts = {name: np.zeros((draws, len(names))) for name, (names, _) in _bands(population)}
    block = max(1, _CELLS // index.size)
    for start in range(0, draws, block):
        size = min(block, draws - start)
        theta = mean + sd * rng.standard_normal((size, index.size))
        top = index[np.argpartition(-theta, k - 1, axis=1)[:, :k]]
        seats += np.bincount(top.ravel(), minlength=seats.size)
        for name, (names, band) in _bands(population):
            cells = band[top] + len(names) * np.arange(size)[:, None]
            tally = np.bincount(cells.ravel(), minlength=size * len(names))
            counts[name][start : start + size] = tally.reshape(size, len(names))
    return _Draws(chance=seats / draws, counts=counts)


def _untested(
    kind: str,
    attribute: str,
    bands: tuple[tuple[str, ...], IntArray],
    pool: BoolArray,
    observed: BoolArray,
) -> BandTest:
    names, band = bands
    onehot = np.eye(len(names))[band] * pool[:, None]
    counts = observed.astype(np.float64) @ onehot
    return BandTest(
        attribute=attribute,
        bands=_shares(names, onehot, counts, counts),
        statistic=None,
        p_value=None,
        significant=False,
        skew=None,
        verdict=_untestable(kind, int(counts.sum()), int(pool.sum())),
    )


def _band_test(
    kind: str,
    attribute: str,
    bands: tuple[tuple[str, ...], IntArray],
    pool: BoolArray,
    observed: BoolArray,
    expected_draws: _Draws,
    null_draws: _Draws,
    alpha: float,
) -> BandTest:
    """Pearson's statistic of the observed band counts, against merit-only draws (Monte Carlo)."""
    names, band = bands
    onehot = np.eye(len(names))[band] * pool[:, None]
    counts = observed.astype(np.float64) @ onehot
    expected = expected_draws.counts[attribute].mean(axis=0)
    statistic = float(_chi_square(counts, expected))
    p_value = _monte_carlo_p(statistic, _chi_square(null_draws.counts[attribute], expected))
    skew = _skew(names, counts, expected) if p_value < alpha else None
    return BandTest(
        attribute=attribute,
        bands=_shares(names, onehot, counts, expected),
        statistic=statistic,
        p_value=p_value,
        significant=p_value < alpha,
        skew=skew,
        verdict=_verdict(kind, attribute, skew, p_value),
    )


def _monte_carlo_p(statistic: float, simulated: FloatArray) -> float:
    """``(1 + #{T_sim >= T_obs}) / (1 + draws)``, with a hair of slack for rounding ties."""
    at_least = np.sum(simulated >= statistic - 1e-9 * max(1.0, abs(statistic)))
    return float((1 + at_least) / (1 + len(simulated)))


def _chi_square(counts: FloatArray, expected: FloatArray) -> FloatArray:
    """Pearson's ``sum_b (O_b - E_b)^2 / E_b`` along the last axis; bands with E=0 use a floor."""
    return np.asarray(np.sum((counts - expected) ** 2 / np.maximum(expected, 1e-9), axis=-1))


def _skew(names: Sequence[str], counts: FloatArray, expected: FloatArray) -> str | None:
    excess = (counts - expected) / np.sqrt(np.maximum(expected, 1e-9))
    best = int(np.argmax(excess))
    return names[best] if excess[best] > 0 else None


def _shares(
    names: Sequence[str], onehot: FloatArray, counts: FloatArray, expected: FloatArray
) -> tuple[BandShare, ...]:
    pool = onehot.sum(axis=0)
    seats = max(float(counts.sum()), 1.0)
    return tuple(
        BandShare(
            band=name,
            pool=int(pool[b]),
            observed=int(counts[b]),
            observed_share=float(counts[b] / seats),
            expected=float(expected[b]),
            expected_share=float(expected[b] / seats),
        )
        for b, name in enumerate(names)
        if pool[b] > 0 or counts[b] > 0
    )


def _untestable(kind: str, seats: int, pool: int) -> str:
    if seats == 0:
        return f"no {kind} seats in this plan: nothing to test"
    return f"all {pool} people in the {kind} pool hold a {kind} seat: merit had no choice to make"


def _verdict(kind: str, attribute: str, skew: str | None, p_value: float) -> str:
    p = "p<0.001" if p_value < 0.001 else f"p={p_value:.3f}"
    if skew is None:
        return f"no evidence that {attribute} predicts {kind} seats beyond merit ({p})"
    return f"{kind} seats skew to {attribute} {skew} beyond what merit predicts ({p})"


def _verdicts(parity: SeatParity) -> tuple[str, str]:
    return parity.by_level.verdict, parity.by_tenure.verdict


def _newcomer_share(
    population: _Population, leads: set[PersonId], pi: FloatArray, uncertain: set[PersonId]
) -> NewcomerShare:
    held = np.array([p in leads for p in population.people], dtype=np.bool_)
    k = int(held.sum())
    newcomer_leads = int((held & population.newcomer).sum())
    uncertain_leads = sum(p in uncertain for p in leads)
    expected = float(pi[population.newcomer].sum() / k) if k else 0.0
    pool = len(population.people)
    pool_newcomers = int(population.newcomer.sum())
    share = newcomer_leads / k if k else 0.0
    return NewcomerShare(
        lead_seats=k,
        newcomer_leads=newcomer_leads,
        share=share,
        expected_share=expected,
        pool_newcomers=pool_newcomers,
        pool_share=pool_newcomers / pool if pool else 0.0,
        uncertain_leads=uncertain_leads,
        uncertain_share=uncertain_leads / k if k else 0.0,
        verdict=(
            f"newcomers hold {newcomer_leads} of {k} lead seats ({share:.0%}); "
            f"merit alone predicts {expected:.0%}"
        ),
    )
