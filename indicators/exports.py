"""CRESS-ready exports of a warehouse: one frame, four formats, one atomic writer.

``territoires export`` and the dashboard's export buttons both go through this module:
:func:`export_frame` reads one level of the warehouse into a wide frame and its
:class:`ExportMeta`; :func:`write_csv`, :func:`write_xlsx`, :func:`write_gpkg` and
:func:`write_parquet` (or :func:`write_export`, which dispatches on the format) write it
through :func:`atomic_write`: a temporary folder next to the target, then
``os.replace``, so a failed export never leaves a half-written file and an existing
target stays untouched.

Columns (a contract, like the indicator ids)
--------------------------------------------
``code``, ``nom``, ``niveau``, ``population`` (inhabitants), then one column per
indicator id (by theme, then in the order of the ``indicators`` table). Conventions:

* **statistical secrecy**: a secret cell is blank (never 0), and ``<id>__secret`` is
  true. That flag column follows each indicator that has at least one secret cell in
  the warehouse (so one warehouse always gives the same columns); a blank cell whose
  flag is false (or that has no flag column) is a value that could not be computed;
* **why a value is blank**: ``<id>__note`` (French text, e.g. "Non disponible : la
  source ne couvre pas tout le rayon de recherche…") follows each indicator having at
  least one note in the warehouse (``indicator_values.note``): a source that does not
  cover the territory or all of the search radius, a nearest facility possibly beyond
  the zone loaded around the territory; also "aucun équipement accessible sur l'île";
* **partial territories** (some member communes outside the build, e.g. an EPCI
  straddling the border of a built département): population and every indicator are
  blank, since the warehouse only holds part of them; the last column,
  ``territoire_complet``, is false for them;
* numbers are rounded to each indicator's ``decimals`` in CSV and XLSX, and kept at
  full precision in GeoPackage and Parquet.

Formats: CSV for French spreadsheets (``;``, UTF-8 with BOM ``EF BB BF``, optional
decimal comma, booleans ``oui``/``non``); XLSX with sheets "Données" and
"Métadonnées"; GeoPackage with one layer ``territoires`` (geometry) whose GDAL
metadata holds the same metadata; Parquet with the metadata as JSON under the schema
key ``territoires``.

CRS of the GeoPackage: the metric CRS of the rows when they all share one (EPSG:2154,
Lambert-93, for mainland France and Corsica; the local UTM for a single overseas
département), else EPSG:4326 (lon/lat) for a file mixing mainland and overseas
territories: full-resolution geometry in both cases, never the simplified display one.

Errors are :class:`ExportError`, with French messages.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd

from geo.constants import SECRECY_MAX_SHARE, SECRECY_MIN_UNITS
from geo.crs import WGS84
from indicators import _sql
from indicators.registry import THEMES

LEVELS: Final[tuple[str, ...]] = ("commune", "epci", "departement", "region")
FORMATS: Final[tuple[str, ...]] = ("csv", "xlsx", "gpkg", "parquet")
ALL_THEMES: Final = "all"
BASE_COLUMNS: Final[tuple[str, ...]] = ("code", "nom", "niveau", "population")
COMPLETE_COLUMN: Final = "territoire_complet"
SECRECY_SUFFIX: Final = "__secret"
# Why a value is blank (partial source, edge of the build...): indicator_values.note.
NOTE_SUFFIX: Final = "__note"
GEOMETRY_COLUMN: Final = "geometry"
GPKG_LAYER: Final = "territoires"
PARQUET_KEY: Final = b"territoires"
LEVEL_PLURAL: Final = MappingProxyType(
    {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}
)
LEVEL_SINGULAR: Final = MappingProxyType(
    {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région"}
)
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
SECRECY_RULE: Final = (
    "Secret statistique (données d'établissements, thème ESS) : une case n'est diffusée "
    f"que si elle compte au moins {SECRECY_MIN_UNITS} établissements et si aucun ne porte "
    f"plus de {SECRECY_MAX_SHARE * 100:g} % du total (emplois estimés) ; un secret "
    "secondaire empêche de recalculer une case secrète à partir des totaux. Une case "
    f"secrète est laissée vide (jamais 0) et sa colonne « <indicateur>{SECRECY_SUFFIX} » "
    "vaut vrai ; une case vide sans ce drapeau n'est pas calculable."
)
PARTIAL_RULE: Final = (
    "Territoire partiel (territoire_complet = faux) : certaines de ses communes sont hors "
    "de l'entrepôt ; sa population et ses indicateurs sont laissés vides."
)
SINGLE_POINT_NOTE: Final = (
    "Valeurs communales calculées sur un seul point (la mairie) : une commune est à 0 % "
    "ou 100 %. Toute la population d'une commune est placée en un point (la mairie, ou "
    "un point intérieur) faute de carroyage de population à 200 m ; l'erreur mesurée sur "
    "un bloc réel du carroyage Filosofi 2021 est donnée dans le README (limites connues)."
)
# build_info key and value saying that each commune's population sits at one point.
_PLACEMENT_KEY: Final = "population_points"
_SINGLE_POINT: Final = "mairie"
_ETALAB: Final = (
    "Licence Ouverte / Open Licence Etalab 2.0 : réutilisation libre, y compris "
    "commerciale, en mentionnant la source et la date de mise à jour."
)
_ODBL: Final = (
    "ODbL (Open Database License) : mentionner la source ; une base dérivée diffusée "
    "doit rester sous ODbL."
)
_OSM: Final = (
    "Réseau routier © les contributeurs d'OpenStreetMap, sous ODbL 1.0 "
    "(temps de trajet calculés sur le réseau)."
)


class ExportError(RuntimeError):
    """An export that cannot be made (bad level, theme, territory, format or target)."""


@dataclass(frozen=True)
class IndicatorMeta:
    """One exported indicator: the registry row, and its secrecy flag column if any."""

    id: str
    theme: str
    label: str
    unit: str
    definition: str
    formula: str
    sources: str
    vintage: str
    decimals: int
    secret_column: str | None = None
    note_column: str | None = None


@dataclass(frozen=True)
class SourceMeta:
    """One catalogue source cited by the export (a row of the ``meta`` table)."""

    dataset: str
    title: str
    publisher: str
    vintage: str
    licence: str
    status: str
    url: str
    # "" for the official file; the label of the embedded real sample when the build
    # loaded it instead ("échantillon embarqué (Ille-et-Vilaine et 60 km autour)").
    provenance: str = ""


@dataclass(frozen=True)
class ExtraIndicator:
    """An indicator computed by the caller (the dashboard's figures from base tables).

    ``values`` maps a territory code to its value (``None`` when missing); codes not
    listed are missing. These figures carry no statistical secrecy.
    """

    meta: IndicatorMeta
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class ExportMeta:
    """Everything written next to the data: definitions, sources, rules, build."""

    level: str
    scope: str
    theme: str
    indicators: tuple[IndicatorMeta, ...]
    build: tuple[tuple[str, str], ...]
    sources: tuple[SourceMeta, ...]
    attributions: tuple[str, ...]
    partial: tuple[str, ...]
    crs_epsg: int | None
    exported_at: str
    context: tuple[tuple[str, str], ...] = field(default=())

    @property
    def decimals(self) -> dict[str, int]:
        """Display decimals of each indicator column."""
        return {i.id: i.decimals for i in self.indicators}

    def key_values(self) -> list[tuple[str, str]]:
        """The export's description as (key, value) rows, in French."""
        build = dict(self.build)
        rows = [
            ("niveau", self.level),
            ("territoires exportés", self.scope),
            ("thème", self.theme),
            ("nombre d'indicateurs", str(len(self.indicators))),
            ("entrepôt : territoire construit", build.get("territory", "non renseigné")),
            ("entrepôt : date de construction", build.get("built_at", "non renseignée")),
            ("exporté le", self.exported_at),
            ("secret statistique", SECRECY_RULE),
            ("territoires partiels", PARTIAL_RULE),
            ("codes des territoires partiels", ", ".join(self.partial) or "aucun"),
        ]
        if self.population_note:
            rows.append(("points de population", self.population_note))
        if self.crs_epsg is not None:
            rows.append(("système de coordonnées", f"EPSG:{self.crs_epsg}"))
        rows += list(self.context)
        rows += [
            (f"entrepôt : {k}", v) for k, v in self.build if k not in ("territory", "built_at")
        ]
        rows += [("licence et attribution", text) for text in self.attributions]
        sampled = [s for s in self.sources if s.provenance]
        if sampled:
            rows.append(
                (
                    "échantillon embarqué",
                    f"{', '.join(s.dataset for s in sampled)} : {sampled[0].provenance}, "
                    "extraits réels des fichiers officiels (mêmes lignes, millésime d'origine "
                    "indiqué), chargés faute de miroir, de cache et de réseau ; les valeurs ne "
                    "valent que pour ce territoire",
                )
            )
        return rows

    @property
    def population_note(self) -> str:
        """:data:`SINGLE_POINT_NOTE` when the build placed each commune's population at
        one point (``build_info.population_points = 'mairie'``), else ""."""
        single = dict(self.build).get(_PLACEMENT_KEY) == _SINGLE_POINT
        return SINGLE_POINT_NOTE if single else ""

    def to_json(self) -> str:
        """The metadata as JSON (stored in the Parquet schema)."""
        data = asdict(self)
        data["secrecy_rule"], data["partial_rule"] = SECRECY_RULE, PARTIAL_RULE
        if self.population_note:
            data["population_note"] = self.population_note
        return json.dumps(data, ensure_ascii=False)


# --- reading -------------------------------------------------------------------------


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
    _check_level(level)
    within_level, within_code, within_name = _within(con, territory)
    params = {"level": level, "within_level": within_level, "within_code": within_code}
    places = _run(con, _sql.EXPORT_TERRITORIES, params).df()
    if places.empty:
        where = f" dans {within_level} {within_code}" if within_level else ""
        raise ExportError(f"aucun territoire de niveau {level}{where} dans cet entrepôt")
    registry = _selected(con, theme, indicator_ids)
    matrices = _values(con, params, [i.id for i in registry], len(places))
    wanted = [*registry, *(e.meta for e in extra if e.meta.id not in _reserved())]
    frame = _assemble(places, level, wanted, matrices, extra)
    epsg = None
    if geometry:
        frame, epsg = _with_geometry(con, params, frame, places)
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
        attributions=_attributions(con, sources, wanted),
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


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ExportError(f"niveau inconnu « {level} » : attendu {_choices(LEVELS)}")


def check_format(fmt: str) -> None:
    """Raise :class:`ExportError` unless ``fmt`` is one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ExportError(f"format inconnu « {fmt} » : attendu {_choices(FORMATS)}")


def _choices(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " ou " + items[-1]


def _within(
    con: duckdb.DuckDBPyConnection, territory: tuple[str, str] | None
) -> tuple[str, str, str]:
    """(level, code, name) of the territory to restrict to; ("", "", "") for none."""
    if territory is None:
        return "", "", ""
    level, code = territory
    if level not in LEVELS:
        raise ExportError(f"niveau de territoire inconnu « {level} » : attendu {_choices(LEVELS)}")
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
            *(str(x) for x in r[:8]),
            decimals=int(r[8]),
            secret_column=f"{r[0]}{SECRECY_SUFFIX}" if r[0] in secret else None,
            note_column=f"{r[0]}{NOTE_SUFFIX}" if r[0] in noted else None,
        )
        for r in rows
    ]


def _has_notes(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``indicator_values`` has the ``note`` column (warehouses since issue 9)."""
    return bool(con.execute(_sql.EXPORT_HAS_NOTES).fetchone()[0])


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
        raise ExportError(f"thème inconnu « {theme} » : attendu {_choices([*known, ALL_THEMES])}")
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
    con: duckdb.DuckDBPyConnection, params: Mapping[str, str], ids: Sequence[str], n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, secret, notes) matrices: one row per territory, one column per id."""
    values = np.full((n_rows, len(ids)), np.nan)
    secret = np.zeros((n_rows, len(ids)), dtype=bool)
    notes = np.full((n_rows, len(ids)), None, dtype=object)
    if ids:
        got = _run(con, _sql.EXPORT_VALUES, {**params, "ids": list(ids)}).fetchnumpy()
        i, j = np.asarray(got["i"], dtype=np.int64), np.asarray(got["j"], dtype=np.int64)
        values[i, j] = np.ma.filled(got["value"].astype(float), np.nan)
        secret[i, j] = np.ma.filled(got["secret"], False)
        if _has_notes(con):
            why = _run(con, _sql.EXPORT_NOTES, {**params, "ids": list(ids)}).fetchall()
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
    params: Mapping[str, str],
    frame: pd.DataFrame,
    places: pd.DataFrame,
) -> tuple[pd.DataFrame, int]:
    """Attach full-resolution geometry: one metric CRS if the rows share it, else WGS84."""
    import geopandas

    known = places["epsg"].dropna().astype(int).unique()
    epsg = int(known[0]) if len(known) == 1 else WGS84
    sql = _sql.EXPORT_GEOMETRY if len(known) == 1 else _sql.EXPORT_GEOMETRY_WGS84
    wkb = _run(con, sql, params).df()
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
        (SourceMeta(*r[:7], provenance=samples.get(r[0], "")), r[7])
        for r in con.execute(_sql.EXPORT_META).fetchall()
    ]


def _sample_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Dataset -> label of the embedded sample it was loaded from (the origin up to
    " : "); empty for a warehouse built before ``meta.sample`` existed."""
    if not con.execute(_sql.META_HAS_SAMPLE).fetchone()[0]:
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


