"""Import engineering and employment history: identities resolved by email, one transaction.

Sources (git history, GitHub exports, review forms, HR exports) name people
by an email address, not by a person id. The use cases here take values the
importers already parsed and:

* resolve every identity to a person by its normalised email: an existing
  member when the store knows the email, otherwise a new member in the
  department given (created if missing), reported so that HR can place them;
* report *ambiguous* matches that were deliberately kept apart: one name
  under several emails, or a new email whose name an existing member bears;
* write everything in one transaction, streaming: judgements arrive as an
  iterator and are written a chunk at a time, so memory does not grow with
  the history. Evidence keys make a re-import add nothing.

Services never import the importers: they see ``Identity``, ``Judgement``,
``HistoryItem`` and ``Employee`` values only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import islice

from mts.domain.errors import ImportRejected, Problem
from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Period, Person, PersonId, Skill
from mts.domain.protected import ProtectedProfile
from mts.services.records import (
    ImportReport,
    PersonRecord,
    RecordBatch,
    import_records,
    write_values,
)
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

Progress = Callable[[int], None]
"""Called with how many more work items (commits, pull requests) were handled."""

DEFAULT_DEPARTMENT = DepartmentId("unassigned")
"""Where people who appear only in engineering history are placed until HR says otherwise."""

_CHUNK = 1000
_MAX_ID = 64
_MAX_NAME = 200


# -- values the importers hand over ------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """Someone as a source names them: a display name and a normalised email."""

    name: str
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A piece of evidence about identities, before they are resolved to people."""

    person: Identity
    work_item: str
    skills: tuple[SkillTag, ...]
    score: float
    day: date
    reviewer: Identity | None = None
    weight: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryItem:
    """The judgements one work item produced; ``units`` is what it counts for on a progress bar."""

    judgements: tuple[Judgement, ...]
    units: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceSource:
    """Where judgements come from: the evidence ``source``, its scale, and the input's name."""

    name: str
    scale: Scale
    origin: str


# -- reports ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPerson:
    """A member created by an import because no stored person had their email."""

    person: PersonId
    name: str
    email: str
    department: DepartmentId


