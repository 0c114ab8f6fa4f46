"""Classification of indicator values (quantiles, Jenks, equal intervals) and ranks.

Quantiles and equal intervals come from ``mapclassify``. Jenks is an exact
Fisher-Jenks in numpy (mapclassify's own is pure Python without numba: 0.3 s for
332 values); tests check it against ``mapclassify.FisherJenks``. Above
:data:`JENKS_SAMPLE` values it runs on that many evenly spaced quantiles of the
data, which approximates the optimal breaks (said in the class note).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np

from dashboards.formatting import integer

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
        note = (
            "" if unique.size == k else f"une classe par valeur ({unique.size} valeurs distinctes)"
        )
        return Classes(
            method,
            int(unique.size),
            tuple(float(b) for b in unique),
            float(x.min()),
            tuple(int(c) for c in counts),
            note,
            distinct=True,
        )
    if method == "jenks":
        bins, sampled = fisher_jenks(x, k)
        if sampled:
            note = f"seuils de Jenks calculés sur {integer(JENKS_SAMPLE)} quantiles des valeurs"
    else:
        bins = _mapclassify(x, method, k)
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
    )


def _mapclassify(x: np.ndarray, method: str, k: int) -> np.ndarray:
    cls = mapclassify.EqualInterval if method == "equal" else mapclassify.Quantiles
    with warnings.catch_warnings(record=True):  # it warns when it reduces k: see the note
        warnings.simplefilter("always")
        result = cls(x, k=k)
    return np.asarray(result.bins, dtype=float)


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


def ranks(values: Sequence[float | None], higher_is_better: bool | None) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4): 1 is the best value, or the highest when the
    direction is unknown. None stays unranked."""
    descending = higher_is_better is not False
    present = np.array([v for v in values if v is not None], dtype=float)
    keys = -present if descending else present
    keys_sorted = np.sort(keys)
    out: list[int | None] = []
    for v in values:
        if v is None:
            out.append(None)
        else:
            key = -v if descending else v
            out.append(int(np.searchsorted(keys_sorted, key, side="left")) + 1)
    return out


def _join(a: str, b: str) -> str:
    return " ; ".join(s for s in (a, b) if s)
