"""Why each seat went the way it did, and why each vacancy stayed open.

For every seat: the chosen person's value term by term, the runner-up (the
best candidate for the role who did not get a seat of it) and the margin,
and for every candidate valued above the chosen person, the constraint that
stopped them: an FTE cap, one lead per person, a pin, or a project rule the
chosen person satisfies. A vacancy says whether nobody was eligible, every
eligible person went elsewhere, or nobody left beat the vacancy penalty.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from mts.staffing.board import Seats, Solution
from mts.staffing.plan import (
    PassedOver,
    PinSource,
    Plan,
    Seat,
    SeatExplanation,
    SolverStats,
    Vacancy,
    ValueBreakdown,
)
from mts.staffing.problem import (
    FTE_TOLERANCE,
    BoolArray,
    Edges,
    FloatArray,
    IntArray,
    StaffingProblem,
)

_PASSED_OVER_SHOWN = 3
SECONDS_PER_SEAT = 2e-4
"""About what explaining a seat costs (0.13 ms at 10,000 people, 0.15 to 0.2 ms at 100,000,
on a slow day): a round's time limit must leave this much per seat for its explanations."""


def explaining_seconds(problem: StaffingProblem) -> float:
    """About how long ``assemble_plan`` takes on ``problem`` (every seat filled)."""
    return SECONDS_PER_SEAT * float(problem.headcount.sum())


@dataclass(frozen=True, eq=False)
class _State:
    """Who sits where in the plan, looked up both ways."""

    problem: StaffingProblem
    roles_of: dict[int, list[int]]
    people_of: dict[int, list[int]]
    load: FloatArray
    leading: BoolArray
    pins: dict[tuple[int, int], tuple[PinSource, str]]
    # the same few people are passed over role after role: phrase each of them once
    _phrases: dict[tuple[int, int], str] = field(default_factory=dict)
    _commitments: dict[int, str] = field(default_factory=dict)

    @staticmethod
    def of(problem: StaffingProblem, seats: Seats) -> _State:
        roles_of: dict[int, list[int]] = defaultdict(list)
        people_of: dict[int, list[int]] = defaultdict(list)
        for p, r in zip(seats.person.tolist(), seats.role.tolist(), strict=True):
            roles_of[p].append(r)
            people_of[r].append(p)
        load = np.bincount(
            seats.person, weights=problem.fte[seats.role], minlength=problem.n_people
        ).astype(np.float64)
        pins = {
            (int(p), int(r)): (source, reason)
            for p, r, source, reason in zip(problem.pin_person, problem.pin_role,
                                            problem.pin_source, problem.pin_reason, strict=True)
        }
        leading = np.zeros(problem.n_people, dtype=bool)
        leading[seats.person[problem.is_lead[seats.role]]] = True
        return _State(problem, roles_of, people_of, load, leading, pins)

    def project_people(self, project: int) -> list[int]:
        """Everyone seated on ``project``, once per seat."""
        roles = self.problem.project_roles(project).tolist()
        return [p for r in roles for p in self.people_of.get(r, [])]

    def elsewhere(self, person: int, role: int) -> str:
        """The person's other seats in this plan, as a phrase."""
        held = self.roles_of.get(person, [])
        key = (person, role if role in held else -1)  # a role they do not hold drops nothing
        if key not in self._phrases:
            pr = self.problem
            others = [r for r in held if r != role]
            self._phrases[key] = ", ".join(f"{pr.roles[r].id} at {pr.fte[r]:g}" for r in others)
        return self._phrases[key]

    def commitments_of(self, person: int) -> str:
        """What ``person`` already holds outside this round, as a phrase."""
        if person not in self._commitments:
            self._commitments[person] = self.problem.commitments_of(person)
        return self._commitments[person]


def assemble_plan(
    problem: StaffingProblem, solution: Solution, *, method: str | None = None
) -> Plan:
    """Turn a solution into a ``Plan`` with an explanation for every seat and vacancy."""
    state = _State.of(problem, solution.seats)
    return Plan(
        seats=_seats(problem, state, solution),
        vacancies=_vacancies(problem, state),
        groundwork=problem.groundwork,
        stats=_stats(problem, solution, method),
        notes=(),
    )


def _stats(problem: StaffingProblem, solution: Solution, method: str | None) -> SolverStats:
    settings = problem.settings
    return SolverStats(
        method=method or solution.method,
        status=solution.status,
        objective=solution.objective,
        bound=solution.bound,
        gap=_gap(solution.bound, solution.objective),
        bound_scope=solution.bound_scope,
        mip_bound=solution.mip_bound,
        mip_gap=_gap(solution.mip_bound, solution.objective),
        seconds=solution.seconds,
        people=problem.n_people,
        roles=problem.n_roles,
        candidate_pairs=len(solution.edges),
        added_by_pricing=solution.added_by_pricing,
        greedy_objective=solution.greedy_objective,
        mip_nodes=solution.mip_nodes,
        seed=settings.seed,
        exploration=str(settings.exploration),
    )


