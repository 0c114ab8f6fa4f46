"""How the communes of a build fall into complete territories and subgroups.

The groupings shared by the fracture indices (:mod:`indicators.fracture`) and the
"double peine" overlay (:mod:`indicators.double_peine`): complete EPCI, départements,
régions (and France when the build is national), EPCI and density subgroups. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from etl.vocabulary import FRANCE_CODE
from geo.constants import RURAL_DENSITY_LEVELS, URBAN_DENSITY_LEVELS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

LEVELS: Final[tuple[str, ...]] = ("epci", "departement", "region", "france")


@dataclass(frozen=True)
class CommuneGroups:
    """How the communes of a build fall into territories and subgroups (arrays only).

    Attributes
    ----------
    codes : commune codes, in the order of every per-commune array
    weight : inhabitants (NULL read as 0: such communes count for nothing)
    members : level -> (group of each commune, -1 outside a complete territory; codes)
    epci : EPCI subgroup of each commune (communes without EPCI each alone)
    density : density subgroup (levels 1-7 -> 0-6, unknown or out of the grid -> 7)
    nested : level -> subgrouping (``epci``, ``density``) -> (id of the commune's
        (territory, subgroup) pair, -1 outside a complete territory; number of ids),
        the nested ids of :func:`indicators.inequality.theil_by`
    urban, rural : density-grid classes (unknown level: neither)
    """

    codes: pd.Index
    weight: FloatArray
    members: Mapping[str, tuple[IntArray, pd.Index]]
    epci: IntArray
    density: IntArray
    nested: Mapping[str, Mapping[str, tuple[IntArray, int]]]
    urban: npt.NDArray[np.bool_]
    rural: npt.NDArray[np.bool_]


def commune_groups(
    communes: pd.DataFrame, territories: pd.DataFrame, *, national: bool
) -> CommuneGroups:
    """Group the communes by complete EPCI, département, région (and France if national).

    Parameters
    ----------
    communes : DataFrame
        ``code``, ``epci_code``, ``dep_code``, ``reg_code``, ``population``
        (inhabitants), ``density_level`` (1-7 or NULL); one row per commune.
    territories : DataFrame
        ``level``, ``code``, ``complete`` (the ``territories`` table).
    national : bool
        The build covers France: add the level ``france`` (code ``FR``).

    Returns
    -------
    CommuneGroups
    """
    codes = pd.Index(communes["code"].astype(str).to_numpy(dtype=object), dtype=object)
    complete = territories[territories["complete"].fillna(False).astype(bool)]
    members: dict[str, tuple[IntArray, pd.Index]] = {}
    for level, column in (
        ("epci", "epci_code"),
        ("departement", "dep_code"),
        ("region", "reg_code"),
    ):
        known = pd.Index(complete.loc[complete["level"] == level, "code"].astype(str).unique())
        of_commune = communes[column].astype(object).where(communes[column].notna(), None)
        members[level] = (known.get_indexer(of_commune).astype(np.intp), known)
    if national:
        members["france"] = (np.zeros(len(codes), dtype=np.intp), pd.Index([FRANCE_CODE]))
    epci_codes, _ = pd.factorize(communes["epci_code"], use_na_sentinel=True)
    alone = epci_codes < 0
    epci = epci_codes.astype(np.intp)
    epci[alone] = epci_codes.max(initial=-1) + 1 + np.arange(alone.sum())
    levels = pd.to_numeric(communes["density_level"]).to_numpy(dtype=np.float64)
    graded = np.isin(levels, np.arange(1, 8))
    density = np.where(graded, np.nan_to_num(levels) - 1, 7).astype(np.intp)
    population = pd.to_numeric(communes["population"]).fillna(0.0)
    nested = {
        level: MappingProxyType(
            {"epci": _nested(member, epci), "density": _nested(member, density)}
        )
        for level, (member, _) in members.items()
    }
    return CommuneGroups(
        codes=codes,
        weight=population.to_numpy(dtype=np.float64),
        members=MappingProxyType(members),
        epci=epci,
        density=density,
        nested=MappingProxyType(nested),
        urban=np.isin(levels, URBAN_DENSITY_LEVELS),
        rural=np.isin(levels, RURAL_DENSITY_LEVELS),
    )


def _nested(member: IntArray, sub: IntArray) -> tuple[IntArray, int]:
    """Id of each commune's (territory, subgroup) pair (-1 outside), and their number."""
    ids = np.full(len(member), -1, dtype=np.intp)
    inside = member >= 0
    if not inside.any():
        return ids, 0
    key = member[inside].astype(np.int64) * (int(sub.max()) + 1) + sub[inside]
    uniques, ids[inside] = np.unique(key, return_inverse=True)
    return ids, len(uniques)
