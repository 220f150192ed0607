"""Empirical Bayes variances: recovered from data, defaults for thin data, close to exact EB."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from mts.domain.people import PersonId, Skill
from mts.merit.columns import EvidenceColumns
from mts.merit.hyper import DEFAULTS, NU
from mts.merit.model import MeritModel

AS_OF = date(2026, 3, 1)
NOISE, GENERAL, SKILL = 0.12, 0.10, 0.05


def organisation(people: int, reviewers: int, rows: int, seed: int) -> EvidenceColumns:
    """Evidence drawn from the model itself: one or two skills of four, reviewers at random."""
    rng = np.random.default_rng(seed)
    g, d = rng.normal(0, GENERAL, people), rng.normal(0, SKILL, (people, 4))
    leniency = rng.normal(0, 0.05, reviewers)
    person = rng.integers(0, people, rows)
    reviewer = rng.integers(0, reviewers, rows)
    n_tags = rng.integers(1, 3, rows)
    indptr = np.r_[0, np.cumsum(n_tags)]
    skill = rng.integers(0, 4, indptr[-1])
    tag_row = np.repeat(np.arange(rows), n_tags)
    share = 1.0 / n_tags[tag_row]
    theta = g[person] + np.bincount(tag_row, share * d[person[tag_row], skill], minlength=rows)
    score = 0.5 + theta + leniency[reviewer] + rng.normal(0, NOISE, rows)
    return EvidenceColumns(
        people=tuple(PersonId(f"p{i}") for i in range(people)),
        reviewers=tuple(PersonId(f"r{i}") for i in range(reviewers)),
        skills=tuple(Skill(f"s{i}") for i in range(4)),
        sources=("review",),
        person=person,
        reviewer=reviewer,
        source=np.zeros(rows),
        skill_indptr=indptr,
        skill_code=skill,
        skill_weight=np.ones(indptr[-1]),
        score=np.clip(score, 0, 1),
        day=np.full(rows, AS_OF.toordinal()),
        weight=np.ones(rows),
    )


def test_variances_are_recovered_from_a_sizeable_organisation() -> None:
    h = MeritModel().fit(organisation(400, 20, 12_000, seed=1), as_of=AS_OF).hyperparameters_
    assert h.converged
    assert h.noise_sd == pytest.approx(NOISE, rel=0.05)
    assert h.general_sd == pytest.approx(GENERAL, rel=0.15)
    assert h.skill_sd == pytest.approx(SKILL, rel=0.3)


def test_thin_data_fall_back_towards_the_defaults() -> None:
    h = MeritModel().fit(organisation(2, 1, 3, seed=2), as_of=AS_OF).hyperparameters_
    assert h.general_sd == pytest.approx(np.sqrt(DEFAULTS.general), rel=0.3)
    assert h.skill_sd == pytest.approx(np.sqrt(DEFAULTS.skill), rel=0.3)
    assert np.isfinite(h.noise_sd) and h.noise_sd > 0


def test_fixing_one_variance_leaves_the_others_estimated() -> None:
    h = (
        MeritModel(skill_sd=0.2)
        .fit(organisation(100, 5, 2_000, seed=3), as_of=AS_OF)
        .hyperparameters_
    )
    assert h.skill_sd == 0.2
    assert h.estimated == ("noise", "general")


def _exact_evidence_updates(
    columns: EvidenceColumns, start: tuple[float, float, float]
) -> tuple[float, float, float]:
    """The fixed point of MacKay's updates with the full dense posterior (calibration included)."""
    n, p, k = columns.n_rows, len(columns.people), len(columns.skills)
    cells = np.unique(columns.reviewer)
    x = np.zeros((n, p + p * k + cells.size))
    x[np.arange(n), columns.person] = 1.0
    tag_row = np.repeat(np.arange(n), np.diff(columns.skill_indptr))
    share = 1.0 / np.diff(columns.skill_indptr)[tag_row]
    np.add.at(x, (tag_row, p + columns.person[tag_row] * k + columns.skill_code), share)
    x[np.arange(n), p + p * k + np.searchsorted(cells, columns.reviewer)] = 1.0
    y = columns.score
    xtx, xty = x.T @ x, x.T @ y
    noise, general, skill = (sd**2 for sd in start)
    for _ in range(300):
        before = (noise, general, skill)
        prior = np.r_[np.full(p, 1 / general), np.full(p * k, 1 / skill), np.zeros(cells.size)]
        cov = np.linalg.inv(xtx / noise + np.diag(prior))
        mean = cov @ xty / noise
        var = np.diag(cov)
        gamma_g = np.sum(1 - var[:p] / general)
        gamma_s = np.sum(1 - var[p : p + p * k] / skill)
        rss = float(np.sum((y - x @ mean) ** 2))
        noise = (rss + NU * DEFAULTS.noise) / (n - gamma_g - gamma_s - cells.size + NU)
        general = (np.sum(mean[:p] ** 2) + NU * DEFAULTS.general) / (gamma_g + NU)
        skill = (np.sum(mean[p : p + p * k] ** 2) + NU * DEFAULTS.skill) / (gamma_s + NU)
        if np.allclose(before, (noise, general, skill), rtol=1e-7, atol=0):
            break
    return float(np.sqrt(noise)), float(np.sqrt(general)), float(np.sqrt(skill))


def test_updates_given_the_calibration_land_close_to_exact_empirical_bayes() -> None:
    columns = organisation(30, 4, 500, seed=4)
    h = MeritModel(tol=1e-6, max_iter=500).fit(columns, as_of=AS_OF).hyperparameters_
    noise, general, skill = _exact_evidence_updates(columns, (h.noise_sd, h.general_sd, h.skill_sd))
    assert h.noise_sd == pytest.approx(noise, rel=0.01)
    assert h.general_sd == pytest.approx(general, rel=0.03)
    assert h.skill_sd == pytest.approx(skill, rel=0.05)