@dataclass(frozen=True, slots=True, kw_only=True)
class AmbiguousMatch:
    """Identities that may be one person but were kept apart (or matched by one key only)."""

    name: str
    emails: tuple[str, ...]
    people: tuple[PersonId, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryReport:
    """What a history import did (or, in a dry run, would do)."""

    source: str
    origin: str
    items: int
    judgements: int
    added: int
    already_stored: int
    people_matched: int
    people_created: tuple[NewPerson, ...]
    department_created: DepartmentId | None
    ambiguous: tuple[AmbiguousMatch, ...]
    dry_run: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Employee:
    """One person as an HR export describes them: every stint, oldest first.

    Only the latest stint may be open. ``department`` is spelled as HR spells
    it (an id or a name); ``skills`` None keeps what is stored; ``row`` is the
    file row of the latest stint, for problems.
    """

    employee_id: PersonId
    name: str
    email: str
    department: str
    stints: tuple[Period, ...]
    profile: ProtectedProfile
    skills: tuple[Skill, ...] | None = None
    row: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class HrReport:
    """What an HR import did (or, in a dry run, would do)."""

    file: str
    employees: int
    added: int
    updated: int
    rehires: int
    leavers: int
    matched_by_email: tuple[tuple[PersonId, PersonId], ...]
    """(employee id, stored person) pairs where the email found someone under another id."""
    departments_created: tuple[DepartmentId, ...]
    ambiguous: tuple[AmbiguousMatch, ...]
    dry_run: bool


# -- identity resolution ------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """A name folded for comparison: accents, case and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """``text`` as an id: lower-case letters, digits, '.', '_' and '-' (at most 64 characters)."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name_key(text)).strip("-.")
    return cleaned[:_MAX_ID].rstrip("-.") or "x"


@dataclass(slots=True)
class _Directory:
    """People by email: those stored, plus those this transaction creates."""

    department: DepartmentId
    department_exists: bool
    by_email: dict[str, PersonId]
    names: dict[PersonId, str]
    stored: frozenset[PersonId]
    by_name: dict[str, set[PersonId]]
    seen: dict[PersonId, set[str]] = field(default_factory=dict)
    created: list[NewPerson] = field(default_factory=list)
    pending: list[Person] = field(default_factory=list)
    department_created: bool = False

    @classmethod
    def load(cls, uow: UnitOfWork, department: DepartmentId) -> _Directory:
        """Every stored person's email, id and name."""
        people = uow.people.list()
        by_name: dict[str, set[PersonId]] = {}
        for person in people:
            by_name.setdefault(name_key(person.name), set()).add(person.id)
        return cls(
            department=department,
            department_exists=uow.departments.get(department) is not None,
            by_email={p.email: p.id for p in people},
            names={p.id: p.name for p in people},
            stored=frozenset(p.id for p in people),
            by_name=by_name,
        )

    def resolve(self, identity: Identity, day: date) -> PersonId:
        """The person with ``identity``'s email, created (pending) when there is none."""
        found = self.by_email.get(identity.email)
        if found is None:
            found = self._create(identity, day)
        self.seen.setdefault(found, set()).add(name_key(identity.name))
        return found

    def _create(self, identity: Identity, day: date) -> PersonId:
        person_id = self._fresh_id(identity.email)
        name = (identity.name.strip() or identity.email.partition("@")[0])[:_MAX_NAME]
        self.pending.append(
            Person(
                id=person_id,
                name=name,
                email=identity.email,
                department=self.department,
                joined=day,
            )
        )
        self.created.append(
            NewPerson(person=person_id, name=name, email=identity.email, department=self.department)
        )
        self.by_email[identity.email] = person_id
        self.names[person_id] = name
        self.by_name.setdefault(name_key(name), set()).add(person_id)
        return person_id

    def _fresh_id(self, email: str) -> PersonId:
        base = slug(email.partition("@")[0])[: _MAX_ID - 6]
        candidate, suffix = base, 1
        while candidate in self.stored or candidate in self.names:
            suffix += 1
            candidate = f"{base}-{suffix}"
        return PersonId(candidate)

    def flush(self, uow: UnitOfWork) -> None:
        """Store the people created since the last flush, before evidence refers to them."""
        if self.pending and not self.department_exists:
            name = self.department.replace("-", " ").replace("_", " ").title()
            uow.departments.put(Department(id=self.department, name=name))
            self.department_exists = self.department_created = True
        for person in self.pending:
            uow.people.put(person)
        self.pending.clear()

    @property
    def matched(self) -> int:
        """How many stored people this import touched."""
        return sum(1 for person in self.seen if person in self.stored)

    def ambiguous(self) -> list[AmbiguousMatch]:
        """Names this import touched that belong to more than one person."""
        emails = {pid: email for email, pid in self.by_email.items()}
        found = []
        for key in sorted({k for keys in self.seen.values() for k in keys if k}):
            people = sorted(self.by_name.get(key, set()))
            if len(people) > 1:
                found.append(
                    AmbiguousMatch(
                        name=self.names[people[0]],
                        emails=tuple(emails[p] for p in people),
                        people=tuple(people),
                        reason="one name under several emails, kept apart: map the "
                        "addresses to one in .mailmap, or correct the email in HR",
                    )
                )
        return found


# -- engineering history ------------------------------------------------------------


def import_history(
    unit_of_work: UnitOfWorkFactory,
    source: EvidenceSource,
    items: Iterable[HistoryItem],
    *,
    department: DepartmentId = DEFAULT_DEPARTMENT,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> HistoryReport:
    """Resolve every identity in ``items`` by email and store the evidence, all or nothing.

    ``items`` is consumed inside the transaction, a chunk at a time; if it
    raises, nothing is written.
    """
    advance = progress or (lambda _: None)
    items_read = judgements = added = 0
    with unit_of_work() as uow:
        directory = _Directory.load(uow, department)
        for chunk in _chunks(items):
            evidence = [
                e
                for item in chunk
                for j in item.judgements
                if (e := _evidence(directory, source, j)) is not None
            ]
            directory.flush(uow)
            added += uow.evidence.add_new(evidence) if evidence else 0
            items_read += len(chunk)
            judgements += len(evidence)
            advance(sum(item.units for item in chunk))
        if not dry_run:
            uow.commit()
    return HistoryReport(
        source=source.name,
        origin=source.origin,
        items=items_read,
        judgements=judgements,
        added=added,
        already_stored=judgements - added,
        people_matched=directory.matched,
        people_created=tuple(directory.created),
        department_created=department if directory.department_created else None,
        ambiguous=tuple(directory.ambiguous()),
        dry_run=dry_run,
    )


def _chunks(items: Iterable[HistoryItem]) -> Iterator[list[HistoryItem]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, _CHUNK)):
        yield chunk


def _evidence(
    directory: _Directory, source: EvidenceSource, judgement: Judgement
) -> Evidence | None:
    person = directory.resolve(judgement.person, judgement.day)
    reviewer = None
    if judgement.reviewer is not None:
        reviewer = directory.resolve(judgement.reviewer, judgement.day)
        if reviewer == person:
            return None  # two addresses of one member: nobody reviews their own work
    return Evidence(
        person=person,
        reviewer=reviewer,
        source=source.name,
        work_item=judgement.work_item,
        skills=judgement.skills,
        score=judgement.score,
        scale=source.scale,
        day=judgement.day,
        weight=judgement.weight,
    )


# -- review forms -------------------------------------------------------------------


def import_reviews(
    unit_of_work: UnitOfWorkFactory,
    batch: RecordBatch,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import evidence whose ``person_id`` or ``reviewer_id`` may be a member's email."""
    with unit_of_work() as uow:
        owners = uow.people.emails()
    values = [_ids_for_emails(evidence, owners) for evidence in batch.values]
    return import_records(
        unit_of_work, replace(batch, values=values), dry_run=dry_run, progress=progress
    )


def _ids_for_emails(evidence: Evidence, owners: dict[str, PersonId]) -> Evidence:
    def resolved(key: PersonId) -> PersonId:
        return owners.get(key.lower(), key) if "@" in key else key

    reviewer = resolved(evidence.reviewer) if evidence.reviewer else None
    return replace(evidence, person=resolved(evidence.person), reviewer=reviewer)


# -- HR exports ---------------------------------------------------------------------


@dataclass(slots=True)
class _Staff:
    """What an HR import needs to know about the store, and what it decided so far."""

    file: str
    people: dict[PersonId, Person]
    by_email: dict[str, PersonId]
    by_name: dict[str, set[PersonId]]
    departments: dict[str, DepartmentId]
    new_departments: dict[DepartmentId, Department] = field(default_factory=dict)
    claimed: dict[PersonId, int] = field(default_factory=dict)
    ambiguous: list[AmbiguousMatch] = field(default_factory=list)
    matched_by_email: list[tuple[PersonId, PersonId]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(cls, uow: UnitOfWork, file: str) -> _Staff:
        """Every stored person and department."""
        people = {p.id: p for p in uow.people.list()}
        by_name: dict[str, set[PersonId]] = {}
        for person in people.values():
            by_name.setdefault(name_key(person.name), set()).add(person.id)
        departments: dict[str, DepartmentId] = {}
        for department in uow.departments.list():
            departments[name_key(department.name)] = department.id
            departments[department.id] = department.id
        return cls(
            file=file,
            people=people,
            by_email={p.email: p.id for p in people.values()},
            by_name=by_name,
            departments=departments,
        )

    def department(self, spelled: str) -> DepartmentId:
        """The department HR means by ``spelled``, created when none matches its id or name."""
        known = self.departments.get(spelled) or self.departments.get(name_key(spelled))
        if known is not None:
            return known
        new = DepartmentId(slug(spelled))
        if new in self.departments:
            return self.departments[new]
        self.new_departments[new] = Department(id=new, name=spelled.strip()[:_MAX_NAME])
        self.departments[new] = self.departments[name_key(spelled)] = new
        return new

    def target(self, employee: Employee) -> PersonId:
        """The stored person ``employee`` is (by email first, then by id), or their own id."""
        by_email = self.by_email.get(employee.email)
        by_id = self.people.get(employee.employee_id)
        if by_email is not None:
            if by_email != employee.employee_id:
                self.matched_by_email.append((employee.employee_id, by_email))
                if by_id is not None:
                    self._note(
                        employee,
                        (by_email, by_id.id),
                        "the employee id is another stored member; matched by email, "
                        "the other left unchanged",
                    )
            return by_email
        if by_id is not None:
            self._note(
                employee,
                (by_id.id,),
                f"the employee id is stored with email {by_id.email}; "
                "the email is replaced by the HR one",
            )
        elif len(self.by_name.get(name_key(employee.name), ())) > 0:
            others = tuple(sorted(self.by_name[name_key(employee.name)]))
            self._note(
                employee,
                (*others, employee.employee_id),
                "a new email under a name already stored; added as a separate member",
            )
        return employee.employee_id

    def _note(self, employee: Employee, people: tuple[PersonId, ...], reason: str) -> None:
        emails = tuple(
            dict.fromkeys(
                [employee.email] + [self.people[p].email for p in people if p in self.people]
            )
        )
        self.ambiguous.append(
            AmbiguousMatch(name=employee.name, emails=emails, people=people, reason=reason)
        )

    def claim(self, person: PersonId, employee: Employee) -> bool:
        """Record that ``employee`` is ``person``; False (and a problem) if a row already was."""
        earlier = self.claimed.get(person)
        if earlier is None:
            self.claimed[person] = employee.row
            return True
        self.problems.append(
            Problem(
                file=self.file,
                row=employee.row,
                column="email",
                expected=f"a member not already matched on row {earlier}",
                found=f"{employee.email!r} (stored as {person})",
            )
        )
        return False


def import_employees(
    unit_of_work: UnitOfWorkFactory,
    employees: Sequence[Employee],
    *,
    file: str,
    dry_run: bool = False,
) -> HrReport:
    """Store HR's people, stints and protected attributes, matched to members by email."""
    with unit_of_work() as uow:
        staff = _Staff.load(uow, file)
        records = [
            record for employee in employees if (record := _record(staff, employee)) is not None
        ]
        if staff.problems:
            raise ImportRejected(staff.problems)
        write_values(uow, "departments", list(staff.new_departments.values()))
        added = write_values(uow, "people", records)
        if not dry_run:
            uow.commit()
    return HrReport(
        file=file,
        employees=len(employees),
        added=added,
        updated=len(records) - added,
        rehires=sum(1 for e in employees if len(e.stints) > 1),
        leavers=sum(1 for e in employees if e.stints[-1].end is not None),
        matched_by_email=tuple(staff.matched_by_email),
        departments_created=tuple(staff.new_departments),
        ambiguous=tuple(staff.ambiguous),
        dry_run=dry_run,
    )


def _record(staff: _Staff, employee: Employee) -> PersonRecord | None:
    person_id = staff.target(employee)
    if not staff.claim(person_id, employee):
        return None
    stored = staff.people.get(person_id)
    latest = employee.stints[-1]
    skills = employee.skills if employee.skills is not None else (stored.skills if stored else ())
    person = Person(
        id=person_id,
        name=employee.name,
        email=employee.email,
        department=staff.department(employee.department),
        joined=latest.start,
        left=latest.end,
        skills=skills,
        earlier_periods=employee.stints[:-1],
    )
    return PersonRecord(person, replace(employee.profile, person=person_id))
