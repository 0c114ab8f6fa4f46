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

Two layouts of the grid are read, recognised by their column names:

* INSEE's own files (``carreaux_200m_met.csv``...): ``idcar_200m``, ``i_est_200``,
  ``lcog_geo``, ``ind``, ``men``;
* the GridViz tiles converted back to absolute cells (Eurostat's tiling of the
  same INSEE data, see ``insee_filosofi_2021_200m_tiles_ne35/README.md`` in the
  mirror): ``idcar_200m_reconstructed`` (the INSPIRE id rebuilt from the tile and
  cell indices), ``imputed`` (INSEE's ``i_est_200``), ``com_2018_geojson`` (the
  2018 commune polygon holding the centre, blank off the coast), ``ind`` and the
  cell centre ``x_3035``/``y_3035``, which must agree with the id. The tiles have
  no households column: ``households`` is NULL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer
from pyproj.exceptions import CRSError

from etl.catalogue import Source
from etl.loaders import INCOME_COLUMNS, POPULATION_POINT_COLUMNS, LoadError, require_columns
from etl.loaders._common import (
    cast_sql,
    frame_relation,
    one_file,
    quote_identifier,
    read_text_csv,
    unique_commune_codes,
)
from etl.vocabulary import COMMUNE_CODE_RE

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
# Plausible values per output column (inclusive bounds): outside, the file is corrupt
# or misread (a percentage is at most 100; incomes are positive). The 2019 commune
# file spans MED 11,730-51,720 EUR, D1 6,540-21,200, D9 23,890-137,020, TP60 5-55 %.
PLAUSIBLE_RANGES: dict[str, tuple[float, float]] = {
    "households": (0, 2_000_000),  # Paris: 1,037,197 fiscal households
    "persons": (0, 4_000_000),  # Paris: 2,046,445
    "median_income_eur": (1_000, 200_000),
    "poverty_rate_pct": (0, 100),
    "d1_eur": (0, 200_000),
    "d9_eur": (1_000, 1_000_000),
}

_CELL_ID_RE = r"^CRS(\d{4,5})RES(\d+)mN(\d+)E(\d+)$"


@dataclass(frozen=True)
class GridLayout:
    """Column names (lower case) of one layout of the 200 m grid files.

    ``households`` is None when the layout has no households column (NULL in the
    output); ``centre_x``/``centre_y`` name the cell centre in EPSG:3035 when the
    layout repeats it (checked against the id), None otherwise.
    """

    label: str
    cell_id: str
    imputed: str
    commune: str
    population: str
    households: str | None = None
    centre_x: str | None = None
    centre_y: str | None = None

    @property
    def required(self) -> tuple[str, ...]:
        names = (self.cell_id, self.imputed, self.commune, self.population, self.households)
        return tuple(n for n in (*names, self.centre_x, self.centre_y) if n is not None)


