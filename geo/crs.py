"""Coordinate reference systems: the metric CRS check and vectorised transforms.

Metric computations run in EPSG:2154 (Lambert-93) in mainland France and Corsica,
and in the local UTM zone overseas. Every geo function that measures distances calls
:func:`check_metric_crs` on the EPSG code of what it receives.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from etl.vocabulary import MAINLAND_EPSG
from etl.vocabulary import WGS84 as _WGS84

WGS84: Final = _WGS84
LAMBERT93: Final = MAINLAND_EPSG
# Projected, in metres, but with distances inflated by 1/cos(latitude) (about x1.5 in
# France): refused for distance work.
_MERCATOR_EPSG: Final = frozenset({3857, 3395, 3785, 900913})


class NonMetricCRSError(ValueError):
    """Raised when a CRS is unknown, geographic, or not in metres."""


@lru_cache(maxsize=64)
def check_metric_crs(epsg: int) -> int:
    """Return ``epsg`` if it names a projected CRS in metres, else raise.

    Parameters
    ----------
    epsg : int
        EPSG code, e.g. 2154 (Lambert-93) or a local UTM code overseas.

    Returns
    -------
    int
        The same code, as a Python ``int``.

    Raises
    ------
    NonMetricCRSError
        If the code is unknown to PROJ, geographic (degrees, e.g. 4326) or projected
        in another unit (e.g. feet).
    """
    try:
        code = int(epsg)
    except (TypeError, ValueError) as err:
        raise NonMetricCRSError(f"EPSG code must be an integer, got {epsg!r}") from err
    try:
        crs = CRS.from_epsg(code)
    except CRSError as err:
        raise NonMetricCRSError(f"EPSG:{code} is unknown to PROJ") from err
    hint = (
        "use EPSG:2154 in mainland France or the local UTM zone overseas (5490, 2972, 2975, 4471)"
    )
    if not crs.is_projected:
        raise NonMetricCRSError(
            f"EPSG:{code} ({crs.name}) is not projected (coordinates in degrees); {hint}"
        )
    if code in _MERCATOR_EPSG:
        raise NonMetricCRSError(
            f"EPSG:{code} ({crs.name}) is a world Mercator: its distances are inflated by "
            f"about 1.5 in France; {hint}"
        )
    units = {axis.unit_name for axis in crs.axis_info}
    if units != {"metre"}:
        raise NonMetricCRSError(f"EPSG:{code} ({crs.name}) is in {sorted(units)}, not metres")
    return code


@lru_cache(maxsize=64)
def _transformer(source: int, target: int) -> Transformer:
    """Cached PROJ transformer in (x=lon/easting, y=lat/northing) order."""
    return Transformer.from_crs(source, target, always_xy=True)


def transform(
    x: npt.ArrayLike, y: npt.ArrayLike, source: int, target: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Transform coordinate arrays from EPSG ``source`` to EPSG ``target`` (x first).

    Empty inputs give empty float64 arrays.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y shapes differ: {xs.shape} vs {ys.shape}")
    if int(source) == int(target) or xs.size == 0:
        return xs.copy(), ys.copy()
    tx, ty = _transformer(int(source), int(target)).transform(xs, ys)
    return np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)


def to_metric(
    lon: npt.ArrayLike, lat: npt.ArrayLike, epsg: int = LAMBERT93
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """WGS84 longitudes/latitudes (degrees) to metric x/y (metres) in ``epsg``.

    Returns two float64 arrays of the input shape; raises :class:`NonMetricCRSError`
    if ``epsg`` is not metric.
    """
    return transform(lon, lat, WGS84, check_metric_crs(epsg))


def to_wgs84(
    x: npt.ArrayLike, y: npt.ArrayLike, epsg: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Metric x/y (metres) in ``epsg`` to WGS84 (lon, lat) in degrees."""
    return transform(x, y, check_metric_crs(epsg), WGS84)
