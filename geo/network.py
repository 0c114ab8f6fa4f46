"""Road-network travel-time engine: multi-source Dijkstra on OpenStreetMap graphs.

The graph is read once into a :class:`RoadGraph` (plain arrays, metric CRS). For each
mode, :func:`mode_edges` derives the usable directed edges and their cost in minutes:

- ``walk``: every edge except the classes in ``constants.no_walk_highways``
  (motorways), in both directions (one-way streets do not bind walkers), at
  ``walk_kmh``;
- ``bike``: every edge except ``constants.no_bike_highways`` (motorways), in the
  stored direction only (contraflow cycling is not assumed), at ``bike_kmh``;
- ``car``: only the classes of ``constants.car_kmh_by_highway`` (no footway, path,
  pedestrian, steps, cycleway, track, bridleway...), in the stored direction, at the
  class speed capped by a parseable ``maxspeed``. An edge that merges several ways
  (OSMnx simplification) is drivable only if all of them are, at the lowest speed.

OSMnx stores a two-way street as two opposite edges and a one-way street as one edge,
so "the stored direction" is the legal one. Parallel edges keep the fastest.

Direction: costs run origin -> facility. :func:`network_nearest` searches the
*transposed* graph from the facilities (one multi-source Dijkstra per service type and
mode, ``min_only=True``), so a one-way street counts in the direction a resident
drives to the facility.

Snapping: origins and facilities are attached to the nearest node of the largest
strongly connected component of the mode's graph (:func:`network_nodes`), so that no
point is stranded on a fragment. Both snap legs are walked (door to street, street to
door) in a straight line at ``walk_kmh`` for every mode, and are included in
``minutes`` and ``distance_m``; a point far from any road therefore pays its isolation
at walking pace. Car trips also pay ``car_overhead_min`` (parking), as in the
straight-line engine. On the network, car speed comes from road classes:
``density_level`` is not used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from geo._validate import (
    FACILITY_COLUMNS,
    LAND_MASS,
    ORIGIN_COLUMNS,
    OUTPUT_COLUMNS,
    TravelTimeInputError,
    check_facilities,
    check_k,
    check_modes,
    check_points,
    empty_result,
    sorted_types,
    take_ids,
    zone_codes,
)
from geo.constants import DEFAULT_CONSTANTS, MODES, Mode, ModelConstants
from geo.road_graph import (
    RoadGraph,
    graph_from_networkx,
    load_graphml,
    load_osm_pbf,
    load_road_graph,
)

__all__ = [
    "FACILITY_COLUMNS",
    "ORIGIN_COLUMNS",
    "OUTPUT_COLUMNS",
    "EdgeCosts",
    "RoadGraph",
    "edge_cost_matrix",
    "graph_from_networkx",
    "load_graphml",
    "load_osm_pbf",
    "load_road_graph",
    "mode_edges",
    "network_nearest",
    "network_nodes",
    "snap",
]

# Cells of one Dijkstra result block (rows x nodes) in the k > 1 search: ~32 MB float64.
_K_BLOCK_CELLS: Final = 1 << 22


@dataclass(frozen=True, eq=False)
class EdgeCosts:
    """Usable directed edges of one mode, fastest of parallel edges, sorted by (tail, head)."""

    mode: Mode
    tail: npt.NDArray[np.int64]
    head: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.float64]
    length_m: npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class _Search:
    """Transposed cost matrix plus one virtual node per facility (n_nodes + j)."""

    matrix: csr_array
    keys: npt.NDArray[np.int64]  # row * size + col of each stored entry, sorted
    length_m: npt.NDArray[np.float64]  # aligned with ``keys``
    n_nodes: int


# --- Costs per mode ------------------------------------------------------------------


def mode_edges(
    graph: RoadGraph, mode: Mode, constants: ModelConstants = DEFAULT_CONSTANTS
) -> EdgeCosts:
    """Usable directed edges of ``mode`` with their cost in minutes (pure).

    See the module docstring for the rules per mode. Returns empty arrays when no
    edge is usable.
    """
    (mode,) = check_modes((mode,))
    codes, classes = graph.edge_highway.codes, graph.edge_highway.categories
    if mode == "car":
        table = dict(constants.car_kmh_by_highway)
        class_kmh = np.array([_car_class_kmh(str(h), table) for h in classes], dtype=np.float64)[
            codes
        ]
        # A class absent from the table (NaN) closes the edge; maxspeed only caps.
        kmh = np.where(np.isnan(class_kmh), math.nan, np.fmin(class_kmh, graph.edge_maxspeed_kmh))
    else:
        banned = set(constants.no_walk_highways if mode == "walk" else constants.no_bike_highways)
        allowed = np.array([banned.isdisjoint(str(h).split(";")) for h in classes], dtype=bool)
        speed = constants.walk_kmh if mode == "walk" else constants.bike_kmh
        kmh = np.where(allowed[codes], speed, math.nan)
    keep = ~np.isnan(kmh)
    tail, head = graph.edge_u[keep], graph.edge_v[keep]
    length = graph.edge_length_m[keep]
    minutes = length / (kmh[keep] * 1000.0 / 60.0)
    if mode == "walk":
        tail, head = np.concatenate([tail, head]), np.concatenate([head, tail])
        length, minutes = np.concatenate([length, length]), np.concatenate([minutes, minutes])
    keep = _fastest_per_pair(tail * graph.n_nodes + head, minutes)
    return EdgeCosts(mode, tail[keep], head[keep], minutes[keep], length[keep])


def _fastest_per_pair(key: npt.NDArray[np.int64], minutes: np.ndarray) -> npt.NDArray[np.intp]:
    """Positions of the fastest edge of each (tail, head) pair, sorted by pair."""
    order = np.argsort(key, kind="stable")
    sorted_key, sorted_min = key[order], minutes[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    if first.all():
        return order
    group = np.cumsum(first) - 1
    fastest = np.minimum.reduceat(sorted_min, np.flatnonzero(first))
    candidates = np.flatnonzero(sorted_min == fastest[group])
    _, first_candidate = np.unique(group[candidates], return_index=True)
    return order[candidates[first_candidate]]


def _car_class_kmh(highway: str, table: dict[str, float]) -> float:
    """Lowest class speed of a (possibly merged) edge; NaN if any part is closed to cars."""
    classes = highway.split(";")
    if not all(c in table for c in classes):
        return math.nan
    return min(table[c] for c in classes)


def edge_cost_matrix(
    graph: RoadGraph, mode: Mode, constants: ModelConstants = DEFAULT_CONSTANTS
) -> csr_array:
    """Sparse (n_nodes x n_nodes) matrix of edge minutes, row = from, column = to.

    Explicit zeros are zero-minute edges (``scipy.sparse.csgraph`` keeps them).
    """
    costs = mode_edges(graph, mode, constants)  # sorted by (tail, head)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(costs.tail, minlength=graph.n_nodes))])
    return csr_array((costs.minutes, costs.head, indptr), shape=(graph.n_nodes, graph.n_nodes))


def network_nodes(
    graph: RoadGraph, mode: Mode, constants: ModelConstants = DEFAULT_CONSTANTS
) -> npt.NDArray[np.int64]:
    """Indices of the nodes points are snapped to for ``mode``.

    These are the nodes of the largest strongly connected component of the mode's
    graph, so that a point is never attached to a fragment it cannot leave (a private
    car park, an island of footways). Empty when the mode has no usable edge.
    """
    return _main_component(_reverse(mode_edges(graph, mode, constants), graph.n_nodes))


@dataclass(frozen=True, eq=False)
class _Reversed:
    """Transposed costs as CSR arrays: row = edge head, column = edge tail."""

    indptr: npt.NDArray[np.int64]
    tails: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.float64]
    length_m: npt.NDArray[np.float64]

    def matrix(self) -> csr_array:
        n = len(self.indptr) - 1
        return csr_array((self.minutes, self.tails, self.indptr), shape=(n, n))


def _reverse(costs: EdgeCosts, n_nodes: int) -> _Reversed:
    order = np.argsort(costs.head * n_nodes + costs.tail)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(costs.head, minlength=n_nodes))])
    return _Reversed(indptr, costs.tail[order], costs.minutes[order], costs.length_m[order])


def _components(reversed_costs: _Reversed) -> npt.NDArray[np.int64]:
    """Strongly connected component of every node; -1 for nodes without a usable edge."""
    matrix = reversed_costs.matrix()
    _, labels = connected_components(matrix, directed=True, connection="strong")
    n = matrix.shape[0]
    degree = np.diff(reversed_costs.indptr) + np.bincount(reversed_costs.tails, minlength=n)
    return np.where(degree > 0, labels, -1).astype(np.int64)


def _main_component(reversed_costs: _Reversed) -> npt.NDArray[np.int64]:
    """Nodes of the largest strongly connected component (same in the transpose)."""
    if len(reversed_costs.tails) == 0:
        return np.empty(0, dtype=np.int64)
    labels = _components(reversed_costs)
    used = np.flatnonzero(labels >= 0)
    main = np.bincount(labels[used]).argmax()
    return used[labels[used] == main].astype(np.int64)


def snap(
    graph: RoadGraph,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    nodes: npt.NDArray[np.int64] | None = None,
    *,
    tree: cKDTree | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Nearest node of each point (coordinates in ``graph.epsg``, metres).

    Parameters
    ----------
    nodes : array of node indices, optional
        Candidate nodes (e.g. those usable by a mode); all nodes by default.
    tree : cKDTree, optional
        A k-d tree already built on the candidates' coordinates (in ``nodes``
        order), to skip building it again.

    Returns
    -------
    node : ndarray of int64
        Index of the nearest candidate node (into ``graph.x``).
    snap_m : ndarray of float64
        Straight-line distance to it, metres. Empty input gives empty arrays.
    """
    candidates = np.arange(graph.n_nodes, dtype=np.int64) if nodes is None else np.asarray(nodes)
    if len(candidates) == 0:
        raise ValueError("no candidate node to snap to")
    points = np.column_stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)])
    if len(points) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if tree is None:
        tree = cKDTree(np.column_stack([graph.x[candidates], graph.y[candidates]]))
    # Threads only pay off on large queries (start-up costs ~ms).
    dist, idx = tree.query(points, workers=-1 if len(points) > 50_000 else 1)
    return candidates[idx].astype(np.int64), np.asarray(dist, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class ModeNetwork:
    """What one mode's searches need from a graph, computed once (:func:`prepare_mode`).

    ``graph`` is the graph it was prepared from (checked on use), ``reversed_costs``
    the transposed edge costs, ``usable`` the nodes of the main strongly connected
    component and ``tree`` a k-d tree on their coordinates. ``labels`` (the strong
    component of every node) and ``used_tree`` serve the land masses: the points of
    an island snap to the island's own roads (:func:`_land_mass_nodes`).
    """

    graph: RoadGraph
    mode: Mode
    constants: ModelConstants
    reversed_costs: _Reversed
    usable: npt.NDArray[np.int64]
    tree: cKDTree | None

    @cached_property
    def labels(self) -> npt.NDArray[np.int64]:
        """Strong component of every node (-1: no usable edge), computed on first use."""
        return _components(self.reversed_costs)

    @cached_property
    def used(self) -> npt.NDArray[np.int64]:
        """Nodes with a usable edge, in any component."""
        return np.flatnonzero(self.labels >= 0).astype(np.int64)

    @cached_property
    def used_tree(self) -> cKDTree:
        """k-d tree on the coordinates of :attr:`used`."""
        return cKDTree(np.column_stack([self.graph.x[self.used], self.graph.y[self.used]]))


def prepare_mode(
    graph: RoadGraph, mode: Mode, constants: ModelConstants = DEFAULT_CONSTANTS
) -> ModeNetwork:
    """Edge costs, main component and snapping tree of ``mode`` (reusable across calls).

    Pass the result to :func:`network_nearest` (``prepared=``) when the same graph
    answers many queries (what-if simulations, benchmarks): only the snapping of the
    points and the Dijkstra searches are then repeated.
    """
    (mode,) = check_modes((mode,))
    reversed_costs = _reverse(mode_edges(graph, mode, constants), graph.n_nodes)
    usable = _main_component(reversed_costs)
    tree = cKDTree(np.column_stack([graph.x[usable], graph.y[usable]])) if len(usable) else None
    return ModeNetwork(graph, mode, constants, reversed_costs, usable, tree)


# --- Nearest facilities ---------------------------------------------------------------


def network_nearest(
    graph: RoadGraph,
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    modes: tuple[Mode, ...] = MODES,
    k: int = 1,
    constants: ModelConstants = DEFAULT_CONSTANTS,
    prepared: Sequence[ModeNetwork] = (),
) -> pd.DataFrame:
    """Travel time to the k nearest facilities of each service type, on the network.

    Parameters
    ----------
    graph : RoadGraph
        Road graph; origins and facilities must be in its CRS (``graph.epsg``).
    origins : DataFrame
        ``origin_id`` (unique), ``x``, ``y`` (metres), ``epsg``.
    facilities : DataFrame
        ``facility_id`` (unique), ``service_type``, ``x``, ``y`` (metres), ``epsg``.
    modes : tuple of {"walk", "bike", "car"}
    k : int
        1 runs one multi-source Dijkstra per (service type, mode); k > 1 runs one
        Dijkstra per facility (cost grows with the number of facilities).
    constants : ModelConstants
    prepared : sequence of ModeNetwork, optional
        Modes already prepared on this graph with these constants
        (:func:`prepare_mode`); the other modes are prepared here.

    Returns
    -------
    DataFrame
        Same columns and dtypes as :func:`geo.straight_line.nearest_facilities`:
        ``origin_id``, ``service_type`` (categorical), ``mode`` (categorical),
        ``rank`` (int16), ``minutes`` (float32: snap legs at walking speed + network
        time + car overhead), ``distance_m`` (float32: snap legs + length of the
        fastest path, metres), ``facility_id``. Rows are ordered by service type,
        mode, land mass, origin (input order), rank. Points snap to the main
        strongly connected component, so every origin reaches every facility of the
        type: the table has a row per origin, type, mode and rank up to min(k,
        facilities of the type); a mode without any usable edge gives no row. Empty
        inputs give an empty frame.

        Land masses: when both frames carry ``land_mass``, each land mass is
        searched apart. Its points only meet its facilities and snap to the strong
        component nearest to most of them: the island's own roads, since the graph
        has no ferry edge (OSM ``route=ferry`` ways carry no ``highway`` tag). A land
        mass the graph does not cover snaps to the nearest roads, across the sea:
        use a graph that covers the islands. A land mass without a facility of a
        type gets no row for it.
    """
    modes = check_modes(modes)
    k = check_k(k)
    ready = {}
    for net in prepared:
        if net.graph is not graph or net.constants != constants:
            raise ValueError("prepared mode networks belong to another graph or constants")
        ready[net.mode] = net
    _check_same_crs(graph, origins, facilities)
    if origins.empty or facilities.empty:
        return empty_result(origins, facilities)
    o_zone, f_zone = zone_codes(origins, facilities)  # one CRS here: zones = land masses
    by_land_mass = LAND_MASS in origins.columns
    types = sorted_types(facilities)
    frames: dict[tuple[int, int, int], pd.DataFrame] = {}
    for mode in modes:
        net = ready.get(mode) or prepare_mode(graph, mode, constants)
        if len(net.usable) == 0:
            continue
        for z, zone in enumerate(np.unique(o_zone)):
            here, there = np.flatnonzero(o_zone == zone), np.flatnonzero(f_zone == zone)
            if len(there) == 0:
                continue
            sub_o, sub_f = origins.iloc[here], facilities.iloc[there]
            nodes = _land_mass_nodes(net, sub_o, sub_f) if by_land_mass else None
            for (code, m), frame in _one_mode(net, sub_o, sub_f, k, types, nodes).items():
                frames[(code, m, z)] = frame
    if not frames:
        return empty_result(origins, facilities)
    return pd.concat([frames[key] for key in sorted(frames)], ignore_index=True)


def _land_mass_nodes(
    net: ModeNetwork, origins: pd.DataFrame, facilities: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], cKDTree]:
    """Snapping nodes of one land mass: the strong component nearest to most of its points.

    The road graph has no ferry edge, so an island's roads form their own component;
    without this, the island's points would snap to the main component across the sea.
    """
    x = np.concatenate([origins["x"].to_numpy(np.float64), facilities["x"].to_numpy(np.float64)])
    y = np.concatenate([origins["y"].to_numpy(np.float64), facilities["y"].to_numpy(np.float64)])
    nearest, _ = snap(net.graph, x, y, net.used, tree=net.used_tree)
    label = int(np.bincount(net.labels[nearest]).argmax())
    if label == net.labels[net.usable[0]]:
        assert net.tree is not None  # usable is not empty
        return net.usable, net.tree
    nodes = np.flatnonzero(net.labels == label).astype(np.int64)
    return nodes, cKDTree(np.column_stack([net.graph.x[nodes], net.graph.y[nodes]]))


