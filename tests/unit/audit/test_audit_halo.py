"""Halo: a planted preference for senior people is found; leniency and chance are not halo."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mts.audit.halo import HaloReport, HaloRow, HaloSettings, halo_report
from mts.domain.errors import InvalidInput
from mts.domain.people import PersonId
from mts.domain.protected import ProtectedProfile

RUNS = 100


def reviews(
    seed: int,
    *,
    halo: float = 0.0,
    halo_reviewers: int = 0,
    reviewers: int = 20,
    per_reviewer: int = 25,
    people: int = 120,
    leniency_sd: float = 0.0,
) -> tuple[list[HaloRow], list[ProtectedProfile]]:
    """Residuals of ``reviewers`` x ``per_reviewer`` reviews; the first ``halo_reviewers`` add
    ``halo`` per level. Each person carries a shared error (their merit estimate is off), so
    reviews of one person are correlated, as in real residuals."""
    rng = np.random.default_rng(seed)
    level = rng.integers(1, 8, size=people)
    person_error = rng.normal(scale=0.3, size=people)
    rows: list[HaloRow] = []
    for r in range(reviewers):
        extra = halo if r < halo_reviewers else 0.0
        offset = rng.normal(scale=leniency_sd)
        for i in rng.choice(people, size=per_reviewer):
            residual = offset + extra * level[i] + person_error[i] + rng.normal()
            rows.append((PersonId(f"r{r:02d}"), PersonId(f"p{i:03d}"), float(residual)))
    profiles = [
        ProtectedProfile(person=PersonId(f"p{i:03d}"), level=int(v)) for i, v in enumerate(level)
    ]
    return rows, profiles


def report_of(rows: list[HaloRow], profiles: list[ProtectedProfile]) -> HaloReport:
    return halo_report(rows, profiles=profiles)


def test_a_halo_shared_by_every_reviewer_is_found_overall_in_at_least_90_percent() -> None:
    reports = [report_of(*reviews(s, halo=0.1, halo_reviewers=20)) for s in range(RUNS)]
    assert np.mean([r.overall.flagged and (r.overall.slope or 0) > 0 for r in reports]) >= 0.9


def test_one_reviewer_with_a_strong_halo_is_named_in_at_least_90_percent() -> None:
    reports = [
        report_of(*reviews(s, halo=0.5, halo_reviewers=1, per_reviewer=40)) for s in range(RUNS)
    ]
    assert np.mean([r.reviewers[0].flagged for r in reports]) >= 0.9


def test_without_halo_the_overall_flag_fires_at_most_10_percent_of_the_time() -> None:
    reports = [report_of(*reviews(s)) for s in range(RUNS)]
    assert np.mean([r.overall.flagged for r in reports]) <= 0.1


def test_without_halo_any_reviewer_is_flagged_in_at_most_10_percent_of_organisations() -> None:
    # 20 reviewers each: Holm's adjustment keeps the chance of any false name near alpha.
    reports = [report_of(*reviews(s)) for s in range(RUNS)]
    assert np.mean([any(e.flagged for e in r.reviewers) for r in reports]) <= 0.1


def test_a_lenient_reviewer_is_not_mistaken_for_a_halo() -> None:
    reports = [report_of(*reviews(s, leniency_sd=2.0)) for s in range(RUNS)]
    assert np.mean([r.overall.flagged for r in reports]) <= 0.1


def test_slope_is_the_within_reviewer_least_squares_slope() -> None:
    levels = {PersonId(f"p{i}"): i % 5 + 1 for i in range(10)}
    rows = [
        (PersonId(r), person, offset + 0.2 * level + 0.01 * ((i * 7) % 3))
        for r, offset in (("a", 1.0), ("b", -2.0))
        for i, (person, level) in enumerate(levels.items())
    ]
    profiles = [ProtectedProfile(person=p, level=v) for p, v in levels.items()]
    report = halo_report(rows, profiles=profiles)
    x = np.array([levels[person] for _, person, _ in rows[:10]], dtype=float)
    y = np.array([residual for _, _, residual in rows[:10]])
    overall, first = report.overall, report.reviewers[0]
    assert first.slope == pytest.approx(np.polyfit(x, y, 1)[0])
    assert overall.slope == pytest.approx(0.2, abs=0.01)  # leniency offsets removed
    assert overall.ci_low is not None and overall.ci_high is not None
    assert overall.ci_low < 0.2 < overall.ci_high


def test_a_reviewer_with_too_few_reviews_is_not_judged() -> None:
    rows, profiles = reviews(0, reviewers=2, per_reviewer=3)
    report = halo_report(rows, profiles=profiles)
    assert all(e.slope is None and not e.flagged for e in report.reviewers)
    assert report.reviewers[0].verdict.startswith("too little to judge reviewer r00")


def test_reviews_of_people_without_a_level_are_left_out_and_counted() -> None:
    rows, profiles = reviews(0)
    unlevelled = {p.person for p in profiles[:30]}
    report = halo_report(rows, profiles=profiles[30:])
    assert report.reviews_without_level == sum(row[1] in unlevelled for row in rows)
    assert report.overall.reviews == len(rows) - report.reviews_without_level


def test_verdicts_read_in_plain_words() -> None:
    flagged = report_of(*reviews(3, halo=0.5, halo_reviewers=20))
    assert flagged.overall.verdict.startswith(
        "reviewers score higher-level people higher at equal merit (+0."
    )
    clean = report_of(*reviews(3))
    assert clean.overall.verdict.startswith(
        "no evidence that reviewers score by level at equal merit"
    )
    assert "adjusted p=" in clean.reviewers[0].verdict


def test_report_is_json_ready_and_deterministic() -> None:
    rows, profiles = reviews(4)
    assert halo_report(rows, profiles=profiles) == halo_report(rows, profiles=profiles)
    json.dumps(halo_report(rows, profiles=profiles).to_dict())


def test_settings_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidInput, match="confidence"):
        halo_report([], profiles=[], settings=HaloSettings(confidence=1.5))


def test_no_reviews_give_an_unjudged_report() -> None:
    report = halo_report([], profiles=[])
    assert report.overall.slope is None and report.reviewers == () and not report.flagged
