"""The Lorenz curve of the fracture section: how unequally an indicator is spread
between the communes of a territory, as a small SVG (it prints, needs no script).

The curve has the inputs of the stored Gini index (``indicators/fracture.py``):
each member commune with a value and inhabitants, weighted by its population
(``territories.population``), sorted by increasing value. The Gini is twice the
area between the curve and the diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_POINTS = 200  # vertices drawn (a national curve has 34 875 communes)
_SIDE = 200  # plot side, px
_LEFT, _TOP, _BOTTOM = 34, 8, 30


def lorenz_points(values: Sequence[float], weights: Sequence[float]) -> list[tuple[float, float]]:
    """Vertices of the Lorenz curve, from (0, 0) to (1, 1).

    Parameters
    ----------
    values : sequence of float
        The indicator's value of each commune (finite, >= 0).
    weights : sequence of float
        Its inhabitants (> 0).

    Returns
    -------
    list of (float, float)
        (cumulative share of the inhabitants, cumulative share of value x inhabitants),
        communes sorted by increasing value; empty when the total is not positive.
    """
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    total_w, total = w.sum(), (v * w).sum()
    if not len(v) or total_w <= 0 or total <= 0:
        return []
    x = np.concatenate(([0.0], np.cumsum(w) / total_w))
    y = np.concatenate(([0.0], np.cumsum(v * w) / total))
    return list(zip(x.tolist(), y.tolist(), strict=True))


def gini_of_points(points: Sequence[tuple[float, float]]) -> float:
    """Twice the area between the diagonal and the curve (trapezes)."""
    xy = np.asarray(points, dtype=np.float64)
    dx = np.diff(xy[:, 0])
    return float(1.0 - np.sum(dx * (xy[1:, 1] + xy[:-1, 1])))


def thinned(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """At most :data:`MAX_POINTS` vertices, evenly spaced in population, ends kept."""
    if len(points) <= MAX_POINTS:
        return list(points)
    idx = np.unique(np.linspace(0, len(points) - 1, MAX_POINTS).round().astype(int))
    return [points[i] for i in idx]


def lorenz_svg(points: Sequence[tuple[float, float]]) -> str:
    """SVG text of the curve over the diagonal of equality, with French axis words."""

    def at(x: float, y: float) -> str:
        return f"{_LEFT + x * _SIDE:.1f},{_TOP + (1 - y) * _SIDE:.1f}"

    curve = " ".join(at(x, y) for x, y in thinned(points))
    width, height = _LEFT + _SIDE + 8, _TOP + _SIDE + _BOTTOM
    text = 'font-family="sans-serif" font-size="10" fill="#222"'
    grey = 'font-family="sans-serif" font-size="10" fill="#777"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect x="{_LEFT}" y="{_TOP}" width="{_SIDE}" height="{_SIDE}" fill="#fff" '
        'stroke="#666" stroke-width="1"/>'
        f'<line x1="{_LEFT}" y1="{_TOP + _SIDE}" x2="{_LEFT + _SIDE}" y2="{_TOP}" '
        'stroke="#999" stroke-dasharray="4 3"/>'
        f'<polyline points="{curve}" fill="none" stroke="#0072b2" stroke-width="2"/>'
        f'<text x="{_LEFT - 4}" y="{_TOP + 10}" text-anchor="end" {text}>100 %</text>'
        f'<text x="{_LEFT - 4}" y="{_TOP + _SIDE}" text-anchor="end" {text}>0</text>'
        f'<text x="{_LEFT + _SIDE}" y="{_TOP + _SIDE + 12}" text-anchor="end" {text}>100 %</text>'
        f'<text x="{_LEFT + _SIDE / 2}" y="{_TOP + _SIDE + 25}" text-anchor="middle" {text}>'
        "habitants (communes par valeur croissante)</text>"
        f'<text x="{_LEFT + 8}" y="{_TOP + 14}" {text}>part de la valeur</text>'
        f'<text x="{_LEFT + _SIDE * 0.55}" y="{_TOP + _SIDE * 0.4}" {grey}>'
        "égalité</text>"
        "</svg>"
    )
