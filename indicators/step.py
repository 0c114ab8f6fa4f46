"""Build step: compute every registered indicator for communes, EPCI, départements, régions.

:func:`compute_indicators` runs inside ``warehouse.build.build`` after
``geo.access_step.compute_travel_times``. It reads the base tables and
``travel_times`` (:mod:`indicators._sql`), lists the indicators
(:func:`indicators.registry.registry_for`), computes them with the pure kernels of
the theme modules, and writes the tables ``indicators`` and ``indicator_values`` of
``warehouse/SCHEMA.md``.

Rules applied to every figure
-----------------------------
- Population weighting from the population points, never averaging communes
  (:mod:`indicators.weighting`).
- A point with no facility of a type in its CRS zone (mainland, each overseas
  département) has an infinite time: beyond every threshold.
- Results independent of the build's extent: a value is computed only where the
  nearest facility is known for sure. Facilities are loaded within the build's buffer
  around the territory, and a source may not cover every département (declared or
  measured coverage, table ``coverage_gaps``); ``geo.coverage`` measures, for every
  point and service type, the radius within which everything was searched
  (``point_coverage``). A point's time is exact when the reach of that time
  (``geo.reach.reach_m``) is within it; "within T minutes" is known when a facility is
  found within T or when the reach of T was searched. A territory with an unknown
  point gets NULL and a French ``note`` saying why (``NOTES``), never a figure that a
  larger build would change.
- 2SFCA: the demand sharing each site includes the inhabitants living around the
  territory (``demand_points``, ``demand_travel_times``), as a national build would.
- A territory that is not ``complete`` (some member communes outside the build, e.g.
  the région of a département build) gets NULL values: a figure on part of its
  population would be wrong.
- ``secret`` is false everywhere: these are population counts, not business data.
- Every territory of ``territories`` has a row for every indicator (NULL when not
  computable).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, Protocol

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.access_step import catchment_limit
from geo.constants import FCA_BANDS, FCA_PER_INHABITANTS
from geo.reach import reach_m
from indicators import _sql
from indicators.access_15min import (
    BasketItem,
    basket_available,
    basket_score,
    mean_minutes,
    median_minutes,
    nearest_minutes,
    score_by_territory,
    share_within,
)
from indicators.commitments import (
    LAPOSTE_CONTACT_TYPES,
    LAPOSTE_MAX_KM,
    beyond_presence_rule,
    nearest_of_types,
)
from indicators.fca import enhanced_2sfca
from indicators.registry import (
    Indicator,
    SourceInfo,
    frozen_mapping,
    registry_for,
    registry_frame,
)
from indicators.rural_mobility import classes_present, station_remoteness
from indicators.third_places import third_place_coverage
from indicators.weighting import (
    VALUE_COLUMNS,
    aggregate_ratio,
    aggregate_reason,
    aggregate_total,
    point_geography,
)

log = logging.getLogger(__name__)

__all__ = [
    "NOTES",
    "NOTE_INCOMPLETE",
    "NOTE_ISLAND",
    "IndicatorSettings",
    "compute_indicators",
    "compute_values",
    "registry_from_inputs",
    "source_vintages",
]


class IndicatorSettings(Protocol):
    """What the step reads from ``etl.settings.Settings``."""

    threshold_min: float
    demand_buffer_m: float


def compute_indicators(con: duckdb.DuckDBPyConnection, settings: IndicatorSettings) -> None:
    """Build step writing ``indicators`` and ``indicator_values`` (module docstring)."""
    inputs = _sql.read_inputs(con)
    registry = registry_from_inputs(inputs, settings.threshold_min)
    values = compute_values(inputs, registry, demand_buffer_m=settings.demand_buffer_m)
    _sql.write_tables(con, registry_frame(registry), values)
    log.info("indicators: %d indicators, %d values", len(registry), len(values))


def registry_from_inputs(inputs: _sql.WarehouseInputs, threshold_min: float) -> list[Indicator]:
    """The registry of a warehouse: its service types, sources and density classes."""
    types = inputs.service_types
    facility_sources = {
        code: tuple(s.strip() for s in str(sources).split(",") if s.strip())
        for code, sources in zip(types["code"], types["sources"], strict=True)
    }
    info = SourceInfo(
        vintages=frozen_mapping(source_vintages(inputs.vintages).items()),
        facility_sources=frozen_mapping(facility_sources.items()),
        population_sources=inputs.population_sources,
        density_sources=inputs.density_sources,
        method=inputs.method,
    )
    return registry_for(
        types,
        info,
        threshold_min=threshold_min,
        density_classes=classes_present(inputs.points["density_level"]),
    )


def source_vintages(from_meta: Mapping[str, str] | None) -> Mapping[str, str]:
    """Vintages of the catalogue sources, from the warehouse's ``meta`` table.

    ``warehouse.build`` writes ``meta`` before the build steps. Without it (a
    warehouse not made by ``territoires build``) no vintage is known, and the
    registry says "millésime non renseigné" rather than guessing.
    """
    if from_meta is None:
        log.warning("table meta absente : millésimes des sources inconnus")
        return {}
    return from_meta


def compute_values(
    inputs: _sql.WarehouseInputs,
    registry: Sequence[Indicator],
    *,
    demand_buffer_m: float = math.inf,
) -> pd.DataFrame:
    """All indicator values, one row per (indicator, territory) of ``inputs.territories``.

    Parameters
    ----------
    demand_buffer_m : float
        Distance around the territory within which inhabitants were loaded as 2SFCA
        demand (``Settings.demand_buffer_m``); too short, the 2SFCA values of a
        territory that is not a whole zone are blank (reason given).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``level``, ``code``, ``value``, ``secret`` (False),
        ``numerator``, ``denominator`` (see SCHEMA.md; NULL = NaN), ``note`` (why a
        value is blank, in French; None when it is not).
    """
    geo = point_geography(inputs.points, inputs.communes)
    nearest = nearest_minutes(inputs.nearest, inputs.points["point_id"])
    context = _Context(geo, nearest, inputs, demand_buffer_m)
    frames: dict[str, pd.DataFrame] = {}
    for indicator in registry:
        if indicator.id not in frames:
            frames.update(context.compute(indicator, registry))
    return _full_table(registry, frames, inputs.territories, geo, context)


def _positions(
    territories: pd.DataFrame, geo: pd.DataFrame
) -> dict[str, tuple[npt.NDArray[np.intp], pd.Index, np.ndarray, npt.NDArray[np.intp]]]:
    """For each level: row numbers of its territories, an index of their codes, and
    the codes of ``geo``'s categories with their positions in that index."""
    levels = territories["level"].to_numpy(dtype=object)
    codes = territories["code"].to_numpy(dtype=object)
    out = {}
    for level in pd.unique(levels):
        rows = np.flatnonzero(levels == level)
        index = pd.Index(codes[rows], dtype=object)
        known = (
            np.asarray(geo[level].cat.categories, dtype=object)
            if level in geo.columns
            else np.empty(0, dtype=object)
        )
        out[str(level)] = (rows, index, known, index.get_indexer(known))
    return out


