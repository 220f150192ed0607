"""Import and export of record files: validate everything, then write in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mts.domain.errors import ImportRejected, Problem
from mts.domain.evidence import Evidence
from mts.domain.people import Department, DepartmentId, Person, PersonId
from mts.domain.projects import Groundwork, Interest, Project, ProjectId, Role, RoleId
from mts.domain.protected import ProtectedProfile
from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

Progress = Callable[[int], None]
"""Called with how many more records were handled; the CLI draws a bar from it."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person with the protected profile imported beside them, if any."""

    person: Person
    profile: ProtectedProfile | None


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Validated values of one kind from one file, with the row each came from."""

    kind: str
    file: str
    values: Sequence[Any]
    rows: Sequence[int]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    file: str
    read: int
    added: int
    updated: int
    dry_run: bool


def import_records(
    unit_of_work: UnitOfWorkFactory,
    batch: RecordBatch,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check ``batch`` against the store, then write all of it or, on any problem, nothing."""
    with unit_of_work() as uow:
        problems = _dangling_references(uow, batch)
        if problems:
            raise ImportRejected(problems)
        added = _write(uow, batch, progress or (lambda _: None))
        if not dry_run:
            uow.commit()
    read = len(batch.values)
    return ImportReport(batch.kind, batch.file, read, added, read - added, dry_run)


# -- references -----------------------------------------------------------------

Lookup = Callable[[UnitOfWork, set[str]], set[str]]


@dataclass(frozen=True, slots=True)
class _Reference:
    column: str
    target: str
    value: Callable[[Any], str | None]
    existing: Lookup


def _people(uow: UnitOfWork, keys: set[str]) -> set[str]:
    return set(uow.people.existing_keys({PersonId(k) for k in keys}))


def _departments(uow: UnitOfWork, keys: set[str]) -> set[str]:
    return set(uow.departments.existing_keys({DepartmentId(k) for k in keys}))


def _projects(uow: UnitOfWork, keys: set[str]) -> set[str]:
    return set(uow.projects.existing_keys({ProjectId(k) for k in keys}))


def _roles(uow: UnitOfWork, keys: set[str]) -> set[str]:
    return set(uow.roles.existing_keys({RoleId(k) for k in keys}))


_REFERENCES: dict[str, tuple[_Reference, ...]] = {
    "people": (
        _Reference("department", "department", lambda r: r.person.department, _departments),
    ),
    "projects": (
        _Reference("proposer_id", "person", lambda p: p.proposer, _people),
        _Reference("department", "department", lambda p: p.department, _departments),
    ),
    "roles": (_Reference("project_id", "project", lambda r: r.project, _projects),),
    "evidence": (
        _Reference("person_id", "person", lambda e: e.person, _people),
        _Reference("reviewer_id", "person", lambda e: e.reviewer, _people),
    ),
    "interests": (
        _Reference("person_id", "person", lambda i: i.person, _people),
        _Reference("project_id", "project", lambda i: i.project, _projects),
        _Reference("role_id", "role", lambda i: i.role, _roles),
    ),
    "groundwork": (
        _Reference("project_id", "project", lambda g: g.project, _projects),
        _Reference("person_id", "person", lambda g: g.person, _people),
    ),
}


def _dangling_references(uow: UnitOfWork, batch: RecordBatch) -> list[Problem]:
    problems: list[Problem] = []
    for ref in _REFERENCES.get(batch.kind, ()):
        wanted = {v for v in map(ref.value, batch.values) if v is not None}
        known = ref.existing(uow, wanted) if wanted else set()
        for row, value in zip(batch.rows, batch.values, strict=True):
            target = ref.value(value)
            if target is not None and target not in known:
                problems.append(
                    _problem(batch, row, ref.column, f"a known {ref.target} id", target)
                )
    problems.extend(_kind_specific_problems(uow, batch))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def _problem(batch: RecordBatch, row: int, column: str, expected: str, found: str) -> Problem:
    return Problem(file=batch.file, row=row, column=column, expected=expected, found=repr(found))


def _kind_specific_problems(uow: UnitOfWork, batch: RecordBatch) -> Iterable[Problem]:
    if batch.kind == "people":
        yield from _email_clashes(uow, batch)
    elif batch.kind == "evidence":
        yield from _self_reviews(batch)
    elif batch.kind == "interests":
        yield from _roles_outside_project(uow, batch)


def _email_clashes(uow: UnitOfWork, batch: RecordBatch) -> Iterable[Problem]:
    owners = uow.people.emails()
    seen: dict[str, int] = {}
    for row, record in zip(batch.rows, batch.values, strict=True):
        person = record.person
        owner = owners.get(person.email)
        if owner is not None and owner != person.id:
            yield _problem(batch, row, "email", f"an email not used by {owner}", person.email)
        elif person.email in seen:
            expected = f"an email not already used on row {seen[person.email]}"
            yield _problem(batch, row, "email", expected, person.email)
        seen.setdefault(person.email, row)


