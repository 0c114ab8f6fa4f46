"""Planner what-if on hand-made points: additions only help, removals search again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.constants import DEFAULT_CONSTANTS
from geo.crs import to_wgs84
from geo.engine import travel_times
from indicators.whatif import WhatIfInputs, what_if

X0, Y0 = 650_000.0, 6_800_000.0  # Lambert-93, mainland
# Walking 15 min covers 15 x 75 m/min / 1.4 (detour) = 803.6 m of straight line.
WALK_REACH_M = 15 * DEFAULT_CONSTANTS.speed_m_per_min("walk") / DEFAULT_CONSTANTS.walk_detour


def _inputs(points_xy: list[float], population: list[float], facilities_x: list[float]):
    """Points and facilities on a horizontal line (x offsets in metres)."""
    points = pd.DataFrame(
        {
            "point_id": [f"p{i}" for i in range(len(points_xy))],
            "commune_code": [f"3500{i % 2}" for i in range(len(points_xy))],
            "population": population,
            "x": X0 + np.asarray(points_xy, dtype=float),
            "y": Y0,
            "epsg": 2154,
            "density_level": 4,
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": [f"f{j}" for j in range(len(facilities_x))],
            "service_type": "FRANCE_SERVICES",
            "x": X0 + np.asarray(facilities_x, dtype=float),
            "y": Y0,
            "epsg": 2154,
        }
    )
    stored = travel_times(
        points.rename(columns={"point_id": "origin_id"}),
        facilities,
        "straight_line",
        ("walk",),
    )
    nearest = stored.set_index("origin_id")[["minutes", "facility_id"]]
    joined = points.join(nearest, on="point_id")
    return WhatIfInputs(joined, facilities)


def _run(inputs: WhatIfInputs, **kwargs):
    return what_if(inputs, "", "", "FRANCE_SERVICES", mode="walk", add_epsg=2154, **kwargs)


def test_nothing_changes_without_changes() -> None:
    inputs = _inputs([0, 500, 5000], [10, 20, 30], [0])
    result = _run(inputs)
    assert result.old_within == result.new_within == 30.0  # p0 and p1 (500 m)
    assert result.newly_within == result.no_longer_within == 0.0
    assert result.old_share == pytest.approx(50.0)
    assert set(result.by_commune.columns) >= {"commune_code", "old_share", "new_share"}


def test_adding_at_an_unserved_point_adds_exactly_its_population() -> None:
    inputs = _inputs([0, 500, 5000, 20_000], [10, 20, 30, 40], [0])
    result = _run(inputs, add=[(X0 + 5000, Y0)])
    assert result.newly_within == 30.0
    assert result.new_within == result.old_within + 30.0
    assert result.new_share == pytest.approx(100 * 60 / 100)
    assert result.no_longer_within == 0.0


def test_added_location_in_lon_lat() -> None:
    inputs = _inputs([0, 5000], [10, 30], [0])
    lon, lat = to_wgs84([X0 + 5000], [Y0], 2154)
    result = what_if(
        inputs, "", "", "FRANCE_SERVICES", mode="walk", add=[(lon[0], lat[0])]
    )  # default add_epsg: WGS84
    assert result.newly_within == 30.0


def test_removal_searches_the_next_facility() -> None:
    # p0 uses f0 (0 m); once f0 closes, its nearest is f1 at 700 m (still within).
    # p1 at 3000 m uses f1 (2300 m away): beyond before and after.
    inputs = _inputs([0, 3000], [10, 30], [0, 700])
    result = _run(inputs, remove=["f0"])
    assert result.no_longer_within == 0.0 and result.new_within == 10.0
    alone = _inputs([0, 300], [10, 30], [0])
    closed = _run(alone, remove=["f0"])
    assert closed.new_within == 0.0 and closed.no_longer_within == 40.0
    assert np.isnan(closed.new_mean_minutes)  # nobody reaches anything
    with pytest.raises(ValueError, match="inconnu"):
        _run(alone, remove=["nope"])


@given(
    st.lists(st.floats(-30_000, 30_000), min_size=1, max_size=25),
    st.lists(st.floats(-30_000, 30_000), min_size=1, max_size=4),
    st.lists(st.floats(-30_000, 30_000), min_size=1, max_size=3),
)
@settings(max_examples=40, deadline=None)
def test_adding_facilities_never_reduces_coverage(points_x, facilities_x, added_x) -> None:
    inputs = _inputs(points_x, [1.0 + i for i in range(len(points_x))], facilities_x)
    result = _run(inputs, add=[(X0 + x, Y0) for x in added_x])
    assert result.new_within >= result.old_within
    assert result.no_longer_within == 0.0
    assert result.new_mean_minutes <= result.old_mean_minutes + 1e-9
    expected = sum(
        1.0 + i
        for i, x in enumerate(points_x)
        if min(abs(x - f) for f in facilities_x) * 1.4 / 75 > 15.0 * (1 + 1e-5)
        and min(abs(x - a) for a in added_x) <= WALK_REACH_M * (1 - 1e-6)
    )
    assert result.newly_within >= expected


def _island_inputs() -> WhatIfInputs:
    """p0 on the continent at 0 m, p1 on an island at 1000 m (the sea between).

    The only existing site f0 is on the continent at 0 m: p1 is 1000 m away across the
    sea but, by land mass, reaches nothing (NaN).
    """
    points = pd.DataFrame(
        {
            "point_id": ["p0", "p1"],
            "commune_code": ["56186", "56152"],
            "population": [10.0, 30.0],
            "x": [X0, X0 + 1000.0],
            "y": Y0,
            "epsg": 2154,
            "land_mass": ["continent", "belle-ile"],
            "density_level": 4,
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": ["f0"],
            "service_type": "FRANCE_SERVICES",
            "x": [X0],
            "y": Y0,
            "epsg": 2154,
            "land_mass": ["continent"],
        }
    )
    stored = travel_times(
        points.rename(columns={"point_id": "origin_id"}).drop(columns="commune_code"),
        facilities,
        "straight_line",
        ("walk",),
    )
    joined = points.join(stored.set_index("origin_id")[["minutes", "facility_id"]], on="point_id")
    assert np.isnan(joined.loc[1, "minutes"])  # nothing on the island
    return WhatIfInputs(joined, facilities)


def test_a_site_opened_on_an_island_serves_the_island_only() -> None:
    """A site opened at 600 m stands on the island (its nearest point is p1, 400 m off).

    p1 gains access (30 inhabitants). When f0 closes at the same time, p0 loses its
    access: the island's site, 600 m away across the sea (11.2 min on foot, within
    15 min if the sea could be walked), does not serve it.
    """
    inputs = _island_inputs()
    opened = _run(inputs, add=[(X0 + 600.0, Y0)])
    assert opened.newly_within == 30.0 and opened.old_within == 10.0
    swapped = _run(inputs, add=[(X0 + 600.0, Y0)], remove=["f0"])
    assert swapped.no_longer_within == 10.0 and swapped.newly_within == 30.0
