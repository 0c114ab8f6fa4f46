"""The indicators' reads and writes of the warehouse, and the names of their SQL texts.

Every text lives in ``warehouse/sql/indicators/<name>.sql`` and is read through
:mod:`warehouse.gate`; the values that vary (service types, territory codes) are
bound ``$parameters`` and no table or column name is ever built from a string. The
upper-case names below are those texts, for the steps that run them on frames they
register themselves (fracture, ESS, what-if, ``territoires indicators --list``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import duckdb
import numpy as np
import pandas as pd

from geo.catchment import CATCHMENT_MODE, CATCHMENT_SERVICE_TYPES
from warehouse.gate import query, run_sql, sql_text


def _text(name: str) -> str:
    """Text of ``warehouse/sql/indicators/<name>.sql``."""
    return sql_text(f"indicators/{name}")


TERRITORIES: Final = _text("territories")
METHOD: Final = _text("method")
POPULATION_SOURCES: Final = _text("population_sources")
WHAT_IF_POINTS: Final = _text("what_if_points")
WHAT_IF_FACILITIES: Final = _text("what_if_facilities")
DESCRIBE_REGISTRY: Final = _text("describe_registry")
# Fracture (indicators/fracture_step.py): the step registers _fracture_ids,
# _fracture_codes, _fracture_frame, _fracture_extra and _double_peine_frame.
FRACTURE_BASE_INDICATORS: Final = _text("fracture_base_indicators")
FRACTURE_COMMUNES: Final = _text("fracture_communes")
FRACTURE_VALUE_CELLS: Final = _text("fracture_value_cells")
FRACTURE_FILOSOFI: Final = _text("fracture_filosofi")
WRITE_FRACTURE_INDICES: Final = _text("write_fracture_indices")
WRITE_DOUBLE_PEINE: Final = _text("write_double_peine")
# ESS (indicators/ess_step.py): the step registers the lookup frames built by the pure
# kernels of indicators/ess.py (_ess_families, _ess_sections, _ess_employment) and its
# result frames (_theme_registry, _theme_values, _ess_sectors).
ESS_CATEGORIES: Final = _text("ess_categories")
ESS_ACTIVITIES: Final = _text("ess_activities")
ESS_EMPLOYMENT: Final = _text("ess_employment")
ESS_TERRITORIES: Final = _text("ess_territories")
ESS_NATIONAL_TERRITORIES: Final = _text("ess_national_territories")
ESS_ESTABLISHMENTS: Final = _text("ess_establishments")
ESS_UNITS: Final = _text("ess_units")
ESS_UNITS_WITH_LIST: Final = _text("ess_units_with_list")
ESS_ATOMS: Final = _text("ess_atoms")
ESS_EMPLOYING: Final = _text("ess_employing")
ESS_COUNTS: Final = _text("ess_counts")
WRITE_ESS_BY_SECTOR: Final = _text("write_ess_by_sector")
ESS_COLUMNS: Final = _text("ess_columns")

# Density grid and grid population sources, when loaded (catalogue names).
_DENSITY_SOURCE: Final = "density_grid"
_GRID_SOURCE: Final = "filosofi_grid_200m"


def replace_theme(con: duckdb.DuckDBPyConnection, theme: str, incomplete_note: str) -> None:
    """Replace ``theme``'s indicators and values by the registered ``_theme_*`` frames.

    Runs inside the caller's transaction; the frames must be registered.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    theme : str
        The theme whose rows of ``indicators`` and ``indicator_values`` are replaced.
    incomplete_note : str
        The note of a blank value of a territory only partly built
        (``indicators.step_context.NOTE_INCOMPLETE``).
    """
    run_sql(con, "indicators/replace_theme", {"theme": theme, "incomplete_note": incomplete_note})


def drop_ess_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables of the ESS step (present or not)."""
    run_sql(con, "indicators/ess_drop_temp")


