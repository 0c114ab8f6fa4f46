"""The travel-time build step: hand-checked times, complete catchments, both methods."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.settings import Settings
from geo.access_step import (
    AccessStepError,
    catchment_times,
    compute_travel_times,
)
from geo.constants import DEFAULT_CONSTANTS
from geo.engine import one_per_point, travel_times
from geo.network import load_graphml

X0, Y0 = 650_000.0, 6_800_000.0
COLUMNS = [
    "origin_id",
    "service_type",
    "mode",
    "rank",
    "minutes",
    "distance_m",
    "crow_m",
    "facility_id",
    "method",
]


def _warehouse(points: pd.DataFrame, facilities: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the two tables (and columns) the step reads."""
    con = duckdb.connect()
    con.register("p", points)
    con.register("f", facilities)
    con.execute(
        "CREATE TABLE population_points AS SELECT point_id, x, y, epsg::INTEGER AS epsg, "
        "density_level::INTEGER AS density_level, 'continent' AS land_mass FROM p"
    )
    con.execute(
        "CREATE TABLE facilities AS SELECT facility_id, service_type, x, y, "
        "epsg::INTEGER AS epsg, 'continent' AS land_mass FROM f"
    )
    # No inhabitants around the territory (the 2SFCA demand buffer is empty).
    con.execute("CREATE TABLE demand_points AS SELECT * FROM population_points WHERE false")
    return con


