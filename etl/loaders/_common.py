"""Helpers shared by all loaders: the single input file, CSV reading, codes, casts.

Every helper raises :class:`~etl.loaders.LoadError` naming the catalogue source,
so a loader reports a bad file the same way whichever helper found it. The
facility loaders have more helpers of their own in :mod:`etl.loaders._facilities`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.codes import CodeError, pad_commune_codes
from etl.loaders import LoadError

# Catalogue encodings DuckDB's CSV reader reads as UTF-8 (ASCII is a subset).
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig", "ascii", "us-ascii"})
# Catalogue encodings DuckDB's CSV reader knows (under a name of its own for Latin-1).
_OTHER_NAMES = frozenset({"latin-1", "latin1", "iso-8859-1", "utf-16"})


def one_file(files: Sequence[Path], source: Source) -> Path:
    """The only file of a single-file source.

    Parameters
    ----------
    files : Sequence[Path]
        Local raw files found for ``source``.
    source : Source
        Catalogue entry, named in the error.

    Returns
    -------
    Path
        ``files[0]``.

    Raises
    ------
    LoadError
        When ``files`` does not hold exactly one file.
    """
    if len(files) != 1:
        raise LoadError(f"source {source.name!r}: un fichier attendu, {len(files)} reçus")
    return Path(files[0])


def duckdb_encoding(source: Source) -> str:
    """The catalogue encoding as DuckDB's CSV reader names it.

    Parameters
    ----------
    source : Source
        Catalogue entry; no ``encoding`` means UTF-8.

    Returns
    -------
    str
        ``"utf-8"`` (also for ASCII), ``"latin-1"`` or ``"utf-16"``.

    Raises
    ------
    LoadError
        An encoding DuckDB cannot read.
    """
    encoding = (source.encoding or "utf-8").lower().replace("_", "-")
    if encoding in _UTF8_NAMES:
        return "utf-8"
    if encoding in _OTHER_NAMES:
        return encoding.replace("latin1", "latin-1").replace("iso-8859-1", "latin-1")
    raise LoadError(f"source {source.name!r}: encodage {encoding!r} non lu par DuckDB")


def read_text_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, default_sep: str | None
) -> duckdb.DuckDBPyRelation:
    """A CSV file with a header, every column as VARCHAR (codes stay text).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection the returned relation belongs to.
    path : Path
        The CSV file.
    source : Source
        Catalogue entry (``separator``, ``encoding`` read by :func:`duckdb_encoding`).
    default_sep : str or None
        Separator when the catalogue gives none; None lets DuckDB sniff it.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The file's rows, columns named as in its header.

    Raises
    ------
    LoadError
        An encoding DuckDB cannot read.
    """
    options: dict[str, object] = {
        "header": True,
        "all_varchar": True,
        "encoding": duckdb_encoding(source),
    }
    sep = source.separator or default_sep
    if sep:
        options["sep"] = sep
    return con.read_csv(str(path), **options)


def padded_commune_codes(codes: pd.Series, source: Source) -> pd.Series:
    """Commune codes padded to 5 characters (2A/2B kept), see :func:`etl.codes.pad_commune_codes`.

    Raises
    ------
    LoadError
        An invalid code (the :class:`~etl.codes.CodeError` message, source named).
    """
    try:
        return pad_commune_codes(codes)
    except CodeError as exc:
        raise LoadError(f"source {source.name!r}: {exc}") from exc


def unique_commune_codes(codes: pd.Series, source: Source, what: str) -> pd.Series:
    """Commune codes padded like :func:`padded_commune_codes`, none empty or repeated.

    Parameters
    ----------
    codes : pandas.Series
        Codes as published.
    source : Source
        Catalogue entry, named in the errors.
    what : str
        How the error names the codes (``"CODGEO"``, ``"codes commune"``).

    Returns
    -------
    pandas.Series
        The padded codes, same index.

    Raises
    ------
    LoadError
        An invalid, empty or duplicated code (up to five duplicates listed).
    """
    padded = padded_commune_codes(codes, source)
    if padded.isna().any() or padded.duplicated().any():
        dup = sorted(set(padded[padded.duplicated()].dropna()))[:5]
        raise LoadError(f"source {source.name!r}: {what} vides ou en double {dup}")
    return padded


def cast_sql(schema: Mapping[str, str]) -> str:
    """SELECT list casting each column of ``schema`` to its type, in order.

    Column names come from the role schemas of :mod:`etl.loaders`, never from data.
    """
    return ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in schema.items())


def frame_relation(
    con: duckdb.DuckDBPyConnection, df: pd.DataFrame, schema: Mapping[str, str]
) -> duckdb.DuckDBPyRelation:
    """``df`` as a relation with exactly the columns of ``schema``, in order, with their types."""
    return con.from_df(df[list(schema)]).project(cast_sql(schema))


def sql_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
