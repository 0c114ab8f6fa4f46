"""Public-service commitments: announced or legal access promises, met or not.

Two commitments are audited, per commune, EPCI, département and région:

- **La Poste's territorial presence rule**: "sauf circonstances exceptionnelles, ces
  règles ne peuvent autoriser que plus de 10 % de la population d'un département se
  trouve éloignée de plus de cinq kilomètres et de plus de vingt minutes de trajet
  automobile, dans les conditions de circulation du territoire concerné, des plus
  proches points de contact de La Poste" (loi n° 90-568 du 2 juillet 1990, article 6,
  III, as amended by loi n° 2005-516 du 20 mai 2005; décret n° 2007-448 du 25 mars
  2007). A contact point is a post office, a communal or intercommunal postal agency,
  or a "relais poste" (BPE A206, A208, A207). The rule binds départements; other
  levels are shown for information.
- **The France Services promise**: a France Services "à moins de 30 minutes" of every
  inhabitant (circulaire du Premier ministre n° 6094/SG du 1er juillet 2019; ANCT).
  Met when nobody lives beyond 30 minutes by car.

Distance model: the travel-time engine's car time, and for the 5 km, the estimated
route length (``travel_times.distance_m``: crow-fly distance x the car detour factor
with the straight-line engine, the path length with the road network); a crow-fly
variant (``travel_times.crow_m``) is given too, since the law does not say how the
5 km are measured. Pure functions; the step (``indicators.step``) feeds them.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

# La Poste's presence rule (loi n° 90-568, art. 6, III): more than 5 km AND more than
# 20 minutes by car from the nearest contact point, for at most 10 % of a
# département's inhabitants.
LAPOSTE_MAX_KM: Final = 5.0
LAPOSTE_MAX_MIN: Final = 20.0
LAPOSTE_MAX_SHARE_PCT: Final = 10.0
# Contact points (BPE TYPEQU as assigned by etl/loaders/laposte.py): bureau de poste,
# relais poste commerçant, agence postale communale ou intercommunale.
LAPOSTE_CONTACT_TYPES: Final[tuple[str, ...]] = ("A206", "A207", "A208")
# France Services: every inhabitant within 30 minutes (circulaire n° 6094/SG, 2019).
FRANCE_SERVICES_MAX_SHARE_PCT: Final = 0.0

__all__ = [
    "FRANCE_SERVICES_MAX_SHARE_PCT",
    "LAPOSTE_CONTACT_TYPES",
    "LAPOSTE_MAX_KM",
    "LAPOSTE_MAX_MIN",
    "LAPOSTE_MAX_SHARE_PCT",
    "beyond_presence_rule",
    "nearest_of_types",
]


def nearest_of_types(
    minutes: npt.NDArray[np.float64], distances: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Time and distance to the fastest of several facility types, per point.

    Parameters
    ----------
    minutes, distances : ndarray, shape (n_points, n_types)
        Minutes and metres to the nearest facility of each type (``inf`` / NaN when
        the type has none within reach of the point).

    Returns
    -------
    (ndarray, ndarray)
        Minutes (``inf`` when no type has a facility) and metres (NaN then) to the
        facility of the type reached fastest. Ties keep the first type.
    """
    t = np.asarray(minutes, dtype=np.float64)
    d = np.asarray(distances, dtype=np.float64)
    if t.shape[1] == 0:
        return np.full(t.shape[0], np.inf), np.full(t.shape[0], np.nan)
    best = np.argmin(np.where(np.isnan(t), np.inf, t), axis=1)
    rows = np.arange(t.shape[0])
    return t[rows, best], d[rows, best]


def beyond_presence_rule(
    minutes: npt.ArrayLike,
    distance_m: npt.ArrayLike,
    *,
    max_km: float = LAPOSTE_MAX_KM,
    max_min: float = LAPOSTE_MAX_MIN,
) -> npt.NDArray[np.bool_]:
    """Whether each point lies more than ``max_km`` AND more than ``max_min`` by car
    from its nearest contact point (no contact point at all: beyond).

    Parameters
    ----------
    minutes : array-like of float
        Car minutes to the nearest contact point (``inf``: none).
    distance_m : array-like of float
        Metres to that contact point (NaN when there is none).

    Returns
    -------
    ndarray of bool
    """
    t = np.asarray(minutes, dtype=np.float64)
    d = np.asarray(distance_m, dtype=np.float64)
    far = np.where(np.isnan(d), True, d > max_km * 1000.0)
    return far & ~(t <= max_min)
