"""The only module of the dashboard that reads the warehouse.

* Read-only DuckDB through :func:`warehouse.gate.connect`, one connection per
  process and warehouse path, for the file found there now (each query runs on its
  own cursor so threads never share one). A rebuild replaces the file
  (``os.replace``): the next request sees a new file identity (inode, size, mtime),
  the old connection is closed once its queries are done and the new file opened.
  DuckDB keeps one database per path in a process, so the old connection must be
  closed before the new file can be read.
* Named functions, values always bound as parameters; the only identifiers that
  vary (a level's key column) come from :data:`_LEVEL_KEY` through
  :func:`warehouse.gate.checked_identifier`.
* Results are immutable tuples of frozen records cached by their parameters
  (``functools.lru_cache``): shared by every user of the worker, never mutated.

Indicators come from the ``indicators`` / ``indicator_values`` tables of the
contract (``warehouse/SCHEMA.md``). Until a build has them, the dashboard offers
the few figures it can compute honestly from the base tables (population,
density, facilities per 10,000 inhabitants), flagged ``computed_here``.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import duckdb

from indicators import exports, whatif
from indicators.ess_step import ESTABLISHMENTS, LEGAL_UNITS
from warehouse.gate import WarehouseError, checked_identifier, connect

LEVELS: tuple[str, ...] = ("commune", "epci", "departement", "region")
_LEVEL_KEY = {
    "commune": "code",
    "epci": "epci_code",
    "departement": "dep_code",
    "region": "reg_code",
}
BASE_THEME = "base"
_POPULATION_ID = "population"
_DENSITY_ID = "density"
_FACILITIES_PREFIX = "facilities_per_10k__"
# Catalogue sources without which a theme has no indicator (to say why it is empty):
# ESS needs both Sirene stocks (indicators/ess_step.py; the ESS France list is
# optional); third places come from these two facility sources, rural mobility
# from the SNCF stations (indicators/registry.py, etl/catalogue.toml).
THEME_SOURCES = MappingProxyType(
    {
        "third_places": ("fabriques_territoire", "france_tiers_lieux"),
        "mobility": ("sncf_gares",),
        "ess": (ESTABLISHMENTS, LEGAL_UNITS),
        "commitments": ("laposte_points_contact", "france_services"),
    }
)
_LOADED = "chargée"
# Simplification of display geometry (degrees) and coordinate decimals, by size.
_LARGE_LEVEL = 3000


@dataclass(frozen=True)
class Warehouse:
    """A warehouse file at one moment: a rebuilt file (new inode, size or mtime) is a
    new ``Warehouse``, so it gets fresh caches and a fresh connection."""

    path: str
    stamp: int  # modification time (ns); also versions the geometry URLs
    file_id: tuple[int, int, int] = (0, 0, 0)  # (device, inode, size)


@dataclass(frozen=True)
class Territory:
    level: str
    code: str
    name: str
    dep_code: str | None
    reg_code: str | None
    epci_code: str | None
    population: float | None
    complete: bool


@dataclass(frozen=True)
class Indicator:
    """One indicator's metadata (columns of the ``indicators`` table)."""

    id: str
    theme: str
    label: str
    unit: str
    definition: str
    formula: str
    sources: str
    vintage: str
    higher_is_better: bool | None
    decimals: int
    service_type: str | None = None
    mode: str | None = None
    threshold_min: float | None = None
    computed_here: bool = False
    target_max: float | None = None  # a commitment, met when value <= target_max
    # What the indicator is (indicators.registry.Indicator; read, never parsed from
    # the id). Empty / None in warehouses built before these columns existed.
    kind: str = ""
    scope: str = ""
    binding_level: str | None = None
    base_indicator_id: str | None = None
    density_class: str | None = None


@dataclass(frozen=True)
class Value:
    """One territory's value; ``value`` is None when missing or secret (``note``:
    the warehouse's French reason for a missing value, None when unknown or given)."""

    code: str
    value: float | None
    secret: bool
    numerator: float | None
    denominator: float | None
    note: str | None = None


@dataclass(frozen=True)
class ServiceType:
    code: str
    slug: str
    label: str
    n_facilities: int
    n_in_territory: int
    sources: str


