"""The "quart d'heure": who lives within 15 minutes of each everyday service, by mode.

Per service type and mode: the share of inhabitants within the threshold, the
median and the mean time to the nearest facility. Per mode: the 15-minute score,
the number of the everyday basket's services within the threshold.

The everyday basket
-------------------
:data:`EVERYDAY_BASKET` lists the services of daily life, after INSEE's "gamme de
proximité" of the BPE: a postal contact point, a nursery school, an elementary
school, a bakery, a food shop, a general practitioner and a pharmacy. Each basket
item is met by any of its BPE codes (e.g. bureau de poste, relais poste or agence
postale for the postal point): the items are declared in ``etl/basket_items.csv``
and the codes meeting them by the ``basket_item`` column of the service-type table
``etl/service_types.csv`` (stored in the warehouse table ``service_types``). **Only
the items whose service types are loaded in the warehouse count**: the score runs
from 0 to the number of items available (today, without the geolocated BPE: the
postal point and the two schools where the education directory is loaded), and
every indicator definition names them. A code counts only if the loaded label of
the service type contains the item's keyword, because INSEE reuses codes between
nomenclature vintages (D201 meant "médecin généraliste" in the BPE 2013-2018 and
"urgences" in the BPE 2025).

Unreached points: a point with no facility of a type in its CRS zone has an infinite
time: it is beyond every threshold, counts in the denominator of the shares, makes
the median infinite (NaN) if it holds half of the inhabitants, and is left out of the
mean (whose denominator is then the inhabitants who reach one).

Pure functions: frames in, frames out, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.weighting import (
    BoolArray,
    aggregate_median,
    aggregate_ratio,
)
from warehouse.service_types import ServiceTypes, fold, load_service_types


@dataclass(frozen=True)
class BasketItem:
    """One service of the everyday basket, met by any of its BPE codes."""

    key: str
    label: str
    codes: tuple[str, ...]
    keywords: tuple[str, ...]  # one must appear in the loaded label (accents, case folded)


def basket_of(table: ServiceTypes) -> tuple[BasketItem, ...]:
    """The everyday basket of a service-type table: its items (``etl/basket_items.csv``)
    with the codes whose ``basket_item`` names them, items without a code left out."""
    items = (
        BasketItem(i.key, i.label, table.basket_codes(i.key), i.keywords)
        for i in table.basket_items
    )
    return tuple(item for item in items if item.codes)


# The basket of the shipped table (etl/service_types.csv, etl/basket_items.csv): the
# postal point, the two schools, the bakery, the food shop, the general practitioner
# and the pharmacy, each with the BPE codes of the vintages that name it.
EVERYDAY_BASKET: Final[tuple[BasketItem, ...]] = basket_of(load_service_types())


def basket_available(
    service_types: pd.DataFrame, basket: Sequence[BasketItem] = EVERYDAY_BASKET
) -> tuple[BasketItem, ...]:
    """The basket items met by loaded service types, restricted to those codes.

    Parameters
    ----------
    service_types : DataFrame
        ``code``, ``label`` of the loaded service types and, when read from the
        warehouse table ``service_types``, ``basket_item``: the item each type
        satisfies in the service-type table of the build (a variant table may add
        codes). Without that column, an item's codes are those of ``basket``.
    basket : sequence of BasketItem
        The items (key, label, keywords) and, without ``basket_item``, their codes.

    Returns
    -------
    tuple of BasketItem
        Each item keeps only its codes that are loaded and whose label contains the
        item's keywords; items left with no code are dropped. Empty input: ``()``.
    """
    labels = dict(zip(service_types["code"], service_types["label"].astype(str), strict=True))
    from_table = "basket_item" in service_types.columns
    declared: dict[str, tuple[str, ...]] = {}
    if from_table:
        pairs = service_types[["code", "basket_item"]].dropna().sort_values("code")
        for code, key in pairs.itertuples(index=False):
            declared[key] = (*declared.get(key, ()), code)
    kept = []
    for item in basket:
        candidates = declared.get(item.key, ()) if from_table else item.codes
        codes = tuple(
            c
            for c in candidates
            if c in labels and any(fold(k) in fold(labels[c]) for k in item.keywords)
        )
        if codes:
            kept.append(BasketItem(item.key, item.label, codes, item.keywords))
    return tuple(kept)


def nearest_minutes(travel_times: pd.DataFrame, point_ids: npt.ArrayLike) -> pd.DataFrame:
    """Minutes to the nearest facility of each (service type, mode), one row per point.

    Parameters
    ----------
    travel_times : DataFrame
        ``origin_id``, ``service_type``, ``mode``, ``rank``, ``minutes`` (the
        ``travel_times`` table; only ``rank == 1`` is used).
    point_ids : array-like
        The population points, in the order wanted.

    Returns
    -------
    DataFrame
        Index: ``point_ids``; columns: MultiIndex ``(service_type, mode)``; values:
        float64 minutes, ``inf`` when the point has no facility of that type.
        Empty ``travel_times`` gives a frame with no column.
    """
    first = travel_times[travel_times["rank"] == 1]
    wide = first.pivot_table(
        index="origin_id",
        columns=["service_type", "mode"],
        values="minutes",
        aggfunc="min",
        observed=True,
    )
    wide = wide.reindex(pd.Index(np.asarray(point_ids), name="origin_id"))
    return wide.astype(np.float64).fillna(np.inf)


def share_within(
    geo: pd.DataFrame,
    minutes: npt.ArrayLike,
    threshold_min: float,
    *,
    known: BoolArray | None = None,
) -> pd.DataFrame:
    """Share of inhabitants whose time is at most ``threshold_min``, by territory.

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (percent, 0-100), ``numerator`` (inhabitants
        within), ``denominator`` (inhabitants); NaN for a territory without inhabitant
        or with an unknown point. Empty ``geo`` gives an empty frame.
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    within = np.asarray(minutes, dtype=np.float64) <= threshold_min
    return aggregate_ratio(geo, population * within, population, scale=100.0, known=known)