def _check_same_crs(graph: RoadGraph, origins: pd.DataFrame, facilities: pd.DataFrame) -> None:
    for name, codes in (
        ("origins", check_points(origins, "origins", ORIGIN_COLUMNS)),
        ("facilities", check_facilities(facilities)),
    ):
        if codes and codes != [graph.epsg]:
            raise TravelTimeInputError(
                f"{name} are in EPSG {codes} but the road graph is in EPSG:{graph.epsg}; "
                "load the graph with that epsg or reproject the points (geo.crs.transform)"
            )


def _one_mode(
    net: ModeNetwork,
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    k: int,
    types: list[str],
    snap_to: tuple[npt.NDArray[np.int64], cKDTree] | None = None,
) -> dict[tuple[int, int], pd.DataFrame]:
    """Rows of one mode for every service type, keyed by (type code, mode code).

    Points snap to ``snap_to`` (nodes and their k-d tree), by default the main
    strongly connected component. A type absent from ``facilities`` gives no frame.
    """
    graph, mode, constants = net.graph, net.mode, net.constants
    reversed_costs = net.reversed_costs
    usable, tree = snap_to if snap_to is not None else (net.usable, net.tree)
    if len(usable) == 0:
        return {}
    # One k-d tree query for origins and facilities together.
    n_o = len(origins)
    nodes, snap_m = snap(
        graph,
        np.concatenate([origins["x"].to_numpy(np.float64), facilities["x"].to_numpy(np.float64)]),
        np.concatenate([origins["y"].to_numpy(np.float64), facilities["y"].to_numpy(np.float64)]),
        usable,
        tree=tree,
    )
    walk = constants.speed_m_per_min("walk")
    search = _search_graph(reversed_costs, nodes[n_o:], snap_m[n_o:], walk)
    targets, inverse = np.unique(nodes[:n_o], return_inverse=True)
    extra = snap_m[:n_o] / walk + (constants.car_overhead_min if mode == "car" else 0.0)
    f_type = facilities["service_type"].astype(str).to_numpy()
    frames = {}
    for code, service in enumerate(types):
        of_type = np.flatnonzero(f_type == service)
        if len(of_type) == 0:
            continue
        found = _nearest(search, of_type, targets, k)
        frames[(code, MODES.index(mode))] = _rows(
            found, inverse, extra, snap_m[:n_o], code, mode, types, origins, facilities
        )
    return frames


