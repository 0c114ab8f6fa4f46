"""Planner what-if: open or close facilities and see who gains or loses access, at once.

:func:`what_if` answers "if we open a France Services here (and close that one), how
many more inhabitants of this EPCI live within 15 minutes by car?" without rebuilding
the warehouse. It reuses the stored nearest-facility times (``travel_times``, rank 1)
and only computes what changes:

- **additions** can only shorten trips: the new time of every point of the territory
  is ``min(old time, time to the nearest added facility)``, the latter from the same
  engine as the build (:func:`geo.engine.travel_times`);
- **removals** only affect the points whose nearest facility is removed: their
  nearest remaining facility (buffer included) is searched again for those points
  only (a k-d tree query, or the network when the warehouse was built with it).

A point with no facility of the type on its land mass (or in its CRS zone when the
inputs carry no ``land_mass``) has an infinite time (beyond every threshold); an
added facility serves the land mass of the nearest population point or facility
(:func:`_added_facilities`), so opening a site on an island never helps the
continent. Shares are population-weighted (:mod:`indicators.weighting`).
The whole territory is evaluated even when, for a large région, most points are far
from the change; a département takes well under a second (``bench/access.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from etl.vocabulary import LEVELS
from geo.constants import DEFAULT_CONSTANTS, DEFAULT_THRESHOLD_MIN, MODES, ModelConstants
from geo.crs import WGS84, transform
from geo.engine import LAND_MASS, travel_times
from geo.network import RoadGraph
from indicators import _sql
from indicators.weighting import weighted_share

ADDED_PREFIX: Final = "what_if:"


@dataclass(frozen=True)
class WhatIfInputs:
    """What a what-if reads (one territory, one service type and mode).

    Attributes
    ----------
    points : DataFrame
        ``point_id``, ``commune_code``, ``population``, ``x``, ``y``, ``epsg``,
        optionally ``land_mass``, ``density_level`` and the stored nearest facility:
        ``minutes`` (NaN: none) and ``facility_id``.
    facilities : DataFrame
        ``facility_id``, ``service_type``, ``x``, ``y``, ``epsg`` (and ``land_mass``
        when the points have it): every facility of the type in the warehouse
        (buffer included).
    method : {"straight_line", "network"}
        The engine that produced the stored times.
    """

    points: pd.DataFrame
    facilities: pd.DataFrame
    method: str = "straight_line"


@dataclass(frozen=True)
class WhatIfResult:
    """Deltas of one what-if (inhabitants, percent, minutes).

    ``by_commune`` has one row per commune of the territory: ``commune_code``,
    ``population``, ``old_within``, ``new_within`` (inhabitants within the
    threshold), ``old_share``, ``new_share`` (percent).
    """

    service_type: str
    mode: str
    threshold_min: float
    population: float
    old_within: float
    new_within: float
    newly_within: float
    no_longer_within: float
    old_share: float
    new_share: float
    old_mean_minutes: float
    new_mean_minutes: float
    by_commune: pd.DataFrame

    def summary(self) -> dict[str, float | str]:
        """The scalar fields as a dict (without ``by_commune``)."""
        out = asdict(self)
        out.pop("by_commune")
        return out


def load_inputs(
    con: duckdb.DuckDBPyConnection, level: str, code: str, service_type: str, mode: str
) -> WhatIfInputs:
    """Read the points of a territory with their stored nearest facility (bound SQL)."""
    if level not in LEVELS or mode not in MODES:
        raise ValueError(f"level must be one of {LEVELS} and mode one of {MODES}")
    params = {"level": level, "code": code, "service_type": service_type, "mode": mode}
    points = con.execute(_sql.WHAT_IF_POINTS, params).df()
    if points.empty:
        raise ValueError(f"aucun point de population pour {level} {code!r} dans l'entrepôt")
    facilities = con.execute(_sql.WHAT_IF_FACILITIES, {"service_type": service_type}).df()
    methods = [r[0] for r in con.execute(_sql.METHOD).fetchall()]
    return WhatIfInputs(points, facilities, methods[0] if methods else "straight_line")


def what_if(
    source: duckdb.DuckDBPyConnection | WhatIfInputs,
    level: str,
    code: str,
    service_type: str,
    *,
    add: Sequence[tuple[float, float]] = (),
    remove: Sequence[str] = (),
    mode: str = "car",
    threshold_min: float = DEFAULT_THRESHOLD_MIN,
    add_epsg: int = WGS84,
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> WhatIfResult:
    """Access deltas in a territory when facilities of one type are added or removed.

    Parameters
    ----------
    source : duckdb connection or WhatIfInputs
        A warehouse (read with :func:`load_inputs`), or inputs already in memory.
    level, code : str
        The territory (``"departement"``, ``"35"``...); ignored for WhatIfInputs.
    service_type : str
        e.g. ``"FRANCE_SERVICES"``.
    add : sequence of (x, y)
        New facility locations, in ``add_epsg`` (default WGS84: (lon, lat)).
    remove : sequence of str
        ``facility_id`` of facilities to close (must exist).
    mode : {"walk", "bike", "car"}
    threshold_min : float
    add_epsg : int
        CRS of ``add``; 4326 (lon, lat) or the metric CRS of the territory.
    graph : RoadGraph, optional
        Needed when the warehouse was built with the network method.
    constants : ModelConstants

    Returns
    -------
    WhatIfResult
        Inhabitants within before/after, newly within, no longer within, shares
        (percent) and population-weighted mean minutes (over points reaching a
        facility), total and by commune. With nothing added or removed, new == old.

    Raises
    ------
    ValueError
        Unknown level, mode, territory or facility id; network warehouse without graph.
    """
    inputs = (
        source
        if isinstance(source, WhatIfInputs)
        else load_inputs(source, level, code, service_type, mode)
    )
    if inputs.method == "network" and graph is None:
        raise ValueError("cet entrepôt a été calculé sur le réseau routier : passer graph=")
    engine = _Engine(inputs.method, mode, graph, constants)
    old = inputs.points["minutes"].to_numpy(dtype=np.float64, na_value=np.inf)
    new = old.copy()
    if len(remove):
        new = _after_removal(inputs, service_type, list(remove), new, engine)
    if len(add):
        added = _added_facilities(add, add_epsg, inputs, service_type)
        new = np.minimum(new, engine.nearest(inputs.points, added))
    return _result(inputs.points, service_type, mode, threshold_min, old, new)


@dataclass(frozen=True)
class _Engine:
    method: str
    mode: str
    graph: RoadGraph | None
    constants: ModelConstants

    def nearest(self, points: pd.DataFrame, facilities: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Minutes from each point to the nearest of ``facilities`` (inf: none)."""
        columns = ["point_id", "x", "y", "epsg", "density_level"]
        columns += [LAND_MASS] if LAND_MASS in points.columns else []
        origins = points[columns].rename(columns={"point_id": "origin_id"})
        found = travel_times(
            origins,
            facilities,
            self.method,  # type: ignore[arg-type]
            (self.mode,),  # type: ignore[arg-type]
            1,
            self.graph,
            self.constants,
        )
        minutes = pd.Series(found["minutes"].to_numpy(dtype=np.float64), index=found["origin_id"])
        return minutes.reindex(origins["origin_id"]).to_numpy(dtype=np.float64, na_value=np.inf)


