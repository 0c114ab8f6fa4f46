"""Enhanced 2SFCA: a case computed by hand, the huge-catchment invariant, band edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.constants import FCA_BANDS
from indicators.fca import band_weights, enhanced_2sfca, point_supply


def test_band_weights_edges() -> None:
    minutes = [0.0, 9.99, 10.0, 19.9, 20.0, 30.0, 30.01, np.nan]
    assert band_weights(minutes).tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0, 0.0]


def test_two_facilities_by_hand() -> None:
    """Points A (100 inhab.), B (200), C (50); facilities F (supply 1), G (supply 2).

    Pairs (minutes -> weight): A-F 5 (1.0), B-F 15 (0.68), B-G 5 (1.0), C-G 25 (0.22).

    R_F = 1 / (100 x 1 + 200 x 0.68) = 1 / 236
    R_G = 2 / (200 x 1 + 50 x 0.22)  = 2 / 211
    A_A = R_F; A_B = 0.68 R_F + R_G; A_C = 0.22 R_G
    """
    pairs = pd.DataFrame(
        {
            "origin_id": ["A", "B", "B", "C"],
            "facility_id": ["F", "F", "G", "G"],
            "minutes": [5.0, 15.0, 5.0, 25.0],
        }
    )
    demand = pd.DataFrame({"origin_id": ["A", "B", "C"], "population": [100.0, 200.0, 50.0]})
    supply = pd.DataFrame({"facility_id": ["F", "G"], "supply": [1.0, 2.0]})
    result = enhanced_2sfca(pairs, demand, supply)
    r_f, r_g = 1 / 236, 2 / 211
    assert result["origin_id"].tolist() == ["A", "B", "C"]
    assert result["accessibility"].tolist() == pytest.approx([r_f, 0.68 * r_f + r_g, 0.22 * r_g])
    assert result["n_facilities"].tolist() == [1, 2, 1]
    scaled = enhanced_2sfca(pairs, demand, supply, per=10_000.0)
    assert scaled["accessibility"].iloc[0] == pytest.approx(10_000 * r_f)


def test_out_of_reach_and_empty_catchments() -> None:
    pairs = pd.DataFrame({"origin_id": ["A"], "facility_id": ["F"], "minutes": [45.0]})
    demand = pd.DataFrame({"origin_id": ["A", "B"], "population": [10.0, 0.0]})
    supply = pd.DataFrame({"facility_id": ["F"], "supply": [1.0]})
    result = enhanced_2sfca(pairs, demand, supply)
    assert result["accessibility"].tolist() == [0.0, 0.0]
    assert result["n_facilities"].tolist() == [0, 0]
    empty = enhanced_2sfca(pairs.iloc[0:0], demand.iloc[0:0], supply)
    assert empty.empty and list(empty.columns) == ["origin_id", "accessibility", "n_facilities"]


def test_duplicated_pairs_are_refused() -> None:
    pairs = pd.DataFrame({"origin_id": ["A", "A"], "facility_id": ["F", "F"], "minutes": [1, 2]})
    demand = pd.DataFrame({"origin_id": ["A"], "population": [1.0]})
    supply = pd.DataFrame({"facility_id": ["F"], "supply": [1.0]})
    with pytest.raises(ValueError, match="twice"):
        enhanced_2sfca(pairs, demand, supply)


@given(
    population=st.lists(st.floats(0.5, 1e4), min_size=1, max_size=12),
    capacity=st.lists(st.floats(0.0, 50.0), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=50, deadline=None)
def test_huge_catchment_gives_total_supply_over_total_demand(population, capacity, seed) -> None:
    rng = np.random.default_rng(seed)
    origins = [f"o{i}" for i in range(len(population))]
    facilities = [f"f{j}" for j in range(len(capacity))]
    pairs = pd.DataFrame(
        [(o, f, rng.uniform(0, 500)) for o in origins for f in facilities],
        columns=["origin_id", "facility_id", "minutes"],
    )
    demand = pd.DataFrame({"origin_id": origins, "population": population})
    supply = pd.DataFrame({"facility_id": facilities, "supply": capacity})
    huge = ((0.0, 1e9, 1.0),)
    result = enhanced_2sfca(pairs, demand, supply, bands=huge)
    expected = sum(capacity) / sum(population)
    assert result["accessibility"].to_numpy() == pytest.approx(expected, rel=1e-9)
    # Supply is conserved: the population-weighted accessibilities add up to it.
    weighted = float((result["accessibility"] * demand["population"]).sum())
    assert weighted == pytest.approx(sum(capacity), rel=1e-9, abs=1e-12)


def test_default_bands_are_luo_and_qi() -> None:
    assert [w for _, _, w in FCA_BANDS] == [1.0, 0.68, 0.22]


def test_facilities_at_one_point_count_as_its_supply() -> None:
    """Issue 11: BPE counts put every counted school of a commune at its town hall; the
    travel times name one facility per point, whose supply is the count of its point.
    The accessibility is the same as with one site each."""
    facilities = pd.DataFrame(
        {
            "facility_id": ["a1", "a2", "a3", "b1"],
            "x": [0.0, 0.0, 0.0, 5000.0],
            "y": [0.0, 0.0, 0.0, 0.0],
            "epsg": [2154, 2154, 2154, 2154],
        }
    )
    supply = point_supply(facilities)
    assert supply["supply"].tolist() == [3.0, 3.0, 3.0, 1.0]
    demand = pd.DataFrame({"origin_id": ["p", "q"], "population": [900.0, 300.0]})
    minutes = {("p", "a"): 4.0, ("p", "b"): 12.0, ("q", "a"): 17.0, ("q", "b"): 6.0}
    each = pd.DataFrame(
        [(o, f"{s}{i}", t) for (o, s), t in minutes.items() for i in (1, 2, 3) if s == "a"]
        + [(o, "b1", t) for (o, s), t in minutes.items() if s == "b"],
        columns=["origin_id", "facility_id", "minutes"],
    )
    separate = enhanced_2sfca(
        each, demand, pd.DataFrame({"facility_id": facilities["facility_id"], "supply": 1.0})
    )
    one = each[each["facility_id"].isin(["a1", "b1"])]
    collapsed = enhanced_2sfca(one, demand, supply)
    assert collapsed["accessibility"].to_numpy() == pytest.approx(
        separate["accessibility"].to_numpy(), rel=1e-12
    )
    assert (collapsed["accessibility"] > 0).all()
