"""Parity: a policy that seats by level or tenure is flagged; merit policies are not (at a rate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest

from mts.audit import parity
from mts.audit.bands import level_band, level_labels, tenure_band, tenure_labels
from mts.audit.invariance import SeatMap
from mts.audit.parity import MeritScore, ParityReport, ParitySettings, merit_scores, parity_report
from mts.domain.errors import InvalidInput
from mts.domain.people import PersonId, Skill
from mts.domain.projects import RoleId
from mts.domain.protected import ProtectedProfile
from mts.merit.table import MeritTable

AS_OF = date(2026, 6, 1)
LEADS = 8
RUNS = 100
FAST = ParitySettings(draws=1000)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Org:
    """A synthetic organisation: posterior merit, levels and tenure, and an rng for policies."""

    people: list[PersonId]
    mean: Floats
    sd: Floats
    level: Ints
    tenure_days: Ints
    rng: np.random.Generator

    @property
    def profiles(self) -> list[ProtectedProfile]:
        return [
            ProtectedProfile(
                person=p,
                level=int(self.level[i]),
                tenure_start=AS_OF - timedelta(days=int(self.tenure_days[i])),
            )
            for i, p in enumerate(self.people)
        ]

    @property
    def merit(self) -> dict[PersonId, MeritScore]:
        return {
            p: MeritScore(mean=float(self.mean[i]), sd=float(self.sd[i]))
            for i, p in enumerate(self.people)
        }


def org(seed: int, n: int = 60, level_follows_merit: float = 0.0) -> Org:
    """``n`` people; levels 1-6 follow merit with correlation ``level_follows_merit``."""
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=n)
    noise = rng.normal(size=n)
    latent = level_follows_merit * mean + np.sqrt(1 - level_follows_merit**2) * noise
    level = np.clip(np.round(3.5 + 1.5 * latent), 1, 6).astype(np.int64)
    return Org(
        people=[PersonId(f"p{i:03d}") for i in range(n)],
        mean=mean,
        sd=rng.uniform(0.2, 0.6, size=n),
        level=level,
        tenure_days=rng.integers(0, 12 * 365, size=n),
        rng=rng,
    )


def by_mean(o: Org) -> npt.NDArray[np.intp]:
    return np.argsort(-o.mean, kind="stable")


def by_posterior_draw(o: Org) -> npt.NDArray[np.intp]:
    """Thompson sampling: exactly the merit-only model the report tests against."""
    return np.argsort(-(o.mean + o.sd * o.rng.normal(size=o.mean.size)), kind="stable")


def by_level(o: Org) -> npt.NDArray[np.intp]:
    return np.lexsort((-o.mean, -o.level))


def by_tenure(o: Org) -> npt.NDArray[np.intp]:
    return np.lexsort((-o.mean, -o.tenure_days))


def leads(o: Org, order: npt.NDArray[np.intp], k: int = LEADS) -> SeatMap:
    return {(RoleId(f"lead{j}"), 0): o.people[int(i)] for j, i in enumerate(order[:k])}


def report(o: Org, seats: SeatMap, seed: int, **kwargs: object) -> ParityReport:
    options: dict[str, object] = {"uncertain": set(), "settings": FAST} | kwargs
    return parity_report(
        seats,
        lead_roles={role for role, _ in seats if role.startswith("lead")},
        pool=o.people,
        merit=o.merit,
        profiles=o.profiles,
        as_of=AS_OF,
        seed=seed,
        **options,  # type: ignore[arg-type]  # the keyword names and types are the test's own
    )


def flag_rate(
    policy: Callable[[Org], npt.NDArray[np.intp]], attribute: str, level_follows_merit: float = 0.0
) -> float:
    """The share of ``RUNS`` seeded organisations whose lead seats are flagged on ``attribute``."""
    flags = 0
    for seed in range(RUNS):
        o = org(seed, level_follows_merit=level_follows_merit)
        lead = report(o, leads(o, policy(o)), seed).lead
        flags += getattr(lead, f"by_{attribute}").significant
    return flags / RUNS


# -- bands --------------------------------------------------------------------------------


def test_level_bands_read_1_2_3_4_and_5_plus() -> None:
    assert level_labels((3, 5)) == ("1-2", "3-4", "5+")
    bands = [
        level_band(ProtectedProfile(person=PersonId("p"), level=v), (3, 5)) for v in (1, 3, 4, 5, 9)
    ]
    assert bands == ["1-2", "3-4", "3-4", "5+", "5+"]
    assert level_band(ProtectedProfile(person=PersonId("p")), (3, 5)) == "unknown"


def test_tenure_bands_count_years_to_as_of() -> None:
    assert tenure_labels((1.0, 3.0, 7.0)) == ("<1y", "1-3y", "3-7y", "7y+")

    def band(days: int) -> str:
        profile = ProtectedProfile(person=PersonId("p"), tenure_start=AS_OF - timedelta(days=days))
        return tenure_band(profile, AS_OF, (1.0, 3.0, 7.0))

    assert [band(d) for d in (-10, 100, 366, 1200, 3000)] == ["<1y", "<1y", "1-3y", "3-7y", "7y+"]


# -- power and false positives over many organisations ----------------------------------------


def test_leads_assigned_by_level_are_flagged_in_at_least_90_percent_of_organisations() -> None:
    assert flag_rate(by_level, "level") >= 0.9


def test_leads_assigned_by_tenure_are_flagged_on_tenure_in_at_least_80_percent() -> None:
    # Weaker than level: the 7y+ band holds ~40% of these people, so its excess is smaller.
    assert flag_rate(by_tenure, "tenure") >= 0.8


def test_leads_assigned_by_merit_mean_are_flagged_in_at_most_10_percent() -> None:
    assert flag_rate(by_mean, "level") <= 0.1


def test_leads_drawn_like_the_merit_model_are_flagged_near_alpha() -> None:
    # The policy *is* the null model, so the test should fire about alpha = 5% of the time.
    assert 0.01 <= flag_rate(by_posterior_draw, "level") <= 0.1


def test_levels_that_follow_merit_are_not_mistaken_for_favour() -> None:
    o = org(0, level_follows_merit=0.8)
    lead = report(o, leads(o, by_mean(o)), 0).lead
    top = next(b for b in lead.by_level.bands if b.band == "5+")
    assert top.observed_share > top.pool / lead.pool  # raw shares skew to seniors ...
    assert flag_rate(by_mean, "level", level_follows_merit=0.8) <= 0.1  # ... merit explains it


# -- one report, read closely ---------------------------------------------------------------


def test_a_flagged_report_names_the_band_in_plain_words() -> None:
    o = org(1)
    lead = report(o, leads(o, by_level(o)), 1).lead
    assert lead.by_level.significant and lead.by_level.skew == "5+"
    assert lead.by_level.verdict.startswith(
        "lead seats skew to level 5+ beyond what merit predicts (p"
    )


def test_an_unflagged_report_says_there_is_no_evidence() -> None:
    o = org(2)
    verdict = report(o, leads(o, by_mean(o)), 2).lead.by_level.verdict
    assert verdict.startswith("no evidence that level predicts lead seats beyond merit (p=")


def test_expected_counts_add_up_to_the_seats_and_observed_to_the_holders() -> None:
    o = org(3)
    test = report(o, leads(o, by_mean(o)), 3).lead.by_tenure
    assert sum(b.expected for b in test.bands) == pytest.approx(LEADS)
    assert sum(b.observed for b in test.bands) == LEADS
    assert sum(b.pool for b in test.bands) == 60


def test_same_seed_same_report() -> None:
    o = org(4)
    seats = leads(o, by_mean(o))
    assert report(o, seats, 9) == report(o, seats, 9)


def test_drawing_in_smaller_blocks_gives_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    o = org(4)
    seats = leads(o, by_level(o))
    whole = report(o, seats, 9)
    monkeypatch.setattr(parity, "_CELLS", 7 * o.mean.size)  # seven draws at a time
    assert report(o, seats, 9) == whole


def test_newcomers_share_of_leads_is_counted_from_tenure() -> None:
    o = org(5)
    order = np.argsort(o.tenure_days)  # the newest people lead
    newcomers = int(np.sum(o.tenure_days < 365.25))
    share = report(o, leads(o, order), 5).newcomers
    assert share.newcomer_leads == min(newcomers, LEADS)
    assert share.pool_newcomers == newcomers
    assert f"newcomers hold {share.newcomer_leads} of {LEADS} lead seats" in share.verdict


def test_stretch_seats_are_compared_with_the_uncertain_people_only() -> None:
    o = org(6)
    uncertain = set(o.people[:20])
    senior_first = [i for i in by_level(o) if o.people[int(i)] in uncertain]
    seats: dict[tuple[RoleId, int], PersonId] = {
        (RoleId("eng"), j): o.people[int(i)] for j, i in enumerate(senior_first[:6])
    }
    stretch = report(o, seats, 6, uncertain=uncertain).stretch
    assert (stretch.seats, stretch.pool) == (6, 20)
    assert sum(b.pool for b in stretch.by_level.bands) == 20


def test_a_plan_without_leads_has_nothing_to_test() -> None:
    o = org(7)
    r = report(o, {(RoleId("eng"), 0): o.people[0]}, 7)
    assert r.lead.by_level.p_value is None and not r.lead.by_level.significant
    assert r.lead.by_level.verdict == "no lead seats in this plan: nothing to test"
    assert not r.flagged


def test_people_without_level_form_an_unknown_band() -> None:
    o = org(8)
    profiles = [p for p in o.profiles if p.person not in o.people[:10]]
    r = parity_report(leads(o, by_mean(o)), lead_roles={RoleId(f"lead{j}") for j in range(LEADS)},
                      pool=o.people, merit=o.merit, uncertain=set(), profiles=profiles,
                      as_of=AS_OF, seed=8, settings=FAST)  # fmt: skip
    assert next(b for b in r.lead.by_level.bands if b.band == "unknown").pool == 10


def test_report_is_json_ready() -> None:
    o = org(9)
    data = report(o, leads(o, by_level(o)), 9).to_dict()
    text = json.dumps(data)
    assert data["flagged"] is True and '"as_of": "2026-06-01"' in text


def test_merit_scores_fall_back_to_the_prior_for_unseen_people() -> None:
    table = MeritTable(
        people=(PersonId("a"),), skills=(Skill("rl"),), mean=np.zeros((1, 1)), sd=np.ones((1, 1)),
        n_effective=np.ones((1, 1)), general_mean=np.array([0.7]), general_sd=np.array([0.2]),
        general_n_effective=np.array([3.0]), prior_sd=1.5, skill_prior_sd=0.5,
    )  # fmt: skip
    scores = merit_scores(table, [PersonId("a"), PersonId("b")])
    assert scores == {"a": MeritScore(mean=0.7, sd=0.2), "b": MeritScore(mean=0.0, sd=1.5)}


def test_settings_out_of_range_are_refused() -> None:
    o = org(10)
    with pytest.raises(InvalidInput, match="draws must be >= 100"):
        report(o, leads(o, by_mean(o)), 0, settings=ParitySettings(draws=10))
