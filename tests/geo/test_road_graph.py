"""Road graphs: GraphML loading and projection, tag parsing, the .osm.pbf reader."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import pytest
from pyproj import Transformer

from geo.constants import DEFAULT_CONSTANTS
from geo.network import mode_edges, network_nearest, network_nodes
from geo.road_graph import RoadGraph, _maxspeed, load_graphml, load_osm_pbf, load_road_graph


def test_real_graphml_is_loaded_and_projected(mirror_dir: Path) -> None:
    graph = load_graphml(mirror_dir / "osm_network_yvelines" / "st_ger.gml")
    # SOURCES.md: 3,778 nodes and 10,588 edges, lon 2.041-2.172, lat 48.884-48.987.
    assert graph.n_nodes == 3778 and len(graph.edge_u) == 10588
    assert graph.epsg == 2154 and graph.node_ids.dtype == np.int64
    # Nodes fall inside the SOURCES.md bounding box projected with pyproj directly.
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    xs, ys = to_l93.transform([2.041, 2.172, 2.041, 2.172], [48.884, 48.884, 48.987, 48.987])
    margin = 100.0  # metres: the bbox in SOURCES.md is rounded to 0.001 degree
    assert min(xs) - margin < graph.x.min() < graph.x.max() < max(xs) + margin
    assert min(ys) - margin < graph.y.min() < graph.y.max() < max(ys) + margin
    assert (graph.edge_length_m >= 0).all()
    assert "footway;steps" in set(graph.edge_highway.categories)
    assert np.nanmax(graph.edge_maxspeed_kmh) <= 90


@pytest.mark.parametrize(
    ("raw", "kmh"),
    [
        ("50", 50.0),
        ("['30', '45']", 30.0),  # merged edge: the lowest value caps
        ("FR:urban", 50.0),
        ("FR:zone30", 30.0),
        ("20 mph", 20 * 1.609344),
        ("signals", math.nan),
        ("0", math.nan),
        (None, math.nan),
    ],
)
def test_maxspeed_tags_are_parsed(raw: object, kmh: float) -> None:
    assert _maxspeed(raw) == pytest.approx(kmh, nan_ok=True)


def test_pbf_without_pyrosm_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyrosm" else real_find_spec(name, *a),
    )
    with pytest.raises(ModuleNotFoundError, match="pip install pyrosm"):
        load_osm_pbf("yvelines.osm.pbf")


def test_road_graph_refuses_inconsistent_arrays() -> None:
    with pytest.raises(ValueError, match="index the node arrays"):
        RoadGraph(
            node_ids=np.array([1]),
            x=np.array([0.0]),
            y=np.array([0.0]),
            epsg=2154,
            edge_u=np.array([0]),
            edge_v=np.array([3]),
            edge_length_m=np.array([1.0]),
            edge_highway=["residential"],
            edge_maxspeed_kmh=np.array([np.nan]),
        )


# --- .osm.pbf ------------------------------------------------------------------------

# Hand-made network in Rennes (lat 48.11, lon -1.68), OSM XML::
#
#                   7 (48.1130, -1.6755)          roundabout 4 -> 7 -> 5 (unclassified)
#                 /    \
#          4 <-------- 5 (48.1120, -1.6740)       tertiary, oneway=-1 on way 4-5
#          | secondary ^ primary, oneway=yes on way 3-5
#   1 ---- 2 --------- 3                          residential, maxspeed=30, lat 48.1100,
#     \   /                                       lon -1.6800, -1.6770, -1.6740
#       6 (48.1085, -1.6790)                      footway 1 - 6 - 2
#
# 4 is at (48.1120, -1.6770), north of 2. Way 16 (waterway 1-4) is not a road and must be left out.
RENNES_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="48.1100" lon="-1.6800"/>
  <node id="2" version="1" lat="48.1100" lon="-1.6770"/>
  <node id="3" version="1" lat="48.1100" lon="-1.6740"/>
  <node id="4" version="1" lat="48.1120" lon="-1.6770"/>
  <node id="5" version="1" lat="48.1120" lon="-1.6740"/>
  <node id="6" version="1" lat="48.1085" lon="-1.6790"/>
  <node id="7" version="1" lat="48.1130" lon="-1.6755"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="30"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="secondary"/></way>
  <way id="12" version="1"><nd ref="3"/><nd ref="5"/>
    <tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="13" version="1"><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="tertiary"/><tag k="oneway" v="-1"/></way>
  <way id="14" version="1"><nd ref="1"/><nd ref="6"/><nd ref="2"/>
    <tag k="highway" v="footway"/></way>
  <way id="15" version="1"><nd ref="4"/><nd ref="7"/><nd ref="5"/>
    <tag k="highway" v="unclassified"/><tag k="junction" v="roundabout"/></way>
  <way id="16" version="1"><nd ref="1"/><nd ref="4"/><tag k="waterway" v="stream"/></way>
</osm>
"""
LATLON = {
    1: (48.1100, -1.6800),
    2: (48.1100, -1.6770),
    3: (48.1100, -1.6740),
    4: (48.1120, -1.6770),
    5: (48.1120, -1.6740),
    6: (48.1085, -1.6790),
    7: (48.1130, -1.6755),
}
# Directed edges a car may use (u, v, highway, maxspeed); walkers use every edge both ways.
EXPECTED_EDGES = {
    (1, 2, "residential", 30.0),
    (2, 1, "residential", 30.0),
    (2, 3, "residential", 30.0),
    (3, 2, "residential", 30.0),
    (2, 4, "secondary", math.nan),
    (4, 2, "secondary", math.nan),
    (3, 5, "primary", math.nan),  # oneway=yes: way order only
    (5, 4, "tertiary", math.nan),  # oneway=-1: against way order
    (4, 7, "unclassified", math.nan),  # roundabout: way order only
    (7, 5, "unclassified", math.nan),
    (1, 6, "footway", math.nan),
    (6, 1, "footway", math.nan),
    (6, 2, "footway", math.nan),
    (2, 6, "footway", math.nan),
}
# Car at 60 km/h (1000 m/min) on every class but residential (capped by maxspeed=30).
CAR_60 = dataclasses.replace(
    DEFAULT_CONSTANTS,
    car_kmh_by_highway=(
        ("residential", 50.0),
        ("secondary", 60.0),
        ("primary", 60.0),
        ("tertiary", 60.0),
        ("unclassified", 60.0),
    ),
    car_overhead_min=0.0,
)


