"""Public transport from GTFS timetables: departures per stop on a reference weekday,
and what the inhabitants of each population point can walk to.

Pure kernels (frames in, frames out); the build step is
:mod:`indicators.public_transport_step`. Vocabularies are data:

- ``indicators/transit_reference_days.csv``: the reference weekday of each feed,
  with why it was chosen (inside the validity, outside school holidays);
- ``indicators/transit_route_classes.csv``: the class of each line (urbaine,
  rurale, scolaire, transport à la demande, autre ligne régulière) from its GTFS
  ``route_type`` and short name, and whether it counts as regular service.

Departures (GTFS Schedule reference): a stop time is a departure when it is not the
last stop of its trip and ``pickup_type`` is not 1 (no pickup); its trip runs on day
``d`` when its service is added on ``d`` by ``calendar_dates.txt`` (exception_type 1),
or when ``calendar.txt`` has the weekday flag of ``d``, ``start_date <= d <= end_date``
and ``d`` is not removed (exception_type 2). Every quay (``stop_id``) counts apart.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from geo.constants import (
    TRANSIT_DEPARTURES_WALK_MIN,
    TRANSIT_FREQUENT_MIN_DEPARTURES,
    TRANSIT_ISOLATION_WALK_MIN,
    TRANSIT_STOP_WALK_M,
    WALK_DETOUR,
    WALK_KMH,
)
from geo.crs import to_metric
from indicators.indicator import Indicator, SourceInfo, indicator_id

__all__ = [
    "TRANSIT_KINDS",
    "classify_routes",
    "point_transit",
    "reference_days",
    "route_classes",
    "runs_on",
    "stop_departures",
    "transit_indicators",
]

# Kinds of the public transport indicators (indicators.indicator.KINDS).
TRANSIT_KINDS: Final = ("transit_frequent_share", "transit_departures", "transit_isolated")

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def reference_days() -> dict[str, tuple[dt.date, str]]:
    """Feed name -> (reference weekday, why), from ``transit_reference_days.csv``."""
    text = resources.files("indicators").joinpath("transit_reference_days.csv")
    with text.open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return {r.feed: (dt.date.fromisoformat(r.reference_day), r.why) for r in frame.itertuples()}


def route_classes() -> pd.DataFrame:
    """The rules of ``transit_route_classes.csv``, in order (the first match wins):
    ``feed`` ("" = any), ``route_type`` (NaN = any), ``short_name_pattern`` (a regular
    expression matched on the whole short name), ``route_class``, ``regular``."""
    text = resources.files("indicators").joinpath("transit_route_classes.csv")
    with text.open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    frame["route_type"] = pd.to_numeric(frame["route_type"].replace("", np.nan))
    frame["regular"] = frame["regular"].str.lower().eq("true")
    return frame


def classify_routes(routes: pd.DataFrame, feed: str, rules: pd.DataFrame) -> pd.DataFrame:
    """``route_class`` and ``regular`` of each route (``route_type``, ``route_short_name``).

    Raises ``ValueError`` when a route matches no rule (the table ends with a catch-all).
    """
    out = routes.copy()
    out["route_class"] = None
    out["regular"] = False
    todo = np.ones(len(out), dtype=bool)
    names = out["route_short_name"].fillna("").astype(str)
    for rule in rules.itertuples():
        if rule.feed and rule.feed != feed:
            continue
        hit = todo & names.map(lambda n, p=rule.short_name_pattern: bool(re.fullmatch(p, n)))
        if not np.isnan(rule.route_type):
            hit &= out["route_type"].to_numpy() == rule.route_type
        out.loc[hit, "route_class"] = rule.route_class
        out.loc[hit, "regular"] = rule.regular
        todo &= ~hit.to_numpy()
    if todo.any():
        raise ValueError(f"{feed}: ligne(s) sans classe dans transit_route_classes.csv")
    return out


def runs_on(services: pd.DataFrame, day: dt.date) -> npt.NDArray[np.bool_]:
    """Whether each service runs on ``day`` (module docstring).

    ``services``: one row per service, the weekday flags (NULL without a calendar
    row), ``start_date``, ``end_date``, ``added_dates`` and ``removed_dates`` (lists).
    """
    day64 = np.datetime64(day)

    def _has(dates: object) -> bool:
        return dates is not None and any(np.datetime64(d, "D") == day64 for d in dates)  # type: ignore[attr-defined]

    added = services["added_dates"].map(_has).to_numpy(dtype=bool)
    removed = services["removed_dates"].map(_has).to_numpy(dtype=bool)
    flag = services[WEEKDAYS[day.weekday()]].fillna(False).to_numpy(dtype=bool)
    start = pd.to_datetime(services["start_date"]).dt.date
    end = pd.to_datetime(services["end_date"]).dt.date
    in_range = ((start <= day) & (end >= day)).fillna(False).to_numpy(dtype=bool)
    return added | (flag & in_range & ~removed)


def stop_departures(
    stop_times: pd.DataFrame, feed: str, day: dt.date, rules: pd.DataFrame
) -> pd.DataFrame:
    """Departures per stop and line class on ``day``.

    Parameters
    ----------
    stop_times : DataFrame
        The raw feed (:data:`etl.loaders.gtfs.GTFS_COLUMNS`).
    feed : str
        Catalogue name of the feed (selects the feed's classification rules).
    day : date
    rules : DataFrame
        :func:`route_classes`.

    Returns
    -------
    DataFrame
        ``feed``, ``stop_id``, ``stop_name``, ``lon``, ``lat`` (WGS84 degrees),
        ``route_class``, ``regular`` (bool), ``departures`` (count on ``day``); one
        row per (stop, class) with at least one stop time in the feed (0 when none
        runs that day).
    """
    services = stop_times.drop_duplicates("service_id")
    running = set(services.loc[runs_on(services, day), "service_id"])
    routes = classify_routes(
        stop_times.drop_duplicates("route_id")[["route_id", "route_type", "route_short_name"]],
        feed,
        rules,
    )
    rows = stop_times.merge(routes[["route_id", "route_class", "regular"]], on="route_id")
    departs = (
        ~rows["last_stop"].astype(bool)
        & rows["pickup_type"].fillna(0).ne(1)
        & rows["service_id"].isin(running)
    )
    rows = rows.assign(departures=departs.astype(np.int64))
    out = rows.groupby(["stop_id", "route_class", "regular"], as_index=False).agg(
        stop_name=("stop_name", "first"),
        lon=("stop_lon", "first"),
        lat=("stop_lat", "first"),
        departures=("departures", "sum"),
    )
    out.insert(0, "feed", feed)
    cols = ["feed", "stop_id", "stop_name", "lon", "lat", "route_class", "regular", "departures"]
    return out[cols].sort_values(["stop_id", "route_class"]).reset_index(drop=True)


def point_transit(
    points: pd.DataFrame,
    stops: pd.DataFrame,
    stations: pd.DataFrame,
    *,
    walk_kmh: float = WALK_KMH,
    walk_detour: float = WALK_DETOUR,
    stop_walk_m: float = TRANSIT_STOP_WALK_M,
    min_departures: int = TRANSIT_FREQUENT_MIN_DEPARTURES,
    departures_walk_min: float = TRANSIT_DEPARTURES_WALK_MIN,
    isolation_walk_min: float = TRANSIT_ISOLATION_WALK_MIN,
) -> pd.DataFrame:
    """What each population point reaches on foot (straight line x detour).

    Parameters
    ----------
    points : DataFrame
        ``x``, ``y`` (metres), ``epsg`` of each population point.
    stops : DataFrame
        Regular departures per stop on the reference day: ``lon``, ``lat`` (WGS84),
        ``departures`` (one row per stop).
    stations : DataFrame
        Passenger stations: ``x``, ``y`` (metres), ``epsg``.
    walk_kmh, walk_detour : float
        Walking speed (km/h) and detour factor (network / straight-line distance).
    stop_walk_m : float
        Walking distance to a stop for SDG 11.2.1 (m).
    min_departures : int
        Departures a day for a stop to count as frequent.
    departures_walk_min, isolation_walk_min : float
        Walking times (min) of the departures count and of the isolation test.

    Returns
    -------
    DataFrame
        In point order: ``frequent_500m`` (bool: a frequent stop within
        ``stop_walk_m`` of walk), ``departures_10min`` (departures of the stops
        within ``departures_walk_min``), ``isolated`` (bool: neither a station nor a
        frequent stop within ``isolation_walk_min``).
    """
    n = len(points)
    frequent_near = np.zeros(n, dtype=bool)
    departures = np.zeros(n, dtype=np.float64)
    reached = np.zeros(n, dtype=bool)
    metres_per_min = walk_kmh * 1000.0 / 60.0
    crow_500 = stop_walk_m / walk_detour
    crow_10 = departures_walk_min * metres_per_min / walk_detour
    crow_15 = isolation_walk_min * metres_per_min / walk_detour
    epsg = points["epsg"].to_numpy()
    dep = stops["departures"].to_numpy(dtype=np.float64)
    frequent = dep >= min_departures
    for code in pd.unique(epsg):
        rows = np.flatnonzero(epsg == code)
        xy = points[["x", "y"]].to_numpy(dtype=np.float64)[rows]
        if len(stops):
            sx, sy = to_metric(stops["lon"], stops["lat"], int(code))
            tree = cKDTree(np.column_stack([sx, sy]))
            for i, near in zip(rows, tree.query_ball_point(xy, crow_10), strict=True):
                departures[i] = dep[near].sum()
            for i, near in zip(rows, tree.query_ball_point(xy, crow_500), strict=True):
                frequent_near[i] = bool(frequent[near].any())
            if frequent.any():
                ftree = cKDTree(np.column_stack([sx[frequent], sy[frequent]]))
                dist, _ = ftree.query(xy, k=1, distance_upper_bound=crow_15)
                reached[rows] |= np.isfinite(dist)
        here = stations.loc[stations["epsg"] == code, ["x", "y"]].to_numpy(dtype=np.float64)
        if len(here):
            dist, _ = cKDTree(here).query(xy, k=1, distance_upper_bound=crow_15)
            reached[rows] |= np.isfinite(dist)
    return pd.DataFrame(
        {"frequent_500m": frequent_near, "departures_10min": departures, "isolated": ~reached}
    )


def transit_indicators(
    transit_points: pd.DataFrame | None, types: pd.DataFrame, sources: SourceInfo
) -> list[Indicator]:
    """The public transport indicators (theme ``mobility``, mode ``walk``), when the
    transit step ran and a loaded feed covers part of the territory built (a build
    far from every network gets none; within one, the points outside the networks get
    blanks with their reason).

    Parameters
    ----------
    transit_points : DataFrame or None
        The ``transit_points`` table (``feeds``: the loaded feeds' names).
    types : DataFrame
        The ``service_types`` table: isolation needs the passenger stations.
    sources : SourceInfo

    Returns
    -------
    list of Indicator
        ``transit_frequent_share__walk`` (%), ``transit_departures_10min__walk``
        (departures a day, mean per inhabitant) and, with stations loaded,
        ``transit_isolated_15min__walk`` (%).
    """
    if transit_points is None or not transit_points["covered"].any():
        return []  # no loaded network serves the territory built: nothing to say
    feeds = sorted(
        {f.strip() for v in transit_points["feeds"].dropna() for f in str(v).split(",")} - {""}
    )
    if not feeds:
        return []
    stations = "TRAIN_STATION" in set(types["code"].astype(str))
    station_sources = list(sources.facility_sources.get("TRAIN_STATION", ())) if stations else []

    def cite(extra: list[str]) -> tuple[str, str]:
        names = [*feeds, *extra, *(n for n in sources.population_sources if n not in extra)]
        vintage = " ; ".join(
            f"{n} : {sources.vintages.get(n) or 'millésime non renseigné'}" for n in names
        )
        return ", ".join(names), vintage

    feeds_text = ", ".join(feeds)
    scope_text = (
        f"Horaires GTFS chargés ({feeds_text}) : lignes régulières seulement (ni scolaires ni "
        "transport à la demande), un jour de semaine de référence hors vacances scolaires "
        "(indicators/transit_reference_days.csv). Marche à pied en ligne droite × "
        f"{WALK_DETOUR:g} à {WALK_KMH:g} km/h. Hors du territoire d'un réseau chargé, la "
        "valeur est vide (aucun arrêt connu), jamais 0 ; les autocars régionaux et les "
        "autres réseaux ne sont pas comptés."
    )
    cited, vintage = cite([])
    out = [
        Indicator(
            id=indicator_id("mobility", "transit_frequent_share", mode="walk"),
            label=f"Part des habitants à {TRANSIT_STOP_WALK_M:g} m à pied d'un arrêt fréquent",
            unit="%",
            definition=(
                f"Part des habitants à {TRANSIT_STOP_WALK_M:g} m ou moins, à pied, d'un arrêt "
                f"desservi au moins {TRANSIT_FREQUENT_MIN_DEPARTURES} fois le jour de "
                "référence (ODD 11.2.1 de l'ONU : « accès commode aux transports publics »). "
                + scope_text
            ),
            formula=f"Σ P_i · 1[arrêt fréquent à ≤ {TRANSIT_STOP_WALK_M:g} m] / Σ P_i",
            sources=cited,
            vintage=vintage,
            higher_is_better=True,
            decimals=1,
            threshold_min=None,
            kind="transit_frequent_share",
            theme="mobility",
            service_type=None,
            mode="walk",
            scope="",
        ),
        Indicator(
            id=indicator_id(
                "mobility",
                "transit_departures",
                mode="walk",
                threshold_min=TRANSIT_DEPARTURES_WALK_MIN,
            ),
            label=(
                f"Départs par jour à {TRANSIT_DEPARTURES_WALK_MIN:g} min à pied "
                "(moyenne par habitant)"
            ),
            unit="départs/jour",
            definition=(
                "Nombre de départs, le jour de référence, des arrêts situés à "
                f"{TRANSIT_DEPARTURES_WALK_MIN:g} minutes ou moins à pied, en moyenne par "
                "habitant (chaque quai compte à part). " + scope_text
            ),
            formula="Σ P_i · D_i / Σ P_i (D_i : départs des arrêts à portée de i)",
            sources=cited,
            vintage=vintage,
            higher_is_better=True,
            decimals=0,
            threshold_min=TRANSIT_DEPARTURES_WALK_MIN,
            kind="transit_departures",
            theme="mobility",
            service_type=None,
            mode="walk",
            scope="",
        ),
    ]
    if stations:
        cited, vintage = cite(station_sources)
        out.append(
            Indicator(
                id=indicator_id(
                    "mobility",
                    "transit_isolated",
                    mode="walk",
                    threshold_min=TRANSIT_ISOLATION_WALK_MIN,
                ),
                label="Part des habitants isolés des transports en commun",
                unit="%",
                definition=(
                    "Part des habitants sans gare voyageurs ni arrêt fréquent (au moins "
                    f"{TRANSIT_FREQUENT_MIN_DEPARTURES} départs le jour de référence) à "
                    f"{TRANSIT_ISOLATION_WALK_MIN:g} minutes ou moins à pied. " + scope_text
                ),
                formula=(
                    f"Σ P_i · 1[ni gare ni arrêt fréquent à ≤ {TRANSIT_ISOLATION_WALK_MIN:g} "
                    "min] / Σ P_i"
                ),
                sources=cited,
                vintage=vintage,
                higher_is_better=False,
                decimals=1,
                threshold_min=TRANSIT_ISOLATION_WALK_MIN,
                kind="transit_isolated",
                theme="mobility",
                service_type=None,
                mode="walk",
                scope="",
            )
        )
    return out
