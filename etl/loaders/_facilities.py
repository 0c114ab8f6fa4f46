"""Helpers shared by the facility loaders (La Poste, France Services, education...).

Each loader reads its own format and decides which rows are excluded (by type,
state...); these helpers do the rest the same way for all: check and cast the
facility frame. Files are read with :func:`etl.loaders._common.read_declared_csv`
(the catalogue's declared columns and types). Rows without coordinates are never dropped
here: they keep NULL ``lon``/``lat`` and the warehouse lists them in
``facilities_unlocated``. ``one_file`` and ``read_declared_csv`` are helpers of all loaders
(:mod:`etl.loaders._common`), re-exported here for the facility loaders.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl.catalogue import Source
from etl.loaders import FACILITY_COLUMNS, LoadError
from etl.loaders._common import (
    cast_sql,
    one_file,
    padded_commune_codes,
    quote_identifier,
    read_declared_csv,
)

logger = logging.getLogger(__name__)

__all__ = [
    "cast_facilities",
    "facility_sql",
    "label_sql",
    "one_file",
    "query_coordinates",
    "query_one_csv",
    "read_declared_csv",
    "to_facilities",
]

_CASTS = cast_sql(FACILITY_COLUMNS)


def label_sql(column: str) -> str:
    """SQL of a text column trimmed, its runs of whitespace (line breaks too) -> one space."""
    return f"regexp_replace(trim({quote_identifier(column)}), '\\s+', ' ', 'g')"


def facility_sql(
    native_id: str, label: str, commune_code: str, lon: str, lat: str, **extra: str
) -> str:
    """SQL of the facility columns read from the relation ``raw`` (see :func:`query_coordinates`).

    ``native_id`` trimmed, ``label`` as :func:`label_sql`, ``commune_code`` trimmed (empty ->
    NULL), ``lon``/``lat`` as read (declared DOUBLE in the catalogue); ``extra`` maps more
    output columns to their SQL expressions.
    """
    exprs = {
        "native_id": f"trim({quote_identifier(native_id)})",
        "label": label_sql(label),
        "commune_code": f"NULLIF(trim({quote_identifier(commune_code)}), '')",
        "lon": quote_identifier(lon),
        "lat": quote_identifier(lat),
        **extra,
    }
    select = ", ".join(f"{e} AS {quote_identifier(c)}" for c, e in exprs.items())
    # Column names are quoted identifiers; ``extra`` expressions are the loaders' constants.
    return f"SELECT {select} FROM raw"  # noqa: S608  # nosec B608


def query_coordinates(raw: duckdb.DuckDBPyRelation, sql: str, source: Source) -> pd.DataFrame:
    """Run ``sql`` on ``raw`` (named ``raw``); a non-numeric coordinate is a LoadError."""
    try:
        return raw.query("raw", sql).df()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: coordonnée non numérique: {exc}") from exc


def query_one_csv(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source, sql: str
) -> pd.DataFrame:
    """The single CSV file of ``source`` (declared columns, quoted line breaks allowed), read
    by ``sql`` as in :func:`query_coordinates`."""
    raw = read_declared_csv(con, one_file(files, source), source, multiline=True)
    return query_coordinates(raw, sql, source)


def cast_facilities(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """``rel`` reduced to :data:`etl.loaders.FACILITY_COLUMNS`, in order, with their types."""
    return rel.project(_CASTS)


def to_facilities(
    con: duckdb.DuckDBPyConnection, df: pd.DataFrame, source: Source, **columns: object
) -> duckdb.DuckDBPyRelation:
    """The facility relation of ``df``, codes and identifiers checked.

    ``df`` holds ``native_id`` and some of the :data:`etl.loaders.FACILITY_COLUMNS`;
    ``columns`` gives others (a constant, or a sequence aligned with ``df``). Then:

    - ``facility_id`` is ``"<source>:<native_id>"`` and must be unique, ``source``
      is the catalogue name; a column found in neither is NULL;
    - ``commune_code`` is padded to 5 characters (an invalid code raises);
    - a row missing one of ``lon``/``lat`` gets both NULL; rows without
      coordinates are kept and counted in the log.
    """
    out = pd.DataFrame(
        # astype: an empty file gives an empty column typed as numbers by the reader
        {"facility_id": source.name + ":" + df["native_id"].astype(str), "source": source.name},
        index=df.index,
    )
    for name in list(FACILITY_COLUMNS)[2:]:
        out[name] = columns[name] if name in columns else df.get(name)
    out["commune_code"] = padded_commune_codes(out["commune_code"], source)
    dup = out["facility_id"].duplicated()
    if dup.any():
        examples = out.loc[dup, "facility_id"].head(3).tolist()
        raise LoadError(f"source {source.name!r}: identifiants en double, par ex. {examples}")
    out[["lon", "lat"]] = out[["lon", "lat"]].astype(float)
    no_xy = out["lon"].isna() | out["lat"].isna()
    out.loc[no_xy, ["lon", "lat"]] = np.nan
    _refuse_impossible_coordinates(out, source)
    logger.info(
        "%s: %d ligne(s) dont %d sans coordonnées, gardée(s) avec lon/lat NULL",
        source.name,
        len(out),
        int(no_xy.sum()),
    )
    return cast_facilities(con.from_df(out.reset_index(drop=True)))


def _refuse_impossible_coordinates(out: pd.DataFrame, source: Source) -> None:
    """Raise :class:`LoadError` on a longitude/latitude that is no WGS84 angle.

    An infinite value, a longitude outside [-180, 180] or a latitude outside
    [-90, 90] cannot be a place on Earth (a unit or column mix-up in the file):
    the error names the source, the count and the first rows (``facility_id``
    and values). Points that are valid angles but lie outside France or far from
    their commune are judged later, against the commune geometry
    (``warehouse/sql/marts/facilities.sql``).
    """
    lon, lat = out["lon"], out["lat"]
    bad = lon.notna() & (
        ~np.isfinite(lon) | ~np.isfinite(lat) | (lon.abs() > 180) | (lat.abs() > 90)
    )
    if bad.any():
        rows = out.loc[bad].head(3)
        examples = "; ".join(
            f"{fid} (lon={x}, lat={y})"
            for fid, x, y in zip(rows["facility_id"], rows["lon"], rows["lat"], strict=True)
        )
        raise LoadError(
            f"source {source.name!r}: {int(bad.sum())} ligne(s) aux coordonnées impossibles "
            f"(infinies, longitude hors de [-180, 180] ou latitude hors de [-90, 90]), "
            f"par ex. {examples}"
        )
