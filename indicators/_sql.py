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
# The same, with whether each point lies on an island (table land_masses).
POINTS_ISLAND: Final = """
SELECT p.point_id, p.commune_code, p.population, p.density_level, p.kind,
       coalesce(l.island, false) AS island
FROM population_points p LEFT JOIN land_masses l ON l.land_mass = p.land_mass
ORDER BY p.point_id
"""
COMMUNES: Final = """
SELECT code, epci_code, dep_code, reg_code
FROM territories WHERE level = 'commune'
"""
TERRITORIES: Final = """
SELECT level, code, complete FROM territories ORDER BY level, code
"""
NEAREST: Final = """
SELECT origin_id, service_type, "mode", "rank", minutes, distance_m, crow_m
FROM travel_times WHERE "rank" = 1
"""
CATCHMENTS: Final = """
SELECT origin_id, service_type, facility_id, minutes
FROM travel_times
WHERE "mode" = $mode AND list_contains($types, service_type)
"""
METHOD: Final = "SELECT DISTINCT method FROM travel_times"
# Search limits of the (point, service type) pairs (geo/coverage.py); absent = none.
POINT_COVERAGE: Final = """
SELECT origin_id, service_type, radius_m, reason, sources FROM point_coverage
"""
# Inhabitants around the territory and their car catchments: 2SFCA demand only.
DEMAND_POINTS: Final = """
SELECT point_id, population FROM demand_points ORDER BY point_id
"""
DEMAND_CATCHMENTS: Final = """
SELECT origin_id, service_type, facility_id, minutes FROM demand_travel_times
"""
FACILITIES: Final = """
SELECT facility_id, service_type, commune_code FROM facilities
"""
SERVICE_TYPES: Final = """
SELECT code, slug, label, bpe_gamme::VARCHAR AS bpe_gamme, sources, family, basket_item,
       capacity_limited
FROM service_types ORDER BY code
"""
POPULATION_SOURCES: Final = """
SELECT DISTINCT population_source FROM territories
WHERE level = 'commune' AND population_source IS NOT NULL ORDER BY 1
"""
DENSITY_KNOWN: Final = "SELECT count(*) FROM population_points WHERE density_level IS NOT NULL"
# Replacing one theme's rows of ``indicators`` / ``indicator_values`` (the ESS and
# fracture steps): the step registers its frames as ``_theme_registry`` and
# ``_theme_values`` and binds ``$theme``.
DELETE_THEME_VALUES: Final = """
DELETE FROM indicator_values
WHERE indicator_id IN (SELECT id FROM indicators WHERE theme = $theme)
"""
DELETE_THEME_INDICATORS: Final = "DELETE FROM indicators WHERE theme = $theme"
INSERT_THEME_INDICATORS: Final = """
INSERT INTO indicators BY NAME
SELECT id::VARCHAR AS id, theme::VARCHAR AS theme, label::VARCHAR AS label,
       unit::VARCHAR AS unit, definition::VARCHAR AS definition,
       formula::VARCHAR AS formula, sources::VARCHAR AS sources,
       vintage::VARCHAR AS vintage, higher_is_better::BOOLEAN AS higher_is_better,
       decimals::INTEGER AS decimals, service_type::VARCHAR AS service_type,
       "mode"::VARCHAR AS "mode", threshold_min::DOUBLE AS threshold_min,
       target_max::DOUBLE AS target_max, kind::VARCHAR AS kind, scope::VARCHAR AS scope,
       binding_level::VARCHAR AS binding_level,
       base_indicator_id::VARCHAR AS base_indicator_id,
       density_class::VARCHAR AS density_class
FROM _theme_registry
WHERE theme = $theme
"""
INSERT_THEME_VALUES: Final = """
INSERT INTO indicator_values BY NAME
SELECT indicator_id::VARCHAR AS indicator_id, "level"::VARCHAR AS "level",
       code::VARCHAR AS code, "value"::DOUBLE AS "value", secret::BOOLEAN AS secret,
       numerator::DOUBLE AS numerator, denominator::DOUBLE AS denominator
FROM _theme_values
"""


