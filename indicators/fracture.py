"""Territorial-fracture indices between the communes of a territory (pure computations).

Fracture indices
----------------
A territory's index is computed over its **member communes**, each weighted by its
population (``territories.population``), using the **commune-level values** of an
indicator (``indicator_values`` at level ``commune``). It measures inequality
*between* communes: everyone in a commune is given the commune's value, so
differences inside a commune are not seen. Communes with no value (NULL: source not
covering them, no inhabitant, median not computable) and communes without
inhabitants are left out; the table says how many communes and inhabitants the
index covers (``n_communes``, ``population_covered``). When the communes with a
value hold less than ``geo.constants.FRACTURE_MIN_POPULATION_SHARE`` (95 %) of the
territory's inhabitants (a source covering only part of it), every index of that
territory is NaN with a note: it would describe another population.

Territories: every EPCI, département and région that is ``complete`` (all its
communes in the build), and France (level ``france``, code ``FR``) when the build is
national. Indicators: every indicator of the themes access, third_places and
mobility, except counts of inhabitants (unit ``hab.``): their spread across
communes measures commune size, not access (the matching shares are indexed); and
except indicators restricted to the inhabitants of one density class
(stored ``density_class``, e.g. rural): their communes are a subset by construction, and the
density split is already what the Theil decomposition by density measures.

The index ids (:data:`INDEX_IDS`, a fixed list; formulas in
:mod:`indicators.inequality` and ``warehouse/SCHEMA.md``):

===========================  ===================================================
``gini``                     weighted Gini between communes (0-1)
``theil``                    Theil T (>= 0)
``theil_within_epci``        part of T within EPCI (communes without EPCI: alone)
``theil_between_epci``       part of T between EPCI (within + between = theil)
``theil_within_density``     part of T within the 7 density levels (+ unknown)
``theil_between_density``    part of T between density levels
``palma``                    top 10 % share / bottom 40 % share of the total
``fifth_best_mean``          mean of the best-served fifth of the population
``fifth_worst_mean``         mean of the worst-served fifth
``fifth_gap``                top-fifth mean - bottom-fifth mean (>= 0)
``urban_mean``               mean over urban communes (density levels 1-4)
``rural_mean``               mean over rural communes (levels 5-7)
``urban_rural_gap``          urban_mean - rural_mean (indicator unit, signed)
``double_peine_share``       % of the covered population in double-peine communes
                             (only for the access indicator of the overlay)
===========================  ===================================================

"Best" follows the indicator's ``higher_is_better``. An undefined index is NaN
with a French ``note`` saying why (see :mod:`indicators.inequality`).

The "double peine" overlay (communes both poorer and farther than their
département) is :mod:`indicators.double_peine`; its names are re-exported here.

Pure: frames and arrays in, frames out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import FRACTURE_MIN_POPULATION_SHARE
from indicators.commune_groups import FRANCE_CODE, LEVELS, CommuneGroups, commune_groups
from indicators.double_peine import (
    DOUBLE_PEINE_COLUMNS,
    DP_NOTES,
    double_peine_by_territory,
    double_peine_flags,
)
from indicators.inequality import (
    class_gap_by,
    fifth_means_of,
    gini_of,
    palma_of,
    rank_within_groups,
    theil_by,
)

# Re-exported: the groupings and the overlay live in their own modules.
__all__ = [
    "BASE_THEMES",
    "DOUBLE_PEINE_COLUMNS",
    "DP_NOTES",
    "FRACTURE_COLUMNS",
    "FRANCE_CODE",
    "INDEX_IDS",
    "LEVELS",
    "NOTES",
    "SKIPPED_UNITS",
    "CommuneGroups",
    "LevelIndices",
    "commune_groups",
    "double_peine_by_territory",
    "double_peine_flags",
    "fracture_table",
    "level_indices",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

BASE_THEMES: Final[tuple[str, ...]] = ("access", "third_places", "mobility")
# Units of extensive counts, left out of the indices (module docstring).
SKIPPED_UNITS: Final[tuple[str, ...]] = ("hab.",)
INDEX_IDS: Final[tuple[str, ...]] = (
    "gini",
    "theil",
    "theil_within_epci",
    "theil_between_epci",
    "theil_within_density",
    "theil_between_density",
    "palma",
    "fifth_best_mean",
    "fifth_worst_mean",
    "fifth_gap",
    "urban_mean",
    "rural_mean",
    "urban_rural_gap",
    "double_peine_share",
)
# Indices computed for every indicator (the last id is the overlay's only).
_PER_INDICATOR: Final = INDEX_IDS[:-1]
# Why an index is NaN (French, shown to users); code 0 = defined.
NOTES: Final[tuple[str | None, ...]] = (
    None,
    "aucune commune du territoire n'a de valeur pour cet indicateur",
    "valeur négative : indice non défini",
    "toutes les valeurs sont nulles : indice non défini",
    "les 40 % de la population aux valeurs les plus basses n'en détiennent rien : "
    "rapport infini, non publié",
    "aucune commune urbaine (niveaux 1 à 4 de la grille de densité) avec une valeur",
    "aucune commune rurale (niveaux 5 à 7 de la grille de densité) avec une valeur",
    "les communes avec une valeur rassemblent moins de "
    f"{FRACTURE_MIN_POPULATION_SHARE * 100:.0f}\u00a0% des habitants du territoire "
    "(source partielle) : indice non représentatif, non publié",
)
_NO_VALUE, _NEGATIVE, _ZERO_MEAN, _BOTTOM_EMPTY, _NO_URBAN, _NO_RURAL, _PARTIAL = range(1, 8)
FRACTURE_COLUMNS: Final[tuple[str, ...]] = (
    "indicator_id",
    "level",
    "code",
    "index_id",
    "value",
    "n_communes",
    "population_covered",
    "note",
)


# --- Fracture indices --------------------------------------------------------------


@dataclass(frozen=True)
class LevelIndices:
    """Indices of one indicator for the territories of one level (arrays only).

    ``values`` and ``notes`` are (territories x :data:`INDEX_IDS` minus the overlay)
    matrices; ``notes`` hold positions in :data:`NOTES`.
    """

    codes: pd.Index
    values: FloatArray
    notes: npt.NDArray[np.int8]
    n_communes: FloatArray
    population: FloatArray


def level_indices(
    values: npt.ArrayLike, groups: CommuneGroups, level: str, *, higher_is_better: bool
) -> LevelIndices:
    """Every per-indicator index for the complete territories of ``level``.

    Parameters
    ----------
    values : array-like of float
        Commune-level values of one indicator, aligned with ``groups.codes``; NaN
        (no value) and communes of zero population are left out.
    groups : CommuneGroups
    level : str
        A key of ``groups.members``.
    higher_is_better : bool
        Which fifth is the best.

    Returns
    -------
    LevelIndices
        One row per territory of the level, one column per index of
        :data:`INDEX_IDS` but ``double_peine_share``; ``n_communes`` and
        ``population`` (inhabitants) covered.
    """
    x = np.asarray(values, dtype=np.float64)
    member, codes = groups.members[level]
    n = len(codes)
    used = (member >= 0) & np.isfinite(x) & (groups.weight > 0)
    g, xv, w = member[used], x[used], groups.weight[used]
    n_communes = np.bincount(g, minlength=n).astype(np.float64)
    # (float64 with weights; numpy's stub types every bincount as intp)
    population = np.bincount(g, weights=w, minlength=n).astype(np.float64, copy=False)
    ranked = rank_within_groups(xv, w, g, n)
    (epci, n_epci), (density, n_density) = (groups.nested[level][k] for k in ("epci", "density"))
    by_epci = theil_by(xv, w, g, n, epci[used], n_epci)
    by_density = theil_by(xv, w, g, n, density[used], n_density)
    fifths = fifth_means_of(ranked, higher_is_better=higher_is_better)
    classes = class_gap_by(xv, w, g, n, groups.urban[used], groups.rural[used])
    columns = {
        "gini": gini_of(ranked),
        "theil": by_epci.total,
        "theil_within_epci": by_epci.within,
        "theil_between_epci": by_epci.between,
        "theil_within_density": by_density.within,
        "theil_between_density": by_density.between,
        "palma": palma_of(ranked),
        "fifth_best_mean": fifths.best,
        "fifth_worst_mean": fifths.worst,
        "fifth_gap": fifths.gap,
        "urban_mean": classes.first,
        "rural_mean": classes.second,
        "urban_rural_gap": classes.gap,
    }
    matrix = np.column_stack([columns[i] for i in _PER_INDICATOR]) if n else np.zeros((0, 13))
    notes = _notes(matrix, ranked.negative, ranked.mean, n_communes, classes.first)
    inhabited = (member >= 0) & (groups.weight > 0)
    everyone = np.bincount(member[inhabited], weights=groups.weight[inhabited], minlength=n)
    partial = (n_communes > 0) & (population < FRACTURE_MIN_POPULATION_SHARE * everyone)
    matrix[partial] = np.nan
    notes[partial] = _PARTIAL
    return LevelIndices(codes, matrix, notes, n_communes, population)


def _notes(
    matrix: FloatArray,
    negative: npt.NDArray[np.bool_],
    mean: FloatArray,
    n_communes: FloatArray,
    urban_mean: FloatArray,
) -> npt.NDArray[np.int8]:
    """Note code of every NaN cell (0 where the value is defined)."""
    notes = np.zeros(matrix.shape, dtype=np.int8)
    if not matrix.size:
        return notes
    base = np.select(
        [n_communes == 0, negative, np.nan_to_num(mean) == 0],
        [_NO_VALUE, _NEGATIVE, _ZERO_MEAN],
        default=_BOTTOM_EMPTY,
    ).astype(np.int8)
    col = {index_id: k for k, index_id in enumerate(_PER_INDICATOR)}
    for index_id, k in col.items():
        if index_id.startswith(("gini", "theil", "palma")):
            why = base
        elif index_id.startswith("fifth"):
            why = np.full(len(base), _NO_VALUE, dtype=np.int8)
        elif index_id == "urban_mean":
            why = np.where(n_communes == 0, _NO_VALUE, _NO_URBAN).astype(np.int8)
        elif index_id == "rural_mean":
            why = np.where(n_communes == 0, _NO_VALUE, _NO_RURAL).astype(np.int8)
        else:  # urban_rural_gap
            no_urban = np.isnan(urban_mean)
            why = np.select([n_communes == 0, no_urban], [_NO_VALUE, _NO_URBAN], _NO_RURAL)
        notes[:, k] = np.where(np.isnan(matrix[:, k]), why, 0)
    return notes


def fracture_table(
    values: FloatArray,
    indicator_ids: Sequence[str],
    higher_is_better: Sequence[bool],
    groups: CommuneGroups,
) -> pd.DataFrame:
    """The ``fracture_indices`` rows of every indicator (all but the overlay's index).

    Parameters
    ----------
    values : 2-D array of float
        (indicators x communes) commune-level values, NaN where NULL; columns
        aligned with ``groups.codes``.
    indicator_ids, higher_is_better : sequences, one item per row of ``values``.
    groups : CommuneGroups

    Returns
    -------
    DataFrame
        :data:`FRACTURE_COLUMNS`: ``indicator_id``, ``level``, ``code``,
        ``index_id`` (categoricals), ``value`` (float; unit of the index, NaN when
        undefined), ``n_communes`` and ``population_covered`` (of the territory for
        that indicator), ``note`` (categorical French reason when NaN, else NaN).
        No rows when no territory is complete.
    """
    if values.shape != (len(indicator_ids), len(groups.codes)):
        raise ValueError(
            f"values must be (indicators x communes) = ({len(indicator_ids)}, "
            f"{len(groups.codes)}), got {values.shape}"
        )
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("ind", "lev", "code", "v", "nt", "n", "p")
    }
    levels = [lv for lv in LEVELS if lv in groups.members]
    all_codes: list[str] = []
    offsets = {}
    for level in levels:
        offsets[level] = len(all_codes)
        all_codes.extend(groups.members[level][1].astype(str))
    n_idx = len(_PER_INDICATOR)
    for row, better in enumerate(higher_is_better):
        for li, level in enumerate(levels):
            res = level_indices(values[row], groups, level, higher_is_better=bool(better))
            n_terr = len(res.codes)
            parts["ind"].append(np.full(n_terr * n_idx, row, dtype=np.int32))
            parts["lev"].append(np.full(n_terr * n_idx, li, dtype=np.int8))
            code_pos = offsets[level] + np.arange(n_terr, dtype=np.int32)
            parts["code"].append(np.repeat(code_pos, n_idx))
            parts["v"].append(res.values.ravel())
            parts["nt"].append(res.notes.ravel())
            parts["n"].append(np.repeat(res.n_communes, n_idx))
            parts["p"].append(np.repeat(res.population, n_idx))
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in parts.items()}
    n_rows = len(cat["v"])
    unique_codes = pd.Index(all_codes, dtype=object).unique()
    code_of_position = unique_codes.get_indexer(pd.Index(all_codes, dtype=object))
    return pd.DataFrame(
        {
            "indicator_id": pd.Categorical.from_codes(
                cat["ind"].astype(np.int32), categories=pd.Index(list(indicator_ids))
            ),
            "level": pd.Categorical.from_codes(cat["lev"].astype(np.int8), categories=levels),
            "code": pd.Categorical.from_codes(
                code_of_position[cat["code"].astype(np.intp)], categories=unique_codes
            ),
            "index_id": pd.Categorical.from_codes(
                np.tile(np.arange(n_idx, dtype=np.int8), n_rows // n_idx),
                categories=list(_PER_INDICATOR),
            ),
            "value": cat["v"].astype(np.float64),
            "n_communes": cat["n"].astype(np.float64),
            "population_covered": cat["p"].astype(np.float64),
            "note": pd.Categorical.from_codes(
                cat["nt"].astype(np.int8) - 1, categories=[t for t in NOTES if t]
            ),
        },
        columns=list(FRACTURE_COLUMNS),
    )
