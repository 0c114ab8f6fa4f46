"""GTFS timetables (role ``timetable``): one row per stop time, with its trip's route,
its stop and its service calendar.

A GTFS feed is a folder of ``.txt`` CSV files (GTFS Schedule reference,
https://gtfs.org/documentation/schedule/reference/). The catalogue names
``stop_times.txt`` (``filename``); the loader reads it and its siblings of the same
folder: ``stops.txt``, ``trips.txt``, ``routes.txt`` (required), ``calendar.txt`` and
``calendar_dates.txt`` (at least one of them). Each file is read as text, then the
catalogue's declared columns it holds are cast to their declared types (plain DuckDB
reads, nothing inferred). Times stay as published (``departure_time`` may exceed
``24:00:00`` for a trip running after midnight) and are also given in seconds after
the service day's noon-minus-12h (``departure_s``, may exceed 86 400).

The protocol of :mod:`etl.loaders` is one relation per source: the feed is returned
denormalised, one row per ``stop_times.txt`` row, joined to its trip, route, stop and
service calendar (weekday flags and validity dates of ``calendar.txt``, the dates
added and removed by ``calendar_dates.txt`` as lists). Which services run on a given
day and how many departures a stop offers are computed later
(:mod:`indicators.public_transport`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import duckdb

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._common import _typed_sql, one_file, quote_identifier, read_text_csv

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Columns read in each file: (required, optional). Types come from the catalogue.
_FILES: Final = {
    "stop_times": (("trip_id", "departure_time", "stop_id", "stop_sequence"), ("pickup_type",)),
    "stops": (("stop_id", "stop_lat", "stop_lon"), ("stop_name",)),
    "trips": (("route_id", "service_id", "trip_id"), ()),
    "routes": (("route_id", "route_type"), ("route_short_name", "route_long_name")),
    "calendar": (("service_id", *WEEKDAYS, "start_date", "end_date"), ()),
    "calendar_dates": (("service_id", "date", "exception_type"), ()),
}
_CALENDARS: Final = ("calendar", "calendar_dates")

# The relation returned: one row per stop time.
GTFS_COLUMNS: Final[dict[str, str]] = {
    "trip_id": "VARCHAR",
    "stop_id": "VARCHAR",
    "stop_sequence": "INTEGER",
    "departure_time": "VARCHAR",  # as published, e.g. 25:10:00 (NULL when empty)
    "departure_s": "INTEGER",  # seconds since the service day's start, may exceed 86 400
    "pickup_type": "INTEGER",  # 1 = no pickup (NULL read as 0, regular)
    "last_stop": "BOOLEAN",  # the trip's last stop (arrival only, not a departure)
    "stop_name": "VARCHAR",
    "stop_lon": "DOUBLE",
    "stop_lat": "DOUBLE",
    "route_id": "VARCHAR",
    "route_short_name": "VARCHAR",
    "route_long_name": "VARCHAR",
    "route_type": "INTEGER",  # GTFS route_type: 3 bus, 712 school bus, 713 on demand...
    "service_id": "VARCHAR",
    **dict.fromkeys(WEEKDAYS, "BOOLEAN"),  # calendar.txt flags (NULL: no calendar row)
    "start_date": "DATE",
    "end_date": "DATE",
    "added_dates": "DATE[]",  # calendar_dates.txt exception_type 1
    "removed_dates": "DATE[]",  # calendar_dates.txt exception_type 2
}

_TIME_RE: Final = r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$"


def _read(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, part: str
) -> duckdb.DuckDBPyRelation:
    """One GTFS file: its declared columns with their catalogue types (optional ones NULL)."""
    required, optional = _FILES[part]
    try:
        raw = read_text_csv(con, path, source, ",")
    except duckdb.Error as exc:
        raise LoadError(f"source {source.name!r} : fichier GTFS illisible {path}: {exc}") from exc
    have = set(raw.columns)
    missing = [c for c in required if c not in have]
    if missing:
        raise LoadError(
            f"source {source.name!r} : colonne(s) absente(s) de {path.name} : {missing} "
            f"(colonnes trouvées : {sorted(have)[:12]})"
        )
    undeclared = [c for c in (*required, *optional) if c not in source.columns]
    if undeclared:
        raise LoadError(
            f"source {source.name!r} : colonne(s) GTFS non déclarée(s) au catalogue : {undeclared}"
        )
    select = ", ".join(
        f"{_typed_sql(c, source.columns[c]) if c in have else f'NULL::{source.columns[c]}'} "
        f"AS {quote_identifier(c)}"
        for c in (*required, *optional)
    )
    return raw.project(select)


def _files(files: Sequence[Path], source: Source) -> dict[str, Path]:
    folder = one_file(files, source).parent
    found = {part: folder / f"{part}.txt" for part in _FILES}
    needed = [p for p in _FILES if p not in _CALENDARS and not found[p].is_file()]
    if needed:
        raise LoadError(
            f"source {source.name!r} : fichier(s) GTFS absent(s) de {folder} : "
            + ", ".join(f"{p}.txt" for p in needed)
        )
    if not any(found[p].is_file() for p in _CALENDARS):
        raise LoadError(
            f"source {source.name!r} : ni calendar.txt ni calendar_dates.txt dans {folder}"
        )
    return found


_SQL: Final = f"""
    WITH st AS (
        SELECT *, stop_sequence = max(stop_sequence) OVER (PARTITION BY trip_id) AS last_stop
        FROM __gtfs_stop_times
    ),
    cal AS (
        SELECT service_id, {", ".join(f"{d} = 1 AS {d}" for d in WEEKDAYS)},
               strptime(trim(start_date), '%Y%m%d')::DATE AS start_date,
               strptime(trim(end_date), '%Y%m%d')::DATE AS end_date
        FROM __gtfs_calendar
    ),
    ex AS (
        SELECT service_id,
               list(strptime(trim(date), '%Y%m%d')::DATE ORDER BY date)
                   FILTER (exception_type = 1) AS added_dates,
               list(strptime(trim(date), '%Y%m%d')::DATE ORDER BY date)
                   FILTER (exception_type = 2) AS removed_dates
        FROM __gtfs_calendar_dates GROUP BY service_id
    )
    SELECT st.trip_id, st.stop_id, st.stop_sequence,
           NULLIF(trim(st.departure_time), '') AS departure_time,
           (3600 * CAST(NULLIF(regexp_extract(st.departure_time, '{_TIME_RE}', 1), '') AS INTEGER)
            + 60 * CAST(NULLIF(regexp_extract(st.departure_time, '{_TIME_RE}', 2), '') AS INTEGER)
            + CAST(NULLIF(regexp_extract(st.departure_time, '{_TIME_RE}', 3), '') AS INTEGER)
           ) AS departure_s,
           coalesce(st.pickup_type, 0) AS pickup_type, st.last_stop,
           s.stop_name, s.stop_lon, s.stop_lat,
           t.route_id, r.route_short_name, r.route_long_name, r.route_type, t.service_id,
           {", ".join(f"cal.{d}" for d in WEEKDAYS)}, cal.start_date, cal.end_date,
           coalesce(ex.added_dates, []) AS added_dates,
           coalesce(ex.removed_dates, []) AS removed_dates
    FROM st
    LEFT JOIN __gtfs_trips AS t USING (trip_id)
    LEFT JOIN __gtfs_routes AS r ON r.route_id = t.route_id
    LEFT JOIN __gtfs_stops AS s ON s.stop_id = st.stop_id
    LEFT JOIN cal ON cal.service_id = t.service_id
    LEFT JOIN ex ON ex.service_id = t.service_id
    ORDER BY st.trip_id, st.stop_sequence
