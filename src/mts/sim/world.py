"""The simulated organisation as it evolves quarter by quarter: the state the policy lab mutates.

Everything is indexed by a *person code*: a row for everyone employed at any
point of the run (the generated organisation's people first, in id order,
then each hire in the order hired). The hidden truth lives here, next to the
levels and leniencies, and never leaves the simulation except through
evidence (scores) and, for the level-gated policy and the metrics only,
protected profiles.

Evidence is kept as growing numpy chunks and handed to the merit engine as
``EvidenceColumns``, so refitting each quarter builds no Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import ProjectId, RoleId
from mts.domain.protected import ProtectedProfile
from mts.merit.columns import NO_REVIEWER, EvidenceColumns
from mts.sim.organisation import DEPARTMENTS, SyntheticOrganisation

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SOURCES = ("delivery", "review")
"""The two evidence sources of the generated organisation, in code order."""

QUARTER_DAYS = 91


@dataclass(eq=False, kw_only=True)
class People:
    """Everyone ever employed in the run, as parallel arrays indexed by person code.

    ``general`` and ``skill`` are the true ``g_p`` and ``d_ps`` (ability
    units: ``g ~ N(0, 1)`` at hiring); ``leniency`` is NaN for non-reviewers;
    ``idle`` counts consecutive quarters without a meaningful role.
    """

    ids: list[PersonId]
    department: IntArray
    general: FloatArray
    skill: FloatArray
    level: IntArray
    joined: IntArray
    active: BoolArray
    idle: IntArray
    leniency: FloatArray

    @property
    def count(self) -> int:
        """How many people the run has employed so far, leavers included."""
        return len(self.ids)

    def truth(self) -> FloatArray:
        """True ability per person and skill, ``theta_ps = g_p + d_ps``."""
        result: FloatArray = self.general[:, None] + self.skill
        return result

    def is_reviewer(self) -> BoolArray:
        """Who reviews others' work (and is still on staff)."""
        return self.active & ~np.isnan(self.leniency)

    def append(self, other: People) -> None:
        """Add the rows of ``other`` (new hires) after the existing ones."""
        self.ids.extend(other.ids)
        for name in (
            "department",
            "general",
            "skill",
            "level",
            "joined",
            "active",
            "idle",
            "leniency",
        ):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


@dataclass(frozen=True, eq=False, kw_only=True)
class EvidenceChunk:
    """Some pieces of evidence as arrays; tags of row ``i`` are the next ``n_tags[i]`` tags."""

    person: IntArray
    reviewer: IntArray
    source: IntArray
    n_tags: IntArray
    tag_skill: IntArray
    tag_weight: FloatArray
    score: FloatArray
    day: IntArray
    weight: FloatArray

    @property
    def rows(self) -> int:
        """The number of pieces of evidence."""
        return int(self.person.size)


@dataclass(eq=False)
class EvidenceLog:
    """All evidence of the run so far: the generated history, then each quarter's."""

    chunks: list[EvidenceChunk] = field(default_factory=list)

    def add(self, chunk: EvidenceChunk) -> None:
        """Append a quarter's evidence."""
        if chunk.rows:
            self.chunks.append(chunk)

    @property
    def rows(self) -> int:
        """The number of pieces of evidence logged."""
        return sum(c.rows for c in self.chunks)

    def columns(self, people: tuple[PersonId, ...], skills: tuple[Skill, ...]) -> EvidenceColumns:
        """The whole log as the merit engine's input; people double as the reviewer vocabulary."""

        def ints(name: str) -> npt.NDArray[np.int32]:
            return np.concatenate([getattr(c, name) for c in self.chunks]).astype(np.int32)

        def floats(name: str) -> FloatArray:
            return np.concatenate([getattr(c, name) for c in self.chunks]).astype(np.float64)

        n_tags = ints("n_tags")
        indptr = np.zeros(n_tags.size + 1, dtype=np.int64)
        np.cumsum(n_tags, out=indptr[1:])
        return EvidenceColumns(
            people=people,
            reviewers=people,
            skills=skills,
            sources=SOURCES,
            person=ints("person"),
            reviewer=ints("reviewer"),
            source=ints("source"),
            skill_indptr=indptr,
            skill_code=ints("tag_skill"),
            skill_weight=floats("tag_weight"),
            score=floats("score"),
            day=ints("day"),
            weight=floats("weight"),
        )


@dataclass(eq=False, kw_only=True)
class Commitments:
    """Seats held on running projects: who, on what, how much, and the first quarter it ends."""

    person: IntArray
    fte: FloatArray
    lead: BoolArray
    ends: IntArray
    project: list[ProjectId]
    role: list[RoleId]

    @staticmethod
    def none() -> Commitments:
        """No seats held."""
        return Commitments(
            person=np.zeros(0, dtype=np.int64),
            fte=np.zeros(0),
            lead=np.zeros(0, dtype=bool),
            ends=np.zeros(0, dtype=np.int64),
            project=[],
            role=[],
        )

    def held(self, quarter: int, active: BoolArray) -> BoolArray:
        """Which commitments still run in ``quarter`` and belong to someone on staff."""
        mask: BoolArray = (self.ends > quarter) & active[self.person]
        return mask

    def extend(self, other: Commitments) -> None:
        """Add newly staffed seats."""
        self.person = np.concatenate([self.person, other.person])
        self.fte = np.concatenate([self.fte, other.fte])
        self.lead = np.concatenate([self.lead, other.lead])
        self.ends = np.concatenate([self.ends, other.ends])
        self.project.extend(other.project)
        self.role.extend(other.role)

    def prune(self, quarter: int, active: BoolArray) -> None:
        """Forget seats that have ended or whose holder left."""
        keep = self.held(quarter, active)
        self.person, self.fte = self.person[keep], self.fte[keep]
        self.lead, self.ends = self.lead[keep], self.ends[keep]
        self.project = [p for p, k in zip(self.project, keep, strict=True) if k]
        self.role = [r for r, k in zip(self.role, keep, strict=True) if k]


