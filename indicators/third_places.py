"""Third places (tiers-lieux): who can reach one, by bike and by car, and who cannot.

Three figures per territory, from the population points and the time to the nearest
tiers-lieu (``service_type = THIRD_PLACE``):

- the share of inhabitants within ``bike_min`` (15 min) by bike;
- the share of inhabitants within ``car_min`` (20 min) by car;
- the inhabitants beyond ``car_min`` by car: the population farthest away, as a
  count (a share hides how many people are concerned in a large territory).

Thresholds come from :mod:`geo.constants` (``THIRD_PLACE_BIKE_MIN``,
``THIRD_PLACE_CAR_MIN``) and can be changed per call. The sources loaded today (ANCT
"Fabriques de territoire") place each site at the centre of its host commune and are
not the full census of tiers-lieux: the figures describe access to *labelled* third
places, and say so in their definition.

Pure: arrays and frames in, a frame out.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import THIRD_PLACE_BIKE_MIN, THIRD_PLACE_CAR_MIN
from indicators.access_15min import share_within
from indicators.weighting import VALUE_COLUMNS, BoolArray, aggregate_total

SERVICE_TYPE: Final = "THIRD_PLACE"
MEASURES: Final[tuple[str, ...]] = (
    "share_within_bike",
    "share_within_car",
    "population_beyond_car",
)


def third_place_coverage(
    geo: pd.DataFrame,
    minutes_bike: npt.ArrayLike,
    minutes_car: npt.ArrayLike,
    *,
    known: BoolArray | None = None,
    known_car: BoolArray | None = None,
    bike_min: float = THIRD_PLACE_BIKE_MIN,
    car_min: float = THIRD_PLACE_CAR_MIN,
) -> pd.DataFrame:
    """Coverage of the population by third places, by territory.

    Parameters
    ----------
    geo : DataFrame
        Geography frame (:func:`indicators.weighting.point_geography`).
    minutes_bike, minutes_car : array-like of float
        Minutes from each point to its nearest third place (``inf``: none).
    known : array of bool, optional
        Points whose values are known (a territory with another point gets NaN).
    known_car : array of bool, optional
        The same for the car measures, when it differs (default: ``known``).
    bike_min, car_min : float
        Thresholds, minutes.

    Returns
    -------
    DataFrame
        ``measure`` (one of :data:`MEASURES`), then ``level``, ``code``, ``value``,
        ``numerator``, ``denominator``:

        - ``share_within_bike`` / ``share_within_car``: value in percent (0-100),
          numerator = inhabitants within, denominator = inhabitants;
        - ``population_beyond_car``: value = numerator = inhabitants beyond
          ``car_min`` by car (a point with no third place is beyond),
          denominator = inhabitants.

        Empty ``geo`` gives an empty frame with these columns.
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    car = np.asarray(minutes_car, dtype=np.float64)
    by_car = known if known_car is None else known_car
    parts = {
        "share_within_bike": share_within(geo, minutes_bike, bike_min, known=known),
        "share_within_car": share_within(geo, car, car_min, known=by_car),
        "population_beyond_car": aggregate_total(geo, population * ~(car <= car_min), known=by_car),
    }
    frames = [frame.assign(measure=measure) for measure, frame in parts.items()]
    return pd.concat(frames, ignore_index=True)[["measure", *VALUE_COLUMNS]]
