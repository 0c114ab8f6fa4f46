"""Inequality kernels: population-weighted Gini, Theil T, Palma, fifths and class gaps.

Every kernel works on *units* (communes) ``i`` with a value ``x_i`` (an indicator,
in its own unit) and a weight ``w_i >= 0`` (inhabitants). The ``w_i`` inhabitants of
a unit are all given the value ``x_i``: weights act as replication, so a unit of
weight 2 gives exactly the same index as two copies of it with weight 1. Units
of zero weight count for nothing. With ``W = Σ w_i``, ``p_i = w_i / W`` and the
mean ``μ = Σ p_i x_i``:

- **Gini** ``G = Σ_i Σ_j p_i p_j |x_i - x_j| / (2 μ)``, computed from the Lorenz
  curve as ``1 - Σ_i p_i (L_(i-1) + L_i)`` (units sorted by value, ``L`` cumulated
  share of the total). 0 when every unit has the same value.
- **Theil T** ``T = Σ_i p_i (x_i/μ) ln(x_i/μ)`` (Theil 1967, *Economics and
  Information Theory*), with ``0 ln 0 = 0``, its limit: T is defined for zero values
  (a share of 0 %, 0 min), which are kept (not dropped, not shifted); only negative
  values and an all-zero set leave it undefined. (The mean log deviation, Theil L,
  would be undefined at 0: it is not used.) Exact
  decomposition over subgroups ``h`` with shares of the total ``s_h = W_h μ_h / (W μ)``
  (Shorrocks 1980, *Econometrica* 48(3)): ``T = Σ_h s_h T_h`` (within) ``+ Σ_h s_h
  ln(μ_h / μ)`` (between).
- **Palma ratio**: share of the indicator total held by the 10 % of the population
  with the highest values over the share held by the 40 % with the lowest values,
  ``(1 - L(0.9)) / L(0.4)`` (Cobham & Sumner 2013, CGD Working Paper 343). ``L`` is
  the Lorenz curve, linear between units: the unit straddling a cut is shared pro
  rata of its population.
- **Population-share band mean**: mean value of the inhabitants between population
  shares ``a`` and ``b`` of the units sorted by value, ``(C(b) - C(a)) / (b - a)``,
  with ``C(q)`` the cumulated ``Σ p_i x_i`` (the straddling unit again shared). The
  bottom fifth is the band ``[0, 0.2]``, the top fifth ``[0.8, 1]``.
- **Class means**: population-weighted mean of the units of a class (e.g. urban
  and rural communes of the INSEE density grid) and the difference of two classes.

When an index is undefined the kernel returns NaN, never ``inf`` and never a
made-up value:

===================  ==========================================================
index                NaN when (for a group)
===================  ==========================================================
Gini, Theil, Palma   no weight; a negative value; mean 0 (all values 0)
Palma                also: the bottom 40 % hold nothing (``L(0.4) = 0``: infinite)
band / class mean    no weight in the band or class
===================  ==========================================================

Missing values are the caller's business: a NaN or infinite value, a negative or
non-finite weight is a ``ValueError`` (drop such units explicitly and report the
population covered). Each kernel has a grouped form (``*_by``) computing one value
per group in one vectorised pass (``groups``: group number of each unit in
``0 .. n_groups - 1``, ``-1`` for none) and a scalar form for a single set of units.
Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from geo.constants import FIFTH_SHARE, PALMA_BOTTOM_SHARE, PALMA_TOP_SHARE

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
# The parts of a result: arrays, one value per group (``*_by``), or floats for one set
# of units (``theil``, ``fifth_means``, ``class_gap``).
_Part = TypeVar("_Part", FloatArray, float)

__all__ = [
    "ClassGap",
    "FifthMeans",
    "Ranked",
    "TheilParts",
    "band_mean",
    "band_mean_of",
    "class_gap",
    "class_gap_by",
    "fifth_means",
    "fifth_means_of",
    "gini",
    "gini_by",
    "gini_of",
    "palma",
    "palma_by",
    "palma_of",
    "rank_within_groups",
    "theil",
    "theil_by",
]

# Tolerance on cumulated population shares (1e-12 of the population: far below one
# inhabitant of France, far above the rounding of a sum of shares).
_CUT_TOLERANCE: Final = 1e-12


class TheilParts(NamedTuple, Generic[_Part]):
    """Theil T and its exact decomposition: ``total == within + between``."""

    total: _Part
    within: _Part
    between: _Part


class FifthMeans(NamedTuple, Generic[_Part]):
    """Mean value of the best- and worst-placed fifths, and their gap (>= 0).

    ``gap = top fifth mean - bottom fifth mean`` in the indicator's unit; which fifth
    is the best depends on ``higher_is_better``.
    """

    best: _Part
    worst: _Part
    gap: _Part


class ClassGap(NamedTuple, Generic[_Part]):
    """Mean of two classes of units and their difference ``first - second``."""

    first: _Part
    second: _Part
    gap: _Part


# --- Input checks --------------------------------------------------------------------


def _inputs(
    values: npt.ArrayLike, weights: npt.ArrayLike, groups: npt.ArrayLike | None, n_groups: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Checked float values, weights and int groups; units of weight 0 get group -1."""
    x = np.asarray(values, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    g = np.zeros(len(x), dtype=np.intp) if groups is None else np.asarray(groups).ravel()
    if not (len(x) == len(w) == len(g)):
        raise ValueError(
            f"values, weights and groups must have the same length ({len(x)}, {len(w)}, {len(g)})"
        )
    if not np.isfinite(x).all():
        raise ValueError(
            "values must be finite: exclude missing units first and report the population covered"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and >= 0 (inhabitants)")
    if g.dtype.kind not in "iu":
        raise ValueError(f"groups must be integers, got {g.dtype}")
    g = g.astype(np.intp)
    if len(g) and (g.min() < -1 or g.max() >= n_groups):
        raise ValueError(f"groups must lie in -1 .. {n_groups - 1}")
    return x, w, np.where(w > 0, g, -1)


def _kept(keep: BoolArray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of ``keep`` of each array (the arrays themselves when all are kept)."""
    if keep.all():
        return arrays
    return tuple(a[keep] for a in arrays)


def _sums(x: FloatArray, w: FloatArray, g: IntArray, n: int) -> tuple[FloatArray, FloatArray]:
    """Total weight and total Σ w x of each group (rows with g = -1 ignored)."""
    ok = g >= 0
    if not ok.all():  # (boolean indexing is slow: skip it when every row counts)
        x, w, g = x[ok], w[ok], g[ok]
    weight = np.bincount(g, weights=w, minlength=n).astype(np.float64)
    total = np.bincount(g, weights=w * x, minlength=n).astype(np.float64)
    return weight, total


def _negative(x: FloatArray, g: IntArray, n: int) -> BoolArray:
    ok = (g >= 0) & (x < 0)
    return np.bincount(g[ok], minlength=n) > 0


def _identical(x: FloatArray, g: IntArray, n: int) -> BoolArray:
    """Groups whose units all have the same value (their indices are exactly 0)."""
    lowest, highest = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(lowest, g, x)
    np.maximum.at(highest, g, x)
    return lowest == highest


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


# --- Ranked units (one sort shared by the Lorenz-based indices) ----------------------


@dataclass(frozen=True)
class Ranked:
    """Units sorted by group then value, with their within-group cumulations.

    Build it with :func:`rank_within_groups`; it holds only arrays (no state). Rows
    are the units of positive weight in a group.

    Attributes
    ----------
    n_groups : int
    group, value : arrays, one per kept unit, sorted by (group, value)
    share : population share of each unit in its group (``w_i / W_g``)
    cum_share : cumulated population share up to and including the unit
    cum_px : cumulated ``Σ p_i x_i`` up to and including the unit (indicator unit)
    start, count : first row and number of rows of each group
    weight, mean : total weight ``W_g`` and weighted mean ``μ_g`` (NaN when W_g = 0)
    negative : whether the group holds a negative value
    """

    n_groups: int
    group: IntArray
    value: FloatArray
    share: FloatArray
    cum_share: FloatArray
    cum_px: FloatArray
    start: IntArray
    count: IntArray
    weight: FloatArray
    mean: FloatArray
    negative: BoolArray


def _group_cumsum(amount: FloatArray, start: IntArray, group: IntArray, n: int) -> FloatArray:
    """Cumulated sum restarting at each group (rows sorted by group).

    One global cumulation minus each group's starting offset, on amounts divided by
    their group's ``Σ |amount|``: every group then adds at most 1 to the running sum,
    so the rounding error stays below ``n_groups`` ulps of the group's own scale
    (3e-13 for 1,250 EPCI), however different the groups' magnitudes.
    """
    scale = np.bincount(group, weights=np.abs(amount), minlength=n)
    scale[scale == 0] = 1.0
    cum = np.cumsum(amount / scale[group])
    offset = np.concatenate(([0.0], cum))[start]
    return (cum - offset[group]) * scale[group]


def _order(x: FloatArray, g: IntArray, n_groups: int) -> IntArray:
    """Row order sorting by group, then value (ties in any order)."""
    by_value = np.argsort(x)
    small = np.int16 if n_groups < 2**15 else np.int32 if n_groups < 2**31 else np.int64
    # A stable radix sort of small integers keeps the value order within each group.
    return by_value[np.argsort(g[by_value].astype(small), kind="stable")]


def rank_within_groups(
    values: npt.ArrayLike, weights: npt.ArrayLike, groups: npt.ArrayLike | None, n_groups: int = 1
) -> Ranked:
    """Sort units by (group, value) and cumulate their shares (one sort, reused).

    Parameters
    ----------
    values : array-like of float
        Finite values (indicator unit).
    weights : array-like of float
        Inhabitants, finite and >= 0; units of weight 0 are left out.
    groups : array-like of int, optional
        Group of each unit in ``0 .. n_groups - 1``, ``-1`` for none; None: one group.
    n_groups : int

    Returns
    -------
    Ranked
        See the class. Empty input gives a ``Ranked`` with no rows.
    """
    x, w, g = _inputs(values, weights, groups, n_groups)
    x, w, g = _kept(g >= 0, x, w, g)
    order = _order(x, g, n_groups)
    x, w, g = x[order], w[order], g[order]
    weight, total = _sums(x, w, g, n_groups)
    count = np.bincount(g, minlength=n_groups).astype(np.intp)
    start = (np.cumsum(count) - count).astype(np.intp)
    share = w / weight[g] if len(g) else np.zeros(0)
    cum_share = _group_cumsum(share, start, g, n_groups)
    cum_px = _group_cumsum(share * x, start, g, n_groups)
    # Exact 1 at each group's last row (no rounding drift past the last unit).
    last = start + count - 1
    cum_share[last[count > 0]] = 1.0
    return Ranked(
        n_groups=n_groups,
        group=g,
        value=x,
        share=share,
        cum_share=cum_share,
        cum_px=cum_px,
        start=start,
        count=count,
        weight=weight,
        mean=_divide(total, weight),
        negative=_negative(x, g, n_groups),
    )


def _cumulated_at(r: Ranked, q: float) -> FloatArray:
    """``C(q)``: cumulated ``Σ p_i x_i`` of each group up to population share ``q``.

    The unit straddling ``q`` contributes its value times the part of its share
    below ``q``. NaN for groups without units.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"population share must lie in [0, 1], got {q}")
    out = np.full(r.n_groups, np.nan)
    has = r.count > 0
    # A cut within _CUT_TOLERANCE of a unit's end falls at that end (rounding of the
    # cumulated shares must not hand a 1e-17 sliver of the next unit to the band).
    below = np.bincount(r.group[r.cum_share < q - _CUT_TOLERANCE], minlength=r.n_groups)
    k = np.minimum(r.start + below, r.start + r.count - 1)[has]
    first = k == r.start[has]
    prev = np.maximum(k - 1, 0)
    share_before = np.where(first, 0.0, r.cum_share[prev]) if len(k) else np.zeros(0)
    px_before = np.where(first, 0.0, r.cum_px[prev]) if len(k) else np.zeros(0)
    part = np.clip(q - share_before, 0.0, r.share[k] if len(k) else 0.0)
    out[has] = px_before + part * r.value[k]
    return out


def _defined(r: Ranked) -> BoolArray:
    """Groups where Gini, Theil and Palma are defined (weight, no negative, mean > 0)."""
    return (r.count > 0) & ~r.negative & (np.nan_to_num(r.mean) > 0)


def gini_of(r: Ranked) -> FloatArray:
    """Weighted Gini of each group (module docstring); NaN where undefined."""
    out = np.full(r.n_groups, np.nan)
    if not len(r.group):
        return out
    first = np.zeros(len(r.group), dtype=bool)
    first[r.start[r.count > 0]] = True
    px_before = np.where(first, 0.0, np.concatenate(([0.0], r.cum_px[:-1])))
    # Σ p_i (C_(i-1) + C_i) / μ = 1 - G; C in indicator units, so divide by μ.
    area = np.bincount(r.group, weights=r.share * (px_before + r.cum_px), minlength=r.n_groups)
    ok = _defined(r)
    out[ok] = 1.0 - area[ok] / r.mean[ok]
    # The index is >= 0 by construction, and exactly 0 for identical values (rounding
    # would leave +-1e-16, enough to rank equal territories apart).
    out[ok] = np.maximum(out[ok], 0.0)
    out[ok & _same_values(r)] = 0.0
    return out


def _same_values(r: Ranked) -> BoolArray:
    """Groups whose units all have the same value (first and last sorted rows)."""
    has = r.count > 0
    same = np.zeros(r.n_groups, dtype=bool)
    same[has] = r.value[r.start[has]] == r.value[(r.start + r.count - 1)[has]]
    return same


def palma_of(
    r: Ranked, top: float = PALMA_TOP_SHARE, bottom: float = PALMA_BOTTOM_SHARE
) -> FloatArray:
    """Palma ratio of each group: share held by the top ``top`` over the bottom ``bottom``.

    NaN where undefined (module docstring), including when the bottom holds nothing
    (the ratio would be infinite).
    """
    if not (0 < top < 1 and 0 < bottom < 1 and top + bottom <= 1):
        raise ValueError(f"Palma cuts must be in (0, 1) with top + bottom <= 1: {top}, {bottom}")
    held_top = r.mean - _cumulated_at(r, 1.0 - top)
    held_bottom = _cumulated_at(r, bottom)
    ok = _defined(r) & (np.nan_to_num(held_bottom) > 0)
    out = np.full(r.n_groups, np.nan)
    with np.errstate(over="ignore"):  # a bottom share so small the ratio overflows
        out[ok] = held_top[ok] / held_bottom[ok]
    out[~np.isfinite(out)] = np.nan
    out[ok & _same_values(r)] = top / bottom  # everyone equal, without rounding residue
    return out


def band_mean_of(r: Ranked, lower: float, upper: float) -> FloatArray:
    """Mean value of the population between shares ``lower`` and ``upper`` (sorted by value).

    Negative values are allowed. NaN for groups without units.
    """
    if not 0.0 <= lower < upper <= 1.0:
        raise ValueError(f"need 0 <= lower < upper <= 1, got {lower}, {upper}")
    mean = (_cumulated_at(r, upper) - _cumulated_at(r, lower)) / (upper - lower)
    # A group of identical values has that value in every band (no rounding residue).
    same = _same_values(r)
    mean[same] = r.value[r.start[same]]
    return mean


def fifth_means_of(
    r: Ranked, *, higher_is_better: bool, fifth: float = FIFTH_SHARE
) -> FifthMeans[FloatArray]:
    """Mean of the best- and worst-placed fifth of the population, and their gap.

    The fifths are population-weighted: units are sorted by value and the bottom and
    top ``fifth`` of the inhabitants taken (the straddling unit shared). With
    ``higher_is_better`` the top fifth is the best one, else the bottom fifth
    (e.g. minutes). ``gap = top - bottom >= 0``. NaN for groups without units.
    """
    if not 0 < fifth <= 0.5:
        raise ValueError(f"fifth must lie in (0, 0.5], got {fifth}")
    bottom = band_mean_of(r, 0.0, fifth)
    top = band_mean_of(r, 1.0 - fifth, 1.0)
    best, worst = (top, bottom) if higher_is_better else (bottom, top)
    return FifthMeans(best=best, worst=worst, gap=np.maximum(top - bottom, 0.0))


# --- Grouped forms -----------------------------------------------------------------


def gini_by(
    values: npt.ArrayLike, weights: npt.ArrayLike, groups: npt.ArrayLike | None, n_groups: int
) -> FloatArray:
    """Weighted Gini per group (dimensionless, 0-1); NaN where undefined."""
    return gini_of(rank_within_groups(values, weights, groups, n_groups))


def palma_by(
    values: npt.ArrayLike, weights: npt.ArrayLike, groups: npt.ArrayLike | None, n_groups: int
) -> FloatArray:
    """Palma ratio per group (dimensionless); NaN where undefined."""
    return palma_of(rank_within_groups(values, weights, groups, n_groups))


def theil_by(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    groups: npt.ArrayLike | None,
    n_groups: int,
    subgroups: npt.ArrayLike | None = None,
    n_subgroups: int | None = None,
) -> TheilParts[FloatArray]:
    """Theil T per group and its exact within/between decomposition by ``subgroups``.

    Parameters
    ----------
    values, weights, groups, n_groups
        As in the module docstring.
    subgroups : array-like of int, optional
        Subgroup of each unit (non-negative integers; a subgroup is taken within its
        group, e.g. the EPCI of each commune of a département). None: one subgroup
        per group (within = total, between = 0).
    n_subgroups : int, optional
        Fast path when the subgroup ids are already *nested* (each id used by one
        group only, ids in ``0 .. n_subgroups - 1``): no pairing of group and
        subgroup is needed. Checked; a ``ValueError`` if an id spans two groups.

    Returns
    -------
    TheilParts
        ``total``, ``within``, ``between`` arrays of length ``n_groups``
        (dimensionless, >= 0; ``total == within + between`` up to rounding). NaN for
        the three where T is undefined (no weight, a negative value, mean 0).
    """
    x, w, g = _inputs(values, weights, groups, n_groups)
    sub = np.zeros(len(x), dtype=np.int64) if subgroups is None else np.asarray(subgroups)
    if len(sub) != len(x) or (len(sub) and (sub.dtype.kind not in "iu" or sub.min() < 0)):
        raise ValueError("subgroups must be non-negative integers, one per unit")
    x, w, g, sub = _kept(g >= 0, x, w, g, sub.astype(np.intp))
    # One pass: T_g = Σ w x ln x / S_g - ln μ_g (S_g = Σ w x), with 0 ln 0 = 0.
    positive = x > 0
    wx = w * x
    wxlnx = np.zeros(len(x))
    wxlnx[positive] = wx[positive] * np.log(x[positive])
    # (bincount with weights returns float64; numpy's stub says intp whatever the weights)
    weight, total, a = (
        np.bincount(g, weights=v, minlength=n_groups).astype(np.float64, copy=False)
        for v in (w, wx, wxlnx)
    )
    mean = _divide(total, weight)
    defined = (weight > 0) & ~_negative(x, g, n_groups) & (np.nan_to_num(mean) > 0)
    if n_subgroups is None or subgroups is None:
        pair, pair_group = _pairs(g, sub)
    else:
        pair, pair_group = sub, _nested_groups(g, sub, n_subgroups)
    n_pairs = len(pair_group)
    p_weight, p_total, p_a = (
        np.bincount(pair, weights=v, minlength=n_pairs).astype(np.float64, copy=False)
        for v in (w, wx, wxlnx)
    )
    # Subgroups holding part of the total (an all-zero subgroup holds s_h = 0).
    held = (p_total > 0) & (pair_group >= 0)
    hg = pair_group[held]
    # ln μ = ln S - ln W (no underflow of the quotient for tiny values).
    ln_mean_h = np.log(p_total[held]) - np.log(p_weight[held])
    ln_mean_g = np.where(defined, np.log(np.where(defined, total, 1.0)), 0.0) - np.log(
        np.where(defined, weight, 1.0)
    )
    # S_h T_h = A_h - S_h ln μ_h (>= 0: clipped against rounding); between S_h ln(μ_h/μ_g).
    within_terms = np.maximum(p_a[held] - p_total[held] * ln_mean_h, 0.0)
    between_terms = p_total[held] * (ln_mean_h - ln_mean_g[hg])
    within_sum, between_sum = (
        np.bincount(hg, weights=v, minlength=n_groups).astype(np.float64, copy=False)
        for v in (within_terms, between_terms)
    )
    within = _divide(within_sum, total)
    between = _divide(between_sum, total)
    t_total = _divide(a, total) - ln_mean_g
    # Identical values: exactly 0 (the one-pass formula leaves a 1e-16 residue).
    equal = _identical(x, g, n_groups)
    t_total[equal], within[equal], between[equal] = 0.0, 0.0, 0.0
    nan = np.full(n_groups, np.nan)
    return TheilParts(
        total=np.where(defined, np.maximum(t_total, 0.0), nan),
        within=np.where(defined, within, nan),
        between=np.where(defined, np.maximum(between, 0.0), nan),
    )


def _nested_groups(g: IntArray, sub: IntArray, n_subgroups: int) -> IntArray:
    """Group of each nested subgroup id (-1 when unused); checks the nesting."""
    if len(sub) and sub.max() >= n_subgroups:
        raise ValueError(f"subgroup ids must lie in 0 .. {n_subgroups - 1}")
    owner = np.full(n_subgroups, -1, dtype=np.intp)
    owner[sub] = g
    if (owner[sub] != g).any():
        raise ValueError("n_subgroups given but a subgroup id is used by two groups")
    return owner


def _pairs(g: IntArray, sub: IntArray) -> tuple[IntArray, IntArray]:
    """Number of each unit's (group, subgroup) pair, and the group of each pair."""
    if not len(g):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    span = int(sub.max()) + 1
    key = g.astype(np.int64) * span + sub
    uniques, pair = np.unique(key, return_inverse=True)
    return pair.astype(np.intp), (uniques // span).astype(np.intp)


def class_gap_by(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    groups: npt.ArrayLike | None,
    n_groups: int,
    first: npt.ArrayLike,
    second: npt.ArrayLike,
) -> ClassGap[FloatArray]:
    """Population-weighted mean of two classes of units per group, and ``first - second``.

    Parameters
    ----------
    first, second : array-like of bool
        Class membership of each unit (e.g. urban and rural communes).

    Returns
    -------
    ClassGap
        ``first``, ``second`` (means, indicator unit; NaN when the class has no
        weight in the group) and ``gap`` (NaN when either mean is NaN).
    """
    x, w, g = _inputs(values, weights, groups, n_groups)
    means = []
    for members in (first, second):
        m = np.asarray(members, dtype=bool).ravel()
        if len(m) != len(x):
            raise ValueError("class membership must have one flag per unit")
        in_class = np.where(m, g, -1)
        weight, total = _sums(x, w, in_class, n_groups)
        means.append(_divide(total, weight))
    return ClassGap(first=means[0], second=means[1], gap=means[0] - means[1])


# --- Scalar forms (one set of units) ---------------------------------------------------


def _one(array: FloatArray) -> float:
    return float(array[0])


def gini(values: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    """Weighted Gini of one set of units (0-1); NaN where undefined."""
    return _one(gini_by(values, weights, None, 1))


def theil(
    values: npt.ArrayLike, weights: npt.ArrayLike, subgroups: npt.ArrayLike | None = None
) -> TheilParts[float]:
    """Theil T of one set of units and its decomposition (floats in a TheilParts)."""
    parts = theil_by(values, weights, None, 1, subgroups)
    return TheilParts(_one(parts.total), _one(parts.within), _one(parts.between))


def palma(values: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    """Palma ratio of one set of units; NaN where undefined."""
    return _one(palma_by(values, weights, None, 1))


def band_mean(values: npt.ArrayLike, weights: npt.ArrayLike, lower: float, upper: float) -> float:
    """Mean value of the population between shares ``lower`` and ``upper`` (sorted)."""
    return _one(band_mean_of(rank_within_groups(values, weights, None), lower, upper))


def fifth_means(
    values: npt.ArrayLike, weights: npt.ArrayLike, *, higher_is_better: bool
) -> FifthMeans[float]:
    """Best/worst fifth means and gap of one set of units (floats in a FifthMeans)."""
    r = rank_within_groups(values, weights, None)
    parts = fifth_means_of(r, higher_is_better=higher_is_better)
    return FifthMeans(_one(parts.best), _one(parts.worst), _one(parts.gap))


def class_gap(
    values: npt.ArrayLike, weights: npt.ArrayLike, first: npt.ArrayLike, second: npt.ArrayLike
) -> ClassGap[float]:
    """Means of two classes of one set of units and their difference (floats)."""
    parts = class_gap_by(values, weights, None, 1, first, second)
    return ClassGap(_one(parts.first), _one(parts.second), _one(parts.gap))