def _attributions(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[SourceMeta],
    wanted: Sequence[IndicatorMeta],
) -> tuple[str, ...]:
    """One line per cited source (publisher, title, vintage, licence), then the terms;
    OpenStreetMap when the build's travel times ran on the road network."""
    lines = [
        f"{s.publisher or s.dataset} — {s.title or s.dataset} ({s.vintage}) — {s.licence}"
        + (f" — {s.provenance}" if s.provenance else "")
        for s in sources
    ]
    licences = " ".join(s.licence for s in sources).lower()
    if "licence ouverte" in licences:
        lines.append(_ETALAB)
    if "odbl" in licences:
        lines.append(_ODBL)
    timed = any(i.theme in THEMES for i in wanted)  # not the dashboard's base figures
    if timed and _sql.table_exists(con, "travel_times"):
        methods = {r[0] for r in con.execute(_sql.METHOD).fetchall()}
        if "network" in methods:
            lines.append(_OSM)
    return tuple(lines)


# --- writing -------------------------------------------------------------------------


def atomic_write(path: Path | str, write: Callable[[Path], None], suffix: str) -> Path:
    """Run ``write(tmp)`` on a file in a temporary folder next to ``path``, then move it
    over ``path`` with ``os.replace``; on any error nothing is left and an existing
    ``path`` is untouched.

    Raises
    ------
    ExportError
        The target folder is missing or not writable, or ``path`` is a folder.
    """
    target = Path(path)
    folder = target.parent
    check_target(target)
    _remove_stale_temp_dirs(target)
    try:
        prefix = f".{target.name}.{os.getpid()}."
        tmp_dir = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=folder))
    except OSError as exc:
        raise ExportError(f"impossible d'écrire dans le dossier {folder} : {exc.strerror}") from exc
    try:
        tmp = tmp_dir / f"export{suffix}"
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"écriture impossible de {target} : {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return target


