"""Properties the merit engine promises, checked on random small organisations.

* A favourable piece of evidence (scored above what the model expects) never
  lowers the person's mean on its skill, and one scored exactly as expected
  changes nothing (variances held fixed, so only the evidence moves).
* Shifting all of one reviewer's scores by a constant changes nobody's mean.
* Evidence one half-life old weighs exactly half.
* A person with no evidence gets exactly the prior.
* The same inputs give the same output, bit for bit.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import PersonId, Skill
from mts.merit.model import MeritModel
from mts.merit.table import GENERAL, MeritTable

AS_OF = date(2026, 3, 1)
SCALE = Scale(low=0, high=100)
FIXED = {"noise_sd": 0.15, "general_sd": 0.1, "skill_sd": 0.07}


@st.composite
def organisations(
    draw: st.DrawFn, *, one_skill: bool = False, max_rows: int = 14
) -> list[Evidence]:
    """Up to 4 people, 3 reviewers crossing 2 sources, 3 skills; scores 30..70 of 0..100."""
    people = draw(st.integers(1, 4))
    reviewers = draw(st.integers(0, 3))
    evidence = []
    for i in range(draw(st.integers(1, max_rows))):
        reviewer = draw(st.integers(-1, reviewers - 1))
        n_tags = 1 if one_skill else draw(st.integers(1, 2))
        tags = draw(st.lists(st.integers(0, 2), min_size=n_tags, max_size=n_tags))
        evidence.append(
            Evidence(
                person=PersonId(f"p{draw(st.integers(0, people - 1))}"),
                source=draw(st.sampled_from(["review", "design"])),
                work_item=f"w{i}",
                skills=tuple(SkillTag(skill=Skill(f"s{s}"), weight=1.0 + s) for s in tags),
                score=draw(st.floats(30, 70)),
                scale=SCALE,
                day=AS_OF - timedelta(days=draw(st.integers(0, 700))),
                reviewer=PersonId(f"r{reviewer}") if reviewer >= 0 else None,
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
            )
        )
    return evidence


def _fixed_fit(evidence: list[Evidence]) -> MeritTable:
    return MeritModel(**FIXED).fit(evidence, as_of=AS_OF).table_


def _new_piece(data: st.DataObject, evidence: list[Evidence]) -> Evidence:
    """One more single-skill piece for someone already there, with a reviewer they may share."""
    people = sorted({e.person for e in evidence})
    reviewers = [*sorted({e.reviewer for e in evidence if e.reviewer}), None]
    return Evidence(
        person=data.draw(st.sampled_from(people)),
        source=data.draw(st.sampled_from(["review", "design"])),
        work_item="new",
        skills=(SkillTag(skill=Skill(f"s{data.draw(st.integers(0, 2))}")),),
        score=0.0,
        scale=SCALE,
        day=AS_OF - timedelta(days=data.draw(st.integers(0, 700))),
        reviewer=data.draw(st.sampled_from(reviewers)),
        weight=data.draw(st.sampled_from([0.5, 1.0, 2.0])),
    )


def _expected(evidence: list[Evidence], piece: Evidence) -> float | None:
    model = MeritModel(**FIXED).fit(evidence, as_of=AS_OF)
    skills = {t.skill: t.weight for t in piece.skills}
    return model.expected_score(piece.person, skills, source=piece.source, reviewer=piece.reviewer)


@settings(max_examples=80, deadline=None)
@given(organisations(one_skill=True), st.data())
def test_favourable_evidence_never_lowers_the_persons_mean_on_its_skill(
    evidence: list[Evidence], data: st.DataObject
) -> None:
    piece = _new_piece(data, evidence)
    expected = _expected(evidence, piece)
    floor = 0.0 if expected is None else min(max(expected, 0.0), 1.0)
    score = data.draw(st.floats(floor, 1.0)) * 100
    before = _fixed_fit(evidence)
    after = _fixed_fit([*evidence, dataclasses.replace(piece, score=score)])
    skill = piece.skills[0].skill
    assert (
        after.posterior(piece.person, skill).mean
        >= before.posterior(piece.person, skill).mean - 1e-9
    )


@settings(max_examples=60, deadline=None)
@given(organisations(), st.data())
def test_evidence_scored_exactly_as_expected_changes_no_mean(
    evidence: list[Evidence], data: st.DataObject
) -> None:
    piece = _new_piece(data, evidence)
    expected = _expected(evidence, piece)
    assume(expected is not None and 0.0 <= expected <= 1.0)
    assert expected is not None
    before = _fixed_fit(evidence)
    after = _fixed_fit([*evidence, dataclasses.replace(piece, score=expected * 100)])
    for person in before.people:
        for skill in (GENERAL, *after.skills):
            assert (
                abs(after.posterior(person, skill).mean - before.posterior(person, skill).mean)
                < 1e-9
            )


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(0, 2), st.floats(-25, 25))
def test_shifting_one_reviewers_scores_changes_no_persons_mean(
    evidence: list[Evidence], which: int, shift: float
) -> None:
    reviewer = PersonId(f"r{which}")
    shifted = [
        dataclasses.replace(e, score=e.score + shift) if e.reviewer == reviewer else e
        for e in evidence
    ]
    before = MeritModel().fit(evidence, as_of=AS_OF).table_
    after = MeritModel().fit(shifted, as_of=AS_OF).table_
    assert np.allclose(after.mean, before.mean, atol=1e-7)
    assert np.allclose(after.general_mean, before.general_mean, atol=1e-7)
    assert np.allclose(after.sd, before.sd, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(0, 13), st.integers(1, 1000))
def test_evidence_one_half_life_old_weighs_half(
    evidence: list[Evidence], which: int, half_life: int
) -> None:
    assume(which < len(evidence))
    old = dataclasses.replace(evidence[which], day=AS_OF - timedelta(days=half_life))
    fresh_half = dataclasses.replace(evidence[which], day=AS_OF, weight=evidence[which].weight / 2)
    fit = [
        MeritModel(half_life_days=half_life).fit(
            [*evidence[:which], piece, *evidence[which + 1 :]], as_of=AS_OF
        )
        for piece in (old, fresh_half)
    ]
    for name in ("mean", "sd", "n_effective", "general_mean", "general_sd", "general_n_effective"):
        assert np.array_equal(getattr(fit[0].table_, name), getattr(fit[1].table_, name))


@settings(max_examples=40, deadline=None)
@given(organisations())
def test_newcomer_without_evidence_gets_exactly_the_prior(evidence: list[Evidence]) -> None:
    model = MeritModel().fit(evidence, as_of=AS_OF, people=[PersonId("newcomer")])
    table = model.table_
    general = table.posterior(PersonId("newcomer"), GENERAL)
    assert (general.mean, general.sd, general.n_effective) == (0.0, table.prior_sd, 0.0)
    for skill in table.skills:
        row = table.posterior(PersonId("newcomer"), skill)
        assert (row.mean, row.n_effective) == (0.0, 0.0)
        assert row.sd == float(np.hypot(table.prior_sd, table.skill_prior_sd))


@settings(max_examples=30, deadline=None)
@given(organisations())
def test_the_same_inputs_give_the_same_output_bit_for_bit(evidence: list[Evidence]) -> None:
    first, second = (MeritModel().fit(list(evidence), as_of=AS_OF) for _ in range(2))
    for name in ("mean", "sd", "n_effective", "general_mean", "general_sd", "general_n_effective"):
        assert getattr(first.table_, name).tobytes() == getattr(second.table_, name).tobytes()
    assert first.reviewers_.leniency.tobytes() == second.reviewers_.leniency.tobytes()
    assert first.reviewers_.sd.tobytes() == second.reviewers_.sd.tobytes()
    assert first.hyperparameters_ == second.hyperparameters_


@settings(max_examples=40, deadline=None)
@given(organisations())
def test_contributions_of_a_persons_evidence_add_up_to_their_mean(evidence: list[Evidence]) -> None:
    model = MeritModel().fit(evidence, as_of=AS_OF)
    for person in model.table_.people:
        for skill in (GENERAL, *model.table_.skills):
            total = sum(c.contribution for c in model.explain(person, skill, top=len(evidence)))
            assert abs(total - model.table_.posterior(person, skill).mean) < 1e-9


@settings(max_examples=40, deadline=None)
@given(organisations())
def test_evidence_never_widens_an_interval_beyond_the_prior(evidence: list[Evidence]) -> None:
    table = MeritModel().fit(evidence, as_of=AS_OF).table_
    assert np.all(table.general_sd <= table.prior_sd * (1 + 1e-12))
    assert np.all(table.sd <= np.hypot(table.prior_sd, table.skill_prior_sd) * (1 + 1e-12))