# The first layout whose cell-id column is in the header is the one read.
GRID_LAYOUTS: tuple[GridLayout, ...] = (
    GridLayout("INSEE", "idcar_200m", "i_est_200", "lcog_geo", "ind", households="men"),
    GridLayout(
        "tuiles GridViz converties",
        "idcar_200m_reconstructed",
        "imputed",
        "com_2018_geojson",
        "ind",
        centre_x="x_3035",
        centre_y="y_3035",
    ),
)
_CENTRE_EPSG = 3035  # the CRS of the x_3035 / y_3035 columns


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

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one
    ``;``-separated file with ``CODGEO`` and the Filosofi variables. ``source``: catalogue entry
    (``separator``, ``encoding``).

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
        Missing column, no ``MEDaa`` column, non-numeric value, a value outside
        :data:`PLAUSIBLE_RANGES`, invalid or duplicated commune code.
    """
    rel = read_text_csv(con, one_file(files, source), source, default_sep=";")
    suffix = vintage_suffix(rel.columns, source.name)
    wanted = {out: f"{stem}{suffix}" for out, stem in _INCOME_STEMS.items()}
    require_columns(source.name, rel.columns, ["CODGEO", *wanted.values()])
    df = rel.select(", ".join(f'"{c}"' for c in ["CODGEO", *wanted.values()])).df()
    out = pd.DataFrame({"commune_code": unique_commune_codes(df["CODGEO"], source, "CODGEO")})
    for column, variable in wanted.items():
        out[column] = _to_number(df[variable], variable, source)
        _check_range(out, column, variable, source)
    return frame_relation(con, out, INCOME_COLUMNS)


def _check_range(out: pd.DataFrame, column: str, variable: str, source: Source) -> None:
    """Raise :class:`LoadError` when a value of ``column`` is outside
    :data:`PLAUSIBLE_RANGES`, naming the source, the variable, the count and the
    first commune with its value."""
    low, high = PLAUSIBLE_RANGES[column]
    values = out[column]
    bad = values.notna() & ((values < low) | (values > high))
    if bad.any():
        first = out.loc[bad].iloc[0]
        raise LoadError(
            f"source {source.name!r}: {int(bad.sum())} valeur(s) de {variable} hors de la "
            f"plage plausible [{low:g} ; {high:g}], par ex. CODGEO {first['commune_code']} : "
            f"{first[column]:g}"
        )


# ---------------------------------------------------------------- 200 m grid


def grid_layout(columns: Sequence[str], source_name: str) -> GridLayout:
    """The layout of a grid file, recognised from its header (any letter case).

    Raises :class:`LoadError` naming the missing columns of the recognised layout
    (of INSEE's layout when no cell-id column is found).
    """
    present = {c.lower() for c in columns}
    layout = next((g for g in GRID_LAYOUTS if g.cell_id in present), GRID_LAYOUTS[0])
    require_columns(source_name, present, layout.required)
    return layout


def _grid_columns(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source
) -> tuple[GridLayout, dict[str, str]]:
    """The file's layout and the map of its lower-case names to the file's own
    (2017 files capitalise them)."""
    rel = con.read_csv(
        str(path), header=True, all_varchar=True, sep=source.separator or ",", encoding="utf-8"
    )
    by_lower = {c.lower(): c for c in rel.columns}
    layout = grid_layout(rel.columns, source.name)
    return layout, {c: by_lower[c] for c in layout.required}


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

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one or more
    CSV files of the grid (mainland, Martinique, La Réunion), in one of the
    :data:`GRID_LAYOUTS`: INSEE's ``idcar_200m``, ``i_est_200``, ``lcog_geo``, ``ind`` and
    ``men``, or the converted GridViz tiles' ``idcar_200m_reconstructed``, ``imputed``,
    ``com_2018_geojson``, ``ind``, ``x_3035`` and ``y_3035`` (any letter case; other columns are
    ignored). ``source``: catalogue entry (``separator``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.POPULATION_POINT_COLUMNS`, one row per inhabited
        cell: ``point_id`` (the INSPIRE cell id), ``commune_code`` (first code
        of ``lcog_geo``, COG of the Filosofi year; ``com_2018_geojson``, COG
        2018, for the converted tiles; NULL when blank), ``population``
        (``ind``, individuals, may be fractional), ``households`` (``men``;
        NULL for the tiles), ``lon`` and ``lat`` (WGS84 degrees of the cell
        centroid), ``imputed`` (``i_est_200 = 1``: values imputed by INSEE).
        Secret counts are NULL.

    Raises
    ------
    LoadError
        Missing column, a cell id that does not follow the INSPIRE pattern or
        names an unknown CRS, an invalid commune code, a non-numeric count,
        an ``i_est_200`` other than 0/1, a cell centre (``x_3035``/``y_3035``)
        that is not the centre of the cell named by the id, a duplicated cell.
    """
    if not files:
        raise LoadError(f"source {source.name!r}: aucun fichier reçu")
    tables = [_grid_table(con, Path(path), source) for path in files]
    cells = con.from_arrow(pa.concat_tables(tables))
    dup = cells.aggregate("point_id, count(*) AS n").filter("n > 1").limit(3).fetchall()
    if dup:
        raise LoadError(f"source {source.name!r}: carreaux en double {[r[0] for r in dup]}")
    return cells.project(cast_sql(POPULATION_POINT_COLUMNS))


# A grid file whose columns were renamed to id, lcog, i_est, ind, men, cx, cy (text):
# the cell id parsed (INSPIRE pattern ``_CELL_ID_RE``) and the counts read as DOUBLE
# (empty, secret markers and garbage give NULL; garbage is then reported by
# :func:`_check_grid`).
_GRID_SQL = r"""
    WITH cells AS (
        SELECT trim(id) AS id, trim(lcog) AS lcog, i_est, ind, men, cx, cy,
               regexp_extract(trim(id), '^CRS(\d{4,5})RES(\d+)mN(\d+)E(\d+)$',
                              ['epsg', 'res', 'north', 'east']) AS cell
        FROM raw
    )
    SELECT id, lcog, i_est, ind, men, cx, cy,
           TRY_CAST(cell.epsg AS BIGINT) AS epsg, TRY_CAST(cell.res AS BIGINT) AS res,
           TRY_CAST(cell.north AS BIGINT) AS north, TRY_CAST(cell.east AS BIGINT) AS east,
           left(lcog, 5) AS commune_code,
           TRY_CAST(replace(trim(ind), ',', '.') AS DOUBLE) AS population,
           TRY_CAST(replace(trim(men), ',', '.') AS DOUBLE) AS households,
           TRY_CAST(replace(trim(i_est), ',', '.') AS DOUBLE) AS i_est_value,
           TRY_CAST(replace(trim(cx), ',', '.') AS DOUBLE) AS cx_value,
           TRY_CAST(replace(trim(cy), ',', '.') AS DOUBLE) AS cy_value
    FROM cells
"""


def _grid_table(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> pa.Table:
    """One grid file as an Arrow table with the output columns.

    The file is scanned twice: once for the value checks (aggregates), once to
    materialise only the output columns (raw text columns are never copied).
    """
    if path.suffix.lower() != ".csv":
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    layout, cols = _grid_columns(con, path, source)

    file = con.read_csv(
        str(path), header=True, all_varchar=True, sep=source.separator or ",", encoding="utf-8"
    )
    renamed = {
        "id": layout.cell_id,
        "lcog": layout.commune,
        "i_est": layout.imputed,
        "ind": layout.population,
        "men": layout.households,
        "cx": layout.centre_x,
        "cy": layout.centre_y,
    }
    # Column names come from GRID_LAYOUTS (matched in the header), quoted, never SQL.
    raw = file.project(
        ", ".join(
            f"{quote_identifier(cols[name]) if name else 'NULL::VARCHAR'} AS {alias}"
            for alias, name in renamed.items()
        )
    )
    cells = raw.query("raw", _GRID_SQL)
    _check_grid(cells, path, source, layout)  # one scan of the file, aggregates only
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


def _check_grid(
    cells: duckdb.DuckDBPyRelation, path: Path, source: Source, layout: GridLayout
) -> None:
    """Raise LoadError on the first kind of bad value found, with examples."""
    code_re = COMMUNE_CODE_RE.pattern
    secret = ", ".join(f"'{m}'" for m in ["", *sorted(SECRET_MARKERS)])
    checks = {
        "identifiant(s) de carreau illisible(s)": (
            "id",
            "epsg IS NULL OR res IS NULL OR north IS NULL OR east IS NULL",
        ),
        f"{layout.commune} illisible(s)": (
            "lcog",
            f"lcog IS NOT NULL AND NOT regexp_full_match(commune_code, '{code_re}')",
        ),
        f"valeur(s) non numérique(s) de {layout.population}": (
            "ind",
            f"ind IS NOT NULL AND population IS NULL AND lower(trim(ind)) NOT IN ({secret})",
        ),
        f"valeur(s) non numérique(s) de {layout.households or 'men'}": (
            "men",
            f"men IS NOT NULL AND households IS NULL AND lower(trim(men)) NOT IN ({secret})",
        ),
        f"{layout.imputed} hors {{0, 1}}": (
            "i_est",
            "i_est_value IS NULL AND nullif(trim(i_est), '') "
            "IS NOT NULL OR i_est_value NOT IN (0, 1)",
        ),
    }
    if layout.centre_x is not None:
        # The centre repeated by the file must be the centre of the cell the id names.
        checks[
            f"centre(s) {layout.centre_x}/{layout.centre_y} hors du carreau de l'identifiant"
        ] = (
            "id",
            f"epsg IS DISTINCT FROM {_CENTRE_EPSG} OR cx_value IS NULL OR cy_value IS NULL "
            "OR abs(cx_value - (east + res / 2)) > 0.5 OR abs(cy_value - (north + res / 2)) > 0.5",
        )
    firsts = ", ".join(
        f"first({column}) FILTER (WHERE {condition}), count_if({condition})"
        for column, condition in checks.values()
    )
    found = cells.aggregate(firsts).fetchone()
    assert found is not None  # an aggregate without GROUP BY has one row
    for i, message in enumerate(checks):
        if found[2 * i + 1]:
            raise LoadError(
                f"source {source.name!r}: {found[2 * i + 1]} {message}, par ex. "
                f"{found[2 * i]!r} dans {path.name}"
            )