def _after_removal(
    inputs: WhatIfInputs,
    service_type: str,
    remove: list[str],
    minutes: npt.NDArray[np.float64],
    engine: _Engine,
) -> npt.NDArray[np.float64]:
    facilities = inputs.facilities
    unknown = sorted(set(remove) - set(facilities["facility_id"].astype(str)))
    if unknown:
        raise ValueError(f"équipement(s) inconnu(s) pour {service_type}: {unknown[:5]}")
    affected = inputs.points["facility_id"].astype(object).isin(remove).to_numpy()
    out = minutes.copy()
    if affected.any():
        remaining = facilities[~facilities["facility_id"].astype(str).isin(remove)]
        out[affected] = engine.nearest(inputs.points[affected], remaining)
    return out


def _added_facilities(
    add: Sequence[tuple[float, float]], add_epsg: int, inputs: WhatIfInputs, service_type: str
) -> pd.DataFrame:
    """New facilities, placed in each metric CRS present among the points.

    When the points carry ``land_mass``, each new facility takes the land mass of the
    nearest population point or existing facility of its CRS zone (the commune
    polygons are not at hand here): a site is added where people or services are.
    """
    xy = np.asarray(add, dtype=np.float64).reshape(-1, 2)
    frames = []
    for epsg in sorted({int(e) for e in inputs.points["epsg"]}):
        x, y = transform(xy[:, 0], xy[:, 1], int(add_epsg), epsg)
        ids = [f"{ADDED_PREFIX}{epsg}:{i}" for i in range(len(xy))]
        frame = pd.DataFrame(
            {"facility_id": ids, "service_type": service_type, "x": x, "y": y, "epsg": epsg}
        )
        if LAND_MASS in inputs.points.columns:
            frame[LAND_MASS] = _nearest_land_mass(inputs, epsg, np.column_stack([x, y]))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _nearest_land_mass(
    inputs: WhatIfInputs, epsg: int, xy: npt.NDArray[np.float64]
) -> npt.NDArray[np.object_]:
    """Land mass of the nearest point or facility of zone ``epsg`` to each of ``xy``."""
    known = [inputs.points]
    if LAND_MASS in inputs.facilities.columns:
        known.append(inputs.facilities)
    located = pd.concat([k[["x", "y", "epsg", LAND_MASS]] for k in known], ignore_index=True)
    located = located[located["epsg"].astype(np.int64) == epsg]
    tree = cKDTree(located[["x", "y"]].to_numpy(dtype=np.float64))
    _, nearest = tree.query(xy)
    return located[LAND_MASS].to_numpy(dtype=object)[np.asarray(nearest)]