def _haversine_m(a: int, b: int) -> float:
    (lat1, lon1), (lat2, lon2) = (np.radians(LATLON[a]), np.radians(LATLON[b]))
    dlat, dlon = lat2 - lat1, lon2 - lon1
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return float(2 * 6_371_008.8 * np.arcsin(np.sqrt(h)))


def _write_pbf(tmp_path: Path, xml: str = RENNES_OSM) -> Path:
    source, pbf = tmp_path / "rennes.osm", tmp_path / "rennes.osm.pbf"
    source.write_text(xml, encoding="utf-8")
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(source)):
            writer.add(obj)
    return pbf


def _edges(graph: RoadGraph) -> dict[tuple[int, int], tuple[str, float, float]]:
    ids = graph.node_ids
    rows = zip(
        ids[graph.edge_u].tolist(),
        ids[graph.edge_v].tolist(),
        graph.edge_highway.astype(str),
        graph.edge_maxspeed_kmh.tolist(),
        graph.edge_length_m.tolist(),
        strict=True,
    )
    return {(u, v): (h, s, m) for u, v, h, s, m in rows}


def test_pbf_network_is_read_with_osm_directions(tmp_path: Path) -> None:
    graph = load_road_graph(_write_pbf(tmp_path))  # dispatches on the .pbf suffix
    assert graph.epsg == 2154 and graph.node_ids.dtype == np.int64
    assert sorted(graph.node_ids.tolist()) == [1, 2, 3, 4, 5, 6, 7]
    edges = _edges(graph)
    assert len(graph.edge_u) == len(edges) == len(EXPECTED_EDGES)  # no duplicate edge
    found = {(u, v, h, s) for (u, v), (h, s, _) in edges.items()}
    assert {e[:3] for e in found} == {e[:3] for e in EXPECTED_EDGES}
    for u, v, _, kmh in EXPECTED_EDGES:
        assert edges[u, v][1] == pytest.approx(kmh, nan_ok=True)
        assert edges[u, v][2] == pytest.approx(_haversine_m(u, v), rel=1e-4)
    # Nodes are projected: 2 -> 3 is due east, 2 -> 4 due north (Lambert-93 is conformal).
    at = {node: i for i, node in enumerate(graph.node_ids.tolist())}
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    for node, (lat, lon) in LATLON.items():
        x, y = to_l93.transform(lon, lat)
        assert (graph.x[at[node]], graph.y[at[node]]) == pytest.approx((x, y), abs=0.01)


