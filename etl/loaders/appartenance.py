"""Loader for INSEE's "table d'appartenance géographique des communes".

INSEE publishes the table as an xlsx workbook (sheet ``COM``, five title rows).
The file this loader reads is a ``;``-separated CSV conversion of it. The copy
in the local mirror (COG 2022) was converted by a third party with a
spreadsheet tool: it is **cp1252**-encoded with CRLF line ends, and every code
that looked like a number **lost its leading zeros** (``CODGEO`` "1001" for
01001, ``DEP`` "1", ``REG`` "1" for Guadeloupe, ``AAV2020`` "0" for "000").
Codes are therefore re-padded here; Corsican codes keep their letters
(``2A004``, ``2A501``).

The encoding comes from the catalogue entry (``encoding``), not from a guess.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._common import (
    declared_columns,
    frame_relation,
    one_file,
    unique_commune_codes,
)

# Role "typology", commune memberships. Typology sources may carry other columns
# than TYPOLOGY_COLUMNS; this one describes which zones each commune belongs to.
APPARTENANCE_COLUMNS: dict[str, str] = {
    "commune_code": "VARCHAR",  # CODGEO, 5 characters (2A/2B kept)
    "epci_code": "VARCHAR",  # EPCI, SIREN (9 digits); NULL for the 4 island communes
    #                           without EPCI (published as ZZZZZZZZZ)
    "dep_code": "VARCHAR",  # DEP, 2 characters (3 for 971..976)
    "reg_code": "VARCHAR",  # REG, 2 characters
    "aav_code": "VARCHAR",  # AAV2020, 3 characters; "000" = commune hors attraction des villes
    "aav_category": "VARCHAR",  # CATEAAV2020: 11 commune-centre, 12 autre commune du pôle
    #                              principal, 13 pôle secondaire, 20 couronne, 30 hors attraction
    "uu_code": "VARCHAR",  # UU2020, 5 characters; "dd000" = commune hors unité urbaine
}

AAV_CATEGORIES = frozenset({"11", "12", "13", "20", "30"})
_NO_EPCI = "ZZZZZZZZZ"


def _read(path: Path, source: Source) -> pd.DataFrame:
    """The catalogue's declared columns, as text, decoded with the catalogue's encoding.

    pandas, not DuckDB: DuckDB's CSV reader does not decode cp1252.
    """
    encoding = source.encoding or "utf-8"
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(f"source {source.name!r}: {path.name} n'est pas en {encoding}") from exc
    df = pd.read_csv(
        io.StringIO(text.lstrip("\ufeff")),
        sep=source.separator or ";",
        dtype=str,
        keep_default_na=False,
    )
    return df[list(declared_columns(source, df.columns, path))]


def _zfill_digits(values: pd.Series, width: int) -> pd.Series:
    """Left-pad with zeros the values made of digits only; keep the others (2A501, 9A1)."""
    text = values.astype("string").str.strip().replace("", pd.NA)
    digits = text.str.fullmatch(r"[0-9]+").fillna(False)
    return text.where(~digits, text.str.zfill(width))


def _check(values: pd.Series, pattern: str, column: str, source: Source) -> None:
    bad = values.notna() & ~values.str.fullmatch(pattern).fillna(False)
    if values.isna().any() or bad.any():
        examples = sorted(set(values[bad].astype(str)))[:5]
        raise LoadError(f"source {source.name!r}: {column} vide ou invalide, par ex. {examples}")


def load_appartenance_geo(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Zones each commune belongs to (EPCI, département, région, AAV, unité urbaine).

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one CSV
    conversion of the table (``table-appartenance-geo-communes-AA.csv``). ``source``: catalogue
    entry (``separator``, ``encoding``: cp1252 for the mirrored copy).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`APPARTENANCE_COLUMNS`, one row per commune of the table's COG:
        ``commune_code``, ``epci_code``, ``dep_code``, ``reg_code``,
        ``aav_code``, ``aav_category``, ``uu_code`` (all text codes, padded;
        see the schema for their widths and special values).

    Raises
    ------
    LoadError
        Missing column, undecodable file, a code that is empty or malformed
        after padding, an unknown CATEAAV2020 value, a duplicated commune.
    """
    df = _read(one_file(files, source), source)
    communes = unique_commune_codes(df["CODGEO"], source, "CODGEO")
    deps = df["DEP"].astype("string").str.strip().str.upper()
    deps = deps.where(deps.str.len() >= 2, deps.str.zfill(2))
    epci = df["EPCI"].astype("string").str.strip().replace(_NO_EPCI, pd.NA)
    out = pd.DataFrame(
        {
            "commune_code": communes,
            "epci_code": _zfill_digits(epci, 9),
            "dep_code": deps,
            "reg_code": _zfill_digits(df["REG"], 2),
            "aav_code": _zfill_digits(df["AAV2020"], 3),
            "aav_category": _zfill_digits(df["CATEAAV2020"], 2),
            "uu_code": _zfill_digits(df["UU2020"], 5),
        }
    )
    _check(out["dep_code"], r"[0-9]{2}|2A|2B|97[1-6]", "DEP", source)
    _check(out["reg_code"], r"[0-9]{2}", "REG", source)
    _check(out["aav_code"], r"[0-9A-Z]{3}", "AAV2020", source)
    _check(out["uu_code"], r"[0-9A-Z]{5}", "UU2020", source)
    _check(out["epci_code"].fillna(_NO_EPCI), r"[0-9]{9}|Z{9}", "EPCI", source)
    unknown = sorted(set(out["aav_category"].dropna()) - AAV_CATEGORIES)
    if unknown or out["aav_category"].isna().any():
        raise LoadError(f"source {source.name!r}: CATEAAV2020 inconnue(s) {unknown[:5]}")
    return frame_relation(con, out, APPARTENANCE_COLUMNS)