@dataclass(frozen=True)
class SearchEntry:
    commune_code: str
    label: str
    match_kind: str
    dep_code: str
    current_name: str


def open_warehouse(path: Path | str) -> Warehouse:
    """Check that the file exists and stamp it with its identity (one ``stat``: cheap
    enough for every request, so a rebuilt warehouse is noticed at once)."""
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise WarehouseError(f"entrepôt introuvable: {p} (lancer d'abord `territoires build`)")
    return _stamped(str(p))


def _stamped(path: str) -> Warehouse:
    st = os.stat(path)
    return Warehouse(path, st.st_mtime_ns, (st.st_dev, st.st_ino, st.st_size))


log = logging.getLogger(__name__)
# How long a replaced warehouse's connection may finish its running queries.
_DRAIN_SECONDS = 30.0


@dataclass
class _Open:
    """The connection of one warehouse file and how many queries use it now."""

    version: Warehouse
    con: duckdb.DuckDBPyConnection
    users: int = 0


class _Connections:
    """This process's read-only connections, one per ``(pid, path)``: the key keeps
    forked workers apart; a request stamped with another file identity than the open
    one makes it reopen the file now at the path (after closing the old connection)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._open: dict[tuple[int, str], _Open] = {}

    def acquire(self, wh: Warehouse) -> _Open:
        key = (os.getpid(), wh.path)
        with self._cond:
            while (live := self._open.get(key)) is not None and not _serves(live, wh):
                drained = self._cond.wait_for(
                    lambda live=live: live.users == 0 or self._open.get(key) is not live,
                    timeout=_DRAIN_SECONDS,
                )
                if self._open.get(key) is live:
                    if not drained:
                        log.warning("entrepôt remplacé : requêtes en cours interrompues")
                    del self._open[key]
                    live.con.close()
                    log.info("entrepôt remplacé, réouverture : %s", wh.path)
            if live is None:
                live = _Open(_stamped(wh.path), connect(wh.path, read_only=True))
                self._open[key] = live
            live.users += 1
            return live

    def release(self, live: _Open) -> None:
        with self._cond:
            live.users -= 1
            self._cond.notify_all()


def _serves(live: _Open, wh: Warehouse) -> bool:
    """The open connection answers ``wh``: same file, or ``wh`` is older than the open
    file while the open file is still the one at the path (a request begun before a
    rebuild gets the new file rather than reopening the old one)."""
    if live.version == wh:
        return True
    try:
        return live.version == _stamped(wh.path)
    except OSError:
        return True  # the file is being replaced: keep serving what is open


_CONNECTIONS = _Connections()


@contextmanager
def _cursor(wh: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the current connection to ``wh``'s file, closed after use."""
    live = _CONNECTIONS.acquire(wh)
    try:
        cur = live.con.cursor()
        try:
            yield cur
        finally:
            cur.close()
    finally:
        _CONNECTIONS.release(live)


