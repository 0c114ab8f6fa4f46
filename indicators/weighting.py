"""Population weighting: from population points to communes, EPCI, départements, régions
and France.

Every territorial figure is computed from the population points it contains, each
weighted by its inhabitants, never by averaging commune figures: a département's
share is (inhabitants of its points within the threshold) / (inhabitants of its
points), not the mean of its communes' shares. Ratios keep their numerator and
denominator, so that a larger territory can be rebuilt by summing them.

The kernels take a *geography* frame, one row per population point (see
:func:`point_geography`): ``population`` (inhabitants) and one code column per level
(``commune``, ``epci``, ``departement``, ``region``; categorical, NaN when the point
belongs to no territory of that level, e.g. a commune outside any EPCI). Per-point
values are arrays aligned with its rows. Nothing is read or written: frames in,
frames out.

Unknown points: a ``known`` mask marks the points whose value can be computed (for
instance, points of a département that the facility source does not cover). A
territory holding at least one unknown point gets no value (NaN) rather than a
figure computed on part of its population.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from etl.vocabulary import FRANCE_CODE, FRANCE_LEVEL, LEVEL_CODE_COLUMN, VALUE_LEVELS

VALUE_COLUMNS: Final[tuple[str, ...]] = ("level", "code", "value", "numerator", "denominator")
# Columns of the territories table naming each level of a commune.
_COMMUNE_COLUMNS: Final = LEVEL_CODE_COLUMN

# Relative tolerance on "half of the inhabitants" (rounding of cumulated shares).
_HALF_TOLERANCE: Final = 1e-9

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def point_geography(points: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Attach each population point to its commune, EPCI, département and région.

    Parameters
    ----------
    points : DataFrame
        ``point_id``, ``commune_code``, ``population`` (inhabitants).
    communes : DataFrame
        ``code``, ``epci_code``, ``dep_code``, ``reg_code`` (one row per commune).

    Returns
    -------
    DataFrame
        One row per point, in input order: ``point_id``, ``population`` (float64,
        inhabitants, NaN read as 0), and ``commune``, ``epci``, ``departement``,
        ``region``, ``france`` (categorical codes; NaN when the commune is unknown or
        has no such level; ``FR`` for every point of a known commune). Empty
        ``points`` give an empty frame with these columns.
    """
    lookup = communes.drop_duplicates("code").set_index("code")
    commune = points["commune_code"].astype(object).to_numpy()
    frame = pd.DataFrame(
        {
            "point_id": points["point_id"].to_numpy(),
            "population": pd.to_numeric(points["population"])
            .fillna(0.0)
            .to_numpy(dtype=np.float64),
        }
    )
    for level, column in _COMMUNE_COLUMNS.items():
        if level == "commune":
            codes = pd.Series(commune).where(pd.Series(commune).isin(lookup.index))
        else:
            codes = pd.Series(commune).map(lookup[column].astype(object))
        uniques = pd.Index(pd.unique(codes.dropna().to_numpy(dtype=object)), dtype=object)
        frame[level] = pd.Categorical(codes.to_numpy(dtype=object), categories=uniques)
    known = frame["commune"].notna().to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    france = np.full(len(frame), None, dtype=object)
    france[known] = FRANCE_CODE
    frame[FRANCE_LEVEL] = pd.Categorical(
        france,
        categories=pd.Index([FRANCE_CODE] if known.any() else [], dtype=object),
    )
    return frame


def _groups(geo: pd.DataFrame, level: str) -> tuple[npt.NDArray[np.intp], pd.Index]:
    """Group number of each point at ``level`` (-1: none) and the group codes (none
    when ``geo`` has no column for the level)."""
    if level not in geo.columns:
        return np.full(len(geo), -1, dtype=np.intp), pd.Index([], dtype=object)
    column = geo[level]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.intp), pd.Index(column.cat.categories)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.intp), pd.Index(uniques)


