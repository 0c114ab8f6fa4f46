"""How far a trip of a given duration can reach, as a straight-line radius.

A travel-time engine only sees the facilities loaded in the warehouse. Whether the
nearest facility it found is the true nearest one depends on what lies outside what
was loaded: the facilities beyond the build's buffer, or in a part of France the
source does not cover. :func:`reach_m` bounds the straight-line distance a trip of
``minutes`` can cover, so that a value is known to be exact when every place within
that radius was searched (see :mod:`geo.coverage` and ``indicators.step``):

- straight-line engine: the inverse of its own formula, ``minutes = d x detour /
  speed (+ car overhead)``, with the origin's car speed (density level);
- road network: a path is never shorter than the straight line and never faster than
  the mode's fastest speed (the fastest road class for the car), so ``d <= minutes x
  fastest speed``.

Pure functions of :mod:`geo.constants`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from geo.constants import DEFAULT_CONSTANTS, Mode, ModelConstants

__all__ = ["reach_m"]


def reach_m(
    minutes: npt.ArrayLike,
    mode: Mode,
    method: str = "straight_line",
    density_level: npt.ArrayLike | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> npt.NDArray[np.float64]:
    """Largest straight-line distance a trip of ``minutes`` can cover, in metres.

    Parameters
    ----------
    minutes : array-like of float
        Trip durations, minutes (``inf`` gives ``inf``).
    mode : {"walk", "bike", "car"}
    method : {"straight_line", "network"}
        The engine whose times are bounded.
    density_level : array-like, optional
        INSEE density level (1-7, NaN unknown) of each origin, for the straight-line
        car speed; broadcast with ``minutes``. Without it, the fastest level is used
        (an upper bound).
    constants : ModelConstants

    Returns
    -------
    ndarray of float64
        Metres, same shape as ``minutes`` broadcast with ``density_level``; 0 for a
        car trip shorter than the parking overhead.
    """
    t = np.asarray(minutes, dtype=np.float64)
    if method == "network":
        if mode == "car":
            fastest = max(kmh for _, kmh in constants.car_kmh_by_highway)
            return t * fastest * 1000.0 / 60.0
        return t * constants.speed_m_per_min(mode)
    if method != "straight_line":
        raise ValueError(f"unknown method {method!r}")
    if mode != "car":
        return t * constants.speed_m_per_min(mode) / constants.detour(mode)
    if density_level is None:
        speeds = (*constants.car_kmh_by_density, constants.car_fallback_kmh)
        speed: np.float64 | npt.NDArray[np.float64] = np.float64(max(speeds) * 1000.0 / 60.0)
    else:
        speed = constants.car_m_per_min(density_level)
    with np.errstate(invalid="ignore"):
        budget = np.maximum(t - constants.car_overhead_min, 0.0)
    return budget * speed / constants.car_detour
