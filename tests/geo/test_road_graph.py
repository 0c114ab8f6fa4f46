"""Road graphs: GraphML loading and projection, tag parsing, optional PBF reader."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from geo.road_graph import RoadGraph, _maxspeed, load_graphml, load_osm_pbf


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
