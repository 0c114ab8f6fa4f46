"""Road graphs for the network engine: one array-based type and its loaders.

A :class:`RoadGraph` holds nodes (ids, metric x/y) and directed edges (length, OSM
``highway`` class, ``maxspeed``) as arrays. :func:`load_graphml` reads OSMnx GraphML
(``osmnx.save_graphml``; the ``.gml`` files of the data mirror are GraphML) and
projects the nodes to a metric CRS; :func:`load_osm_pbf` reads ``.osm.pbf`` extracts
with ``pyrosm`` and gives the same directed edges as OSMnx would.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from geo.crs import LAMBERT93, WGS84, check_metric_crs, transform

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "RoadGraph",
    "graph_from_networkx",
    "load_graphml",
    "load_osm_pbf",
    "load_road_graph",
]

# Tags read from .osm.pbf extracts.
_PBF_TAGS: Final = ("highway", "maxspeed", "oneway", "junction")
# ``oneway`` values making a way one-way, and those reversing it: OSMnx
# (osmnx.graph._is_path_one_way, _is_path_reversed), so that .osm.pbf and GraphML
# built by OSMnx give the same directions.
_ONEWAY_VALUES: Final = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
_ONEWAY_REVERSED: Final = frozenset({"-1", "reverse", "T"})

# Implicit French ``maxspeed`` values (Code de la route R413-2, R413-3), km/h.
_IMPLICIT_MAXSPEED: Final = MappingProxyType(
    {
        "fr:urban": 50.0,
        "fr:rural": 80.0,
        "fr:motorway": 130.0,
        "fr:zone30": 30.0,
        "fr:zone20": 20.0,
        "fr:walk": 6.0,
        "walk": 6.0,
    }
)


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph as arrays, in a metric CRS.

    Attributes
    ----------
    node_ids : ndarray
        Source node ids (int64 OSM ids when they are all integers, else objects).
    x, y : ndarray of float64
        Node coordinates in metres in ``epsg``.
    epsg : int
        Metric CRS of ``x``/``y`` (checked).
    edge_u, edge_v : ndarray of int64
        Tail and head of each directed edge, as indices into the node arrays.
    edge_length_m : ndarray of float64
        Edge length in metres (OSMnx ``length``).
    edge_highway : pandas.Categorical
        OSM ``highway`` class; ``";"``-joined when an edge merges ways; ``""`` unknown.
        Any sequence of str is accepted and stored as a categorical (few classes).
    edge_maxspeed_kmh : ndarray of float64
        Parsed ``maxspeed`` (lowest value of a merged edge), NaN when absent.
    """

    node_ids: np.ndarray
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    epsg: int
    edge_u: npt.NDArray[np.int64]
    edge_v: npt.NDArray[np.int64]
    edge_length_m: npt.NDArray[np.float64]
    edge_highway: pd.Categorical
    edge_maxspeed_kmh: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        if not isinstance(self.edge_highway, pd.Categorical):
            # Coercion at construction time only (frozen afterwards).
            highway = pd.Categorical(np.asarray(self.edge_highway, dtype=object).astype(str))
            object.__setattr__(self, "edge_highway", highway)
        check_metric_crs(self.epsg)
        n, m = len(self.node_ids), len(self.edge_u)
        if not (len(self.x) == len(self.y) == n):
            raise ValueError("node_ids, x and y must have the same length")
        edge_arrays = (self.edge_v, self.edge_length_m, self.edge_highway, self.edge_maxspeed_kmh)
        if any(len(a) != m for a in edge_arrays):
            raise ValueError("edge arrays must have the same length")
        if m and (
            min(self.edge_u.min(), self.edge_v.min()) < 0
            or max(self.edge_u.max(), self.edge_v.max()) >= n
        ):
            raise ValueError("edge_u/edge_v must index the node arrays")
        if m and not (np.all(np.isfinite(self.edge_length_m)) and self.edge_length_m.min() >= 0):
            raise ValueError("edge lengths must be finite and >= 0 metres")
        if n and not (np.all(np.isfinite(self.x)) and np.all(np.isfinite(self.y))):
            raise ValueError("node coordinates must be finite")

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)