def _search_graph(
    reversed_costs: _Reversed,
    f_node: npt.NDArray[np.int64],
    f_snap_m: npt.NDArray[np.float64],
    walk_m_per_min: float,
) -> _Search:
    """Append one row per facility: virtual node n_nodes + j -> its snap node."""
    n_nodes = len(reversed_costs.indptr) - 1
    size = n_nodes + len(f_node)
    indptr = np.concatenate(
        [reversed_costs.indptr, reversed_costs.indptr[-1] + np.arange(1, len(f_node) + 1)]
    )
    cols = np.concatenate([reversed_costs.tails, f_node])
    minutes = np.concatenate([reversed_costs.minutes, f_snap_m / walk_m_per_min])
    length = np.concatenate([reversed_costs.length_m, f_snap_m])
    rows = np.repeat(np.arange(size, dtype=np.int64), np.diff(indptr))
    matrix = csr_array((minutes, cols, indptr), shape=(size, size))
    return _Search(matrix, rows * size + cols, length, n_nodes)


def _nearest(
    search: _Search, fpos: npt.NDArray[np.intp], targets: npt.NDArray[np.int64], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k', n_targets) arrays: minutes, metres, facility position (-1 / inf if none)."""
    sources = search.n_nodes + fpos
    if k == 1:
        dist, pred, src = dijkstra(
            search.matrix, directed=True, indices=sources, min_only=True, return_predecessors=True
        )
        length = _tree_length(pred[None, :], search)[0]
        reached = src[targets] >= 0
        facility = np.where(reached, src[targets] - search.n_nodes, -1)
        return dist[targets][None, :], length[targets][None, :], facility[None, :]
    kk = min(k, len(fpos))
    best = (
        np.full((kk, len(targets)), np.inf),
        np.zeros((kk, len(targets))),
        np.full((kk, len(targets)), -1, dtype=np.int64),
    )
    step = max(1, _K_BLOCK_CELLS // search.matrix.shape[0])
    for start in range(0, len(fpos), step):
        part = fpos[start : start + step]
        dist, pred = dijkstra(
            search.matrix, directed=True, indices=search.n_nodes + part, return_predecessors=True
        )
        length = _tree_length(np.atleast_2d(pred), search)
        cand = (
            np.vstack([best[0], np.atleast_2d(dist)[:, targets]]),
            np.vstack([best[1], length[:, targets]]),
            np.vstack([best[2], np.broadcast_to(part[:, None], (len(part), len(targets)))]),
        )
        top = np.argsort(cand[0], axis=0, kind="stable")[:kk]
        best = tuple(np.take_along_axis(c, top, axis=0) for c in cand)  # type: ignore[assignment]
    return best


def _tree_length(pred: npt.NDArray[np.int32], search: _Search) -> npt.NDArray[np.float64]:
    """Metres from each node to the root of its shortest-path tree (row per tree).

    Pointer jumping: each pass adds the length up to the current ancestor and jumps
    to the ancestor's ancestor, so a tree of depth d needs log2(d) vectorised passes.
    """
    n_rows, size = pred.shape
    has = pred >= 0
    local = np.broadcast_to(np.arange(size, dtype=np.int64), pred.shape)
    keys = pred[has].astype(np.int64) * size + local[has]
    acc: npt.NDArray[np.float64] = np.zeros(pred.shape, dtype=np.float64)
    acc[has] = search.length_m[np.searchsorted(search.keys, keys)]
    offset = (np.arange(n_rows, dtype=np.int64) * size)[:, None]
    ancestor = np.where(has, pred.astype(np.int64) + offset, local + offset).ravel()
    acc = acc.ravel()
    while True:
        jump = ancestor[ancestor]
        if np.array_equal(jump, ancestor):
            return acc.reshape(n_rows, size)
        acc = acc + acc[ancestor]
        ancestor = jump


def _rows(
    found: tuple[np.ndarray, np.ndarray, np.ndarray],
    inverse: npt.NDArray[np.intp],
    extra_min: npt.NDArray[np.float64],
    snap_m: npt.NDArray[np.float64],
    type_code: int,
    mode: Mode,
    types: list[str],
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
) -> pd.DataFrame:
    """Long rows of one (service type, mode) from per-node results."""
    minutes_nodes, metres_nodes, facility_nodes = found
    kk = minutes_nodes.shape[0]
    minutes = (minutes_nodes[:, inverse].T + extra_min[:, None]).ravel()
    metres = (metres_nodes[:, inverse].T + snap_m[:, None]).ravel()
    facility = facility_nodes[:, inverse].T.ravel()
    ok = np.isfinite(minutes)
    origin_pos = np.repeat(np.arange(len(origins)), kk)[ok]
    n = int(ok.sum())
    return pd.DataFrame(
        {
            "origin_id": take_ids(origins["origin_id"], origin_pos),
            "service_type": pd.Categorical.from_codes(np.full(n, type_code, dtype=np.int32), types),
            "mode": pd.Categorical.from_codes(
                np.full(n, MODES.index(mode), dtype=np.int8), list(MODES)
            ),
            "rank": np.tile(np.arange(1, kk + 1, dtype=np.int16), len(origins))[ok],
            "minutes": minutes[ok].astype(np.float32),
            "distance_m": metres[ok].astype(np.float32),
            "facility_id": take_ids(facilities["facility_id"], facility[ok]),
        },
        columns=list(OUTPUT_COLUMNS),
    )
