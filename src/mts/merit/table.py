"""The merit engine's output: a posterior per person and skill, as plain arrays.

The staffing engine reads this table and nothing else about people's
execution. A person or skill missing from it has the prior: mean 0 (the
organisation's average) and sd ``prior_sd``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mts.domain.people import PersonId, Skill

GENERAL = Skill("*")
"""The pseudo-skill that names general execution ``g_p`` in tables and files."""

FloatArray = npt.NDArray[np.float64]

UNCERTAIN_BELOW_EVIDENCE = 2.0
"""Below this much effective evidence a person counts as uncertain (a newcomer)."""


@dataclass(frozen=True, slots=True)
class MeritRow:
    """One person's posterior for one skill (or ``*`` for general execution)."""

    person: PersonId
    skill: Skill
    mean: float
    sd: float
    n_effective: float


@dataclass(frozen=True, kw_only=True)
class MeritTable:
    """Posterior means and sds of ``theta_ps = g_p + d_ps`` for every person and skill.

    ``mean``, ``sd`` and ``n_effective`` are (people x skills) arrays; the
    ``general_*`` arrays hold ``g_p`` per person. ``prior_sd`` is the sd of a
    person with no evidence, for whom the mean is 0.
    """

    people: tuple[PersonId, ...]
    skills: tuple[Skill, ...]
    mean: FloatArray
    sd: FloatArray
    n_effective: FloatArray
    general_mean: FloatArray
    general_sd: FloatArray
    general_n_effective: FloatArray
    prior_sd: float
    skill_prior_sd: float
    _person_index: dict[PersonId, int] = field(init=False, repr=False, compare=False)
    _skill_index: dict[Skill, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_person_index", {p: i for i, p in enumerate(self.people)})
        object.__setattr__(self, "_skill_index", {s: j for j, s in enumerate(self.skills)})

    def has_person(self, person: PersonId) -> bool:
        """Whether the table holds a posterior (not just the prior) for ``person``."""
        return person in self._person_index

    def person_index(self, person: PersonId) -> int | None:
        """The row of ``person``, or None for someone the table has never seen."""
        return self._person_index.get(person)

    def skill_index(self, skill: Skill) -> int | None:
        """The column of ``skill``, or None for a skill with no evidence at all."""
        return self._skill_index.get(skill)

    def posterior(self, person: PersonId, skill: Skill) -> MeritRow:
        """The posterior of ``theta_ps``, falling back to the prior where unseen."""
        i = self._person_index.get(person)
        if skill == GENERAL:
            if i is None:
                return MeritRow(person, skill, 0.0, self.prior_sd, 0.0)
            return MeritRow(
                person,
                skill,
                float(self.general_mean[i]),
                float(self.general_sd[i]),
                float(self.general_n_effective[i]),
            )
        j = self._skill_index.get(skill)
        if i is None:
            return MeritRow(person, skill, 0.0, self._unseen_sd(), 0.0)
        if j is None:
            general = self.posterior(person, GENERAL)
            sd = float(np.hypot(general.sd, self.skill_prior_sd))
            return MeritRow(person, skill, general.mean, sd, 0.0)
        return MeritRow(
            person,
            skill,
            float(self.mean[i, j]),
            float(self.sd[i, j]),
            float(self.n_effective[i, j]),
        )

    def uncertain(
        self,
        people: Sequence[PersonId],
        *,
        below_evidence: float = UNCERTAIN_BELOW_EVIDENCE,
        sd_ratio: float | None = None,
    ) -> npt.NDArray[np.bool_]:
        """Who has little evidence: general ``n_effective`` under ``below_evidence``,
        or (when ``sd_ratio`` is set) a general sd of at least ``sd_ratio`` prior sds.

        This is the one definition of a newcomer: it reads evidence, never tenure.
        Someone the table has never seen has no evidence and the prior sd.
        """
        rows = [self._person_index.get(p) for p in people]
        known = np.array([i is not None for i in rows], dtype=bool)
        at = np.array([i for i in rows if i is not None], dtype=np.intp)
        evidence = np.zeros(len(people))
        evidence[known] = self.general_n_effective[at]
        sd = np.full(len(people), self.prior_sd)
        sd[known] = self.general_sd[at]
        uncertain = evidence < below_evidence
        if sd_ratio is not None:
            uncertain |= sd >= sd_ratio * self.prior_sd
        return uncertain

    def _unseen_sd(self) -> float:
        return float(np.hypot(self.prior_sd, self.skill_prior_sd))

    def rows(self) -> Iterator[MeritRow]:
        """Every person's general row, then one row per skill, in table order."""
        for i, person in enumerate(self.people):
            yield MeritRow(
                person,
                GENERAL,
                float(self.general_mean[i]),
                float(self.general_sd[i]),
                float(self.general_n_effective[i]),
            )
            for j, skill in enumerate(self.skills):
                yield MeritRow(
                    person,
                    skill,
                    float(self.mean[i, j]),
                    float(self.sd[i, j]),
                    float(self.n_effective[i, j]),
                )
