"""Population weighting: hand-checked figures and the "never average communes" invariant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.weighting import (
    VALUE_COLUMNS,
    aggregate_median,
    aggregate_ratio,
    aggregate_total,
    weighted_mean,
    weighted_median,
    weighted_share,
)
from tests.indicators.conftest import geography


def _value(frame: pd.DataFrame, level: str, code: str, column: str = "value") -> float:
    row = frame[(frame["level"] == level) & (frame["code"] == code)]
    assert len(row) == 1
    return float(row[column].iloc[0])


def test_share_by_hand(three_communes: pd.DataFrame) -> None:
    # Points within: a (100) and d (25).
    population = three_communes["population"].to_numpy()
    within = np.array([True, False, False, True, False])
    frame = aggregate_ratio(three_communes, population * within, population, scale=100.0)
    assert list(frame.columns) == list(VALUE_COLUMNS)
    assert _value(frame, "commune", "35001") == pytest.approx(25.0)  # 100 / 400
    assert _value(frame, "commune", "35002") == 0.0
    assert _value(frame, "commune", "35003") == pytest.approx(50.0)
    # 125 / 500, not the mean of the communes' shares (25.0).
    assert _value(frame, "departement", "35") == pytest.approx(25.0)
    assert _value(frame, "departement", "35", "numerator") == 125.0
    assert _value(frame, "region", "53", "denominator") == 500.0
    assert set(frame["level"]) == {"commune", "epci", "departement", "region", "france"}
    # France: every point of a known commune, weighted the same way
    assert _value(frame, "france", "FR") == pytest.approx(25.0)
    assert _value(frame, "france", "FR", "denominator") == 500.0


def test_share_is_not_the_mean_of_communes() -> None:
    geo = geography(
        [("a", "1", 900.0), ("b", "2", 100.0)],
        [("1", "E", "D", "R"), ("2", "E", "D", "R")],
    )
    population = geo["population"].to_numpy()
    frame = aggregate_ratio(geo, population * np.array([1.0, 0.0]), population, scale=100)
    assert _value(frame, "departement", "D") == pytest.approx(90.0)  # the mean would be 50


def test_france_weighs_every_region_by_its_inhabitants() -> None:
    """France is rebuilt from the points of all its régions, never the mean of the
    régions' figures; a point of an unknown commune is in no territory, France
    included."""
    geo = geography(
        [("a", "1", 900.0), ("b", "2", 100.0), ("c", "9", 50.0)],
        [("1", "E1", "D1", "R1"), ("2", "E2", "D2", "R2")],
    )
    assert geo["france"].isna().tolist() == [False, False, True]
    population = geo["population"].to_numpy()
    frame = aggregate_ratio(geo, population * np.array([1.0, 0.0, 1.0]), population, scale=100)
    assert _value(frame, "region", "R1") == pytest.approx(100.0)
    assert _value(frame, "region", "R2") == pytest.approx(0.0)
    assert _value(frame, "france", "FR") == pytest.approx(90.0)  # the mean would be 50
    assert _value(frame, "france", "FR", "denominator") == 1000.0
    median = aggregate_median(geo, np.array([5.0, 30.0, 1.0]))
    assert _value(median, "france", "FR") == pytest.approx(5.0)


def test_median_by_hand(three_communes: pd.DataFrame) -> None:
    minutes = np.array([10.0, 20.0, 5.0, np.inf, 1.0])
    frame = aggregate_median(three_communes, minutes)
    # Département: sorted 1 (25), 5 (50), 10 (100), 20 (300), inf (25); half = 250
    # is first reached at 20 min (cumulative 475).
    assert _value(frame, "departement", "35") == 20.0
    assert _value(frame, "commune", "35001") == 20.0  # 100 at 10 < 200, then 400
    assert _value(frame, "commune", "35002") == 5.0
    # 35003: 1 min (25) reaches half of 50 -> 1.
    assert _value(frame, "commune", "35003") == 1.0
    assert np.isnan(_value(frame, "commune", "35001", "numerator"))


def test_median_is_null_when_most_people_reach_nothing() -> None:
    geo = geography([("a", "1", 10.0), ("b", "1", 30.0)], [("1", "E", "D", "R")])
    frame = aggregate_median(geo, np.array([5.0, np.inf]))
    assert np.isnan(_value(frame, "commune", "1"))


def test_unknown_points_blank_their_territories(three_communes: pd.DataFrame) -> None:
    population = three_communes["population"].to_numpy()
    known = np.array([True, True, False, True, True])
    frame = aggregate_ratio(three_communes, population, population, known=known)
    assert _value(frame, "commune", "35001") == 1.0
    assert np.isnan(_value(frame, "commune", "35002"))
    assert np.isnan(_value(frame, "departement", "35"))
    assert np.isnan(_value(frame, "departement", "35", "denominator"))


def test_total_counts_people(three_communes: pd.DataFrame) -> None:
    population = three_communes["population"].to_numpy()
    frame = aggregate_total(three_communes, population * np.array([0, 1, 1, 0, 0]))
    assert _value(frame, "departement", "35") == 350.0
    assert _value(frame, "departement", "35", "denominator") == 500.0


def test_point_outside_any_epci_is_left_out_of_that_level() -> None:
    geo = geography([("a", "1", 10.0)], [("1", None, "D", "R")])
    frame = aggregate_ratio(geo, [10.0], [10.0])
    assert set(frame["level"]) == {"commune", "departement", "region", "france"}


def test_empty_geography_gives_empty_frame() -> None:
    geo = geography([], [("1", "E", "D", "R")])
    frame = aggregate_ratio(geo, [], [])
    assert frame.empty and list(frame.columns) == list(VALUE_COLUMNS)
    assert aggregate_median(geo, []).empty


def test_scalars() -> None:
    assert weighted_share([True, False], [1.0, 3.0]) == 25.0
    assert np.isnan(weighted_share([True], [0.0]))
    assert weighted_mean([1.0, np.inf, 3.0], [1.0, 5.0, 1.0]) == 2.0
    assert weighted_median([3.0, 1.0, 2.0], [1.0, 1.0, 1.0]) == 2.0
    assert weighted_median([1.0, 2.0], [1.0, 1.0]) == 1.0  # lower median


@st.composite
def _points(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray]:
    n = draw(st.integers(1, 40))
    communes = draw(st.lists(st.sampled_from(["c1", "c2", "c3", "c4"]), min_size=n, max_size=n))
    population = draw(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n))
    minutes = draw(
        st.lists(
            st.one_of(st.floats(0, 120, allow_nan=False), st.just(np.inf)), min_size=n, max_size=n
        )
    )
    rows = [(f"p{i}", c, p) for i, (c, p) in enumerate(zip(communes, population, strict=True))]
    table = [(c, "E1" if c < "c3" else "E2", "D", "R") for c in ("c1", "c2", "c3", "c4")]
    return geography(rows, table), np.array(minutes)


@given(_points())
@settings(max_examples=60, deadline=None)
def test_aggregating_communes_reproduces_the_departement(case) -> None:
    geo, minutes = case
    population = geo["population"].to_numpy()
    within = minutes <= 15.0
    frame = aggregate_ratio(geo, population * within, population, scale=100.0)
    communes = frame[frame["level"] == "commune"]
    assert ((communes["value"].dropna() >= 0) & (communes["value"].dropna() <= 100)).all()
    dep = frame[frame["level"] == "departement"].iloc[0]
    # Summing the communes' numerators and denominators gives the département figure,
    # which is also the share computed directly from the points.
    assert communes["numerator"].sum() == pytest.approx(dep["numerator"])
    assert communes["denominator"].sum() == pytest.approx(dep["denominator"])
    direct = weighted_share(within, population)
    if population.sum() > 0:
        assert dep["value"] == pytest.approx(direct)
        assert 0.0 <= dep["value"] <= 100.0
    else:
        assert np.isnan(dep["value"])


@given(_points())
@settings(max_examples=60, deadline=None)
def test_grouped_median_matches_a_slow_reference(case) -> None:
    geo, minutes = case
    population = geo["population"].to_numpy()
    frame = aggregate_median(geo, minutes)
    for code in ("c1", "c2", "c3", "c4"):
        mask = (geo["commune"] == code).to_numpy()
        if not mask.any():
            continue
        expected = _slow_median(minutes[mask], population[mask])
        got = _value(frame, "commune", code)
        assert (np.isnan(got) and np.isnan(expected)) or got == expected


def _slow_median(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    if total <= 0:
        return float("nan")
    for v in sorted(set(values.tolist())):
        if weights[values <= v].sum() >= total / 2 * (1 - 1e-9):
            return float("nan") if np.isinf(v) else float(v)
    return float("nan")