def _full_table(
    registry: Sequence[Indicator],
    frames: dict[str, pd.DataFrame],
    territories: pd.DataFrame,
    geo: pd.DataFrame,
    context: _Context,
) -> pd.DataFrame:
    """One row per (indicator, territory); NaN where not computed or incomplete, with
    the reason in ``note``.

    Text columns are categoricals (a national build has millions of rows).
    """
    positions = _positions(territories, geo)
    complete = territories["complete"].fillna(False).to_numpy(dtype=bool)
    n_terr, n_ind = len(territories), len(registry)
    arrays = {c: np.full((n_ind, n_terr), np.nan) for c in ("value", "numerator", "denominator")}
    notes = np.zeros((n_ind, n_terr), dtype=np.int64)
    note_texts = [""]
    for row, indicator in enumerate(registry):
        frame = frames[indicator.id]
        reasons = context.territory_reasons(indicator.id)
        for level, (rows, index, cached_codes, cached_pos) in positions.items():
            block, pos = _align(frame, level, index, cached_codes, cached_pos)
            ok = pos >= 0
            for column, array in arrays.items():
                array[row, rows[pos[ok]]] = frame[column].to_numpy(dtype=np.float64)[block[ok]]
            if reasons is None:
                continue
            block, pos = _align(reasons, level, index, cached_codes, cached_pos)
            ok = pos >= 0
            codes = reasons["reason"].to_numpy(dtype=np.int64)[block[ok]]
            uniques, inverse = np.unique(codes, return_inverse=True)
            ids = [_note_id(note_texts, context.note_text(indicator.id, int(c))) for c in uniques]
            notes[row, rows[pos[ok]]] = np.asarray(ids, dtype=np.int64)[inverse]
    for array in arrays.values():
        array[:, ~complete] = np.nan
    notes[:, ~complete] = _note_id(note_texts, NOTE_INCOMPLETE)
    notes[~np.isnan(arrays["value"])] = 0
    island_note = _note_id(note_texts, NOTE_ISLAND)
    for row, indicator in enumerate(registry):
        flags = context.island_territories(indicator.id)
        if flags is None:
            continue
        for level, (rows, index, cached_codes, cached_pos) in positions.items():
            block, pos = _align(flags, level, index, cached_codes, cached_pos)
            hit = (pos >= 0) & (flags["reason"].to_numpy()[block] > 0)
            cells = rows[pos[hit]]
            valued = ~np.isnan(arrays["value"][row, cells])
            notes[row, cells[valued]] = island_note
    level_codes, level_names = pd.factorize(territories["level"].to_numpy(dtype=object))
    code_codes, code_names = pd.factorize(territories["code"].to_numpy(dtype=object))
    return pd.DataFrame(
        {
            "indicator_id": pd.Categorical.from_codes(
                np.repeat(np.arange(n_ind), n_terr), categories=[i.id for i in registry]
            ),
            "level": pd.Categorical.from_codes(np.tile(level_codes, n_ind), level_names),
            "code": pd.Categorical.from_codes(np.tile(code_codes, n_ind), code_names),
            "value": arrays["value"].ravel(),
            "secret": np.zeros(n_ind * n_terr, dtype=bool),
            "numerator": arrays["numerator"].ravel(),
            "denominator": arrays["denominator"].ravel(),
            # categorical: millions of rows share a handful of texts (-1: no note)
            "note": pd.Categorical.from_codes(notes.ravel() - 1, categories=note_texts[1:]),
        }
    )