def load_road_graph(path: str | Path, epsg: int = LAMBERT93) -> RoadGraph:
    """Load ``.gml``/``.graphml`` (OSMnx GraphML) or ``.osm.pbf`` into a RoadGraph."""
    name = Path(path).name.lower()
    if name.endswith((".gml", ".graphml")):
        return load_graphml(path, epsg)
    if name.endswith(".pbf"):
        return load_osm_pbf(path, epsg)
    raise ValueError(f"unknown road graph format: {path} (expected .graphml, .gml or .osm.pbf)")


def load_graphml(path: str | Path, epsg: int = LAMBERT93) -> RoadGraph:
    """Read an OSMnx GraphML file and project its nodes to ``epsg``.

    The file's graph attribute ``crs`` (OSMnx writes ``epsg:4326``) gives the source
    CRS. Missing edge lengths are replaced by the straight line between the nodes.
    """
    import networkx as nx  # imported here: 0.1 s that the dashboard's start need not pay

    graph = nx.read_graphml(Path(path), force_multigraph=True)
    return graph_from_networkx(graph, epsg)


def graph_from_networkx(
    graph: nx.Graph, epsg: int = LAMBERT93, source_epsg: int | None = None
) -> RoadGraph:
    """Convert an OSMnx-style networkx graph (node ``x``/``y``, edge ``length``).

    ``source_epsg`` defaults to the graph attribute ``crs``. An undirected graph gets
    both directions of every edge.
    """
    epsg = check_metric_crs(epsg)
    source = source_epsg if source_epsg is not None else _graph_epsg(graph)
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    data = graph.nodes(data=True)
    x0 = np.array([float(data[n]["x"]) for n in nodes], dtype=np.float64)
    y0 = np.array([float(data[n]["y"]) for n in nodes], dtype=np.float64)
    x, y = transform(x0, y0, source, epsg)
    rows = [
        (
            index[u],
            index[v],
            _float(d.get("length")),
            _highway(d.get("highway")),
            _maxspeed(d.get("maxspeed")),
        )
        for u, v, d in graph.edges(data=True)
    ]
    if not graph.is_directed():
        rows += [(v, u, metres, highway, kmh) for u, v, metres, highway, kmh in rows]
    u_arr = np.array([r[0] for r in rows], dtype=np.int64)
    v_arr = np.array([r[1] for r in rows], dtype=np.int64)
    length = np.array([r[2] for r in rows], dtype=np.float64)
    missing = np.isnan(length)
    length[missing] = np.hypot(
        x[u_arr[missing]] - x[v_arr[missing]], y[u_arr[missing]] - y[v_arr[missing]]
    )
    return RoadGraph(
        node_ids=_node_ids(nodes),
        x=x,
        y=y,
        epsg=epsg,
        edge_u=u_arr,
        edge_v=v_arr,
        edge_length_m=length,
        edge_highway=np.array([r[3] for r in rows], dtype=object),
        edge_maxspeed_kmh=np.array([r[4] for r in rows], dtype=np.float64),
    )