def _rows(wh: Warehouse, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with _cursor(wh) as cur:
        return cur.execute(sql, params or []).fetchall()


@lru_cache(maxsize=8)
def tables(wh: Warehouse) -> frozenset[str]:
    rows = _rows(wh, "SELECT table_name FROM information_schema.tables")
    return frozenset(r[0] for r in rows)


@lru_cache(maxsize=64)
def columns(wh: Warehouse, table: str) -> frozenset[str]:
    """Column names of a table (empty when absent): newer contract columns such as
    ``indicators.target_max`` or ``indicator_values.note`` are read only when there."""
    rows = _rows(
        wh, "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    )
    return frozenset(r[0] for r in rows)


def has_indicator_tables(wh: Warehouse) -> bool:
    return {"indicators", "indicator_values"} <= tables(wh)


@lru_cache(maxsize=8)
def commune_coverage(wh: Warehouse) -> Mapping[str, float]:
    """Share (0-1) of the communes with a value, per registered indicator (empty
    without indicator tables): the default indicator must not be a blank map."""
    if not has_indicator_tables(wh):
        return MappingProxyType({})
    rows = _rows(
        wh,
        "SELECT indicator_id, avg(CASE WHEN value IS NULL THEN 0 ELSE 1 END) "
        "FROM indicator_values WHERE level = 'commune' GROUP BY indicator_id",
    )
    return MappingProxyType({str(i): float(share) for i, share in rows})


@lru_cache(maxsize=8)
def build_info(wh: Warehouse) -> tuple[tuple[str, str], ...]:
    if "build_info" not in tables(wh):
        return ()
    return tuple(_rows(wh, "SELECT key, value FROM build_info ORDER BY key"))


POINTS_TOWN_HALL = "mairie"  # build_info.population_points: one point per commune


def population_points_kind(wh: Warehouse) -> str:
    """``build_info.population_points``: ``"mairie"`` when each commune's population
    sits at one point (commune values are then 0 % or 100 %), ``"carreau_200m"`` for
    the 200 m grid, ``""`` when the build does not say (older warehouses)."""
    return dict(build_info(wh)).get("population_points", "") or ""


@lru_cache(maxsize=8)
def levels(wh: Warehouse) -> tuple[str, ...]:
    """Levels present in ``territories``, in the order of :data:`LEVELS`."""
    found = {r[0] for r in _rows(wh, "SELECT DISTINCT level FROM territories")}
    return tuple(level for level in LEVELS if level in found)


def _checked_level(level: str) -> str:
    if level not in _LEVEL_KEY:
        raise ValueError(f"niveau inconnu: {level!r}")
    return level


@lru_cache(maxsize=16)
def territories(wh: Warehouse, level: str) -> tuple[Territory, ...]:
    """Territories of one level, ordered by code (the order of geometry and values)."""
    rows = _rows(
        wh,
        "SELECT level, code, name, dep_code, reg_code, epci_code, population, "
        "coalesce(complete, true) FROM territories WHERE level = ? ORDER BY code",
        [_checked_level(level)],
    )
    return tuple(Territory(*r) for r in rows)


@lru_cache(maxsize=16)
def territory_index(wh: Warehouse, level: str) -> MappingProxyType[str, int]:
    """Position of each code in :func:`territories` (a read-only mapping)."""
    return MappingProxyType({t.code: i for i, t in enumerate(territories(wh, level))})


def territory(wh: Warehouse, level: str, code: str) -> Territory | None:
    idx = territory_index(wh, level).get(code)
    return None if idx is None else territories(wh, level)[idx]


OVERSEAS_PREFIX = "97"  # INSEE codes of the overseas départements (971-976) and communes


@lru_cache(maxsize=8)
def overseas_departements(wh: Warehouse) -> tuple[Territory, ...]:
    """Overseas départements of a build that also holds mainland communes (the map
    opens on mainland France and offers a shortcut to each of them); ``()`` else."""
    deps = [t for t in territories(wh, "departement") if t.code.startswith(OVERSEAS_PREFIX)]
    communes = territories(wh, "commune")
    if not deps or all(t.code.startswith(OVERSEAS_PREFIX) for t in communes):
        return ()
    return tuple(deps)


@lru_cache(maxsize=64)
def territory_bounds(wh: Warehouse, level: str, code: str) -> tuple[tuple[float, float], ...]:
    """``((south, west), (north, east))`` of a territory, or of the whole build if
    ``code`` is empty (mainland France only, when the build has mainland communes:
    overseas départements would stretch the view over the oceans); ``()`` when
    unknown."""
    if code:
        sql = (
            "SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g) FROM "
            "(SELECT ST_Extent(geom_display) AS g FROM territories WHERE level = ? AND code = ?)"
        )
        params: list[Any] = [_checked_level(level), code]
    else:  # the build; mainland France only when it holds mainland communes
        sql = (
            "SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g) FROM "
            "(SELECT ST_Extent_Agg(geom_display) AS g FROM territories WHERE level = 'commune' "
            "AND (NOT starts_with(code, ?) OR NOT EXISTS (SELECT 1 FROM territories "
            "WHERE level = 'commune' AND NOT starts_with(code, ?))))"
        )
        params = [OVERSEAS_PREFIX, OVERSEAS_PREFIX]
    rows = _rows(wh, sql, params)
    if not rows or rows[0][0] is None:
        return ()
    s, w, n, e = (round(float(x), 5) for x in rows[0])
    return ((s, w), (n, e))


@lru_cache(maxsize=8)
def level_geojson(wh: Warehouse, level: str) -> tuple[bytes, bytes]:
    """Display geometry of one level as GeoJSON bytes and their gzip.

    Features carry ``i`` (position in :func:`territories`), ``code`` and ``name``;
    the style function in ``assets/territoires_map.js`` reads the class of feature
    ``i`` in the layer's ``hideout``. Geometry is simplified and coordinates
    rounded (5 decimals, about 1 m; 4 decimals and coarser simplification when a
    level holds thousands of features, e.g. all French communes).
    """
    n = len(territories(wh, level))
    tolerance, grid = (0.002, 1e-4) if n > _LARGE_LEVEL else (0.0003, 1e-5)
    rows = _rows(
        wh,
        "SELECT code, name, ST_AsGeoJSON(ST_ReducePrecision("
        "ST_SimplifyPreserveTopology(geom_display, ?), ?)) "
        "FROM territories WHERE level = ? ORDER BY code",
        [tolerance, grid, _checked_level(level)],
    )
    if level != "commune":  # unions of communes carry slivers between member borders
        rows = [(c, nm, _without_slivers(g)) for c, nm, g in rows]
    parts = [_feature_text(i, *row) for i, row in enumerate(rows)]
    body = ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


_SLIVER_DEG2 = 5e-5  # about 0.4 km² at 48°N: holes smaller than this are slivers


def _without_slivers(geometry: str | None) -> str | None:
    """Drop the tiny interior rings left by the union of member communes."""
    if not geometry:
        return geometry
    geom = json.loads(geometry)
    if geom.get("type") == "Polygon":
        geom["coordinates"] = _keep_rings(geom["coordinates"])
    elif geom.get("type") == "MultiPolygon":
        geom["coordinates"] = [_keep_rings(poly) for poly in geom["coordinates"]]
    return json.dumps(geom, separators=(",", ":"))


def _keep_rings(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    return rings[:1] + [r for r in rings[1:] if ring_area(r) >= _SLIVER_DEG2]


def ring_area(ring: list[list[float]]) -> float:
    """Unsigned shoelace area of a ring (square degrees)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2.0


def _feature_text(i: int, code: str, name: str, geometry: str | None) -> str:
    props = json.dumps({"i": i, "code": code, "name": name}, ensure_ascii=False)
    return f'{{"type":"Feature","properties":{props},"geometry":{geometry or "null"}}}'


# --- indicators -------------------------------------------------------------------

_INDICATOR_COLUMNS = (
    "id, theme, label, unit, coalesce(definition, ''), coalesce(formula, ''), "
    "coalesce(sources, ''), coalesce(vintage, ''), higher_is_better, coalesce(decimals, 1), "
    "service_type, mode, threshold_min"
)
_OPTIONAL_COLUMNS = (
    "target_max",
    "kind",
    "scope",
    "binding_level",
    "base_indicator_id",
    "density_class",
)
# Kinds whose threshold is the build's "quart d'heure" (indicators.registry).
_QUARTER_HOUR_KINDS = ("score", "share_within")


@lru_cache(maxsize=8)
def indicators(wh: Warehouse) -> tuple[Indicator, ...]:
    """Every indicator the dashboard can show: the warehouse registry first, then
    the figures computed here from base tables (ids the registry lacks)."""
    registered: tuple[Indicator, ...] = ()
    if has_indicator_tables(wh):
        present = columns(wh, "indicators")
        # Newer contract columns, read only when there (constant names, no user input).
        optional = ", ".join(c if c in present else "NULL" for c in _OPTIONAL_COLUMNS)
        try:
            rows = _rows(
                wh,
                f"SELECT {_INDICATOR_COLUMNS}, {optional} FROM indicators ORDER BY theme, id",
            )
        except duckdb.Error as exc:
            raise WarehouseError(f"table `indicators` non conforme au contrat: {exc}") from exc
        registered = tuple(
            Indicator(
                *r[:8],
                r[8],
                int(r[9]),
                r[10],
                r[11],
                r[12],
                target_max=_finite(r[13]),
                kind=r[14] or "",
                scope=r[15] or "",
                binding_level=r[16],
                base_indicator_id=r[17],
                density_class=r[18],
            )
            for r in rows
        )
    known = {i.id for i in registered}
    return registered + tuple(i for i in _base_indicators(wh) if i.id not in known)


def indicator(wh: Warehouse, indicator_id: str) -> Indicator | None:
    return next((i for i in indicators(wh) if i.id == indicator_id), None)


@lru_cache(maxsize=8)
def quarter_hour_min(wh: Warehouse) -> float | None:
    """The build's "quart d'heure" in minutes (``territoires build --threshold``), from
    the stored fields of its indicators (:func:`quarter_hour_of`)."""
    return quarter_hour_of(indicators(wh))


def quarter_hour_of(registered: Sequence[Indicator]) -> float | None:
    """The "quart d'heure" of these indicators: the threshold of the everyday-basket
    scores, else the threshold most access shares use (France Services' 30 min is one
    type among many). None without such an indicator (or stored fields)."""
    for kind in _QUARTER_HOUR_KINDS:
        found = [
            i.threshold_min
            for i in registered
            if i.theme == "access" and i.kind == kind and not i.scope and i.threshold_min
        ]
        if found:
            return max(sorted(set(found)), key=found.count)
    return None


def _usage_sources(wh: Warehouse, usage_prefix: str) -> tuple[str, str]:
    """(datasets, vintages) feeding a part of the warehouse, from meta_usage/meta."""
    if not {"meta_usage", "meta"} <= tables(wh):
        return "", ""
    rows = _rows(
        wh,
        "SELECT DISTINCT u.dataset, coalesce(m.vintage, '') FROM meta_usage u "
        "LEFT JOIN meta m ON m.dataset = u.dataset "
        "WHERE starts_with(u.usage, ?) AND u.dataset <> '' ORDER BY 1",
        [usage_prefix],
    )
    names = ", ".join(r[0] for r in rows)
    vintages = " ; ".join(sorted({r[1] for r in rows if r[1]}))
    return names, vintages


def _vintages(wh: Warehouse, datasets: str) -> str:
    """Vintages in the load log of comma-separated catalogue names."""
    names = [d.strip() for d in datasets.split(",") if d.strip()]
    if not names or "meta" not in tables(wh):
        return ""
    rows = _rows(
        wh,
        "SELECT DISTINCT vintage FROM meta WHERE list_contains(?, dataset) "
        "AND vintage IS NOT NULL ORDER BY 1",
        [names],
    )
    return " ; ".join(r[0] for r in rows)


def _base_indicators(wh: Warehouse) -> tuple[Indicator, ...]:
    pop_sources, pop_vintage = _usage_sources(wh, "communes: population")
    geo_sources, geo_vintage = _usage_sources(wh, "communes: géométrie")
    out = [
        Indicator(
            _POPULATION_ID,
            BASE_THEME,
            "Population",
            "hab.",
            "Population municipale des communes, sommée par territoire (communes de "
            "l'entrepôt seulement).",
            "somme des populations communales",
            pop_sources,
            pop_vintage,
            None,
            0,
            computed_here=True,
        ),
        Indicator(
            _DENSITY_ID,
            BASE_THEME,
            "Densité de population",
            "hab./km²",
            "Population rapportée à la surface du territoire (géométrie en projection "
            "métrique de l'entrepôt).",
            "population / surface (km²)",
            ", ".join(s for s in (pop_sources, geo_sources) if s),
            " ; ".join(v for v in (pop_vintage, geo_vintage) if v),
            None,
            1,
            computed_here=True,
        ),
    ]
    for st in service_types(wh):
        if st.n_in_territory <= 0:
            continue
        out.append(
            Indicator(
                f"{_FACILITIES_PREFIX}{st.slug}",
                BASE_THEME,
                f"{st.label} : équipements pour 10 000 habitants",
                "pour 10 000 hab.",
                f"Nombre d'équipements « {st.label} » ({st.code}) situés dans le territoire, "
                "pour 10 000 habitants. Ne mesure pas l'accès (distance, temps).",
                "10 000 × équipements / population",
                st.sources,
                "",
                True,
                1,
                service_type=st.code,
                computed_here=True,
            )
        )
    return tuple(out)


@lru_cache(maxsize=256)
def indicator_values(wh: Warehouse, indicator_id: str, level: str) -> tuple[Value, ...]:
    """Values of one indicator for every territory of ``level``, aligned with
    :func:`territories` (missing rows come back as ``value=None``)."""
    ind = indicator(wh, indicator_id)
    if ind is None:
        raise KeyError(indicator_id)
    _checked_level(level)
    if not ind.computed_here:
        note = "v.note" if "note" in columns(wh, "indicator_values") else "NULL"
        rows = _rows(
            wh,
            "SELECT t.code, v.value, coalesce(v.secret, false), v.numerator, v.denominator, "
            f"CASE WHEN v.value IS NULL AND NOT coalesce(v.secret, false) THEN {note} END "
            "FROM territories t LEFT JOIN indicator_values v ON v.indicator_id = ? "
            "AND v.level = t.level AND v.code = t.code WHERE t.level = ? ORDER BY t.code",
            [ind.id, level],
        )
    elif ind.id == _POPULATION_ID:
        rows = _rows(
            wh,
            "SELECT code, population::DOUBLE, false, population::DOUBLE, NULL "
            "FROM territories WHERE level = ? ORDER BY code",
            [level],
        )
    elif ind.id == _DENSITY_ID:
        rows = _rows(
            wh,
            "SELECT code, population / nullif(ST_Area(geom) / 1e6, 0), false, "
            "population::DOUBLE, ST_Area(geom) / 1e6 FROM territories WHERE level = ? "
            "ORDER BY code",
            [level],
        )
    else:
        rows = _facility_rate_rows(wh, ind.service_type or "", level)
    notes: dict[str, str] = {}  # one string object per distinct note, shared by values
    out = []
    for code, v, secret, num, den, *rest in rows:
        note = str(rest[0]) if rest and rest[0] else None
        out.append(
            Value(
                code,
                _finite(v),
                bool(secret),
                _finite(num),
                _finite(den),
                notes.setdefault(note, note) if note else None,
            )
        )
    return tuple(out)


def _facility_rate_rows(wh: Warehouse, service_type: str, level: str) -> list[tuple[Any, ...]]:
    key = checked_identifier(_LEVEL_KEY[level], frozenset(_LEVEL_KEY.values()))
    return _rows(
        wh,
        f"WITH counts AS (SELECT c.{key} AS code, count(*) AS n FROM facilities f "
        "JOIN territories c ON c.level = 'commune' AND c.code = f.commune_code "
        "WHERE f.in_territory AND f.service_type = ? GROUP BY 1) "
        "SELECT t.code, 10000.0 * coalesce(n, 0) / nullif(t.population, 0), false, "
        "coalesce(n, 0)::DOUBLE, t.population::DOUBLE "
        "FROM territories t LEFT JOIN counts USING (code) WHERE t.level = ? ORDER BY t.code",
        [service_type, level],
    )


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return f if f == f and f not in (float("inf"), float("-inf")) else None


# --- facilities -------------------------------------------------------------------


@lru_cache(maxsize=8)
def service_types(wh: Warehouse) -> tuple[ServiceType, ...]:
    if "service_types" not in tables(wh):
        return ()
    rows = _rows(
        wh,
        "SELECT code, slug, label, coalesce(n_facilities, 0), coalesce(n_in_territory, 0), "
        "coalesce(sources, '') FROM service_types ORDER BY label",
    )
    return tuple(ServiceType(*r) for r in rows)


@lru_cache(maxsize=64)
def facilities_geojson(wh: Warehouse, codes: tuple[str, ...]) -> dict[str, Any]:
    """Point features of the facilities of the given service types (in the
    territory and its buffer), for a clustered layer."""
    known = {st.code for st in service_types(wh)}
    wanted = sorted(set(codes) & known)
    if not wanted or "facilities" not in tables(wh):
        return {"type": "FeatureCollection", "features": []}
    rows = _rows(
        wh,
        "SELECT f.facility_id, f.service_type, coalesce(f.label, ''), s.label, "
        "round(f.lon, 5), round(f.lat, 5), f.in_territory FROM facilities f "
        "JOIN service_types s ON s.code = f.service_type "
        "WHERE list_contains(?, f.service_type) AND f.lon IS NOT NULL AND f.lat IS NOT NULL "
        "ORDER BY f.facility_id",
        [wanted],
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": fid,
                "type": st,
                "name": name,
                "type_label": st_label,
                "inside": bool(inside),
            },
        }
        for fid, st, name, st_label, lon, lat, inside in rows
    ]
    return {"type": "FeatureCollection", "features": features}


# --- search and metadata ------------------------------------------------------------


@lru_cache(maxsize=8)
def search_entries(wh: Warehouse) -> tuple[SearchEntry, ...]:
    """Names (current, delegated, former) leading to current communes of the build."""
    if "commune_search" not in tables(wh):
        sql = (
            "SELECT code, name, 'nom', dep_code, name FROM territories "
            "WHERE level = 'commune' ORDER BY name"
        )
    else:
        sql = (
            "SELECT s.commune_code, s.label, s.match_kind, coalesce(s.dep_code, t.dep_code), "
            "t.name FROM commune_search s JOIN territories t ON t.level = 'commune' "
            "AND t.code = s.commune_code ORDER BY s.label, s.commune_code"
        )
    return tuple(SearchEntry(*r) for r in _rows(wh, sql))


@lru_cache(maxsize=1024)
def communes_of_postal_code(wh: Warehouse, postal_code: str) -> tuple[str, ...]:
    if "postal_codes" not in tables(wh):
        return ()
    rows = _rows(
        wh,
        "SELECT p.commune_code FROM postal_codes p JOIN territories t ON t.level = 'commune' "
        "AND t.code = p.commune_code WHERE p.postal_code = ? ORDER BY t.name",
        [postal_code],
    )
    return tuple(r[0] for r in rows)


@lru_cache(maxsize=8)
def meta(wh: Warehouse) -> tuple[dict[str, Any], ...]:
    """The load log (one row per catalogue source), as read-only row dicts.

    ``sample`` is true for a source loaded from the embedded real sample (false in a
    warehouse built before that column existed)."""
    if "meta" not in tables(wh):
        return ()
    cols = (
        "dataset",
        "title",
        "role",
        "vintage",
        "publisher",
        "licence",
        "status",
        "rows",
        "origin",
        "reason",
        "url",
    )
    sample = "coalesce(sample, false)" if "sample" in columns(wh, "meta") else "false"
    rows = _rows(
        wh,
        f"SELECT {', '.join(cols)}, {sample} FROM meta ORDER BY status DESC, role, dataset",
    )
    return tuple(MappingProxyType(dict(zip((*cols, "sample"), r, strict=True))) for r in rows)


@lru_cache(maxsize=8)
def theme_missing_sources(wh: Warehouse) -> MappingProxyType[str, tuple[str, ...]]:
    """Theme -> the sources of :data:`THEME_SOURCES` that ``meta`` lists as not
    loaded (status other than "chargée"), in catalogue order."""
    status = {m["dataset"]: m["status"] for m in meta(wh)}
    out = {
        theme: tuple(s for s in names if s in status and status[s] != _LOADED)
        for theme, names in THEME_SOURCES.items()
    }
    return MappingProxyType({k: v for k, v in out.items() if v})


@lru_cache(maxsize=8)
def meta_usage(wh: Warehouse) -> tuple[tuple[str, str], ...]:
    if "meta_usage" not in tables(wh):
        return ()
    return tuple(_rows(wh, "SELECT usage, dataset FROM meta_usage ORDER BY usage"))


# --- territorial fractures ---------------------------------------------------------


@dataclass(frozen=True)
class FractureIndex:
    """One row of ``fracture_indices`` (``value`` None when not computable: ``note``)."""

    indicator_id: str
    index_id: str
    value: float | None
    n_communes: int | None
    population_covered: float | None
    note: str


@dataclass(frozen=True)
class DoublePeine:
    """One row of ``double_peine`` (flags None when unknown; ``note`` says why)."""

    commune_code: str
    median_income_eur: float | None
    poverty_rate_pct: float | None
    access_indicator_id: str
    access_value: float | None
    ref_median_income_eur: float | None
    ref_poverty_rate_pct: float | None
    ref_access_value: float | None
    poorer: bool | None
    farther: bool | None
    double_peine: bool | None
    note: str


def has_fracture_tables(wh: Warehouse) -> bool:
    return "fracture_indices" in tables(wh)


@lru_cache(maxsize=256)
def fracture_indices(
    wh: Warehouse, level: str, code: str, indicator_ids: tuple[str, ...]
) -> tuple[FractureIndex, ...]:
    """Fracture indices of one territory for the given base indicators, ordered by
    indicator then index id; ``()`` when none was computed (incomplete territory,
    or no ``fracture_indices`` table)."""
    if not has_fracture_tables(wh) or not indicator_ids:
        return ()
    rows = _rows(
        wh,
        "SELECT indicator_id, index_id, value, n_communes, population_covered, "
        "coalesce(note, '') FROM fracture_indices WHERE level = ? AND code = ? "
        "AND list_contains(?, indicator_id) ORDER BY indicator_id, index_id",
        [level, code, list(indicator_ids)],
    )
    return tuple(
        FractureIndex(i, x, _finite(v), None if n is None else int(n), _finite(p), note)
        for i, x, v, n, p, note in rows
    )


@lru_cache(maxsize=1024)
def double_peine(wh: Warehouse, commune_code: str) -> DoublePeine | None:
    """The double-peine row of a commune, or None (no Filosofi file, commune of an
    incomplete département, or table absent)."""
    if "double_peine" not in tables(wh):
        return None
    rows = _rows(
        wh,
        "SELECT commune_code, median_income_eur, poverty_rate_pct, access_indicator_id, "
        "access_value, ref_median_income_eur, ref_poverty_rate_pct, ref_access_value, "
        "poorer, farther, double_peine, coalesce(note, '') FROM double_peine "
        "WHERE commune_code = ?",
        [commune_code],
    )
    if not rows:
        return None
    r = rows[0]
    return DoublePeine(
        r[0],
        _finite(r[1]),
        _finite(r[2]),
        r[3] or "",
        _finite(r[4]),
        _finite(r[5]),
        _finite(r[6]),
        _finite(r[7]),
        *(None if b is None else bool(b) for b in r[8:11]),
        r[11],
    )


# --- planner what-if ---------------------------------------------------------------------


@lru_cache(maxsize=16)
def what_if_inputs(
    wh: Warehouse, level: str, code: str, service_type: str, mode: str
) -> whatif.WhatIfInputs:
    """Population points with their stored nearest facility, and the facilities of
    one type, for :func:`indicators.whatif.what_if` (read once, then reused: the
    what-if itself never touches the warehouse). Callers must not mutate them."""
    if "travel_times" not in tables(wh):
        raise WarehouseError("temps d'accès non calculés dans cet entrepôt")
    with _cursor(wh) as cur:
        return whatif.load_inputs(cur, _checked_level(level), code, service_type, mode)


# --- exports ------------------------------------------------------------------------------


def export_view(
    wh: Warehouse,
    level: str,
    territory: tuple[str, str] | None,
    *,
    indicator_ids: tuple[str, ...],
    extra: tuple[exports.ExtraIndicator, ...] = (),
    geometry: bool = False,
    context: tuple[tuple[str, str], ...] = (),
) -> tuple[Any, exports.ExportMeta]:
    """A view's export frame and metadata through :func:`indicators.exports.export_frame`,
    the code of ``territoires export`` (not cached: the frame is the caller's to write).

    Raises
    ------
    indicators.exports.ExportError
        The view cannot be exported (French message).
    """
    with _cursor(wh) as cur:
        return exports.export_frame(
            cur,
            _checked_level(level),
            territory,
            indicator_ids=indicator_ids,
            extra=extra,
            geometry=geometry,
            context=context,
        )