@dataclass(eq=False, kw_only=True)
class World:
    """One policy's organisation over the run: people, seats held, evidence, and the calendar."""

    start: date
    departments: tuple[DepartmentId, ...]
    skills: tuple[Skill, ...]
    home_skills: tuple[IntArray, ...]
    people: People
    commitments: Commitments
    evidence: EvidenceLog

    def day(self, quarter: int) -> date:
        """The first day of ``quarter`` (0-based); the history ends the day before quarter 0."""
        return self.start + timedelta(days=QUARTER_DAYS * quarter)

    def ids(self) -> tuple[PersonId, ...]:
        """Every person code's id, in code order."""
        return tuple(self.people.ids)

    def active_codes(self) -> IntArray:
        """The codes of everyone on staff, in code order (which is id order)."""
        return np.flatnonzero(self.people.active).astype(np.int64)

    def profiles(self, codes: IntArray) -> tuple[ProtectedProfile, ...]:
        """The protected attributes of ``codes``, as an HR export would hold them."""
        p = self.people
        return tuple(
            ProtectedProfile(
                person=p.ids[i],
                level=int(p.level[i]),
                title=f"Level {int(p.level[i])} Engineer",
                tenure_start=date.fromordinal(int(p.joined[i])),
            )
            for i in codes.tolist()
        )


def world_from(org: SyntheticOrganisation, start: date) -> World:
    """The generated organisation as the lab's starting state; the history becomes evidence."""
    skills = org.skills
    departments = tuple(d.id for d in org.departments)
    ids = [p.id for p in org.people]
    code = {pid: i for i, pid in enumerate(ids)}
    levels = {pr.person: pr.level or 1 for pr in org.profiles}
    skill_code = {s: j for j, s in enumerate(skills)}
    truth = np.array([[org.truth[(pid, s)] for s in skills] for pid in ids]).reshape(len(ids), -1)
    general = np.array([org.general_ability[pid] for pid in ids])
    leniency = np.full(len(ids), np.nan)
    for pid, value in org.leniency.items():
        leniency[code[pid]] = value
    people = People(
        ids=ids,
        department=np.array([departments.index(p.department) for p in org.people], dtype=np.int64),
        general=general,
        skill=truth - general[:, None],
        level=np.array([levels[pid] for pid in ids], dtype=np.int64),
        joined=np.array([p.joined.toordinal() for p in org.people], dtype=np.int64),
        active=np.array([p.left is None for p in org.people], dtype=bool),
        idle=np.zeros(len(ids), dtype=np.int64),
        leniency=leniency,
    )
    log = EvidenceLog()
    log.add(_history_chunk(org, code, skill_code))
    return World(
        start=start,
        departments=departments,
        skills=skills,
        home_skills=_home_skills(org, skill_code),
        people=people,
        commitments=Commitments.none(),
        evidence=log,
    )


def _home_skills(org: SyntheticOrganisation, skill_code: dict[Skill, int]) -> tuple[IntArray, ...]:
    by_name = {d.name: d.id for d in org.departments}
    order = [d.id for d in org.departments]
    homes: list[IntArray] = [np.zeros(0, dtype=np.int64)] * len(order)
    for name, group in DEPARTMENTS.items():
        homes[order.index(by_name[name])] = np.array(
            [skill_code[Skill(s)] for s in group], dtype=np.int64
        )
    return tuple(homes)


def _history_chunk(
    org: SyntheticOrganisation, code: dict[PersonId, int], skill_code: dict[Skill, int]
) -> EvidenceChunk:
    evidence = org.evidence
    return EvidenceChunk(
        person=np.array([code[e.person] for e in evidence], dtype=np.int64),
        reviewer=np.array(
            [NO_REVIEWER if e.reviewer is None else code[e.reviewer] for e in evidence],
            dtype=np.int64,
        ),
        source=np.array([SOURCES.index(e.source) for e in evidence], dtype=np.int64),
        n_tags=np.array([len(e.skills) for e in evidence], dtype=np.int64),
        tag_skill=np.array(
            [skill_code[t.skill] for e in evidence for t in e.skills], dtype=np.int64
        ),
        tag_weight=np.array([t.weight for e in evidence for t in e.skills]),
        score=np.array([e.scale.normalise(e.score) for e in evidence]),
        day=np.array([e.day.toordinal() for e in evidence], dtype=np.int64),
        weight=np.array([e.weight for e in evidence]),
    )
