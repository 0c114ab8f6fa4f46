"""Speed and memory of the travel-time engines.

Network part: on the real Saint-Germain-en-Laye OSM graph, every node is an origin and
50 random nodes are facilities (walk mode). It times our ``network_nearest`` (one
multi-source Dijkstra, with nearest facility id and path length) against networkx
``multi_source_dijkstra_path_length`` (minutes only) and pandana (contraction
hierarchies, ``nearest_pois``) when it imports.

Straight-line part (run in a fresh process so that its peak memory is its own):
1,000,000 random origins in a 100 km square x 20 service types x 300 facilities each,
three modes, 60 million rows.

Usage::

    .venv/bin/python bench/access_network.py [path/to/st_ger.gml]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from geo.network import load_graphml, mode_edges, network_nearest, network_nodes, prepare_mode
from geo.straight_line import nearest_facilities

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GRAPH = ROOT.parent / "shared" / "data" / "osm_network_yvelines" / "st_ger.gml"


def _best_of(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """Smallest wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_network(path: Path, n_facilities: int, repeat: int) -> None:
    start = time.perf_counter()
    graph = load_graphml(path)
    print(
        f"graph {path.name}: {graph.n_nodes:,} nodes, {len(graph.edge_u):,} edges, "
        f"loaded and projected in {time.perf_counter() - start:.2f} s"
    )
    rng = np.random.default_rng(0)
    fac_nodes = rng.choice(network_nodes(graph, "walk"), n_facilities, replace=False)
    origins = pd.DataFrame(
        {"origin_id": graph.node_ids, "x": graph.x, "y": graph.y, "epsg": graph.epsg}
    )
    facilities = pd.DataFrame(
        {
            "facility_id": np.arange(n_facilities),
            "service_type": "poi",
            "x": graph.x[fac_nodes],
            "y": graph.y[fac_nodes],
            "epsg": graph.epsg,
        }
    )
    cold_s, _ = _best_of(
        repeat, lambda: network_nearest(graph, origins, facilities, modes=("walk",))
    )
    prep_s, walk = _best_of(repeat, lambda: prepare_mode(graph, "walk"))
    ours_s, ours = _best_of(
        repeat,
        lambda: network_nearest(graph, origins, facilities, modes=("walk",), prepared=(walk,)),
    )
    ours_min = ours["minutes"].to_numpy(dtype=np.float64)
    print(
        f"ours     network_nearest, all nodes x {n_facilities} facilities, walk: "
        f"{ours_s * 1000:8.1f} ms (snapping + Dijkstra + path lengths + table; "
        f"+ {prep_s * 1000:.0f} ms to prepare the mode graph once; {cold_s * 1000:.1f} ms "
        "in one call without preparation)"
    )

    costs = mode_edges(graph, "walk")
    start = time.perf_counter()
    reversed_graph = nx.DiGraph()
    reversed_graph.add_weighted_edges_from(
        zip(costs.head.tolist(), costs.tail.tolist(), costs.minutes.tolist(), strict=True),
        weight="w",
    )
    build_s = time.perf_counter() - start
    sources = set(fac_nodes.tolist())
    nx_s, lengths = _best_of(
        repeat,
        lambda: nx.multi_source_dijkstra_path_length(reversed_graph, sources, weight="w"),
    )
    nx_min = np.array([lengths.get(i, np.inf) for i in range(graph.n_nodes)])
    print(
        f"networkx multi_source_dijkstra_path_length (minutes only):  {nx_s * 1000:8.1f} ms "
        f"(+ {build_s * 1000:.0f} ms to build the DiGraph)  -> ratio networkx/ours "
        f"{nx_s / ours_s:.2f} (prepared graphs), {(nx_s + build_s) / cold_s:.2f} (from scratch); "
        f"max |diff| {np.max(np.abs(nx_min - ours_min)):.2e} min"
    )
    _bench_pandana(graph, costs, fac_nodes, ours_min, ours_s, repeat)
    _bench_many_types(graph, origins, reversed_graph, n_facilities, repeat)


