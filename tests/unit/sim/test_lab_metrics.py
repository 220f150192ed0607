"""What the lab measures: plan value, merit error, newcomer shares, summaries, targets, report."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mts.domain.people import PersonId, Skill
from mts.domain.projects import ProjectId, Role, RoleId, RoleKind, SkillNeed
from mts.sim.assumptions import LabSettings
from mts.sim.lab import run_lab
from mts.sim.metrics import (
    QuarterMetrics,
    merit_error,
    plan_value,
    rank_correlation,
    role_weights,
    summarise,
    targets,
    top_share,
)
from mts.sim.policies import truth_table
from mts.sim.report import render_html
from mts.sim.sweep import SweepResult

A, B = Skill("a"), Skill("b")


def _role(name: str, kind: RoleKind, headcount: int, fte: float, needs: dict[Skill, float]) -> Role:
    return Role(
        id=RoleId(name),
        project=ProjectId("P"),
        title=name,
        kind=kind,
        headcount=headcount,
        fte=fte,
        needs=tuple(SkillNeed(skill=s, weight=w) for s, w in needs.items()),
    )


def test_plan_value_weighs_skills_fte_and_leads_and_charges_vacancies() -> None:
    roles = [
        _role("lead", RoleKind.LEAD, 1, 1.0, {A: 1.0}),
        _role("seat", RoleKind.MEMBER, 2, 0.5, {A: 1.0, B: 3.0}),
    ]
    truth = np.array([[1.0, 0.0], [0.0, 2.0]])
    value = plan_value(
        roles,
        role_weights(roles, [A, B]),
        np.array([0, 1]),
        np.array([0, 1]),
        truth,
        np.zeros(2),
        lead_weight=0.5,
        vacancy_penalty=5.0,
    )
    # lead: 1.0 fte * 1.5 * 1.0; seat: 0.5 * (0.25 * 0 + 0.75 * 2); one seat of 0.5 vacant
    assert value == pytest.approx(1.5 + 0.75 - 2.5)


def test_merit_error_is_zero_for_a_table_that_knows_the_centred_truth() -> None:
    people = [PersonId("a"), PersonId("b"), PersonId("c")]
    general = np.array([1.0, 2.0, 3.0])
    table = truth_table(people, [A], (general - 2.0)[:, None], general - 2.0)
    rmse, rho = merit_error(table, people, general)
    assert rmse == pytest.approx(0.0)
    assert rho == pytest.approx(1.0)


def test_someone_the_table_has_never_seen_is_estimated_at_the_average() -> None:
    people = [PersonId("a"), PersonId("new")]
    table = truth_table(people[:1], [A], np.array([[0.0]]), np.array([0.0]))
    rmse, _ = merit_error(table, people, np.array([1.0, -1.0]))
    assert rmse == pytest.approx(1.0)


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=30, unique=True))
def test_rank_correlation_is_one_with_itself_and_minus_one_reversed(xs: list[float]) -> None:
    a = np.array(xs)
    assert rank_correlation(a, a) == pytest.approx(1.0)
    assert rank_correlation(a, -a) == pytest.approx(-1.0)


def test_top_share_counts_newcomers_among_the_ablest() -> None:
    general = np.array([3.0, 2.0, 1.0, 0.0])
    newcomer = np.array([False, True, True, False])
    assert top_share(general, newcomer, 2) == 1
    assert top_share(general, newcomer, 0) == 0


def _quarter(policy: str, quarter: int, regret: float, **changes: object) -> QuarterMetrics:
    base = QuarterMetrics(
        policy=policy,
        seed=0,
        quarter=quarter,
        people=100,
        seats=10,
        vacant=0,
        leads=10,
        value=100.0 - regret,
        oracle_value=100.0,
        oracle_bound=100.0,
        regret=regret,
        regret_share=regret / 100,
        merit_rmse=0.5,
        merit_rank_corr=0.8,
        newcomers=20,
        newcomer_leads=2,
        top_ability=10,
        newcomer_top=2,
        stretch_seats=0,
        leavers=3,
        hires=3,
        certificate="passed",
        notes=(),
        seats_digest="x",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_targets_judge_merit_plus_explore_in_quarter_four() -> None:
    rows = [_quarter("merit+explore", q, 2.0) for q in range(1, 5)]
    rows += [_quarter("level-gated", q, 40.0) for q in range(1, 5)]
    summaries = [summarise("merit+explore", rows), summarise("level-gated", rows)]
    regret, newcomers = targets(summaries)
    assert regret.met is True
    assert "level-gated 40.0%" in regret.measured
    assert newcomers.met is True
    worse = [replace(r, regret=4.0) if r.policy == "merit+explore" else r for r in rows]
    assert targets([summarise("merit+explore", worse)])[0].met is False


def test_a_short_run_does_not_pretend_to_measure_quarter_four() -> None:
    summary = summarise("merit+explore", [_quarter("merit+explore", 1, 1.0)])
    assert summary.regret_at(4) is None
    assert targets([summary])[0].met is None


def test_summaries_add_up_attrition_and_certificates() -> None:
    rows = [_quarter("merit", 1, 10.0), _quarter("merit", 2, 30.0, certificate="failed")]
    summary = summarise("merit", rows)
    assert summary.regret_share == pytest.approx(0.2)
    assert summary.by_quarter == pytest.approx((0.1, 0.3))
    assert summary.attrition == pytest.approx(0.03)
    assert (summary.certificates_passed, summary.certificates_failed) == (1, 1)


def test_the_report_is_one_offline_page_with_charts() -> None:
    settings = LabSettings(people=40, quarters=2)
    histories = tuple(run_lab(settings, p, 0) for p in ("level-gated", "merit"))
    result = SweepResult(
        settings=settings, policies=("level-gated", "merit"), seeds=(0,), histories=histories
    )
    page = render_html(result)
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 6
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    assert "level-gated" in page and "Targets" in page
