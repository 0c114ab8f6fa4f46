"""Build step: travel times from every population point to every kind of facility.

:func:`compute_travel_times` runs inside ``warehouse.build.build`` (after the base
tables, before the swap). It reads ``population_points`` and ``facilities``, calls
:func:`geo.engine.travel_times` and writes the table ``travel_times`` of
``warehouse/SCHEMA.md``::

    origin_id, service_type, mode, rank, minutes, distance_m, facility_id, method

What it holds
-------------
- For every service type and every mode (walk, bike, car): the nearest facility
  (``rank = 1``) of each population point, on the point's land mass (walking,
  cycling and driving never cross the sea: :mod:`geo.land_masses`). A point whose
  land mass (continent, Corsica, an island, an overseas island) has no facility of
  a type has no row for it: the indicators read that as "beyond every threshold".
- For the capacity-limited types of :data:`CATCHMENT_SERVICE_TYPES` (France
  Services, tiers-lieux, schools), by car only, also ranks 2, 3, ... : every
  facility reachable within the outer limit of the enhanced 2SFCA distance-decay
  bands (``constants.fca_bands``, 30 min). These rows are the catchments of
  :mod:`indicators.fca`; they are complete, not a truncated k-nearest list: the
  number of facilities asked from the engine is first bounded by counting, with a
  k-d tree, the facilities inside the largest straight-line radius a trip within
  the limit can cover.

Method: straight line with calibrated detours (default), or the road network when
``settings.travel_method == "network"`` (``settings.road_graph`` must name an OSMnx
GraphML or ``.osm.pbf`` file). The SQL is read from ``warehouse/sql/geo/`` (the reads
take no parameters; the travel-time table binds the method).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol
from xml.etree.ElementTree import ParseError  # nosec B405

import duckdb
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree
from tqdm import tqdm

from geo._validate import MAX_K, zone_codes
from geo.catchment import CATCHMENT_MODE, CATCHMENT_SERVICE_TYPES, catchment_limit
from geo.constants import DEFAULT_CONSTANTS, MODES, ModelConstants
from geo.engine import METHODS, Method, one_per_point, travel_times
from geo.network import RoadGraph, load_road_graph
from warehouse.gate import query, run_sql

log = logging.getLogger(__name__)


# The engine runs on integer ids (positions); text ids, service types and modes are
# joined back from small lookup frames (_tt_*), which DuckDB reads much faster than
# millions of Python strings. The queries are warehouse/sql/geo/*.sql.

__all__ = [
    "CATCHMENT_MODE",
    "CATCHMENT_SERVICE_TYPES",
    "AccessSettings",
    "AccessStepError",
    "catchment_limit",
    "catchment_times",
    "compute_travel_times",
]


class AccessSettings(Protocol):
    """What the step reads from ``etl.settings.Settings`` (any object with them).

    Read-only properties: the frozen ``Settings`` (or any object with these
    attributes) satisfies the protocol.
    """

    @property
    def travel_method(self) -> str: ...
    @property
    def road_graph(self) -> Path | None: ...
    @property
    def progress(self) -> bool: ...


class AccessStepError(ValueError):
    """The travel-time step cannot run with the settings given (e.g. no road graph)."""


def compute_travel_times(
    con: duckdb.DuckDBPyConnection,
    settings: AccessSettings,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> None:
    """Build step writing the table ``travel_times`` (see the module docstring).

    Parameters
    ----------
    con : duckdb connection
        The open warehouse, with ``population_points`` and ``facilities``.
    settings : etl.settings.Settings (or any object with these attributes)
        ``travel_method`` ("straight_line" or "network"), ``road_graph`` (needed by
        "network"), ``progress`` (a tqdm bar over service types).
    constants : ModelConstants
        Speeds, detours and 2SFCA bands (see :mod:`geo.constants`).

    Raises
    ------
    AccessStepError
        Unknown method, or "network" without a readable road graph.
    """
    method = _method(settings)
    graph = _graph(settings) if method == "network" else None
    points = query(con, "geo/origins").df()
    facilities = query(con, "geo/facilities").df()
    origins = points.assign(origin_id=np.arange(len(points), dtype=np.int64))
    positions = facilities.assign(facility_id=np.arange(len(facilities), dtype=np.int64))
    types = sorted(str(t) for t in facilities["service_type"].unique())
    parts = [_numeric(_empty_frame(), 0)]
    bar = tqdm(types, desc="temps d'accès", unit="type", disable=not settings.progress)
    for code, service_type in enumerate(bar):
        bar.set_postfix_str(service_type)
        of_type = one_per_point(positions[positions["service_type"] == service_type])
        parts.append(_numeric(_one_type(origins, of_type, method, graph, constants), code))
    rows = _with_crow(pd.concat(parts, ignore_index=True), origins, positions)
    _write(con, "geo/write_travel_times", rows, points, types, facilities, {"method": method})
    log.info("travel_times: %d rows (%s, %d types)", len(rows), method, len(types))
    _demand_catchments(con, facilities, types, method, graph, constants)


def _write(
    con: duckdb.DuckDBPyConnection,
    sql_name: str,
    rows: pd.DataFrame,
    points: pd.DataFrame,
    types: list[str],
    facilities: pd.DataFrame,
    params: dict[str, str] | None = None,
) -> None:
    """Run ``warehouse/sql/<sql_name>.sql`` over the numeric rows and their lookup
    frames (``_tt_*``)."""
    frames = {
        "_tt_rows": rows,
        "_tt_origins": _lookup(points["origin_id"], "origin_id"),
        "_tt_types": _lookup(pd.Series(types, dtype=object), "service_type"),
        "_tt_modes": _lookup(pd.Series(MODES, dtype=object), "mode"),
        "_tt_facilities": _lookup(facilities["facility_id"], "facility_id"),
    }
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        run_sql(con, sql_name, params)
    finally:
        for name in frames:
            con.unregister(name)


def _with_crow(rows: pd.DataFrame, origins: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Add ``crow_m``: the straight-line distance (metres) of each (origin, facility)."""
    o = rows["origin_id"].to_numpy(dtype=np.int64)
    f = rows["facility_id"].to_numpy(dtype=np.int64)
    ox, oy = origins["x"].to_numpy(dtype=np.float64), origins["y"].to_numpy(dtype=np.float64)
    fx = facilities["x"].to_numpy(dtype=np.float64)
    fy = facilities["y"].to_numpy(dtype=np.float64)
    crow = np.hypot(ox[o] - fx[f], oy[o] - fy[f]) if len(rows) else np.empty(0)
    return rows.assign(crow_m=crow.astype(np.float32))