def test_pbf_graph_routes_walk_and_car_by_hand(tmp_path: Path) -> None:
    graph = load_osm_pbf(_write_pbf(tmp_path))
    at = {node: i for i, node in enumerate(graph.node_ids.tolist())}
    # The footway node 6 is walkable but not drivable.
    assert at[6] in network_nodes(graph, "walk") and at[6] not in network_nodes(graph, "car")
    assert len(mode_edges(graph, "car", CAR_60).tail) == len(EXPECTED_EDGES) - 4
    origins_at = [1, 5, 6, 7]
    origins = pd.DataFrame(
        {
            "origin_id": origins_at,
            "x": graph.x[[at[n] for n in origins_at]],
            "y": graph.y[[at[n] for n in origins_at]],
            "epsg": graph.epsg,
        }
    )
    clinic = pd.DataFrame(
        {
            "facility_id": [3],
            "service_type": "clinic",
            "x": graph.x[[at[3]]],
            "y": graph.y[[at[3]]],
            "epsg": graph.epsg,
        }
    )
    result = network_nearest(graph, origins, clinic, modes=("walk", "car"), constants=CAR_60)
    minutes = result.set_index(["mode", "origin_id"])["minutes"]
    d = _haversine_m
    walk = DEFAULT_CONSTANTS.walk_kmh * 1000 / 60  # m/min
    # Walking ignores one-way streets; 6 walks the footway to 2 then the street to 3.
    expected_walk = {
        1: (d(1, 2) + d(2, 3)) / walk,
        5: d(5, 3) / walk,
        6: (d(6, 2) + d(2, 3)) / walk,
        7: (d(7, 5) + d(5, 3)) / walk,
    }
    # Driving to 3: 3 -> 5 is one-way, so 5 goes round 5 -> 4 -> 2 -> 3; residential
    # at 30 km/h (500 m/min, maxspeed), other classes 1000 m/min. 6 is snapped to the
    # nearest drivable node (1, 2 or 4) and walks that leg.
    car = {
        1: (d(1, 2) + d(2, 3)) / 500,
        5: (d(5, 4) + d(4, 2)) / 1000 + d(2, 3) / 500,
        7: (d(7, 5) + d(5, 4) + d(4, 2)) / 1000 + d(2, 3) / 500,
    }
    for node, expected in expected_walk.items():
        assert minutes["walk", node] == pytest.approx(expected, rel=1e-4)
    for node, expected in car.items():
        assert minutes["car", node] == pytest.approx(expected, rel=1e-4)
    # Car from 5 is much longer than the 5 -> 3 street it may not drive up.
    assert minutes["car", 5] > 2 * d(5, 3) / 1000


def test_pbf_and_osmnx_graphml_give_the_same_edges(tmp_path: Path) -> None:
    import osmnx as ox  # dev dependency; slow to import, so only here

    # graph_from_xml keeps every way of the file (no "all" filter): drop the stream.
    roads_only = "\n".join(line for line in RENNES_OSM.splitlines() if "waterway" not in line)
    source = tmp_path / "same.osm"
    source.write_text(roads_only, encoding="utf-8")
    reference = ox.graph_from_xml(source, simplify=False, retain_all=True)
    ox.save_graphml(reference, tmp_path / "same.graphml")
    from_gml = _edges(load_graphml(tmp_path / "same.graphml"))
    from_pbf = _edges(load_osm_pbf(_write_pbf(tmp_path, roads_only)))
    assert len(from_pbf) == len(EXPECTED_EDGES) and from_gml.keys() == from_pbf.keys()
    for key, (highway, kmh, metres) in from_pbf.items():
        assert from_gml[key][:2] == pytest.approx((highway, kmh), nan_ok=True)
        assert from_gml[key][2] == pytest.approx(metres, rel=1e-4)


def test_corrupt_pbf_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"this is not a protobuf blob" * 8)
    with pytest.raises(ValueError, match=r"broken\.osm\.pbf"):
        load_osm_pbf(bad)
    with pytest.raises(FileNotFoundError, match=r"absent\.osm\.pbf"):
        load_osm_pbf(tmp_path / "absent.osm.pbf")


def test_pbf_without_roads_names_the_file(tmp_path: Path) -> None:
    stream_only = RENNES_OSM.split("  <way id=")[0] + (
        '  <way id="16" version="1"><nd ref="1"/><nd ref="4"/>'
        '<tag k="waterway" v="stream"/></way>\n</osm>\n'
    )
    with pytest.raises(ValueError, match=r"no road .*rennes\.osm\.pbf"):
        load_osm_pbf(_write_pbf(tmp_path, stream_only))
