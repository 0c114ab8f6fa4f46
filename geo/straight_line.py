"""Straight-line travel-time engine: k nearest facilities by k-d tree, with detours.

For each CRS zone and service type, a ``scipy.spatial.cKDTree`` over the facilities
answers the k-nearest query of every origin in that zone (O(n log m), never a cross
join). The euclidean distance is stretched by the detour factor of the mode and
divided by the mode's speed; car trips also pay a fixed access/parking overhead, and
their speed follows the INSEE density level of the origin. All constants come from
:mod:`geo.constants` and can be overridden per call.

Scale: one million origins x 20 service types x 3 modes is 60 million rows; the
result is written into preallocated columns (float32 minutes and metres, categorical
service type and mode) so that it stays under 2 GB (see ``bench/access_network.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from geo._validate import (
    FACILITY_COLUMNS,
    ORIGIN_COLUMNS,
    OUTPUT_COLUMNS,
    check_density,
    check_facilities,
    check_k,
    check_modes,
    check_points,
    empty_result,
    sorted_types,
    zone_codes,
)
from geo.constants import DEFAULT_CONSTANTS, MODES, Mode, ModelConstants

# Origins per k-d tree query: bounds the float64 temporaries to ~10 MB per chunk.
_CHUNK_ROWS: Final = 1 << 18

__all__ = ["FACILITY_COLUMNS", "ORIGIN_COLUMNS", "OUTPUT_COLUMNS", "nearest_facilities"]


@dataclass(frozen=True)
class _Group:
    """Origins of one CRS zone facing the facilities of one service type there."""

    type_code: int
    origins: npt.NDArray[np.intp]
    facilities: npt.NDArray[np.intp]
    k: int


@dataclass(frozen=True)
class _Columns:
    """Preallocated output columns (ids hold values, or positions for extension dtypes)."""

    origin: np.ndarray
    type_code: np.ndarray
    mode_code: npt.NDArray[np.int8]
    rank: npt.NDArray[np.int16]
    minutes: npt.NDArray[np.float32]
    distance_m: npt.NDArray[np.float32]
    facility: np.ndarray


def nearest_facilities(
    origins: pd.DataFrame,
    facilities: pd.DataFrame,
    modes: tuple[Mode, ...] = MODES,
    k: int = 1,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> pd.DataFrame:
    """Travel time to the k nearest facilities of each service type, straight line.

    Parameters
    ----------
    origins : DataFrame
        ``origin_id`` (unique), ``x``, ``y`` (metres), ``epsg`` (metric CRS, per row)
        and, when ``"car"`` is among ``modes``, ``density_level`` (INSEE grid 1-7 or
        NULL; NULL uses ``constants.car_fallback_kmh``).
    facilities : DataFrame
        ``facility_id`` (unique), ``service_type``, ``x``, ``y`` (metres), ``epsg``.
        An origin is only matched with facilities of the same ``epsg``; when both
        frames carry the optional column ``land_mass`` (not null, e.g. "corse"), also
        of the same land mass: no trip crosses the sea (:mod:`geo.land_masses`).
    modes : tuple of {"walk", "bike", "car"}
        Modes to compute; each gives its own rows.
    k : int
        Number of nearest facilities per origin, service type and mode (1..1000).
        Fewer rows when a zone holds fewer than ``k`` facilities of that type.
    constants : ModelConstants
        Speeds, detour factors and car overhead.

    Returns
    -------
    DataFrame
        One row per origin, service type, mode and rank:

        - ``origin_id``: as in ``origins`` (same dtype);
        - ``service_type``: categorical, categories = sorted service types;
        - ``mode``: categorical, categories ``("walk", "bike", "car")``;
        - ``rank``: int16, 1 = nearest ... k;
        - ``minutes``: float32, ``distance_m / speed`` (+ ``car_overhead_min`` by car),
          speed in m/min (car: by the origin's density level);
        - ``distance_m``: float32, euclidean distance x detour factor of the mode, metres;
        - ``facility_id``: as in ``facilities`` (same dtype).

        Rows are ordered by service type, zone (CRS, then land mass), mode, origin
        (input order) and rank. An origin whose CRS zone (or land mass) has no
        facility of a type gets no row for that type: indicators read a missing row
        as "beyond any threshold". Empty ``origins`` or ``facilities`` give an empty
        frame with these columns.

    Raises
    ------
    TravelTimeInputError
        Missing columns, null or duplicated ids, non-finite coordinates, density levels
        outside 1-7, unknown modes, ``k`` out of range, ``land_mass`` on one frame
        only or null.
    NonMetricCRSError
        An ``epsg`` value that is not a projected CRS in metres.
    """
    modes = check_modes(modes)
    k = check_k(k)
    check_points(origins, "origins", ORIGIN_COLUMNS)
    check_facilities(facilities)
    if "car" in modes:
        check_density(origins)
    if origins.empty or facilities.empty:
        return empty_result(origins, facilities)

    types = sorted_types(facilities)
    groups = _plan(origins, facilities, types, k)
    n_rows = sum(len(g.origins) * g.k for g in groups) * len(modes)
    columns = _allocate(n_rows, origins["origin_id"], facilities["facility_id"], len(types))
    origin_xy = _xy(origins)
    car_speed = (
        constants.car_m_per_min(
            pd.to_numeric(origins["density_level"]).to_numpy(dtype=np.float64, na_value=np.nan)
        )
        if "car" in modes
        else np.empty(0)
    )
    origin_src = _id_source(origins["origin_id"])
    facility_src = _id_source(facilities["facility_id"])
    facility_xy = _xy(facilities)
    row = 0
    for group in groups:
        tree = cKDTree(facility_xy[group.facilities])
        for start in range(0, len(group.origins), max(1, _CHUNK_ROWS // group.k)):
            chunk = group.origins[start : start + max(1, _CHUNK_ROWS // group.k)]
            dist, idx = tree.query(origin_xy[chunk], k=group.k, workers=-1)
            _write_chunk(
                columns,
                first_row=row + start * group.k,
                block=len(group.origins) * group.k,
                group=group,
                straight_m=np.asarray(dist, dtype=np.float64).reshape(-1),
                facility_vals=facility_src[group.facilities[np.asarray(idx).reshape(-1)]],
                origin_vals=np.repeat(origin_src[chunk], group.k),
                car_speed=np.repeat(car_speed[chunk], group.k) if "car" in modes else None,
                modes=modes,
                constants=constants,
            )
        row += len(group.origins) * group.k * len(modes)
    return _to_frame(columns, origins, facilities, types)


def _plan(
    origins: pd.DataFrame, facilities: pd.DataFrame, types: list[str], k: int
) -> list[_Group]:
    """(service type, zone) groups in output order, skipping zones with no facility.

    A zone is a CRS, or a land mass within it when both frames carry ``land_mass``
    (:func:`geo._validate.zone_codes`).
    """
    o_zone, f_zone = zone_codes(origins, facilities)
    f_type = facilities["service_type"].astype(str).to_numpy()
    zones = {int(z): np.flatnonzero(o_zone == z) for z in np.unique(o_zone)}
    groups = []
    for code, service in enumerate(types):
        of_type = f_type == service
        for zone, origin_pos in zones.items():
            facility_pos = np.flatnonzero(of_type & (f_zone == zone))
            if len(facility_pos):
                groups.append(_Group(code, origin_pos, facility_pos, min(k, len(facility_pos))))
    return groups


def _xy(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    return np.column_stack(
        [frame["x"].to_numpy(dtype=np.float64), frame["y"].to_numpy(dtype=np.float64)]
    )


def _has_numpy_dtype(ids: pd.Series) -> bool:
    return isinstance(ids.dtype, np.dtype)


def _id_source(ids: pd.Series) -> np.ndarray:
    """What the id columns are filled from: the ids, or positions for extension dtypes."""
    return ids.to_numpy() if _has_numpy_dtype(ids) else np.arange(len(ids), dtype=np.int64)


def _allocate(
    n_rows: int, origin_ids: pd.Series, facility_ids: pd.Series, n_types: int
) -> _Columns:
    def id_buffer(ids: pd.Series) -> np.ndarray:
        return np.empty(n_rows, dtype=ids.dtype if _has_numpy_dtype(ids) else np.int64)

    return _Columns(
        origin=id_buffer(origin_ids),
        type_code=np.empty(n_rows, dtype=np.int8 if n_types <= 127 else np.int32),
        mode_code=np.empty(n_rows, dtype=np.int8),
        rank=np.empty(n_rows, dtype=np.int16),
        minutes=np.empty(n_rows, dtype=np.float32),
        distance_m=np.empty(n_rows, dtype=np.float32),
        facility=id_buffer(facility_ids),
    )


def _write_chunk(
    columns: _Columns,
    *,
    first_row: int,
    block: int,
    group: _Group,
    straight_m: npt.NDArray[np.float64],
    facility_vals: np.ndarray,
    origin_vals: np.ndarray,
    car_speed: npt.NDArray[np.float64] | None,
    modes: tuple[Mode, ...],
    constants: ModelConstants,
) -> None:
    """Fill the rows of one query chunk, for every mode (mode m starts at m * block)."""
    n = len(straight_m)
    ranks = np.tile(np.arange(1, group.k + 1, dtype=np.int16), n // group.k)
    for m, mode in enumerate(modes):
        rows = slice(first_row + m * block, first_row + m * block + n)
        distance = straight_m * constants.detour(mode)
        if mode == "car":
            assert car_speed is not None
            minutes = distance / car_speed + constants.car_overhead_min
        else:
            minutes = distance / constants.speed_m_per_min(mode)
        columns.origin[rows] = origin_vals
        columns.type_code[rows] = group.type_code
        columns.mode_code[rows] = MODES.index(mode)
        columns.rank[rows] = ranks
        columns.minutes[rows] = minutes
        columns.distance_m[rows] = distance
        columns.facility[rows] = facility_vals


def _to_frame(
    columns: _Columns, origins: pd.DataFrame, facilities: pd.DataFrame, types: list[str]
) -> pd.DataFrame:
    def ids(source: pd.Series, buffer: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
        return buffer if _has_numpy_dtype(source) else source.array.take(buffer)

    data = {
        "origin_id": ids(origins["origin_id"], columns.origin),
        "service_type": pd.Categorical.from_codes(columns.type_code, categories=types),
        "mode": pd.Categorical.from_codes(columns.mode_code, categories=list(MODES)),
        "rank": columns.rank,
        "minutes": columns.minutes,
        "distance_m": columns.distance_m,
        "facility_id": ids(facilities["facility_id"], columns.facility),
    }
    # copy=False: the columns were built for this frame; no consolidation copy.
    return pd.DataFrame(data, columns=list(OUTPUT_COLUMNS), copy=False)
