"""Degenerate organisations must fit without crashing and give sane, finite answers."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import PersonId, Skill
from mts.merit.model import MeritModel
from mts.merit.table import GENERAL, MeritTable

AS_OF = date(2026, 3, 1)
_ITEMS = itertools.count()


def piece(person: str, score: float, reviewer: str | None = None, days_ago: int = 0) -> Evidence:
    """A review on a 0..1 scale of skill ``rl``."""
    return Evidence(
        person=PersonId(person),
        source="review",
        work_item=f"w{next(_ITEMS)}",
        skills=(SkillTag(skill=Skill("rl")),),
        score=score,
        scale=Scale(low=0, high=1),
        day=AS_OF - timedelta(days=days_ago),
        reviewer=PersonId(reviewer) if reviewer else None,
    )


def sane(table: MeritTable) -> None:
    """Every number finite, every sd positive and within the prior."""
    for name in ("mean", "sd", "n_effective", "general_mean", "general_sd", "general_n_effective"):
        assert np.all(np.isfinite(getattr(table, name)))
    assert np.all(table.general_sd > 0) and np.all(table.general_sd <= table.prior_sd * (1 + 1e-12))
    assert np.all(table.sd > 0)


def test_an_organisation_of_one_fits_and_stays_at_the_average() -> None:
    model = MeritModel().fit([piece("ada", s) for s in (0.9, 0.8, 0.95)], as_of=AS_OF)
    sane(model.table_)
    # with nobody to compare against, 0.9 is simply the organisation's average
    assert model.table_.posterior(PersonId("ada"), GENERAL).mean == pytest.approx(0.0, abs=1e-9)


def test_a_single_piece_of_evidence_fits() -> None:
    model = MeritModel().fit([piece("ada", 0.7, "rex")], as_of=AS_OF)
    sane(model.table_)
    assert model.reviewers_.get(PersonId("rex")) is not None


def test_a_reviewer_who_reviewed_one_person_only_is_harmless() -> None:
    base = [
        piece("ada", 0.6, "rex"),
        piece("ben", 0.4, "rex"),
        piece("ada", 0.7),
        piece("ben", 0.3),
    ]
    alone = [*base, piece("ben", 0.05, "grump"), piece("ben", 0.1, "grump")]
    before, after = (
        MeritModel(noise_sd=0.1, general_sd=0.1, skill_sd=0.05).fit(e, as_of=AS_OF)
        for e in (base, alone)
    )
    sane(after.table_)
    lone = after.reviewers_.get(PersonId("grump"))
    assert lone is not None and np.isfinite(lone.sd)
    # a reviewer nobody else can be compared with tells nothing about Ben
    assert after.table_.general_mean == pytest.approx(before.table_.general_mean, abs=1e-9)


def test_one_person_with_all_the_evidence_among_newcomers() -> None:
    evidence = [
        piece("ada", s, r) for s, r in [(0.9, "rex"), (0.4, "sam"), (0.7, None), (0.6, "rex")]
    ]
    model = MeritModel().fit(evidence, as_of=AS_OF, people=[PersonId("ben"), PersonId("cy")])
    sane(model.table_)
    assert model.table_.people == ("ada", "ben", "cy")


def test_everything_reviewed_by_one_reviewer() -> None:
    evidence = [
        piece(p, s, "rex") for p, s in [("ada", 0.9), ("ben", 0.5), ("cy", 0.2), ("ada", 0.8)]
    ]
    model = MeritModel().fit(evidence, as_of=AS_OF)
    sane(model.table_)
    assert model.reviewers_.get(PersonId("rex")).leniency == pytest.approx(0.0)  # type: ignore[union-attr]


def test_nothing_reviewed_at_all() -> None:
    model = MeritModel().fit([piece("ada", 0.9), piece("ben", 0.2)], as_of=AS_OF)
    sane(model.table_)
    assert model.reviewers_.reviewers == ()


def test_ancient_evidence_weighs_almost_nothing_but_does_not_break_the_solve() -> None:
    evidence = [
        piece("ada", 0.9, "rex", days_ago=36500),
        piece("ben", 0.2, "sam"),
        piece("ada", 0.5, "sam"),
    ]
    model = MeritModel().fit(evidence, as_of=AS_OF)
    sane(model.table_)


def test_identical_scores_everywhere() -> None:
    evidence = [piece(p, 0.5, r) for p in ("ada", "ben") for r in ("rex", "sam", None)]
    model = MeritModel().fit(evidence, as_of=AS_OF)
    sane(model.table_)
    assert np.allclose(model.table_.general_mean, 0.0, atol=1e-9)


def test_no_evidence_at_all_gives_everyone_the_prior() -> None:
    model = MeritModel().fit([], as_of=AS_OF, people=[PersonId("ada")])
    assert model.table_.people == ("ada",)
    assert model.table_.posterior(PersonId("ada"), GENERAL).sd == model.table_.prior_sd
    assert model.explain(PersonId("ada")) == ()
    assert MeritModel().fit([], as_of=AS_OF).table_.people == ()



@pytest.mark.parametrize("years_later", [100, 1500])
def test_evidence_faded_beyond_recall_leaves_everyone_at_the_prior(years_later: int) -> None:
    # an as_of centuries after the evidence once underflowed every weight to zero and crashed
    evidence = [piece("ada", 0.9, "rex"), piece("ben", 0.4, "rex"), piece("cy", 0.6)]
    model = MeritModel().fit(evidence, as_of=AS_OF.replace(year=AS_OF.year + years_later))
    sane(model.table_)
    assert np.all(model.table_.general_mean == 0.0)
    assert np.all(model.table_.general_sd == model.table_.prior_sd)
    assert model.explain(PersonId("ada")) == ()
    assert model.n_evidence_ == 3
