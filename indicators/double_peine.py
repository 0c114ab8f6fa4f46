"""The "double peine" overlay: communes both poorer and farther than their département.

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

from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.commune_groups import LEVELS, CommuneGroups
from indicators.weighting import weighted_median

FloatArray = npt.NDArray[np.float64]

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
