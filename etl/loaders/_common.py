"""Helpers shared by all loaders: the single input file, CSV reading, codes, casts.

Every helper raises :class:`~etl.loaders.LoadError` naming the catalogue source,
so a loader reports a bad file the same way whichever helper found it. The
facility loaders have more helpers of their own in :mod:`etl.loaders._facilities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.vocabulary import CodeError, pad_commune_codes

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
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    default_sep: str | None,
    *,
    multiline: bool = False,
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
    multiline : bool
        Quoted fields may hold line breaks (``"`` quotes and escapes, strict mode).

    Returns
    -------
    duckdb.DuckDBPyRelation
        The file's rows, columns named as in its header.

    Raises
    ------
    LoadError
        An encoding DuckDB cannot read.
    """
    # None is the reader's default (an option not given): the separator is sniffed.
    quote = '"' if multiline else None
    return con.read_csv(
        str(path),
        header=True,
        all_varchar=True,
        encoding=duckdb_encoding(source),
        sep=source.separator or default_sep or None,
        quotechar=quote,
        escapechar=quote,
        comment="" if multiline else None,
        strict_mode=True if multiline else None,
    )


def padded_commune_codes(codes: pd.Series, source: Source) -> pd.Series:
    """Commune codes padded to 5 characters (2A/2B kept): :func:`etl.vocabulary.pad_commune_codes`.

    Raises
    ------
    LoadError
        An invalid code (the :class:`~etl.vocabulary.CodeError` message, source named).
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


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (inner quotes doubled).

    The one way loaders put a column name into SQL text: names come from the
    catalogue, the role schemas or a file's header, and quoting makes any of
    them (accents, ``#``, spaces, quotes) a plain identifier, never SQL.
    """
    return '"' + name.replace('"', '""') + '"'


def cast_sql(schema: Mapping[str, str]) -> str:
    """SELECT list casting each column of ``schema`` to its type, in order.

    Column names come from the role schemas of :mod:`etl.loaders`, never from data;
    types are DuckDB type names of those schemas or of the catalogue.
    """
    return ", ".join(
        f"CAST({quote_identifier(c)} AS {t}) AS {quote_identifier(c)}" for c, t in schema.items()
    )


def frame_relation(
    con: duckdb.DuckDBPyConnection, df: pd.DataFrame, schema: Mapping[str, str]
) -> duckdb.DuckDBPyRelation:
    """``df`` as a relation with exactly the columns of ``schema``, in order, with their types."""
    return con.from_df(df[list(schema)]).project(cast_sql(schema))


def sql_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------- declared columns

# Declared types read from text with a decimal point or comma, empty -> NULL.
_NUMERIC_TYPES = frozenset(
    {"DOUBLE", "FLOAT", "REAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT"}
)


def declared_columns(
    source: Source, present: Iterable[str], path: Path, optional: Iterable[str] = ()
) -> dict[str, str]:
    """The catalogue's declared columns of ``source`` found in a file, with their types.

    Parameters
    ----------
    source : Source
        Catalogue entry; its ``columns`` (name -> DuckDB type) are the columns read.
    present : Iterable[str]
        Column names found in the file (header, JSON keys, GeoJSON properties...).
    path : Path
        The file, named in the error.
    optional : Iterable[str]
        Declared columns some editions of the file lack (the loader then reads NULL).

    Returns
    -------
    dict[str, str]
        Declared name -> type, for the declared columns present in the file, in
        catalogue order.

    Raises
    ------
    LoadError
        The catalogue declares no column for ``source``, or a declared column
        that is not optional is absent (all of them named, with the file).
    """
    if not source.columns:
        raise LoadError(f"source {source.name!r} : aucune colonne déclarée dans le catalogue")
    have = set(present)
    skip = set(optional)
    missing = [c for c in source.columns if c not in have and c not in skip]
    if missing:
        raise LoadError(
            f"source {source.name!r} : colonne(s) déclarée(s) absente(s) de {Path(path).name} : "
            f"{missing} (colonnes trouvées : {sorted(have)[:12]})"
        )
    return {c: t for c, t in source.columns.items() if c in have}


def _typed_sql(column: str, type_: str) -> str:
    """SQL reading a text column as its declared type (numbers: point or comma, '' -> NULL)."""
    name = quote_identifier(column)
    if type_.upper() == "VARCHAR":
        return name
    if type_.upper() in _NUMERIC_TYPES:
        return f"CAST(NULLIF(replace(trim({name}), ',', '.'), '') AS {type_})"
    return f"CAST({name} AS {type_})"


def read_declared_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    *,
    default_sep: str | None = None,
    optional: Iterable[str] = (),
    multiline: bool = False,
) -> duckdb.DuckDBPyRelation:
    """The catalogue's declared columns of a CSV file, with their declared types.

    The file is read as text (nothing is inferred: codes keep their leading
    zeros), then each declared column is cast to its catalogue type; numbers
    accept a decimal point or comma and an empty cell is NULL. A conversion
    error surfaces, lazily, as :class:`duckdb.ConversionException` when the
    relation is read.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection the returned relation belongs to.
    path : Path
        The CSV file (with a header).
    source : Source
        Catalogue entry: ``columns``, ``separator``, ``encoding``.
    default_sep : str or None
        Separator when the catalogue gives none; None lets DuckDB sniff it.
    optional : Iterable[str]
        Declared columns the file may lack: they are NULL of their type.
    multiline : bool
        Quoted fields may hold line breaks (``"`` quotes and escapes, strict mode).

    Returns
    -------
    duckdb.DuckDBPyRelation
        One column per declared column, in catalogue order, named as declared.

    Raises
    ------
    LoadError
        An unreadable file, an encoding DuckDB cannot read, a declared column
        missing (see :func:`declared_columns`).
    """
    try:
        raw = read_text_csv(con, path, source, default_sep, multiline=multiline)
    except duckdb.Error as exc:
        raise LoadError(f"source {source.name!r} : CSV illisible {path}: {exc}") from exc
    present = declared_columns(source, raw.columns, path, optional)
    select = ", ".join(
        f"{_typed_sql(c, t) if c in present else f'NULL::{t}'} AS {quote_identifier(c)}"
        for c, t in source.columns.items()
    )
    return raw.project(select)
