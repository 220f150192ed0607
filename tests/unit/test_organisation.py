"""The synthetic organisation: realistic, reproducible, and its truth kept apart."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pytest

from mts.sim.organisation import generate_organisation

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def org():  # type: ignore[no-untyped-def]
    return generate_organisation(people=600, seed=3, as_of=AS_OF)


def test_same_seed_gives_the_same_organisation() -> None:
    a = generate_organisation(people=80, seed=11, as_of=AS_OF)
    b = generate_organisation(people=80, seed=11, as_of=AS_OF)
    assert a == b
    assert a.evidence != generate_organisation(people=80, seed=12, as_of=AS_OF).evidence


def test_six_coarse_departments_and_about_thirty_skills(org) -> None:  # type: ignore[no-untyped-def]
    assert [d.name for d in org.departments][:2] == ["Research", "Data Science"]
    assert len(org.departments) == 6
    assert len(org.skills) == 30
    assert set(Counter(p.department for p in org.people)) == {d.id for d in org.departments}


def test_about_one_project_per_fifteen_people_with_lead_and_member_roles(org) -> None:  # type: ignore[no-untyped-def]
    assert len(org.projects) == 600 // 15
    kinds = Counter((r.project, r.kind) for r in org.roles)
    for project in org.projects:
        assert kinds[(project.id, "lead")] == 1
        assert kinds[(project.id, "member")] >= 1


def test_levels_follow_ability_only_loosely(org) -> None:  # type: ignore[no-untyped-def]
    levels = np.array([p.level for p in org.profiles], dtype=float)
    ability = np.array([org.general_ability[p.id] for p in org.people])
    correlation = np.corrcoef(levels, ability)[0, 1]
    assert 0.0 < correlation < 0.35


def test_tenure_mix_includes_new_graduates_leavers_and_boomerangs(org) -> None:  # type: ignore[no-untyped-def]
    recent = sum((AS_OF - p.joined).days < 365 for p in org.people)
    assert recent > 0.1 * len(org.people)
    assert sum(p.prior_employer is None for p in org.profiles) > 0
    assert 0 < sum(p.left is not None for p in org.people) < 0.25 * len(org.people)
    assert any(p.is_boomerang for p in org.people)


def test_evidence_spans_eight_quarters_and_only_while_people_are_on_staff(org) -> None:  # type: ignore[no-untyped-def]
    people = {p.id: p for p in org.people}
    days = [e.day for e in org.evidence]
    assert (AS_OF - min(days)).days > 7 * 91 and max(days) <= AS_OF
    assert all(people[e.person].is_active(e.day) for e in org.evidence)
    assert all(e.reviewer != e.person for e in org.evidence)


def test_most_reviews_come_from_the_persons_own_team_reviewers(org) -> None:  # type: ignore[no-untyped-def]
    pairs = Counter((e.person, e.reviewer) for e in org.evidence)
    per_person: dict[str, set[str | None]] = {}
    for person, reviewer in pairs:
        per_person.setdefault(person, set()).add(reviewer)
    busy = [len(r) for p, r in per_person.items() if sum(pairs[(p, x)] for x in r) >= 15]
    assert busy and np.median(busy) <= 6


def test_reviewer_leniency_is_half_the_ability_spread(org) -> None:  # type: ignore[no-untyped-def]
    assert 0.3 < np.std(list(org.leniency.values())) < 0.7


def test_hidden_truth_covers_everyone_and_every_skill(org) -> None:  # type: ignore[no-untyped-def]
    assert len(org.truth) == len(org.people) * len(org.skills)


def test_every_project_has_groundwork_by_its_proposer(org) -> None:  # type: ignore[no-untyped-def]
    by_project = {g.project: g.person for g in org.groundwork}
    assert all(by_project[p.id] == p.proposer for p in org.projects)


def test_organisation_of_one_is_possible() -> None:
    tiny = generate_organisation(people=1, seed=0, as_of=AS_OF)
    assert len(tiny.people) == 1 and len(tiny.projects) == 1
