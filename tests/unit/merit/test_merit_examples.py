"""Worked examples of the merit engine: small organisations whose answer is known by hand."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import PersonId, Skill
from mts.merit.columns import EvidenceColumns
from mts.merit.model import MeritModel
from mts.merit.table import GENERAL

AS_OF = date(2026, 3, 1)
RL, EVALS = Skill("rl"), Skill("evals")
_ITEMS = itertools.count()


def piece(
    person: str,
    score: float,
    *,
    reviewer: str | None = None,
    skills: tuple[tuple[Skill, float], ...] = ((RL, 1.0),),
    item: str | None = None,
    days_ago: int = 0,
    weight: float = 1.0,
    scale: tuple[float, float] = (0.0, 1.0),
    source: str = "review",
) -> Evidence:
    """One piece of evidence; the work item defaults to a unique name."""
    return Evidence(
        person=PersonId(person),
        source=source,
        work_item=item or f"w{next(_ITEMS)}",
        skills=tuple(SkillTag(skill=s, weight=w) for s, w in skills),
        score=score,
        scale=Scale(low=scale[0], high=scale[1]),
        day=AS_OF - timedelta(days=days_ago),
        reviewer=PersonId(reviewer) if reviewer else None,
        weight=weight,
    )


def fit(evidence: list[Evidence], **settings: float) -> MeritModel:
    """Fit with the given settings as of ``AS_OF``."""
    return MeritModel(**settings).fit(evidence, as_of=AS_OF)  # type: ignore[arg-type]


FIXED = {"noise_sd": 0.1, "general_sd": 0.1, "skill_sd": 0.05}


def test_newcomer_without_evidence_gets_the_prior_mean_and_sd() -> None:
    model = fit([piece("ada", 0.8), piece("ben", 0.4)], **FIXED)
    model.fit([piece("ada", 0.8), piece("ben", 0.4)], as_of=AS_OF, people=[PersonId("new")])
    new = model.table_.posterior(PersonId("new"), GENERAL)
    assert (new.mean, new.sd, new.n_effective) == (0.0, 0.1, 0.0)
    assert model.table_.posterior(PersonId("new"), RL).sd == pytest.approx(np.hypot(0.1, 0.05))
    assert model.table_.has_person(PersonId("new"))


def test_people_who_only_review_are_not_rated() -> None:
    model = fit([piece("ada", 0.8, reviewer="rex"), piece("ben", 0.4, reviewer="rex")])
    assert model.table_.people == ("ada", "ben")
    assert not model.table_.has_person(PersonId("rex"))
    assert model.reviewers_.reviewers == ("rex",)


def test_planted_reviewer_leniency_is_recovered_and_removed() -> None:
    ability = {"ada": 0.15, "ben": 0.05, "cy": -0.05, "dee": -0.15}
    leniency = {"soft": 0.1, "fair": 0.0, "hard": -0.1}
    evidence = [
        piece(p, 0.5 + a + b, reviewer=r, item=f"{p}-{r}-{i}")
        for p, a in ability.items()
        for r, b in leniency.items()
        for i in range(3)
    ]
    model = fit(evidence)
    found = {row.reviewer: row.leniency for row in model.reviewers_.rows()}
    assert found == pytest.approx(leniency, abs=1e-9)
    means = [model.table_.posterior(PersonId(p), GENERAL).mean for p in ability]
    assert means == sorted(means, reverse=True)


def test_a_harsh_reviewer_costs_nobody_anything() -> None:
    """Ada and Ben do equal work; only Ada meets the harsh reviewer, who also reviews Cy."""
    evidence = [
        piece("ada", 0.7, reviewer="shared"),
        piece("ben", 0.7, reviewer="shared"),
        piece("ada", 0.4, reviewer="harsh"),
        piece("ben", 0.7, reviewer="kind"),
        piece("cy", 0.4, reviewer="harsh"),
        piece("cy", 0.7, reviewer="kind"),
    ]
    table = fit(evidence, **FIXED).table_
    ada, ben = (table.posterior(PersonId(p), GENERAL).mean for p in ("ada", "ben"))
    assert ada == pytest.approx(ben, abs=1e-9)


def test_naive_averages_would_punish_the_person_the_harsh_reviewer_judged() -> None:
    evidence = [
        piece("ada", 0.4, reviewer="harsh"),
        piece("cy", 0.4, reviewer="harsh"),
        piece("cy", 0.8, reviewer="kind"),
        piece("ben", 0.8, reviewer="kind"),
    ]
    table = fit(evidence, **FIXED).table_
    ada, ben = (table.posterior(PersonId(p), GENERAL).mean for p in ("ada", "ben"))
    assert ada == pytest.approx(ben, abs=1e-9)


def test_recent_evidence_counts_more_than_old() -> None:
    evidence = [piece("ada", 0.9, days_ago=730), piece("ada", 0.3), piece("ben", 0.6)]
    table = fit(evidence, half_life_days=365, **FIXED).table_
    assert table.posterior(PersonId("ada"), GENERAL).mean < 0


def test_n_effective_counts_decayed_weighted_skill_shares() -> None:
    evidence = [
        piece("ada", 0.7, skills=((RL, 2.0), (EVALS, 1.0))),
        piece("ada", 0.5, days_ago=100, weight=2.0),
    ]
    table = fit(evidence, half_life_days=100).table_
    assert table.posterior(PersonId("ada"), GENERAL).n_effective == pytest.approx(2.0)
    assert table.posterior(PersonId("ada"), RL).n_effective == pytest.approx(2 / 3 + 1.0)
    assert table.posterior(PersonId("ada"), EVALS).n_effective == pytest.approx(1 / 3)


def test_scores_on_different_scales_mean_the_same_after_normalising() -> None:
    unit = [piece("ada", 0.75, item="a"), piece("ben", 0.25, item="b"), piece("cy", 0.5, item="c")]
    points = [piece(e.person, 1 + 4 * e.score, item=e.work_item, scale=(1, 5)) for e in unit]
    first, second = fit(unit).table_, fit(points).table_
    assert np.allclose(first.mean, second.mean, atol=1e-12)
    assert np.allclose(first.sd, second.sd, atol=1e-12)


def test_objects_and_columns_give_the_same_fit() -> None:
    evidence = [
        piece("ada", 0.7, reviewer="rex", skills=((RL, 2.0), (EVALS, 1.0))),
        piece("ben", 0.4, reviewer="rex", days_ago=40),
        piece("ben", 0.6, source="ci", weight=2.0),
    ]
    direct = fit(evidence)
    columns = fit(EvidenceColumns.from_evidence(evidence))  # type: ignore[arg-type]
    assert np.array_equal(direct.table_.mean, columns.table_.mean)
    assert np.array_equal(direct.table_.sd, columns.table_.sd)


def test_a_skill_without_evidence_falls_back_to_general_execution() -> None:
    table = fit([piece("ada", 0.8), piece("ben", 0.4, skills=((EVALS, 1.0),))], **FIXED).table_
    general = table.posterior(PersonId("ada"), GENERAL)
    evals = table.posterior(PersonId("ada"), EVALS)
    assert evals.mean == pytest.approx(general.mean)
    assert evals.sd == pytest.approx(np.hypot(general.sd, 0.05))
    assert evals.n_effective == 0.0


def test_keys_are_the_mean_minus_and_plus_k_sds() -> None:
    model = fit([piece("ada", 0.8), piece("ben", 0.4)], k=1.5, **FIXED)
    row = model.table_.posterior(PersonId("ada"), RL)
    assert model.conservative(PersonId("ada"), RL) == pytest.approx(row.mean - 1.5 * row.sd)
    assert model.optimistic(PersonId("ada"), RL) == pytest.approx(row.mean + 1.5 * row.sd)
    assert np.allclose(model.conservative_, model.table_.mean - 1.5 * model.table_.sd)
    assert np.allclose(model.optimistic_, model.table_.mean + 1.5 * model.table_.sd)


def test_explain_names_the_evidence_that_moved_the_estimate_most() -> None:
    evidence = [
        piece("ada", 0.95, reviewer="rex", item="big-win"),
        piece("ada", 0.55, reviewer="rex", item="ordinary"),
        piece("ada", 0.05, item="outage", days_ago=60),
        piece("ben", 0.5, reviewer="rex", item="ben-1"),
        piece("ben", 0.5, item="ben-2"),
    ]
    model = fit(evidence, **FIXED)
    top = model.explain(PersonId("ada"), top=2)
    assert [c.work_item for c in top] == ["big-win", "outage"]
    assert top[0].contribution > 0 > top[1].contribution
    outage = evidence[2]
    assert (top[1].key, top[1].reviewer, top[1].day, top[1].row) == (
        outage.key,
        None,
        outage.day,
        3,
    )
    assert top[0].reviewer == "rex"
    everything = model.explain(PersonId("ada"), top=10)
    assert sum(c.contribution for c in everything) == pytest.approx(model.table_.general_mean[0])
    assert model.explain(PersonId("nobody")) == ()


def test_expected_score_is_the_cell_level_plus_the_persons_mix() -> None:
    evidence = [piece("ada", 0.8, reviewer="rex"), piece("ben", 0.4, reviewer="rex")]
    model = fit(evidence, **FIXED)
    expected = model.expected_score(
        PersonId("ada"), {RL: 1.0}, source="review", reviewer=PersonId("rex")
    )
    assert expected is not None and 0.4 < expected < 0.8
    assert model.expected_score(PersonId("ada"), {RL: 1.0}, source="review") is None
    assert (
        model.expected_score(PersonId("ada"), {RL: 1.0}, source="ci", reviewer=PersonId("rex"))
        is None
    )


def test_fixed_variances_are_used_as_given() -> None:
    model = fit([piece("ada", 0.8), piece("ben", 0.4)], **FIXED)
    h = model.hyperparameters_
    assert (h.noise_sd, h.general_sd, h.skill_sd, h.estimated) == (0.1, 0.1, 0.05, ())


def test_source_means_are_what_an_average_person_scores_there() -> None:
    evidence = [piece("ada", 0.8, source="ci"), piece("ben", 0.4, source="ci")]
    model = fit([*evidence, piece("ada", 0.9, reviewer="rex"), piece("ben", 0.5, reviewer="rex")])
    assert model.source_means_["ci"] == pytest.approx(0.6, abs=1e-9)
    assert model.source_means_["review"] == pytest.approx(0.7, abs=1e-9)