def _demand_catchments(
    con: duckdb.DuckDBPyConnection,
    facilities: pd.DataFrame,
    types: list[str],
    method: Method,
    graph: RoadGraph | None,
    constants: ModelConstants,
) -> None:
    """Table ``demand_travel_times``: car catchments of the points around the territory."""
    points = query(con, "geo/demand_origins").df()
    origins = points.assign(origin_id=np.arange(len(points), dtype=np.int64))
    positions = facilities.assign(facility_id=np.arange(len(facilities), dtype=np.int64))
    limit = catchment_limit(constants)
    parts = [_numeric(_empty_frame(), 0)]
    for code, service_type in enumerate(types):
        if service_type not in CATCHMENT_SERVICE_TYPES or origins.empty:
            continue
        of_type = one_per_point(positions[positions["service_type"] == service_type])
        found = catchment_times(origins, of_type, method, limit, graph, constants)
        parts.append(_numeric(found[found["minutes"] <= limit], code))
    rows = pd.concat(parts, ignore_index=True)
    _write(con, "geo/write_demand_travel_times", rows, points, types, facilities)
    log.info("demand_travel_times: %d rows from %d points", len(rows), len(points))


def _lookup(values: pd.Series, column: str) -> pd.DataFrame:
    """Position -> text lookup frame (``k``, ``column``)."""
    text = pd.Series(values.to_numpy(dtype=object), dtype=object)
    return pd.DataFrame({"k": np.arange(len(text), dtype=np.int64), column: text})


def _numeric(frame: pd.DataFrame, type_code: int) -> pd.DataFrame:
    """Engine rows with integer origin, facility, type and mode codes."""
    modes = frame["mode"].astype(object).map({m: i for i, m in enumerate(MODES)})
    return pd.DataFrame(
        {
            "origin_id": frame["origin_id"].to_numpy(dtype=np.int64),
            "service_type": np.full(len(frame), type_code, dtype=np.int16),
            "mode": modes.to_numpy(dtype=np.int8),
            "rank": frame["rank"].to_numpy(dtype=np.int16),
            "minutes": frame["minutes"].to_numpy(dtype=np.float32),
            "distance_m": frame["distance_m"].to_numpy(dtype=np.float32),
            "facility_id": frame["facility_id"].to_numpy(dtype=np.int64),
        }
    )


def _method(settings: AccessSettings) -> Method:
    method = settings.travel_method
    if method not in METHODS:
        raise AccessStepError(
            f"méthode de temps de trajet inconnue {method!r}: attendu l'une de {METHODS}"
        )
    return method


def _graph(settings: AccessSettings) -> RoadGraph:
    path = settings.road_graph
    if path is None:
        raise AccessStepError(
            "la méthode 'network' demande un graphe routier (settings.road_graph: fichier "
            "GraphML OSMnx ou extrait .osm.pbf); aucun n'a été donné"
        )
    if not Path(path).is_file():
        raise AccessStepError(f"graphe routier introuvable: {path}")
    try:
        return load_road_graph(path)
    except (ValueError, OSError, ModuleNotFoundError, ParseError, nx.NetworkXError) as exc:
        raise AccessStepError(f"graphe routier illisible: {path}: {exc}") from exc