def replace_theme(con: duckdb.DuckDBPyConnection, theme: str) -> None:
    """Replace ``theme``'s indicators and values by the registered ``_theme_*`` frames.

    Runs inside the caller's transaction; the frames must be registered.
    """
    params = {"theme": theme}
    con.execute(DELETE_THEME_VALUES, params)
    con.execute(DELETE_THEME_INDICATORS, params)
    con.execute(INSERT_THEME_INDICATORS, params)
    con.execute(INSERT_THEME_VALUES)


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
       "mode"::VARCHAR AS "mode", threshold_min::DOUBLE AS threshold_min,
       target_max::DOUBLE AS target_max, kind::VARCHAR AS kind, scope::VARCHAR AS scope,
       binding_level::VARCHAR AS binding_level,
       base_indicator_id::VARCHAR AS base_indicator_id,
       density_class::VARCHAR AS density_class
FROM _indicators_frame
"""
WRITE_VALUES: Final = """
CREATE OR REPLACE TABLE indicator_values AS
SELECT i.indicator_id::VARCHAR AS indicator_id, l.level::VARCHAR AS level,
       c.code::VARCHAR AS code, v."value"::DOUBLE AS "value", v.secret::BOOLEAN AS secret,
       v.numerator::DOUBLE AS numerator, v.denominator::DOUBLE AS denominator,
       n.note::VARCHAR AS note
FROM _indicator_values_frame v
JOIN _value_ids i ON i.k = v.i
JOIN _value_levels l ON l.k = v.l
JOIN _value_codes c ON c.k = v.c
LEFT JOIN _value_notes n ON n.k = v.n
"""
WHAT_IF_POINTS: Final = """
SELECT p.point_id, p.commune_code, p.population, p.x, p.y, p.epsg, p.land_mass,
       p.density_level, tt.minutes, tt.facility_id
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
SELECT facility_id, service_type, x, y, epsg, land_mass FROM facilities
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
    # Tables of the extent-independence rules (absent in warehouses built before them).
    point_coverage: pd.DataFrame | None = None
    demand_points: pd.DataFrame | None = None
    demand_catchments: pd.DataFrame | None = None


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
    points = con.execute(POINTS_ISLAND if table_exists(con, "land_masses") else POINTS).df()
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
        point_coverage=_frame_if(con, "point_coverage", POINT_COVERAGE),
        demand_points=_frame_if(con, "demand_points", DEMAND_POINTS),
        demand_catchments=_frame_if(con, "demand_travel_times", DEMAND_CATCHMENTS),
    )


def _frame_if(con: duckdb.DuckDBPyConnection, table: str, sql: str) -> pd.DataFrame | None:
    """The result of ``sql`` when ``table`` exists, else None."""
    return con.execute(sql).df() if table_exists(con, table) else None


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
    if "note" not in values.columns:
        values = values.assign(note=None)
    for column, short in (("indicator_id", "i"), ("level", "l"), ("code", "c"), ("note", "n")):
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


_PLURAL: Final = MappingProxyType(
    {"indicator_id": "ids", "level": "levels", "code": "codes", "note": "notes"}
)


