"""Loaders for INSEE Filosofi: commune key figures and the 200 m population grid.

Statistical secrecy
-------------------
INSEE leaves a value empty when it is secret (too few households) or not
computed. Such values become NULL, never 0: a commune with a secret poverty
rate is not a commune without poverty. In the 2019 commune file the median is
filled for 31,358 communes out of 34,930 and the poverty rate for only 4,368.

The 200 m grid
--------------
Each cell id encodes its grid: ``CRS3035RES200mN2029800E4252400`` is the cell
whose south-west corner is at N = 2,029,800 m, E = 4,252,400 m in EPSG:3035
(ETRS89-LAEA, mainland France). Overseas files use the same pattern with their
local CRS (``CRS5490`` Martinique, ``CRS2975`` La Réunion), so the CRS is read
from each id. The centroid is the corner plus half the resolution.

Most inhabited cells hold fewer than 11 households; for them INSEE publishes
imputed values (statistical secrecy) and flags them ``i_est_200 = 1`` (about a
fifth of the population): the flag is kept as ``imputed``.
``lcog_geo`` gives the commune(s) of the cell in an **older COG** (the one of
the Filosofi year) and concatenates several 5-character codes when the cell
straddles communes (``3523835047``): the first code is kept, so a commune
boundary crossed by a cell is approximated. Map codes to the current COG
downstream.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer
from pyproj.exceptions import CRSError

from etl.catalogue import Source
from etl.codes import COMMUNE_CODE_RE
from etl.loaders import INCOME_COLUMNS, POPULATION_POINT_COLUMNS, LoadError, require_columns
from etl.loaders._common import (
    cast_sql,
    frame_relation,
    one_file,
    read_text_csv,
    sql_literal,
    unique_commune_codes,
)

# Markers that some INSEE files put in secret cells instead of leaving them empty.
SECRET_MARKERS = frozenset({"s", "nd", "n.d.", "ns", "so", "secret"})

# Output column -> Filosofi variable stem (the vintage suffix "19", "20"... is appended).
_INCOME_STEMS = {
    "households": "NBMENFISC",  # fiscal households
    "persons": "NBPERSMENFISC",  # persons in fiscal households
    "median_income_eur": "MED",  # median disposable income per consumption unit, EUR
    "poverty_rate_pct": "TP60",  # poverty rate at 60 % of the median, percent
    "d1_eur": "D1",  # 1st decile of disposable income per consumption unit, EUR
    "d9_eur": "D9",  # 9th decile, EUR
}
_MED_RE = re.compile(r"^MED(\d{2})$")

_CELL_ID_RE = r"^CRS(\d{4,5})RES(\d+)mN(\d+)E(\d+)$"
_GRID_COLUMNS = ("idcar_200m", "i_est_200", "lcog_geo", "ind", "men")


# ---------------------------------------------------------------- commune file


def vintage_suffix(columns: Sequence[str], source_name: str) -> str:
    """Two-digit vintage suffix of a Filosofi header, read from its ``MEDaa`` column.

    ``MED19`` -> ``"19"``. Raises :class:`LoadError` when no or several
    ``MEDaa`` columns are present.
    """
    found = sorted({m.group(1) for c in columns if (m := _MED_RE.match(c))})
    if len(found) != 1:
        raise LoadError(
            f"source {source_name!r}: millésime Filosofi introuvable "
            f"(colonnes MEDaa trouvées : {found})"
        )
    return found[0]


def _to_number(raw: pd.Series, column: str, source: Source) -> pd.Series:
    """Numbers from INSEE text; empty and secret markers -> NA; anything else fails."""
    text = raw.astype("string").str.strip()
    text = text.mask(text.str.lower().isin(SECRET_MARKERS) | (text == ""))
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = text.notna() & values.isna()
    if bad.any():
        examples = sorted(set(text[bad]))[:5]
        raise LoadError(f"source {source.name!r}: valeurs non numériques dans {column}: {examples}")
    return values.astype("Float64")


def load_filosofi_communes(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Income and poverty key figures per commune (``cc_filosofi_AAAA_COM.CSV``).

    The vintage suffix of the variables (``MED19`` -> ``19``) is read from the
    header, so the 2019, 2020 and 2021 files load alike.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection the returned relation belongs to.
    files : Sequence[Path]
        One ``;``-separated file with ``CODGEO`` and the Filosofi variables.
    source : Source
        Catalogue entry (``separator``, ``encoding``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.INCOME_COLUMNS`, one row per commune:
        ``commune_code`` (5 characters), ``households`` (NBMENFISC, fiscal
        households), ``persons`` (NBPERSMENFISC, persons), ``median_income_eur``
        (MED, median disposable income per consumption unit, EUR/year),
        ``poverty_rate_pct`` (TP60, percent), ``d1_eur`` and ``d9_eur`` (first
        and ninth deciles, EUR/year). Secret or missing values are NULL.

    Raises
    ------
    LoadError
        Missing column, no ``MEDaa`` column, non-numeric value, invalid or
        duplicated commune code.
    """
    rel = read_text_csv(con, one_file(files, source), source, default_sep=";")
    suffix = vintage_suffix(rel.columns, source.name)
    wanted = {out: f"{stem}{suffix}" for out, stem in _INCOME_STEMS.items()}
    require_columns(source.name, rel.columns, ["CODGEO", *wanted.values()])
    df = rel.select(", ".join(f'"{c}"' for c in ["CODGEO", *wanted.values()])).df()
    out = pd.DataFrame({"commune_code": unique_commune_codes(df["CODGEO"], source, "CODGEO")})
    for column, variable in wanted.items():
        out[column] = _to_number(df[variable], variable, source)
    return frame_relation(con, out, INCOME_COLUMNS)


