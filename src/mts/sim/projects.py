"""The projects that open each quarter: a lead and a few member roles, skills mostly from home.

Shaped like the generated organisation's projects (one lead seat of 1.0 FTE,
one to three member roles of one to three seats at 0.5 or 1.0 FTE, one to
three skills per role, 70% from the project's home department). Drawn from
their own random stream, so every policy's world sees the same projects in
the same quarter (common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import (
    Project,
    ProjectId,
    ProjectRules,
    ProjectStatus,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)

OPENED_BY = PersonId("council")
"""The lab does not simulate proposals: the council opens every project, and nobody has
groundwork, so no one has first refusal on a lead."""

_HOME_SHARE = 0.7


def open_projects(
    rng: np.random.Generator,
    *,
    quarter: int,
    count: int,
    departments: Sequence[DepartmentId],
    skills: Sequence[Skill],
    home_skills: Sequence[npt.NDArray[np.int64]],
) -> tuple[tuple[Project, ...], tuple[Role, ...]]:
    """``count`` open projects of ``quarter`` and their roles, lead first within each project.

    Parameters
    ----------
    rng : the quarter's project stream.
    quarter : 0-based; it names the projects (``q01-0001``...).
    count : how many projects open.
    departments, skills : the organisation's, in code order.
    home_skills : per department, the codes of the skills it mostly draws on.
    """
    projects: list[Project] = []
    roles: list[Role] = []
    for k in range(count):
        home = int(rng.integers(0, len(departments)))
        project = Project(
            id=ProjectId(f"q{quarter + 1:02d}-{k + 1:04d}"),
            title=f"Quarter {quarter + 1} project {k + 1}",
            summary="Opened by the policy lab.",
            proposer=OPENED_BY,
            status=ProjectStatus.OPEN,
            department=departments[home],
            rules=ProjectRules(),
        )
        projects.append(project)
        roles.extend(_roles(rng, project, skills, home_skills[home]))
    return tuple(projects), tuple(roles)


def _roles(
    rng: np.random.Generator,
    project: Project,
    skills: Sequence[Skill],
    home: npt.NDArray[np.int64],
) -> list[Role]:
    roles = [_role(rng, project, "lead", RoleKind.LEAD, 1, 1.0, skills, home)]
    for k in range(int(rng.integers(1, 4))):
        headcount = int(rng.integers(1, 4))
        fte = float(rng.choice([0.5, 1.0]))
        roles.append(
            _role(rng, project, f"r{k + 1}", RoleKind.MEMBER, headcount, fte, skills, home)
        )
    return roles


def _role(
    rng: np.random.Generator,
    project: Project,
    tag: str,
    kind: RoleKind,
    headcount: int,
    fte: float,
    skills: Sequence[Skill],
    home: npt.NDArray[np.int64],
) -> Role:
    pool = home if rng.random() < _HOME_SHARE else np.arange(len(skills))
    chosen = sorted({int(j) for j in rng.choice(pool, size=int(rng.integers(1, 4)))})
    return Role(
        id=RoleId(f"{project.id}-{tag}"),
        project=project.id,
        title="Lead" if kind is RoleKind.LEAD else f"{skills[chosen[0]].title()} engineer",
        kind=kind,
        headcount=headcount,
        fte=fte,
        needs=tuple(
            SkillNeed(skill=skills[j], weight=float(rng.choice([1.0, 2.0]))) for j in chosen
        ),
    )
