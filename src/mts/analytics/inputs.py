"""What the analytics read: one bundle of domain values, and the settings of every measure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mts.analytics.periods import PeriodKind
from mts.domain.errors import InvalidInput
from mts.domain.evidence import Evidence
from mts.domain.people import Department, Person
from mts.domain.projects import Project, Role
from mts.domain.protected import ProtectedProfile
from mts.domain.staffing import Assignment, Round


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganisationData:
    """The organisation as plain domain values; everything but ``people`` may be empty.

    ``rounds`` should be the rounds whose plans took effect (approved ones):
    their ``as_of`` dates the seats in ``assignments``. An assignment whose
    round is not given is ignored, since nothing says when it was held.
    ``profiles`` are read for tenure and prior employer only.
    """

    people: tuple[Person, ...]
    departments: tuple[Department, ...] = ()
    profiles: tuple[ProtectedProfile, ...] = ()
    projects: tuple[Project, ...] = ()
    roles: tuple[Role, ...] = ()
    rounds: tuple[Round, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyticsSettings:
    """The knobs of every measure; the defaults are the ones documented in docs/analytics.md.

    ``uncertain_below_evidence`` and ``uncertain_sd_ratio`` read the merit
    table the way the staffing engine does: a person is uncertain when their
    general ``n_effective`` is below the first, or (if set) their general sd
    is at least the second times the prior sd. ``baseline_periods`` None means
    one year of periods (4 quarters or 12 months).
    """

    newcomer_years: float = 1.0
    uncertain_below_evidence: float = 2.0
    uncertain_sd_ratio: float | None = None
    tenure_band_years: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)
    period: PeriodKind = PeriodKind.QUARTER
    since: date | None = None
    wave_alpha: float = 0.01
    baseline_periods: int | None = None
    min_baseline_periods: int = 2
    idle_days: int = 90
    confidence: float = 0.95
    milestone_days: tuple[int, ...] = (365, 730)

    def __post_init__(self) -> None:
        # The CLI and the API pass the period as text; accept it and fail early on nonsense.
        object.__setattr__(self, "period", PeriodKind(self.period))

    @property
    def baseline_window(self) -> int:
        """How many earlier periods make the baseline of the wave rule."""
        return self.baseline_periods or self.period.per_year

    def problems(self) -> list[str]:
        """Every setting out of range, as readable sentences."""
        edges = self.tenure_band_years
        checks = [
            (self.newcomer_years > 0, "newcomer_years must be > 0"),
            (self.uncertain_below_evidence >= 0, "uncertain_below_evidence must be >= 0"),
            (self.uncertain_sd_ratio is None or self.uncertain_sd_ratio > 0,
             "uncertain_sd_ratio must be > 0"),
            (all(e > 0 for e in edges) and list(edges) == sorted(set(edges)),
             "tenure_band_years must be positive and strictly increasing"),
            (0 < self.wave_alpha < 1, "wave_alpha must be in (0, 1)"),
            (self.baseline_periods is None or self.baseline_periods >= 1,
             "baseline_periods must be >= 1"),
            (1 <= self.min_baseline_periods <= self.baseline_window,
             "min_baseline_periods must be between 1 and the baseline window"),
            (self.idle_days >= 0, "idle_days must be >= 0"),
            (0 < self.confidence < 1, "confidence must be in (0, 1)"),
            (all(d >= 0 for d in self.milestone_days), "milestone_days must be >= 0"),
        ]  # fmt: skip
        return [message for ok, message in checks if not ok]

    def check(self) -> None:
        """Raise ``InvalidInput`` naming every setting out of range."""
        problems = self.problems()
        if problems:
            raise InvalidInput("invalid analytics settings: " + "; ".join(problems))
