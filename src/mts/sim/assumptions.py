"""``LabSettings``: every assumption of the policy lab, in one place, with its default.

Ability is in units of the spread of general ability at hiring (``g ~ N(0, 1)``);
rates are per quarter. ``docs/policy-lab.md`` explains each choice and what
it does and does not let the lab show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mts.domain.errors import InvalidInput
from mts.domain.staffing import Exploration

DEPARTMENT_SHARES = (0.22, 0.14, 0.12, 0.2, 0.2, 0.12)
"""How hires spread over the six departments: the generated organisation's shares."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LabSettings:
    """The simulated organisation, its dynamics, and how the policies are tuned.

    Organisation and projects
        ``people`` generated members (about 12% of them have already left when
        the lab starts), ``history_quarters`` of evidence before the first
        round, ``projects_per_person`` new projects per person and quarter,
        each running ``project_quarters`` quarters.
    Outcomes and evidence
        An outcome is the holder's true ability on the role's skills, plus a
        shock shared by the project (sd ``project_shock_sd``), plus noise
        (``outcome_sd``); a seat yields ``items_per_fte`` scored pieces per
        FTE, and everyone ``background_items`` pieces of routine work; a share
        ``delivery_share`` of pieces are scored 0-100, the rest 1-5; reviewers
        add their leniency (sd ``leniency_sd``), ``cross_department_reviews``
        of reviews come from outside the work's department.
    Growth, attrition, hiring, promotion
        True general ability grows by ``growth_member`` per FTE-quarter in a
        seat, ``growth_stretch`` in a stretch seat (a lead, or any seat held
        by someone with little evidence). The quarterly hazard of leaving is
        ``attrition_base + attrition_per_idle_quarter * idle quarters`` (at
        most ``attrition_cap``), where a quarter is idle without a seat of at
        least ``meaningful_fte`` or a lead. ``hires_per_leaver`` hires replace
        each leaver; hires' ability has mean ``hire_ability_mean``, a share
        ``new_graduate_share`` are new graduates (level 1). Each quarter a
        person is promoted one level with probability ``promotion_rate``.
    Policies
        ``exploration`` and ``kappa`` of ``merit+explore``; ``stretch_seats``
        seats per project of at least ``stretch_min_seats`` seats reserved
        for people with little evidence (fewer than ``uncertain_below_evidence``
        effective pieces); ``lead_weight`` is the extra value of a lead seat
        for every policy and for the metrics; ``half_life_days`` of merit,
        whose variances are estimated on the history and then held fixed
        (``reestimate_variances`` re-estimates them every quarter).
    Solver and audit
        ``mip_gap`` of the staffing engine for the policies, ``oracle_mip_gap``
        for the oracle (the yardstick), and ``time_limit`` (a time limit
        that binds can make two solves differ); the invariance certificate
        runs every ``certify_every`` quarters (0: never) with
        ``certificate_seeds`` reshuffles.
    """

    people: int = 500
    quarters: int = 4
    history_quarters: int = 4
    projects_per_person: float = 0.05
    project_quarters: int = 2
    outcome_sd: float = 0.7
    project_shock_sd: float = 0.2
    items_per_fte: float = 3.0
    background_items: float = 1.0
    delivery_share: float = 0.3
    leniency_sd: float = 0.5
    cross_department_reviews: float = 0.15
    reviewers_per_department: int = 3
    skill_sd: float = 0.5
    growth_member: float = 0.02
    growth_stretch: float = 0.05
    attrition_base: float = 0.015
    attrition_per_idle_quarter: float = 0.01
    attrition_cap: float = 0.08
    meaningful_fte: float = 0.5
    hires_per_leaver: float = 1.0
    hire_ability_mean: float = 0.0
    new_graduate_share: float = 0.6
    promotion_rate: float = 0.05
    exploration: Exploration = Exploration.UCB
    kappa: float = 0.5
    stretch_seats: int = 1
    stretch_min_seats: int = 3
    uncertain_below_evidence: float = 2.0
    lead_weight: float = 0.5
    half_life_days: float = 365.0
    reestimate_variances: bool = False
    mip_gap: float = 1e-2
    oracle_mip_gap: float = 2e-3
    time_limit: float = 300.0
    certify_every: int = 1
    certificate_seeds: int = 1

    def problems(self) -> list[str]:
        """Every setting out of range, as readable sentences."""
        checks = [
            (self.people >= 20, f"people must be >= 20, got {self.people}"),
            (self.quarters >= 1, f"quarters must be >= 1, got {self.quarters}"),
            (self.history_quarters >= 1, "history_quarters must be >= 1"),
            (self.projects_per_person > 0, "projects_per_person must be > 0"),
            (self.project_quarters >= 1, "project_quarters must be >= 1"),
            (
                min(self.outcome_sd, self.project_shock_sd, self.leniency_sd, self.skill_sd) >= 0,
                "standard deviations must be >= 0",
            ),
            (self.items_per_fte >= 0 and self.background_items >= 0, "item rates must be >= 0"),
            (0 <= self.delivery_share <= 1, "delivery_share must be in [0, 1]"),
            (0 <= self.cross_department_reviews <= 1, "cross_department_reviews must be in [0, 1]"),
            (self.reviewers_per_department >= 1, "reviewers_per_department must be >= 1"),
            (
                0 <= self.attrition_base <= self.attrition_cap <= 1,
                "attrition rates need 0 <= attrition_base <= attrition_cap <= 1",
            ),
            (self.attrition_per_idle_quarter >= 0, "attrition_per_idle_quarter must be >= 0"),
            (self.hires_per_leaver >= 0, "hires_per_leaver must be >= 0"),
            (0 <= self.new_graduate_share <= 1, "new_graduate_share must be in [0, 1]"),
            (0 <= self.promotion_rate <= 1, "promotion_rate must be in [0, 1]"),
            (self.kappa >= 0, f"kappa must be >= 0, got {self.kappa}"),
            (self.stretch_seats >= 0, "stretch_seats must be >= 0"),
            (self.half_life_days > 0, "half_life_days must be > 0"),
            (0 <= self.mip_gap < 1 and 0 <= self.oracle_mip_gap < 1, "MIP gaps must be in [0, 1)"),
            (self.time_limit > 0, f"time_limit must be > 0, got {self.time_limit}"),
            (
                self.certify_every >= 0 and self.certificate_seeds >= 1,
                "certify_every must be >= 0 and certificate_seeds >= 1",
            ),
        ]
        return [message for ok, message in checks if not ok]

    def check(self) -> None:
        """Raise ``InvalidInput`` listing every problem, if there is any."""
        problems = self.problems()
        if problems:
            raise InvalidInput("invalid lab settings: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data."""
        plain = asdict(self)
        plain["exploration"] = self.exploration.value
        return plain
