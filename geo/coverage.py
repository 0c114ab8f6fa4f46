"""Build step part: how far around each population point the facilities are all known.

The nearest facility found for a point is the true nearest one only if every place
closer than it was searched. Two things limit the search, and both are measured here
for every population point of the territory and every service type:

- the build's extent: facilities are loaded within ``facility_buffer_m`` of the
  territory, so around a point of the territory everything is known up to that
  distance, unless the point's land mass (table ``land_masses``: the continent,
  Corsica, an island) lies wholly in the territory (a national build, an island's
  département);
- the source's coverage (table ``coverage_gaps``): a source that has no data in a
  département (declared in the catalogue, or measured for partial extracts) leaves a
  hole; a point of such a département has no exact value, and a point near one has
  exact values only within its distance to the hole.

The result, table ``point_coverage``, holds one row per (point, service type) whose
radius is finite: ``radius_m`` (metres; the value of a point is exact when the reach
of its trip, :func:`geo.reach.reach_m`, is within it), ``reason`` (``hors_couverture``,
``couverture_partielle`` or ``limite_zone``) and ``sources`` (the source(s) with the
hole). A missing row means no limit. The indicators turn these into blank values with
a reason (``indicators.step``), never into figures that change with the build.
"""

from __future__ import annotations

import logging
from typing import Final, Protocol

import duckdb
import numpy as np
import pandas as pd
import shapely

from warehouse.gate import query, run_sql

log = logging.getLogger(__name__)

# Holes of a source farther than this from a point are not searched: the point's
# values are then exact up to this radius only. 100 km is beyond every trip the
# indicators read (30 min by car is at most ~22 km with the straight-line model).
MAX_GAP_SEARCH_M: Final = 100_000.0
# Degrees added around the points' box to pick candidate communes of a hole
# (1.5 degrees of latitude is 167 km, of longitude at 51 N 105 km: > 100 km).
_BOX_MARGIN_DEG: Final = 1.5

REASONS: Final = {
    "hors_couverture": "la source ne couvre pas ce département",
    "couverture_partielle": "la source ne couvre pas tout le rayon de recherche",
    "limite_zone": "au-delà de la zone chargée autour du territoire construit",
}

# The queries are warehouse/sql/geo/*.sql.

__all__ = [
    "MAX_GAP_SEARCH_M",
    "REASONS",
    "compute_point_coverage",
    "exact_radii",
    "write_point_coverage",
]


class CoverageSettings(Protocol):
    """What the step reads from ``etl.settings.Settings`` (geo does not import etl)."""

    @property
    def facility_buffer_m(self) -> float: ...


def compute_point_coverage(con: duckdb.DuckDBPyConnection, settings: CoverageSettings) -> None:
    """Build step writing ``point_coverage`` (after the travel times, before indicators)."""
    write_point_coverage(con, settings.facility_buffer_m)


def write_point_coverage(con: duckdb.DuckDBPyConnection, facility_buffer_m: float) -> None:
    """Write the table ``point_coverage`` (module docstring) from the open warehouse."""
    frame = exact_radii(con, facility_buffer_m)
    con.register("_point_coverage_frame", frame)
    try:
        run_sql(con, "geo/write_point_coverage")
    finally:
        con.unregister("_point_coverage_frame")
    log.info("point_coverage: %d limited (point, type) pairs", len(frame))


def exact_radii(con: duckdb.DuckDBPyConnection, facility_buffer_m: float) -> pd.DataFrame:
    """Finite search radii of (population point, service type) pairs.

    Returns
    -------
    DataFrame
        ``origin_id``, ``service_type``, ``radius_m`` (metres, finite, >= 0),
        ``reason`` (a key of :data:`REASONS`), ``sources`` (text, "" for the build
        limit). Pairs without a limit have no row.
    """
    points = query(con, "geo/coverage_points").df()
    types = [r[0] for r in query(con, "geo/service_type_codes").fetchall()]
    gaps = query(con, "geo/coverage_gaps").df()
    whole = {str(r[0]) for r in query(con, "geo/whole_land_masses").fetchall()}
    cap = np.where(points["land_mass"].astype(str).isin(whole), np.inf, facility_buffer_m)
    parts = []
    for service_type in types:
        radius = cap.astype(np.float64).copy()
        reason = np.where(np.isfinite(radius), "limite_zone", "")
        sources = np.full(len(points), "", dtype=object)
        of_type = gaps[gaps["service_type"] == service_type]
        if len(of_type):
            text = str(of_type["sources"].iloc[0])
            inside = points["dep_code"].isin(set(of_type["dep_code"])).to_numpy()
            distance = _distance_to_gaps(con, points, ~inside, list(of_type["dep_code"]))
            distance = np.minimum(distance, MAX_GAP_SEARCH_M)  # not searched farther
            closer = distance < radius
            radius = np.where(closer, distance, radius)
            reason = np.where(closer, "couverture_partielle", reason)
            radius[inside] = 0.0
            reason[inside] = "hors_couverture"
            sources[inside | closer] = text
        limited = np.isfinite(radius)
        parts.append(
            pd.DataFrame(
                {
                    "origin_id": points["origin_id"].to_numpy()[limited],
                    "service_type": service_type,
                    "radius_m": radius[limited],
                    "reason": reason[limited],
                    "sources": sources[limited],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["origin_id", "service_type", "radius_m", "reason", "sources"])
    return pd.concat(parts, ignore_index=True)


def _distance_to_gaps(
    con: duckdb.DuckDBPyConnection,
    points: pd.DataFrame,
    candidates: np.ndarray,
    gap_deps: list[str],
) -> np.ndarray:
    """Metres from each candidate point to the nearest commune of a gap département
    on the same land mass (inf when none within :data:`MAX_GAP_SEARCH_M`)."""
    distance = np.full(len(points), np.inf)
    if not candidates.any():
        return distance
    chosen = points[candidates]
    box = {
        "deps": gap_deps,
        "xmin": float(chosen["lon"].min()) - _BOX_MARGIN_DEG,
        "xmax": float(chosen["lon"].max()) + _BOX_MARGIN_DEG,
        "ymin": float(chosen["lat"].min()) - _BOX_MARGIN_DEG,
        "ymax": float(chosen["lat"].max()) + _BOX_MARGIN_DEG,
    }
    communes = query(con, "geo/gap_communes", box).df()
    if communes.empty:
        return distance
    geoms = shapely.from_wkb(communes["wkb"].map(bytes).to_numpy())
    p_zone = (points["epsg"].astype(str) + "/" + points["land_mass"].astype(str)).to_numpy()
    c_zone = (communes["epsg"].astype(str) + "/" + communes["land_mass"].astype(str)).to_numpy()
    for zone in np.unique(c_zone):
        here = np.flatnonzero(candidates & (p_zone == zone))
        if not len(here):
            continue
        tree = shapely.STRtree(geoms[c_zone == zone])
        xy = shapely.points(points[["x", "y"]].to_numpy(dtype=np.float64)[here])
        (found, _), dist = tree.query_nearest(
            xy, max_distance=MAX_GAP_SEARCH_M, return_distance=True, all_matches=False
        )
        distance[here[found]] = np.minimum(distance[here[found]], dist)
    return distance
