"""Road-network engine: a hand-drawn graph, networkx references, real OSM graphs."""

from __future__ import annotations

import ast
import dataclasses
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from geo._validate import OUTPUT_COLUMNS, TravelTimeInputError
from geo.constants import DEFAULT_CONSTANTS, ModelConstants
from geo.network import (
    RoadGraph,
    edge_cost_matrix,
    load_graphml,
    mode_edges,
    network_nearest,
    network_nodes,
    prepare_mode,
    snap,
)

C = DEFAULT_CONSTANTS
WALK = 75.0  # m/min at 4.5 km/h
# Round numbers for the hand-drawn graph: residential at 30 km/h = 500 m/min, no overhead.
HAND = dataclasses.replace(C, car_kmh_by_highway=(("residential", 30.0),), car_overhead_min=0.0)


def _write_five_nodes(path: Path) -> Path:
    """Five nodes in Lambert-93 metres, edge lengths in metres::

        A (0, 0) ---300--- B (300, 0) ---600--- C (900, 0)
        |                                        ^
       900                                      150   one-way D -> C (cars)
        |                                        |
        E (0, -900) ----------1200----------- D (900, -150)   <- facility "clinic"

    Walking (75 m/min, one-way ignored), to D:
        D 0 min | C 150 m = 2 min | B 750 m = 10 min | A 1050 m = 14 min
        E min(1200, 900 + 1050) = 1200 m = 16 min
    Car (500 m/min, C -> D forbidden), to D:
        E 1200 m = 2.4 min | A 2100 m = 4.2 min | B 2400 m = 4.8 min
        C must go round C-B-A-E-D: 3000 m = 6 min (0.3 min if one-way were ignored)
    """
    graph = nx.MultiDiGraph(crs="epsg:2154")
    coords = {"A": (0, 0), "B": (300, 0), "C": (900, 0), "D": (900, -150), "E": (0, -900)}
    for node, (x, y) in coords.items():
        graph.add_node(node, x=float(x), y=float(y))
    two_way = [("A", "B", 300), ("B", "C", 600), ("A", "E", 900), ("E", "D", 1200)]
    for u, v, length in two_way:
        for a, b in ((u, v), (v, u)):
            graph.add_edge(a, b, length=float(length), highway="residential", oneway="False")
    graph.add_edge("D", "C", length=150.0, highway="residential", oneway="True")
    nx.write_graphml(graph, path)
    return path


def _points_at_nodes(graph: RoadGraph, nodes: np.ndarray, ids: object = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin_id": graph.node_ids[nodes] if ids is None else ids,
            "x": graph.x[nodes],
            "y": graph.y[nodes],
            "epsg": graph.epsg,
        }
    )


def _facilities(graph: RoadGraph, nodes: np.ndarray, service: str = "shop") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": np.arange(len(nodes)) + 100,
            "service_type": service,
            "x": graph.x[nodes],
            "y": graph.y[nodes],
            "epsg": graph.epsg,
        }
    )