def _align(
    frame: pd.DataFrame,
    level: str,
    index: pd.Index,
    cached_codes: np.ndarray,
    cached_pos: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows of ``frame`` at ``level`` and their positions among that level's territories."""
    block = np.flatnonzero(frame["level"].to_numpy(dtype=object) == level)
    codes = frame["code"].to_numpy(dtype=object)[block]
    # Kernels return every level's codes in the same order: reuse that lookup.
    same = len(codes) == len(cached_codes) and bool(np.all(codes == cached_codes))
    return block, (cached_pos if same else index.get_indexer(codes))


def _note_id(texts: list[str], text: str) -> int:
    """Position of ``text`` in ``texts`` (appended when new; 0 is "no note")."""
    if not text:
        return 0
    try:
        return texts.index(text)
    except ValueError:
        texts.append(text)
        return len(texts) - 1


# Why a value is blank, from the least to the most serious (the largest code of a
# territory's points is reported). Codes of geo/coverage.py's reasons and two more.
REASON_ZONE: Final = 1  # limite_zone
REASON_DEMAND: Final = 2  # 2SFCA demand not wholly loaded
REASON_PARTIAL: Final = 3  # couverture_partielle
REASON_OUT: Final = 4  # hors_couverture
_REASON_CODES: Final = MappingProxyType(
    {
        "limite_zone": REASON_ZONE,
        "couverture_partielle": REASON_PARTIAL,
        "hors_couverture": REASON_OUT,
    }
)
NOTES: Final = MappingProxyType(
    {
        REASON_ZONE: "Non disponible dans cet entrepôt : l'équipement le plus proche peut se "
        "trouver au-delà de la zone chargée autour du territoire construit (construire un "
        "territoire plus large pour l'obtenir).",
        REASON_DEMAND: "Non disponible dans cet entrepôt : la population qui se partage les "
        "sites n'est pas toute chargée (tampon de population trop court pour la méthode de "
        "temps de trajet).",
        REASON_PARTIAL: "Non disponible : la source ne couvre pas tout le rayon de recherche "
        "autour des habitants (source partielle : {sources}).",
        REASON_OUT: "Non disponible : la source ne couvre pas ce territoire ({sources}).",
    }
)
# A value that IS given, but where inhabitants of an island have no facility there.
NOTE_ISLAND: Final = (
    "Aucun équipement accessible sur l'île pour ce type (pas de trajet à travers la "
    "mer) : ses habitants sont comptés au-delà de tout seuil et hors des temps moyens."
)
NOTE_INCOMPLETE: Final = (
    "Non disponible dans cet entrepôt : une partie des communes de ce territoire n'a pas "
    "été construite."
)


class _Context:
    """Per-build inputs shared by the indicator computations.

    Besides the frames, it keeps for every indicator computed the per-point reason
    codes of its unknown points (:meth:`territory_reasons`).
    """

    def __init__(
        self,
        geo: pd.DataFrame,
        nearest: pd.DataFrame,
        inputs: _sql.WarehouseInputs,
        demand_buffer_m: float = math.inf,
    ) -> None:
        self.geo = geo
        self.nearest = nearest
        self.inputs = inputs
        self.method = inputs.method
        self.density = pd.to_numeric(inputs.points["density_level"]).to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        self.radius, self.limit, self.sources = _limits(geo, inputs)
        self.demand_ok = self._demand_complete(demand_buffer_m)
        self._reasons: dict[str, npt.NDArray[np.int64]] = {}
        self._sources_of: dict[str, str] = {}
        # Points on an island (no bridge) that have no facility of a type there.
        islands = inputs.points.get("island")
        self.island = (
            np.zeros(len(geo), dtype=bool)
            if islands is None
            else islands.fillna(False).to_numpy(dtype=bool)
        )
        self._none_on_island: dict[str, npt.NDArray[np.bool_]] = {}

    # -- exactness ------------------------------------------------------------------

    def _demand_complete(self, demand_buffer_m: float) -> bool:
        """Whether every inhabitant sharing a site near the territory is loaded."""
        has_edge = any((lim == REASON_ZONE).any() for lim in self.limit.values())
        if not has_edge:
            return True  # the territory's zones are wholly built: nobody lives outside
        reach = float(reach_m(catchment_limit(), "car", self.method).max())
        return demand_buffer_m >= 2.0 * reach

    def _radius(self, code: str) -> npt.NDArray[np.float64]:
        return self.radius.get(code, np.full(len(self.geo), np.inf))

    def _limit(self, code: str) -> npt.NDArray[np.int64]:
        return self.limit.get(code, np.zeros(len(self.geo), dtype=np.int64))

    def _reach(self, minutes: npt.ArrayLike, mode: str) -> npt.NDArray[np.float64]:
        return reach_m(minutes, mode, self.method, self.density)  # type: ignore[arg-type]

    def known_within(
        self, codes: Sequence[str], mode: str, threshold: float
    ) -> npt.NDArray[np.int64]:
        """Reason codes (0: known) of "is a facility of any of ``codes`` within
        ``threshold`` minutes": known when one is found within it, or when the whole
        reach of the threshold was searched for every code."""
        found = np.zeros(len(self.geo), dtype=bool)
        searched = np.ones(len(self.geo), dtype=bool)
        worst = np.zeros(len(self.geo), dtype=np.int64)
        reach = self._reach(np.full(len(self.geo), threshold), mode)
        for code in codes:
            found |= self.minutes(code, mode) <= threshold
            ok = reach <= self._radius(code)
            searched &= ok
            worst = np.maximum(worst, np.where(ok, 0, self._limit(code)))
        return np.where(found | searched, 0, worst)

    def known_nearest(self, code: str, mode: str) -> npt.NDArray[np.int64]:
        """Reason codes (0: known) of the time to the nearest facility of ``code``:
        known when no closer facility can hide beyond the searched radius."""
        ok = self._reach(self.minutes(code, mode), mode) <= self._radius(code)
        return np.where(ok, 0, self._limit(code))

    def _keep(self, ind: Indicator, reasons: npt.NDArray[np.int64], codes: Sequence[str]) -> None:
        self._reasons[ind.id] = reasons
        if ind.mode is not None and codes:
            none = np.ones(len(self.geo), dtype=bool)
            for code in codes:
                none &= ~np.isfinite(self.minutes(code, ind.mode))
            self._none_on_island[ind.id] = none & self.island & (reasons == 0)
        names = sorted({s for c in codes for s in self.sources.get(c, ()) if s})
        self._sources_of[ind.id] = ", ".join(names)

    def island_territories(self, indicator_id: str) -> pd.DataFrame | None:
        """``level``, ``code``, ``reason`` (1 when some inhabitants live on an island
        without any facility of the type), or None when no point is concerned."""
        flags = self._none_on_island.get(indicator_id)
        if flags is None or not flags.any():
            return None
        return aggregate_reason(self.geo, flags.astype(np.int64))

    def territory_reasons(self, indicator_id: str) -> pd.DataFrame | None:
        """``level``, ``code``, ``reason`` of every territory, or None (all known)."""
        reasons = self._reasons.get(indicator_id)
        if reasons is None or not reasons.any():
            return None
        return aggregate_reason(self.geo, reasons)

    def note_text(self, indicator_id: str, reason: int) -> str:
        """French text of a reason code for this indicator ("" for 0)."""
        if reason == 0:
            return ""
        return NOTES[reason].format(sources=self._sources_of.get(indicator_id) or "?")

    # -- values ---------------------------------------------------------------------

    def minutes(self, service_type: str, mode: str) -> npt.NDArray[np.float64]:
        key = (service_type, mode)
        if key in self.nearest.columns:
            return self.nearest[key].to_numpy(dtype=np.float64)
        return np.full(len(self.geo), np.inf)

    def compute(
        self, indicator: Indicator, registry: Sequence[Indicator]
    ) -> dict[str, pd.DataFrame]:
        """Frames (level, code, value, numerator, denominator) for one or more ids."""
        if indicator.theme == "third_places":
            return self._third_places(registry)
        if indicator.kind == "share_beyond":
            return self._mobility(registry)
        return {indicator.id: self._one(indicator)}

    def distance(self, service_type: str, mode: str, column: str) -> npt.NDArray[np.float64]:
        """Metres (``distance_m`` or ``crow_m``) to the nearest facility; NaN if none."""
        table = self.inputs.nearest
        rows = table[(table["service_type"] == service_type) & (table["mode"] == mode)]
        position = pd.Index(self.geo["point_id"].to_numpy(dtype=object))
        pos = position.get_indexer(rows["origin_id"].to_numpy(dtype=object))
        out = np.full(len(self.geo), np.nan)
        ok = pos >= 0
        out[pos[ok]] = rows[column].to_numpy(dtype=np.float64)[ok]
        return out

    def _one(self, ind: Indicator) -> pd.DataFrame:
        if ind.kind == "score":
            return self._score(ind)
        if ind.kind == "fca":
            return self._fca(ind)
        if ind.kind == "commitment":
            return self._commitment(ind)
        assert ind.service_type is not None and ind.mode is not None
        code = ind.service_type
        t = self.minutes(code, ind.mode)
        if ind.kind in ("share_within", "population_beyond"):
            assert ind.threshold_min is not None
            reasons = self.known_within([code], ind.mode, ind.threshold_min)
        else:
            reasons = self.known_nearest(code, ind.mode)
        self._keep(ind, reasons, [code])
        known = reasons == 0
        if ind.kind == "share_within":
            assert ind.threshold_min is not None
            return share_within(self.geo, t, ind.threshold_min, known=known)
        if ind.kind == "median":
            return median_minutes(self.geo, t, known=known)
        if ind.kind == "mean":
            return mean_minutes(self.geo, t, known=known)
        if ind.kind == "population_beyond":
            assert ind.threshold_min is not None
            population = self.geo["population"].to_numpy(dtype=np.float64)
            return aggregate_total(self.geo, population * ~(t <= ind.threshold_min), known=known)
        raise ValueError(f"no computation for indicator kind {ind.kind!r} ({ind.id})")

    def _score(self, ind: Indicator) -> pd.DataFrame:
        types = self.inputs.service_types
        if ind.scope:
            codes = types.loc[types["bpe_gamme"].astype(str) == ind.scope, "code"].tolist()
            items: Sequence[BasketItem] = [BasketItem(c, c, (c,), ()) for c in codes]
        else:
            items = basket_available(types)
        assert ind.mode is not None and ind.threshold_min is not None
        score = basket_score(self.nearest, items, ind.mode, ind.threshold_min)
        reasons = np.zeros(len(self.geo), dtype=np.int64)
        for item in items:
            item_reasons = self.known_within(item.codes, ind.mode, ind.threshold_min)
            reasons = np.maximum(reasons, item_reasons)
        self._keep(ind, reasons, [c for item in items for c in item.codes])
        return score_by_territory(self.geo, score, known=reasons == 0)

    def _commitment(self, ind: Indicator) -> pd.DataFrame:
        """Share of inhabitants beyond a commitment (indicators/commitments.py)."""
        assert ind.threshold_min is not None
        population = self.geo["population"].to_numpy(dtype=np.float64)
        if ind.scope == "france_services":
            assert ind.service_type is not None
            codes: list[str] = [ind.service_type]
            beyond = ~(self.minutes(ind.service_type, "car") <= ind.threshold_min)
            reasons = self.known_within(codes, "car", ind.threshold_min)
        else:
            loaded = set(self.inputs.service_types["code"].astype(str))
            codes = [c for c in LAPOSTE_CONTACT_TYPES if c in loaded]
            column = "crow_m" if ind.scope == "laposte_crow" else "distance_m"
            minutes = np.column_stack([self.minutes(c, "car") for c in codes])
            metres = np.column_stack([self.distance(c, "car", column) for c in codes])
            t, d = nearest_of_types(minutes, metres)
            beyond = beyond_presence_rule(t, d, max_min=ind.threshold_min)
            # Known when a contact point is found within 20 min or 5 km, or when both
            # radii were searched for every type of contact point.
            found = (t <= ind.threshold_min) | (d <= LAPOSTE_MAX_KM * 1000.0)
            needed = np.maximum(
                self._reach(np.full(len(self.geo), ind.threshold_min), "car"),
                LAPOSTE_MAX_KM * 1000.0,
            )
            reasons = np.zeros(len(self.geo), dtype=np.int64)
            for code in codes:
                short = needed > self._radius(code)
                reasons = np.maximum(reasons, np.where(short, self._limit(code), 0))
            reasons = np.where(found, 0, reasons)
        self._keep(ind, reasons, codes)
        return aggregate_ratio(
            self.geo, population * beyond, population, scale=100.0, known=reasons == 0
        )

    def _fca(self, ind: Indicator) -> pd.DataFrame:
        assert ind.service_type is not None
        code = ind.service_type
        pairs = self.inputs.catchments
        pairs = pairs[pairs["service_type"] == code][["origin_id", "facility_id", "minutes"]]
        demand = pd.DataFrame(
            {"origin_id": self.geo["point_id"].to_numpy(), "population": self.geo["population"]}
        )
        around = self.inputs.demand_points
        if around is not None and len(around):
            extra = self.inputs.demand_catchments
            assert extra is not None
            extra = extra[extra["service_type"] == code][["origin_id", "facility_id", "minutes"]]
            pairs = pd.concat([pairs, extra], ignore_index=True)
            outside = around[["point_id", "population"]].rename(columns={"point_id": "origin_id"})
            demand = pd.concat([demand, outside.fillna({"population": 0.0})], ignore_index=True)
        facilities = self.inputs.facilities
        sites = facilities.loc[facilities["service_type"] == code, "facility_id"]
        supply = pd.DataFrame({"facility_id": sites.to_numpy(), "supply": 1.0})
        access = enhanced_2sfca(pairs, demand, supply, bands=FCA_BANDS)
        mine = access["accessibility"].to_numpy()[: len(self.geo)]
        # The catchment of a point is whole when the search reached the last band.
        reach = self._reach(np.full(len(self.geo), catchment_limit()), "car")
        reasons = np.where(reach <= self._radius(code), 0, self._limit(code))
        if not self.demand_ok:
            reasons = np.maximum(reasons, REASON_DEMAND)
        self._keep(ind, reasons, [code])
        population = self.geo["population"].to_numpy(dtype=np.float64)
        return aggregate_ratio(
            self.geo,
            population * mine,
            population,
            scale=FCA_PER_INHABITANTS,
            known=reasons == 0,
        )

    def _third_places(self, registry: Sequence[Indicator]) -> dict[str, pd.DataFrame]:
        mine = [i for i in registry if i.theme == "third_places"]
        code = mine[0].service_type
        assert code is not None
        bike_min = next(i.threshold_min for i in mine if i.mode == "bike")
        car_min = next(i.threshold_min for i in mine if i.mode == "car")
        assert bike_min is not None and car_min is not None
        bike_reasons = self.known_within([code], "bike", bike_min)
        car_reasons = self.known_within([code], "car", car_min)
        frame = third_place_coverage(
            self.geo,
            self.minutes(code, "bike"),
            self.minutes(code, "car"),
            known=bike_reasons == 0,
            known_car=car_reasons == 0,
            bike_min=bike_min,
            car_min=car_min,
        )
        measure_of = {
            ("share_within", "bike"): "share_within_bike",
            ("share_within", "car"): "share_within_car",
            ("population_beyond", "car"): "population_beyond_car",
        }
        for i in mine:
            self._keep(i, bike_reasons if i.mode == "bike" else car_reasons, [code])
        return {
            i.id: frame.loc[frame["measure"] == measure_of[(i.kind, i.mode or "")]][
                list(VALUE_COLUMNS)
            ]
            for i in mine
        }

    def _mobility(self, registry: Sequence[Indicator]) -> dict[str, pd.DataFrame]:
        mine = [i for i in registry if i.kind == "share_beyond"]
        code = mine[0].service_type
        assert code is not None and mine[0].threshold_min is not None
        reasons = self.known_within([code], "car", mine[0].threshold_min)
        for i in mine:
            self._keep(i, reasons, [code])
        frame = station_remoteness(
            self.geo,
            self.minutes(code, "car"),
            self.inputs.points["density_level"],
            known=reasons == 0,
            threshold_min=mine[0].threshold_min,
            classes=tuple(i.scope for i in mine),
        )
        return {
            i.id: frame.loc[frame["density_class"] == i.scope][list(VALUE_COLUMNS)] for i in mine
        }


def _limits(
    geo: pd.DataFrame, inputs: _sql.WarehouseInputs
) -> tuple[
    dict[str, npt.NDArray[np.float64]], dict[str, npt.NDArray[np.int64]], dict[str, set[str]]
]:
    """Per service type: searched radius (m), limit reason code and sources of each point
    of ``geo`` (from ``point_coverage``; no row = no limit)."""
    table = inputs.point_coverage
    radius: dict[str, npt.NDArray[np.float64]] = {}
    limit: dict[str, npt.NDArray[np.int64]] = {}
    sources: dict[str, set[str]] = {}
    if table is None or table.empty:
        return radius, limit, sources
    position = pd.Index(geo["point_id"].to_numpy(dtype=object))
    for code, rows in table.groupby("service_type", sort=False):
        pos = position.get_indexer(rows["origin_id"].to_numpy(dtype=object))
        ok = pos >= 0
        r = np.full(len(geo), np.inf)
        r[pos[ok]] = rows["radius_m"].to_numpy(dtype=np.float64)[ok]
        lim = np.zeros(len(geo), dtype=np.int64)
        lim[pos[ok]] = rows["reason"].map(_REASON_CODES).fillna(REASON_PARTIAL).to_numpy()[ok]
        radius[str(code)], limit[str(code)] = r, lim
        sources[str(code)] = set(rows["sources"].dropna().astype(str))
    return radius, limit, sources