def _frames(
    points_xy: list[tuple[float, float]], facilities: list[tuple[str, str, float, float]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    points = pd.DataFrame(
        {
            "point_id": [f"mairie:{i:05d}" for i in range(len(points_xy))],
            "x": [X0 + x for x, _ in points_xy],
            "y": [Y0 + y for _, y in points_xy],
            "epsg": 2154,
            "density_level": 5,
        }
    )
    table = pd.DataFrame(facilities, columns=["facility_id", "service_type", "x", "y"])
    table["x"] += X0
    table["y"] += Y0
    table["epsg"] = 2154
    return points, table


SETTINGS = Settings(progress=False)


def test_hand_checked_times() -> None:
    """One point, a post office 1 km east and a station 3 km north.

    Walk: 1000 m x 1.4 = 1400 m at 75 m/min = 18.667 min.
    Car (density level 5, 45 km/h = 750 m/min): 3000 x 1.3 / 750 + 2 = 7.2 min.
    """
    points, facilities = _frames(
        [(0.0, 0.0)], [("post", "A206", 1000.0, 0.0), ("gare", "TRAIN_STATION", 0.0, 3000.0)]
    )
    con = _warehouse(points, facilities)
    compute_travel_times(con, SETTINGS)
    assert [r[0] for r in con.execute("DESCRIBE travel_times").fetchall()] == COLUMNS
    table = con.execute("SELECT * FROM travel_times").df()
    assert len(table) == 2 * 3  # two types x three modes, rank 1 only
    assert set(table["method"]) == {"straight_line"}
    row = table.set_index(["service_type", "mode"])
    assert row.loc[("A206", "walk"), "minutes"] == pytest.approx(1400 / 75, rel=1e-6)
    assert row.loc[("A206", "walk"), "distance_m"] == pytest.approx(1400.0)
    # crow_m is the crow-fly distance, whatever the mode's detour
    assert row.loc[("A206", "walk"), "crow_m"] == pytest.approx(1000.0)
    assert row.loc[("TRAIN_STATION", "car"), "crow_m"] == pytest.approx(3000.0)
    assert row.loc[("A206", "walk"), "facility_id"] == "post"
    assert row.loc[("TRAIN_STATION", "car"), "minutes"] == pytest.approx(7.2, rel=1e-6)
    assert row.loc[("TRAIN_STATION", "car"), "origin_id"] == "mairie:00000"


def test_catchments_are_complete_against_brute_force() -> None:
    rng = np.random.default_rng(3)
    n_points, n_sites = 120, 40
    points, facilities = _frames(
        list(zip(rng.uniform(0, 60_000, n_points), rng.uniform(0, 60_000, n_points), strict=True)),
        [
            (f"fs{j}", "FRANCE_SERVICES", x, y)
            for j, (x, y) in enumerate(rng.uniform(0, 60_000, (n_sites, 2)))
        ],
    )
    points["density_level"] = rng.integers(1, 8, n_points)
    con = _warehouse(points, facilities)
    compute_travel_times(con, SETTINGS)
    stored = con.execute(
        "SELECT origin_id, facility_id, minutes, rank FROM travel_times WHERE mode = 'car'"
    ).df()
    # Brute force: every facility for every point, then keep what the catchment must hold.
    origins = points.rename(columns={"point_id": "origin_id"})
    every = travel_times(origins, facilities, "straight_line", ("car",), k=n_sites)
    limit = DEFAULT_CONSTANTS.fca_bands[-1][1]
    wanted = every[(every["rank"] == 1) | (every["minutes"] <= limit)]
    assert set(zip(stored["origin_id"], stored["facility_id"], strict=True)) == set(
        zip(wanted["origin_id"], wanted["facility_id"], strict=True)
    )
    assert stored["minutes"].max() > limit  # some nearest facility is beyond 30 min
    assert stored.groupby("origin_id")["rank"].max().max() > 1
    other_modes = con.execute("SELECT max(rank) FROM travel_times WHERE mode <> 'car'").fetchone()[
        0
    ]
    assert other_modes == 1


def test_catchment_times_with_no_facility() -> None:
    points, facilities = _frames([(0.0, 0.0)], [])
    origins = points.rename(columns={"point_id": "origin_id"})
    assert catchment_times(origins, facilities, "straight_line", 30.0).empty


def test_empty_facilities_still_create_the_table() -> None:
    points, facilities = _frames([(0.0, 0.0)], [])
    con = _warehouse(points, facilities.astype({"facility_id": str, "service_type": str}))
    compute_travel_times(con, SETTINGS)
    assert [r[0] for r in con.execute("DESCRIBE travel_times").fetchall()] == COLUMNS
    assert con.execute("SELECT count(*) FROM travel_times").fetchone()[0] == 0


def test_network_needs_a_graph(tmp_path: Path) -> None:
    points, facilities = _frames([(0.0, 0.0)], [("post", "A206", 10.0, 0.0)])
    con = _warehouse(points, facilities)
    with pytest.raises(AccessStepError, match="graphe routier"):
        compute_travel_times(con, SETTINGS.with_(travel_method="network"))
    with pytest.raises(AccessStepError, match="introuvable"):
        compute_travel_times(
            con, SETTINGS.with_(travel_method="network", road_graph=tmp_path / "none.gml")
        )
    for name, content in (("bad.osm.pbf", b"not a pbf"), ("bad.graphml", b"<graphml")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(AccessStepError, match=f"illisible: .*{name}"):
            compute_travel_times(
                con, SETTINGS.with_(travel_method="network", road_graph=tmp_path / name)
            )
    with pytest.raises(AccessStepError, match="inconnue"):
        compute_travel_times(con, SETTINGS.with_(travel_method="teleport"))
    assert issubclass(AccessStepError, ValueError)  # the build turns it into a BuildError


def test_network_method_on_maisons_laffitte(mirror_dir: Path) -> None:
    path = mirror_dir / "osm_network_yvelines" / "maisons_laffitte.gml"
    graph = load_graphml(path)
    rng = np.random.default_rng(8)
    nodes = rng.choice(graph.n_nodes, 30, replace=False)
    points = pd.DataFrame(
        {
            "point_id": [f"p{i}" for i in range(20)],
            "x": graph.x[nodes[:20]],
            "y": graph.y[nodes[:20]],
            "epsg": 2154,
            "density_level": None,
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": [f"f{j}" for j in range(10)],
            "service_type": ["A206"] * 5 + ["FRANCE_SERVICES"] * 5,
            "x": graph.x[nodes[20:]],
            "y": graph.y[nodes[20:]],
            "epsg": 2154,
        }
    )
    con = _warehouse(points, facilities)
    compute_travel_times(con, SETTINGS.with_(travel_method="network", road_graph=path))
    table = con.execute("SELECT * FROM travel_times").df()
    assert set(table["method"]) == {"network"}
    nearest = table[table["rank"] == 1]
    # Same rank-1 answer as the engine called directly.
    direct = travel_times(
        points.rename(columns={"point_id": "origin_id"}), facilities, "network", graph=graph
    )
    merged = nearest.merge(direct, on=["origin_id", "service_type", "mode"])
    assert len(merged) == len(direct) > 0
    assert np.allclose(merged["minutes_x"], merged["minutes_y"], rtol=1e-6)
    assert (merged["facility_id_x"] == merged["facility_id_y"]).all()


def test_facilities_at_one_point_are_searched_once() -> None:
    """Issue 11: counted facilities share their town hall; one row per point remains,
    the first in order, and points on other land masses are kept apart."""
    facilities = pd.DataFrame(
        {
            "facility_id": [10, 11, 12, 13],
            "x": [X0, X0, X0 + 10.0, X0],
            "y": [Y0, Y0, Y0, Y0],
            "epsg": [2154, 2154, 2154, 2154],
            "land_mass": ["continent", "continent", "continent", "ile"],
        }
    )
    assert one_per_point(facilities)["facility_id"].tolist() == [10, 12, 13]
