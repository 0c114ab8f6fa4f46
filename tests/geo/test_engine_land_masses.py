"""The engines keep walking, cycling and driving on one land mass.

Hand-made layout on one line (Lambert-93, metres from ``X0``, ``Y0``)::

    M (0) ........ Fm (4000) | sea | I (5000) ....... Fi (8000)
    continent                       island

The island origin I is 1 km from the continent's facility Fm but 3 km from the
island's own Fi. With land masses: I -> Fi, 3000 m x 1.4 = 4200 m on foot at
75 m/min = 56 min; M -> Fm, 4000 x 1.4 = 5600 m = 74.667 min. Without them (the
former behaviour), I -> Fm across the sea.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.access_step import catchment_times
from geo.constants import DEFAULT_CONSTANTS
from geo.engine import LAND_MASS, TravelTimeInputError, travel_times
from geo.network import RoadGraph, network_nearest

X0, Y0 = 650_000.0, 6_800_000.0
WALK = ("walk",)


def _origins(masses: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "origin_id": ["M", "I"],
            "x": [X0, X0 + 5000.0],
            "y": Y0,
            "epsg": 2154,
            "density_level": 5,
        }
    )
    return frame.assign(land_mass=["continent", "ile"]) if masses else frame


def _facilities(masses: bool = True, island_site: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "facility_id": ["Fm", "Fi", "Sm"],
            "service_type": ["POST", "POST", "TRAIN_STATION"],
            "x": [X0 + 4000.0, X0 + 8000.0, X0 + 4500.0],
            "y": Y0,
            "epsg": 2154,
            "land_mass": ["continent", "ile", "continent"],
        }
    )
    if not island_site:
        frame = frame[frame["facility_id"] != "Fi"].reset_index(drop=True)
    return frame if masses else frame.drop(columns="land_mass")


def _nearest(result: pd.DataFrame, service: str = "POST") -> dict[str, tuple[str, float]]:
    rows = result[result["service_type"] == service]
    return {
        o: (f, round(float(m), 3))
        for o, f, m in zip(rows["origin_id"], rows["facility_id"], rows["minutes"], strict=True)
    }


def test_island_origin_never_gets_a_mainland_facility() -> None:
    result = travel_times(_origins(), _facilities(), "straight_line", WALK)
    assert _nearest(result) == {"M": ("Fm", 74.667), "I": ("Fi", 56.0)}
    # the station stands on the continent only: the island gets no row (not 1 km by sea)
    assert _nearest(result, "TRAIN_STATION") == {"M": ("Sm", 84.0)}


def test_island_without_facility_gets_no_row() -> None:
    result = travel_times(_origins(), _facilities(island_site=False), "straight_line", WALK)
    assert _nearest(result) == {"M": ("Fm", 74.667)}
    assert set(result["origin_id"]) == {"M"}


def test_without_the_column_behaviour_is_unchanged() -> None:
    """No land_mass: zones are the CRS only, so I takes Fm across the sea, as before."""
    old = travel_times(_origins(False), _facilities(False), "straight_line", ("walk", "car"))
    on_foot = old[old["mode"] == "walk"]
    assert _nearest(on_foot) == {"M": ("Fm", 74.667), "I": ("Fm", 18.667)}
    assert _nearest(on_foot, "TRAIN_STATION") == {"M": ("Sm", 84.0), "I": ("Sm", 9.333)}
    # one land mass for everything gives exactly the same table
    same = travel_times(
        _origins(False).assign(land_mass="continent"),
        _facilities(False).assign(land_mass="continent"),
        "straight_line",
        ("walk", "car"),
    )
    pd.testing.assert_frame_equal(old, same)


def test_land_mass_on_one_side_only_or_null_is_refused() -> None:
    with pytest.raises(TravelTimeInputError, match="only origins carry"):
        travel_times(_origins(), _facilities(False), "straight_line", WALK)
    with pytest.raises(TravelTimeInputError, match="only facilities carry"):
        travel_times(_origins(False), _facilities(), "straight_line", WALK)
    with pytest.raises(TravelTimeInputError, match="null"):
        travel_times(_origins().assign(land_mass=["continent", None]), _facilities(),
                     "straight_line", WALK)  # fmt: skip


def test_same_land_mass_names_in_two_zones_do_not_meet() -> None:
    """A land mass is matched within its CRS zone: equal names in two zones stay apart."""
    origins = _origins().assign(epsg=[2154, 5490])
    facilities = _facilities().assign(land_mass="ile", epsg=[5490, 2154, 2154])
    result = travel_times(origins, facilities, "straight_line", WALK)
    assert _nearest(result) == {"I": ("Fm", 18.667)}  # the 5490 origin meets the 5490 site


def test_catchments_stay_on_the_land_mass() -> None:
    """Many sites on both sides within 30 min by car: the island's catchment is its own."""
    rng = np.random.default_rng(9)
    n = 40
    xs = rng.uniform(-8000.0, 8000.0, n)
    sites = pd.DataFrame(
        {
            "facility_id": [f"s{i}" for i in range(n)],
            "service_type": "FRANCE_SERVICES",
            "x": X0 + 5000.0 + xs,
            "y": Y0 + rng.uniform(-3000.0, 3000.0, n),
            "epsg": 2154,
            # the sea runs along x = X0 + 4500: east of it is the island
            "land_mass": np.where(xs > -500.0, "ile", "continent"),
        }
    )
    found = catchment_times(_origins(), sites, "straight_line", 30.0)
    mass_of_site = sites.set_index("facility_id")["land_mass"]
    mass_of_origin = _origins().set_index("origin_id")["land_mass"]
    assert (
        found["facility_id"].map(mass_of_site).to_numpy()
        == found["origin_id"].map(mass_of_origin).to_numpy()
    ).all()
    # complete: the island's catchment is every island site within 30 min, nothing else
    every = travel_times(
        _origins().iloc[[1]], sites[sites["land_mass"] == "ile"], "straight_line", ("car",), k=n
    )
    expected = set(every.loc[(every["minutes"] <= 30.0) | (every["rank"] == 1), "facility_id"])
    assert set(found.loc[found["origin_id"] == "I", "facility_id"]) == expected
    assert len(expected) > 5 and found["origin_id"].nunique() == 2


