"""The ESS indicators: their definitions (registry rows) and their values and sector
rows from the protected cells of :mod:`indicators.ess` (blank where secret)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from geo.constants import ESS_BRACKET_JOBS, ESS_PER_INHABITANTS
from indicators.ess import (
    ALL_COLUMN,
    COLUMN_KEYS,
    ESS_COLUMN,
    FAMILIES,
    SECTION_COLUMNS,
    SECTION_KEYS,
    SECTIONS,
    UNKNOWN_SECTION_LABEL,
    BoolArray,
    EssCells,
    FloatArray,
    TerritoryLayout,
)
from indicators.registry import Indicator, indicator_id
from indicators.secrecy import SecrecyRule


@dataclass(frozen=True)
class EssSources:
    """Catalogue names and vintages cited by the ESS indicators (from ``meta``)."""

    establishments: tuple[str, ...]  # Sirene stocks (and the ESS France list when loaded)
    population: tuple[str, ...]
    vintages: dict[str, str]

    def cite(self, *, population: bool = False) -> tuple[str, str]:
        names = [*self.establishments, *(self.population if population else ())]
        vintage = " ; ".join(
            f"{n} : {self.vintages.get(n) or 'millésime non renseigné'}" for n in names
        )
        return ", ".join(names), vintage


@dataclass(frozen=True)
class _Spec:
    indicator_kind: str  # the registry's kind (indicators.registry.KINDS)
    kind: str  # count, jobs, per_inhabitants, share_count, share_jobs
    column: int
    family: str = ""  # the scope: a family of FAMILIES, or empty for the whole ESS

    @property
    def id(self) -> str:
        return indicator_id("ess", self.indicator_kind, scope=self.family)


_SPECS: Final[tuple[_Spec, ...]] = (
    _Spec("ess_establishments", "count", ESS_COLUMN),
    *(_Spec("ess_establishments", "count", i, f) for i, (f, _) in enumerate(FAMILIES)),
    _Spec("ess_establishments_per_10k", "per_inhabitants", ESS_COLUMN),
    _Spec("ess_share_establishments", "share_count", ESS_COLUMN),
    _Spec("ess_jobs_estimate", "jobs", ESS_COLUMN),
    *(_Spec("ess_jobs_estimate", "jobs", i, f) for i, (f, _) in enumerate(FAMILIES)),
    _Spec("ess_share_jobs_estimate", "share_jobs", ESS_COLUMN),
)
ESS_INDICATOR_IDS: Final[tuple[str, ...]] = tuple(s.id for s in _SPECS)


def _brackets_text() -> str:
    parts = [f"{code} : {f'{jobs:g}'.replace('.', ',')}" for code, jobs in ESS_BRACKET_JOBS]
    return ", ".join(parts)


def _definitions(listed: bool) -> dict[str, str]:
    who = "l'indicateur ESS du répertoire Sirene" + (
        " ou la liste des entreprises de l'ESS d'ESS France" if listed else ""
    )
    return {
        "scope": (
            "Établissements actifs et employeurs du répertoire Sirene (état A ; caractère "
            "employeur O, ou à défaut tranche d'effectif de 00 à 53) dont l'unité légale "
            f"relève de l'économie sociale et solidaire selon {who}."
        ),
        "family": (
            " Famille d'après la catégorie juridique de l'unité légale (nomenclature INSEE) : "
            "associations (92xx), fondations (9300), mutuelles (82xx, 6411), coopératives "
            "(51xx, 63xx, formes coopératives des sociétés, caisses d'épargne et de crédit "
            "mutuel), sociétés commerciales de l'ESS (autres 5xxx), autres."
        ),
        "jobs": (
            " ESTIMATION, pas un effectif mesuré : chaque établissement compte pour le milieu "
            "de sa tranche d'effectif salarié Sirene au 31 décembre (tranche : emplois "
            f"estimés ; {_brackets_text()}) ; un établissement sans tranche renseignée est "
            "compté parmi les établissements mais pas dans les emplois."
        ),
        "secret": " " + SecrecyRule().text(),
    }


def ess_registry(sources: EssSources) -> list[Indicator]:
    """Metadata of the ESS indicators, in :data:`ESS_INDICATOR_IDS` order.

    Parameters
    ----------
    sources : EssSources
        What fed them (``meta``): cited in ``sources`` and ``vintage``.

    Returns
    -------
    list of Indicator
        Theme ``ess``. Job figures say "estimation" in their label and definition.
    """
    text = _definitions("ess_france_list" in sources.establishments)
    family_label = dict(FAMILIES)
    per = f"{ESS_PER_INHABITANTS:,.0f}".replace(",", " ")
    out = []
    for spec in _SPECS:
        family = COLUMN_KEYS[spec.column] if spec.column != ESS_COLUMN else None
        suffix = f" : {family_label[family].lower()}" if family else ""
        cited, vintage = sources.cite(population=spec.kind == "per_inhabitants")
        label, unit, formula, decimals, extra = {
            "count": (
                f"Établissements employeurs de l'ESS{suffix}",
                "établissements",
                "nombre d'établissements",
                0,
                text["family"] if family else "",
            ),
            "jobs": (
                f"Emplois salariés de l'ESS{suffix} (estimation)",
                "emplois (estimation)",
                "Σ emplois estimés des établissements (milieu de tranche)",
                0,
                text["jobs"] + (text["family"] if family else ""),
            ),
            "per_inhabitants": (
                f"Établissements employeurs de l'ESS pour {per} habitants",
                f"pour {per} hab.",
                f"{ESS_PER_INHABITANTS:g} × établissements ESS / population",
                1,
                " Population : celle du territoire dans l'entrepôt.",
            ),
            "share_count": (
                "Part de l'ESS dans les établissements employeurs",
                "%",
                "100 × établissements ESS / établissements employeurs actifs (tous)",
                1,
                " Dénominateur : tous les établissements actifs et employeurs du territoire.",
            ),
            "share_jobs": (
                "Part de l'ESS dans l'emploi salarié (estimation)",
                "%",
                "100 × emplois estimés ESS / emplois estimés de tous les établissements "
                "employeurs actifs",
                1,
                text["jobs"] + " Dénominateur : les emplois estimés de même de tous les "
                "établissements actifs et employeurs du territoire.",
            ),
        }[spec.kind]
        out.append(
            Indicator(
                id=spec.id,
                theme="ess",
                label=label,
                unit=unit,
                definition=text["scope"] + extra + text["secret"],
                formula=formula,
                sources=cited,
                vintage=vintage,
                higher_is_better=True,
                decimals=decimals,
                service_type=None,
                mode=None,
                threshold_min=None,
                kind=spec.indicator_kind,
                scope=spec.family,
            )
        )
    return out


def _ratio(num: FloatArray, den: FloatArray, scale: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)


def indicator_values(cells: EssCells, secret: BoolArray, layout: TerritoryLayout) -> pd.DataFrame:
    """Values of the ESS indicators for every territory (the ``indicator_values`` rows).

    Parameters
    ----------
    cells : EssCells
    secret : bool array (territories x columns)
        Blank cells (:func:`indicators.secrecy.protect`).
    layout : TerritoryLayout

    Returns
    -------
    DataFrame
        ``indicator_id``, ``level``, ``code``, ``value``, ``secret`` (bool),
        ``numerator``, ``denominator``: counts (numerator = value), estimated jobs
        (numerator = value), per 10 000 inhabitants (establishments / population),
        shares in % (ESS / all employing establishments, or their estimated jobs). A
        secret row has value, numerator and denominator NULL; a territory not
        published (incomplete) has NULL values and ``secret`` false; a ratio with a
        zero denominator is NULL. Pure.
    """
    frame = layout.frame
    published = layout.published
    population = frame["population"].to_numpy(dtype=np.float64)
    ess = ESS_COLUMN
    pieces = []
    for spec in _SPECS:
        col = spec.column
        hide = secret[:, col].copy()
        if spec.kind in ("count", "jobs"):
            source = cells.n if spec.kind == "count" else cells.jobs
            num, den = source[:, col], np.full(len(frame), np.nan)
            value = num.copy()
        elif spec.kind == "per_inhabitants":
            num, den = cells.n[:, ess], population
            value = _ratio(num, den, ESS_PER_INHABITANTS)
        else:
            source = cells.n if spec.kind == "share_count" else cells.jobs
            num, den = source[:, ess], source[:, ALL_COLUMN]
            value = _ratio(num, den, 100.0)
            hide |= secret[:, ALL_COLUMN]
        hide &= published
        blank = hide | ~published
        pieces.append(
            pd.DataFrame(
                {
                    "indicator_id": spec.id,
                    "level": frame["level"].to_numpy(),
                    "code": frame["code"].to_numpy(),
                    "value": np.where(blank, np.nan, value),
                    "secret": hide,
                    "numerator": np.where(blank, np.nan, num),
                    "denominator": np.where(blank, np.nan, den),
                }
            )
        )
    return pd.concat(pieces, ignore_index=True)


def sector_rows(cells: EssCells, secret: BoolArray, layout: TerritoryLayout) -> pd.DataFrame:
    """The ``ess_by_sector`` table: ESS establishments and estimated jobs by NAF section.

    Returns
    -------
    DataFrame
        ``level``, ``code``, ``naf_section`` (``A`` .. ``U``, ``?``), ``label`` (French
        section label), ``establishments``, ``jobs_estimate`` (estimated salaried jobs),
        ``secret`` (bool); one row per territory and section. Secret cells and
        territories not published have NULL figures (``secret`` false for the latter).
        Pure.
    """
    frame = layout.frame
    published = layout.published
    labels = [label for _, _, _, label in SECTIONS] + [UNKNOWN_SECTION_LABEL]
    cols = list(SECTION_COLUMNS)
    n_terr, n_sec = len(frame), len(cols)
    hide = secret[:, cols] & published[:, None]
    blank = hide | ~published[:, None]
    return pd.DataFrame(
        {
            "level": np.repeat(frame["level"].to_numpy(), n_sec),
            "code": np.repeat(frame["code"].to_numpy(), n_sec),
            "naf_section": np.tile(np.array(SECTION_KEYS, dtype=object), n_terr),
            "label": np.tile(np.array(labels, dtype=object), n_terr),
            "establishments": np.where(blank, np.nan, cells.n[:, cols]).ravel(),
            "jobs_estimate": np.where(blank, np.nan, cells.jobs[:, cols]).ravel(),
            "secret": hide.ravel(),
        }
    )
