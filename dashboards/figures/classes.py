"""Classification of indicator values (quantiles, Jenks, equal intervals) and ranks.

Quantiles, equal intervals and an exact Fisher-Jenks are computed in numpy and
checked by the tests against ``mapclassify`` (``Quantiles``, ``EqualInterval``,
``FisherJenks``), which the dashboard does not import: importing it takes 0.7 s
(scikit-learn, scipy.stats) at each server start, and its Jenks is pure Python
without numba (0.3 s for 332 values). Above
:data:`JENKS_SAMPLE` values it runs on that many evenly spaced quantiles of the
data, which approximates the optimal breaks (said in the class note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboards.formatting import integer, number

JENKS_SAMPLE = 1500


@dataclass(frozen=True)
class Classes:
    """Upper bounds of ``k`` classes (ascending; the last is the maximum)."""

    method: str
    k: int
    bins: tuple[float, ...]
    minimum: float | None
    counts: tuple[int, ...]
    note: str = ""
    distinct: bool = False  # one class per distinct value (few distinct values)
    alone: tuple[float, ...] = ()  # frequent values given a class of their own


def classify(values: Sequence[float | None], method: str, k: int) -> Classes:
    """Classes of the finite values; None (missing or secret) is left out."""
    x = np.array([v for v in values if v is not None], dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Classes(method, 0, (), None, (), "aucune valeur à classer")
    unique = np.unique(x)
    note = ""
    if unique.size <= k:
        counts = np.bincount(np.searchsorted(unique, x), minlength=unique.size)
        if unique.size == 1:
            note = "une seule valeur pour tous les territoires"
        elif unique.size < k:
            note = f"une classe par valeur ({unique.size} valeurs distinctes)"
        return Classes(
            method,
            int(unique.size),
            tuple(float(b) for b in unique),
            float(x.min()),
            tuple(int(c) for c in counts),
            note,
            distinct=True,
        )
    alone = np.zeros(0)
    if method == "jenks":
        bins, sampled = fisher_jenks(x, k)
        if sampled:
            note = f"seuils de Jenks calculés sur {integer(JENKS_SAMPLE)} quantiles des valeurs"
    elif method == "quantiles":
        bins, alone = quantiles_with_ties(x, k)
        if alone.size:
            seen, counts = np.unique(x, return_counts=True)
            n_of = dict(zip(seen.tolist(), counts.tolist(), strict=True))
            note = "classe à part pour " + ", ".join(
                f"la valeur {number(v, 0 if v == round(v) else 2)} ({integer(n_of[v])} territoires)"
                for v in alone.tolist()
            )
    else:
        bins = _bins(x, method, k)
    bins = np.unique(bins)
    if bins.size < k:
        note = _join(f"{bins.size} classe(s) au lieu de {k} : trop de valeurs égales", note)
    counts = np.bincount(np.searchsorted(bins, x, side="left"), minlength=bins.size)
    return Classes(
        method,
        int(bins.size),
        tuple(float(b) for b in bins),
        float(x.min()),
        tuple(int(c) for c in counts[: bins.size]),
        note,
        alone=tuple(float(v) for v in alone) if method == "quantiles" else (),
    )


def quantiles_with_ties(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantile bins that keep working when one value is very frequent.

    A value held by at least ``n / k`` territories (e.g. 100 % of the population
    within 30 min in most EPCI) would swallow whole quantile classes and leave one or
    two classes for everything. Such values get a class of their own, and the other
    values are cut into the remaining ``k - m`` quantile classes. Returns the upper
    bounds and the values set apart.
    """
    values, counts = np.unique(x, return_counts=True)
    heavy = values[counts >= x.size / k]
    if heavy.size == 0:
        return _bins(x, "quantiles", k), heavy
    rest = x[~np.isin(x, heavy)]
    k_rest = max(k - heavy.size, 1)
    if np.unique(rest).size > k_rest:
        rest_bins = _bins(rest, "quantiles", k_rest)
    else:
        rest_bins = np.unique(rest)
    return np.unique(np.concatenate([rest_bins, heavy])), heavy


def _bins(x: np.ndarray, method: str, k: int) -> np.ndarray:
    if method == "equal":
        return equal_interval_bins(x, k)
    return quantile_bins(x, k)


