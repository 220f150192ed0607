"""A seat's stored explanation (the engine's JSON) arranged for reading.

The staffing engine stores, per seat, the value breakdown, the runner-up
and margin, who was valued higher but passed over and why, and the rules the
seat satisfies. An overridden seat keeps the engine's explanation under
``engine`` beside the council's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mts.domain.people import PersonId
from mts.domain.staffing import Assignment
from mts.services.views import Catalogue


@dataclass(frozen=True, slots=True)
class SeatView:
    """One seat, ready for a template."""

    assignment: Assignment
    value: Mapping[str, Any]
    runner_up: str | None
    runner_up_value: float | None
    margin: float | None
    binding: str
    passed_over: Sequence[Mapping[str, Any]]
    rules: Sequence[str]
    summary: str
    override: Mapping[str, Any] | None

    @property
    def key(self) -> str:
        """A page-unique id for the seat."""
        return f"{self.assignment.role}-{self.assignment.seat}"


def seat_view(assignment: Assignment, why: Mapping[str, Any]) -> SeatView:
    """The seat and its explanation; an override shows the council's reason first."""
    override = why.get("override")
    engine: Mapping[str, Any] = why.get("engine", {}) if override else why
    passed = list(engine.get("passed_over", []))
    rules = list(engine.get("rules", []))
    return SeatView(
        assignment=assignment,
        value=engine.get("value", {}),
        runner_up=engine.get("runner_up"),
        runner_up_value=engine.get("runner_up_value"),
        margin=engine.get("margin"),
        binding=binding_constraint(passed, rules, has_runner_up=bool(engine.get("runner_up"))),
        passed_over=passed,
        rules=rules,
        summary=str(engine.get("summary", "")),
        override=override,
    )


def binding_constraint(
    passed_over: Sequence[Mapping[str, Any]], rules: Sequence[str], *, has_runner_up: bool
) -> str:
    """What decided the seat: the constraint that stopped a higher-valued person, else value."""
    if passed_over:
        return f"{passed_over[0].get('person')}: {passed_over[0].get('reason')}"
    if rules:
        return rules[0]
    if not has_runner_up:
        return "no other candidate was left"
    return "none: the highest-valued candidate got the seat"


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def readable(text: str, labels: Mapping[str, str]) -> str:
    """``text`` from the engine with the ids it names (people, roles, projects) as their names."""
    return _TOKEN.sub(lambda m: labels.get(m.group(0), m.group(0)), text)


def labels_for(names: Mapping[PersonId, str], catalogue: Catalogue) -> dict[str, str]:
    """Display names for every id a page's explanations may mention."""
    labels: dict[str, str] = {str(p): title for p, title in catalogue.projects.items()}
    for rid, role in catalogue.roles.items():
        labels[rid] = f"{role.title} on {labels.get(role.project, role.project)}"
    return {**labels, **{str(person): name for person, name in names.items()}}


def people_in(seats: Iterable[SeatView]) -> set[str]:
    """Everyone a set of seats names: holders, runners-up, those passed over, override pairs."""
    found: set[str] = set()
    for s in seats:
        found.add(s.assignment.person)
        found.update(p for p in (s.runner_up,) if p)
        found.update(str(p.get("person")) for p in s.passed_over)
    return found
