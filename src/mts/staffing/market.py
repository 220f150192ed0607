"""Market mode: people-proposing deferred acceptance with capacities.

People rank the roles they want; each role's lead ranks the people they
would accept, and the role has ``capacity`` seats. Lists may be incomplete:
a person and a role can only be matched if each appears on the other's list.

The result is the *people-optimal stable matching* (Gale & Shapley 1962;
Roth 1984 for roles with several seats). A matching ``mu`` is stable when no
pair ``(p, r)`` blocks it::

    (p, r) blocks mu  <=>  p and r are on each other's lists
                           and p prefers r to mu(p) (or p is unmatched)
                           and r has a free seat, or r strictly prefers p
                               to someone it holds.

Deferred acceptance: every free person proposes to the best role on their
list that has not yet rejected them; the role holds its ``capacity`` best
proposers so far and rejects the rest. Each person's pointer only moves down
their list and each full role's cut-off only moves up its ranking, so a run
costs O(sum of list lengths), as does the stability check. (Compiling the
lists in ``parse_instance`` pairs the two sides with a numpy sort, and
breaking ties sorts once more: O(n log n), in C.) Among all stable matchings
this one is the best for every person at once, and no person can get a
better role by misreporting their list (Dubins & Freedman 1981; Roth 1982).

Ties. A lead may rank a group of people equally by giving a list in place of
one id: ``["p7", ["p1", "p3"], "p2"]``. Ties are broken by one seeded lottery
shared by all roles (single tie-breaking): the people, sorted by id, are
numbered by ``numpy.random.default_rng(seed).permutation(n_people)``, and
inside a tie the lower number ranks first. The lottery never looks at
anyone's list, so the people-side guarantee still holds. ``check_stability``
uses the leads' own tiers, so a matching it passes is stable in the weak
sense: no person and role *strictly* prefer each other to what they have.

Data flow::

    JSON-shaped data --parse_instance--> MarketInstance --solve_market--> MarketResult
                                              |                                |
                                              +------- check_stability <-------+ .matching
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from types import UnionType
from typing import Any

import numpy as np
import numpy.typing as npt

from mts.domain.errors import ImportRejected, NotFound, Problem

IntArray = npt.NDArray[np.int64]

_ROLE_FIELDS = frozenset({"capacity", "ranking"})
_TOP_FIELDS = frozenset({"people", "roles"})
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MarketInstance:
    """A validated market compiled to flat integer arrays; build it with ``parse_instance``.

    People and roles are numbered in input order. Person ``p``'s list is
    ``person_roles[person_start[p]:person_start[p + 1]]``, best first; a
    *slot* is a position in the flat array ``role_people``, where role ``r``
    owns ``role_start[r]:role_start[r + 1]``, best first, tied people next to
    each other with the same ``role_tier``; ``person_owner`` and ``role_owner``
    name the list each flat entry belongs to. ``person_slot[k]`` is the slot of
    the k-th list entry's person in that entry's role, or -1 when the role
    does not rank them.
    """

    people: tuple[str, ...]
    roles: tuple[str, ...]
    person_index: Mapping[str, int]
    role_index: Mapping[str, int]
    capacity: IntArray
    person_start: IntArray
    person_roles: IntArray
    person_owner: IntArray
    person_slot: IntArray
    role_start: IntArray
    role_owner: IntArray
    role_people: IntArray
    role_tier: IntArray
    has_ties: bool

    def preferences(self, person: str) -> tuple[str, ...]:
        """The roles ``person`` ranked, best first."""
        p = self.number_of(person)
        entries = self.person_roles[self.person_start[p] : self.person_start[p + 1]]
        return tuple(self.roles[r] for r in entries.tolist())

    def number_of(self, person: str) -> int:
        """The person's number in the arrays; ``NotFound`` if the market has no such person."""
        try:
            return self.person_index[person]
        except KeyError:
            raise NotFound("person", person) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A role a person ranked above the one they got, and who the lead kept instead.

    ``preferred`` is the person the role holds at the end whom its lead ranks
    lowest; they still beat this person. ``None`` means the lead did not rank
    this person at all. ``by_lottery`` means the two were tied in the lead's
    ranking and the seeded lottery decided.
    """

    role: str
    preferred: str | None
    by_lottery: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why a person got ``role`` (``None``: unmatched): every better-ranked role said no."""

    person: str
    role: str | None
    rejected_by: tuple[Rejection, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MarketResult:
    """The people-optimal stable matching, and what is needed to explain it.

    ``matching`` maps every person to a role id or ``None``. ``proposals``
    counts the offers made. The arrays are the run's end state: ``cursor[p]``
    is the list entry person ``p`` holds (or the end of their list),
    ``order`` maps strict slots to the instance's slots (ties broken) and
    ``cutoff[r]`` is the strict slot of the lowest-ranked person role ``r``
    holds (-1 when it holds nobody).
    """

    matching: Mapping[str, str | None]
    seed: int
    proposals: int
    instance: MarketInstance
    cursor: IntArray
    order: IntArray
    cutoff: IntArray

    def explain(self, person: str) -> Explanation:
        """The role ``person`` got and, for each role they ranked higher, who beat them."""
        inst = self.instance
        p = inst.number_of(person)
        entries = range(int(inst.person_start[p]), int(self.cursor[p]))
        return Explanation(
            person=person,
            role=self.matching[person],
            rejected_by=tuple(self._rejection(k) for k in entries),
        )

    def explanations(self) -> dict[str, Explanation]:
        """``explain`` for every person, in input order."""
        return {person: self.explain(person) for person in self.instance.people}

    def _rejection(self, entry: int) -> Rejection:
        inst = self.instance
        role = int(inst.person_roles[entry])
        slot = int(inst.person_slot[entry])
        if slot < 0:
            return Rejection(role=inst.roles[role], preferred=None, by_lottery=False)
        kept = int(self.order[self.cutoff[role]])
        return Rejection(
            role=inst.roles[role],
            preferred=inst.people[int(inst.role_people[kept])],
            by_lottery=bool(inst.role_tier[kept] == inst.role_tier[slot]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StabilityReport:
    """What ``check_stability`` found; a valid, stable matching has nothing in any field.

    ``blocking_pairs`` are (person, role) pairs that would both rather be
    together; ``over_capacity`` names roles holding more people than seats;
    ``unacceptable`` lists matched pairs not on each other's lists, or
    naming an unknown person or role.
    """

    blocking_pairs: tuple[tuple[str, str], ...]
    over_capacity: tuple[str, ...]
    unacceptable: tuple[tuple[str, str], ...]

    @property
    def is_stable(self) -> bool:
        """Whether the matching is valid and has no blocking pair."""
        return not (self.blocking_pairs or self.over_capacity or self.unacceptable)


# --------------------------------------------------------------------------- parse


def parse_instance(data: object, *, source: str = "instance") -> MarketInstance:
    """Validate a JSON-shaped market and compile it, or raise ``ImportRejected`` with every fault.

    Parameters
    ----------
    data
        ``{"people": {pid: [rid, ...]}, "roles": {rid: {"capacity": int,
        "ranking": [pid | [pid, ...], ...]}}}``, lists best first; a nested
        list in a ranking is a group of tied people.
    source
        Names the input (a file path) in every ``Problem``.
    """
    instance = _compile(data)
    if instance is None:
        problems = find_problems(data, source=source)
        assert problems, "the fast path refused an instance the full check accepts"
        raise ImportRejected(problems)
    return instance


def _compile(data: object) -> MarketInstance | None:
    """The fast path: compile, or return None at the first fault of any kind."""
    shape = _shape(data)
    if shape is None:
        return None
    people, capacities, rankings = shape
    role_index = _index(capacities)
    person_index = _index(people)
    person_side = _map_ids(people.values(), role_index)
    role_side = _flatten_rankings(rankings, person_index)
    if person_side is None or role_side is None:
        return None
    person_lengths, person_roles = person_side
    role_lengths, role_people, role_tier, has_ties = role_side
    person_owner = _owners(person_lengths)
    role_owner = _owners(role_lengths)
    slots = _join(person_owner, person_roles, role_owner, role_people, len(role_index))
    if slots is None:
        return None
    return MarketInstance(
        people=tuple(people),
        roles=tuple(capacities),
        person_index=person_index,
        role_index=role_index,
        capacity=np.fromiter(capacities.values(), np.int64, count=len(capacities)),
        person_start=_starts(person_lengths),
        person_roles=person_roles,
        person_owner=person_owner,
        person_slot=slots,
        role_start=_starts(role_lengths),
        role_owner=role_owner,
        role_people=role_people,
        role_tier=role_tier,
        has_ties=has_ties,
    )


_Shape = tuple[dict[str, Sequence[object]], dict[str, int], list[Sequence[object]]]


def _shape(data: object) -> _Shape | None:
    """People's lists, role capacities and rankings, if every container has the right type."""
    if not isinstance(data, dict) or data.keys() != _TOP_FIELDS:
        return None
    people, roles = data["people"], data["roles"]
    if not isinstance(people, dict) or not isinstance(roles, dict):
        return None
    if not _all_of(people, str) or not _all_of(people.values(), list | tuple):
        return None
    capacities: dict[str, int] = {}
    rankings: list[Sequence[object]] = []
    for key, role in roles.items():
        if not isinstance(key, str) or not isinstance(role, dict) or role.keys() != _ROLE_FIELDS:
            return None
        capacity, ranking = role["capacity"], role["ranking"]
        if type(capacity) is not int or capacity < 1 or not isinstance(ranking, list | tuple):
            return None
        capacities[key] = capacity
        rankings.append(ranking)
    return people, capacities, rankings


def _index(ids: Iterable[str]) -> dict[str, int]:
    """Number the ids in order.

    The keys are fresh copies made in one sweep: packed together in memory,
    they make the million lookups that follow about twice as fast as keys
    scattered through the parsed JSON.
    """
    ids = list(ids)
    copies = "\0".join(ids).split("\0")
    keys = copies if len(copies) == len(ids) else ids  # an id holding "\0" would split
    return dict(zip(keys, range(len(keys)), strict=True))


def _all_of(values: Iterable[object], kind: type | UnionType) -> bool:
    """Whether every value is a ``kind``, asking once per distinct type (fast on 100k values)."""
    return all(issubclass(t, kind) for t in set(map(type, values)))


def _map_ids(
    lists: Iterable[Sequence[object]], index: Mapping[str, int]
) -> tuple[IntArray, IntArray] | None:
    """Each list's length and all entries as numbers; None if an entry is not a known id."""
    chunks = list(lists)
    lengths = np.fromiter(map(len, chunks), np.int64, count=len(chunks))
    flat: list[Any] = list(chain.from_iterable(chunks))
    try:
        ids = np.fromiter(map(index.__getitem__, flat), np.int64, count=len(flat))
    except (KeyError, TypeError):  # an unknown id, a tie group, or a value of the wrong type
        return None
    return lengths, ids


_Rankings = tuple[IntArray, IntArray, IntArray, bool]


def _flatten_rankings(
    rankings: list[Sequence[object]], person_index: Mapping[str, int]
) -> _Rankings | None:
    """Lengths, people and tiers of every ranking, tie groups spread out; None on a bad entry."""
    plain = _map_ids(rankings, person_index)
    if plain is None:
        return _flatten_tiers(rankings, person_index)
    lengths, people = plain
    return lengths, people, np.arange(len(people)) - _owner_starts(lengths), False


def _flatten_tiers(
    rankings: list[Sequence[object]], person_index: Mapping[str, int]
) -> _Rankings | None:
    """The slow path of ``_flatten_rankings``, for rankings that hold tie groups."""
    lengths: list[int] = []
    names: list[object] = []
    tiers: list[int] = []
    has_ties = False
    for ranking in rankings:
        before = len(names)
        for tier, entry in enumerate(ranking):
            group = _tie_group(entry)
            if group is None:
                return None
            names.extend(group)
            tiers.extend([tier] * len(group))
            has_ties = has_ties or len(group) > 1
        lengths.append(len(names) - before)
    people = [person_index.get(name, -1) if isinstance(name, str) else -1 for name in names]
    if -1 in people:
        return None
    return _ints(lengths), _ints(people), _ints(tiers), has_ties


def _tie_group(entry: object) -> Sequence[object] | None:
    """A ranking entry as a group: one id alone, or a non-empty list of tied ids."""
    if isinstance(entry, str):
        return (entry,)
    if isinstance(entry, list | tuple) and entry:
        return entry
    return None


def _ints(values: list[int]) -> IntArray:
    return np.array(values, np.int64)


def _join(
    person_owner: IntArray,
    person_roles: IntArray,
    role_owner: IntArray,
    role_people: IntArray,
    n_roles: int,
) -> IntArray | None:
    """Each list entry's slot in its role's ranking (-1 if unranked); None on a duplicate entry.

    Both sides are keyed ``person * n_roles + role`` and sorted, so one
    sorted search pairs them and a repeated key is a duplicate.
    """
    role_keys = role_people * n_roles + role_owner
    role_order = np.argsort(role_keys)
    role_sorted = role_keys[role_order]
    person_keys = person_owner * n_roles + person_roles
    person_order = np.argsort(person_keys)
    person_sorted = person_keys[person_order]
    if _has_repeats(role_sorted) or _has_repeats(person_sorted):
        return None
    slots = np.full(len(person_keys), -1, np.int64)
    if len(role_sorted) == 0:
        return slots
    at = np.minimum(np.searchsorted(role_sorted, person_sorted), len(role_sorted) - 1)
    found = role_sorted[at] == person_sorted
    slots[person_order[found]] = role_order[at[found]]
    return slots


def _has_repeats(sorted_keys: IntArray) -> bool:
    return bool(np.any(sorted_keys[1:] == sorted_keys[:-1]))


def _starts(lengths: IntArray) -> IntArray:
    starts = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts


def _owners(lengths: IntArray) -> IntArray:
    """For each flat entry, the number of the list it came from."""
    return np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)


def _owner_starts(lengths: IntArray) -> IntArray:
    """For each flat entry, where its list starts."""
    return np.repeat(_starts(lengths)[:-1], lengths)


# --------------------------------------------------------------------------- problems


class _Faults:
    """Collects problems for one source, in document order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, column: str | None, expected: str, found: str) -> None:
        problem = Problem(file=self.source, row=None, column=column, expected=expected, found=found)
        self.problems.append(problem)


def find_problems(data: object, *, source: str = "instance") -> list[Problem]:
    """Every fault in a JSON-shaped market, in document order; empty when it is valid."""
    faults = _Faults(source)
    if not isinstance(data, dict):
        faults.add(None, "a JSON object with 'people' and 'roles'", _show(data))
        return faults.problems
    _check_fields(data, _TOP_FIELDS, "", faults)
    people = _section(data, "people", "an object of person id -> list of role ids", faults)
    roles = _section(data, "roles", "an object of role id -> {capacity, ranking}", faults)
    person_ids = None if people is None else _string_keys(people)
    role_ids = None if roles is None else _string_keys(roles)
    for person, ranked in (people or {}).items():
        _check_person(ranked, _path("people", str(person)), role_ids, faults)
    for role, spec in (roles or {}).items():
        _check_role(spec, _path("roles", str(role)), person_ids, faults)
    return faults.problems


def _check_fields(obj: dict[Any, Any], fields: frozenset[str], at: str, f: _Faults) -> None:
    for missing in sorted(fields - obj.keys()):
        f.add(_path(at, missing), f"a field {missing!r}", "nothing: the field is missing")
    for extra in obj:
        if extra not in fields:
            f.add(_path(at, str(extra)), f"only the fields {sorted(fields)}", "an extra field")


def _section(data: dict[Any, Any], name: str, expected: str, f: _Faults) -> dict[Any, Any] | None:
    """``data[name]`` if it is an object whose keys are strings; report it otherwise."""
    if name not in data:
        return None
    obj = data[name]
    if not isinstance(obj, dict):
        f.add(name, expected, _show(obj))
        return None
    for key in obj:
        if not isinstance(key, str):
            f.add(_path(name, str(key)), "a string id", _show(key))
    return obj


def _string_keys(obj: dict[Any, Any]) -> frozenset[str]:
    return frozenset(key for key in obj if isinstance(key, str))


def _check_person(ranked: object, at: str, role_ids: frozenset[str] | None, f: _Faults) -> None:
    if not isinstance(ranked, list | tuple):
        f.add(at, "a list of role ids, best first", _show(ranked))
        return
    seen: dict[str, str] = {}
    for i, role in enumerate(ranked):
        _check_id(role, f"{at}[{i}]", role_ids, seen, "role", f)


def _check_role(spec: object, at: str, person_ids: frozenset[str] | None, f: _Faults) -> None:
    if not isinstance(spec, dict):
        f.add(at, "an object with 'capacity' and 'ranking'", _show(spec))
        return
    _check_fields(spec, _ROLE_FIELDS, at, f)
    capacity = spec.get("capacity", 1)
    if type(capacity) is not int or capacity < 1:
        f.add(f"{at}.capacity", "a whole number of seats, at least 1", _show(capacity))
    ranking = spec.get("ranking", [])
    if not isinstance(ranking, list | tuple):
        f.add(f"{at}.ranking", "a list of person ids, best first", _show(ranking))
        return
    seen: dict[str, str] = {}
    for i, entry in enumerate(ranking):
        _check_ranking_entry(entry, f"{at}.ranking[{i}]", person_ids, seen, f)


def _check_ranking_entry(
    entry: object, at: str, person_ids: frozenset[str] | None, seen: dict[str, str], f: _Faults
) -> None:
    if not isinstance(entry, list | tuple):
        _check_id(entry, at, person_ids, seen, "person", f)
    elif not entry:
        f.add(at, "a person id or a non-empty list of tied person ids", "[]")
    else:
        for j, member in enumerate(entry):
            _check_id(member, f"{at}[{j}]", person_ids, seen, "person", f)


def _check_id(
    value: object,
    at: str,
    known: frozenset[str] | None,
    seen: dict[str, str],
    kind: str,
    f: _Faults,
) -> None:
    """One list entry: a string, defined on the other side, not seen before in this list."""
    other_side = "roles" if kind == "role" else "people"
    if not isinstance(value, str):
        f.add(at, f"a {kind} id (a string)", _show(value))
    elif known is not None and value not in known:
        f.add(at, f"a {kind} id defined under {other_side!r}", _show(value))
    elif value in seen:
        f.add(at, f"each {kind} at most once in a list (already at {seen[value]})", _show(value))
    else:
        seen[value] = at


def _path(parent: str, key: str) -> str:
    """A JSON path such as ``roles.r1``; odd keys are quoted: ``roles["a b"]``."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key)}]"


def _show(value: object) -> str:
    """A short rendering of an offending value, as JSON where possible."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------- solve


def solve_market(instance: MarketInstance, *, seed: int = 0) -> MarketResult:
    """The people-optimal stable matching by people-proposing deferred acceptance.

    Parameters
    ----------
    instance
        A market from ``parse_instance``.
    seed
        Seeds the lottery that orders tied people (module docstring); it
        changes nothing when no lead's ranking has a tie.

    Notes
    -----
    Gale & Shapley (1962), with capacities as in Roth (1984): a free person
    proposes to the next role on their list; the role keeps its ``capacity``
    best proposers and rejects the worst when over. Linear in the total
    length of the lists: person pointers only advance, and a full role's
    cut-off only moves up its ranking.
    """
    order = _strict_order(instance, seed)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    strict_slot = _take(inverse, instance.person_slot)
    cursor_list, cutoff = _defer(instance, strict_slot, instance.role_people[order])
    cursor = np.array(cursor_list, np.int64)
    held = np.where(cursor < instance.person_start[1:], cursor, -1)
    names = [*instance.roles, None]  # -1, unmatched, picks the trailing None
    roles = _take(instance.person_roles, held).tolist()
    return MarketResult(
        matching=dict(zip(instance.people, map(names.__getitem__, roles), strict=True)),
        seed=seed,
        proposals=_count_proposals(instance, cursor),
        instance=instance,
        cursor=cursor,
        order=order,
        cutoff=np.array(cutoff, np.int64),
    )


def _strict_order(instance: MarketInstance, seed: int) -> IntArray:
    """Slots sorted by (role, tier, lottery number): the rankings with ties broken.

    One lottery for all roles: person ``i`` in id order draws
    ``default_rng(seed).permutation(n_people)[i]``; the lower number wins.
    """
    if not instance.has_ties:
        return np.arange(len(instance.role_people), dtype=np.int64)
    by_id = sorted(range(len(instance.people)), key=instance.people.__getitem__)
    lottery = np.empty(len(by_id), np.int64)
    lottery[by_id] = np.random.default_rng(seed).permutation(len(by_id))
    keys = (lottery[instance.role_people], instance.role_tier, instance.role_owner)
    order = np.lexsort(keys)
    return order.astype(np.int64)


def _defer(
    instance: MarketInstance, strict_slot: IntArray, holders: IntArray
) -> tuple[list[int], list[int]]:
    """Run deferred acceptance; return each person's final list position and each role's cut-off.

    ``strict_slot`` is each list entry's slot in the tie-broken rankings and
    ``holders`` the person at each such slot. The outcome does not depend on
    the order of proposals (McVitie & Wilson 1971), so the first round is
    made by everyone at once in numpy and the rest one at a time, where
    plain lists beat numpy.
    """
    cursor, held_slots, turned_down = _first_round(instance, strict_slot, holders)
    held_roles = instance.role_owner[held_slots]
    cutoff = np.full(len(instance.roles), -1, np.int64)
    np.maximum.at(cutoff, held_roles, held_slots)
    held = np.zeros(len(holders), np.bool_)
    held[held_slots] = True
    state = _State(
        cursor=cursor.tolist(),
        filled=np.bincount(held_roles, minlength=len(instance.roles)).tolist(),
        cutoff=cutoff.tolist(),
        held=held.tolist(),
        free=turned_down.tolist(),
    )
    _propose(state, instance, strict_slot.tolist(), holders.tolist())
    return state.cursor, state.cutoff


def _first_round(
    instance: MarketInstance, strict_slot: IntArray, holders: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Everyone proposes to the first role that ranks them; each role holds its best ``capacity``.

    Returns each person's list position (the end for people no role ranks),
    the slots now held, and the people turned down.
    """
    ranked = np.flatnonzero(strict_slot >= 0)
    owner = instance.person_owner[ranked]
    first = ranked[np.flatnonzero(np.diff(owner, prepend=-1))]
    cursor = instance.person_start[1:].copy()
    cursor[instance.person_owner[first]] = first
    slots = np.sort(strict_slot[first])  # by role, and best first within a role
    roles = instance.role_owner[slots]
    place = np.arange(len(slots)) - np.searchsorted(roles, roles)
    kept = place < instance.capacity[roles]
    turned_down = holders[slots[~kept]]
    cursor[turned_down] += 1
    return cursor, slots[kept], turned_down


@dataclass(slots=True, kw_only=True)
class _State:
    """Deferred acceptance between proposals: where each person is, and what each role holds."""

    cursor: list[int]
    filled: list[int]
    cutoff: list[int]
    held: list[bool]
    free: list[int]


def _propose(
    state: _State, instance: MarketInstance, slot_of: list[int], holder: list[int]
) -> None:
    """Let free people propose down their lists until nobody is free."""
    role_of: list[int] = instance.person_roles.tolist()
    capacity: list[int] = instance.capacity.tolist()
    ends: list[int] = instance.person_start[1:].tolist()
    cursor, filled, cutoff, held, free = (
        state.cursor,
        state.filled,
        state.cutoff,
        state.held,
        state.free,
    )
    while free:
        person = free.pop()
        k, end = cursor[person], ends[person]
        while k < end:
            slot, role = slot_of[k], role_of[k]
            if slot < 0:
                k += 1
            elif filled[role] < capacity[role]:
                filled[role] += 1
                held[slot] = True
                cutoff[role] = max(cutoff[role], slot)
                break
            elif slot < cutoff[role]:
                held[slot] = True
                cutoff[role] = _reject_worst(cutoff[role], held, holder, cursor, free)
                break
            else:
                k += 1
        cursor[person] = k


def _reject_worst(
    worst: int, held: list[bool], holder: list[int], cursor: list[int], free: list[int]
) -> int:
    """Free the person at slot ``worst``; return the role's new cut-off, the next held slot up."""
    held[worst] = False
    loser = holder[worst]
    cursor[loser] += 1
    free.append(loser)
    worst -= 1
    while not held[worst]:
        worst -= 1
    return worst


def _count_proposals(instance: MarketInstance, cursor: IntArray) -> int:
    """Offers made: every ranked entry up to each person's cursor (the held one included)."""
    entry = np.arange(len(instance.person_roles))
    reached = entry <= cursor[instance.person_owner]
    return int(np.count_nonzero(reached & (instance.person_slot >= 0)))


def _take(values: IntArray, index: IntArray, missing: int = -1) -> IntArray:
    """``values[index]``, with ``missing`` wherever ``index`` is negative."""
    out = np.full(len(index), missing, np.int64)
    ok = index >= 0
    out[ok] = values[index[ok]]
    return out


# --------------------------------------------------------------------------- check

_UNRANKED = np.iinfo(np.int64).max  # below every tier: a role holding someone it never ranked


def check_stability(
    instance: MarketInstance, matching: Mapping[str, str | None]
) -> StabilityReport:
    """Every blocking pair of ``matching``, every over-full role and every unacceptable pair.

    Parameters
    ----------
    instance
        The market, with the leads' own tiers (ties are not broken here).
    matching
        Person id -> role id or ``None``; people left out are unmatched.

    Notes
    -----
    ``(p, r)`` blocks when both rank each other, ``p`` ranks ``r`` above
    ``mu(p)`` (or is unmatched, or holds a role off their list) and ``r``
    has a free seat or puts ``p`` in a strictly better tier than someone it
    holds. One vectorised pass over all list entries: linear time.
    """
    match_role, unknown = _match_roles(instance, matching)
    match_entry = _match_entries(instance, match_role)
    match_slot = _take(instance.person_slot, match_entry)
    unacceptable = np.flatnonzero((match_role >= 0) & (match_slot < 0))
    counts = np.bincount(match_role[match_role >= 0], minlength=len(instance.roles))
    worst = _worst_tiers(instance, match_role, counts)
    blocking = _blocking_entries(instance, match_entry, counts, worst)
    owners = instance.person_owner[blocking].tolist()
    roles = instance.person_roles[blocking].tolist()
    return StabilityReport(
        blocking_pairs=tuple(
            (instance.people[p], instance.roles[r]) for p, r in zip(owners, roles, strict=True)
        ),
        over_capacity=tuple(
            instance.roles[r] for r in np.flatnonzero(counts > instance.capacity).tolist()
        ),
        unacceptable=unknown
        + tuple((instance.people[p], instance.roles[match_role[p]]) for p in unacceptable.tolist()),
    )


def _match_roles(
    instance: MarketInstance, matching: Mapping[str, str | None]
) -> tuple[IntArray, tuple[tuple[str, str], ...]]:
    """Each person's matched role number (-1: none), and matched pairs naming unknown ids."""
    lookup: dict[str | None, int] = {None: -2}
    lookup.update(instance.role_index)
    people = _numbers(list(matching), instance.person_index)
    roles = _numbers(list(matching.values()), lookup)
    match_role = np.full(len(instance.people), -1, np.int64)
    known = (people >= 0) & (roles >= 0)
    match_role[people[known]] = roles[known]
    strays = np.flatnonzero((roles != -2) & ~known).tolist()
    items = list(matching.items()) if strays else []
    return match_role, tuple((items[i][0], str(items[i][1])) for i in strays)


def _numbers(ids: Sequence[Any], index: Mapping[Any, int]) -> IntArray:
    """``index[id]`` for each id, -1 for ids it lacks."""
    try:
        return np.fromiter(map(index.__getitem__, ids), np.int64, count=len(ids))
    except KeyError:  # rare: look again, one id at a time
        return np.array([index.get(i, -1) for i in ids], np.int64)


def _match_entries(instance: MarketInstance, match_role: IntArray) -> IntArray:
    """Where each person's matched role sits in their own list; -1 if unmatched or not listed."""
    hits = np.flatnonzero(instance.person_roles == match_role[instance.person_owner])
    match_entry = np.full(len(instance.people), -1, np.int64)
    match_entry[instance.person_owner[hits]] = hits
    return match_entry


def _worst_tiers(instance: MarketInstance, match_role: IntArray, counts: IntArray) -> IntArray:
    """The tier of the lowest-ranked person each role holds (-1 when it holds nobody).

    Read from the lead's side, so a holder who never listed the role still
    counts at their tier; a holder the lead never ranked is below every tier.
    """
    held = np.flatnonzero(match_role[instance.role_people] == instance.role_owner)
    worst = np.full(len(instance.roles), -1, np.int64)
    np.maximum.at(worst, instance.role_owner[held], instance.role_tier[held])
    ranked = np.bincount(instance.role_owner[held], minlength=len(instance.roles))
    worst[counts > ranked] = _UNRANKED
    return worst


def _blocking_entries(
    instance: MarketInstance, match_entry: IntArray, counts: IntArray, worst: IntArray
) -> IntArray:
    """The list entries ``(p, r)`` that block: ranked both ways, above ``mu(p)``, ``r`` willing."""
    bound = np.where(match_entry >= 0, match_entry, instance.person_start[1:])
    above = np.arange(len(instance.person_roles)) < bound[instance.person_owner]
    tier = _take(instance.role_tier, instance.person_slot, _UNRANKED)
    role = instance.person_roles
    wanted = (counts[role] < instance.capacity[role]) | (tier < worst[role])
    return np.flatnonzero(above & (instance.person_slot >= 0) & wanted)