# --- Road network ------------------------------------------------------------------------


def _graph() -> RoadGraph:
    """Continent nodes 0-1-2 at x = 0, 1000, 2000; island nodes 3-4 at 2600, 3600.

    No edge joins the island (the graph has no ferry): two strong components, the
    continent being the larger one. Every edge is residential, both directions.
    """
    xs = np.array([0.0, 1000.0, 2000.0, 2600.0, 3600.0])
    pairs = [(0, 1), (1, 2), (3, 4)]
    u = np.array([a for a, b in pairs] + [b for a, b in pairs], dtype=np.int64)
    v = np.array([b for a, b in pairs] + [a for a, b in pairs], dtype=np.int64)
    return RoadGraph(
        node_ids=np.arange(5, dtype=np.int64),
        x=X0 + xs,
        y=np.full(5, Y0),
        epsg=2154,
        edge_u=u,
        edge_v=v,
        edge_length_m=np.abs(xs[u] - xs[v]),
        edge_highway=np.array(["residential"] * len(u), dtype=object),
        edge_maxspeed_kmh=np.full(len(u), np.nan),
    )


def _network_points(masses: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    origins = pd.DataFrame({"origin_id": ["M", "I"], "x": [X0, X0 + 2600.0], "y": Y0, "epsg": 2154})
    sites = pd.DataFrame(
        {
            "facility_id": ["Fm", "Fi"],
            "service_type": "POST",
            "x": [X0 + 2000.0, X0 + 3600.0],
            "y": Y0,
            "epsg": 2154,
        }
    )
    if masses:
        origins["land_mass"] = ["continent", "ile"]
        sites["land_mass"] = ["continent", "ile"]
    return origins, sites


def test_network_island_points_use_the_island_roads() -> None:
    """With land masses I snaps to node 3 and drives/walks 1000 m of island road to Fi:
    1000 / 75 = 13.333 min on foot. M walks 2000 m to Fm = 26.667 min.

    Without them (former behaviour) I snaps to the continent's node 2, 600 m away
    across the sea, and walks there: 8 min to Fm.
    """
    graph = _graph()
    result = network_nearest(graph, *_network_points(True), modes=WALK)
    assert _nearest(result) == {"M": ("Fm", 26.667), "I": ("Fi", 13.333)}
    old = network_nearest(graph, *_network_points(False), modes=WALK)
    assert _nearest(old)["I"] == ("Fm", 8.0)


def test_network_island_without_facility_gets_no_row() -> None:
    origins, sites = _network_points(True)
    result = network_nearest(_graph(), origins, sites.iloc[[0]], modes=("walk", "car"))
    assert set(result["origin_id"]) == {"M"}
    assert len(result) == 2  # M by walk and by car


def test_engine_interface_passes_land_masses_to_the_network() -> None:
    origins, sites = _network_points(True)
    direct = network_nearest(_graph(), origins, sites, modes=WALK)
    via = travel_times(origins, sites, "network", WALK, graph=_graph())
    pd.testing.assert_frame_equal(direct, via)
    assert LAND_MASS == "land_mass"
    assert DEFAULT_CONSTANTS.speed_m_per_min("walk") == 75.0
