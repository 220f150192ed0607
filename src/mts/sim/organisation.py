"""Synthetic organisations with a known truth, for the demo, tests, benchmarks and policy lab.

Each person has a hidden true ability per skill, ``g_p + d_ps`` with
``g_p ~ N(0, 1)`` and ``d_ps ~ N(0, 0.5^2)``. It lives only in
``SyntheticOrganisation.truth`` and is never stored as merit. Levels follow
tenure closely and ability only loosely, as in organisations that promote by
time served. Reviews come mostly from a person's own team's few reviewers,
each with a leniency ``~ N(0, 0.5^2)`` (half the ability sd), so leniency does
not average out; a minority cross teams and connect the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from mts.domain.evidence import Evidence, Scale, SkillTag
from mts.domain.people import Department, DepartmentId, Period, Person, PersonId, Skill
from mts.domain.projects import (
    Groundwork,
    Interest,
    Project,
    ProjectId,
    ProjectRules,
    ProjectStatus,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.domain.protected import ProtectedProfile

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Research": ("pretraining", "rl", "interpretability", "evaluation", "scaling", "theory"),
    "Data Science": ("statistics", "experimentation", "data-pipelines", "visualisation", "sql"),
    "Safety": ("alignment", "red-teaming", "policy", "robustness", "privacy"),
    "Infrastructure": ("distributed-systems", "kubernetes", "networking", "storage", "gpu-kernels"),
    "Product Engineering": ("frontend", "backend", "mobile", "api-design", "design-systems"),
    "Applied": ("fine-tuning", "inference", "customer-engineering", "prompting"),
}
"""Six coarse home pools and the skills each mostly draws on (30 skills in all)."""

_FIRST = [
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Ari",
    "Bea",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Emi",
    "Eva",
    "Femi",
    "Gio",
    "Hana",
    "Ido",
    "Ines",
    "Ivo",
    "Jia",
    "Jon",
    "Kai",
    "Kemi",
    "Lea",
    "Leo",
    "Lin",
    "Luca",
    "Mae",
    "Mara",
    "Mei",
    "Nia",
    "Noor",
    "Omar",
    "Oli",
    "Pia",
    "Ravi",
    "Rosa",
    "Sami",
    "Sara",
    "Sol",
    "Tao",
    "Teo",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zhen",
]
_LAST = [
    "Abe",
    "Akin",
    "Alvarez",
    "Berg",
    "Costa",
    "Dahl",
    "Diaz",
    "Eze",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kim",
    "Kovac",
    "Larsen",
    "Lima",
    "Mehta",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Quinn",
    "Rossi",
    "Sato",
    "Silva",
    "Singh",
    "Tanaka",
    "Umar",
    "Varga",
    "Wang",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]
_EMPLOYERS = ("BigCo", "SearchCorp", "CloudInc", "a startup", "a university lab", "FinTechCo")
_EDUCATION = ("PhD", "MSc", "BSc", "self-taught", "bootcamp")
_SKILL_SD = 0.5
_LENIENCY_SD = 0.5
_CROSS_TEAM_SHARE = 0.15


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticOrganisation:
    """A generated organisation, and the hidden truth behind its evidence."""

    departments: tuple[Department, ...]
    skills: tuple[Skill, ...]
    people: tuple[Person, ...]
    profiles: tuple[ProtectedProfile, ...]
    projects: tuple[Project, ...]
    roles: tuple[Role, ...]
    evidence: tuple[Evidence, ...]
    interests: tuple[Interest, ...]
    groundwork: tuple[Groundwork, ...]
    truth: dict[tuple[PersonId, Skill], float] = field(repr=False)
    general_ability: dict[PersonId, float] = field(repr=False)
    leniency: dict[PersonId, float] = field(repr=False)
    as_of: date


def generate_organisation(
    *, people: int, seed: int, as_of: date, quarters: int = 8
) -> SyntheticOrganisation:
    """A realistic organisation of ``people`` members whose evidence ends at ``as_of``.

    Parameters
    ----------
    people : how many members, leavers included.
    seed : every random choice derives from it; the same seed gives the same organisation.
    as_of : the last day of evidence; joined dates and quarters count back from it.
    quarters : how many quarters of reviewed work to generate.
    """
    if people < 1:
        raise ValueError("an organisation needs at least one person")
    builder = _Builder(np.random.default_rng(seed), people, as_of, quarters)
    return builder.build()


class _Builder:
    """Holds the random state and the arrays while one organisation is generated."""

    def __init__(self, rng: np.random.Generator, n: int, as_of: date, quarters: int) -> None:
        self.rng, self.n, self.as_of, self.quarters = rng, n, as_of, quarters
        self.departments = tuple(
            Department(id=DepartmentId(_slug(name)), name=name) for name in DEPARTMENTS
        )
        self.skills = tuple(Skill(s) for group in DEPARTMENTS.values() for s in group)
        self.home_skills = [
            [self.skills.index(Skill(s)) for s in group] for group in DEPARTMENTS.values()
        ]

    def build(self) -> SyntheticOrganisation:
        self._draw_people()
        people = tuple(self._person(i) for i in range(self.n))
        projects, roles = self._projects_and_roles(people)
        evidence = self._evidence(people)
        ids = [p.id for p in people]
        return SyntheticOrganisation(
            departments=self.departments,
            skills=self.skills,
            people=people,
            profiles=tuple(self._profile(i, ids[i]) for i in range(self.n)),
            projects=projects,
            roles=roles,
            evidence=evidence,
            interests=self._interests(people, projects, roles),
            groundwork=self._groundwork(projects, people),
            truth={
                (ids[i], s): float(self.g[i] + self.d[i, j])
                for i in range(self.n)
                for j, s in enumerate(self.skills)
            },
            general_ability={ids[i]: float(self.g[i]) for i in range(self.n)},
            leniency={ids[i]: float(self.leniency[i]) for i in self.reviewer_rows},
            as_of=self.as_of,
        )

    # -- people -------------------------------------------------------------------

    def _draw_people(self) -> None:
        rng, n = self.rng, self.n
        self.dept = rng.choice(len(self.departments), size=n, p=[0.22, 0.14, 0.12, 0.2, 0.2, 0.12])
        self.g = rng.normal(0.0, 1.0, size=n)
        self.d = rng.normal(0.0, _SKILL_SD, size=(n, len(self.skills)))
        # New graduates and recent hires are a real share, not a rounding error.
        self.tenure_years = np.where(
            rng.random(n) < 0.2, rng.uniform(0.0, 1.0, n), rng.gamma(2.0, 2.2, n)
        ).clip(0.0, 20.0)
        self.new_graduate = (self.tenure_years < 1.0) & (rng.random(n) < 0.6)
        self.joined = [self.as_of - timedelta(days=int(y * 365.25)) for y in self.tenure_years]
        self.left = self._departures()
        self.boomerang = (rng.random(n) < 0.04) & (self.tenure_years < 4) & ~self.new_graduate
        raw_level = 1.5 + 0.45 * self.tenure_years + 0.25 * self.g + rng.normal(0, 0.8, n)
        self.level = np.where(self.new_graduate, 1, raw_level.round().clip(1, 8)).astype(int)
        self.team = self.dept * 1000 + rng.integers(0, max(1, n // 60), size=n)
        self.leniency = rng.normal(0.0, _LENIENCY_SD, size=n)
        self.reviewer_rows = self._pick_reviewers()

    def _departures(self) -> list[date | None]:
        leaves = (self.rng.random(self.n) < 0.12) & (self.tenure_years > 0.5)
        return [
            self.as_of - timedelta(days=int(self.rng.uniform(0, min(y, 2.0)) * 365.25))
            if gone
            else None
            for gone, y in zip(leaves, self.tenure_years, strict=True)
        ]

    def _pick_reviewers(self) -> list[int]:
        # Two or three reviewers per team, chosen among its longer-serving members.
        rows: list[int] = []
        for team in np.unique(self.team):
            members = np.flatnonzero(self.team == team)
            ordered = members[np.argsort(-self.tenure_years[members], kind="stable")]
            rows.extend(int(i) for i in ordered[: min(len(ordered), 3)])
        return sorted(rows)

    def _person(self, i: int) -> Person:
        first = _FIRST[i % len(_FIRST)]
        last = _LAST[(i // len(_FIRST)) % len(_LAST)]
        home = self.home_skills[self.dept[i]]
        top = sorted(home, key=lambda j: -self.d[i, j])[:3]
        earlier: tuple[Period, ...] = ()
        joined = self.joined[i]
        if self.boomerang[i]:
            first_start = joined - timedelta(days=int(self.rng.integers(700, 2000)))
            earlier = (Period(start=first_start, end=joined - timedelta(days=200)),)
        return Person(
            id=PersonId(f"p{i + 1:05d}"),
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}.{i + 1}@example.org",
            department=self.departments[self.dept[i]].id,
            joined=joined,
            left=self.left[i],
            skills=tuple(self.skills[j] for j in top),
            earlier_periods=earlier,
        )

    def _profile(self, i: int, person: PersonId) -> ProtectedProfile:
        rng = self.rng
        promotion = None
        if rng.random() < 0.1:
            promotion = self.as_of + timedelta(days=int(rng.integers(30, 200)))
        return ProtectedProfile(
            person=person,
            level=int(self.level[i]),
            title=f"Level {int(self.level[i])} Engineer",
            tenure_start=self.joined[i],
            prior_employer=None if self.new_graduate[i] else str(rng.choice(_EMPLOYERS)),
            education=str(rng.choice(_EDUCATION, p=[0.3, 0.3, 0.3, 0.05, 0.05])),
            promotion_window=promotion,
        )

    # -- evidence -----------------------------------------------------------------

    def _evidence(self, people: tuple[Person, ...]) -> tuple[Evidence, ...]:
        out: list[Evidence] = []
        start = self.as_of - timedelta(days=91 * self.quarters)
        for quarter in range(self.quarters):
            q_start = start + timedelta(days=91 * quarter)
            for i, person in enumerate(people):
                out.extend(self._quarter_of_work(i, person, q_start, quarter))
        return tuple(out)

    def _quarter_of_work(
        self, i: int, person: Person, q_start: date, quarter: int
    ) -> list[Evidence]:
        rng = self.rng
        items = []
        for k in range(int(rng.poisson(2.5))):
            day = q_start + timedelta(days=int(rng.integers(0, 91)))
            if day > self.as_of or not person.is_active(day):
                continue
            items.append(self._work_item(i, person, day, f"q{quarter + 1}-{k + 1}"))
        return [e for e in items if e is not None]

    def _work_item(self, i: int, person: Person, day: date, tag: str) -> Evidence | None:
        rng = self.rng
        pool = self.home_skills[self.dept[i]] if rng.random() < 0.8 else range(len(self.skills))
        chosen = sorted({int(j) for j in rng.choice(list(pool), size=rng.integers(1, 3))})
        reviewer = self._reviewer_for(i)
        if reviewer is None:
            return None
        ability = self.g[i] + self.d[i, chosen].mean()
        latent = ability + self.leniency[reviewer] + rng.normal(0.0, 0.7)
        delivery = rng.random() < 0.3
        scale = Scale(low=0.0, high=100.0) if delivery else Scale(low=1.0, high=5.0)
        score = (
            float(np.clip(round(60 + 12 * latent), 0, 100))
            if delivery
            else float(np.clip(round(3 + 0.8 * latent), 1, 5))
        )
        return Evidence(
            person=person.id,
            source="delivery" if delivery else "review",
            work_item=f"{person.id}-{tag}",
            skills=tuple(SkillTag(skill=self.skills[j]) for j in chosen),
            score=score,
            scale=scale,
            day=day,
            reviewer=PersonId(f"p{reviewer + 1:05d}"),
            weight=float(rng.choice([0.5, 1.0, 1.0, 2.0])),
        )

    def _reviewer_for(self, i: int) -> int | None:
        own_team = [r for r in self.team_reviewers(self.team[i]) if r != i]
        if own_team and self.rng.random() > _CROSS_TEAM_SHARE:
            return int(self.rng.choice(own_team))
        others = [r for r in self.reviewer_rows if r != i]
        return int(self.rng.choice(others)) if others else None

    def team_reviewers(self, team: int) -> list[int]:
        if not hasattr(self, "_by_team"):
            self._by_team: dict[int, list[int]] = {}
            for r in self.reviewer_rows:
                self._by_team.setdefault(int(self.team[r]), []).append(r)
        return self._by_team.get(int(team), [])

    # -- projects -----------------------------------------------------------------

    def _projects_and_roles(
        self, people: tuple[Person, ...]
    ) -> tuple[tuple[Project, ...], tuple[Role, ...]]:
        active = [p for p in people if p.left is None]
        count = max(1, self.n // 15)
        projects, roles = [], []
        for k in range(count):
            project = self._project(k, active or list(people))
            projects.append(project)
            roles.extend(self._roles(project))
        return tuple(projects), tuple(roles)

    def _project(self, k: int, active: list[Person]) -> Project:
        rng = self.rng
        proposer = active[int(rng.integers(0, len(active)))]
        dept = self.departments[int(rng.integers(0, len(self.departments)))]
        status = ProjectStatus.OPEN if rng.random() < 0.85 else ProjectStatus.PROPOSED
        return Project(
            id=ProjectId(f"proj{k + 1:04d}"),
            title=_project_title(k),
            summary=f"Proposed by {proposer.name}.",
            proposer=proposer.id,
            status=status,
            department=dept.id,
            priority=int(rng.integers(0, 5)),
            rules=ProjectRules(
                min_departments=int(rng.choice([0, 0, 2])),
                min_stretch_seats=int(rng.choice([0, 0, 1])),
            ),
        )

    def _roles(self, project: Project) -> list[Role]:
        rng = self.rng
        dept_ids = [d.id for d in self.departments]
        home = self.home_skills[dept_ids.index(project.department or dept_ids[0])]
        roles = [self._role(project, "lead", RoleKind.LEAD, 1, 1.0, home)]
        for k in range(int(rng.integers(1, 4))):
            headcount = int(rng.integers(1, 4))
            fte = float(rng.choice([0.5, 1.0]))
            roles.append(self._role(project, f"r{k + 1}", RoleKind.MEMBER, headcount, fte, home))
        return roles

    def _role(
        self,
        project: Project,
        tag: str,
        kind: RoleKind,
        headcount: int,
        fte: float,
        home: list[int],
    ) -> Role:
        rng = self.rng
        pool = home if rng.random() < 0.7 else list(range(len(self.skills)))
        chosen = sorted({int(j) for j in rng.choice(pool, size=int(rng.integers(1, 4)))})
        title = "Lead" if kind is RoleKind.LEAD else f"{self.skills[chosen[0]].title()} engineer"
        return Role(
            id=RoleId(f"{project.id}-{tag}"),
            project=project.id,
            title=title,
            kind=kind,
            headcount=headcount,
            fte=fte,
            needs=tuple(
                SkillNeed(skill=self.skills[j], weight=float(rng.choice([1.0, 2.0])))
                for j in chosen
            ),
        )

    def _interests(
        self, people: tuple[Person, ...], projects: tuple[Project, ...], roles: tuple[Role, ...]
    ) -> tuple[Interest, ...]:
        rng = self.rng
        out: list[Interest] = []
        for person in people:
            if person.left is not None:
                continue
            picks = rng.choice(len(projects), size=min(len(projects), int(rng.integers(0, 4))))
            for rank, k in enumerate(dict.fromkeys(int(x) for x in picks), start=1):
                out.append(Interest(person=person.id, project=projects[k].id, rank=rank))
        return tuple(out)

    def _groundwork(
        self, projects: tuple[Project, ...], people: tuple[Person, ...]
    ) -> tuple[Groundwork, ...]:
        out = []
        for project in projects:
            day = self.as_of - timedelta(days=int(self.rng.integers(5, 120)))
            out.append(
                Groundwork(project=project.id, person=project.proposer, day=day, note="Proposal")
            )
        return tuple(out)


_NOUNS = (
    "Aurora", "Beacon", "Cascade", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris",
    "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Prism", "Quartz", "Ridge",
    "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Zephyr",
)  # fmt: skip


def _project_title(k: int) -> str:
    noun = _NOUNS[k % len(_NOUNS)]
    return noun if k < len(_NOUNS) else f"{noun} {k // len(_NOUNS) + 1}"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")
