"""Exact Gaussian posterior of the merit model by block elimination (a Schur complement).

With everything multiplied by ``sigma^2``, the normal equations are

    [ G_uu + L_u    B          ] [u]   [z_u]
    [ B'            H + L_F    ] [F] = [z_F]

where ``G_uu`` is block diagonal (one dense block per person), ``H`` is
diagonal (one calibration cell per row) and ``L`` holds the prior precision
ratios ``sigma^2 / tau^2`` (for the flat cell levels only a ridge of
``RIDGE`` times the cell's own weight, for round-off). Eliminating the person
blocks first,

    K_p = (G_p + L_p)^-1,    C_p = K_p B_p,
    S   = H + L_F - sum_p B_p' C_p                      (V x V, dense)
    F   = S^-1 (z_F - sum_p C_p' z_p),   u_p = K_p z_p - C_p F

and the posterior covariance (times ``sigma^2``) is exactly

    Cov(u_p) = K_p + C_p S^-1 C_p',   Cov(F) = S^-1.

Only the diagonal blocks are ever formed, so the sds are exact, not approximated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.linalg

from mts.merit.design import Design, Group

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

CHUNK_ENTRIES = 1 << 22
"""Block entries gathered or scattered at once: bounds the memory of index arrays."""


@dataclass(frozen=True, kw_only=True)
class Ratios:
    """Prior precisions relative to the noise: ``sigma^2 / tau^2`` per kind of parameter."""

    general: float
    skill: float
    calibration: float
    """Relative to each cell's own weight ``H_cc``: a round-off guard, not a prior."""


@dataclass(frozen=True, kw_only=True)
class Block:
    """The solution for one group of people: ``K``, ``C = K B`` and the means ``u``."""

    inverse: Floats
    gain: Floats
    mean: Floats


@dataclass(frozen=True, kw_only=True)
class Solution:
    """Posterior means of every parameter, and the Cholesky factor of ``S``."""

    ratios: Ratios
    blocks: tuple[Block, ...]
    calibration_mean: Floats
    factor: Floats

    @cached_property
    def calibration_cov(self) -> Floats:
        """``S^-1``: the covariance of the calibration ``F``, over ``sigma^2`` (computed once)."""
        size = self.factor.shape[0]
        inverse = (
            scipy.linalg.cho_solve((self.factor, True), np.eye(size)) if size else np.zeros((0, 0))
        )
        return (inverse + inverse.T) / 2


def _prior(group: Group, ratios: Ratios) -> Floats:
    prior = np.full(group.k, ratios.skill)
    prior[0] = ratios.general
    return prior


def _calibration_prior(design: Design, ratios: Ratios) -> Floats:
    return ratios.calibration * design.calibration_weight


def solve(design: Design, ratios: Ratios) -> Solution:
    """The posterior mode (= mean) by block elimination; see the module docstring.

    The ``V x V`` inverse ``S^-1`` is only formed when ``calibration_cov`` is
    first read: variance estimation never needs it, the published sds do.
    """
    inverses, gains = [], []
    v = design.n_cells
    schur = np.diag(design.calibration_weight + _calibration_prior(design, ratios))
    coupled = np.zeros((v, v))
    rhs = design.calibration_rhs.copy()
    for group in design.groups:
        inverse = _block_inverse(group, _prior(group, ratios))
        gain = np.matmul(inverse, group.coupling)
        _scatter_blocks(coupled, group.cols, np.matmul(group.coupling.transpose(0, 2, 1), gain))
        np.subtract.at(rhs, group.cols.ravel(), np.matmul(group.rhs[:, None, :], gain).ravel())
        inverses.append(inverse)
        gains.append(gain)
    schur -= coupled
    schur = (schur + schur.T) / 2
    factor = scipy.linalg.cho_factor(schur, lower=True, check_finite=False)
    calibration = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    blocks = tuple(
        _block(group, inverse, gain, calibration)
        for group, inverse, gain in zip(design.groups, inverses, gains, strict=True)
    )
    return Solution(
        ratios=ratios,
        blocks=blocks,
        calibration_mean=calibration,
        factor=factor[0],
    )


def _block_inverse(group: Group, prior: Floats) -> Floats:
    precision = group.gram + np.diag(prior)
    inverse = np.linalg.inv(precision)
    return (inverse + inverse.transpose(0, 2, 1)) / 2


def _apply(matrices: Floats, vectors: Floats) -> Floats:
    """``matrices[n] @ vectors[n]`` for every ``n``."""
    product: Floats = np.matmul(matrices, vectors[:, :, None])[:, :, 0]
    return product


def _block(group: Group, inverse: Floats, gain: Floats, calibration: Floats) -> Block:
    mean = _apply(inverse, group.rhs) - _apply(gain, calibration[group.cols])
    return Block(inverse=inverse, gain=gain, mean=mean)


def _scatter_blocks(matrix: Floats, cols: Ints, blocks: Floats) -> None:
    """Add each ``m x m`` block ``blocks[n]`` into ``matrix`` at rows and columns ``cols[n]``."""
    size = matrix.shape[0]
    flat = matrix.reshape(-1)
    for chunk in _chunks(cols.shape[0], cols.shape[1]):
        c = cols[chunk]
        np.add.at(flat, (c[:, :, None] * size + c[:, None, :]).ravel(), blocks[chunk].ravel())


def quadratic_diagonal(rows: Floats, cols: Ints, covariance: Floats) -> Floats:
    """``diag(R Sigma[cols, cols] R')`` for each person's ``(k x m)`` row block ``R``.

    The gather of ``Sigma[cols, cols]`` is done a few thousand people at a
    time so that memory stays bounded whatever ``m``.
    """
    out = np.empty(rows.shape[:2])
    size, flat = covariance.shape[0], covariance.reshape(-1)
    for chunk in _chunks(rows.shape[0], rows.shape[2]):
        c = cols[chunk]
        gathered = np.take(flat, c[:, :, None] * size + c[:, None, :])
        out[chunk] = np.sum(np.matmul(rows[chunk], gathered) * rows[chunk], axis=2)
    return out


def _chunks(n: int, m: int) -> Iterator[slice]:
    step = max(1, CHUNK_ENTRIES // max(1, m * m))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def theta_variances(group: Group, block: Block, calibration_cov: Floats) -> Floats:
    """Posterior variances (over ``sigma^2``) of ``[g_p, g_p + d_ps...]`` for each person.

    ``Var(g + d_s) = K_gg + 2 K_gs + K_ss + (c_g + c_s) S^-1 (c_g + c_s)'``.
    """
    inverse = block.inverse
    own = np.diagonal(inverse, axis1=1, axis2=2).copy()
    own[:, 1:] += inverse[:, :1, 0] + 2 * inverse[:, 0, 1:]
    rows = block.gain.copy()
    rows[:, 1:, :] += block.gain[:, :1, :]
    return own + quadratic_diagonal(rows, group.cols, calibration_cov)
