"""Planner what-if: add or remove facilities of one type and read the coverage delta.

The computation is :func:`indicators.whatif.what_if` on inputs read once through
``queries.what_if_inputs``, at the build's quart d'heure read from the warehouse
(``queries.quarter_hour_min``, the threshold of its indicators); nothing here invents
a number. When the warehouse has no
travel times (or was computed on a road network the dashboard does not load), the
page says "simulation indisponible" with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboards import queries
from dashboards.formatting import integer, number
from dashboards.permalink import split_territory
from dashboards.portrait_data import code_at_level
from dashboards.queries import Warehouse
from indicators.siting import SitingResult, criticality, plan_sites
from indicators.whatif import WhatIfResult, what_if

MODES = {"walk": "à pied", "bike": "à vélo", "car": "en voiture"}
UNAVAILABLE = "simulation indisponible"
NO_THRESHOLD = (
    "seuil du quart d'heure non enregistré dans cet entrepôt (indicateurs absents ou "
    "construits par une version antérieure : relancer territoires build)"
)


@dataclass(frozen=True)
class Removed:
    facility_id: str
    lon: float
    lat: float
    label: str


@dataclass(frozen=True)
class Changes:
    """Simulated facilities: added positions (lon, lat) and removed facilities."""

    add: tuple[tuple[float, float], ...] = ()
    remove: tuple[Removed, ...] = ()

    @classmethod
    def from_store(cls, data: dict[str, Any] | None) -> Changes:
        """Read the browser store defensively (it comes from the client)."""
        data = data or {}
        add = tuple(
            (float(p[0]), float(p[1]))
            for p in data.get("add", [])
            if isinstance(p, list) and len(p) == 2 and valid_position(p[0], p[1])
        )
        remove = tuple(
            Removed(str(r[0]), float(r[1]), float(r[2]), str(r[3]))
            for r in data.get("remove", [])
            if isinstance(r, list) and len(r) == 4 and valid_position(r[1], r[2])
        )
        return cls(add, remove)

    def to_store(self) -> dict[str, list[Any]]:
        return {
            "add": [list(p) for p in self.add],
            "remove": [[r.facility_id, r.lon, r.lat, r.label] for r in self.remove],
        }

    def features(self) -> dict[str, Any]:
        """GeoJSON of the simulated changes, for the planner layer."""
        added = [
            _point(lon, lat, "add", f"Équipement simulé n° {i}")
            for i, (lon, lat) in enumerate(self.add, start=1)
        ]
        removed = [_point(r.lon, r.lat, "remove", f"Retiré : {r.label}") for r in self.remove]
        return {"type": "FeatureCollection", "features": added + removed}

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def valid_position(lon: Any, lat: Any) -> bool:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return False
    return math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90


def _point(lon: float, lat: float, action: str, label: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"action": action, "label": label},
    }


def unavailable_reason(wh: Warehouse) -> str:
    """Empty when the what-if can run on this warehouse, else why not (French)."""
    if "travel_times" not in queries.tables(wh):
        return f"{UNAVAILABLE} : temps d'accès non calculés dans cet entrepôt."
    if not queries.service_types(wh):
        return f"{UNAVAILABLE} : aucun équipement dans cet entrepôt."
    if queries.quarter_hour_min(wh) is None:
        return f"{UNAVAILABLE} : {NO_THRESHOLD}."
    return ""


def scope(wh: Warehouse, territory: str) -> tuple[str, str] | None:
    """The département evaluated: the one of the selected territory, or the only
    département of the build. None when the user must pick a territory first."""
    if territory:
        dep = code_at_level(wh, territory, "departement")
        if dep:
            return "departement", dep
        level, code = split_territory(territory)
        if level == "region":
            return level, code
    departements = queries.territories(wh, "departement")
    if len(departements) == 1:
        return "departement", departements[0].code
    return None


def run(
    wh: Warehouse,
    where: tuple[str, str],
    service_type: str,
    mode: str,
    changes: Changes,
) -> WhatIfResult:
    """Coverage within the build's quart d'heure before and after the changes (raises
    ValueError for an unknown facility, territory, a network-built warehouse or one
    without a recorded threshold)."""
    threshold_min = queries.quarter_hour_min(wh)
    if threshold_min is None:
        raise ValueError(NO_THRESHOLD)
    inputs = queries.what_if_inputs(wh, where[0], where[1], service_type, mode)
    return what_if(
        inputs,
        where[0],
        where[1],
        service_type,
        add=list(changes.add),
        remove=[r.facility_id for r in changes.remove],
        mode=mode,
        threshold_min=threshold_min,
    )


# --- Siting (issue 14): proposed new sites and critical existing ones ------------------

# Budgets offered in the panel, and the solver's limit in the dashboard (a user waits:
# the best solution found by then is shown with its gap; dep:35 solves in < 0.1 s).
SITING_MAX_NEW = 10
SITING_TIME_LIMIT_S = 20.0
# Thresholds offered for the proposals, minutes (the build's quart d'heure is added).
SITING_THRESHOLDS = (10.0, 15.0, 20.0, 30.0, 45.0)


def siting_thresholds(wh: Warehouse) -> tuple[float, ...]:
    """Thresholds offered (minutes, sorted), with the build's quart d'heure."""
    built = queries.quarter_hour_min(wh)
    return tuple(sorted({*SITING_THRESHOLDS, *((built,) if built else ())}))


def propose(
    wh: Warehouse,
    where: tuple[str, str],
    service_type: str,
    mode: str,
    threshold_min: float,
    n_new: int,
) -> SitingResult:
    """Up to ``n_new`` new sites (town halls of the territory's communes) bringing
    the most inhabitants within ``threshold_min`` (maximal covering, existing sites
    kept); raises :class:`indicators.siting.SitingError` with a French message."""
    inputs = queries.siting_inputs(wh, where[0], where[1], service_type, mode)
    return plan_sites(inputs, n_new, threshold_min=threshold_min, time_limit_s=SITING_TIME_LIMIT_S)


def critical_sites(
    wh: Warehouse, where: tuple[str, str], service_type: str, mode: str, threshold_min: float
) -> pd.DataFrame:
    """The existing sites of a type serving the territory, most critical first
    (:func:`indicators.siting.criticality`)."""
    inputs = queries.siting_inputs(wh, where[0], where[1], service_type, mode)
    return criticality(inputs, threshold_min)


def proposal_features(result: SitingResult) -> dict[str, Any]:
    """GeoJSON of the proposed sites (numbered, with their gain in the tooltip)."""
    minutes = _minutes(result.threshold_min)
    features = []
    for row in result.sites.itertuples(index=False):
        feature = _point(
            float(row.lon),
            float(row.lat),
            "propose",
            f"Site proposé n° {row.order} : {row.label} — "
            f"{integer(row.newly_within)} habitants de plus à {minutes} min ou moins",
        )
        feature["properties"]["order"] = int(row.order)
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def critical_features(table: pd.DataFrame, threshold_min: float) -> dict[str, Any]:
    """GeoJSON of the existing sites coloured by criticality: ``level`` 2 when the
    site strands at least half as many inhabitants as the most critical one, 1 when
    it strands some, 0 none; ``size`` 0-1 (square root of its share of the maximum)."""
    top = float(table["stranded"].max()) if len(table) else 0.0
    minutes = _minutes(threshold_min)
    out = []
    for row in table.itertuples(index=False):
        share = float(row.stranded) / top if top > 0 else 0.0
        feature = _point(
            float(row.lon),
            float(row.lat),
            "critical",
            f"{row.label} ({row.commune_name}) — rang {row.rank} : "
            f"{integer(row.stranded)} habitants passeraient au-delà de {minutes} min s'il fermait",
        )
        feature["properties"] |= {
            "level": 2 if share >= 0.5 else 1 if share > 0 else 0,
            "size": math.sqrt(share),
        }
        out.append(feature)
    return {"type": "FeatureCollection", "features": out}


def _minutes(value: float) -> str:
    return number(value, 0 if float(value).is_integer() else 1)