def quantile_bins(x: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes, those of ``mapclassify.Quantiles``.

    The percentiles ``100 / k, 2 * 100 / k, ..., 100`` of the values, interpolated
    between neighbouring sorted values as ``scipy.stats.scoreatpercentile`` does
    (the same arithmetic, so the same floats); repeated bounds collapse (fewer
    classes, said in the note).
    """
    w = 100.0 / k
    pct = np.arange(w, 100 + w, w)
    if pct[-1] > 100.0:
        pct[-1] = 100.0
    s = np.sort(np.asarray(x, dtype=float))
    out = []
    for p in pct.tolist():
        idx = p / 100.0 * (s.size - 1)
        i = int(idx)
        if i == idx:
            out.append(float(s[i]))
        else:
            low, high = (i + 1) - idx, idx - i
            out.append(float((s[i] * low + s[i + 1] * high) / (low + high)))
    return np.unique(np.asarray(out, dtype=float))


def equal_interval_bins(x: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` classes of equal width, those of ``mapclassify.EqualInterval``."""
    y = np.asarray(x, dtype=float)
    low, high = float(y.min()), float(y.max())
    width = (high - low) * 1.0 / k
    cuts = np.arange(low + width, high + width, width)
    if len(cuts) > k:  # arange may overshoot by one step
        cuts = cuts[0:k]
    cuts[-1] = high
    return cuts.copy()


def fisher_jenks(x: np.ndarray, k: int) -> tuple[np.ndarray, bool]:
    """Optimal breaks minimising the within-class sum of squared deviations.

    Returns the upper bound of each class and whether the data were sampled.
    Dynamic programme over sorted values, vectorised per class: O(k n^2) memory-light.
    """
    values = np.sort(np.asarray(x, dtype=float))
    sampled = values.size > JENKS_SAMPLE
    if sampled:
        values = np.quantile(values, np.linspace(0.0, 1.0, JENKS_SAMPLE))
    n = values.size
    s1 = np.concatenate([[0.0], np.cumsum(values)])
    s2 = np.concatenate([[0.0], np.cumsum(values * values)])
    i = np.arange(n)[:, None]  # class starts at i
    j = np.arange(n)[None, :]  # class ends at j (inclusive)
    with np.errstate(invalid="ignore", divide="ignore"):
        count = (j - i + 1).astype(float)
        ssd = (s2[j + 1] - s2[i]) - (s1[j + 1] - s1[i]) ** 2 / count
    ssd = np.where(j >= i, np.maximum(ssd, 0.0), np.inf)
    cost = ssd[0].copy()  # one class covering 0..j
    starts = np.zeros((k, n), dtype=int)
    for c in range(1, k):
        prev = np.concatenate([[np.inf], cost[:-1]])  # cost of c classes ending at i-1
        total = prev[:, None] + ssd
        starts[c] = np.argmin(total, axis=0)
        cost = total[starts[c], np.arange(n)]
    bounds = []
    end = n - 1
    for c in range(k - 1, -1, -1):
        bounds.append(values[end])
        end = starts[c, end] - 1
    return np.array(bounds[::-1]), sampled


def class_index(value: float | None, bins: Sequence[float]) -> int:
    """0-based class of a value (the first class whose upper bound is >= value);
    -1 for None."""
    if value is None or not bins:
        return -1
    return min(int(np.searchsorted(np.asarray(bins), value, side="left")), len(bins) - 1)


def class_indices(values: np.ndarray, bins: Sequence[float]) -> np.ndarray:
    """:func:`class_index` of many finite values at once (numpy array in, out)."""
    if not bins:
        return np.full(values.shape, -1, dtype=np.intp)
    at = np.searchsorted(np.asarray(bins, dtype=float), values, side="left")
    return np.minimum(at, len(bins) - 1)


def ranks(values: Sequence[float | None], higher_is_better: bool | None) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4): 1 is the best value, or the highest when the
    direction is unknown. None stays unranked."""
    descending = higher_is_better is not False
    x = np.array([np.nan if v is None else v for v in values], dtype=float)
    given = ~np.isnan(x)
    keys = -x[given] if descending else x[given]
    at = np.searchsorted(np.sort(keys), keys, side="left") + 1
    out: list[int | None] = [None] * len(x)
    for i, r in zip(np.flatnonzero(given).tolist(), at.tolist(), strict=True):
        out[i] = r
    return out


def _join(a: str, b: str) -> str:
    return " ; ".join(s for s in (a, b) if s)
