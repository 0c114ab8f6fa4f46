"""Classification, ranks, colours and the choropleth model (pure builders)."""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.figures import choropleth
from dashboards.figures.classes import class_index, classify, fisher_jenks, ranks
from dashboards.figures.palettes import class_colours
from dashboards.queries import Indicator, Territory, Value

IND = Indicator("share", "access", "Part à 15 min", "%", "déf", "formule", "src", "2024", True, 1)


def _places(n: int) -> list[Territory]:
    return [
        Territory("commune", f"3500{i}", f"Commune {i}", "35", "53", None, 100.0, True)
        for i in range(n)
    ]


def test_fisher_jenks_matches_mapclassify() -> None:
    """A fast numpy Jenks checked against mapclassify's (slow, pure Python) one."""
    rng = np.random.default_rng(7)
    for _ in range(15):
        n, k = int(rng.integers(12, 80)), int(rng.integers(2, 8))
        x = np.round(rng.lognormal(2, 1, n), 2)
        if np.unique(x).size <= k:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Numba not installed"
            expected = mapclassify.FisherJenks(x, k=k).bins
        got, sampled = fisher_jenks(x, k)
        assert not sampled
        np.testing.assert_allclose(got, expected)


def test_jenks_on_two_obvious_groups() -> None:
    bins, _ = fisher_jenks(np.array([1, 2, 3, 10, 11, 12.0]), 2)
    assert list(bins) == [3.0, 12.0]


def test_few_distinct_values_give_one_class_each() -> None:
    """Shares of 0 % and 100 % (one population point per commune) must not be
    merged into a single class by collapsing quantiles."""
    c = classify([0, 0, 100, 100, 100, None], "quantiles", 5)
    assert c.bins == (0.0, 100.0)
    assert c.counts == (2, 3)
    assert c.distinct
    assert class_index(0.0, c.bins) == 0
    assert class_index(100.0, c.bins) == 1


def test_a_frequent_value_gets_its_own_class() -> None:
    """Most EPCI at 100 % must not collapse the quantiles into one class."""
    x = [100.0] * 90 + [float(v) for v in range(40)]
    c = classify(x, "quantiles", 5)
    assert c.k == 5 and c.alone == (100.0,)
    assert c.bins[-2:] == (39.0, 100.0) and c.counts[-1] == 90
    assert sum(c.counts[:-1]) == 40 and min(c.counts[:-1]) >= 9  # 4 quantile classes
    assert "100 (90 territoires)" in c.note
    entries = choropleth.legend_entries(c, class_colours("viridis", c.k), IND, [])
    assert entries[-1].label == "100,0\u00a0%"  # the class of one value reads as that value
    assert entries[-2].label.startswith("plus de ")
    # Without a frequent value, plain quantiles.
    assert classify(list(range(100)), "quantiles", 5).alone == ()


def test_quantiles_and_equal_intervals() -> None:
    x = list(range(1, 101))
    q = classify(x, "quantiles", 4)
    assert q.bins == (25.75, 50.5, 75.25, 100.0)
    assert q.counts == (25, 25, 25, 25)
    e = classify(x, "equal", 3)
    assert e.bins == pytest.approx((34.0, 67.0, 100.0))
    assert classify([], "jenks", 5).k == 0


@given(
    # distinct values, more than k: no value is frequent enough for a class of its own
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=10, max_size=200, unique=True),
    st.integers(2, 9),
)
@settings(max_examples=60, deadline=None)
def test_quantile_bins_are_mapclassifys(values: list[float], k: int) -> None:
    """The quantile bins are those of mapclassify.Quantiles (computed without its fit
    summary, 0.14 s for the communes of France)."""
    x = np.asarray(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mapclassify.Quantiles(x, k=k).bins
    assert classify(values, "quantiles", k).bins == tuple(float(b) for b in expected)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=10, max_size=200, unique=True),
    st.integers(2, 9),
)
@settings(max_examples=60, deadline=None)
def test_equal_interval_bins_are_mapclassifys(values: list[float], k: int) -> None:
    """Equal intervals in numpy, the bins of mapclassify.EqualInterval."""
    x = np.asarray(values)
    expected = mapclassify.EqualInterval(x, k=k).bins
    assert classify(values, "equal", k).bins == tuple(float(b) for b in np.unique(expected))