def _self_reviews(batch: RecordBatch) -> Iterable[Problem]:
    for row, evidence in zip(batch.rows, batch.values, strict=True):
        if evidence.reviewer == evidence.person:
            yield _problem(
                batch, row, "reviewer_id", "a reviewer other than the person", evidence.reviewer
            )


def _roles_outside_project(uow: UnitOfWork, batch: RecordBatch) -> Iterable[Problem]:
    for row, interest in zip(batch.rows, batch.values, strict=True):
        role = uow.roles.get(interest.role) if interest.role else None
        if role is not None and role.project != interest.project:
            expected = f"a role of project {interest.project}"
            yield _problem(batch, row, "role_id", expected, f"{role.id} of {role.project}")


# -- writing --------------------------------------------------------------------


def _write(uow: UnitOfWork, batch: RecordBatch, progress: Progress) -> int:
    return write_values(uow, batch.kind, batch.values, progress)


def write_values(
    uow: UnitOfWork, kind: str, values: Sequence[Any], progress: Progress | None = None
) -> int:
    """Write already-checked ``values`` of ``kind`` in ``uow``; return how many were new."""
    writer = _WRITERS[kind]
    added = 0
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        added += writer(uow, chunk)
        if progress is not None:
            progress(len(chunk))
    return added


def _put_keyed(repository: Any, values: Sequence[Any], key: Callable[[Any], str]) -> int:
    stored = repository.existing_keys({key(v) for v in values})
    for value in values:
        repository.put(value)
    return sum(1 for v in values if key(v) not in stored)


def _write_people(uow: UnitOfWork, records: Sequence[PersonRecord]) -> int:
    added = _put_keyed(uow.people, [r.person for r in records], lambda p: p.id)
    for record in records:
        if record.profile is not None:
            uow.protected.put(record.profile)
    return added


def _write_departments(uow: UnitOfWork, values: Sequence[Department]) -> int:
    return _put_keyed(uow.departments, values, lambda d: d.id)


def _write_projects(uow: UnitOfWork, values: Sequence[Project]) -> int:
    return _put_keyed(uow.projects, values, lambda p: p.id)


def _write_roles(uow: UnitOfWork, values: Sequence[Role]) -> int:
    return _put_keyed(uow.roles, values, lambda r: r.id)


def _write_evidence(uow: UnitOfWork, values: Sequence[Evidence]) -> int:
    return uow.evidence.add_new(values)


def _write_interests(uow: UnitOfWork, values: Sequence[Interest]) -> int:
    return sum(uow.interests.put(v) for v in values)


def _write_groundwork(uow: UnitOfWork, values: Sequence[Groundwork]) -> int:
    return sum(uow.groundwork.put(v) for v in values)


_WRITERS: dict[str, Callable[[UnitOfWork, Sequence[Any]], int]] = {
    "departments": _write_departments,
    "people": _write_people,
    "projects": _write_projects,
    "roles": _write_roles,
    "evidence": _write_evidence,
    "interests": _write_interests,
    "groundwork": _write_groundwork,
}

# -- export ---------------------------------------------------------------------


def export_records(unit_of_work: UnitOfWorkFactory, kind: str) -> list[Any]:
    """Every stored value of ``kind``, in a stable order (people with their profiles)."""
    with unit_of_work() as uow:
        if kind == "people":
            return [PersonRecord(p, uow.protected.get(p.id)) for p in uow.people.list()]
        readers: dict[str, Callable[[], Sequence[Any]]] = {
            "departments": uow.departments.list,
            "projects": uow.projects.list,
            "roles": uow.roles.list,
            "evidence": uow.evidence.list,
            "interests": uow.interests.list,
            "groundwork": uow.groundwork.list,
        }
        return list(readers[kind]())


# -- listings -------------------------------------------------------------------


def list_people(
    unit_of_work: UnitOfWorkFactory,
    *,
    department: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Person]:
    """Members in id order, optionally one department's."""
    with unit_of_work() as uow:
        if department is None:
            return uow.people.list(offset=offset, limit=limit)
        return uow.people.in_department(DepartmentId(department), offset=offset, limit=limit)


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """A project with how many roles, seats and FTE it asks for."""

    project: Project
    roles: int
    seats: int
    fte: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form."""
        return {
            "project_id": self.project.id,
            "title": self.project.title,
            "status": self.project.status.value,
            "proposer_id": self.project.proposer,
            "roles": self.roles,
            "seats": self.seats,
            "fte": self.fte,
        }


def list_projects(
    unit_of_work: UnitOfWorkFactory, *, status: str | None = None
) -> Sequence[ProjectSummary]:
    """Projects in id order, optionally in one status, with their demand for people."""
    with unit_of_work() as uow:
        roles_by_project: dict[str, list[Role]] = {}
        for role in uow.roles.list():
            roles_by_project.setdefault(role.project, []).append(role)
        summaries = []
        for project in uow.projects.list():
            if status is not None and project.status != status:
                continue
            roles = roles_by_project.get(project.id, [])
            seats = sum(r.headcount for r in roles)
            fte = sum(r.headcount * r.fte for r in roles)
            summaries.append(ProjectSummary(project, len(roles), seats, fte))
        return summaries
