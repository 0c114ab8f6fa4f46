"""One interface over the two travel-time engines.

``travel_times(..., method="straight_line")`` needs only coordinates; ``method="network"``
needs a :class:`geo.network.RoadGraph`. Both return the same long table, so indicators
never know which engine produced it.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import pandas as pd

from geo._validate import (
    LAND_MASS,
    ORIGIN_COLUMNS,
    OUTPUT_COLUMNS,
    TravelTimeInputError,
    check_density,
    check_facilities,
    check_k,
    check_modes,
    check_points,
)
from geo.constants import DEFAULT_CONSTANTS, MODES, Mode, ModelConstants
from geo.network import RoadGraph, network_nearest
from geo.straight_line import nearest_facilities

Method = Literal["straight_line", "network"]
METHODS: Final[tuple[Method, ...]] = get_args(Method)

__all__ = [
    "LAND_MASS",
    "METHODS",
    "OUTPUT_COLUMNS",
    "Method",
    "TravelTimeInputError",
    "one_per_point",
    "travel_times",
]


def travel_times(
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    method: Method,
    modes: tuple[Mode, ...] = MODES,
    k: int = 1,
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> pd.DataFrame:
    """Travel time from each origin to its k nearest facilities of each service type.

    Parameters
    ----------
    origins : DataFrame
        ``origin_id`` (unique), ``x``, ``y`` (metres), ``epsg`` (metric CRS); for the
        straight-line car mode also ``density_level`` (INSEE grid 1-7 or NULL);
        optionally ``land_mass`` (:data:`LAND_MASS`, see below).
    facilities : DataFrame
        ``facility_id`` (unique), ``service_type``, ``x``, ``y`` (metres), ``epsg``,
        optionally ``land_mass``. When both frames carry ``land_mass`` (not null),
        an origin only meets facilities of its CRS zone AND its land mass (walking,
        cycling and driving never cross the sea, :mod:`geo.land_masses`); without
        it, only the CRS zone is matched.
    method : {"straight_line", "network"}
        Straight line with detour factors, or shortest paths on ``graph``.
    modes : tuple of {"walk", "bike", "car"}
    k : int
        Nearest facilities kept per origin, service type and mode (1..1000).
    graph : RoadGraph, optional
        Required for ``"network"``, refused for ``"straight_line"``.
    constants : ModelConstants
        Speeds, detours and overheads (see :mod:`geo.constants`).

    Returns
    -------
    DataFrame
        Columns ``origin_id`` (origins' dtype), ``service_type`` (categorical),
        ``mode`` (categorical), ``rank`` (int16, 1 = nearest), ``minutes`` (float32,
        minutes), ``distance_m`` (float32, metres), ``facility_id`` (facilities'
        dtype). A missing (origin, service type, mode) means no facility reachable:
        indicators read it as beyond any threshold. Empty inputs give an empty frame
        with these columns.

    Raises
    ------
    TravelTimeInputError
        Unknown method, missing or superfluous graph, bad columns or values,
        ``land_mass`` on one frame only.
    NonMetricCRSError
        Coordinates declared in a CRS that is not projected in metres.
    """
    if method not in METHODS:
        raise TravelTimeInputError(f"method must be one of {METHODS}, got {method!r}")
    modes = check_modes(modes)
    k = check_k(k)
    check_points(origins, "origins", ORIGIN_COLUMNS)
    check_facilities(facilities)
    if method == "straight_line":
        if graph is not None:
            raise TravelTimeInputError("graph is only used by method='network'")
        if "car" in modes:
            check_density(origins)
        return nearest_facilities(origins, facilities, modes, k, constants)
    if not isinstance(graph, RoadGraph):
        raise TravelTimeInputError(
            "method='network' needs graph=RoadGraph (see geo.network.load_road_graph), "
            f"got {type(graph).__name__}"
        )
    return network_nearest(graph, origins, facilities, modes, k, constants)


def one_per_point(facilities: pd.DataFrame) -> pd.DataFrame:
    """The facilities of one type with one row per point (``x``, ``y``, ``epsg``,
    ``land_mass``): the first in the given order stands for the others.

    Facilities at the same point have the same travel times, so the nearest-facility
    times do not change; the 2SFCA counts the facilities of a point as its supply
    (:func:`indicators.fca.point_supply`), which gives the same accessibility as one
    site each. BPE counts place every counted facility of a commune at its town hall
    (300 GPs at one point in a city): without this, catchments would hold thousands of
    identical rows and be cut at ``MAX_K``.
    """
    keys = [c for c in ("x", "y", "epsg", "land_mass") if c in facilities.columns]
    return facilities.drop_duplicates(keys).reset_index(drop=True)