def _one_type(
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    method: Method,
    graph: RoadGraph | None,
    constants: ModelConstants,
) -> pd.DataFrame:
    """Nearest facility by every mode, plus the car catchment for capacity-limited types."""
    service_type = str(facilities["service_type"].iloc[0])
    if service_type not in CATCHMENT_SERVICE_TYPES:
        return travel_times(origins, facilities, method, MODES, 1, graph, constants)
    others = tuple(m for m in MODES if m != CATCHMENT_MODE)
    nearest = travel_times(origins, facilities, method, others, 1, graph, constants)
    limit = catchment_limit(constants)
    catchment = catchment_times(origins, facilities, method, limit, graph, constants)
    return pd.concat([_plain(nearest), _plain(catchment)], ignore_index=True)


def catchment_times(
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    method: Method,
    limit_min: float,
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> pd.DataFrame:
    """Car times to every facility within ``limit_min`` minutes, plus the nearest one.

    Parameters
    ----------
    origins, facilities : DataFrame
        As for :func:`geo.engine.travel_times` (one service type or several).
    method : {"straight_line", "network"}
    limit_min : float
        Catchment limit, minutes (the outer 2SFCA band).
    graph : RoadGraph, optional
        Required by "network".
    constants : ModelConstants

    Returns
    -------
    DataFrame
        The columns of :func:`geo.engine.travel_times` for ``mode == "car"``: rank 1
        (the nearest facility, whatever its time) and every rank > 1 whose
        ``minutes <= limit_min``. Empty inputs give an empty frame. If more than
        ``geo._validate.MAX_K`` facilities lie within reach of one origin, its list is
        cut at that many (logged as a warning).
    """
    if origins.empty or facilities.empty:
        return travel_times(origins, facilities, method, (CATCHMENT_MODE,), 1, graph, constants)
    counts = _reachable_upper_bound(origins, facilities, method, limit_min, constants)
    if int(counts.max()) > MAX_K:
        log.warning("catchment cut at %d facilities for some origins", MAX_K)
    # Straight line: group origins by the power of two above their count, so that each
    # engine call asks for at most twice the rows it keeps. Network: one call, since a
    # k > 1 search costs one Dijkstra per facility whatever k.
    if method == "network":
        buckets = np.full(len(origins), int(counts.max()))
    else:
        buckets = 2 ** np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    parts = []
    for k in np.unique(buckets):
        subset = origins.iloc[np.flatnonzero(buckets == k)]
        found = travel_times(
            subset, facilities, method, (CATCHMENT_MODE,), int(min(k, MAX_K)), graph, constants
        )
        keep = (found["rank"].to_numpy() == 1) | (found["minutes"].to_numpy() <= limit_min)
        parts.append(_plain(found[keep]))
    return pd.concat(parts, ignore_index=True)


def _reachable_upper_bound(
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    method: Method,
    limit_min: float,
    constants: ModelConstants,
) -> npt.NDArray[np.int64]:
    """For each origin, facilities within the widest straight-line radius of the limit.

    Straight line: minutes = d x detour / speed + overhead, so d <= (limit - overhead)
    x speed / detour, with the origin's car speed. Network: a path is never shorter
    than the straight line and never faster than the fastest road class, so the same
    bound holds with detour 1 and that speed.
    """
    budget = max(limit_min - constants.car_overhead_min, 0.0)
    if method == "network":
        fastest = max(kmh for _, kmh in constants.car_kmh_by_highway) * 1000.0 / 60.0
        radius = np.full(len(origins), budget * fastest)
    else:
        levels = pd.to_numeric(origins["density_level"]).to_numpy(dtype=float, na_value=np.nan)
        radius = budget * constants.car_m_per_min(levels) / constants.car_detour
    radius = radius + 1.0  # metre of slack against rounding at the limit
    counts = np.zeros(len(origins), dtype=np.int64)
    o_zone, f_zone = zone_codes(origins, facilities)  # CRS, and land mass when given
    for zone in np.unique(o_zone):
        here = np.flatnonzero(o_zone == zone)
        fac = facilities[f_zone == zone]
        if fac.empty:
            continue
        tree = cKDTree(fac[["x", "y"]].to_numpy(dtype=np.float64))
        xy = origins[["x", "y"]].to_numpy(dtype=np.float64)[here]
        counts[here] = tree.query_ball_point(xy, radius[here], return_length=True)
    return np.maximum(counts, 1)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain objects, so that engine frames concatenate."""
    return frame.astype({"service_type": object, "mode": object})


def _empty_frame() -> pd.DataFrame:
    """A typed empty engine result, so that the table exists even with no facility."""
    return pd.DataFrame(
        {
            "origin_id": pd.Series([], dtype=np.int64),
            "service_type": pd.Series([], dtype=object),
            "mode": pd.Series([], dtype=object),
            "rank": pd.Series([], dtype=np.int16),
            "minutes": pd.Series([], dtype=np.float32),
            "distance_m": pd.Series([], dtype=np.float32),
            "facility_id": pd.Series([], dtype=np.int64),
        }
    )
