"""Territorial-fracture indices and the "double peine" overlay (pure computations).

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

Double peine
------------
Per commune of a complete département (the reference needs all its communes):

- ``poorer``: Filosofi median standard of living (``MED``, EUR per consumption unit)
  below the département's population-weighted median of its communes' medians, **or**
  poverty rate (``TP60``) above the département's population-weighted median of the
  published communal rates. INSEE publishes the poverty rate for few communes (87 of
  the 332 of Ille-et-Vilaine in 2019): where it is not published, only the median
  counts. ``poorer`` is NULL when the median is secret or the commune is not in the
  Filosofi file (its code changed since the vintage: a median cannot be recomputed
  on new boundaries), unless a published poverty rate already makes it poorer.
- ``farther``: the access indicator of the overlay (everyday-basket score in the
  quart d'heure, ``geo.constants.DOUBLE_PEINE_ACCESS_MODES``) worse than the
  département's population-weighted median of communes; NULL without a value.
- ``double_peine``: both; NULL when either flag is NULL (not the three-valued
  "false and unknown = false": counting a commune of secret income only when it is
  not farther would bias the share downwards).

Medians are the lower weighted median of :func:`indicators.weighting.weighted_median`;
comparisons are strict (a commune at the median is neither poorer nor farther).
Sources: INSEE Filosofi 2019 commune file (``filosofi_communes``,
https://www.insee.fr/fr/statistiques/6036902). The rule itself is a project
definition, not an official statistic.

Pure: frames and arrays in, frames out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import (
    FRACTURE_MIN_POPULATION_SHARE,
    RURAL_DENSITY_LEVELS,
    URBAN_DENSITY_LEVELS,
)
from indicators.inequality import (
    class_gap_by,
    fifth_means_of,
    gini_of,
    palma_of,
    rank_within_groups,
    theil_by,
)
from indicators.weighting import weighted_median

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

BASE_THEMES: Final[tuple[str, ...]] = ("access", "third_places", "mobility")
# Units of extensive counts, left out of the indices (module docstring).
SKIPPED_UNITS: Final[tuple[str, ...]] = ("hab.",)
LEVELS: Final[tuple[str, ...]] = ("epci", "departement", "region", "france")
FRANCE_CODE: Final = "FR"
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
DOUBLE_PEINE_COLUMNS: Final[tuple[str, ...]] = (
    "commune_code",
    "dep_code",
    "population",
    "median_income_eur",
    "poverty_rate_pct",
    "access_indicator_id",
    "access_value",
    "ref_median_income_eur",
    "ref_poverty_rate_pct",
    "ref_access_value",
    "poorer",
    "farther",
    "double_peine",
    "note",
)
DP_NOTES: Final = MappingProxyType(
    {
        "absent": "commune absente du fichier Filosofi (code modifié depuis le millésime : "
        "une médiane ne se recalcule pas)",
        "undisclosed": "revenu médian non diffusé (secret statistique)",
        "incomplete": "département incomplet dans l'entrepôt : pas de médiane "
        "départementale de référence",
        "no_access": "indicateur d'accès non calculé pour cette commune",
    }
)


# --- Territories and groupings -----------------------------------------------------


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
    population = np.bincount(g, weights=w, minlength=n)
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


# --- Double peine ------------------------------------------------------------------


def _reference_medians(
    dep: npt.NDArray[np.object_], values: FloatArray, weight: FloatArray, deps: Sequence[str]
) -> FloatArray:
    """Population-weighted (lower) median of ``values`` per commune's département.

    NaN for communes of départements not in ``deps`` or without any value.
    """
    out = np.full(len(dep), np.nan)
    finite = np.isfinite(values) & (weight > 0)
    for code in deps:
        members = dep == code
        chosen = members & finite
        if chosen.any():
            out[members] = weighted_median(values[chosen], weight[chosen])
    return out


def _flag(known: npt.NDArray[np.bool_], true: npt.NDArray[np.bool_]) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(true & known, ~known)


def double_peine_flags(
    communes: pd.DataFrame,
    income: pd.DataFrame,
    access: npt.ArrayLike,
    *,
    access_indicator_id: str,
    higher_is_better: bool,
    complete_deps: Sequence[str],
) -> pd.DataFrame:
    """Per commune: poorer, farther and double-peine flags (module docstring).

    Parameters
    ----------
    communes : DataFrame
        ``code``, ``dep_code``, ``population`` (inhabitants), one row per commune.
    income : DataFrame
        Filosofi commune figures: ``commune_code``, ``median_income_eur`` (EUR per
        consumption unit and year), ``poverty_rate_pct`` (percent); NULL = secret.
    access : array-like of float
        Value of the access indicator per commune (aligned with ``communes``; NaN
        when not computed).
    access_indicator_id : str
    higher_is_better : bool
        Of the access indicator: farther means below the reference when true.
    complete_deps : sequence of str
        Départements whose communes are all in the build (references computed).

    Returns
    -------
    DataFrame
        :data:`DOUBLE_PEINE_COLUMNS`, one row per commune in input order:
        ``population`` (inhabitants), ``median_income_eur``, ``poverty_rate_pct``,
        ``access_value`` (indicator unit), ``ref_*`` (the département's references,
        same units), ``poorer``, ``farther``, ``double_peine`` (nullable booleans:
        NA when unknown, never False for a secret income) and ``note`` (French,
        reasons for NA, "; "-separated; NaN when every flag is known).
    """
    codes = communes["code"].astype(str).to_numpy(dtype=object)
    dep = communes["dep_code"].astype(object).to_numpy(dtype=object)
    weight = pd.to_numeric(communes["population"]).fillna(0.0).to_numpy(dtype=np.float64)
    by_code = income.drop_duplicates("commune_code").set_index("commune_code")
    in_file = pd.Index(by_code.index).get_indexer(codes) >= 0
    median = pd.to_numeric(pd.Series(codes).map(by_code["median_income_eur"]))
    poverty = pd.to_numeric(pd.Series(codes).map(by_code["poverty_rate_pct"]))
    med = median.to_numpy(dtype=np.float64, na_value=np.nan)
    pov = poverty.to_numpy(dtype=np.float64, na_value=np.nan)
    acc = np.asarray(access, dtype=np.float64)
    deps = sorted(set(complete_deps))
    ref_med = _reference_medians(dep, med, weight, deps)
    ref_pov = _reference_medians(dep, pov, weight, deps)
    ref_acc = _reference_medians(dep, acc, weight, deps)
    with np.errstate(invalid="ignore"):
        med_known = np.isfinite(med) & np.isfinite(ref_med)
        below = med_known & (med < ref_med)
        above_poverty = np.isfinite(pov) & np.isfinite(ref_pov) & (pov > ref_pov)
        poorer_known = med_known | above_poverty
        poorer_true = below | above_poverty
        farther_known = np.isfinite(acc) & np.isfinite(ref_acc)
        farther_true = farther_known & ((acc < ref_acc) if higher_is_better else (acc > ref_acc))
    both_known = poorer_known & farther_known
    notes = _double_peine_notes(in_file, med, ref_med, acc, ~both_known)
    return pd.DataFrame(
        {
            "commune_code": codes,
            "dep_code": dep,
            "population": weight,
            "median_income_eur": med,
            "poverty_rate_pct": pov,
            "access_indicator_id": access_indicator_id,
            "access_value": acc,
            "ref_median_income_eur": ref_med,
            "ref_poverty_rate_pct": ref_pov,
            "ref_access_value": ref_acc,
            "poorer": _flag(poorer_known, poorer_true),
            "farther": _flag(farther_known, farther_true),
            "double_peine": _flag(both_known, poorer_true & farther_true),
            "note": notes,
        },
        columns=list(DOUBLE_PEINE_COLUMNS),
    )


def _double_peine_notes(
    in_file: npt.NDArray[np.bool_],
    med: FloatArray,
    ref_med: FloatArray,
    acc: FloatArray,
    unknown: npt.NDArray[np.bool_],
) -> npt.NDArray[np.object_]:
    """ "; "-joined French reasons of the communes with an unknown flag (else None)."""
    reasons = (
        (~in_file, DP_NOTES["absent"]),
        (in_file & np.isnan(med), DP_NOTES["undisclosed"]),
        (np.isnan(ref_med), DP_NOTES["incomplete"]),
        (~np.isfinite(acc), DP_NOTES["no_access"]),
    )
    out = np.full(len(med), None, dtype=object)
    for row in np.flatnonzero(unknown):
        text = "; ".join(note for mask, note in reasons if mask[row])
        out[row] = text or None
    return out


def double_peine_by_territory(flags: pd.DataFrame, groups: CommuneGroups) -> pd.DataFrame:
    """Share of the population living in double-peine communes, per complete territory.

    Parameters
    ----------
    flags : DataFrame
        :func:`double_peine_flags` output, rows aligned with ``groups.codes``.
    groups : CommuneGroups

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``value`` (percent of the covered population, NaN when
        no commune has a known flag), ``numerator`` (inhabitants of double-peine
        communes), ``denominator`` (inhabitants of communes with a known flag),
        ``n_communes`` (communes with a known flag), for every level of
        ``groups.members`` plus ``commune`` (100 x the commune's flag).
    """
    flag = flags["double_peine"].astype("boolean")
    known = flag.notna().to_numpy() & (groups.weight > 0)
    true = flag.fillna(False).to_numpy(dtype=bool) & known
    frames = [
        pd.DataFrame(
            {
                "level": "commune",
                "code": np.asarray(groups.codes, dtype=object),
                "value": np.where(known, 100.0 * true, np.nan),
                "numerator": np.where(known, groups.weight * true, np.nan),
                "denominator": np.where(known, groups.weight, np.nan),
                "n_communes": known.astype(np.float64),
            }
        )
    ]
    for level in (lv for lv in LEVELS if lv in groups.members):
        member, codes = groups.members[level]
        ok = (member >= 0) & known
        n = len(codes)
        num = np.bincount(member[ok], weights=(groups.weight * true)[ok], minlength=n)
        den = np.bincount(member[ok], weights=groups.weight[ok], minlength=n)
        value = np.full(n, np.nan)
        np.divide(100.0 * num, den, out=value, where=den > 0)
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": np.asarray(codes, dtype=object),
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "n_communes": np.bincount(member[ok], minlength=n).astype(np.float64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
