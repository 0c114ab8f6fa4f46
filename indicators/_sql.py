"""Every SQL text the indicators read or write, and the reads themselves.

Fixed texts only: the values that vary (service types, territory codes) are bound
parameters, and no table or column name is ever built from a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import duckdb
import numpy as np
import pandas as pd

from geo.access_step import CATCHMENT_MODE, CATCHMENT_SERVICE_TYPES

POINTS: Final = """
SELECT point_id, commune_code, population, density_level, kind
FROM population_points
ORDER BY point_id
"""
COMMUNES: Final = """
SELECT code, epci_code, dep_code, reg_code
FROM territories WHERE level = 'commune'
"""
TERRITORIES: Final = """
SELECT level, code, complete FROM territories ORDER BY level, code
"""
NEAREST: Final = """
SELECT origin_id, service_type, "mode", "rank", minutes
FROM travel_times WHERE "rank" = 1
"""
CATCHMENTS: Final = """
SELECT origin_id, service_type, facility_id, minutes
FROM travel_times
WHERE "mode" = $mode AND list_contains($types, service_type)
"""
METHOD: Final = "SELECT DISTINCT method FROM travel_times"
FACILITIES: Final = """
SELECT facility_id, service_type, commune_code FROM facilities
"""
SERVICE_TYPES: Final = """
SELECT code, slug, label, bpe_gamme::VARCHAR AS bpe_gamme, sources
FROM service_types ORDER BY code
"""
POPULATION_SOURCES: Final = """
SELECT DISTINCT population_source FROM territories
WHERE level = 'commune' AND population_source IS NOT NULL ORDER BY 1
"""
DENSITY_KNOWN: Final = "SELECT count(*) FROM population_points WHERE density_level IS NOT NULL"
META: Final = "SELECT dataset, vintage, status FROM meta"
TABLE_EXISTS: Final = """
SELECT count(*) FROM information_schema.tables WHERE table_name = $name
"""
WRITE_INDICATORS: Final = """
CREATE OR REPLACE TABLE indicators AS
SELECT id::VARCHAR AS id, theme::VARCHAR AS theme, label::VARCHAR AS label,
       unit::VARCHAR AS unit, definition::VARCHAR AS definition,
       formula::VARCHAR AS formula, sources::VARCHAR AS sources,
       vintage::VARCHAR AS vintage, higher_is_better::BOOLEAN AS higher_is_better,
       decimals::INTEGER AS decimals, service_type::VARCHAR AS service_type,
       "mode"::VARCHAR AS "mode", threshold_min::DOUBLE AS threshold_min
FROM _indicators_frame
"""
WRITE_VALUES: Final = """
CREATE OR REPLACE TABLE indicator_values AS
SELECT i.indicator_id::VARCHAR AS indicator_id, l.level::VARCHAR AS level,
       c.code::VARCHAR AS code, v."value"::DOUBLE AS "value", v.secret::BOOLEAN AS secret,
       v.numerator::DOUBLE AS numerator, v.denominator::DOUBLE AS denominator
FROM _indicator_values_frame v
JOIN _value_ids i ON i.k = v.i
JOIN _value_levels l ON l.k = v.l
JOIN _value_codes c ON c.k = v.c
"""
WHAT_IF_POINTS: Final = """
SELECT p.point_id, p.commune_code, p.population, p.x, p.y, p.epsg, p.density_level,
       tt.minutes, tt.facility_id
FROM population_points p
JOIN territories c ON c.level = 'commune' AND c.code = p.commune_code
LEFT JOIN travel_times tt
       ON tt.origin_id = p.point_id AND tt.service_type = $service_type
      AND tt."mode" = $mode AND tt."rank" = 1
WHERE CASE $level WHEN 'commune' THEN c.code WHEN 'epci' THEN c.epci_code
                  WHEN 'departement' THEN c.dep_code WHEN 'region' THEN c.reg_code END = $code
ORDER BY p.point_id
"""
WHAT_IF_FACILITIES: Final = """
SELECT facility_id, service_type, x, y, epsg FROM facilities
WHERE service_type = $service_type ORDER BY facility_id
"""
DESCRIBE_REGISTRY: Final = """
SELECT i.id, i.theme, i.label, i.unit, i.sources, i.vintage,
       count(v."value") AS n_values, count(v.code) AS n_rows