# ---------------------------------------------------------------- 200 m grid


def _grid_columns(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> dict[str, str]:
    """Map of expected lower-case names to the file's own (2017 files capitalise them)."""
    rel = con.read_csv(
        str(path), header=True, all_varchar=True, sep=source.separator or ",", encoding="utf-8"
    )
    by_lower = {c.lower(): c for c in rel.columns}
    require_columns(source.name, by_lower, _GRID_COLUMNS)
    return {c: by_lower[c] for c in _GRID_COLUMNS}


def cell_centroids(
    epsg: np.ndarray, res: np.ndarray, north: np.ndarray, east: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 (lon, lat) of cell centroids given the CRS, size and SW corner of each cell.

    Parameters
    ----------
    epsg, res, north, east : numpy.ndarray
        EPSG code of each cell's grid, cell size (m) and south-west corner
        (northing, easting, m), as encoded in INSPIRE cell ids.

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes and latitudes in degrees (EPSG:4326).
    """
    lon = np.full(len(epsg), np.nan)
    lat = np.full(len(epsg), np.nan)
    x = east + res / 2.0
    y = north + res / 2.0
    for code in np.unique(epsg):
        mask = epsg == code
        transformer = Transformer.from_crs(int(code), 4326, always_xy=True)
        lon[mask], lat[mask] = transformer.transform(x[mask], y[mask])
    return lon, lat


def load_filosofi_grid_200m(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Population points from the Filosofi 200 m grid (``carreaux_200m_*.csv``).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection the returned relation belongs to.
    files : Sequence[Path]
        One or more CSV files of the grid (mainland, Martinique, La Réunion),
        with ``idcar_200m``, ``i_est_200``, ``lcog_geo``, ``ind`` and ``men``
        (any letter case; the other columns are ignored).
    source : Source
        Catalogue entry (``separator``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.POPULATION_POINT_COLUMNS`, one row per inhabited
        cell: ``point_id`` (the INSPIRE cell id), ``commune_code`` (first code
        of ``lcog_geo``, COG of the Filosofi year), ``population`` (``ind``,
        individuals, may be fractional), ``households`` (``men``), ``lon`` and
        ``lat`` (WGS84 degrees of the cell centroid), ``imputed``
        (``i_est_200 = 1``: values imputed by INSEE). Secret counts
        are NULL.

    Raises
    ------
    LoadError
        Missing column, a cell id that does not follow the INSPIRE pattern or
        names an unknown CRS, an invalid commune code, a non-numeric count,
        an ``i_est_200`` other than 0/1, a duplicated cell.
    """
    if not files:
        raise LoadError(f"source {source.name!r}: aucun fichier reçu")
    tables = [_grid_table(con, Path(path), source) for path in files]
    cells = con.from_arrow(pa.concat_tables(tables))
    dup = cells.aggregate("point_id, count(*) AS n").filter("n > 1").limit(3).fetchall()
    if dup:
        raise LoadError(f"source {source.name!r}: carreaux en double {[r[0] for r in dup]}")
    return cells.project(cast_sql(POPULATION_POINT_COLUMNS))


def _number_sql(column: str) -> str:
    """DOUBLE from INSEE text; empty, secret markers and garbage give NULL (garbage is
    then reported by :func:`_check_grid`)."""
    return f"TRY_CAST(replace(trim({column}), ',', '.') AS DOUBLE)"


def _grid_table(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> pa.Table:
    """One grid file as an Arrow table with the output columns.

    The file is scanned twice: once for the value checks (aggregates), once to
    materialise only the output columns (raw text columns are never copied).
    """
    if path.suffix.lower() != ".csv":
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    cols = _grid_columns(con, path, source)
    raw = {k: f'"{v}"' for k, v in cols.items()}
    scan = f"read_csv({sql_literal(str(path))}, header = true, all_varchar = true, delim = "
    scan += f"{sql_literal(source.separator or ',')})"
    cells = con.sql(
        f"""
        WITH raw AS (
            SELECT trim({raw["idcar_200m"]}) AS id, trim({raw["lcog_geo"]}) AS lcog,
                   {raw["i_est_200"]} AS i_est, {raw["ind"]} AS ind, {raw["men"]} AS men,
                   regexp_extract(trim({raw["idcar_200m"]}), '{_CELL_ID_RE}',
                                  ['epsg', 'res', 'north', 'east']) AS cell
            FROM {scan}
        )
        SELECT id, lcog, i_est, ind, men,
               TRY_CAST(cell.epsg AS BIGINT) AS epsg, TRY_CAST(cell.res AS BIGINT) AS res,
               TRY_CAST(cell.north AS BIGINT) AS north, TRY_CAST(cell.east AS BIGINT) AS east,
               left(lcog, 5) AS commune_code,
               {_number_sql("ind")} AS population, {_number_sql("men")} AS households,
               {_number_sql("i_est")} AS i_est_value
        FROM raw
        """
    )
    _check_grid(cells, path, source)  # one scan of the file, aggregates only
    table = cells.select(
        "id, commune_code, population, households, epsg, res, north, east, i_est_value"
    ).to_arrow_table()
    numbers = [table.column(c).to_numpy() for c in ("epsg", "res", "north", "east")]
    try:
        lon, lat = cell_centroids(*numbers)
    except CRSError as exc:
        raise LoadError(f"source {source.name!r}: SCR inconnu dans {path.name}: {exc}") from exc
    imputed = pc.equal(table.column("i_est_value"), 1.0)
    return pa.table(
        {
            "point_id": table.column("id"),
            "commune_code": table.column("commune_code"),
            "population": table.column("population"),
            "households": table.column("households"),
            "lon": lon,
            "lat": lat,
            "imputed": imputed,
        }
    )


def _check_grid(cells: duckdb.DuckDBPyRelation, path: Path, source: Source) -> None:
    """Raise LoadError on the first kind of bad value found, with examples."""
    code_re = COMMUNE_CODE_RE.pattern
    secret = ", ".join(f"'{m}'" for m in ["", *sorted(SECRET_MARKERS)])
    checks = {
        "identifiant(s) de carreau illisible(s)": (
            "id",
            "epsg IS NULL OR res IS NULL OR north IS NULL OR east IS NULL",
        ),
        "lcog_geo illisible(s)": (
            "lcog",
            f"lcog IS NOT NULL AND NOT regexp_full_match(commune_code, '{code_re}')",
        ),
        "valeur(s) non numérique(s) de ind": (
            "ind",
            f"ind IS NOT NULL AND population IS NULL AND lower(trim(ind)) NOT IN ({secret})",
        ),
        "valeur(s) non numérique(s) de men": (
            "men",
            f"men IS NOT NULL AND households IS NULL AND lower(trim(men)) NOT IN ({secret})",
        ),
        "i_est_200 hors {0, 1}": (
            "i_est",
            "i_est_value IS NULL AND nullif(trim(i_est), '') "
            "IS NOT NULL OR i_est_value NOT IN (0, 1)",
        ),
    }
    firsts = ", ".join(
        f"first({column}) FILTER (WHERE {condition}), count_if({condition})"
        for column, condition in checks.values()
    )
    found = cells.aggregate(firsts).fetchone()
    for i, message in enumerate(checks):
        if found[2 * i + 1]:
            raise LoadError(
                f"source {source.name!r}: {found[2 * i + 1]} {message}, par ex. "
                f"{found[2 * i]!r} dans {path.name}"
            )