def _remove_stale_temp_dirs(target: Path) -> None:
    """Remove the temporary folders of earlier exports to ``target`` whose process is
    gone (an export killed before its ``finally`` ran left them behind)."""
    for tmp_dir in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid_text = tmp_dir.name[len(target.name) + 2 :].split(".", 1)[0]
        if tmp_dir.is_dir() and pid_text.isdigit() and not _process_alive(int(pid_text)):
            shutil.rmtree(tmp_dir, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _data_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != GEOMETRY_COLUMN]


def _text_column(series: pd.Series, decimals: int | None, decimal_comma: bool) -> list[str]:
    """CSV cells of one column: rounded numbers, ``oui``/``non``, blanks for missing."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return ["oui" if x else "non" for x in series.to_numpy()]
    if pd.api.types.is_float_dtype(series.dtype):
        cells = ["" if x != x else _number_text(x, decimals) for x in series.to_numpy()]
        return [c.replace(".", ",") for c in cells] if decimal_comma else cells
    return [
        "" if pd.isna(x) else spreadsheet_safe(str(x)) for x in series.astype(object).to_numpy()
    ]


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
# injection"): a source's name such as "=HYPERLINK(...)" must stay text.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number_text(x: float, decimals: int | None) -> str:
    """``x`` with ``decimals`` decimals, else up to 6 (trailing zeros dropped); no ``-0``."""
    if decimals is None:
        text = format(round(x, 6), "f").rstrip("0").rstrip(".") or "0"
    else:
        text = format(x, f".{decimals}f")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def write_csv(
    frame: pd.DataFrame,
    path: Path | str,
    decimal_comma: bool = False,
    *,
    decimals: Mapping[str, int] | None = None,
) -> Path:
    """``;``-separated UTF-8 CSV with a BOM, for French spreadsheets.

    Numbers are rounded to ``decimals[column]`` (else to at most 6 decimals), with a
    decimal comma when ``decimal_comma``; booleans are ``oui``/``non``; missing and
    secret cells are empty. Written atomically.
    """
    columns = _data_columns(frame)
    decimals = decimals or {}
    text = pd.DataFrame(
        {c: _text_column(frame[c], decimals.get(c), decimal_comma) for c in columns},
        columns=columns,
    )

    def write(tmp: Path) -> None:
        text.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")

    return atomic_write(path, write, ".csv")


def write_xlsx(frame: pd.DataFrame, meta: ExportMeta, path: Path | str) -> Path:
    """Workbook with a "Données" sheet (numbers rounded to each indicator's decimals)
    and a "Métadonnées" sheet (indicators, export, sources and licences)."""
    import xlsxwriter

    def write(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        try:
            _xlsx_data(book, frame, meta.decimals)
            _xlsx_meta(book, meta)
        finally:
            book.close()

    return atomic_write(path, write, ".xlsx")


def _xlsx_data(book: Any, frame: pd.DataFrame, decimals: Mapping[str, int]) -> None:
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Données")
    columns = _data_columns(frame)
    formats, cells = [], []
    for c in columns:
        d = decimals.get(c, 0 if c == "population" else None)
        pattern = "#,##0" + ("." + "0" * d if d else "") if d is not None else "General"
        formats.append(book.add_format({"num_format": pattern}))
        values = frame[c].astype(object).to_numpy()
        if d is not None and pd.api.types.is_float_dtype(frame[c].dtype):
            values = np.array([x if x != x else round(x, d) for x in values], dtype=object)
        cells.append(values)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, len(columns) - 1, 14)
    sheet.write_row(0, 0, columns, bold)
    for r in range(len(frame)):
        for c, values in enumerate(cells):
            x = values[r]
            if x is None or x is pd.NA or (isinstance(x, float) and x != x):
                continue
            if isinstance(x, bool | np.bool_):
                sheet.write_boolean(r + 1, c, bool(x))
            elif isinstance(x, int | float | np.integer | np.floating):
                sheet.write_number(r + 1, c, float(x), formats[c])
            else:
                sheet.write_string(r + 1, c, str(x))


def metadata_tables(
    meta: ExportMeta,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(indicators, key/values, sources) tables of the metadata, with French headers."""
    indicators = pd.DataFrame(
        [
            (*_text_fields(i), str(i.decimals), i.secret_column or "", i.note_column or "")
            for i in meta.indicators
        ],
        columns=list(_INDICATOR_HEADER),
    )
    keys = pd.DataFrame(meta.key_values(), columns=["clé", "valeur"])
    sources = pd.DataFrame(
        [
            (
                s.dataset,
                s.title,
                s.publisher,
                s.vintage,
                s.licence,
                s.status,
                s.url,
                s.provenance or "fichier officiel",
            )
            for s in meta.sources
        ],
        columns=list(_SOURCE_HEADER),
    )
    return indicators, keys, sources


def _text_fields(i: IndicatorMeta) -> tuple[str, ...]:
    return (i.id, i.label, i.unit, i.definition, i.formula, i.sources, i.vintage)


_INDICATOR_HEADER: Final = (
    "identifiant",
    "libellé",
    "unité",
    "définition",
    "formule",
    "sources",
    "millésime",
    "décimales",
    "colonne secret",
    "colonne motif (valeur non disponible)",
)
_SOURCE_HEADER: Final = (
    "jeu de données",
    "titre",
    "producteur",
    "millésime",
    "licence",
    "statut",
    "adresse",
    "provenance",
)


def _xlsx_meta(book: Any, meta: ExportMeta) -> None:
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Métadonnées")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 8, 40)
    row = 0
    for title, table in zip(
        ("Indicateurs", "Export", "Sources et licences"), metadata_tables(meta), strict=True
    ):
        sheet.write_string(row, 0, title, bold)
        sheet.write_row(row + 1, 0, list(table.columns), bold)
        row += 2
        for values in table.itertuples(index=False):
            for c, x in enumerate(values):
                sheet.write_string(row, c, str(x), wrap)
            row += 1
        row += 1


def write_gpkg(frame: pd.DataFrame, meta: ExportMeta, path: Path | str) -> Path:
    """GeoPackage with the single layer ``territoires`` (the frame, its geometry and
    CRS, full precision). The metadata goes into the layer's GDAL metadata (table
    ``gpkg_metadata``; ``pyogrio.read_info(path)["layer_metadata"]``): one entry per
    French key of :meth:`ExportMeta.key_values`, the indicator table under
    ``indicateurs`` and everything as JSON under ``territoires``. A single layer keeps
    ``geopandas.read_file(path)`` unambiguous."""
    import geopandas
    import pyogrio

    if not isinstance(frame, geopandas.GeoDataFrame) or meta.crs_epsg is None:
        raise ExportError("GeoPackage : géométrie absente (export_frame(..., geometry=True))")
    layer_metadata: dict[str, str] = {}
    for key, value in meta.key_values():
        layer_metadata[key] = f"{layer_metadata[key]}\n{value}" if key in layer_metadata else value
    indicators, _, _ = metadata_tables(meta)
    layer_metadata["indicateurs"] = indicators.to_json(orient="records", force_ascii=False)
    layer_metadata["territoires"] = meta.to_json()

    def write(tmp: Path) -> None:
        pyogrio.write_dataframe(
            frame,
            tmp,
            layer=GPKG_LAYER,
            driver="GPKG",
            promote_to_multi=True,
            layer_metadata=layer_metadata,
            layer_options={"DESCRIPTION": f"Territoires : {meta.scope}"},
        )

    return atomic_write(path, write, ".gpkg")


def write_parquet(frame: pd.DataFrame, meta: ExportMeta, path: Path | str) -> Path:
    """Parquet at full precision; the metadata as JSON under the schema key
    ``territoires``, and each indicator column's label and unit as field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame[_data_columns(frame)], preserve_index=False)
    labels = {i.id: i for i in meta.indicators}
    fields = [
        f.with_metadata({"libellé": labels[f.name].label, "unité": labels[f.name].unit})
        if f.name in labels
        else f
        for f in table.schema
    ]
    metadata = {**(table.schema.metadata or {}), PARQUET_KEY: meta.to_json().encode()}
    schema = pa.schema(fields, metadata=metadata)
    table = table.cast(schema)

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp)

    return atomic_write(path, write, ".parquet")


def write_export(
    frame: pd.DataFrame,
    meta: ExportMeta,
    path: Path | str,
    fmt: str,
    *,
    decimal_comma: bool = False,
) -> Path:
    """Write ``frame`` in ``fmt`` (one of :data:`FORMATS`) to ``path``, atomically."""
    check_format(fmt)
    if fmt == "csv":
        return write_csv(frame, path, decimal_comma, decimals=meta.decimals)
    if fmt == "xlsx":
        return write_xlsx(frame, meta, path)
    if fmt == "gpkg":
        return write_gpkg(frame, meta, path)
    return write_parquet(frame, meta, path)


def check_target(path: Path | str) -> None:
    """Fail early (before reading anything) on a target folder that does not exist."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"dossier de sortie introuvable : {target.parent}")
    if target.is_dir():
        raise ExportError(f"la sortie {target} est un dossier, pas un fichier")


def export_to_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    fmt: str,
    level: str,
    territory: tuple[str, str] | None = None,
    theme: str = ALL_THEMES,
    *,
    decimal_comma: bool = False,
) -> tuple[Path, pd.DataFrame, ExportMeta]:
    """``territoires export``: check the format and target, read, write atomically."""
    check_format(fmt)
    _check_level(level)
    check_target(path)
    frame, meta = export_frame(con, level, territory, theme, geometry=fmt == "gpkg")
    return write_export(frame, meta, path, fmt, decimal_comma=decimal_comma), frame, meta
