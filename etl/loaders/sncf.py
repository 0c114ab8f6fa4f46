"""SNCF Réseau "Liste des gares": passenger stations of the national rail network.

The file has one row per (station, line section): a station served by three
lines appears three times, at three slightly different points (up to a few
kilometres apart for stations at a junction). One point per ``code_uic`` is
kept: the row nearest to the mean of that station's points (a medoid, robust
to one outlying section), ties broken by coordinates.

The file has no INSEE commune code (only the commune and département names),
so ``commune_code`` is NULL: staging assigns it by point-in-polygon.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import FACILITY_COLUMNS, LoadError, require_columns

logger = logging.getLogger(__name__)

SERVICE_TYPE = "TRAIN_STATION"

_REQUIRED = ("code_uic", "libelle", "voyageurs", "x_wgs84", "y_wgs84")


def _one_file(files: Sequence[Path], source: Source) -> Path:
    if len(files) != 1:
        raise LoadError(f"source {source.name!r}: un fichier attendu, {len(files)} reçus")
    return Path(files[0])


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source
) -> duckdb.DuckDBPyRelation:
    """All columns as VARCHAR (codes stay text); quoted fields may hold line breaks."""
    try:
        return con.read_csv(
            str(path),
            sep=source.separator,
            encoding=source.encoding,
            header=True,
            all_varchar=True,
            quotechar='"',
            escapechar='"',
            comment="",
            strict_mode=True,
        )
    except duckdb.Error as exc:
        raise LoadError(f"source {source.name!r}: CSV illisible {path}: {exc}") from exc


def load_sncf_gares(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Passenger stations (``voyageurs = 'O'``) as facilities of type ``TRAIN_STATION``.

    Freight-only rows and rows without coordinates are dropped and counted in
    the log; the sections of one station are merged (see the module docstring).

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per ``code_uic``:

        - ``facility_id``: ``"<source>:<code_uic>"``;
        - ``source``: the catalogue name;
        - ``service_type``: ``TRAIN_STATION``;
        - ``label``: ``libelle`` (whitespace normalised);
        - ``commune_code``: NULL (the file has no INSEE code);
        - ``lon``, ``lat``: ``x_wgs84``, ``y_wgs84`` (WGS84 degrees) of the medoid row;
        - ``bpe_gamme``, ``capacity``, ``geo_precision``: NULL.
    """
    path = _one_file(files, source)
    raw = _read_csv(con, path, source)
    require_columns(source.name, raw.columns, _REQUIRED)
    try:
        rows = raw.query(
            "raw",
            """
            SELECT trim(code_uic) AS code_uic,
                   regexp_replace(trim(libelle), '\\s+', ' ', 'g') AS label,
                   coalesce(trim(voyageurs) = 'O', false) AS passengers,
                   CAST(NULLIF(replace(trim(x_wgs84), ',', '.'), '') AS DOUBLE) AS lon,
                   CAST(NULLIF(replace(trim(y_wgs84), ',', '.'), '') AS DOUBLE) AS lat
            FROM raw
            """,
        ).df()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: coordonnée non numérique: {exc}") from exc

    freight = ~rows["passengers"].astype(bool)
    no_xy = ~freight & (rows["lon"].isna() | rows["lat"].isna())
    logger.info(
        "%s: %d ligne(s) fret seul et %d ligne(s) sans coordonnées écartées",
        source.name,
        int(freight.sum()),
        int(no_xy.sum()),
    )
    if rows.loc[~freight, "code_uic"].fillna("").eq("").any():
        raise LoadError(f"source {source.name!r}: gare voyageurs sans code_uic")
    kept = rows[~freight & ~no_xy]
    out = (
        con.from_df(kept)
        .query(
            "kept",
            """
        WITH centre AS (
            SELECT code_uic, avg(lon) AS mlon, avg(lat) AS mlat FROM kept GROUP BY code_uic
        )
        SELECT k.code_uic, k.label, k.lon, k.lat
        FROM kept AS k JOIN centre AS c USING (code_uic)
        QUALIFY row_number() OVER (
            PARTITION BY k.code_uic
            ORDER BY power((k.lon - c.mlon) * cos(radians(c.mlat)), 2) + power(k.lat - c.mlat, 2),
                     k.lon, k.lat, k.label
        ) = 1
        ORDER BY k.code_uic
        """,
        )
        .df()
    )
    logger.info(
        "%s: %d ligne(s) voyageurs fusionnée(s) en %d gare(s)", source.name, len(kept), len(out)
    )

    frame = pd.DataFrame(
        {
            "facility_id": source.name + ":" + out["code_uic"],
            "source": source.name,
            "service_type": SERVICE_TYPE,
            "label": out["label"],
            "commune_code": None,
            "lon": out["lon"],
            "lat": out["lat"],
            "bpe_gamme": None,
            "capacity": None,
            "geo_precision": None,
        }
    )
    casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in FACILITY_COLUMNS.items())
    return con.from_df(frame[list(FACILITY_COLUMNS)]).project(casts)
