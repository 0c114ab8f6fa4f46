"""Loader for the INSEE communal density grid (grille communale de densité, 7 levels).

Two layouts of the same grid are accepted, chosen by file suffix:

* ``.csv``: the export of the Observatoire des territoires (ANCT) file, as
  published by ANCT's cartography team (``densite.csv``: UTF-8 with BOM, ``,``,
  columns ``insee_com``, ``lib_com``, ``niveau_densite``). The level is given
  as its French **label** only ("Grands centres urbains"...), which is mapped
  to its number here.
* ``.xlsx``: INSEE's own workbook (``grille_densite_7_niveaux_AAAA.xlsx`` or
  ``fichier_diffusion_AAAA.xlsx``): a few title rows, then a header row with
  ``CODGEO`` and the numeric level in ``DENS7`` (recent editions) or ``DENS``.
  The header row is found by its content, not by its position.

Level numbers follow INSEE: 1 is the densest, 7 the most sparsely populated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from etl.catalogue import Source
from etl.loaders import TYPOLOGY_COLUMNS, LoadError
from etl.loaders._common import (
    frame_relation,
    one_file,
    read_declared_csv,
    unique_commune_codes,
)

# INSEE labels of the 7 levels (grille communale de densité, 2022 onwards).
DENSITY_LEVELS: dict[int, str] = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Ceintures urbaines",
    4: "Petites villes",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
_LEVEL_BY_LABEL = {label: level for level, label in DENSITY_LEVELS.items()}

# ANCT strips a "N - " prefix from the labels; tolerate it if a file keeps it.
_LABEL_PREFIX_RE = re.compile(r"^\s*[1-7]\s*-\s*")

_XLSX_CODE = "CODGEO"
_XLSX_LEVELS = ("DENS7", "DENS")  # first found wins: DENS7 in recent editions


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> pd.DataFrame:
    """(code, label) rows of the ANCT CSV export (the catalogue's declared columns),
    levels still as labels."""
    df = read_declared_csv(con, path, source, default_sep=",").df()
    labels = df["niveau_densite"].astype("string").str.replace(_LABEL_PREFIX_RE, "", regex=True)
    labels = labels.str.strip()
    levels = labels.map(_LEVEL_BY_LABEL)
    unknown = sorted(set(labels[levels.isna()].fillna("<vide>")))
    if unknown:
        raise LoadError(
            f"source {source.name!r}: libellé(s) de densité inconnu(s) {unknown[:5]} "
            f"(attendus : {list(DENSITY_LEVELS.values())})"
        )
    return pd.DataFrame({"code": df["insee_com"], "level": levels.astype("int64")})


def _read_xlsx(path: Path, source: Source) -> pd.DataFrame:
    """(code, level) rows of INSEE's workbook; the header row is searched for."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            for row in rows:
                names = [str(v).strip() if v is not None else "" for v in row]
                level_col = next((c for c in _XLSX_LEVELS if c in names), None)
                if _XLSX_CODE in names and level_col:
                    i_code, i_level = names.index(_XLSX_CODE), names.index(level_col)
                    data = [(r[i_code], r[i_level]) for r in rows if r and r[i_code] is not None]
                    return _xlsx_levels(pd.DataFrame(data, columns=["code", "raw"]), source)
    finally:
        workbook.close()
    raise LoadError(
        f"source {source.name!r}: aucune ligne d'en-tête avec {_XLSX_CODE} et "
        f"{' ou '.join(_XLSX_LEVELS)} dans {path.name}"
    )


def _xlsx_levels(df: pd.DataFrame, source: Source) -> pd.DataFrame:
    levels = pd.to_numeric(df["raw"], errors="coerce")
    bad = levels.isna() | ~levels.isin(list(DENSITY_LEVELS))
    if bad.any():
        examples = sorted({str(v) for v in df.loc[bad, "raw"]})[:5]
        raise LoadError(f"source {source.name!r}: niveau(x) de densité hors 1..7 {examples}")
    return pd.DataFrame({"code": df["code"].astype("string"), "level": levels.astype("int64")})


def load_density_grid(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Density level of every commune (INSEE 7-level communal grid).

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one file: the
    ANCT ``densite.csv`` export or INSEE's ``.xlsx`` workbook. ``source``: catalogue entry (its
    ``separator`` is used for CSV files).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.TYPOLOGY_COLUMNS`, one row per commune:
        ``commune_code`` (5 characters, 2A/2B kept), ``density_level``
        (INTEGER, 1 Grands centres urbains .. 7 Rural à habitat très dispersé),
        ``density_label`` (INSEE's French label of the level).

    Raises
    ------
    LoadError
        Missing column, an unknown label or a level outside 1..7, an invalid or
        duplicated commune code, or an unsupported file type.
    """
    path = one_file(files, source)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df = _read_csv(con, path, source)
    elif suffix in {".xlsx", ".xlsm"}:
        df = _read_xlsx(path, source)
    else:
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    codes = unique_commune_codes(df["code"], source, "codes commune")
    out = pd.DataFrame(
        {
            "commune_code": codes,
            "density_level": df["level"].astype("int32"),
            "density_label": df["level"].map(DENSITY_LEVELS).astype("string"),
        }
    )
    return frame_relation(con, out, TYPOLOGY_COLUMNS)
