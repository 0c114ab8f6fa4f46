"""SNCF Réseau "Liste des gares": passenger stations of the national rail network.

The file has one row per (station, line section): a station served by three
lines appears three times, at three slightly different points (up to a few
kilometres apart for stations at a junction). One point per ``code_uic`` is
kept: the row nearest to the mean of that station's points (a medoid, robust
to one outlying section), ties broken by coordinates. Rows without coordinates
are used only for a station that has no other: it is then kept with NULL
``lon``/``lat`` (the warehouse lists it in ``facilities_unlocated``).

The file has no INSEE commune code (only the commune and département names),
so ``commune_code`` is NULL: staging assigns it by point-in-polygon.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._facilities import query_one_csv, to_facilities

logger = logging.getLogger(__name__)

SERVICE_TYPE = "TRAIN_STATION"

# Reads the catalogue's declared columns (read_declared_csv: x_wgs84/y_wgs84 DOUBLE).
_SQL = r"""
    SELECT trim(code_uic) AS code_uic,
           regexp_replace(trim(libelle), '\s+', ' ', 'g') AS label,
           coalesce(trim(voyageurs) = 'O', false) AS passengers,
           x_wgs84 AS lon,
           y_wgs84 AS lat
    FROM raw
"""


def load_sncf_gares(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Passenger stations (``voyageurs = 'O'``) as facilities of type ``TRAIN_STATION``.

    Freight-only rows are dropped and counted in the log; the sections of one
    station are merged (see the module docstring). A station without
    coordinates is kept, with NULL ``lon``/``lat``, and counted in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per ``code_uic``:

        - ``facility_id``: ``"<source>:<code_uic>"``;
        - ``source``: the catalogue name;
        - ``service_type``: ``TRAIN_STATION``;
        - ``label``: ``libelle`` (whitespace normalised);
        - ``commune_code``: NULL (the file has no INSEE code);
        - ``lon``, ``lat``: ``x_wgs84``, ``y_wgs84`` (WGS84 degrees) of the medoid row
          (both NULL when no row of the station has both);
        - ``bpe_gamme``, ``capacity``, ``geo_precision``: NULL.
    """
    rows = query_one_csv(con, files, source, _SQL)
    freight = ~rows["passengers"].astype(bool)
    no_xy = ~freight & (rows["lon"].isna() | rows["lat"].isna())
    logger.info(
        "%s: %d ligne(s) fret seul écartée(s), %d ligne(s) voyageurs sans coordonnées",
        source.name,
        int(freight.sum()),
        int(no_xy.sum()),
    )
    if rows.loc[~freight, "code_uic"].fillna("").eq("").any():
        raise LoadError(f"source {source.name!r}: gare voyageurs sans code_uic")
    kept = rows[~freight]
    out = (
        con.from_df(kept)
        .query(
            "kept",
            """
        WITH centre AS (
            SELECT code_uic, avg(lon) FILTER (lat IS NOT NULL) AS mlon,
                   avg(lat) FILTER (lon IS NOT NULL) AS mlat
            FROM kept GROUP BY code_uic
        )
        SELECT k.code_uic AS native_id, k.label, k.lon, k.lat
        FROM kept AS k JOIN centre AS c USING (code_uic)
        QUALIFY row_number() OVER (
            PARTITION BY k.code_uic
            ORDER BY power((k.lon - c.mlon) * cos(radians(c.mlat)), 2)
                     + power(k.lat - c.mlat, 2) NULLS LAST,
                     k.lon NULLS LAST, k.lat NULLS LAST, k.label
        ) = 1
        ORDER BY k.code_uic
        """,
        )
        .df()
    )
    logger.info(
        "%s: %d ligne(s) voyageurs fusionnée(s) en %d gare(s)", source.name, len(kept), len(out)
    )
    return to_facilities(con, out, source, service_type=SERVICE_TYPE)
