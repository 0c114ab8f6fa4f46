"""Rural mobility: who lives far from a passenger station, by density class.

The figure is the share of inhabitants more than ``threshold_min`` minutes by car
from the nearest passenger station (``service_type = TRAIN_STATION``), for all
inhabitants and split by the INSEE communal density grid of their commune
(7 levels, 2022 version; :data:`geo.constants.DENSITY_LEVELS`):

- ``all``: every inhabitant;
- ``1`` .. ``7``: inhabitants of communes of that density level;
- ``urban`` (levels 1-4) and ``rural`` (levels 5-7: bourgs ruraux, rural à habitat
  dispersé et très dispersé, INSEE's definition of rural communes since 2020);
- ``unknown``: inhabitants whose commune has no density level (the density grid is
  not loaded, or the commune is missing from it). They are shown as "classe de
  densité inconnue", never assigned a guessed class.

A territory with no inhabitant in a class gets NaN for that class.

Where commuting or car-ownership data is loaded, the mobility-vulnerable population
(far from transit and without a car) would be added here; no such source is in the
catalogue yet.

Pure: arrays and frames in, a frame out.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import DENSITY_LEVELS, STATION_REMOTE_MIN
from indicators.access_15min import share_beyond
from indicators.weighting import VALUE_COLUMNS, BoolArray

SERVICE_TYPE: Final = "TRAIN_STATION"
URBAN_LEVELS: Final[tuple[int, ...]] = (1, 2, 3, 4)
RURAL_LEVELS: Final[tuple[int, ...]] = (5, 6, 7)
UNKNOWN_LABEL: Final = "classe de densité inconnue"
# Density class key -> French label.
DENSITY_CLASSES: Final = MappingProxyType(
    {
        "all": "toutes classes de densité",
        **{str(i + 1): label for i, label in enumerate(DENSITY_LEVELS)},
        "urban": "communes urbaines (niveaux 1 à 4 de la grille de densité)",
        "rural": "communes rurales (niveaux 5 à 7 de la grille de densité)",
        "unknown": UNKNOWN_LABEL,
    }
)


def class_members(density_level: npt.ArrayLike, density_class: str) -> BoolArray:
    """Which points belong to ``density_class`` (a key of :data:`DENSITY_CLASSES`).

    ``density_level`` holds 1-7 or NaN (unknown); NaN points belong only to ``all``
    and ``unknown``.
    """
    if density_class not in DENSITY_CLASSES:
        raise ValueError(f"unknown density class {density_class!r}: {list(DENSITY_CLASSES)}")
    levels = np.asarray(pd.to_numeric(pd.Series(density_level)), dtype=np.float64)
    if density_class == "all":
        return np.ones(len(levels), dtype=bool)
    if density_class == "unknown":
        return np.isnan(levels)
    wanted = {"urban": URBAN_LEVELS, "rural": RURAL_LEVELS}.get(
        density_class, (int(density_class),) if density_class.isdigit() else ()
    )
    return np.isin(levels, np.asarray(wanted, dtype=np.float64))


def classes_present(density_level: npt.ArrayLike) -> tuple[str, ...]:
    """The density classes worth publishing for these points, in a stable order.

    ``all`` always; the seven levels, ``urban`` and ``rural`` when at least one level
    is known; ``unknown`` when at least one point has no level.
    """
    levels = np.asarray(pd.to_numeric(pd.Series(density_level)), dtype=np.float64)
    classes = ["all"]
    if (~np.isnan(levels)).any():
        classes += [str(i) for i in range(1, len(DENSITY_LEVELS) + 1)] + ["urban", "rural"]
    if np.isnan(levels).any():
        classes.append("unknown")
    return tuple(classes)


def station_remoteness(
    geo: pd.DataFrame,
    minutes_car: npt.ArrayLike,
    density_level: npt.ArrayLike,
    *,
    known: BoolArray | None = None,
    threshold_min: float = STATION_REMOTE_MIN,
    classes: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Share of inhabitants beyond ``threshold_min`` by car from a station, by class.

    Parameters
    ----------
    geo : DataFrame
        Geography frame (:func:`indicators.weighting.point_geography`).
    minutes_car : array-like of float
        Minutes by car from each point to the nearest passenger station (``inf``:
        none in its CRS zone, counted as beyond).
    density_level : array-like
        Density level (1-7) of each point's commune, NaN when unknown.
    known : array of bool, optional
        Points covered by the station source.
    threshold_min : float
    classes : tuple of str, optional
        Classes to compute (default :func:`classes_present`).

    Returns
    -------
    DataFrame
        ``density_class``, ``level``, ``code``, ``value`` (percent 0-100),
        ``numerator`` (inhabitants of the class beyond the threshold),
        ``denominator`` (inhabitants of the class). Territories without inhabitants
        of a class have NaN value and denominator 0. Empty ``geo``: empty frame.
    """
    classes = classes_present(density_level) if classes is None else classes
    frames = []
    for density_class in classes:
        among = class_members(density_level, density_class)
        frame = share_beyond(geo, minutes_car, threshold_min, known=known, among=among)
        frames.append(frame.assign(density_class=density_class))
    if not frames:
        return pd.DataFrame(columns=["density_class", *VALUE_COLUMNS])
    return pd.concat(frames, ignore_index=True)[["density_class", *VALUE_COLUMNS]]
