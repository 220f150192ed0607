from datetime import date

import pytest

from factories import evidence, person, project
from mts.domain.errors import ImportRejected, InvalidTransition, Problem
from mts.domain.evidence import Scale
from mts.domain.people import Period
from mts.domain.projects import ProjectStatus


def test_project_moves_through_its_life_cycle_in_order() -> None:
    moved = project().moved_to(ProjectStatus.OPEN).moved_to(ProjectStatus.STAFFED)
    assert moved.moved_to(ProjectStatus.ACTIVE).moved_to(ProjectStatus.CLOSED).status == "closed"


def test_project_cannot_skip_from_proposed_to_active() -> None:
    with pytest.raises(InvalidTransition, match="proposed to active"):
        project().moved_to(ProjectStatus.ACTIVE)


def test_closed_project_cannot_reopen() -> None:
    closed = project().moved_to(ProjectStatus.CLOSED)
    assert not closed.can_move_to(ProjectStatus.OPEN)


def test_boomerang_is_active_in_both_stints_and_not_between() -> None:
    member = person()
    returning = type(member)(
        id=member.id,
        name=member.name,
        email=member.email,
        department=member.department,
        joined=date(2024, 1, 8),
        earlier_periods=(Period(start=date(2019, 1, 1), end=date(2021, 6, 30)),),
    )
    assert returning.is_boomerang
    assert returning.is_active(date(2020, 1, 1))
    assert not returning.is_active(date(2022, 1, 1))
    assert returning.is_active(date(2025, 1, 1))


def test_person_who_left_is_inactive_from_their_last_day() -> None:
    gone = type(person())(**{**_fields(person()), "left": date(2025, 1, 1)})
    assert gone.is_active(date(2024, 12, 31))
    assert not gone.is_active(date(2025, 1, 1))


def _fields(value: object) -> dict[str, object]:
    return {name: getattr(value, name) for name in value.__slots__}  # type: ignore[attr-defined]


def test_evidence_key_ignores_score_so_reimports_update_nothing_twice() -> None:
    assert evidence(score=2).key == evidence(score=5).key
    assert evidence(item="w1").key != evidence(item="w2").key
    assert evidence(reviewer=None).key != evidence(reviewer="p2").key


def test_scale_normalises_to_unit_interval() -> None:
    scale = Scale(low=1, high=5)
    assert scale.normalise(1) == 0 and scale.normalise(5) == 1 and scale.normalise(3) == 0.5


def test_import_rejected_lists_every_problem_with_its_place() -> None:
    problems = [
        Problem(file="people.csv", row=3, column="joined", expected="a date", found="'soon'"),
        Problem(file="people.csv", row=None, column=None, expected="a file", found="nothing"),
    ]
    error = ImportRejected(problems)
    assert "people.csv, row 3, column 'joined': expected a date, found 'soon'" in error.message
    assert "2 problem(s)" in error.message