def test_the_dashboard_does_not_import_what_its_start_need_not_pay() -> None:
    """mapclassify (with scikit-learn and scipy.stats) costs 0.7 s at each server start,
    the travel-time step (networkx) and the siting solver (scipy.optimize) 0.3 s more."""
    import subprocess
    import sys

    heavy = ("mapclassify", "sklearn", "scipy.optimize", "networkx", "geo.access_step")
    code = f"import sys, dashboards.app; print(*(m in sys.modules for m in {heavy!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * len(heavy)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from(["quantiles", "jenks", "equal"]),
    st.integers(3, 9),
)
@settings(max_examples=60, deadline=None)
def test_every_value_falls_in_one_class(values: list[float], method: str, k: int) -> None:
    c = classify(values, method, k)
    assert 1 <= c.k <= k
    assert sum(c.counts) == len(values)
    assert list(c.bins) == sorted(c.bins)
    assert c.bins[-1] == max(values)
    assert all(0 <= class_index(v, c.bins) < c.k for v in values)


def test_ranks_direction_and_ties() -> None:
    assert ranks([3, None, 5, 5, 1], True) == [3, None, 1, 1, 4]
    assert ranks([3, None, 5, 5, 1], False) == [2, None, 3, 3, 1]
    assert ranks([3, 5], None) == [2, 1]


def test_palettes_are_viridis_and_cividis() -> None:
    assert class_colours("viridis", 2) == ["#440154", "#fde725"]
    assert class_colours("cividis", 2)[0] == "#00224e"
    assert len(set(class_colours("viridis", 9))) == 9


def test_missing_and_secret_are_never_a_class() -> None:
    values = [
        Value("35000", 10.0, False, 1, 10),
        Value("35001", None, False, None, None),
        Value("35002", None, True, None, None),
        Value("35003", 30.0, False, 3, 10),
        Value("35004", 0.0, False, 0, 10),
    ]
    m = choropleth.build(
        "commune",
        _places(5),
        values,
        IND,
        method="quantiles",
        k=5,
        palette="viridis",
        selected="35003",
    )
    assert m.hideout["cls"] == [1, choropleth.MISSING, choropleth.CONFIDENTIAL, 2, 0]
    assert m.hideout["val"] == [10.0, None, None, 30.0, 0.0]
    assert m.hideout["rank"] == [2, None, None, 1, 3]
    assert m.hideout["sel"] == 3
    labels = [e.label for e in m.legend]
    assert labels == [
        "0,0\u00a0%",
        "10,0\u00a0%",
        "30,0\u00a0%",
        "non disponible",
        "secret statistique",
    ]
    assert [e.swatch_class for e in m.legend[-2:]] == ["swatch-missing", "swatch-secret"]
    assert m.summary == (
        "Part à 15 min, 5 communes : de 0,0\u00a0% (Commune 4) à 30,0\u00a0% (Commune 3), "
        "médiane 10,0\u00a0% ; 1 sans valeur (non disponible) et 1 couvert(s) par le "
        "secret statistique."
    )


def test_class_legend_bounds_in_french() -> None:
    values = [Value(f"3500{i}", float(v), False, None, None) for i, v in enumerate(range(10))]
    ind = Indicator("pop", "base", "Population", "hab.", "", "", "", "", None, 0)
    m = choropleth.build(
        "commune", _places(10), values, ind, method="equal", k=3, palette="viridis"
    )
    assert [e.label for e in m.legend] == [
        "de 0 à 3\u00a0hab.",
        "plus de 3 à 6\u00a0hab.",
        "plus de 6 à 9\u00a0hab.",
    ]


def test_misaligned_values_are_refused() -> None:
    with pytest.raises(ValueError, match="non alignés"):
        choropleth.build(
            "commune",
            _places(2),
            [Value("x", 1.0, False, None, None)] * 2,
            IND,
            method="quantiles",
            k=3,
            palette="viridis",
        )
