"""The engine's block elimination against a dense, textbook posterior on small organisations.

The reference builds the full design matrix ``X`` (``g_p``, every ``d_ps``,
one flat level per source-and-reviewer cell), inverts ``X' W X / sigma^2 +
prior`` with numpy, and reads means and sds off it. The engine must agree to
round-off: its sds are exact, not approximated.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import PersonId, Skill
from mts.merit.model import MeritModel

AS_OF = date(2026, 3, 1)
NOISE, GENERAL, SKILL, HALF_LIFE = 0.13, 0.11, 0.06, 200.0


@st.composite
def organisations(draw: st.DrawFn) -> list[Evidence]:
    """Up to 5 people, 3 reviewers (crossing 2 sources), 3 skills, 25 pieces of evidence."""
    people = draw(st.integers(1, 5))
    reviewers = draw(st.integers(0, 3))
    n = draw(st.integers(1, 25))
    evidence = []
    for i in range(n):
        reviewer = draw(st.integers(-1, reviewers - 1))
        tags = draw(
            st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=2)
        )
        evidence.append(
            Evidence(
                person=PersonId(f"p{draw(st.integers(0, people - 1))}"),
                source=draw(st.sampled_from(["review", "design"])),
                work_item=f"w{i}",
                skills=tuple(SkillTag(skill=Skill(f"s{s}"), weight=float(w)) for s, w in tags),
                score=draw(st.floats(1, 5)),
                scale=Scale(low=1, high=5),
                day=AS_OF - timedelta(days=draw(st.integers(0, 700))),
                reviewer=PersonId(f"r{reviewer}") if reviewer >= 0 else None,
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
            )
        )
    return evidence


class Dense:
    """The posterior of the merit model computed the slow, obvious way."""

    def __init__(self, evidence: list[Evidence]) -> None:
        self.people = sorted({e.person for e in evidence})
        self.skills = sorted({t.skill for e in evidence for t in e.skills})
        self.cells = sorted({(e.source, e.reviewer or "") for e in evidence})
        p, k = len(self.people), len(self.skills)
        x = np.zeros((len(evidence), p + p * k + len(self.cells)))
        for row, e in enumerate(evidence):
            i = self.people.index(e.person)
            x[row, i] = 1.0
            total = sum(t.weight for t in e.skills)
            for t in e.skills:
                x[row, p + i * k + self.skills.index(t.skill)] += t.weight / total
            x[row, p + p * k + self.cells.index((e.source, e.reviewer or ""))] = 1.0
        age = np.array([(AS_OF - e.day).days for e in evidence], dtype=float)
        self.omega = np.array([e.weight for e in evidence]) * 2.0 ** (-age / HALF_LIFE)
        y = np.array([e.scale.normalise(e.score) for e in evidence])
        prior = np.r_[
            np.full(p, 1 / GENERAL**2), np.full(p * k, 1 / SKILL**2), np.zeros(len(self.cells))
        ]
        precision = x.T @ (x * (self.omega / NOISE**2)[:, None]) + np.diag(prior)
        self.cov = np.linalg.inv(precision)
        self.mean = self.cov @ (x.T @ (self.omega / NOISE**2 * y))
        self.x, self.evidence, self.p, self.k = x, evidence, p, k

    def theta(self, i: int, j: int) -> tuple[float, float]:
        """Mean and sd of ``g_i + d_ij``."""
        pick = np.zeros(self.mean.size)
        pick[i] = pick[self.p + i * self.k + j] = 1.0
        return float(pick @ self.mean), float(np.sqrt(pick @ self.cov @ pick))

    def leniency(self, reviewer: str) -> tuple[float, float]:
        """Weighted mean over the reviewer's cells of (cell - its source's average reviewer)."""
        weight = self.x[:, self.p + self.p * self.k :].T @ self.omega
        pick = np.zeros(self.mean.size)
        own = [c for c, (_, r) in enumerate(self.cells) if r == reviewer]
        for c in own:
            source = self.cells[c][0]
            peers = [d for d, (s, r) in enumerate(self.cells) if s == source and r]
            share = weight[c] / weight[own].sum()
            pick[self.p + self.p * self.k + c] += share
            for d in peers:
                pick[self.p + self.p * self.k + d] -= share * weight[d] / weight[peers].sum()
        return float(pick @ self.mean), float(np.sqrt(pick @ self.cov @ pick))


def _fit(evidence: list[Evidence]) -> MeritModel:
    model = MeritModel(half_life_days=HALF_LIFE, noise_sd=NOISE, general_sd=GENERAL, skill_sd=SKILL)
    return model.fit(evidence, as_of=AS_OF)


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_means_and_sds_equal_the_dense_posterior(evidence: list[Evidence]) -> None:
    dense, table = Dense(evidence), _fit(evidence).table_
    assert list(table.people) == dense.people
    assert list(table.skills) == dense.skills
    for i in range(dense.p):
        for j in range(dense.k):
            mean, sd = dense.theta(i, j)
            assert abs(table.mean[i, j] - mean) < 1e-8
            assert abs(table.sd[i, j] - sd) < 1e-8
        assert abs(table.general_mean[i] - dense.mean[i]) < 1e-8
        assert abs(table.general_sd[i] - np.sqrt(dense.cov[i, i])) < 1e-8


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_leniencies_and_their_sds_equal_the_dense_posterior(evidence: list[Evidence]) -> None:
    dense, reviewers = Dense(evidence), _fit(evidence).reviewers_
    assert set(reviewers.reviewers) == {e.reviewer for e in evidence if e.reviewer}
    for row in reviewers.rows():
        mean, sd = dense.leniency(row.reviewer)
        assert abs(row.leniency - mean) < 1e-8
        assert abs(row.sd - sd) < 1e-8