# --- Exports (indicators/exports.py) ----------------------------------------------------
# The rows of one level, optionally restricted to the territories of that level that
# have at least one member commune inside a territory given as ($within_level,
# $within_code); $within_level = '' means the whole warehouse. Bound values only.
_EXPORT_SCOPE: Final = """
WITH scope AS (
    SELECT DISTINCT CASE $level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                                WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
                    END AS code
    FROM territories
    WHERE level = 'commune'
      AND CASE $within_level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                             WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
          END = $within_code
)
"""
EXPORT_TERRITORIES: Final = (
    _EXPORT_SCOPE
    + """
SELECT t.code, t.name, t.population, coalesce(t.complete, true) AS complete, t.epsg
FROM territories t
WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
ORDER BY t.code
"""
)
EXPORT_GEOMETRY: Final = (
    _EXPORT_SCOPE
    + """
SELECT t.code, ST_AsWKB(t.geom) AS wkb
FROM territories t
WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
ORDER BY t.code
"""
)
EXPORT_GEOMETRY_WGS84: Final = (
    _EXPORT_SCOPE
    + """
SELECT t.code, ST_AsWKB(ST_Transform(t.geom, 'EPSG:' || t.epsg, 'EPSG:4326', true)) AS wkb
FROM territories t
WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
ORDER BY t.code
"""
)
# Values as positions: i = row of EXPORT_TERRITORIES (same filter, same order),
# j = position of the indicator in $ids (0-based).
_EXPORT_PLACES: Final = (
    _EXPORT_SCOPE
    + """, places AS (
    SELECT t.code, row_number() OVER (ORDER BY t.code) - 1 AS i
    FROM territories t
    WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
)
"""
)
EXPORT_VALUES: Final = (
    _EXPORT_PLACES
    + """SELECT p.i, list_position($ids, v.indicator_id) - 1 AS j, v."value",
       coalesce(v.secret, false) AS secret
FROM indicator_values v JOIN places p ON p.code = v.code
WHERE v.level = $level AND list_contains($ids, v.indicator_id)
"""
)
# The same cells' notes (why a value is blank), when the warehouse has them.
EXPORT_NOTES: Final = (
    _EXPORT_PLACES
    + """SELECT p.i, list_position($ids, v.indicator_id) - 1 AS j, v.note
FROM indicator_values v JOIN places p ON p.code = v.code
WHERE v.level = $level AND list_contains($ids, v.indicator_id) AND v.note IS NOT NULL
"""
)
# Indicators with a note on a complete territory (a partly built territory is already
# said by the column territoire_complet: it alone does not add a note column).
EXPORT_NOTE_IDS: Final = """
SELECT DISTINCT v.indicator_id FROM indicator_values v
JOIN territories t ON t.level = v.level AND t.code = v.code
WHERE v.note IS NOT NULL AND coalesce(t.complete, true) ORDER BY 1
"""
EXPORT_HAS_NOTES: Final = """
SELECT count(*) FROM information_schema.columns
WHERE table_name = 'indicator_values' AND column_name = 'note'
"""
EXPORT_WITHIN: Final = """
SELECT name FROM territories WHERE level = $within_level AND code = $within_code
"""
EXPORT_REGISTRY: Final = """
SELECT id, theme, label, coalesce(unit, '') AS unit, coalesce(definition, '') AS definition,
       coalesce(formula, '') AS formula, coalesce(sources, '') AS sources,
       coalesce(vintage, '') AS vintage, coalesce(decimals, 1) AS decimals
FROM indicators ORDER BY rowid
"""
EXPORT_SECRECY_IDS: Final = """
SELECT DISTINCT indicator_id FROM indicator_values WHERE secret ORDER BY 1
"""
EXPORT_BUILD_INFO: Final = "SELECT key, value FROM build_info ORDER BY key"
EXPORT_META: Final = """
SELECT dataset, coalesce(title, '') AS title, coalesce(publisher, '') AS publisher,
       coalesce(vintage, '') AS vintage, coalesce(licence, '') AS licence,
       coalesce(status, '') AS status, coalesce(url, '') AS url, coalesce(role, '') AS role
FROM meta ORDER BY dataset
"""
# Sources loaded from the embedded real sample (meta.sample, absent from older builds).
META_HAS_SAMPLE: Final = """
SELECT count(*) FROM information_schema.columns
WHERE table_name = 'meta' AND column_name = 'sample'
"""
META_SAMPLES: Final = "SELECT dataset, origin FROM meta WHERE sample ORDER BY dataset"
EXPORT_BASE_SOURCES: Final = """
SELECT DISTINCT s FROM (
    SELECT population_source AS s FROM territories WHERE level = 'commune'
    UNION ALL
    SELECT geometry_source FROM territories WHERE level = 'commune' AND $geometry
) WHERE s IS NOT NULL ORDER BY 1
"""