def _result(
    points: pd.DataFrame,
    service_type: str,
    mode: str,
    threshold_min: float,
    old: npt.NDArray[np.float64],
    new: npt.NDArray[np.float64],
) -> WhatIfResult:
    population = points["population"].fillna(0.0).to_numpy(dtype=np.float64)
    was, now = old <= threshold_min, new <= threshold_min
    by_commune = (
        pd.DataFrame(
            {
                "commune_code": points["commune_code"].to_numpy(),
                "population": population,
                "old_within": population * was,
                "new_within": population * now,
            }
        )
        .groupby("commune_code", sort=True)
        .sum()
        .reset_index()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        for when in ("old", "new"):
            by_commune[f"{when}_share"] = np.where(
                by_commune["population"] > 0,
                100.0 * by_commune[f"{when}_within"] / by_commune["population"],
                np.nan,
            )
    return WhatIfResult(
        service_type=service_type,
        mode=mode,
        threshold_min=float(threshold_min),
        population=float(population.sum()),
        old_within=float(population[was].sum()),
        new_within=float(population[now].sum()),
        newly_within=float(population[now & ~was].sum()),
        no_longer_within=float(population[was & ~now].sum()),
        old_share=weighted_share(was, population),
        new_share=weighted_share(now, population),
        old_mean_minutes=_mean(old, population),
        new_mean_minutes=_mean(new, population),
        by_commune=by_commune,
    )


def _mean(minutes: npt.NDArray[np.float64], population: npt.NDArray[np.float64]) -> float:
    reached = np.isfinite(minutes)
    total = population[reached].sum()
    return float((minutes[reached] * population[reached]).sum() / total) if total else float("nan")
