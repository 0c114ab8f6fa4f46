"""France Services sites (ANCT list).

The ANCT publishes the list of labelled France Services with their address,
INSEE commune code and WGS84 coordinates. Every site is kept, whatever its
``format_fs``:

- ``Fixe``, ``Fixe_antenne(s)``, ``Multisites``: a fixed building; the point is
  the published address (``geo_precision`` NULL: the source gives no quality);
- ``Itinérante`` and ``Bus_équivalent``: a bus or a travelling team that stops
  in several communes on a weekly schedule. The file gives one fixed reference
  point only (the carrying structure's address), so these sites are kept with
  ``geo_precision = 'itinérante: point de référence'``; indicators that need
  the real stops must treat them apart.

Fields may contain line breaks (opening hours, comments); they are quoted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl.catalogue import Source
from etl.codes import CodeError, pad_commune_codes
from etl.loaders import FACILITY_COLUMNS, LoadError, require_columns

logger = logging.getLogger(__name__)

SERVICE_TYPE = "FRANCE_SERVICES"
MOBILE_FORMATS = frozenset({"Itinérante", "Bus_équivalent"})
MOBILE_PRECISION = "itinérante: point de référence"

_REQUIRED = ("id_fs", "lib_fs", "insee_com", "latitude", "longitude", "format_fs")


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


def _to_facilities(
    con: duckdb.DuckDBPyConnection, out: pd.DataFrame, source: Source
) -> duckdb.DuckDBPyRelation:
    """Check codes and ids of a facility frame, return it cast to FACILITY_COLUMNS."""
    try:
        out["commune_code"] = pad_commune_codes(out["commune_code"])
    except CodeError as exc:
        raise LoadError(f"source {source.name!r}: {exc}") from exc
    dup = out["facility_id"].duplicated()
    if dup.any():
        examples = out.loc[dup, "facility_id"].head(3).tolist()
        raise LoadError(f"source {source.name!r}: identifiants en double, par ex. {examples}")
    casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in FACILITY_COLUMNS.items())
    return con.from_df(out[list(FACILITY_COLUMNS)]).project(casts)


def load_france_services(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """France Services sites as facilities of type ``FRANCE_SERVICES``.

    Sites without coordinates are dropped and counted in the log; mobile sites
    are kept at their reference point (see the module docstring).

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per site:

        - ``facility_id``: ``"<source>:<id_fs>"``;
        - ``source``: the catalogue name;
        - ``service_type``: ``FRANCE_SERVICES``;
        - ``label``: ``lib_fs`` (whitespace normalised);
        - ``commune_code``: ``insee_com``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees, as published;
        - ``bpe_gamme``, ``capacity``: NULL;
        - ``geo_precision``: ``'itinérante: point de référence'`` for the
          ``Itinérante`` and ``Bus_équivalent`` formats, NULL otherwise.
    """
    path = _one_file(files, source)
    raw = _read_csv(con, path, source)
    require_columns(source.name, raw.columns, _REQUIRED)
    try:
        df = raw.query(
            "raw",
            """
            SELECT trim(id_fs) AS native_id,
                   regexp_replace(trim(lib_fs), '\\s+', ' ', 'g') AS label,
                   NULLIF(trim(insee_com), '') AS commune_code,
                   CAST(NULLIF(replace(trim(longitude), ',', '.'), '') AS DOUBLE) AS lon,
                   CAST(NULLIF(replace(trim(latitude), ',', '.'), '') AS DOUBLE) AS lat,
                   trim(format_fs) AS format_fs
            FROM raw
            """,
        ).df()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: coordonnée non numérique: {exc}") from exc

    no_xy = df["lon"].isna() | df["lat"].isna()
    logger.info("%s: %d site(s) sans coordonnées écarté(s)", source.name, int(no_xy.sum()))
    df = df[~no_xy].reset_index(drop=True)
    mobile = df["format_fs"].isin(MOBILE_FORMATS)
    logger.info(
        "%s: %d site(s) itinérant(s) gardé(s) à leur point de référence",
        source.name,
        int(mobile.sum()),
    )

    out = pd.DataFrame(
        {
            "facility_id": source.name + ":" + df["native_id"],
            "source": source.name,
            "service_type": SERVICE_TYPE,
            "label": df["label"],
            "commune_code": df["commune_code"],
            "lon": df["lon"],
            "lat": df["lat"],
            "bpe_gamme": None,
            "capacity": None,
            "geo_precision": np.where(mobile, MOBILE_PRECISION, None),
        }
    )
    return _to_facilities(con, out, source)