def _gap(bound: float | None, objective: float) -> float | None:
    """``(bound - objective) / max(|objective|, 1)``, never below 0."""
    if bound is None:
        return None
    return max(0.0, bound - objective) / max(abs(objective), 1.0)


# -- seats --------------------------------------------------------------------------------


def _seats(problem: StaffingProblem, state: _State, solution: Solution) -> tuple[Seat, ...]:
    rivals = _Rivals.of(problem, solution)
    held = [(r, n, value, p) for r, ranked in _ranked_holders(problem, solution.seats).items()
            for n, (value, p) in enumerate(ranked)]
    terms = problem.model.breakdowns(np.array([p for *_, p in held], dtype=np.intp),
                                     np.array([r for r, *_ in held], dtype=np.intp))
    return tuple(_seat(problem, state, rivals, r, p, value, n, breakdown)
                 for (r, n, value, p), breakdown in zip(held, terms, strict=True))


def _ranked_holders(problem: StaffingProblem, seats: Seats) -> dict[int, list[tuple[float, int]]]:
    """Each role's holders as (value, person), best first; roles in row order."""
    # one call for every seat: valuing role by role costs a numpy and scipy round trip each
    values = problem.model.pair_values(seats.person, seats.role)
    held: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for v, p, r in zip(values.tolist(), seats.person.tolist(), seats.role.tolist(), strict=True):
        held[r].append((v, p))
    return {r: sorted(held[r], key=lambda vp: (-vp[0], problem.people[vp[1]]))
            for r in sorted(held)}


@dataclass(frozen=True, eq=False)
class _Rivals:
    """Who else could have taken each role: the candidates left without a seat of it.

    ``best`` per role (see ``_unseated_best``); ``barred`` the candidate pairs
    that may be ineligible (see ``_barred``). Worked out for every role at
    once, so no seat pays for a scipy lookup or a sort.
    """

    best: dict[int, list[tuple[float, int]]]
    barred: frozenset[tuple[int, int]]

    @staticmethod
    def of(problem: StaffingProblem, solution: Solution) -> _Rivals:
        best = _unseated_best(problem, solution.seats, solution.edges)
        return _Rivals(best, _barred(problem, solution.edges))

    def of_role(self, r: int) -> list[tuple[float, int]]:
        """The runner-up and the first few after them, as (value, person), best first."""
        return self.best.get(r, [])

    def ineligibility(self, problem: StaffingProblem, q: int, r: int) -> str | None:
        """``problem.ineligibility(q, r)``, asked only of pairs that fail one of its tests."""
        return problem.ineligibility(q, r) if (q, r) in self.barred else None


def _unseated_best(
    problem: StaffingProblem, seats: Seats, edges: Edges
) -> dict[int, list[tuple[float, int]]]:
    """Per role, the first few candidates who hold no seat of it, as (value, person).

    Highest value first, ties to the lower person id: what sorting each
    role's candidates by ``(-value, id)`` would give.
    """
    n = max(problem.n_people, 1)
    seated = np.isin(edges.role.astype(np.int64) * n + edges.person,
                     seats.role.astype(np.int64) * n + seats.person)
    free = np.flatnonzero(~seated)
    q, r, v = edges.person[free], edges.role[free], edges.value[free]
    rank = _id_rank(problem)[q]
    if not _is_ranked(r, v, rank):
        order = np.lexsort((rank, -v, r))
        q, r, v = q[order], r[order], v[order]
    place = np.arange(r.size) - np.searchsorted(r, r)
    shown = np.flatnonzero(place < _PASSED_OVER_SHOWN)
    best: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for role, value, person in zip(r[shown].tolist(), v[shown].tolist(), q[shown].tolist(),
                                   strict=True):
        best[role].append((value, person))
    return best


def _is_ranked(role: IntArray, value: FloatArray, rank: IntArray) -> bool:
    """Whether pairs already run by role, then value descending, then id rank.

    Edges come sorted by role, value and person row, and person rows are in
    id order, so this usually holds and the sort can be skipped.
    """
    same_role = role[1:] == role[:-1]
    tied = same_role & (value[1:] == value[:-1])
    ahead = (role[1:] > role[:-1]) | (same_role & (value[1:] < value[:-1]))
    return bool((ahead | (tied & (rank[1:] > rank[:-1]))).all())


def _id_rank(problem: StaffingProblem) -> IntArray:
    """Each person's place in id order, so that array sorts break ties as ``sorted`` by id does."""
    rank = np.empty(problem.n_people, dtype=np.intp)
    by_id = sorted(range(problem.n_people), key=problem.people.__getitem__)
    rank[by_id] = np.arange(problem.n_people)
    return rank


