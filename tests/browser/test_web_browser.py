"""The web UI in a real browser: Debian's Chromium through Playwright, against a live server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from mts.domain.people import Skill
from mts.domain.projects import ProjectStatus, RoleKind, SkillNeed
from mts.services import projects

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser
LogIn = Callable[[str], None]
Snap = Callable[[str], None]


def test_a_member_logs_in_and_proposes_a_project(
    page: Page, log_in: LogIn, screenshot: Snap
) -> None:
    log_in("member")
    expect(page.get_by_role("heading", name="Project board")).to_be_visible()
    screenshot("board")
    page.get_by_label("Title").fill("Evals on a laptop")
    page.get_by_label("The idea").fill("Small, fast evaluations anyone can run before a review.")
    page.get_by_role("button", name="Propose project").click()
    expect(page.get_by_role("heading", name="Evals on a laptop")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("credited with its groundwork")


def test_a_lead_adds_a_role_with_skill_needs(page: Page, log_in: LogIn) -> None:
    log_in("lead")
    page.goto("/projects/proj0001")
    page.get_by_label("Role title").fill("Interpretability engineer")
    page.get_by_label("Seats").fill("2")
    page.get_by_label("FTE per seat").fill("0.5")
    page.get_by_label("Skill 1", exact=True).fill("interpretability")
    page.get_by_label("Weight of skill 1").fill("2")
    page.get_by_label("Skill 2", exact=True).fill("evaluation")
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_role("status")).to_contain_text("The role was added")
    row = page.get_by_role("row", name=re.compile("Interpretability engineer"))
    expect(row).to_contain_text("2 \u00d7 0.5 FTE")
    expect(row).to_contain_text("interpretability \u00d72")
    expect(row).to_contain_text("evaluation")


def test_the_council_runs_a_round_reviews_a_seat_and_approves(
    page: Page, log_in: LogIn, screenshot: Snap
) -> None:
    log_in("council")
    page.goto("/rounds")
    page.get_by_label("Name").fill("2026-Q4")
    page.get_by_role("button", name="Start round").click()
    progress = page.locator("#round-progress")
    expect(progress).to_be_visible()
    expect(progress.locator("progress")).to_be_attached()
    expect(page.get_by_role("heading", name="The plan, seat by seat")).to_be_visible(
        timeout=120_000
    )
    expect(page.locator("h1")).to_contain_text("certificate passed")
    first = page.locator("details.seat").first
    first.locator("summary").click()
    expect(first.get_by_text("Value breakdown")).to_be_visible()
    expect(first.get_by_text("Binding constraint", exact=True)).to_be_visible()
    expect(first.get_by_text("Runner-up", exact=True)).to_be_visible()
    screenshot("round")
    page.get_by_role("button", name="Approve this plan").click()
    expect(page.get_by_role("status")).to_contain_text("The plan is approved")
    expect(page.locator("h1")).to_contain_text("approved")
    page.get_by_role("link", name=re.compile("^Harbor$")).first.click()
    expect(page.get_by_role("heading", name="Team composition")).to_be_visible()
    screenshot("project")
    for name in ("workload", "audit", "analytics"):
        page.goto(f"/{name}")
        expect(page.locator("h1")).to_have_text(name.capitalize())
        if name == "audit":  # htmx loads the parity report after the page
            expect(page.locator("#parity-report figure.chart-ready").first).to_be_visible()
        screenshot(name)


def test_an_override_without_a_reason_is_refused(page: Page, log_in: LogIn) -> None:
    log_in("council")
    page.goto("/rounds")
    page.get_by_role("link", name="seeded round").click()
    seat = page.locator("details.seat").first
    seat.locator("summary").click()
    seat.get_by_label("Member id to seat instead").fill("p00001")
    seat.get_by_label("Reason (required, audited)").fill("   ")
    seat.get_by_role("button", name="Override").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("An override needs a written reason.")
    expect(
        page.locator("details.seat[open]").get_by_label("Member id to seat instead")
    ).to_have_value("p00001")
    expect(page.get_by_text("overridden", exact=True)).to_have_count(0)


def test_a_member_cannot_reach_the_round_pages(page: Page, log_in: LogIn) -> None:
    log_in("member")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Rounds")
    ).to_have_count(0)
    for path in ("/rounds", "/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_a_member_sees_their_own_merit_chart(page: Page, log_in: LogIn, screenshot: Snap) -> None:
    log_in("member")
    page.get_by_role("link", name="My page").click()
    expect(page.get_by_role("heading", name="Your merit")).to_be_visible()
    chart = page.locator("figure.chart-ready canvas#chart-merit")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    expect(page.locator("#merit-table")).to_contain_text("general execution")
    expect(page.get_by_role("heading", name="The evidence that moved it most")).to_be_visible()
    screenshot("person")


def test_pages_that_read_work_without_javascript(page_without_scripts: Page) -> None:
    page = page_without_scripts
    expect(page.get_by_role("heading", name="Project board")).to_be_visible()
    page.get_by_label("Status").select_option("all")
    page.get_by_role("button", name="Show projects").click()
    expect(page.locator("article.project-card").first).to_be_visible()
    page.goto("/me")
    expect(page.locator("#merit-table")).to_contain_text("general execution")
    expect(page.locator("figure.chart")).to_be_hidden()


def test_the_lead_sees_the_candidate_ranking_on_their_project_page(
    page: Page, log_in: LogIn, live_server: LiveServer, screenshot: Snap
) -> None:
    project = _open_project_of_the_lead(live_server)
    log_in("lead")
    page.goto(f"/projects/{project}")
    section = page.locator("#ranking")
    expect(
        section.get_by_role("heading", name="The lead's candidate ranking (market mode)")
    ).to_be_visible()
    table = section.locator("table.ranking-table")  # htmx loads it after the page
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("Safety evaluator")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("1")
    values = [float(v) for v in table.locator("tbody tr td:nth-child(3)").all_inner_texts()]
    assert values and values == sorted(values, reverse=True)
    screenshot("ranking")


def _open_project_of_the_lead(server: LiveServer) -> str:
    """A project the lead proposed, with one role, opened by the council (through the services)."""
    uow = server.application.unit_of_work
    with uow() as reading:
        users = reading.users.list()
    lead = next(u for u in users if u.person == server.logins["lead"].person)
    council = next(u for u in users if u.is_council)
    today = server.application.clock().date()
    found = projects.propose_project(
        uow, lead, title="Safety evals at scale", summary="", today=today
    )
    needs = [SkillNeed(skill=Skill("evaluation"))]
    projects.add_role(uow, lead, found.id, title="Safety evaluator", kind=RoleKind.MEMBER,
                      headcount=2, fte=0.5, needs=needs)  # fmt: skip
    projects.move_project(uow, council, found.id, ProjectStatus.OPEN)
    return found.id