# --- Fracture (indicators/fracture_step.py, issue 4 part 4) -----------------------------
# Texts only; the step registers its frames under these fixed names before running them.
FRACTURE_BASE_INDICATORS: Final = """
SELECT id, label, unit, decimals, sources, vintage, higher_is_better, service_type,
       "mode", threshold_min, kind, coalesce(scope, '') AS scope, density_class
FROM indicators WHERE list_contains($themes, theme) ORDER BY id
"""
FRACTURE_COMMUNES: Final = """
SELECT code, epci_code, dep_code, reg_code, population::DOUBLE AS population, density_level
FROM territories WHERE level = 'commune' ORDER BY code
"""
# Commune-level values as (row, column) positions of the step's matrix.
FRACTURE_VALUE_CELLS: Final = """
SELECT i.k AS row_k, c.k AS col_k, v."value"::DOUBLE AS "value"
FROM indicator_values v
JOIN _fracture_ids i ON i.id = v.indicator_id
JOIN _fracture_codes c ON c.code = v.code
WHERE v.level = 'commune' AND v."value" IS NOT NULL
"""
FRACTURE_FILOSOFI: Final = """
SELECT commune_code::VARCHAR AS commune_code, median_income_eur::DOUBLE AS median_income_eur,
       poverty_rate_pct::DOUBLE AS poverty_rate_pct
FROM raw_filosofi_communes
"""
_FRACTURE_COLUMNS: Final = """
indicator_id::VARCHAR AS indicator_id, "level"::VARCHAR AS "level", code::VARCHAR AS code,
index_id::VARCHAR AS index_id, "value"::DOUBLE AS "value", n_communes::INTEGER AS n_communes,
population_covered::DOUBLE AS population_covered, note::VARCHAR AS note
"""
# _fracture_frame: every indicator's indices; _fracture_extra: the overlay's share.
WRITE_FRACTURE_INDICES: Final = (
    "CREATE OR REPLACE TABLE fracture_indices AS\n"
    f"SELECT {_FRACTURE_COLUMNS} FROM _fracture_frame\n"
    f"UNION ALL SELECT {_FRACTURE_COLUMNS} FROM _fracture_extra"
)
WRITE_DOUBLE_PEINE: Final = """
CREATE OR REPLACE TABLE double_peine AS
SELECT commune_code::VARCHAR AS commune_code, dep_code::VARCHAR AS dep_code,
       population::DOUBLE AS population, median_income_eur::DOUBLE AS median_income_eur,
       poverty_rate_pct::DOUBLE AS poverty_rate_pct,
       access_indicator_id::VARCHAR AS access_indicator_id, access_value::DOUBLE AS access_value,
       ref_median_income_eur::DOUBLE AS ref_median_income_eur,
       ref_poverty_rate_pct::DOUBLE AS ref_poverty_rate_pct,
       ref_access_value::DOUBLE AS ref_access_value, poorer::BOOLEAN AS poorer,
       farther::BOOLEAN AS farther, double_peine::BOOLEAN AS double_peine, note::VARCHAR AS note
FROM _double_peine_frame
"""


