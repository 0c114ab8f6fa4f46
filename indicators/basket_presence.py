"""Presence of each everyday-basket item in the commune where people live.

The 15-minute indicators say how far the nearest bakery is; this one says whether the
commune has one at all ("équipement présent dans la commune"), INSEE's classic
measure of the everyday basket. At the commune level the value is 100 (present) or
0 (absent); above it, the share of inhabitants whose commune has the item.

A facility's commune is its ``commune_code`` in the warehouse (the published code,
brought to the current COG, or the commune holding its point), so the value of a
commune does not depend on the extent of the build: every facility of a commune of
the territory is loaded. Where a source of one of the item's types does not cover the
commune's département (``point_coverage``: ``hors_couverture``, ``couverture_partielle``)
and no facility of the item was found there, the value is unknown, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.access_15min import BasketItem
from indicators.indicator import Indicator, SourceInfo, indicator_id
from indicators.weighting import BoolArray, aggregate_ratio

__all__ = ["equipped_points", "presence_indicators", "share_in_equipped_commune"]

KIND = "present_in_commune"


def presence_indicators(
    items: Sequence[BasketItem], sources: SourceInfo, counted_note: str = ""
) -> list[Indicator]:
    """One indicator per available basket item (theme ``access``, kind
    ``present_in_commune``, ``scope`` = the item's key).

    Parameters
    ----------
    items : sequence of BasketItem
        The basket items met by loaded service types.
    sources : SourceInfo
        Catalogue names and vintages (``sources``/``vintage`` fields).
    counted_note : str
        Sentence appended to the definitions when some facilities are BPE counts
        placed at the town halls ("" otherwise).

    Returns
    -------
    list of Indicator
        Unit ``%`` (share of inhabitants whose commune has the item; 100 or 0 for a
        commune), higher is better, one decimal.
    """
    out = []
    for item in items:
        cited, vintage = sources.cite(list(item.codes), density=False)
        codes = "/".join(item.codes)
        out.append(
            Indicator(
                id=indicator_id("access", KIND, scope=item.key),
                theme="access",
                label=f"Commune équipée : {item.label} (part des habitants)",
                unit="%",
                definition=(
                    f"Part des habitants dont la commune compte au moins un équipement "
                    f"« {item.label} » ({codes}), quelle que soit la distance. Pour une "
                    "commune : 100 si l'équipement est présent, 0 sinon. Inconnu (vide) "
                    "là où une source du type ne couvre pas le département et qu'aucun "
                    "équipement n'y a été trouvé." + counted_note
                ),
                formula="Σ P_i · 1[commune de i équipée] / Σ P_i",
                sources=cited,
                vintage=vintage,
                higher_is_better=True,
                decimals=1,
                service_type=None,
                mode=None,
                threshold_min=None,
                kind=KIND,
                scope=item.key,
            )
        )
    return out


def equipped_points(
    point_communes: npt.ArrayLike, facilities: pd.DataFrame, codes: Sequence[str]
) -> BoolArray:
    """Whether the commune of each point has a facility of one of ``codes``.

    Parameters
    ----------
    point_communes : array of str
        The commune code of each population point (None/NaN: unknown commune).
    facilities : DataFrame
        ``service_type`` and ``commune_code`` of the facilities of the warehouse.
    codes : sequence of str
        The service types of the item.

    Returns
    -------
    numpy.ndarray of bool
        One per point; False for a point without commune.
    """
    chosen = facilities.loc[facilities["service_type"].isin(list(codes)), "commune_code"]
    equipped = set(chosen.dropna().astype(str))
    communes = pd.Series(np.asarray(point_communes, dtype=object))
    return communes.isin(equipped).to_numpy(dtype=bool)


def share_in_equipped_commune(
    geo: pd.DataFrame, equipped: BoolArray, *, known: BoolArray | None = None
) -> pd.DataFrame:
    """Share of inhabitants whose commune has the item, by territory.

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (percent, 0-100), ``numerator`` (inhabitants of
        equipped communes), ``denominator`` (inhabitants); NaN for a territory without
        inhabitant or with a point whose presence is unknown.
    """
    population = geo["population"].to_numpy(dtype=np.float64)
    return aggregate_ratio(geo, population * equipped, population, scale=100.0, known=known)
