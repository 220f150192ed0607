"""The sparse design of the merit model, summarised as per-person blocks.

The model (see ``docs/merit.md``) has, per piece of evidence ``e``, the row

    x_e = [ g_p: 1,  d_ps: a_es for each tagged skill s,  kappa_cell(e): 1 ]

with skill shares ``a_es`` summing to 1 and precision weight ``omega_e``,
where ``kappa`` is the level of the evidence's calibration cell (its source
and reviewer). Every sufficient statistic of ``X' Omega X`` and
``X' Omega y`` is stored here, split into the person part ``u`` (``g_p`` and
the ``d_ps`` of skills the person has evidence for) and the calibration part
``F`` (one ``kappa`` per cell; each row touches exactly one):

* ``G_p``: the dense ``k_p x k_p`` block of ``X_u' Omega X_u`` for person ``p``
  (people never share a ``u`` parameter, so ``X_u' Omega X_u`` is block diagonal);
* ``B_p``: the ``k_p x m_p`` coupling of person ``p`` to the ``m_p``
  calibration parameters their evidence touches (``cols``);
* ``H = X_F' Omega X_F`` (diagonal: each row has one cell), ``z_u``, ``z_F`` and ``y' Omega y``.

People are grouped by block shape so that every later step is a batched
numpy operation over a ``(people, k, m)`` array. This module is the only one
that knows how indices are laid out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

CHUNK_ROWS = 1 << 19
"""Rows accumulated at once: bounds the memory of pair expansion on 10M-row inputs."""


@dataclass(frozen=True, kw_only=True)
class Rows:
    """Evidence rows in compact codes, ready for the design.

    ``person`` in [0, P), ``cell`` in [0, V), ``tag_skill`` in [0, K) with
    ``tag_share`` summing to 1 per row, ``y`` centred per source, ``omega``
    the precision weight ``w * decay``.
    """

    person: npt.NDArray[np.int32]
    cell: npt.NDArray[np.int32]
    tag_indptr: Ints
    tag_skill: npt.NDArray[np.int32]
    tag_share: Floats
    y: Floats
    omega: Floats
    n_people: int
    n_skills: int
    n_cells: int

    @property
    def n_rows(self) -> int:
        """The number of rows."""
        return int(self.person.shape[0])


@dataclass(frozen=True, kw_only=True)
class Group:
    """People whose blocks share a shape: ``k`` person parameters, ``m`` calibration columns.

    Arrays are indexed (person in group, ...); ``cols`` pads with column 0
    where ``B`` is zero, so padding never contributes.
    """

    people: Ints
    k: int
    m: int
    skills: Ints
    cols: Ints
    gram: Floats
    coupling: Floats
    rhs: Floats


@dataclass(frozen=True, kw_only=True)
class Design:
    """All sufficient statistics of the model; see the module docstring."""

    n_people: int
    n_skills: int
    n_cells: int
    n_rows: int
    groups: tuple[Group, ...]
    calibration_weight: Floats
    """The diagonal of ``H``: ``sum omega`` per cell."""
    calibration_rhs: Floats
    yy: float
    n_effective_general: Floats
    n_effective_skill: Floats


@dataclass(frozen=True)
class _Layout:
    """Where each person's block and each (person, calibration column) pair live."""

    local: npt.NDArray[np.int32]
    size: Ints
    width: Ints
    pair_keys: Ints
    pair_start: Ints
    gram_offset: Ints
    coupling_offset: Ints
    rhs_offset: Ints
    order: Ints
    n_calibration: int