FROM indicators i LEFT JOIN indicator_values v ON v.indicator_id = i.id
GROUP BY ALL ORDER BY i.theme, i.id
"""
# Density grid and grid population sources, when loaded (catalogue names).
_DENSITY_SOURCE: Final = "density_grid"
_GRID_SOURCE: Final = "filosofi_grid_200m"


@dataclass(frozen=True)
class WarehouseInputs:
    """What the indicators read from the warehouse (frames, see the SQL above)."""

    points: pd.DataFrame
    communes: pd.DataFrame
    territories: pd.DataFrame
    nearest: pd.DataFrame
    catchments: pd.DataFrame
    facilities: pd.DataFrame
    service_types: pd.DataFrame
    vintages: Mapping[str, str] | None  # None: no meta table yet (during a build)
    population_sources: tuple[str, ...]
    density_sources: tuple[str, ...]
    method: str


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table of that name exists (the name is a bound value)."""
    row = con.execute(TABLE_EXISTS, {"name": name}).fetchone()
    return bool(row and row[0])


def read_inputs(con: duckdb.DuckDBPyConnection) -> WarehouseInputs:
    """Read the base tables and ``travel_times`` (which must exist)."""
    if not table_exists(con, "travel_times"):
        raise ValueError(
            "table travel_times absente: l'étape geo.access_step.compute_travel_times doit "
            "précéder le calcul des indicateurs"
        )
    points = con.execute(POINTS).df()
    methods = [r[0] for r in con.execute(METHOD).fetchall()]
    catch_params = {"mode": CATCHMENT_MODE, "types": list(CATCHMENT_SERVICE_TYPES)}
    population_sources = tuple(r[0] for r in con.execute(POPULATION_SOURCES).fetchall())
    if (points["kind"] == "carreau_200m").any():
        population_sources = (_GRID_SOURCE, *population_sources)
    density_known = con.execute(DENSITY_KNOWN).fetchone()[0] > 0
    vintages = read_vintages(con)
    return WarehouseInputs(
        points=points,
        communes=con.execute(COMMUNES).df(),
        territories=con.execute(TERRITORIES).df(),
        nearest=con.execute(NEAREST).df(),
        catchments=con.execute(CATCHMENTS, catch_params).df(),
        facilities=con.execute(FACILITIES).df(),
        service_types=con.execute(SERVICE_TYPES).df(),
        vintages=vintages,
        population_sources=population_sources,
        density_sources=(_DENSITY_SOURCE,) if density_known else (),
        method=methods[0] if len(methods) == 1 else "straight_line",
    )


def read_vintages(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """Catalogue name -> vintage from the ``meta`` table; None when it does not exist.

    (``warehouse.build`` writes ``meta`` before the build steps.)
    """
    if not table_exists(con, "meta"):
        return None
    return {d: v for d, v, _ in con.execute(META).fetchall() if v}


def write_tables(
    con: duckdb.DuckDBPyConnection, indicators: pd.DataFrame, values: pd.DataFrame
) -> None:
    """(Re)create ``indicators`` and ``indicator_values`` from frames.

    Text columns of ``values`` travel as integer codes plus small lookup frames (a
    national build has millions of rows, and DuckDB reads numbers much faster).
    """
    frames = {"_indicators_frame": indicators}
    numeric = {}
    for column, short in (("indicator_id", "i"), ("level", "l"), ("code", "c")):
        cat = values[column].astype("category")
        numeric[short] = cat.cat.codes.to_numpy()
        lookup = pd.Series(np.asarray(cat.cat.categories, dtype=object), dtype=object)
        frames[f"_value_{_PLURAL[column]}"] = pd.DataFrame(
            {"k": np.arange(len(lookup)), column: lookup}
        )
    for column in ("value", "secret", "numerator", "denominator"):
        numeric[column] = values[column].to_numpy()
    frames["_indicator_values_frame"] = pd.DataFrame(numeric)
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute(WRITE_INDICATORS)
        con.execute(WRITE_VALUES)
    finally:
        for name in frames:
            con.unregister(name)


_PLURAL: Final = MappingProxyType({"indicator_id": "ids", "level": "levels", "code": "codes"})