def _bench_many_types(graph, origins, reversed_graph, n_facilities, repeat, n_types=20) -> None:
    """Per-mode set-up (costs, components, snapping) is shared by all service types."""
    rng = np.random.default_rng(1)
    nodes = network_nodes(graph, "walk")
    picks = [rng.choice(nodes, n_facilities, replace=False) for _ in range(n_types)]
    facilities = pd.DataFrame(
        {
            "facility_id": np.arange(n_types * n_facilities),
            "service_type": np.repeat([f"s{i:02d}" for i in range(n_types)], n_facilities),
            "x": graph.x[np.concatenate(picks)],
            "y": graph.y[np.concatenate(picks)],
            "epsg": graph.epsg,
        }
    )
    walk = prepare_mode(graph, "walk")
    ours_s, _ = _best_of(
        repeat,
        lambda: network_nearest(graph, origins, facilities, modes=("walk",), prepared=(walk,)),
    )
    nx_s, _ = _best_of(
        repeat,
        lambda: [
            nx.multi_source_dijkstra_path_length(reversed_graph, set(p.tolist()), weight="w")
            for p in picks
        ],
    )
    print(
        f"{n_types} service types x {n_facilities} facilities, walk: ours {ours_s * 1000:.1f} ms, "
        f"networkx {nx_s * 1000:.1f} ms -> ratio networkx/ours {nx_s / ours_s:.2f}"
    )


def _bench_pandana(graph, costs, fac_nodes, ours_min, ours_s, repeat) -> None:
    try:
        import pandana
    except ImportError as err:  # report why instead of failing the whole bench
        print(f"pandana  not available: {type(err).__name__}: {err}")
        return
    maxdist = float(np.max(ours_min)) * 1.05
    nodes = pd.DataFrame({"x": graph.x, "y": graph.y})
    start = time.perf_counter()
    net = pandana.Network(
        nodes["x"],
        nodes["y"],
        pd.Series(costs.tail),
        pd.Series(costs.head),
        pd.DataFrame({"minutes": costs.minutes}),
        twoway=False,
    )
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    net.precompute(maxdist)
    pre_s = time.perf_counter() - start

    def query() -> pd.DataFrame:
        net.set_pois(
            "poi", maxdist, 1, pd.Series(graph.x[fac_nodes]), pd.Series(graph.y[fac_nodes])
        )
        return net.nearest_pois(maxdist, "poi", num_pois=1)

    query_s, found = _best_of(repeat, query)
    pandana_min = found[1].to_numpy(dtype=np.float64)
    print(
        f"pandana  set_pois + nearest_pois:                      {query_s * 1000:8.1f} ms "
        f"(+ {build_s * 1000:.0f} ms contraction hierarchy, + {pre_s * 1000:.0f} ms precompute "
        f"to {maxdist:.0f} min)  -> ratio pandana/ours {query_s / ours_s:.2f} (query only), "
        f"{(query_s + build_s + pre_s) / ours_s:.2f} (with set-up); "
        f"max |diff| {np.max(np.abs(pandana_min - ours_min)):.2e} min"
    )


def bench_straight_line(n_origins: int, n_types: int, per_type: int) -> None:
    rng = np.random.default_rng(0)
    side = 100_000.0
    origins = pd.DataFrame(
        {
            "origin_id": np.arange(n_origins, dtype=np.int64),
            "x": 600_000 + rng.uniform(0, side, n_origins),
            "y": 6_800_000 + rng.uniform(0, side, n_origins),
            "epsg": 2154,
            "density_level": rng.integers(1, 8, n_origins),
        }
    )
    n_fac = n_types * per_type
    facilities = pd.DataFrame(
        {
            "facility_id": np.arange(n_fac, dtype=np.int64),
            "service_type": np.repeat([f"service_{i:02d}" for i in range(n_types)], per_type),
            "x": 600_000 + rng.uniform(0, side, n_fac),
            "y": 6_800_000 + rng.uniform(0, side, n_fac),
            "epsg": 2154,
        }
    )
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    table = nearest_facilities(origins, facilities)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"straight line: {n_origins:,} origins x {n_types} types x {per_type} facilities "
        f"x 3 modes = {len(table):,} rows in {wall:.1f} s; result frame "
        f"{table.memory_usage(deep=True).sum() / 2**20:,.0f} MiB; peak RSS of the process "
        f"{peak_mb:,.0f} MiB (inputs and imports before the call: {before_mb:,.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", nargs="?", type=Path, default=DEFAULT_GRAPH)
    parser.add_argument("--facilities", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--origins", type=int, default=1_000_000)
    parser.add_argument("--types", type=int, default=20)
    parser.add_argument("--per-type", type=int, default=300)
    parser.add_argument("--part", choices=("all", "network", "straight_line"), default="all")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (timings are best of --repeat)")
    if args.part in ("all", "network"):
        bench_network(args.graph, args.facilities, args.repeat)
    if args.part == "straight_line":
        bench_straight_line(args.origins, args.types, args.per_type)
    elif args.part == "all":
        sys.stdout.flush()
        command = [
            sys.executable,
            __file__,
            "--part",
            "straight_line",
            "--origins",
            str(args.origins),
            "--types",
            str(args.types),
            "--per-type",
            str(args.per_type),
        ]
        subprocess.run(command, check=True)  # fresh process: a peak RSS of its own


if __name__ == "__main__":
    main()
