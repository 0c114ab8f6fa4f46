"""Loader for INSEE's legal populations of communes (``donnees_communes.csv``).

INSEE publishes each year an ``ensemble.zip`` whose ``donnees_communes.csv``
(``;``-separated, UTF-8) gives, per commune, the municipal population (PMUN),
the population counted apart (PCAP) and the total population (PTOT). Two
layouts are known:

* recent editions (populations de référence 2023, in force on 1 January 2026):
  ``REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT``, where
  ``COM`` is the 5-character commune code and ``Commune`` its name;
* older editions: ``CODREG;REG;CODDEP;CODARR;CODCAN;CODCOM;COM;PMUN;PCAP;PTOT``,
  where ``COM`` is the **name** and the code is ``CODDEP`` + ``CODCOM``
  (3 characters).

The layout is recognised from the content of ``COM``. The municipal
population is the one used for every per-inhabitant ratio (INSEE's advice).
Paris, Lyon and Marseille may appear through their municipal arrondissements:
rows are kept as published; staging maps them to their commune.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._common import (
    frame_relation,
    one_file,
    read_declared_csv,
    unique_commune_codes,
)
from etl.vocabulary import COMMUNE_CODE_RE

# Role "population", one row per commune (points are POPULATION_POINT_COLUMNS).
LEGAL_POPULATION_COLUMNS: dict[str, str] = {
    "commune_code": "VARCHAR",  # 5 characters (2A/2B kept), COG of the edition
    "population": "BIGINT",  # PMUN: population municipale, inhabitants
}


# Declared columns (catalogue) of one layout only: NULL in the other.
_LAYOUT = ("DEP", "CODDEP", "CODCOM")


def _codes(df: pd.DataFrame, source: Source) -> pd.Series:
    """Commune codes from ``COM`` (recent layout) or ``CODDEP``/``DEP`` + ``CODCOM``."""
    com = df["COM"].astype("string").str.strip()
    if com.str.fullmatch(COMMUNE_CODE_RE.pattern).fillna(False).all():
        return com
    dep_col = next((c for c in ("CODDEP", "DEP") if df[c].notna().any()), None)
    if dep_col is None or df["CODCOM"].isna().all():
        raise LoadError(
            f"source {source.name!r}: ni COM en code commune, ni CODDEP/DEP + CODCOM "
            f"(colonnes trouvées : {sorted(df.columns)[:12]})"
        )
    dep = df[dep_col].astype("string").str.strip().str.upper()
    dep = dep.where(dep.str.len() >= 2, dep.str.zfill(2))
    com3 = df["CODCOM"].astype("string").str.strip().str.zfill(3)
    # Overseas départements have 3 characters and commune numbers of 2 (97411 = 974 + 11).
    return dep + com3.where(dep.str.len() == 2, com3.str[-2:])


def load_populations_legales(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Municipal population of each commune from INSEE's legal populations.

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one
    ``donnees_communes.csv`` (either layout, see the module docstring). ``source``: catalogue
    entry (``separator``, ``encoding``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`LEGAL_POPULATION_COLUMNS`, one row per commune (or municipal
        arrondissement when the file lists them): ``commune_code``,
        ``population`` (PMUN, inhabitants, BIGINT).

    Raises
    ------
    LoadError
        Missing ``PMUN`` or code columns, a missing or non-integer population,
        an invalid or duplicated commune code.
    """
    rel = read_declared_csv(con, one_file(files, source), source, default_sep=";", optional=_LAYOUT)
    df = rel.df()
    codes = unique_commune_codes(_codes(df, source), source, "codes commune")
    raw = df["PMUN"].astype("string").str.strip().str.replace(" ", "", regex=False)
    population = pd.to_numeric(raw, errors="coerce")
    bad = population.isna() | (population % 1 != 0) | (population < 0)
    if bad.any():
        examples = sorted(set(raw[bad].fillna("<vide>")))[:5]
        raise LoadError(f"source {source.name!r}: PMUN vide ou non entier, par ex. {examples}")
    out = pd.DataFrame({"commune_code": codes, "population": population.astype("int64")})
    return frame_relation(con, out, LEGAL_POPULATION_COLUMNS)