def load_osm_pbf(path: str | Path, epsg: int = LAMBERT93) -> RoadGraph:
    """Read an ``.osm.pbf`` extract with ``pyrosm`` into a RoadGraph.

    Every way with a ``highway`` tag of pyrosm's ``"all"`` network (OSMnx ``"all"``:
    no ``area=yes``, no abandoned/construction/proposed... classes) is split into one
    edge per pair of consecutive nodes, of great-circle length (pyrosm ``length``).
    Directions follow OSMnx (``osmnx.graph._is_path_one_way``): a way is one-way when ``oneway`` is
    one of ``yes``, ``true``, ``1``, ``-1``, ``reverse``, ``T``, ``F`` or when
    ``junction=roundabout``; ``-1``, ``reverse`` and ``T`` run against the way's node
    order; any other way gets both directions. The result thus has the edges of
    ``osmnx.graph_from_xml(..., network_type="all", simplify=False)``; walkers ignore
    the direction anyway (see :func:`geo.network.mode_edges`).

    Raises
    ------
    ModuleNotFoundError
        ``pyrosm`` is not installed (the message names the package).
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not a valid OSM PBF, or holds no road; the message names the file.
    """
    if importlib.util.find_spec("pyrosm") is None:
        raise ModuleNotFoundError(
            "reading .osm.pbf needs the package 'pyrosm' (pip install pyrosm), "
            "which is not installed; or build a GraphML with osmnx (e.g. osmium-tool to "
            ".osm XML, osmnx.graph_from_xml, osmnx.save_graphml) and use load_graphml()"
        )
    import pyrosm
    from pyrosm.exceptions import PBFException

    epsg = check_metric_crs(epsg)
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"OSM PBF file not found: {file}")
    try:
        with warnings.catch_warnings():
            # pyrosm warns, then returns None, when the extract holds no road.
            warnings.filterwarnings("ignore", "Could not find any edges", UserWarning)
            network = pyrosm.OSM(str(file)).get_network(
                network_type="all", nodes=True, tags_to_keep=list(_PBF_TAGS)
            )
    except PBFException as exc:
        raise ValueError(f"cannot read the OSM PBF file {file}: {exc}") from exc
    nodes, edges = network if network is not None else (None, None)
    if nodes is None or edges is None or edges.empty:
        raise ValueError(f"no road (way with a 'highway' tag) in the OSM PBF file {file}")
    ids = nodes["id"].to_numpy(dtype=np.int64)
    x, y = transform(nodes["lon"].to_numpy(), nodes["lat"].to_numpy(), WGS84, epsg)
    position = pd.Index(ids)
    u = position.get_indexer(edges["u"].to_numpy(dtype=np.int64))
    v = position.get_indexer(edges["v"].to_numpy(dtype=np.int64))
    if (u < 0).any() or (v < 0).any():
        raise ValueError(f"edges of the OSM PBF file {file} reference missing nodes")
    oneway = _tag(edges, "oneway")
    reverse = oneway.isin(_ONEWAY_REVERSED).to_numpy()
    one_way = (oneway.isin(_ONEWAY_VALUES) | (_tag(edges, "junction") == "roundabout")).to_numpy()
    forward = ~reverse  # stored u -> v (way order)
    backward = reverse | ~one_way  # stored v -> u
    highway = _mapped(_tag(edges, "highway"), _highway, object)
    maxspeed = _mapped(_tag(edges, "maxspeed"), _maxspeed, np.float64)
    length = edges["length"].to_numpy(dtype=np.float64)
    return RoadGraph(
        node_ids=ids,
        x=x,
        y=y,
        epsg=epsg,
        edge_u=np.concatenate([u[forward], v[backward]]).astype(np.int64),
        edge_v=np.concatenate([v[forward], u[backward]]).astype(np.int64),
        edge_length_m=np.concatenate([length[forward], length[backward]]),
        edge_highway=np.concatenate([highway[forward], highway[backward]]),
        edge_maxspeed_kmh=np.concatenate([maxspeed[forward], maxspeed[backward]]),
    )


def _tag(edges: pd.DataFrame, key: str) -> pd.Series:
    """Tag column as object strings, None where absent (pyrosm omits all-empty keys)."""
    if key not in edges:
        return pd.Series(None, index=edges.index, dtype=object)
    column = edges[key].astype(object)
    return column.where(column.notna(), None)


def _mapped(values: pd.Series, parse: Any, dtype: Any) -> np.ndarray:
    """Apply ``parse`` once per distinct value (few classes and speeds, many edges)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.array([parse(u) for u in uniques] + [parse(None)], dtype=dtype)
    return parsed[codes]  # code -1 (missing) picks the trailing parse(None)


def _graph_epsg(graph: nx.Graph) -> int:
    crs = graph.graph.get("crs")
    if crs is None:
        raise ValueError("graph has no 'crs' attribute: pass source_epsg explicitly")
    code = CRS.from_user_input(crs).to_epsg()
    if code is None:
        raise ValueError(f"cannot find an EPSG code for the graph CRS {crs!r}")
    return int(code)


def _node_ids(nodes: list[Any]) -> np.ndarray:
    try:
        return np.array([int(n) for n in nodes], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return np.array(nodes, dtype=object)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _as_list(value: Any) -> list[str]:
    """OSMnx attributes may be a value, a list, or a list written as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return [text]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [text] if text else []


def _highway(value: Any) -> str:
    return ";".join(_as_list(value))


def _maxspeed(value: Any) -> float:
    speeds = [_one_maxspeed(v) for v in _as_list(value)]
    known = [s for s in speeds if not math.isnan(s)]
    return min(known) if known else math.nan


def _one_maxspeed(text: str) -> float:
    text = text.strip().lower()
    if text in _IMPLICIT_MAXSPEED:
        return _IMPLICIT_MAXSPEED[text]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(mph)?", text)
    if match is None:
        return math.nan
    kmh = float(match.group(1)) * (1.609344 if match.group(2) else 1.0)
    return kmh if kmh > 0 else math.nan
