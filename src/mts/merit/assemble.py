"""From the solved model to the published tables: ``MeritTable`` and ``ReviewerTable``.

For person ``p`` and skill ``s`` the table holds ``theta_ps = g_p + d_ps``:
its mean ``m_g + m_ds``, its exact sd (see ``posterior.theta_variances``)
and ``n_effective = sum_e a_es * omega_e``. Where ``p`` has no evidence on
``s``, ``d_ps`` is at its prior: mean ``m_g``, variance ``Var(g_p) + tau_s^2``.
People without any evidence get the prior itself: mean 0, sd ``tau_g``
(general) and ``hypot(tau_g, tau_s)`` (per skill), bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse

from mts.domain.people import PersonId, Skill
from mts.merit.design import Design, weighted_counts
from mts.merit.hyper import Variances
from mts.merit.posterior import Solution, theta_variances
from mts.merit.reviewers import ReviewerTable
from mts.merit.table import MeritTable

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, kw_only=True)
class _Posterior:
    general_mean: Floats
    general_var: Floats
    skill_mean: Floats
    skill_var: Floats


def _rated_posterior(design: Design, solution: Solution, variances: Variances) -> _Posterior:
    p, k = design.n_people, design.n_skills
    post = _Posterior(
        general_mean=np.zeros(p),
        general_var=np.zeros(p),
        skill_mean=np.zeros((p, k)),
        skill_var=np.zeros((p, k)),
    )
    for group, block in zip(design.groups, solution.blocks, strict=True):
        people = group.people
        variance = theta_variances(group, block, solution.calibration_cov) * variances.noise
        general = block.mean[:, 0]
        post.general_mean[people] = general
        post.general_var[people] = variance[:, 0]
        post.skill_mean[people] = general[:, None]
        post.skill_var[people] = variance[:, :1] + variances.skill
        post.skill_mean[people[:, None], group.skills] = general[:, None] + block.mean[:, 1:]
        post.skill_var[people[:, None], group.skills] = variance[:, 1:]
    return post


def merit_table(
    design: Design,
    solution: Solution,
    variances: Variances,
    *,
    rated: Sequence[PersonId],
    skills: Sequence[Skill],
    unrated: Sequence[PersonId] = (),
) -> MeritTable:
    """The published table: rated people from the solution, ``unrated`` at the prior; ids sorted."""
    post = _rated_posterior(design, solution, variances)
    people = tuple(sorted(set(rated) | set(unrated)))
    where = {person: i for i, person in enumerate(rated)}
    row = np.array([where.get(person, -1) for person in people], dtype=np.int64)
    col = np.argsort(np.array(skills, dtype=object), kind="stable").astype(np.int64)
    has = row >= 0
    prior_sd, skill_prior_sd = float(np.sqrt(variances.general)), float(np.sqrt(variances.skill))
    unseen_sd = float(np.hypot(prior_sd, skill_prior_sd))
    return MeritTable(
        people=people,
        skills=tuple(skills[j] for j in col),
        mean=_fill(post.skill_mean[row][:, col], has, 0.0),
        sd=_fill(np.sqrt(post.skill_var[row][:, col]), has, unseen_sd),
        n_effective=_fill(design.n_effective_skill[row][:, col], has, 0.0),
        general_mean=_fill(post.general_mean[row], has, 0.0),
        general_sd=_fill(np.sqrt(post.general_var[row]), has, prior_sd),
        general_n_effective=_fill(design.n_effective_general[row], has, 0.0),
        prior_sd=prior_sd,
        skill_prior_sd=skill_prior_sd,
    )


def _fill(values: Floats, has: npt.NDArray[np.bool_], prior: float) -> Floats:
    """Rows of people with evidence from ``values``; the rest exactly ``prior``."""
    out = np.array(values, dtype=np.float64, copy=True)
    out[~has] = prior
    return np.ascontiguousarray(out)


def prior_table(people: Sequence[PersonId], variances: Variances) -> MeritTable:
    """The table of people about whom there is no evidence at all."""
    n = len(set(people))
    prior_sd, skill_prior_sd = float(np.sqrt(variances.general)), float(np.sqrt(variances.skill))
    return MeritTable(
        people=tuple(sorted(set(people))),
        skills=(),
        mean=np.zeros((n, 0)),
        sd=np.zeros((n, 0)),
        n_effective=np.zeros((n, 0)),
        general_mean=np.zeros(n),
        general_sd=np.full(n, prior_sd),
        general_n_effective=np.zeros(n),
        prior_sd=prior_sd,
        skill_prior_sd=skill_prior_sd,
    )


@dataclass(frozen=True, kw_only=True)
class Cells:
    """The (source, reviewer) of each calibration cell, in compact codes (-1: unreviewed)."""

    source: Ints
    reviewer: Ints
    n_reviewers: int


def leniency_contrast(
    cells: Cells, weight: Floats
) -> tuple[scipy.sparse.csr_matrix, scipy.sparse.csr_matrix, Floats]:
    """``L = A - B W``: each reviewer's cells against their source's average reviewer cell.

    ``A`` (reviewers x cells) averages a reviewer's own cells, ``W`` (sources x
    cells) averages each source's reviewer cells, ``B`` (reviewers x sources)
    holds how much of each reviewer's weight lies in each source; all weights
    are the cells' evidence weights ``sum omega``.
    """
    reviewed = np.flatnonzero(cells.reviewer >= 0)
    r, c, s = cells.reviewer[reviewed], reviewed, cells.source[reviewed]
    n_cells, n_sources = cells.source.size, int(cells.source.max()) + 1
    own = weight[c] / np.bincount(r, weight[c], minlength=cells.n_reviewers)[r]
    spread = weight[c] / np.bincount(s, weight[c], minlength=n_sources)[s]
    a = scipy.sparse.csr_matrix((own, (r, c)), shape=(cells.n_reviewers, n_cells))
    b = scipy.sparse.csr_matrix((own, (r, s)), shape=(cells.n_reviewers, n_sources))
    w = np.zeros((n_sources, n_cells))
    w[s, c] = spread
    return a, b, w


def reviewer_table(
    design: Design,
    solution: Solution,
    variances: Variances,
    *,
    cells: Cells,
    reviewers: Sequence[PersonId],
    n_reviews: Ints,
) -> ReviewerTable:
    """Leniency ``L F`` of every reviewer (see ``leniency_contrast``) with its exact sd.

    ``diag(L S^-1 L') = diag(A S^-1 A') - 2 diag(A S^-1 W' B') + diag(B W S^-1 W' B')``
    (times ``sigma^2``), all from sparse ``A``, ``B`` and a few columns of ``S^-1``.
    """
    weight = design.calibration_weight
    a, b, w = leniency_contrast(cells, weight)
    cov = solution.calibration_cov
    level = solution.calibration_mean
    towards = cov @ w.T
    own = np.asarray(a.multiply(a @ cov).sum(axis=1)).ravel()
    cross = np.asarray(b.multiply(a @ towards).sum(axis=1)).ravel()
    shared = np.asarray(b.multiply(b @ (w @ towards)).sum(axis=1)).ravel()
    variance = own - 2 * cross + shared
    return ReviewerTable(
        reviewers=tuple(reviewers),
        leniency=a @ level - b @ (w @ level),
        sd=np.sqrt(np.maximum(variance, 0.0) * variances.noise),
        n_reviews=n_reviews,
        n_effective=weighted_counts(
            cells.reviewer[cells.reviewer >= 0], weight[cells.reviewer >= 0], cells.n_reviewers
        ),
    )