def build_design(rows: Rows) -> Design:
    """Accumulate ``X' Omega X`` and ``X' Omega y`` of ``rows`` into per-person blocks."""
    tag_row = np.repeat(np.arange(rows.n_rows), np.diff(rows.tag_indptr))
    layout = _layout(rows, tag_row)
    gram = np.zeros(int(layout.gram_offset[-1]))
    coupling = np.zeros(int(layout.coupling_offset[-1]))
    rhs = np.zeros(int(layout.rhs_offset[-1]))
    for start in range(0, rows.n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, rows.n_rows)
        entries = _entries(rows, layout, start, stop)
        _accumulate_person(entries, layout, rows, gram, coupling, rhs)
    return Design(
        n_people=rows.n_people,
        n_skills=rows.n_skills,
        n_cells=rows.n_cells,
        n_rows=rows.n_rows,
        groups=_groups(rows, layout, gram, coupling, rhs),
        calibration_weight=weighted_counts(rows.cell, rows.omega, rows.n_cells),
        calibration_rhs=weighted_counts(rows.cell, rows.omega * rows.y, rows.n_cells),
        yy=float(np.dot(rows.omega, rows.y * rows.y)),
        n_effective_general=weighted_counts(rows.person, rows.omega, rows.n_people),
        n_effective_skill=weighted_counts(
            rows.person[tag_row].astype(np.int64) * rows.n_skills + rows.tag_skill,
            rows.omega[tag_row] * rows.tag_share,
            rows.n_people * rows.n_skills,
        ).reshape(rows.n_people, rows.n_skills),
    )


def weighted_counts(codes: npt.NDArray[np.integer], weights: Floats, size: int) -> Floats:
    """``sum of weights`` per code in ``[0, size)``, as floats."""
    return np.asarray(np.bincount(codes, weights, minlength=size), dtype=np.float64)


