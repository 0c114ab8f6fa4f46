"""Build step: public transport from the loaded GTFS timetables.

:func:`compute_transit` runs before the indicators step. For every loaded feed
(catalogue role ``timetable``) it counts the departures of each stop on the feed's
reference weekday (``indicators/transit_reference_days.csv``), by line class
(``indicators/transit_route_classes.csv``), and writes:

- ``transit_stops``: one row per (feed, stop, line class) with its departures and its
  WGS84 point, the stops layer of the map;
- ``transit_points``: for every population point, whether a feed covers its commune
  (``covered``: the commune lies in the territory the catalogue declares for a feed;
  elsewhere no stop is known and the transit indicators are blank, never 0), a
  frequent stop within a 500 m walk, the departures within a 10-minute walk, and
  whether it is isolated (neither a passenger station nor a frequent stop within
  a 15-minute walk).

Only regular lines count (school and on-demand services do not); a stop counts as
frequent with at least ``TRANSIT_FREQUENT_MIN_DEPARTURES`` regular departures that day
(:mod:`geo.constants`). Stops of a feed are used whatever the extent of the build, so a
point's values do not depend on it; stations come from ``facilities``, which holds
every station within the build buffer (40 km), far beyond a 15-minute walk.
"""

from __future__ import annotations

import logging
from typing import Protocol

import duckdb
import numpy as np
import pandas as pd

from etl.vocabulary import LEVEL_CODE_COLUMN
from indicators.public_transport import (
    point_transit,
    reference_days,
    route_classes,
    stop_departures,
)
from indicators.registry import TRAIN_STATION
from warehouse.gate import checked_identifier, query, write_frame

log = logging.getLogger(__name__)

__all__ = ["TransitError", "compute_transit", "covered_communes"]

# Catalogue coverage prefixes of a timetable -> warehouse level (etl.catalogue
# TIMETABLE_COVERAGE_RE).
_COVERAGE_LEVELS = {"commune": "commune", "epci": "epci", "dep": "departement", "region": "region"}


class TransitError(ValueError):
    """A loaded feed without a reference day or with a malformed coverage."""


class TransitSettings(Protocol):
    """What the step reads from ``etl.settings.Settings`` (nothing yet: feeds and
    reference days are data)."""

    @property
    def progress(self) -> bool: ...


def covered_communes(coverage: str, communes: pd.DataFrame) -> set[str]:
    """The communes of ``communes`` inside a feed's declared territory.

    Parameters
    ----------
    coverage : str
        ``"epci:200040392"``, ``"dep:24"``, ``"commune:24322"``, ``"region:75"``.
    communes : DataFrame
        ``code``, ``epci_code``, ``dep_code``, ``reg_code``.

    Returns
    -------
    set of str
    """
    kind, _, code = coverage.partition(":")
    level = _COVERAGE_LEVELS.get(kind)
    if level is None or not code:
        raise TransitError(f"couverture d'horaire mal formée : {coverage!r}")
    column = "code" if level == "commune" else LEVEL_CODE_COLUMN[level]
    return set(communes.loc[communes[column].astype(str) == code, "code"].astype(str))


def compute_transit(con: duckdb.DuckDBPyConnection, settings: TransitSettings) -> None:
    """Build step writing ``transit_stops`` and ``transit_points`` (module docstring).

    Without any loaded feed both tables are written empty (the indicators step then
    registers no transit indicator).

    Raises
    ------
    TransitError
        A loaded feed has no reference day in ``transit_reference_days.csv``.
    """
    feeds = query(con, "indicators/transit_feeds").fetchall()
    points = query(con, "indicators/transit_origins").df()
    communes = query(con, "indicators/communes").df()
    stations = query(con, "indicators/transit_stations", {"station": TRAIN_STATION}).df()
    days, rules = reference_days(), route_classes()
    stop_frames, covered, names = [], np.zeros(len(points), dtype=bool), []
    for feed, coverage in feeds:
        if feed not in days:
            raise TransitError(
                f"horaire {feed!r} chargé sans jour de référence dans "
                "indicators/transit_reference_days.csv"
            )
        day, _ = days[feed]
        raw = con.table(checked_identifier(f"raw_{feed}")).df()
        stops = stop_departures(raw, feed, day, rules)
        stop_frames.append(stops.assign(reference_day=pd.Timestamp(day)))
        inside = covered_communes(coverage, communes)
        covered |= points["commune_code"].astype(str).isin(inside).to_numpy()
        names.append(feed)
        log.info(
            "%s : %d arrêts, %d départs réguliers le %s",
            feed,
            stops["stop_id"].nunique(),
            int(stops.loc[stops["regular"], "departures"].sum()),
            day.isoformat(),
        )
    stops = _stops_table(stop_frames)
    regular = (
        stops[stops["regular"]]
        .groupby(["feed", "stop_id"], as_index=False)
        .agg(lon=("lon", "first"), lat=("lat", "first"), departures=("departures", "sum"))
    )
    found = point_transit(points, regular, stations)
    table = pd.DataFrame(
        {
            "point_id": points["point_id"].to_numpy(),
            "covered": covered,
            "frequent_500m": found["frequent_500m"].to_numpy(dtype=bool),
            "departures_10min": found["departures_10min"].to_numpy(dtype=np.float64),
            "isolated": found["isolated"].to_numpy(dtype=bool),
            "feeds": ", ".join(names),
        }
    )
    write_frame(con, "transit_stops", stops)
    write_frame(con, "transit_points", table)
    log.info("transit_points: %d points couverts sur %d", int(covered.sum()), len(points))


def _stops_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The stops of every feed, typed (an empty table when no feed is loaded)."""
    columns = {
        "feed": "string",
        "stop_id": "string",
        "stop_name": "string",
        "lon": "float64",
        "lat": "float64",
        "route_class": "string",
        "regular": "bool",
        "departures": "int64",
        "reference_day": "datetime64[ns]",
    }
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return pd.concat(frames, ignore_index=True).astype(columns)