def test_five_node_graph_walk_and_one_way_car(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"), epsg=2154)
    assert graph.node_ids.tolist() == ["A", "B", "C", "D", "E"]
    origins = _points_at_nodes(graph, np.arange(5))
    clinic = pd.DataFrame(
        {"facility_id": ["D"], "service_type": "clinic", "x": [900.0], "y": [-150.0], "epsg": 2154}
    )
    result = network_nearest(graph, origins, clinic, modes=("walk", "car"), constants=HAND)
    walk = result[result["mode"] == "walk"].set_index("origin_id")
    car = result[result["mode"] == "car"].set_index("origin_id")
    expected_walk = {"A": 14.0, "B": 10.0, "C": 2.0, "D": 0.0, "E": 16.0}
    expected_car = {"A": 4.2, "B": 4.8, "C": 6.0, "D": 0.0, "E": 2.4}
    for node in "ABCDE":
        assert walk.loc[node, "minutes"] == pytest.approx(expected_walk[node], abs=1e-5)
        assert car.loc[node, "minutes"] == pytest.approx(expected_car[node], abs=1e-5)
        assert walk.loc[node, "distance_m"] == pytest.approx(expected_walk[node] * WALK, abs=1e-3)
        assert car.loc[node, "distance_m"] == pytest.approx(expected_car[node] * 500, abs=1e-3)
    assert set(result["facility_id"]) == {"D"}
    assert result["rank"].eq(1).all()


def test_default_car_constants_add_overhead_and_bike_respects_one_way(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    origins = _points_at_nodes(graph, np.array([2]))  # C
    clinic = _facilities(graph, np.array([3]), "clinic")  # D
    result = network_nearest(graph, origins, clinic, modes=("bike", "car"))
    bike, car = result["minutes"].to_numpy()
    assert bike == pytest.approx(3000 / 250.0, rel=1e-6)  # 15 km/h, round trip C-B-A-E-D
    assert car == pytest.approx(3000 / (25 * 1000 / 60) + C.car_overhead_min, rel=1e-6)


def test_snap_legs_are_walked_and_counted(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    origin = pd.DataFrame({"origin_id": [1], "x": [300.0], "y": [40.0], "epsg": 2154})  # 40 m off B
    clinic = pd.DataFrame(
        {"facility_id": [7], "service_type": "c", "x": [930.0], "y": [-150.0], "epsg": 2154}
    )  # 30 m off D
    (row,) = network_nearest(graph, origin, clinic, modes=("car",), constants=HAND).itertuples()
    assert row.minutes == pytest.approx(40 / WALK + 2400 / 500 + 30 / WALK, rel=1e-6)
    assert row.distance_m == pytest.approx(40 + 2400 + 30, rel=1e-6)
    nodes, dist = snap(graph, [300.0, 930.0], [40.0, -150.0])
    assert nodes.tolist() == [1, 3]
    np.testing.assert_allclose(dist, [40.0, 30.0])


def test_edge_cost_matrix_follows_direction(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    car = edge_cost_matrix(graph, "car", HAND).toarray()
    walk = edge_cost_matrix(graph, "walk", HAND).toarray()
    c, d = 2, 3
    assert car[d, c] == pytest.approx(0.3) and car[c, d] == 0.0  # absent: C -> D
    assert walk[c, d] == walk[d, c] == pytest.approx(2.0)


# --- Random graph against networkx -------------------------------------------------


def _random_graph(seed: int, n: int = 80) -> tuple[RoadGraph, list[tuple]]:
    """A two-way residential ring (strongly connected for every mode) plus random
    chords of random classes, some one-way, some with a low maxspeed."""
    rng = np.random.default_rng(seed)
    x = 650_000 + rng.uniform(0, 3000, n)
    y = 6_860_000 + rng.uniform(0, 3000, n)
    edges = []
    for i in range(n):
        j = (i + 1) % n
        length = math.hypot(x[i] - x[j], y[i] - y[j]) * 1.1
        edges += [(i, j, length, "residential", math.nan), (j, i, length, "residential", math.nan)]
    classes = ["primary", "footway", "service", "cycleway;residential", "tertiary", "motorway"]
    for _ in range(3 * n):
        i, j = rng.choice(n, 2, replace=False)
        length = math.hypot(x[i] - x[j], y[i] - y[j]) * rng.uniform(1.0, 1.5)
        highway = str(rng.choice(classes))
        maxspeed = float(rng.choice([math.nan, 30.0]))
        edges.append((i, j, length, highway, maxspeed))
        if rng.random() < 0.6:
            edges.append((j, i, length, highway, maxspeed))
    u, v, length, highway, maxspeed = (np.array(col) for col in zip(*edges, strict=True))
    graph = RoadGraph(
        node_ids=np.arange(n, dtype=np.int64) + 1_000,
        x=x,
        y=y,
        epsg=2154,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        edge_length_m=length.astype(float),
        edge_highway=highway.astype(object),
        edge_maxspeed_kmh=maxspeed.astype(float),
    )
    return graph, edges


def _reference_minutes(edges: list[tuple], mode: str, constants: ModelConstants) -> nx.DiGraph:
    """Reversed networkx graph of edge minutes, built edge by edge (slow, obvious)."""
    reference = nx.DiGraph()
    car_table = dict(constants.car_kmh_by_highway)
    for u, v, length, highway, maxspeed in edges:
        classes = highway.split(";")
        if mode == "car":
            if not all(c in car_table for c in classes):
                continue
            kmh = min(car_table[c] for c in classes)
            kmh = kmh if math.isnan(maxspeed) else min(kmh, maxspeed)
        else:
            banned = constants.no_walk_highways if mode == "walk" else constants.no_bike_highways
            if any(c in banned for c in classes):
                continue
            kmh = constants.walk_kmh if mode == "walk" else constants.bike_kmh
        minutes = length / (kmh * 1000 / 60)
        pairs = [(u, v), (v, u)] if mode == "walk" else [(u, v)]
        for a, b in pairs:  # reversed: b -> a carries the cost of a -> b
            if not reference.has_edge(b, a) or reference[b][a]["w"] > minutes:
                reference.add_edge(b, a, w=minutes)
    return reference


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("mode", ["walk", "bike", "car"])
def test_random_graph_equals_networkx(seed: int, mode: str) -> None:
    graph, edges = _random_graph(seed)
    rng = np.random.default_rng(100 + seed)
    fac_nodes = rng.choice(graph.n_nodes, 6, replace=False)
    origins = _points_at_nodes(graph, np.arange(graph.n_nodes))
    result = network_nearest(graph, origins, _facilities(graph, fac_nodes), modes=(mode,))
    reference = nx.multi_source_dijkstra_path_length(
        _reference_minutes(edges, mode, C), set(fac_nodes.tolist()), weight="w"
    )
    overhead = C.car_overhead_min if mode == "car" else 0.0
    expected = np.array([reference[i] for i in range(graph.n_nodes)]) + overhead
    assert len(result) == graph.n_nodes  # ring: every node reaches a facility
    np.testing.assert_allclose(result["minutes"].to_numpy(), expected, rtol=1e-6, atol=1e-6)
    # The reported facility is one that achieves the minimum.
    per_facility = {
        j: nx.single_source_dijkstra_path_length(_reference_minutes(edges, mode, C), f, weight="w")
        for j, f in enumerate(fac_nodes)
    }
    chosen = result["facility_id"].to_numpy() - 100
    achieved = np.array([per_facility[j][i] for i, j in enumerate(chosen)]) + overhead
    np.testing.assert_allclose(achieved, expected, rtol=1e-6, atol=1e-6)


def test_random_graph_k_nearest_equals_networkx() -> None:
    graph, edges = _random_graph(3)
    fac_nodes = np.random.default_rng(7).choice(graph.n_nodes, 5, replace=False)
    origins = _points_at_nodes(graph, np.arange(graph.n_nodes))
    result = network_nearest(graph, origins, _facilities(graph, fac_nodes), modes=("bike",), k=3)
    reference = _reference_minutes(edges, "bike", C)
    per_facility = np.array(
        [
            [
                nx.single_source_dijkstra_path_length(reference, f, weight="w")[i]
                for i in range(graph.n_nodes)
            ]
            for f in fac_nodes
        ]
    )
    expected = np.sort(per_facility, axis=0)[:3].T.ravel()
    assert result["rank"].tolist() == [1, 2, 3] * graph.n_nodes
    np.testing.assert_allclose(result["minutes"].to_numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        result["distance_m"].to_numpy(), expected * 250.0, rtol=1e-5, atol=1e-3
    )
    k1 = network_nearest(graph, origins, _facilities(graph, fac_nodes), modes=("bike",))
    np.testing.assert_allclose(
        result.loc[result["rank"] == 1, "minutes"].to_numpy(), k1["minutes"].to_numpy()
    )


# --- Real OpenStreetMap graph (Maisons-Laffitte, OSMnx GraphML) ----------------------


@pytest.fixture(scope="module")
def maisons_laffitte(mirror_dir: Path) -> tuple[RoadGraph, nx.MultiDiGraph]:
    path = mirror_dir / "osm_network_yvelines" / "maisons_laffitte.gml"
    return load_graphml(path), nx.read_graphml(path, force_multigraph=True)


def _raw_edges(raw: nx.MultiDiGraph, graph: RoadGraph) -> list[tuple]:
    """Edges of the raw GraphML in the (u, v, length, highway, maxspeed) form."""
    index = {str(node): i for i, node in enumerate(graph.node_ids)}

    def as_list(value: object) -> list[str]:
        if value is None:
            return []
        text = str(value)
        return [str(v) for v in ast.literal_eval(text)] if text.startswith("[") else [text]

    rows = []
    for u, v, d in raw.edges(data=True):
        speeds = [float(s) for s in as_list(d.get("maxspeed")) if s.replace(".", "").isdigit()]
        rows.append(
            (
                index[u],
                index[v],
                float(d["length"]),
                ";".join(as_list(d.get("highway"))),
                min(speeds) if speeds else math.nan,
            )
        )
    return rows


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_real_graph_equals_networkx(maisons_laffitte, mode: str) -> None:
    graph, raw = maisons_laffitte
    assert graph.n_nodes == raw.number_of_nodes() and len(graph.edge_u) == raw.number_of_edges()
    assert 2.13e6 > graph.y.max() - 4.8e6 > 0  # projected to Lambert-93 metres
    candidates = network_nodes(graph, mode)
    rng = np.random.default_rng(20)
    fac_nodes = rng.choice(candidates, 20, replace=False)
    origins = _points_at_nodes(graph, np.arange(graph.n_nodes))
    result = network_nearest(graph, origins, _facilities(graph, fac_nodes), modes=(mode,))

    reference = nx.multi_source_dijkstra_path_length(
        _reference_minutes(_raw_edges(raw, graph), mode, C), set(fac_nodes.tolist()), weight="w"
    )
    # Nodes outside the mode's main component are snapped to its nearest node (brute force).
    dx = graph.x[:, None] - graph.x[candidates][None, :]
    dy = graph.y[:, None] - graph.y[candidates][None, :]
    snap_d = np.hypot(dx, dy)
    snapped = candidates[snap_d.argmin(axis=1)]
    overhead = C.car_overhead_min if mode == "car" else 0.0
    expected = snap_d.min(axis=1) / WALK + np.array([reference[int(s)] for s in snapped]) + overhead
    assert len(result) == graph.n_nodes
    assert result["origin_id"].tolist() == graph.node_ids.tolist()
    np.testing.assert_allclose(result["minutes"].to_numpy(), expected, rtol=1e-5, atol=1e-5)
    if mode == "walk":  # constant speed: distance is time x speed
        np.testing.assert_allclose(
            result["distance_m"].to_numpy(), expected * WALK, rtol=1e-5, atol=1e-2
        )
    else:  # one-way streets make some car trips longer than walking ones
        assert (result["distance_m"].to_numpy() > 0).mean() > 0.9


def test_prepared_modes_give_the_same_table_and_belong_to_their_graph(
    maisons_laffitte, tmp_path: Path
) -> None:
    graph, _ = maisons_laffitte
    rng = np.random.default_rng(3)
    fac_nodes = rng.choice(network_nodes(graph, "car"), 15, replace=False)
    origins = _points_at_nodes(graph, np.arange(0, graph.n_nodes, 7))
    facilities = _facilities(graph, fac_nodes)
    cold = network_nearest(graph, origins, facilities, modes=("walk", "car"), k=2)
    prepared = (prepare_mode(graph, "car"), prepare_mode(graph, "walk"))
    warm = network_nearest(
        graph, origins, facilities, modes=("walk", "car"), k=2, prepared=prepared
    )
    pd.testing.assert_frame_equal(cold, warm)
    other = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    with pytest.raises(ValueError, match="another graph"):
        network_nearest(other, origins.iloc[:0], facilities.iloc[:0], prepared=prepared[:1])
    with pytest.raises(ValueError, match="another graph"):
        network_nearest(
            graph,
            origins,
            facilities,
            constants=dataclasses.replace(C, walk_kmh=3.0),
            prepared=prepared,
        )


def test_real_graph_modes_differ_as_expected(maisons_laffitte) -> None:
    graph, _ = maisons_laffitte
    walk, car = mode_edges(graph, "walk"), mode_edges(graph, "car")
    assert len(car.tail) < len(walk.tail)
    highways = pd.Series(graph.edge_highway)
    assert highways.str.contains("footway").any()
    drivable = {c for c, _ in C.car_kmh_by_highway}
    car_classes = {
        c for h in graph.edge_highway[np.isin(graph.edge_u, car.tail)] for c in h.split(";")
    }
    assert car_classes & drivable


def test_origins_in_another_crs_are_refused(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    origins = _points_at_nodes(graph, np.arange(2)).assign(epsg=2975)
    with pytest.raises(TravelTimeInputError, match="EPSG:2154"):
        network_nearest(graph, origins, _facilities(graph, np.array([3])))


def test_empty_inputs_give_an_empty_table(tmp_path: Path) -> None:
    graph = load_graphml(_write_five_nodes(tmp_path / "five.graphml"))
    result = network_nearest(
        graph, _points_at_nodes(graph, np.arange(0)), _facilities(graph, np.array([3]))
    )
    assert result.empty and list(result.columns) == list(OUTPUT_COLUMNS)


def test_parallel_edges_keep_the_fastest_with_its_length() -> None:
    graph = RoadGraph(
        node_ids=np.array([1, 2]),
        x=np.array([0.0, 1000.0]),
        y=np.array([0.0, 0.0]),
        epsg=2154,
        edge_u=np.array([0, 0, 0]),
        edge_v=np.array([1, 1, 1]),
        edge_length_m=np.array([1000.0, 1200.0, 900.0]),
        edge_highway=["residential", "primary", "footway"],
        edge_maxspeed_kmh=np.array([np.nan, np.nan, np.nan]),
    )
    car = mode_edges(graph, "car")  # residential 25 km/h: 2.4 min; primary 50: 1.44 min
    assert car.tail.tolist() == [0] and car.length_m.tolist() == [1200.0]
    assert car.minutes[0] == pytest.approx(1200 / (50 * 1000 / 60))
    walk = mode_edges(graph, "walk")  # same speed: the shortest (footway) wins, both ways
    assert sorted(zip(walk.tail.tolist(), walk.head.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert walk.length_m.tolist() == [900.0, 900.0]