def _barred(problem: StaffingProblem, edges: Edges) -> frozenset[tuple[int, int]]:
    """The candidate (person, role) pairs that fail one of ``ineligibility``'s tests.

    A superset of the ineligible pairs (a stored zero in ``forbidden`` lands
    a pair here, and ``ineligibility`` then clears it), so asking only about
    these gives every reason asking about all would.
    """
    q, r = edges.person, edges.role
    short = problem.capacity[q] < problem.fte[r] - FTE_TOLERANCE
    lead = problem.is_lead[r] & ~problem.may_lead[q]
    banned = problem.model.forbidden.tocoo()
    n = max(problem.n_people, 1)
    kept_off = np.isin(r.astype(np.int64) * n + q, banned.row.astype(np.int64) * n + banned.col)
    hit = np.flatnonzero(short | lead | kept_off)
    return frozenset(zip(q[hit].tolist(), r[hit].tolist(), strict=True))


def _seat(
    problem: StaffingProblem,
    state: _State,
    rivals: _Rivals,
    r: int,
    p: int,
    value: float,
    number: int,
    breakdown: ValueBreakdown,
) -> Seat:
    role = problem.roles[r]
    pin = state.pins.get((p, r))
    return Seat(
        role=role.id,
        project=role.project,
        person=problem.people[p],
        fte=float(problem.fte[r]),
        value=value,
        seat=number,
        pinned_by=None if pin is None else pin[0],
        why=explain_seat(problem, state, rivals, r, p, breakdown),
    )


def explain_seat(
    problem: StaffingProblem, state: _State, rivals: _Rivals, r: int, p: int,
    breakdown: ValueBreakdown,
) -> SeatExplanation:
    """Runner-up and margin, and who was passed over for what reason, beside ``breakdown``
    (``p``'s value in ``r``, term by term)."""
    others = rivals.of_role(r)
    runner = others[0] if others else None
    passed = [
        PassedOver(person=problem.people[q], value=v,
                   reason=_blocker(problem, state, rivals, r, p, q))
        for v, q in others
        if v > breakdown.total + 1e-12
    ]
    rules = _rules_met(problem, state, r, p)
    margin = None if runner is None else breakdown.total - runner[0]
    return SeatExplanation(
        value=breakdown,
        runner_up=None if runner is None else problem.people[runner[1]],
        runner_up_value=None if runner is None else runner[0],
        margin=margin,
        passed_over=tuple(passed),
        rules=rules,
        summary=_summary(problem, r, p, breakdown.total, runner, passed, rules),
    )


def _summary(
    problem: StaffingProblem,
    r: int,
    p: int,
    value: float,
    runner: tuple[float, int] | None,
    passed: list[PassedOver],
    rules: tuple[str, ...],
) -> str:
    who, role = problem.people[p], problem.roles[r].id
    text = f"{who} (value {value:.2f}) holds a seat of {role}"
    if runner is None:
        text += "; no other candidate was left"
    elif passed:
        text += f"; {passed[0].person} ({passed[0].value:.2f}) was valued higher but "
        text += passed[0].reason
    else:
        text += f", ahead of the runner-up {problem.people[runner[1]]} by {value - runner[0]:.2f}"
    if rules:
        text += "; " + "; ".join(rules)
    return text


def _rules_met(problem: StaffingProblem, state: _State, r: int, p: int) -> tuple[str, ...]:
    notes = []
    pin = state.pins.get((p, r))
    if pin is not None and pin[0] is PinSource.COUNCIL:
        notes.append("pinned by the council" + (f": {pin[1]}" if pin[1] else ""))
    elif pin is not None:
        notes.append(f"groundwork continuity: {problem.people[p]} did the groundwork and has "
                     "first refusal on the lead")
    j = int(problem.role_project[r])
    project = problem.projects[j]
    if problem.min_stretch[j] > 0 and problem.uncertain[p]:
        notes.append(f"counts toward the stretch rule on {project.id}")
    if problem.min_departments[j] > 0 and _only_one_from(problem, state, j, p):
        department = problem.departments[int(problem.department[p])]
        notes.append(f"brings department {department} to {project.id} (department rule)")
    return tuple(notes)


def _only_one_from(problem: StaffingProblem, state: _State, j: int, p: int) -> bool:
    mine = problem.department[p]
    return sum(1 for q in state.project_people(j) if problem.department[q] == mine) == 1


