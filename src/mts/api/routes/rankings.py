"""A project's candidate ranking (market mode): for its lead and the council only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from mts.api.dependencies import ApplicationDep, CurrentUser
from mts.domain.projects import ProjectId
from mts.services import rankings

router = APIRouter(tags=["projects"])


class RankedCandidateOut(BaseModel):
    """A candidate's place on a lead's list and their value, term by term."""

    place: int
    person_id: str
    value: float
    fit: float
    exploration: float
    lead: float
    interest: float
    stated_interest: bool


class RoleRankingOut(BaseModel):
    """One role's list, best first, cut to ``top``; ``listed`` is its full length."""

    role_id: str
    title: str
    headcount: int
    listed: int
    candidates: list[RankedCandidateOut]


class CandidateRankingOut(BaseModel):
    """Every open role's list, with what it was computed from; ``note`` says why none."""

    project_id: str
    as_of: date
    snapshot: int | None
    exploration: str
    kappa: float
    seed: int
    note: str | None
    roles: list[RoleRankingOut]

    @classmethod
    def of(cls, ranking: rankings.CandidateRanking) -> CandidateRankingOut:
        """The API's shape of a ranking."""
        return cls(
            project_id=ranking.project,
            as_of=ranking.as_of,
            snapshot=ranking.snapshot,
            exploration=ranking.options.exploration.value,
            kappa=ranking.options.kappa,
            seed=ranking.options.seed,
            note=ranking.note,
            roles=[
                RoleRankingOut(
                    role_id=r.role.id,
                    title=r.role.title,
                    headcount=r.role.headcount,
                    listed=r.listed,
                    candidates=[
                        RankedCandidateOut(
                            place=c.place,
                            person_id=c.person,
                            value=c.value,
                            fit=c.fit,
                            exploration=c.exploration,
                            lead=c.lead,
                            interest=c.interest,
                            stated_interest=c.stated_interest,
                        )
                        for c in r.candidates
                    ],
                )
                for r in ranking.roles
            ],
        )


@router.get("/projects/{project_id}/ranking", response_model=CandidateRankingOut)
def project_ranking(
    project_id: str,
    application: ApplicationDep,
    user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=100)] = rankings.TOP,
) -> CandidateRankingOut:
    """Each open role's candidates as its lead would rank them in a market round."""
    found = rankings.candidate_ranking(
        application.unit_of_work,
        user,
        ProjectId(project_id),
        today=application.clock().date(),
        top=top,
    )
    return CandidateRankingOut.of(found)