@dataclass(frozen=True)
class WarehouseInputs:
    """What the indicators read from the warehouse (frames, see ``warehouse/sql/indicators``)."""

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
    # Public transport per point (indicators/public_transport_step.py), when built.
    transit_points: pd.DataFrame | None = None


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table of that name exists (the name is a bound value).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    name : str
        Table name, compared as a value (never spliced into the SQL).

    Returns
    -------
    bool
    """
    row = query(con, "indicators/table_exists", {"name": name}).fetchone()
    return bool(row and row[0])


def read_inputs(con: duckdb.DuckDBPyConnection) -> WarehouseInputs:
    """Read the base tables and ``travel_times`` (which must exist).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection

    Returns
    -------
    WarehouseInputs

    Raises
    ------
    ValueError
        ``travel_times`` is absent (the access step has not run).
    """
    if not table_exists(con, "travel_times"):
        raise ValueError(
            "table travel_times absente: l'étape geo.access_step.compute_travel_times doit "
            "précéder le calcul des indicateurs"
        )
    points_sql = "points_island" if table_exists(con, "land_masses") else "points"
    points = _frame(con, points_sql)
    methods = [r[0] for r in query(con, "indicators/method").fetchall()]
    catch_params: dict[str, object] = {
        "mode": CATCHMENT_MODE,
        "types": list(CATCHMENT_SERVICE_TYPES),
    }
    population_sources = tuple(r[0] for r in query(con, "indicators/population_sources").fetchall())
    if (points["kind"] == "carreau_200m").any():
        population_sources = (_GRID_SOURCE, *population_sources)
    known = query(con, "indicators/density_known").fetchone()
    density_known = known is not None and known[0] > 0
    vintages = read_vintages(con)
    return WarehouseInputs(
        points=points,
        communes=_frame(con, "communes"),
        territories=_frame(con, "territories"),
        nearest=_frame(con, "nearest"),
        catchments=_frame(con, "catchments", catch_params),
        facilities=_frame(con, "facilities"),
        service_types=_frame(con, "service_types"),
        vintages=vintages,
        population_sources=population_sources,
        density_sources=(_DENSITY_SOURCE,) if density_known else (),
        method=methods[0] if len(methods) == 1 else "straight_line",
        point_coverage=_frame_if(con, "point_coverage", "point_coverage"),
        demand_points=_frame_if(con, "demand_points", "demand_points"),
        demand_catchments=_frame_if(con, "demand_travel_times", "demand_catchments"),
        transit_points=_frame_if(con, "transit_points", "transit_points"),
    )


def _frame(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object] | None = None
) -> pd.DataFrame:
    """The result of ``warehouse/sql/indicators/<name>.sql`` as a frame."""
    return query(con, f"indicators/{name}", params).df()


def _frame_if(con: duckdb.DuckDBPyConnection, table: str, name: str) -> pd.DataFrame | None:
    """The result of the query ``name`` when ``table`` exists, else None."""
    return _frame(con, name) if table_exists(con, table) else None


def read_vintages(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """Catalogue name -> vintage from the ``meta`` table; None when it does not exist.

    (``warehouse.build`` writes ``meta`` before the build steps.)

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection

    Returns
    -------
    dict of str to str, or None
    """
    if not table_exists(con, "meta"):
        return None
    return {d: v for d, v, _ in query(con, "indicators/meta").fetchall() if v}


def write_tables(
    con: duckdb.DuckDBPyConnection, indicators: pd.DataFrame, values: pd.DataFrame
) -> None:
    """(Re)create ``indicators`` and ``indicator_values`` from frames.

    Text columns of ``values`` travel as integer codes plus small lookup frames (a
    national build has millions of rows, and DuckDB reads numbers much faster).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    indicators : pandas.DataFrame
        One row per indicator (:func:`indicators.registry.registry_frame`).
    values : pandas.DataFrame
        One row per (indicator, level, code).
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
        run_sql(con, "indicators/write_indicators")
        run_sql(con, "indicators/write_values")
    finally:
        for name in frames:
            con.unregister(name)


_PLURAL: Final = MappingProxyType(
    {"indicator_id": "ids", "level": "levels", "code": "codes", "note": "notes"}
)

# Exports (indicators/exports): the rows of one level, optionally restricted to a territory.
EXPORT_TERRITORIES: Final = _text("export_territories")
EXPORT_GEOMETRY: Final = _text("export_geometry")
EXPORT_VALUES: Final = _text("export_values")
EXPORT_NOTES: Final = _text("export_notes")
EXPORT_NOTE_IDS: Final = _text("export_note_ids")
EXPORT_HAS_NOTES: Final = _text("export_has_notes")
EXPORT_WITHIN: Final = _text("export_within")
EXPORT_REGISTRY: Final = _text("export_registry")
EXPORT_SECRECY_IDS: Final = _text("export_secrecy_ids")
EXPORT_BUILD_INFO: Final = _text("export_build_info")
EXPORT_META: Final = _text("export_meta")
META_HAS_SAMPLE: Final = _text("meta_has_sample")
META_SAMPLES: Final = _text("meta_samples")
EXPORT_BASE_SOURCES: Final = _text("export_base_sources")