def _blocker(
    problem: StaffingProblem, state: _State, rivals: _Rivals, r: int, p: int, q: int
) -> str:
    """The constraint that kept ``q``, valued above ``p``, off role ``r``."""
    pin = state.pins.get((p, r))
    if pin is not None:
        source = "the council" if pin[0] is PinSource.COUNCIL else "groundwork continuity"
        return f"the seat is pinned to {problem.people[p]} by {source}"
    reason = rivals.ineligibility(problem, q, r) or _capacity_or_lead(problem, state, r, q)
    return reason or _rule_reason(problem, state, r, p, q) or _tolerance_reason(state, q, r)


def _capacity_or_lead(problem: StaffingProblem, state: _State, r: int, q: int) -> str | None:
    free = problem.capacity[q] - state.load[q]
    if free < problem.fte[r] - FTE_TOLERANCE:
        held = state.commitments_of(q)
        plan = state.elsewhere(q, r)
        return f"FTE cap: {held}; in this plan on {plan}; {max(free, 0.0):g} FTE left"
    if problem.is_lead[r]:
        leads = [x for x in state.roles_of.get(q, []) if problem.is_lead[x]]
        if leads:
            return f"already leads {problem.roles[leads[0]].project} (one lead per person)"
    return None


def _rule_reason(problem: StaffingProblem, state: _State, r: int, p: int, q: int) -> str | None:
    j = int(problem.role_project[r])
    project = problem.projects[j].id
    seated = state.project_people(j)
    stretch = problem.min_stretch[j] > 0 and problem.uncertain[p] and not problem.uncertain[q]
    if stretch and sum(1 for x in seated if problem.uncertain[x]) <= problem.min_stretch[j]:
        return f"stretch rule on {project}: {problem.people[p]} fills a stretch seat"
    if problem.min_departments[j] > 0 and _only_one_from(problem, state, j, p):
        departments = {int(problem.department[x]) for x in seated}
        if len(departments) <= problem.min_departments[j]:
            name = problem.departments[int(problem.department[p])]
            return f"department rule on {project}: {problem.people[p]} brings department {name}"
    return None


def _tolerance_reason(state: _State, q: int, r: int) -> str:
    where = state.elsewhere(q, r)
    if where:
        return f"the plan scores higher overall with them on {where}"
    return "left out within the solver's optimality tolerance"


# -- vacancies ----------------------------------------------------------------------------


def _vacancies(problem: StaffingProblem, state: _State) -> tuple[Vacancy, ...]:
    fill = np.array([len(state.people_of.get(r, [])) for r in range(problem.n_roles)],
                    dtype=np.intp)
    open_roles = np.flatnonzero(fill < problem.headcount)
    reasons: dict[int, str] = {}
    for rows, value in problem.value_blocks(open_roles):
        for r, column in zip(rows.tolist(), value, strict=True):
            reasons[r] = _vacancy_reason(problem, state, r, column)
    return tuple(
        Vacancy(
            role=problem.roles[r].id,
            project=problem.roles[r].project,
            seats=int(problem.headcount[r] - fill[r]),
            reason=reasons[r],
        )
        for r in open_roles.tolist()
    )


def _vacancy_reason(problem: StaffingProblem, state: _State, r: int, column: FloatArray) -> str:
    eligible = np.flatnonzero(np.isfinite(column))
    if eligible.size == 0:
        return "no one can take it: " + _nobody_eligible(problem, r)
    room = problem.capacity[eligible] - state.load[eligible] >= problem.fte[r] - FTE_TOLERANCE
    if problem.is_lead[r]:
        room &= ~state.leading[eligible]
    seated = np.zeros(problem.n_people, dtype=bool)
    seated[state.people_of.get(r, [])] = True
    free = ~seated[eligible] & room
    if not free.any():
        best = int(eligible[np.argmax(column[eligible])])
        return (f"all {eligible.size} eligible people are placed elsewhere in this plan; "
                f"the best, {problem.people[best]}, is on {state.elsewhere(best, r) or 'it'}")
    best_value = float(column[eligible[free]].max())
    penalty = problem.settings.vacancy_penalty
    if best_value <= -penalty:
        return (f"no one left is worth more than leaving it open: best value {best_value:.2f} "
                f"<= -{penalty:g} (the vacancy penalty)")
    return "left open within the solver's optimality tolerance (time limit or gap)"


def _nobody_eligible(problem: StaffingProblem, r: int) -> str:
    if problem.n_people == 0:
        return "no one is available in this round"
    fte = problem.fte[r]
    short = int((problem.capacity < fte - FTE_TOLERANCE).sum())
    parts = [f"{short} of {problem.n_people} people have less than {fte:g} FTE free"]
    if problem.is_lead[r]:
        parts.append(f"{int((~problem.may_lead).sum())} already lead a project")
    banned = int(problem.model.forbidden[r].nnz)
    if banned:
        parts.append(f"{banned} are kept off it by the council")
    return ", ".join(parts)
