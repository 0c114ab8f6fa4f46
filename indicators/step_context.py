"""Per-build context of the indicator computations, and why a value is blank.

:class:`StepContext` holds what :func:`indicators.step.compute_values` shares between
the indicators (point geography, nearest times, coverage limits) and computes each
indicator kind with the pure kernels of the theme modules. It also decides, point by
point, whether a figure is known whatever the build's extent (rules in
:mod:`indicators.step`), keeping the reason codes (``REASON_*``) and their French notes
(:data:`NOTES`) for the territories left blank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.catchment import catchment_limit
from geo.constants import DEFAULT_CONSTANTS, FCA_PER_INHABITANTS, ModelConstants
from geo.reach import reach_m
from indicators import _sql
from indicators.access_15min import (
    BasketItem,
    basket_available,
    basket_score,
    mean_minutes,
    median_minutes,
    score_by_territory,
    share_within,
)
from indicators.basket_presence import equipped_points, share_in_equipped_commune
from indicators.commitments import (
    LAPOSTE_CONTACT_TYPES,
    LAPOSTE_MAX_KM,
    beyond_presence_rule,
    nearest_of_types,
)
from indicators.fca import enhanced_2sfca, point_supply
from indicators.public_transport import TRANSIT_KINDS
from indicators.registry import Indicator
from indicators.rural_mobility import station_remoteness
from indicators.third_places import third_place_coverage
from indicators.weighting import (
    VALUE_COLUMNS,
    aggregate_ratio,
    aggregate_reason,
    aggregate_total,
)

__all__ = [
    "NOTES",
    "NOTE_INCOMPLETE",
    "NOTE_ISLAND",
    "NOTE_NO_POINT",
    "REASON_DEMAND",
    "REASON_OUT",
    "REASON_PARTIAL",
    "REASON_ZONE",
    "StepContext",
]

# Why a value is blank, from the least to the most serious (the largest code of a
# territory's points is reported). Codes of geo/coverage.py's reasons and two more.
REASON_ZONE: Final = 1  # limite_zone
REASON_DEMAND: Final = 2  # 2SFCA demand not wholly loaded
REASON_PARTIAL: Final = 3  # couverture_partielle
REASON_OUT: Final = 4  # hors_couverture
# Reasons that leave a presence in the commune unknown (the source misses the area).
_UNCOVERED: Final = (REASON_PARTIAL, REASON_OUT)
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
# A territory without any population point: nobody lives there (the "villages morts
# pour la France" of the Meuse), or its inhabitants could not be placed (a commune
# without outline in the offline sources, listed in population_unlocated).
NOTE_NO_POINT: Final = (
    "Non calculable : aucun habitant localisé dans ce territoire (commune sans habitant, "
    "ou sans contour dans les sources : voir population_unlocated)."
)
NOTE_INCOMPLETE: Final = (
    "Non disponible dans cet entrepôt : une partie des communes de ce territoire n'a pas "
    "été construite."
)


class StepContext:
    """Per-build inputs shared by the indicator computations.

    ``constants`` gives the 2SFCA bands (``fca_bands``) and the catchment searched.
    Besides the frames, it keeps for every indicator computed the per-point reason
    codes of its unknown points (:meth:`territory_reasons`).
    """

    def __init__(
        self,
        geo: pd.DataFrame,
        nearest: pd.DataFrame,
        inputs: _sql.WarehouseInputs,
        demand_buffer_m: float = math.inf,
        constants: ModelConstants = DEFAULT_CONSTANTS,
    ) -> None:
        self.geo = geo
        self.constants = constants
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
        reach = float(reach_m(catchment_limit(self.constants), "car", self.method).max())
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
        if ind.kind == "present_in_commune":
            return self._presence(ind)
        if ind.kind in TRANSIT_KINDS:
            return self._transit(ind)
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

    def _presence(self, ind: Indicator) -> pd.DataFrame:
        """Share of inhabitants whose commune has the basket item ``ind.scope``."""
        item = next(i for i in basket_available(self.inputs.service_types) if i.key == ind.scope)
        communes = self.inputs.points["commune_code"].to_numpy(dtype=object)
        equipped = equipped_points(communes, self.inputs.facilities, item.codes)
        # unknown where a source of the item does not cover the point's département,
        # unless a facility of the item was found in its commune anyway
        reasons = np.zeros(len(self.geo), dtype=np.int64)
        for code in item.codes:
            limit = self._limit(code)
            reasons = np.maximum(reasons, np.where(np.isin(limit, _UNCOVERED), limit, 0))
        reasons = np.where(equipped, 0, reasons)
        self._keep(ind, reasons, list(item.codes))
        return share_in_equipped_commune(self.geo, equipped, known=reasons == 0)

    def _transit(self, ind: Indicator) -> pd.DataFrame:
        """Public transport reached on foot (``transit_points``); blank outside the
        territories of the loaded feeds (no stop known there), never 0."""
        table = self.inputs.transit_points
        assert table is not None
        rows = table.set_index("point_id").reindex(self.geo["point_id"].to_numpy())
        covered = rows["covered"].fillna(False).to_numpy(dtype=bool)
        reasons = np.where(covered, 0, REASON_OUT).astype(np.int64)
        self._reasons[ind.id] = reasons
        self._sources_of[ind.id] = ", ".join(
            sorted({f.strip() for v in table["feeds"].dropna() for f in str(v).split(",")})
        )
        population = self.geo["population"].to_numpy(dtype=np.float64)
        if ind.kind == "transit_departures":
            amount = rows["departures_10min"].fillna(0.0).to_numpy(dtype=np.float64)
            return aggregate_ratio(self.geo, population * amount, population, known=covered)
        column = "frequent_500m" if ind.kind == "transit_frequent_share" else "isolated"
        flag = rows[column].fillna(False).to_numpy(dtype=bool)
        return aggregate_ratio(self.geo, population * flag, population, scale=100.0, known=covered)

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
        supply = point_supply(facilities[facilities["service_type"] == code])
        access = enhanced_2sfca(pairs, demand, supply, bands=self.constants.fca_bands)
        mine = access["accessibility"].to_numpy()[: len(self.geo)]
        # The catchment of a point is whole when the search reached the last band.
        reach = self._reach(np.full(len(self.geo), catchment_limit(self.constants)), "car")
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
