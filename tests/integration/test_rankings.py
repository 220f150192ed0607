"""The lead's candidate ranking on SQLite and PostgreSQL: the market's own lists, for its lead."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mts.bootstrap import Application
from mts.domain.accounts import AccessRole, User, UserId
from mts.domain.errors import PermissionDenied
from mts.domain.people import PersonId
from mts.domain.projects import ProjectId, ProjectStatus
from mts.domain.staffing import Exploration, Mechanism
from mts.services import merit, projects, rankings, rounds
from mts.services.demo import store_organisation
from mts.services.pipeline import load_organisation, staffing_request
from mts.sim.organisation import generate_organisation
from mts.staffing.market_round import market_lists
from mts.staffing.problem import build_problem

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
COUNCIL = User(id=UserId(1), email="chair@example.org", role=AccessRole.COUNCIL)


def _member(person: str) -> User:
    return User(
        id=UserId(2), email=f"{person}@example.org", role=AccessRole.MEMBER, person=PersonId(person)
    )


@pytest.fixture
def org_app(app: Application) -> Application:
    store_organisation(app.unit_of_work, generate_organisation(people=90, seed=2, as_of=AS_OF))
    merit.take_snapshot(app.unit_of_work, as_of=AS_OF, now=NOW, settings=merit.MeritSettings())
    return app


def _open_project(app: Application) -> tuple[ProjectId, PersonId]:
    with app.unit_of_work() as uow:
        found = next(p for p in uow.projects.list() if p.status is ProjectStatus.OPEN)
    return found.id, found.proposer


def _market_order(app: Application, options: rounds.RoundOptions) -> dict[str, list[str]]:
    """Each role's lead list as the market round builds it, ties flattened in list order."""
    with app.unit_of_work() as uow:
        org = load_organisation(uow)
        table = uow.merit.table(uow.merit.latest(as_of=AS_OF).id)  # type: ignore[union-attr]
    request = staffing_request(org, merit=table, as_of=AS_OF)
    lists = market_lists(build_problem(request, options.staffing()), request)
    roles = lists["roles"]
    assert isinstance(roles, dict)
    return {
        role: [p for tier in entry["ranking"] for p in (tier if isinstance(tier, list) else [tier])]
        for role, entry in roles.items()
    }


def test_each_open_role_lists_the_markets_own_ranking_best_value_first(
    org_app: Application,
) -> None:
    project, _ = _open_project(org_app)
    found = rankings.candidate_ranking(org_app.unit_of_work, COUNCIL, project, today=AS_OF, top=8)
    assert found.note is None and found.roles and found.snapshot is not None
    assert found.options.mechanism is Mechanism.MARKET
    market = _market_order(org_app, found.options)
    for role in found.roles:
        shown = [c.person for c in role.candidates]
        assert shown == market[role.role.id][: len(shown)]
        assert role.listed == len(market[role.role.id]) and len(shown) == min(8, role.listed)
        values = [c.value for c in role.candidates]
        assert values == sorted(values, reverse=True)
        for c in role.candidates:
            assert c.value == pytest.approx(c.fit + c.exploration + c.lead + c.interest)
            assert c.stated_interest == (c.interest > 0)
        places = [c.place for c in role.candidates]
        assert places[0] == 1 and places == sorted(places)


def test_a_waiting_rounds_settings_decide_the_ranking(org_app: Application) -> None:
    options = rounds.RoundOptions(exploration=Exploration.THOMPSON, seed=4)
    rounds.create_round(
        org_app.unit_of_work, COUNCIL, name="next", as_of=AS_OF, options=options, now=NOW
    )
    project, _ = _open_project(org_app)
    found = rankings.candidate_ranking(org_app.unit_of_work, COUNCIL, project, today=NOW.date())
    assert found.as_of == AS_OF and found.options.exploration is Exploration.THOMPSON
    market = _market_order(org_app, found.options)
    for role in found.roles:
        assert [c.person for c in role.candidates] == market[role.role.id][: len(role.candidates)]


def test_the_proposer_sees_the_ranking_and_a_plain_member_does_not(org_app: Application) -> None:
    project, proposer = _open_project(org_app)
    lead = _member(proposer)
    assert rankings.candidate_ranking(org_app.unit_of_work, lead, project, today=AS_OF).roles
    peer = _member("p00002" if proposer != "p00002" else "p00003")
    with org_app.unit_of_work() as uow:
        assert not rankings.can_see_ranking(org_app.unit_of_work, peer, uow.projects.get(project))  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        rankings.candidate_ranking(org_app.unit_of_work, peer, project, today=AS_OF)


def test_a_project_that_is_not_open_has_no_ranking_only_a_reason(org_app: Application) -> None:
    project, _ = _open_project(org_app)
    projects.move_project(org_app.unit_of_work, COUNCIL, project, ProjectStatus.CLOSED)
    ranking = rankings.candidate_ranking(org_app.unit_of_work, COUNCIL, project, today=AS_OF)
    assert ranking.roles == () and ranking.note and "open projects" in ranking.note