def _bucket(width: Ints) -> Ints:
    """Round calibration widths up to 1, 2, 3, 4, 6, 8, 12, 16, ...: few shapes, little padding."""
    steps = np.array(
        [1] + [2 ** (i // 2) * (3 if i % 2 else 2) // 2 for i in range(2, 48)], dtype=np.int64
    )
    return steps[np.searchsorted(steps, np.maximum(width, 1))]


def _layout(rows: Rows, tag_row: Ints) -> _Layout:
    p, k = rows.n_people, rows.n_skills
    seen = np.bincount(rows.person[tag_row].astype(np.int64) * k + rows.tag_skill, minlength=p * k)
    present = seen.reshape(p, k) > 0
    local = (np.cumsum(present, axis=1) * present).astype(np.int32)
    size = 1 + present.sum(axis=1).astype(np.int64)
    v = rows.n_cells
    pair_keys = np.unique(rows.person.astype(np.int64) * v + rows.cell)
    width = np.bincount(pair_keys // v, minlength=p).astype(np.int64)
    pair_start = np.zeros(p + 1, dtype=np.int64)
    np.cumsum(width, out=pair_start[1:])
    padded = _bucket(width)
    order = np.lexsort((np.arange(p), padded, size))
    return _Layout(
        local=local,
        size=size,
        width=padded,
        pair_keys=pair_keys,
        pair_start=pair_start,
        gram_offset=_offsets(size * size, order),
        coupling_offset=_offsets(size * padded, order),
        rhs_offset=_offsets(size, order),
        order=order,
        n_calibration=v,
    )


def _offsets(lengths: Ints, order: Ints) -> Ints:
    """Start of each person's slice, slices laid out in ``order``; the last entry is the total."""
    starts = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    ends = np.cumsum(lengths[order])
    starts[order] = ends - lengths[order]
    starts[-1] = ends[-1] if ends.size else 0
    return starts


@dataclass(frozen=True)
class _Entries:
    """The non-zero ``u`` entries of a chunk of rows: (row, local index, value)."""

    row: Ints
    local: Ints
    value: Floats
    indptr: Ints
    start: int


def _entries(rows: Rows, layout: _Layout, start: int, stop: int) -> _Entries:
    lo, hi = int(rows.tag_indptr[start]), int(rows.tag_indptr[stop])
    tag_row = np.repeat(np.arange(start, stop), np.diff(rows.tag_indptr[start : stop + 1]))
    tag_local = layout.local[rows.person[tag_row], rows.tag_skill[lo:hi]].astype(np.int64)
    general_row = np.arange(start, stop)
    row = np.concatenate([general_row, tag_row])
    local = np.concatenate([np.zeros(stop - start, dtype=np.int64), tag_local])
    value = np.concatenate([np.ones(stop - start), rows.tag_share[lo:hi]])
    order = np.argsort(row, kind="stable")
    counts = np.bincount(row - start, minlength=stop - start)
    indptr = np.zeros(stop - start + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return _Entries(
        row=row[order], local=local[order], value=value[order], indptr=indptr, start=start
    )


def _accumulate_person(
    entries: _Entries, layout: _Layout, rows: Rows, gram: Floats, coupling: Floats, rhs: Floats
) -> None:
    person = rows.person[entries.row].astype(np.int64)
    weight = rows.omega[entries.row] * entries.value
    size = layout.size[person]
    np.add.at(rhs, layout.rhs_offset[person] + entries.local, weight * rows.y[entries.row])
    first, second = _pairs(entries)
    gram_index = (
        layout.gram_offset[person[first]]
        + entries.local[first] * size[first]
        + entries.local[second]
    )
    np.add.at(gram, gram_index, weight[first] * entries.value[second])
    pair = _pair_position(layout, person, rows.cell[entries.row].astype(np.int64))
    index = layout.coupling_offset[person] + entries.local * layout.width[person] + pair
    np.add.at(coupling, index, weight)


def _pairs(entries: _Entries) -> tuple[Ints, Ints]:
    """Indices (into the entries) of every ordered pair of entries in the same row."""
    length = np.diff(entries.indptr)[entries.row - entries.start]
    first = np.repeat(np.arange(entries.row.size), length)
    row_start = entries.indptr[entries.row - entries.start]
    run_start = np.cumsum(length) - length
    second = np.repeat(row_start, length) + (np.arange(first.size) - np.repeat(run_start, length))
    return first, second


def _pair_position(layout: _Layout, person: Ints, column: Ints) -> Ints:
    """Position of each (person, calibration column) among that person's columns."""
    keys = person * layout.n_calibration + column
    return np.searchsorted(layout.pair_keys, keys) - layout.pair_start[person]


def _groups(
    rows: Rows, layout: _Layout, gram: Floats, coupling: Floats, rhs: Floats
) -> tuple[Group, ...]:
    ordered = layout.order
    shape = np.stack([layout.size[ordered], layout.width[ordered]], axis=1)
    bounds = np.flatnonzero(np.any(np.diff(shape, axis=0) != 0, axis=1)) + 1
    starts = np.concatenate([[0], bounds])
    stops = np.concatenate([bounds, [ordered.size]])
    return tuple(
        _group(rows, layout, ordered[a:b], gram, coupling, rhs)
        for a, b in zip(starts, stops, strict=True)
        if b > a
    )


def _group(
    rows: Rows, layout: _Layout, people: Ints, gram: Floats, coupling: Floats, rhs: Floats
) -> Group:
    k, m = int(layout.size[people[0]]), int(layout.width[people[0]])
    n = people.size
    g0, c0, r0 = (
        int(o[people[0]]) for o in (layout.gram_offset, layout.coupling_offset, layout.rhs_offset)
    )
    return Group(
        people=people,
        k=k,
        m=m,
        skills=_block_skills(layout, people, k),
        cols=_block_cols(rows, layout, people, m),
        gram=gram[g0 : g0 + n * k * k].reshape(n, k, k),
        coupling=coupling[c0 : c0 + n * k * m].reshape(n, k, m),
        rhs=rhs[r0 : r0 + n * k].reshape(n, k),
    )


def _block_skills(layout: _Layout, people: Ints, k: int) -> Ints:
    """The skill code of each ``d`` entry of each block, in local order."""
    local = layout.local[people]
    person_pos, skill = np.nonzero(local)
    skills = np.zeros((people.size, k - 1), dtype=np.int64)
    skills[person_pos, local[person_pos, skill] - 1] = skill
    return skills


def _block_cols(rows: Rows, layout: _Layout, people: Ints, m: int) -> Ints:
    v = rows.n_cells
    cols = np.zeros((people.size, m), dtype=np.int64)
    start, stop = layout.pair_start[people], layout.pair_start[people + 1]
    width = stop - start
    position = np.repeat(np.arange(people.size), width)
    within = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
    cols[position, within] = layout.pair_keys[np.repeat(start, width) + within] % v
    return cols
