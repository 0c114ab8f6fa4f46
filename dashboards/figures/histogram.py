"""The distribution of an indicator's values under the map legend: equal-width bins,
each coloured as the class its values fall in, with the class breaks marked. Pure:
numbers in, bars out (drawn as plain HTML by ``components/legend.py``, so the map page
loads no charting library and the chart prints as it shows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboards.figures.classes import Classes, class_index, class_indices

N_BINS = 24


@dataclass(frozen=True)
class Bar:
    lower: float
    upper: float
    count: int
    colour: str  # the class colour of the bin's values ("" when empty)


@dataclass(frozen=True)
class Histogram:
    bars: tuple[Bar, ...]
    breaks: tuple[float, ...]  # class breaks inside the range (positions 0-1)
    low: float
    high: float
    n: int  # values drawn (missing and secret left out)


def histogram(
    values: Sequence[float | None], classes: Classes, colours: Sequence[str], bins: int = N_BINS
) -> Histogram | None:
    """Equal-width bins over the finite values (None: nothing to draw).

    Returns
    -------
    Histogram or None
        ``bars``: per bin its bounds (indicator unit), count (territories) and colour
        (the class of its values; a bin straddling a break takes its values' class
        where most of them fall); ``breaks``: the upper bounds of the classes but the
        last, as fractions of the value range.
    """
    x = np.array([v for v in values if v is not None], dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0 or not colours:
        return None
    low, high = float(x.min()), float(x.max())
    if high == low:
        c = colours[min(max(class_index(low, classes.bins), 0), len(colours) - 1)]
        return Histogram((Bar(low, high, int(x.size), c),), (), low, high, int(x.size))
    edges = np.linspace(low, high, bins + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    cls = class_indices(x, classes.bins)
    bars = []
    for b in range(bins):
        inside = cls[which == b]
        if inside.size:
            top = int(np.bincount(inside[inside >= 0]).argmax()) if (inside >= 0).any() else -1
            colour = colours[top] if 0 <= top < len(colours) else ""
        else:
            colour = ""
        bars.append(Bar(float(edges[b]), float(edges[b + 1]), int(inside.size), colour))
    breaks = tuple(
        (float(b) - low) / (high - low) for b in classes.bins[:-1] if low < float(b) < high
    )
    return Histogram(tuple(bars), breaks, low, high, int(x.size))