# --- ESS (indicators/ess_step.py, issue 4 parts 1-3) ------------------------------------
# Texts only. The step registers the lookup frames built by the pure kernels of
# indicators/ess.py (_ess_families, _ess_sections, _ess_employment) and its result frames
# (_theme_registry, _theme_values, _ess_sectors) under these fixed names before running them.
ESS_CATEGORIES: Final = """
SELECT DISTINCT categorie_juridique FROM raw_sirene_unites_legales
"""
ESS_ACTIVITIES: Final = """
SELECT DISTINCT activite_principale FROM raw_sirene_etablissements
WHERE etat_administratif = 'A'
"""
ESS_EMPLOYMENT: Final = """
SELECT DISTINCT employeur, tranche_effectifs FROM raw_sirene_etablissements
WHERE etat_administratif = 'A'
"""
ESS_TERRITORIES: Final = """
SELECT level, code, epci_code, dep_code, reg_code, complete, population::DOUBLE AS population
FROM territories
"""
# Active employing establishments of the build's communes (current COG codes), with
# their estimated jobs (NULL: no usable bracket).
ESS_ESTABLISHMENTS: Final = """
CREATE OR REPLACE TEMP TABLE _ess_establishments AS
SELECT m.code AS commune_code, e.siren, e.activite_principale, emp.jobs
FROM raw_sirene_etablissements e
JOIN commune_code_map m ON m.old_code = e.commune_code
JOIN territories t ON t.level = 'commune' AND t.code = m.code
JOIN _ess_employment emp
  ON emp.employeur IS NOT DISTINCT FROM e.employeur
 AND emp.tranche_effectifs IS NOT DISTINCT FROM e.tranche_effectifs
WHERE e.etat_administratif = 'A' AND emp.employing
"""
# ESS legal units and their family: the Sirene ESS flag, and (second text) the ESS
# France list when it is loaded; a listed unit missing from the stock is "autre".
_ESS_UNITS_HEAD: Final = """
CREATE OR REPLACE TEMP TABLE _ess_units AS
SELECT u.siren, coalesce(f.family, 'autre') AS family
FROM raw_sirene_unites_legales u
LEFT JOIN _ess_families f ON f.categorie_juridique IS NOT DISTINCT FROM u.categorie_juridique
"""
ESS_UNITS: Final = _ESS_UNITS_HEAD + "WHERE u.ess\n"
ESS_UNITS_WITH_LIST: Final = (
    _ESS_UNITS_HEAD
    + """WHERE u.ess OR u.siren IN (SELECT siren FROM raw_ess_france_list)
UNION ALL
SELECT siren, 'autre' FROM raw_ess_france_list
WHERE siren NOT IN (SELECT siren FROM raw_sirene_unites_legales)
"""
)
ESS_ATOMS: Final = """
SELECT e.commune_code, u.family, coalesce(s.section, '?') AS section,
       count(*)::DOUBLE AS n, coalesce(sum(e.jobs), 0)::DOUBLE AS jobs,
       coalesce(max(e.jobs), 0)::DOUBLE AS max_jobs
FROM _ess_establishments e
JOIN _ess_units u ON u.siren = e.siren
LEFT JOIN _ess_sections s ON s.activite_principale IS NOT DISTINCT FROM e.activite_principale
GROUP BY ALL ORDER BY ALL
"""
ESS_EMPLOYING: Final = """
SELECT commune_code, count(*)::DOUBLE AS n, coalesce(sum(jobs), 0)::DOUBLE AS jobs,
       coalesce(max(jobs), 0)::DOUBLE AS max_jobs
FROM _ess_establishments GROUP BY ALL ORDER BY ALL
"""
ESS_COUNTS: Final = """
SELECT count(*) AS employing, count(*) FILTER (WHERE e.jobs IS NULL) AS no_bracket,
       count(u.siren) AS ess, count(u.siren) FILTER (WHERE e.jobs IS NULL) AS ess_no_bracket
FROM _ess_establishments e LEFT JOIN _ess_units u ON u.siren = e.siren
"""
ESS_DROP_TEMP: Final = (
    "DROP TABLE IF EXISTS _ess_establishments",
    "DROP TABLE IF EXISTS _ess_units",
)
WRITE_ESS_BY_SECTOR: Final = """
CREATE OR REPLACE TABLE ess_by_sector AS
SELECT "level"::VARCHAR AS "level", code::VARCHAR AS code, naf_section::VARCHAR AS naf_section,
       label::VARCHAR AS label, establishments::DOUBLE AS establishments,
       jobs_estimate::DOUBLE AS jobs_estimate, secret::BOOLEAN AS secret
FROM _ess_sectors
"""
ESS_COLUMNS: Final = """
SELECT column_name FROM information_schema.columns WHERE table_name = $name
"""
