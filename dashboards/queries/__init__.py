"""The only package of the dashboard that reads the warehouse.

* :mod:`~dashboards.queries.connection`: read-only DuckDB through
  :func:`warehouse.gate.connect`, one connection per process and warehouse path,
  reopened when a rebuild replaces the file; every query is a text
  ``warehouse/sql/dashboards/<name>.sql`` run through :func:`warehouse.gate.query`
  with its values bound as ``$parameters`` (no SQL built from strings).
* :mod:`~dashboards.queries.territories`: levels, territories, bounds, search names,
  postal codes.
* :mod:`~dashboards.queries.indicators`: the indicator list (the warehouse registry,
  then the base figures computed here), values, service types, the "quart d'heure".
* :mod:`~dashboards.queries.geometry`: the map's GeoJSON (display geometry prepared
  by the build, table ``display_geometry``) and facility points.
* :mod:`~dashboards.queries.meta`: load log, source usage, build keys.
* :mod:`~dashboards.queries.fractures`: fracture indices, double peine, the planner's
  what-if inputs and the exports of a view.

Results are immutable tuples of frozen records cached by their parameters
(``functools.lru_cache``): shared by every user of the worker, never mutated.
Callers use the names re-exported here (``queries.territories(wh, level)``).
"""

from __future__ import annotations

from dashboards.queries.connection import (
    _CONNECTIONS,
    Warehouse,
    columns,
    open_warehouse,
    tables,
)
from dashboards.queries.fractures import (
    DoublePeine,
    FractureIndex,
    double_peine,
    export_view,
    fracture_indices,
    has_fracture_tables,
    siting_inputs,
    what_if_inputs,
)
from dashboards.queries.geometry import (
    DISPLAY_TABLE,
    commune_at,
    facilities_geojson,
    is_canvas_level,
    level_geojson,
    level_outlines,
    locator_shapes,
    town_labels_geojson,
    transit_stops_geojson,
)
from dashboards.queries.indicators import (
    BASE_THEME,
    Indicator,
    ServiceType,
    Value,
    commune_coverage,
    has_indicator_tables,
    indicator,
    indicator_values,
    indicators,
    quarter_hour_min,
    quarter_hour_of,
    service_types,
)
from dashboards.queries.meta import (
    POINTS_TOWN_HALL,
    THEME_SOURCES,
    build_info,
    meta,
    meta_usage,
    population_points_kind,
    theme_missing_sources,
)
from dashboards.queries.standings import Standing, has_standings, standings
from dashboards.queries.territories import (
    LEVELS,
    OVERSEAS_PREFIX,
    SearchEntry,
    Territory,
    communes_by_parent,
    communes_of_postal_code,
    france,
    levels,
    overseas_departements,
    search_entries,
    territories,
    territory,
    territory_bounds,
    territory_index,
)

__all__ = [
    "BASE_THEME",
    "DISPLAY_TABLE",
    "LEVELS",
    "OVERSEAS_PREFIX",
    "POINTS_TOWN_HALL",
    "THEME_SOURCES",
    "_CONNECTIONS",
    "DoublePeine",
    "FractureIndex",
    "Indicator",
    "SearchEntry",
    "ServiceType",
    "Standing",
    "Territory",
    "Value",
    "Warehouse",
    "build_info",
    "columns",
    "commune_at",
    "commune_coverage",
    "communes_by_parent",
    "communes_of_postal_code",
    "double_peine",
    "export_view",
    "facilities_geojson",
    "fracture_indices",
    "france",
    "has_fracture_tables",
    "has_indicator_tables",
    "has_standings",
    "indicator",
    "indicator_values",
    "indicators",
    "is_canvas_level",
    "level_geojson",
    "level_outlines",
    "levels",
    "locator_shapes",
    "meta",
    "meta_usage",
    "open_warehouse",
    "overseas_departements",
    "population_points_kind",
    "quarter_hour_min",
    "quarter_hour_of",
    "search_entries",
    "service_types",
    "siting_inputs",
    "standings",
    "tables",
    "territories",
    "territory",
    "territory_bounds",
    "territory_index",
    "theme_missing_sources",
    "town_labels_geojson",
    "transit_stops_geojson",
    "what_if_inputs",
]
