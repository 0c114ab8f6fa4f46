"""Which service types get a capacity-limited catchment (enhanced 2SFCA), and by which mode.

Kept apart from :mod:`geo.access_step` so that readers of these two facts (the
indicator registry, the dashboard's queries) do not import the travel-time engine
(scipy.spatial, networkx: 0.3 s at server start).
"""

from __future__ import annotations

import math
from typing import Final

from geo.constants import DEFAULT_CONSTANTS, ModelConstants
from warehouse.service_types import load_service_types

# Service types whose supply is limited (a desk, a class, a room): their car
# catchments feed the enhanced 2SFCA indicators (France Services, schools,
# tiers-lieux): the rows with capacity_limited = true of etl/service_types.csv.
CATCHMENT_SERVICE_TYPES: Final[tuple[str, ...]] = load_service_types().capacity_limited()
CATCHMENT_MODE: Final = "car"


def catchment_limit(constants: ModelConstants = DEFAULT_CONSTANTS) -> float:
    """Outer limit of the 2SFCA bands, minutes (rows of rank > 1 stop there)."""
    limit = constants.fca_bands[-1][1]
    if not math.isfinite(limit):
        raise ValueError("the last 2SFCA band must have a finite upper limit")
    return limit
