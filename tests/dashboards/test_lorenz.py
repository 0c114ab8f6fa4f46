"""The Lorenz curve of the fracture section: drawn from the inputs of the stored Gini."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboards import queries
from dashboards.components.fractures import lorenz_figure
from dashboards.figures.lorenz import MAX_POINTS, gini_of_points, lorenz_points, thinned
from dashboards.portrait_data import portrait
from indicators.inequality import gini_by


def test_the_curve_gives_the_weighted_gini_of_the_indicators_layer() -> None:
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 10.0, 500)
    weights = rng.integers(50, 20_000, 500).astype(float)
    points = lorenz_points(values, weights)
    assert points[0] == (0.0, 0.0) and points[-1] == pytest.approx((1.0, 1.0))
    assert all(y <= x + 1e-12 for x, y in points)  # below the diagonal
    expected = gini_by(values, weights, None, 1)[0]
    assert gini_of_points(points) == pytest.approx(expected, abs=1e-9)
    assert gini_of_points(lorenz_points([5.0] * 4, [1.0, 2.0, 3.0, 4.0])) == pytest.approx(0.0)
    assert lorenz_points([0.0, 0.0], [1.0, 1.0]) == []  # nothing to share
    few = thinned(points)
    assert len(few) <= MAX_POINTS and few[0] == points[0] and few[-1] == points[-1]


def test_the_portrait_curve_matches_the_stored_index(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    p = portrait(wh, "commune:35236")
    assert p is not None and p.fractures is not None
    dep = next(b for b in p.fractures.blocks if b.territory.level == "departement")
    assert dep.lorenz is not None
    stored = {
        x.indicator_id: x.value for x in dep.indices if x.index_id == "gini" and x.value is not None
    }
    # the most unequal headline indicator, and the same Gini as the stored one
    assert dep.lorenz.indicator.id == max(stored, key=lambda k: stored[k])
    assert gini_of_points(dep.lorenz.points) == pytest.approx(dep.lorenz.gini, abs=1e-6)
    figure = lorenz_figure(dep)[0]
    assert "Ille-et-Vilaine" in figure.children[0].alt
    assert figure.children[0].src.startswith("data:image/svg+xml")
    epci = next(b for b in p.fractures.blocks if b.territory.level == "epci")
    assert epci.lorenz is None and lorenz_figure(epci) == []  # partial EPCI: no index
