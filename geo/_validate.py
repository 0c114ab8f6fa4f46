"""Input checks shared by the travel-time engines (model: osmnx ``_validate.py``).

Each check raises :class:`TravelTimeInputError` (a ``ValueError``) with a message that
names the frame, the column and the offending values, and never changes its input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import MODES, Mode
from geo.crs import check_metric_crs

ORIGIN_COLUMNS: Final = ("origin_id", "x", "y", "epsg")
FACILITY_COLUMNS: Final = ("facility_id", "service_type", "x", "y", "epsg")
OUTPUT_COLUMNS: Final = (
    "origin_id",
    "service_type",
    "mode",
    "rank",
    "minutes",
    "distance_m",
    "facility_id",
)
MAX_K: Final = 1000
# Optional column of origins and facilities: when both carry it, an origin only meets
# facilities of its own land mass (geo.land_masses), within its CRS zone.
LAND_MASS: Final = "land_mass"


class TravelTimeInputError(ValueError):
    """Raised when origins, facilities or options cannot be used as given."""


def check_modes(modes: Iterable[str]) -> tuple[Mode, ...]:
    """Return ``modes`` as a tuple of known, distinct modes (order kept)."""
    if isinstance(modes, str):
        raise TravelTimeInputError(f"modes must be a sequence such as ('walk',), got {modes!r}")
    result = tuple(modes)
    unknown = [m for m in result if m not in MODES]
    if unknown or not result or len(set(result)) != len(result):
        raise TravelTimeInputError(f"modes must be distinct values among {MODES}, got {result!r}")
    return cast(tuple[Mode, ...], result)


def check_k(k: int) -> int:
    """Return ``k`` if it is an integer in 1..MAX_K."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= MAX_K:
        raise TravelTimeInputError(f"k must be an integer in 1..{MAX_K}, got {k!r}")
    return int(k)


def check_points(frame: pd.DataFrame, name: str, required: Sequence[str]) -> list[int]:
    """Check columns, finite coordinates, unique ids and metric EPSG codes.

    Returns the sorted distinct EPSG codes present (empty for an empty frame).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TravelTimeInputError(f"{name} must be a pandas DataFrame, got {type(frame)!r}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TravelTimeInputError(
            f"{name} lacks column(s) {missing}; expected at least {list(required)}"
        )
    if frame.empty:
        return []
    id_col = required[0]
    if frame[id_col].isna().any() or not frame[id_col].is_unique:
        raise TravelTimeInputError(f"{name}.{id_col} must be unique and not null")
    for col in ("x", "y"):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            raise TravelTimeInputError(
                f"{name}.{col} has {int(bad.sum())} missing or non-numeric value(s), "
                f"e.g. {name}.{id_col}={frame[id_col].to_numpy()[bad][0]!r}"
            )
    epsg = frame["epsg"]
    if epsg.isna().any():
        raise TravelTimeInputError(f"{name}.epsg has null values: every point needs its CRS")
    codes = sorted({int(c) for c in pd.unique(epsg)})
    for code in codes:
        check_metric_crs(code)
    return codes


def check_density(origins: pd.DataFrame) -> None:
    """Car speeds need ``density_level`` (1-7 or NULL): check column and values."""
    if "density_level" not in origins.columns:
        raise TravelTimeInputError(
            "origins lack column 'density_level' needed for car speeds; pass it with NULLs "
            "where unknown to use the documented fallback speed"
        )
    levels = pd.to_numeric(origins["density_level"], errors="coerce")
    coerced = levels.isna() & origins["density_level"].notna()
    bad = coerced | (levels.notna() & ~levels.isin(range(1, 8)))
    if bad.any():
        sample = origins.loc[bad, "density_level"].unique()[:5]
        raise TravelTimeInputError(f"origins.density_level must be 1-7 or NULL, got {sample!r}")


def check_facilities(facilities: pd.DataFrame) -> list[int]:
    """:func:`check_points` for facilities, plus a non-null ``service_type``."""
    codes = check_points(facilities, "facilities", FACILITY_COLUMNS)
    if facilities["service_type"].isna().any():
        raise TravelTimeInputError("facilities.service_type has null values")
    return codes


def zone_codes(
    origins: pd.DataFrame, facilities: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Integer zone of each origin and facility: an origin only meets its zone.

    The zone is the CRS (``epsg``), split by ``land_mass`` when both frames carry
    that column (walking, cycling and driving stay on one land mass). Without the
    column on either frame, the zone is the CRS alone (the behaviour before land
    masses).

    Returns
    -------
    origin_zone, facility_zone : ndarray of int64
        Equal values mean same CRS and same land mass.

    Raises
    ------
    TravelTimeInputError
        ``land_mass`` on one frame only, or null land masses.
    """
    o_epsg = origins["epsg"].to_numpy(dtype=np.int64)
    f_epsg = facilities["epsg"].to_numpy(dtype=np.int64)
    present = [LAND_MASS in frame.columns for frame in (origins, facilities)]
    if not any(present):
        return o_epsg, f_epsg
    if not all(present):
        which = "origins" if present[0] else "facilities"
        raise TravelTimeInputError(
            f"only {which} carry column {LAND_MASS!r}: give it to both frames or to neither"
        )
    masses = pd.concat([origins[LAND_MASS], facilities[LAND_MASS]], ignore_index=True)
    if masses.isna().any():
        raise TravelTimeInputError(f"{LAND_MASS!r} has null values: every point needs its own")
    codes, uniques = pd.factorize(masses.astype(str))
    zone = np.concatenate([o_epsg, f_epsg]) * (len(uniques) + 1) + codes
    return zone[: len(origins)], zone[len(origins) :]


def take_ids(
    ids: pd.Series, positions: np.ndarray
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Values of ``ids`` at ``positions``, keeping the column's dtype."""
    if isinstance(ids.dtype, np.dtype):
        return ids.to_numpy()[positions]
    return ids.array.take(positions)


def empty_result(origins: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """The output frame with no rows and the dtypes a non-empty result would have."""
    none = np.empty(0, dtype=np.intp)
    return pd.DataFrame(
        {
            "origin_id": take_ids(origins["origin_id"], none),
            "service_type": pd.Categorical([], categories=sorted_types(facilities)),
            "mode": pd.Categorical([], categories=list(MODES)),
            "rank": np.empty(0, dtype=np.int16),
            "minutes": np.empty(0, dtype=np.float32),
            "distance_m": np.empty(0, dtype=np.float32),
            "facility_id": take_ids(facilities["facility_id"], none),
        }
    )


def sorted_types(facilities: pd.DataFrame) -> list[str]:
    """Distinct service types of ``facilities`` in sorted order."""
    return sorted(str(t) for t in pd.unique(facilities["service_type"].dropna()))
