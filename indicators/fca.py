"""Enhanced two-step floating catchment area (E2SFCA): supply per inhabitant within reach.

Luo & Qi (2009), "An enhanced two-step floating catchment area (E2SFCA) method for
measuring spatial accessibility to primary care physicians", Health & Place 15(4),
1100-1107; the method behind DREES's APL ("accessibilité potentielle localisée") for
doctors. With population points k (inhabitants P_k), facilities j (supply S_j),
travel times t_kj and distance-decay bands r with weights W_r:

    step 1, each facility's supply-to-demand ratio:
        R_j = S_j / sum_k { P_k W_r(t_kj) }
    step 2, each point's accessibility:
        A_i = sum_j { R_j W_r(t_ij) }

``W_r(t)`` is the weight of the band holding t (``lower <= t < upper``; the last band
also holds its upper limit) and 0 beyond the last band. The bands and weights are
``geo.constants.FCA_BANDS`` (Luo & Qi: 0-10, 10-20, 20-30 min; 1.00, 0.68, 0.22).

Property used in the tests: with one band covering every pair at weight 1 and every
(point, facility) pair present, every A_i equals total supply / total demand.

Pure: frames in, frame out; the catchments (the pairs within reach) come from the
``travel_times`` table (see ``geo.access_step``), never from routing here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import FCA_BANDS

Bands = tuple[tuple[float, float, float], ...]


def band_weights(minutes: npt.ArrayLike, bands: Bands = FCA_BANDS) -> npt.NDArray[np.float64]:
    """Distance-decay weight of each travel time (0 beyond the last band, or NaN time).

    Bands are ``(lower, upper, weight)`` in minutes, contiguous from 0 (checked by
    ``geo.constants.ModelConstants``); ``lower <= t < upper``, the last band closed.
    """
    t = np.asarray(minutes, dtype=np.float64)
    weights = np.zeros(t.shape, dtype=np.float64)
    for i, (lower, upper, weight) in enumerate(bands):
        last = i == len(bands) - 1
        inside = (t >= lower) & ((t <= upper) if last else (t < upper))
        weights[inside] = weight
    return weights


def enhanced_2sfca(
    pairs: pd.DataFrame,
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    *,
    bands: Bands = FCA_BANDS,
    per: float = 1.0,
) -> pd.DataFrame:
    """E2SFCA accessibility of every population point (see the module formula).

    Parameters
    ----------
    pairs : DataFrame
        ``origin_id``, ``facility_id``, ``minutes``: the (point, facility) pairs within
        reach. Pairs beyond the last band are ignored; a missing pair counts as out of
        reach. Duplicated pairs are an error.
    demand : DataFrame
        ``origin_id`` (unique), ``population`` (inhabitants, >= 0).
    supply : DataFrame
        ``facility_id`` (unique), ``supply`` (e.g. 1 per site, or places; >= 0).
    bands : tuple of (lower_min, upper_min, weight)
    per : float
        Scale of the result: 10 000 gives supply per 10 000 inhabitants.

    Returns
    -------
    DataFrame
        One row per ``demand`` point, in its order: ``origin_id``; ``accessibility``
        (float64, supply units per ``per`` inhabitants; 0 when no facility is within
        reach); ``n_facilities`` (int64, facilities within the bands). A facility
        whose catchment holds no inhabitant has R_j = 0 (nobody to serve). Empty
        ``demand`` gives an empty frame with these columns.

    Raises
    ------
    ValueError
        Duplicated pairs, ids, or negative population or supply.
    """
    _check(pairs, demand, supply)
    origin_pos = pd.Index(demand["origin_id"]).get_indexer(pairs["origin_id"])
    facility_pos = pd.Index(supply["facility_id"]).get_indexer(pairs["facility_id"])
    weight = band_weights(pairs["minutes"].to_numpy(dtype=np.float64), bands)
    keep = (origin_pos >= 0) & (facility_pos >= 0) & (weight > 0)
    o, f, w = origin_pos[keep], facility_pos[keep], weight[keep]
    population = demand["population"].to_numpy(dtype=np.float64)
    capacity = supply["supply"].to_numpy(dtype=np.float64)
    load = np.bincount(f, weights=population[o] * w, minlength=len(supply))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(load > 0, capacity / load, 0.0)
    access = np.bincount(o, weights=ratio[f] * w, minlength=len(demand))
    return pd.DataFrame(
        {
            "origin_id": demand["origin_id"].to_numpy(),
            "accessibility": access * per,
            "n_facilities": np.bincount(o, minlength=len(demand)).astype(np.int64),
        }
    )


def _check(pairs: pd.DataFrame, demand: pd.DataFrame, supply: pd.DataFrame) -> None:
    if pairs.duplicated(["origin_id", "facility_id"]).any():
        raise ValueError("pairs: a (origin_id, facility_id) pair appears twice")
    if not demand["origin_id"].is_unique or not supply["facility_id"].is_unique:
        raise ValueError("demand.origin_id and supply.facility_id must be unique")
    if (demand["population"] < 0).any() or (supply["supply"] < 0).any():
        raise ValueError("population and supply must be >= 0")


def point_supply(facilities: pd.DataFrame) -> pd.DataFrame:
    """Supply of each facility of one type: the number of facilities at its point.

    Travel times name one facility per point (``geo.engine.one_per_point``);
    giving it the count of its point as supply yields the same accessibility as one
    site each (R_j and A_i are linear in S_j). The other facilities of the point have
    no pair, hence no load and no share.

    Parameters
    ----------
    facilities : DataFrame
        ``facility_id``, ``x``, ``y``, ``epsg`` (metric coordinates) of one type.

    Returns
    -------
    DataFrame
        ``facility_id``, ``supply`` (float64, facilities at the same point, >= 1).
    """
    same = facilities.groupby(["x", "y", "epsg"], dropna=False)["facility_id"].transform("size")
    return pd.DataFrame(
        {
            "facility_id": facilities["facility_id"].to_numpy(),
            "supply": same.to_numpy(dtype=np.float64),
        }
    )