def _frame(
    level: str,
    codes: pd.Index,
    value: npt.ArrayLike,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": pd.Series(np.full(len(codes), level, dtype=object), dtype=object),
            "code": pd.Series(np.asarray(codes, dtype=object), dtype=object),
            "value": np.asarray(value, dtype=np.float64),
            "numerator": np.asarray(numerator, dtype=np.float64),
            "denominator": np.asarray(denominator, dtype=np.float64),
        },
        columns=list(VALUE_COLUMNS),
    )


def _unknown_groups(inv: npt.NDArray[np.intp], n: int, known: BoolArray | None) -> BoolArray:
    if known is None:
        return np.zeros(n, dtype=bool)
    bad = inv[(inv >= 0) & ~known]
    return np.bincount(bad, minlength=n) > 0


def aggregate_ratio(
    geo: pd.DataFrame,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    scale: float = 1.0,
    known: BoolArray | None = None,
    levels: tuple[str, ...] = VALUE_LEVELS,
) -> pd.DataFrame:
    """Sum per-point numerators and denominators by territory; value = scale x N / D.

    Parameters
    ----------
    geo : DataFrame
        Geography frame (:func:`point_geography`).
    numerator, denominator : array-like of float
        Per-point amounts (e.g. inhabitants within 15 min, inhabitants). NaN is an
        error: mark such points unknown instead.
    scale : float
        100 for a percentage.
    known : array of bool, optional
        Points whose amounts are meaningful; a territory with an unknown point gets
        NaN in every column.
    levels : tuple of str

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (scale x N / D; NaN when D == 0 or unknown),
        ``numerator`` (N), ``denominator`` (D), one row per territory of each level
        that holds at least one point. Empty ``geo`` gives an empty frame.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    if np.isnan(num[known if known is not None else slice(None)]).any():
        raise ValueError("numerator has NaN for a known point")
    frames = []
    for level in levels:
        inv, codes = _groups(geo, level)
        ok = inv >= 0
        n_sum = np.bincount(inv[ok], weights=np.nan_to_num(num[ok]), minlength=len(codes))
        d_sum = np.bincount(inv[ok], weights=np.nan_to_num(den[ok]), minlength=len(codes))
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(d_sum > 0, scale * (n_sum / d_sum), np.nan)
        unknown = _unknown_groups(inv, len(codes), known)
        frames.append(_masked(_frame(level, codes, value, n_sum, d_sum), unknown))
    return _concat(frames)


def aggregate_total(
    geo: pd.DataFrame,
    amount: npt.ArrayLike,
    *,
    known: BoolArray | None = None,
    levels: tuple[str, ...] = VALUE_LEVELS,
) -> pd.DataFrame:
    """Sum a per-point amount (e.g. inhabitants beyond 20 min) by territory.

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (the sum, in the amount's unit), ``numerator``
        (the same sum), ``denominator`` (inhabitants of the territory's points); NaN
        everywhere for a territory with an unknown point. Empty ``geo``: empty frame.
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    frame = aggregate_ratio(geo, amount, population, known=known, levels=levels)
    frame["value"] = frame["numerator"]
    return frame


def aggregate_median(
    geo: pd.DataFrame,
    values: npt.ArrayLike,
    *,
    known: BoolArray | None = None,
    levels: tuple[str, ...] = VALUE_LEVELS,
) -> pd.DataFrame:
    """Population-weighted median of a per-point value, by territory.

    The weighted median is the smallest value v such that the points with a value
    <= v hold at least half of the territory's inhabitants (the "lower" weighted
    median; with one inhabitant per point, the usual lower median).

    Parameters
    ----------
    values : array-like of float
        Per-point values; ``inf`` is allowed (no facility reachable).

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (the median, in the values' unit; NaN when the
        territory has no inhabitant, when the median is infinite, i.e. more than half
        of the inhabitants reach no facility, or when a point is unknown),
        ``numerator`` (NaN: a median is not a ratio), ``denominator`` (inhabitants).
        Empty ``geo`` gives an empty frame.
    """
    vals = np.asarray(values, dtype=np.float64)
    weights = geo["population"].to_numpy(dtype=np.float64)
    frames = []
    for level in levels:
        inv, codes = _groups(geo, level)
        median, total = _grouped_median(inv, len(codes), vals, weights)
        median[~np.isfinite(median)] = np.nan
        unknown = _unknown_groups(inv, len(codes), known)
        frame = _frame(level, codes, median, np.full(len(codes), np.nan), total)
        frames.append(_masked(frame, unknown))
    return _concat(frames)


def _grouped_median(
    inv: npt.NDArray[np.intp], n_groups: int, values: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Lower weighted median and total weight of each group (NaN median if no weight)."""
    ok = (inv >= 0) & (weights > 0)
    g, v, w = inv[ok], values[ok], weights[ok]
    order = np.lexsort((v, g))
    g, v, w = g[order], v[order], w[order]
    # (float64 with weights; numpy's stub types every bincount as intp)
    total = np.bincount(g, weights=w, minlength=n_groups).astype(np.float64, copy=False)
    median = np.full(n_groups, np.nan)
    if len(g) == 0:
        return median, total
    # Cumulate each point's share of its group's weight (groups of very different
    # sizes would lose precision in a cumulation of raw weights).
    share = w / total[g]
    cum = np.cumsum(share)
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    within = cum - (cum[group_start] - share[group_start])
    reached = within >= 0.5 * (1.0 - _HALF_TOLERANCE)
    hit_groups, hit_pos = np.unique(g[reached], return_index=True)
    median[hit_groups] = v[np.flatnonzero(reached)[hit_pos]]
    return median, total


def _masked(frame: pd.DataFrame, unknown: BoolArray) -> pd.DataFrame:
    if unknown.any():
        frame.loc[unknown, ["value", "numerator", "denominator"]] = np.nan
    return frame


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _frame("", pd.Index([]), [], [], []).iloc[0:0]
    return pd.concat(frames, ignore_index=True)


def aggregate_reason(
    geo: pd.DataFrame, reason: npt.ArrayLike, *, levels: tuple[str, ...] = VALUE_LEVELS
) -> pd.DataFrame:
    """Largest per-point reason code of each territory (0: every point known).

    Parameters
    ----------
    geo : DataFrame
        Geography frame (:func:`point_geography`).
    reason : array-like of int
        One code per point, 0 when the point's value is known; larger codes are the
        more serious reasons (see ``indicators.step``).

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``reason`` (int64), one row per territory of each level
        holding at least one point, in the order of the other kernels.
    """
    codes_in = np.asarray(reason, dtype=np.int64)
    frames = []
    for level in levels:
        inv, codes = _groups(geo, level)
        ok = inv >= 0
        worst = np.zeros(len(codes), dtype=np.int64)
        np.maximum.at(worst, inv[ok], codes_in[ok])
        frames.append(
            pd.DataFrame(
                {
                    "level": pd.Series(np.full(len(codes), level, dtype=object), dtype=object),
                    "code": pd.Series(np.asarray(codes, dtype=object), dtype=object),
                    "reason": worst,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# --- Scalars (one territory, e.g. the what-if) -------------------------------------


def weighted_share(within: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    """Percentage of the total weight whose flag is true (NaN when the weight is 0)."""
    flag = np.asarray(within, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    return float(100.0 * w[flag].sum() / total) if total > 0 else float("nan")


def weighted_mean(values: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    """Weighted mean of the finite values (NaN when their weight is 0)."""
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    finite = np.isfinite(v)
    total = float(w[finite].sum())
    return float((v[finite] * w[finite]).sum() / total) if total > 0 else float("nan")


def weighted_median(values: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    """Lower weighted median (see :func:`aggregate_median`); NaN if no weight."""
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    median, _ = _grouped_median(np.zeros(len(v), dtype=np.intp), 1, v, w)
    return float(median[0])