"""  # noqa: S608  # nosec B608 (column names of this module, no data)


def load_gtfs(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """A GTFS feed as one row per stop time (module docstring).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    files : sequence of Path
        ``stop_times.txt`` of the feed; the other files are read from its folder.
    source : Source
        The catalogue entry (``columns``: declared types of the GTFS columns read).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`GTFS_COLUMNS`.

    Raises
    ------
    LoadError
        A required file or column missing, a stop time whose trip, stop or route is
        unknown, a stop without coordinates, a time that is not ``H:MM:SS``, a trip
        whose service has no calendar, or a ``exception_type`` other than 1 or 2.
    """
    found = _files(files, source)
    parts = {p: _read(con, f, source, p) for p, f in found.items() if f.is_file()}
    for part in _CALENDARS:
        if part not in parts:  # an empty table with the declared columns
            required, _ = _FILES[part]
            typed = ", ".join(
                f"NULL::{source.columns[c]} AS {quote_identifier(c)}" for c in required
            )
            parts[part] = con.sql(f"SELECT {typed} WHERE false")  # nosec B608
    # Temporary views of this connection (never written to the warehouse file); the
    # relation returned reads them when the build materialises it as raw_<source>.
    for name, rel in parts.items():
        con.register(f"__gtfs_{name}", rel)
    _check(con, source)
    rel = con.sql(_SQL)
    _check_rows(rel, source)
    return rel.project(
        ", ".join(
            f"CAST({quote_identifier(c)} AS {t}) AS {quote_identifier(c)}"
            for c, t in GTFS_COLUMNS.items()
        )
    )


def _check(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    bad = con.sql(
        "SELECT count(*) FROM __gtfs_calendar_dates WHERE exception_type NOT IN (1, 2)"
    ).fetchone()
    if bad and bad[0]:
        raise LoadError(
            f"source {source.name!r} : {bad[0]} ligne(s) de calendar_dates.txt avec un "
            "exception_type autre que 1 (ajouté) ou 2 (supprimé)"
        )


def _check_rows(rel: duckdb.DuckDBPyRelation, source: Source) -> None:
    checks = {
        "trajet (trip_id) absent de trips.txt": "route_id IS NULL",
        "ligne (route_id) absente de routes.txt": "route_type IS NULL",
        "arrêt absent de stops.txt ou sans coordonnées": "stop_lon IS NULL OR stop_lat IS NULL",
        "heure de départ hors du format H:MM:SS": "departure_time IS NOT NULL "
        "AND departure_s IS NULL",
        "service sans calendrier (ni calendar.txt ni calendar_dates.txt)": "monday IS NULL "
        "AND len(added_dates) = 0",
    }
    for what, condition in checks.items():
        row = rel.filter(condition).aggregate("count(*)").fetchone()
        if row and row[0]:
            raise LoadError(f"source {source.name!r} : {row[0]} horaire(s) avec {what}")