def share_beyond(
    geo: pd.DataFrame,
    minutes: npt.ArrayLike,
    threshold_min: float,
    *,
    known: BoolArray | None = None,
    among: BoolArray | None = None,
) -> pd.DataFrame:
    """Share of inhabitants whose time exceeds ``threshold_min``, by territory.

    ``among`` restricts numerator and denominator to some points (e.g. one density
    class). Columns as :func:`share_within` (numerator: inhabitants beyond).
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    if among is not None:
        population = np.where(among, population, 0.0)
    beyond = ~(np.asarray(minutes, dtype=np.float64) <= threshold_min)
    return aggregate_ratio(geo, population * beyond, population, scale=100.0, known=known)


def median_minutes(
    geo: pd.DataFrame, minutes: npt.ArrayLike, *, known: BoolArray | None = None
) -> pd.DataFrame:
    """Population-weighted median time to the nearest facility, minutes, by territory.

    Columns as :func:`indicators.weighting.aggregate_median` (value NaN when more than
    half of the inhabitants reach no facility).
    """
    return aggregate_median(geo, minutes, known=known)


def mean_minutes(
    geo: pd.DataFrame, minutes: npt.ArrayLike, *, known: BoolArray | None = None
) -> pd.DataFrame:
    """Population-weighted mean time to the nearest facility, minutes, by territory.

    Returns
    -------
    DataFrame
        ``value`` (minutes), ``numerator`` (inhabitant-minutes), ``denominator``
        (inhabitants reaching a facility; points with an infinite time are left out).
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    t = np.asarray(minutes, dtype=np.float64)
    reached = np.isfinite(t)
    return aggregate_ratio(
        geo,
        np.where(reached, population * np.where(reached, t, 0.0), 0.0),
        np.where(reached, population, 0.0),
        known=known,
    )


def basket_score(
    nearest: pd.DataFrame, items: Sequence[BasketItem], mode: str, threshold_min: float
) -> npt.NDArray[np.float64]:
    """Number of basket items within ``threshold_min`` of each point, by ``mode``.

    Parameters
    ----------
    nearest : DataFrame
        :func:`nearest_minutes` output.
    items : sequence of BasketItem
        The available items (:func:`basket_available`); an item is within reach when
        any of its codes is.

    Returns
    -------
    ndarray of float64
        One count per row of ``nearest`` (0 .. len(items)); zeros when ``items`` is
        empty.
    """
    score = np.zeros(len(nearest), dtype=np.float64)
    for item in items:
        columns = [(c, mode) for c in item.codes if (c, mode) in nearest.columns]
        if columns:
            best = nearest[columns].to_numpy(dtype=np.float64).min(axis=1)
            score += best <= threshold_min
    return score


def score_by_territory(
    geo: pd.DataFrame, score: npt.ArrayLike, *, known: BoolArray | None = None
) -> pd.DataFrame:
    """Population-weighted mean of a per-point score, by territory.

    Returns
    -------
    DataFrame
        ``value`` (mean score per inhabitant, in items), ``numerator`` (sum of
        inhabitants x score), ``denominator`` (inhabitants).
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    return aggregate_ratio(
        geo, population * np.asarray(score, dtype=np.float64), population, known=known
    )
