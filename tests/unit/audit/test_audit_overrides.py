"""The override audit: hand-offs by level or away from groundwork, and pre-promotion favours."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from mts.audit.overrides import (
    FindingKind,
    OverrideAudit,
    OverrideSettings,
    Severity,
    audit_overrides,
)
from mts.domain.people import PersonId
from mts.domain.projects import Groundwork, ProjectId, Role, RoleId, RoleKind
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Override, RoundId

AS_OF = date(2026, 6, 1)
AT = datetime(2026, 6, 2, 10, 0)
ROLES = (
    Role(id=RoleId("lead"), project=ProjectId("atlas"), title="Lead", kind=RoleKind.LEAD),
    Role(id=RoleId("eng"), project=ProjectId("atlas"), title="Engineer"),
)
MERIT = {PersonId("junior"): 1.2, PersonId("senior"): 0.4, PersonId("peer"): 1.5}
LEVELS = {PersonId("junior"): 2, PersonId("senior"): 6, PersonId("peer"): 2}


def override(
    new: str = "senior", engine: str | None = "junior", role: str = "lead", reason: str = "fit"
) -> Override:
    return Override(
        round=RoundId("q3"),
        role=RoleId(role),
        engine_person=PersonId(engine) if engine else None,
        new_person=PersonId(new),
        reason=reason,
        actor="council",
        at=AT,
    )


def profiles(windows: dict[str, date] | None = None) -> list[ProtectedProfile]:
    windows = windows or {}
    return [
        ProtectedProfile(person=p, level=level, promotion_window=windows.get(p))
        for p, level in LEVELS.items()
    ]


def audit(
    *overrides: Override,
    groundwork: tuple[Groundwork, ...] = (),
    people: list[ProtectedProfile] | None = None,
    settings: OverrideSettings | None = None,
) -> OverrideAudit:
    return audit_overrides(
        overrides,
        value=MERIT,
        profiles=profiles() if people is None else people,
        groundwork=groundwork,
        roles=ROLES,
        as_of=AS_OF,
        settings=settings,
    )


def kinds(result: OverrideAudit) -> list[FindingKind]:
    return [finding.kind for finding in result.findings]


def groundwork_by(person: str, declines: bool = False) -> Groundwork:
    return Groundwork(project=ProjectId("atlas"), person=PersonId(person), day=date(2026, 1, 5),
                      declines_lead=declines)  # fmt: skip


# -- level hand-off ---------------------------------------------------------------------------


def test_seat_given_to_a_higher_level_with_lower_merit_is_a_level_hand_off() -> None:
    result = audit(override(new="senior", engine="junior", role="eng"))
    assert kinds(result) == [FindingKind.LEVEL_HANDOFF]
    finding = result.findings[0]
    assert finding.severity is Severity.HIGH and result.flagged
    assert finding.people == ("junior", "senior") and finding.round == "q3"
    assert "level 2, merit 1.20" in finding.message and "level 6, merit 0.40" in finding.message


def test_seat_given_to_a_higher_level_with_higher_merit_is_not_flagged() -> None:
    assert kinds(audit(override(new="senior", engine="junior", role="eng"), people=[
        ProtectedProfile(person=PersonId("senior"), level=6),
        ProtectedProfile(person=PersonId("junior"), level=7),
    ])) == []  # fmt: skip
    assert kinds(audit(override(new="peer", engine="junior", role="eng"))) == []


def test_merit_gap_within_the_margin_is_not_a_hand_off() -> None:
    result = audit(override(role="eng"), settings=OverrideSettings(merit_margin=1.0))
    assert kinds(result) == []


def test_unknown_levels_or_merit_are_not_judged() -> None:
    assert kinds(audit(override(role="eng"), people=[])) == []
    stranger = override(new="stranger", role="eng")
    assert kinds(audit(stranger)) == []


def test_value_may_be_a_function_of_person_and_role() -> None:
    def value(person: PersonId, role: RoleId) -> float | None:
        return {"junior": 0.1, "senior": 0.9}.get(person) if role == "eng" else None

    result = audit_overrides([override(role="eng")], value=value, profiles=profiles(),
                             groundwork=(), roles=ROLES, as_of=AS_OF)  # fmt: skip
    assert kinds(result) == []  # the senior person really is the better fit here


# -- groundwork hand-off ----------------------------------------------------------------------


def test_lead_taken_from_the_groundwork_author_is_a_groundwork_hand_off() -> None:
    result = audit(override(new="peer", engine="junior"), groundwork=(groundwork_by("junior"),))
    assert kinds(result) == [FindingKind.GROUNDWORK_HANDOFF]
    assert "taken from junior, who did its groundwork" in result.findings[0].message


def test_lead_taken_from_an_author_who_declined_it_is_not_flagged() -> None:
    declined = (groundwork_by("junior"), groundwork_by("junior", declines=True))
    assert kinds(audit(override(new="peer", engine="junior"), groundwork=declined)) == []


def test_lead_moved_between_co_authors_is_not_a_hand_off() -> None:
    both = (groundwork_by("junior"), groundwork_by("peer"))
    assert kinds(audit(override(new="peer", engine="junior"), groundwork=both)) == []


def test_member_seats_carry_no_groundwork_claim() -> None:
    result = audit(override(new="peer", engine="junior", role="eng"),
                   groundwork=(groundwork_by("junior"),))  # fmt: skip
    assert kinds(result) == []


def test_a_senior_taking_the_authors_lead_is_flagged_twice() -> None:
    result = audit(override(new="senior", engine="junior"), groundwork=(groundwork_by("junior"),))
    assert kinds(result) == [FindingKind.LEVEL_HANDOFF, FindingKind.GROUNDWORK_HANDOFF]


def test_an_unknown_role_is_reported_not_raised() -> None:
    result = audit(override(new="peer", engine="junior", role="ghost"))
    assert kinds(result) == [FindingKind.UNKNOWN_ROLE]
    assert result.findings[0].severity is Severity.LOW


# -- reasons, actors ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_without_a_reason_is_flagged(reason: str) -> None:
    result = audit(override(new="peer", role="eng", reason=reason))
    assert kinds(result) == [FindingKind.MISSING_REASON]
    assert result.findings[0].severity is Severity.HIGH


def test_an_override_without_an_actor_is_flagged() -> None:
    nameless = Override(round=RoundId("q3"), role=RoleId("eng"), engine_person=None,
                        new_person=PersonId("peer"), reason="fit", actor=" ", at=AT)  # fmt: skip
    assert kinds(audit(nameless)) == [FindingKind.MISSING_ACTOR]


# -- promotion windows --------------------------------------------------------------------------


def test_favouring_someone_about_to_be_promoted_is_flagged() -> None:
    soon = profiles({"peer": AS_OF + timedelta(days=30)})
    result = audit(override(new="peer", engine="junior", role="eng"), people=soon)
    assert kinds(result) == [FindingKind.PRE_PROMOTION]
    assert result.findings[0].severity is Severity.MEDIUM
    assert "promotion window (2026-07-01) is within 90 days" in result.findings[0].message


def test_a_promotion_date_far_off_is_not_a_window() -> None:
    later = profiles({"peer": AS_OF + timedelta(days=200)})
    assert kinds(audit(override(new="peer", engine="junior", role="eng"), people=later)) == []


def test_no_favour_when_the_engines_pick_is_also_in_a_window() -> None:
    both = profiles({"peer": AS_OF, "junior": AS_OF - timedelta(days=10)})
    assert kinds(audit(override(new="peer", engine="junior", role="eng"), people=both)) == []


def test_repeated_pre_promotion_favours_form_a_pattern() -> None:
    staff = [ProtectedProfile(person=PersonId(f"s{i}"), level=3) for i in range(40)]
    staff += [ProtectedProfile(person=PersonId(f"w{i}"), level=3, promotion_window=AS_OF)
              for i in range(2)]  # fmt: skip
    favours = [override(new=f"w{i % 2}", engine=f"s{i}", role="eng") for i in range(4)]
    result = audit(*favours, *(override(new=f"s{i + 10}", engine=f"s{i}", role="eng")
                               for i in range(2)), people=staff)  # fmt: skip
    assert result.pattern.favouring_window == 4 and result.pattern.overrides == 6
    assert result.pattern.base_rate == pytest.approx(2 / 42)
    assert result.pattern.p_value is not None and result.pattern.p_value < 0.001
    assert kinds(result)[-1] is FindingKind.PRE_PROMOTION_PATTERN
    assert "a pattern" in result.pattern.verdict


def test_favours_in_line_with_the_share_of_staff_are_no_pattern() -> None:
    staff = [
        ProtectedProfile(
            person=PersonId(f"s{i}"), level=3, promotion_window=AS_OF if i % 2 else None
        )
        for i in range(20)
    ]
    mixed = [override(new=f"s{i}", engine=f"s{i + 2}", role="eng") for i in range(8)]
    result = audit(*mixed, people=staff)
    assert FindingKind.PRE_PROMOTION_PATTERN not in kinds(result)
    assert "in line with" in result.pattern.verdict


def test_no_overrides_no_findings() -> None:
    result = audit()
    assert result.findings == () and result.pattern.verdict == "no overrides to assess"
    assert not result.flagged


def test_audit_is_json_ready() -> None:
    result = audit(override(new="senior", engine="junior"), groundwork=(groundwork_by("junior"),))
    data = result.to_dict()
    assert data["flagged"] is True
    assert '"kind": "level_handoff"' in json.dumps(data)
