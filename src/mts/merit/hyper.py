"""Empirical Bayes estimates of the three variances: noise, general execution, skill.

MacKay's evidence updates (the fixed point of the marginal likelihood), with
``NU`` pseudo-observations at the defaults so that thin data fall back to
them instead of to 0 or infinity:

    gamma_g = sum_p (1 - Var(g_p) / tau_g^2)            how many g's the data pinned down
    tau_g^2 <- (sum_p m_gp^2 + NU tau_g0^2) / (gamma_g + NU)
    tau_s^2 <- (sum_ps m_dps^2 + NU tau_s0^2) / (gamma_s + NU)
    sigma^2 <- (sum_e omega_e r_e^2 + NU sigma_0^2) / (N - gamma_g - gamma_s - V + NU)

Sums run over parameters with evidence (the rest sit at their prior and
carry no information). The updates are made *given the calibration* ``F``
(the level of each source-and-reviewer cell, ``V`` of them, counted as fully learned): then
every person is a small independent block and one update costs a batch of
``k x k`` inversions. ``F`` is re-solved on the full model after each inner
convergence, until the variances settle (usually 2-3 times). What this
ignores is the uncertainty of ``F`` in ``Var(g_p)``, about ``sigma^2`` over
a reviewer's review count: small wherever reviewers review more than a few
pieces. The sds published afterwards include it exactly (``posterior``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from mts.merit.design import Design
from mts.merit.posterior import Ratios, Solution, solve

Floats = npt.NDArray[np.float64]

NU = 5.0
"""Pseudo-observations at the default variances: negligible for 100 people, decisive for 1."""

RIDGE = 1e-10
"""A cell's prior precision relative to its own evidence weight: the levels are flat in effect.

Cell levels (source and reviewer) are free (fixed) effects, so that a
reviewer's leniency is removed whatever its size and shifting all of one
reviewer's scores changes nobody's estimate; the ridge only guards the
Cholesky factorisation against round-off when a cell's weight is tiny.
"""

MAX_REFRESH = 10
"""At most this many re-solves of the calibration between inner iterations."""


@dataclass(frozen=True, kw_only=True)
class Variances:
    """``noise`` = sigma^2, ``general`` = tau_g^2, ``skill`` = tau_s^2 (in scale units, squared)."""

    noise: float
    general: float
    skill: float

    def ratios(self) -> Ratios:
        """The prior precisions relative to the noise."""
        return Ratios(
            general=self.noise / self.general, skill=self.noise / self.skill, calibration=RIDGE
        )


DEFAULTS = Variances(noise=0.15**2, general=0.10**2, skill=0.05**2)
"""Fallbacks on the [0, 1] scale: noise sd 0.15, general sd 0.10, skill sd 0.05."""


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """The variances found, how many updates it took, and whether they settled."""

    variances: Variances
    iterations: int
    converged: bool


def estimate(
    design: Design,
    *,
    start: Variances = DEFAULTS,
    fixed: frozenset[str] = frozenset(),
    max_iter: int = 50,
    tol: float = 1e-4,
) -> tuple[Estimate, Solution]:
    """Alternate full solves for ``F`` and evidence updates given ``F``; ``fixed`` names stay put.

    Returns the variances and the full solution at exactly those variances
    (the last re-solve, once the updates no longer move them beyond ``tol``).
    """
    current, updates = start, 0
    for _ in range(MAX_REFRESH):
        solution = solve(design, current.ratios())
        inner = _estimate_given(
            design, solution.calibration_mean, current, fixed, max_iter=max_iter, tol=tol
        )
        updates += inner.iterations
        if _settled(current, inner.variances, tol):
            return Estimate(
                variances=current, iterations=updates, converged=inner.converged
            ), solution
        current = inner.variances
    return Estimate(variances=current, iterations=updates, converged=False), solve(
        design, current.ratios()
    )


def _settled(old: Variances, new: Variances, tol: float) -> bool:
    pairs = ((old.noise, new.noise), (old.general, new.general), (old.skill, new.skill))
    return all(abs(np.log(b / a)) < tol for a, b in pairs)


@dataclass(frozen=True)
class _Given:
    """Each group's data with the calibration subtracted: ``z_p - B_p F`` and ``y'Wy`` likewise."""

    rhs: tuple[Floats, ...]
    yy: float


def _given(design: Design, calibration: Floats) -> _Given:
    rhs = tuple(
        g.rhs - np.matmul(g.coupling, calibration[g.cols][:, :, None])[:, :, 0]
        for g in design.groups
    )
    yy = design.yy - 2 * float(calibration @ design.calibration_rhs)
    yy += float(np.sum(design.calibration_weight * calibration**2))
    return _Given(rhs=rhs, yy=yy)


def _estimate_given(
    design: Design,
    calibration: Floats,
    start: Variances,
    fixed: frozenset[str],
    *,
    max_iter: int,
    tol: float,
) -> Estimate:
    given = _given(design, calibration)
    current = start
    for iteration in range(1, max_iter + 1):
        updated = _update(design, given, current, fixed)
        if _settled(current, updated, tol):
            return Estimate(variances=updated, iterations=iteration, converged=True)
        current = updated
    return Estimate(variances=current, iterations=max_iter, converged=False)


def _update(design: Design, given: _Given, current: Variances, fixed: frozenset[str]) -> Variances:
    """One evidence update of every variance not in ``fixed``; see the module docstring."""
    ratios = current.ratios()
    sums = np.zeros(5)  # sum m_g^2, sum m_d^2, gamma_g, gamma_s, m'z + m'Lm
    for group, rhs in zip(design.groups, given.rhs, strict=True):
        prior = np.full(group.k, ratios.skill)
        prior[0] = ratios.general
        inverse = np.linalg.inv(group.gram + np.diag(prior))
        mean = np.matmul(inverse, rhs[:, :, None])[:, :, 0]
        variance = np.diagonal(inverse, axis1=1, axis2=2)
        sums += (
            np.sum(mean[:, 0] ** 2),
            np.sum(mean[:, 1:] ** 2),
            np.sum(1 - ratios.general * variance[:, 0]),
            np.sum(1 - ratios.skill * variance[:, 1:]),
            np.sum(mean * rhs) + np.sum(mean * mean * prior),
        )
    general_sq, skill_sq, general_gamma, skill_gamma, fitted = sums
    residual = max(given.yy - fitted, 0.0)
    free = design.n_rows - general_gamma - skill_gamma - design.n_cells
    proposed = Variances(
        noise=(residual + NU * DEFAULTS.noise) / (max(free, 0.0) + NU),
        general=(general_sq + NU * DEFAULTS.general) / (max(general_gamma, 0.0) + NU),
        skill=(skill_sq + NU * DEFAULTS.skill) / (max(skill_gamma, 0.0) + NU),
    )
    return replace(proposed, **{name: getattr(current, name) for name in fixed})
