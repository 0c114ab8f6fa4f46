"""Reading a warehouse into the wide frame of an export, and its metadata.

:func:`export_frame` reads one level of the warehouse (territories, indicator values,
secrecy flags, notes, optionally full-resolution geometry) through the SQL texts of
:mod:`indicators._sql`, and gathers what :class:`~indicators.exports.metadata.ExportMeta`
needs from the ``indicators``, ``meta``, ``build_info`` and ``travel_times`` tables.
The frame's columns are described in :mod:`indicators.exports`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd

from geo.crs import WGS84
from indicators import _sql
from indicators.exports.contract import (
    ALL_THEMES,
    BASE_COLUMNS,
    COMPLETE_COLUMN,
    GEOMETRY_COLUMN,
    LEVEL_PLURAL,
    LEVEL_SINGULAR,
    LEVELS,
    NOTE_SUFFIX,
    SECRECY_SUFFIX,
    ExportError,
    check_level,
    choices,
)
from indicators.exports.metadata import (
    ExportMeta,
    ExtraIndicator,
    IndicatorMeta,
    SourceMeta,
    attributions,
)
from indicators.registry import THEMES

# Catalogue sources (names, or "role:<role>") whose absence leaves a theme without
# indicators: used only to say WHY a theme is empty (etl/catalogue.toml).
_THEME_SOURCES: Final = MappingProxyType(
    {
        "access": ("role:facilities", "role:facility_counts"),
        "third_places": ("fabriques_territoire", "france_tiers_lieux"),
        "mobility": ("sncf_gares",),
        "ess": ("role:ess",),
        "fracture": ("role:income", "role:ess"),
    }
)


def export_frame(
    con: duckdb.DuckDBPyConnection,
    level: str,
    territory: tuple[str, str] | None = None,
    theme: str = ALL_THEMES,
    *,
    indicator_ids: Sequence[str] | None = None,
    extra: Sequence[ExtraIndicator] = (),
    geometry: bool = False,
    context: Sequence[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, ExportMeta]:
    """One level of the warehouse as a wide frame, with its metadata.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open warehouse (read-only is enough; the spatial extension is needed
        only with ``geometry=True``).
    level : {"commune", "epci", "departement", "region"}
    territory : (level, code), optional
        Keep the rows of ``level`` having at least one member commune in this
        territory (``("departement", "35")`` with ``level="commune"``: the communes
        of 35). ``None``: every row of the level in the warehouse.
    theme : str
        An indicator theme (``access``, ``third_places``, ``mobility``, ``ess``,
        ``fracture``) or ``"all"``. Ignored when ``indicator_ids`` is given.
    indicator_ids : sequence of str, optional
        Exactly these registry indicators, in this order.
    extra : sequence of ExtraIndicator
        Caller-computed indicators appended after the registry ones.
    geometry : bool
        Return a ``geopandas.GeoDataFrame`` with full-resolution geometry (CRS: see
        the module docstring) instead of a plain frame.
    context : sequence of (str, str)
        Extra (key, value) rows for the metadata (e.g. the dashboard's permalink).

    Returns
    -------
    frame : pandas.DataFrame
        One row per territory, ordered by code. Columns: ``code``, ``nom``,
        ``niveau`` (text); ``population`` (inhabitants, Int64, blank for a partial
        territory); one float column per indicator id, in the indicator's unit
        (blank when secret, not computable or partial); ``<id>__secret`` (bool) after
        each indicator with secret cells in the warehouse; ``<id>__note`` (text,
        why a value is blank) after each indicator with notes; ``territoire_complet``
        (bool); and ``geometry`` with ``geometry=True``.
    meta : ExportMeta

    Raises
    ------
    ExportError
        Unknown level or theme, a theme without indicators (naming the missing
        sources), unknown indicator ids, a territory absent from the warehouse, or
        no row at all.
    """
    check_level(level)
    within_level, within_code, within_name = _within(con, territory)
    params = {"level": level, "within_level": within_level, "within_code": within_code}
    places = _run(con, _sql.EXPORT_TERRITORIES, params).df()
    if places.empty:
        where = f" dans {within_level} {within_code}" if within_level else ""
        raise ExportError(f"aucun territoire de niveau {level}{where} dans cet entrepôt")
    registry = _selected(con, theme, indicator_ids)
    rows = {"level": level, "codes": places["code"].astype(str).tolist()}
    matrices = _values(con, rows, [i.id for i in registry], len(places))
    wanted = [*registry, *(e.meta for e in extra if e.meta.id not in _reserved())]
    frame = _assemble(places, level, wanted, matrices, extra)
    epsg = None
    if geometry:
        frame, epsg = _with_geometry(con, rows, frame, places)
    scope = LEVEL_PLURAL[level] + (
        f" — territoire : {within_name} ({LEVEL_SINGULAR[within_level]} {within_code})"
        if within_level
        else " — tout l'entrepôt"
    )
    sources = _sources(con, wanted, geometry)
    meta = ExportMeta(
        level=level,
        scope=scope,
        theme=theme if indicator_ids is None else "indicateurs choisis",
        indicators=tuple(wanted),
        build=_build_info(con),
        sources=sources,
        attributions=attributions(sources, road_network=_road_network(con, wanted)),
        partial=tuple(places.loc[~places["complete"].astype(bool), "code"].astype(str)),
        crs_epsg=epsg,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        context=tuple(context),
    )
    return frame, meta


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute a fixed text with the bound parameters it names (and only those)."""
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    return con.execute(sql, used) if used else con.execute(sql)


def _reserved() -> frozenset[str]:
    return frozenset((*BASE_COLUMNS, COMPLETE_COLUMN, GEOMETRY_COLUMN))


def _within(
    con: duckdb.DuckDBPyConnection, territory: tuple[str, str] | None
) -> tuple[str, str, str]:
    """(level, code, name) of the territory to restrict to; ("", "", "") for none."""
    if territory is None:
        return "", "", ""
    level, code = territory
    if level not in LEVELS:
        raise ExportError(f"niveau de territoire inconnu « {level} » : attendu {choices(LEVELS)}")
    row = _run(con, _sql.EXPORT_WITHIN, {"within_level": level, "within_code": code}).fetchone()
    if row is None:
        built = dict(_build_info(con)).get("territory", "inconnu")
        raise ExportError(
            f"{LEVEL_SINGULAR[level]} {code} absent de cet entrepôt (construit pour {built})"
        )
    return level, code, str(row[0])


def _registry(con: duckdb.DuckDBPyConnection) -> list[IndicatorMeta]:
    if not _sql.table_exists(con, "indicators"):
        return []
    secret: set[str] = set()
    noted: set[str] = set()
    if _sql.table_exists(con, "indicator_values"):
        secret = {r[0] for r in con.execute(_sql.EXPORT_SECRECY_IDS).fetchall()}
        if _has_notes(con):
            noted = {r[0] for r in con.execute(_sql.EXPORT_NOTE_IDS).fetchall()}
    rows = con.execute(_sql.EXPORT_REGISTRY).fetchall()
    return [
        IndicatorMeta(
            id=str(r[0]),
            theme=str(r[1]),
            label=str(r[2]),
            unit=str(r[3]),
            definition=str(r[4]),
            formula=str(r[5]),
            sources=str(r[6]),
            vintage=str(r[7]),
            decimals=int(r[8]),
            secret_column=f"{r[0]}{SECRECY_SUFFIX}" if r[0] in secret else None,
            note_column=f"{r[0]}{NOTE_SUFFIX}" if r[0] in noted else None,
        )
        for r in rows
    ]


def _has_notes(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``indicator_values`` has the ``note`` column (older warehouses lack it)."""
    return bool(_scalar(con, _sql.EXPORT_HAS_NOTES))


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value of a one-row, one-column query."""
    row = con.execute(sql).fetchone()
    if row is None:
        raise ExportError("entrepôt illisible : requête sans résultat")
    return row[0]


def _selected(
    con: duckdb.DuckDBPyConnection, theme: str, indicator_ids: Sequence[str] | None
) -> list[IndicatorMeta]:
    """The registry indicators to export, in order; errors say what is missing."""
    registry = _registry(con)
    if indicator_ids is not None:
        by_id = {i.id: i for i in registry}
        unknown = [i for i in indicator_ids if i not in by_id]
        if unknown:
            raise ExportError(f"indicateur(s) inconnu(s) dans cet entrepôt : {', '.join(unknown)}")
        return [by_id[i] for i in indicator_ids]
    known = list(dict.fromkeys([*THEMES, *(i.theme for i in registry)]))
    if theme != ALL_THEMES and theme not in known:
        raise ExportError(f"thème inconnu « {theme} » : attendu {choices([*known, ALL_THEMES])}")
    chosen = [i for i in registry if theme in (ALL_THEMES, i.theme)]
    if not chosen:
        raise ExportError(_empty_theme_message(con, theme, registry))
    order = {t: n for n, t in enumerate(known)}
    return sorted(chosen, key=lambda i: order[i.theme])  # stable: registry order inside


def _empty_theme_message(
    con: duckdb.DuckDBPyConnection, theme: str, registry: Sequence[IndicatorMeta]
) -> str:
    if not registry:
        return (
            "aucun indicateur dans cet entrepôt (construit sans l'étape « indicators ») : "
            "relancer `territoires build`"
        )
    wanted = _THEME_SOURCES.get(theme, ())
    missing = [
        f"{s.dataset} ({s.title})"
        for s, role in _meta_rows(con)
        if s.status != "chargée" and (s.dataset in wanted or f"role:{role}" in wanted)
    ]
    present = ", ".join(dict.fromkeys(i.theme for i in registry))
    why = (
        f"source(s) absente(s) : {' ; '.join(missing)}"
        if missing
        else "ses sources sont chargées mais aucun indicateur n'a pu être calculé"
    )
    return (
        f"aucun indicateur du thème « {theme} » dans cet entrepôt : {why} "
        f"(détail : `territoires sources --db <entrepôt>`) ; thèmes présents : {present}"
    )


def _values(
    con: duckdb.DuckDBPyConnection, rows: Mapping[str, Any], ids: Sequence[str], n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, secret, notes) matrices: one row per territory of ``rows`` (``level``
    and the ``codes`` in export order), one column per id."""
    values = np.full((n_rows, len(ids)), np.nan)
    secret = np.zeros((n_rows, len(ids)), dtype=bool)
    notes = np.full((n_rows, len(ids)), None, dtype=object)
    if ids:
        got = _run(con, _sql.EXPORT_VALUES, {**rows, "ids": list(ids)}).fetchnumpy()
        i, j = np.asarray(got["i"], dtype=np.int64), np.asarray(got["j"], dtype=np.int64)
        values[i, j] = np.ma.filled(got["value"].astype(float), np.nan)
        secret[i, j] = np.ma.filled(got["secret"], False)
        if _has_notes(con):
            why = _run(con, _sql.EXPORT_NOTES, {**rows, "ids": list(ids)}).fetchall()
            for row, col, text in why:
                notes[int(row), int(col)] = text
    return values, secret, notes


def _assemble(
    places: pd.DataFrame,
    level: str,
    wanted: Sequence[IndicatorMeta],
    matrices: tuple[np.ndarray, np.ndarray, np.ndarray],
    extra: Sequence[ExtraIndicator],
) -> pd.DataFrame:
    """The wide frame (pure): one column per indicator, secrets and partials blank.

    ``matrices`` hold the values and secret flags of the first registry indicators of
    ``wanted`` (one column each, in order); the others come from ``extra``.
    """
    values, secret, notes = matrices
    codes = places["code"].astype(str).to_numpy()
    complete = places["complete"].astype(bool).to_numpy()
    population = pd.array(places["population"], dtype="Int64")
    population[~complete] = pd.NA
    columns: dict[str, Any] = {
        "code": codes,
        "nom": places["name"].astype(str).to_numpy(),
        "niveau": np.full(len(codes), level, dtype=object),
        "population": population,
    }
    extras = {e.meta.id: e for e in extra}
    for j, ind in enumerate(wanted):
        if ind.id in extras:
            got = extras[ind.id].values
            col = np.array([_number(got.get(c)) for c in codes], dtype=float)
            flags = np.zeros(len(codes), dtype=bool)
            why = np.full(len(codes), None, dtype=object)
        else:
            col, flags, why = values[:, j], secret[:, j], notes[:, j]
        columns[ind.id] = np.where(flags | ~complete, np.nan, col)
        if ind.secret_column:
            columns[ind.secret_column] = flags
        if ind.note_column:
            columns[ind.note_column] = why
    columns[COMPLETE_COLUMN] = complete
    return pd.DataFrame(columns)


def _number(x: float | None) -> float:
    return np.nan if x is None else float(x)


def _with_geometry(
    con: duckdb.DuckDBPyConnection,
    rows: Mapping[str, Any],
    frame: pd.DataFrame,
    places: pd.DataFrame,
) -> tuple[pd.DataFrame, int]:
    """Attach full-resolution geometry: one metric CRS if the rows share it, else WGS84."""
    import geopandas

    known = places["epsg"].dropna().astype(int).unique()
    epsg = int(known[0]) if len(known) == 1 else WGS84
    wkb = _run(con, _sql.EXPORT_GEOMETRY, {**rows, "wgs84": len(known) != 1}).df()
    if list(wkb["code"].astype(str)) != list(frame["code"]):
        raise ExportError("géométries incohérentes avec la liste des territoires")
    shapes = geopandas.GeoSeries.from_wkb(
        [None if pd.isna(b) else bytes(b) for b in wkb["wkb"]], crs=epsg
    )
    return geopandas.GeoDataFrame(frame, geometry=shapes.values, crs=epsg), epsg


def _build_info(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, str], ...]:
    if not _sql.table_exists(con, "build_info"):
        return ()
    return tuple((str(k), str(v)) for k, v in con.execute(_sql.EXPORT_BUILD_INFO).fetchall())


def _meta_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[SourceMeta, str]]:
    if not _sql.table_exists(con, "meta"):
        return []
    samples = _sample_labels(con)
    return [
        (
            SourceMeta(
                dataset=r[0],
                title=r[1],
                publisher=r[2],
                vintage=r[3],
                licence=r[4],
                status=r[5],
                url=r[6],
                provenance=samples.get(r[0], ""),
            ),
            r[7],
        )
        for r in con.execute(_sql.EXPORT_META).fetchall()
    ]


def _sample_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Dataset -> label of the embedded sample it was loaded from (the origin up to
    " : "); empty for a warehouse built before ``meta.sample`` existed."""
    if not _scalar(con, _sql.META_HAS_SAMPLE):
        return {}
    rows = con.execute(_sql.META_SAMPLES).fetchall()
    return {dataset: (origin or "").partition(" : ")[0] for dataset, origin in rows}


def _cited(
    con: duckdb.DuckDBPyConnection, wanted: Sequence[IndicatorMeta], geometry: bool
) -> list[str]:
    """Catalogue names behind the export: indicator sources, population, geometry."""
    names = [s.strip() for i in wanted for s in i.sources.split(",") if s.strip()]
    if _sql.table_exists(con, "territories"):
        rows = _run(con, _sql.EXPORT_BASE_SOURCES, {"geometry": geometry}).fetchall()
        names += [r[0] for r in rows]
    return list(dict.fromkeys(names))


def _sources(
    con: duckdb.DuckDBPyConnection, wanted: Sequence[IndicatorMeta], geometry: bool
) -> tuple[SourceMeta, ...]:
    logged = {s.dataset: s for s, _ in _meta_rows(con)}
    unknown = "non renseigné (absent du journal de chargement)"
    return tuple(
        logged.get(name, SourceMeta(name, "", "", unknown, unknown, "", ""))
        for name in _cited(con, wanted, geometry)
    )


def _road_network(con: duckdb.DuckDBPyConnection, wanted: Sequence[IndicatorMeta]) -> bool:
    """Whether the exported travel-time indicators ran on the road network (the
    dashboard's base figures alone cite no travel time)."""
    timed = any(i.theme in THEMES for i in wanted)
    if not (timed and _sql.table_exists(con, "travel_times")):
        return False
    return "network" in {r[0] for r in con.execute(_sql.METHOD).fetchall()}
