"""What an export writes next to its data: definitions, sources, rules, licences.

:class:`ExportMeta` gathers the indicator definitions (:class:`IndicatorMeta`), the
cited sources (:class:`SourceMeta`), the warehouse's build information and the legal
texts (statistical secrecy, partial territories, single-point populations, licences
and attributions); :func:`metadata_tables` lays them out as the three tables of the
XLSX sheet "Métadonnées" and of the GeoPackage metadata. Pure: no warehouse, no file
(:mod:`indicators.exports.frame` reads, :mod:`indicators.exports.writers` writes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Final

import pandas as pd

from geo.constants import SECRECY_MAX_SHARE, SECRECY_MIN_UNITS
from indicators.exports.contract import (
    COMPLETE_COLUMN,
    NOTE_SUFFIX,
    SECRECY_SUFFIX,
)
from indicators.indicator import IndicatorText

SECRECY_RULE: Final = (
    "Secret statistique (données d'établissements, thème ESS) : une case n'est diffusée "
    f"que si elle compte au moins {SECRECY_MIN_UNITS} établissements et si aucun ne porte "
    f"plus de {SECRECY_MAX_SHARE * 100:g} % du total (emplois estimés) ; un secret "
    "secondaire empêche de recalculer une case secrète à partir des totaux. Une case "
    f"secrète est laissée vide (jamais 0) et sa colonne « <indicateur>{SECRECY_SUFFIX} » "
    "vaut vrai ; une case vide sans ce drapeau n'est pas calculable."
)
PARTIAL_RULE: Final = (
    "Territoire partiel (territoire_complet = faux) : certaines de ses communes sont hors "
    "de l'entrepôt ; sa population et ses indicateurs sont laissés vides."
)
SINGLE_POINT_NOTE: Final = (
    "Valeurs communales calculées sur un seul point (la mairie) : une commune est à 0 % "
    "ou 100 %. Toute la population d'une commune est placée en un point (la mairie, ou "
    "un point intérieur) faute de carroyage de population à 200 m ; l'erreur mesurée sur "
    "un bloc réel du carroyage Filosofi 2021 est donnée dans le README (limites connues)."
)
# build_info key and value saying that each commune's population sits at one point.
_PLACEMENT_KEY: Final = "population_points"
_SINGLE_POINT: Final = "mairie"
_ETALAB: Final = (
    "Licence Ouverte / Open Licence Etalab 2.0 : réutilisation libre, y compris "
    "commerciale, en mentionnant la source et la date de mise à jour."
)
_ODBL: Final = (
    "ODbL (Open Database License) : mentionner la source ; une base dérivée diffusée "
    "doit rester sous ODbL."
)
_OSM: Final = (
    "Réseau routier © les contributeurs d'OpenStreetMap, sous ODbL 1.0 "
    "(temps de trajet calculés sur le réseau)."
)


@dataclass(frozen=True)
class IndicatorMeta(IndicatorText):
    """One exported indicator: the registry row, and its secrecy flag column if any."""

    decimals: int
    secret_column: str | None = None
    note_column: str | None = None


@dataclass(frozen=True)
class SourceMeta:
    """One catalogue source cited by the export (a row of the ``meta`` table)."""

    dataset: str
    title: str
    publisher: str
    vintage: str
    licence: str
    status: str
    url: str
    # "" for the official file; the label of the embedded real sample when the build
    # loaded it instead ("échantillon embarqué (Ille-et-Vilaine et 60 km autour)").
    provenance: str = ""


@dataclass(frozen=True)
class ExtraIndicator:
    """An indicator computed by the caller (the dashboard's figures from base tables).

    ``values`` maps a territory code to its value (``None`` when missing); codes not
    listed are missing. These figures carry no statistical secrecy.
    """

    meta: IndicatorMeta
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class ExportMeta:
    """Everything written next to the data: definitions, sources, rules, build."""

    level: str
    scope: str
    theme: str
    indicators: tuple[IndicatorMeta, ...]
    build: tuple[tuple[str, str], ...]
    sources: tuple[SourceMeta, ...]
    attributions: tuple[str, ...]
    partial: tuple[str, ...]
    crs_epsg: int | None
    exported_at: str
    context: tuple[tuple[str, str], ...] = field(default=())

    @property
    def decimals(self) -> dict[str, int]:
        """Display decimals of each indicator column."""
        return {i.id: i.decimals for i in self.indicators}

    def key_values(self) -> list[tuple[str, str]]:
        """The export's description as (key, value) rows, in French."""
        build = dict(self.build)
        rows = [
            ("niveau", self.level),
            ("territoires exportés", self.scope),
            ("thème", self.theme),
            ("nombre d'indicateurs", str(len(self.indicators))),
            ("entrepôt : territoire construit", build.get("territory", "non renseigné")),
            ("entrepôt : date de construction", build.get("built_at", "non renseignée")),
            ("exporté le", self.exported_at),
            ("secret statistique", SECRECY_RULE),
            ("territoires partiels", PARTIAL_RULE),
            ("codes des territoires partiels", ", ".join(self.partial) or "aucun"),
        ]
        if self.population_note:
            rows.append(("points de population", self.population_note))
        if self.crs_epsg is not None:
            rows.append(("système de coordonnées", f"EPSG:{self.crs_epsg}"))
        rows += list(self.context)
        rows += [
            (f"entrepôt : {k}", v) for k, v in self.build if k not in ("territory", "built_at")
        ]
        rows += [("licence et attribution", text) for text in self.attributions]
        sampled = [s for s in self.sources if s.provenance]
        if sampled:
            rows.append(
                (
                    "échantillon embarqué",
                    f"{', '.join(s.dataset for s in sampled)} : {sampled[0].provenance}, "
                    "extraits réels des fichiers officiels (mêmes lignes, millésime d'origine "
                    "indiqué), chargés faute de miroir, de cache et de réseau ; les valeurs ne "
                    "valent que pour ce territoire",
                )
            )
        return rows

    @property
    def population_note(self) -> str:
        """:data:`SINGLE_POINT_NOTE` when the build placed each commune's population at
        one point (``build_info.population_points = 'mairie'``), else ""."""
        single = dict(self.build).get(_PLACEMENT_KEY) == _SINGLE_POINT
        return SINGLE_POINT_NOTE if single else ""

    def to_json(self) -> str:
        """The metadata as JSON (stored in the Parquet schema)."""
        data = asdict(self)
        data["secrecy_rule"], data["partial_rule"] = SECRECY_RULE, PARTIAL_RULE
        if self.population_note:
            data["population_note"] = self.population_note
        return json.dumps(data, ensure_ascii=False)


def metadata_tables(
    meta: ExportMeta,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(indicators, key/values, sources) tables of the metadata, with French headers."""
    indicators = pd.DataFrame(
        [
            (*_text_fields(i), str(i.decimals), i.secret_column or "", i.note_column or "")
            for i in meta.indicators
        ],
        columns=list(_INDICATOR_HEADER),
    )
    keys = pd.DataFrame(meta.key_values(), columns=["clé", "valeur"])
    sources = pd.DataFrame(
        [
            (
                s.dataset,
                s.title,
                s.publisher,
                s.vintage,
                s.licence,
                s.status,
                s.url,
                s.provenance or "fichier officiel",
            )
            for s in meta.sources
        ],
        columns=list(_SOURCE_HEADER),
    )
    return indicators, keys, sources


def _text_fields(i: IndicatorMeta) -> tuple[str, ...]:
    return (i.id, i.label, i.unit, i.definition, i.formula, i.sources, i.vintage)


_INDICATOR_HEADER: Final = (
    "identifiant",
    "libellé",
    "unité",
    "définition",
    "formule",
    "sources",
    "millésime",
    "décimales",
    "colonne secret",
    "colonne motif (valeur non disponible)",
)
_SOURCE_HEADER: Final = (
    "jeu de données",
    "titre",
    "producteur",
    "millésime",
    "licence",
    "statut",
    "adresse",
    "provenance",
)


def attributions(sources: Sequence[SourceMeta], *, road_network: bool) -> tuple[str, ...]:
    """One line per cited source (publisher, title, vintage, licence), then the terms
    of the licences; OpenStreetMap when ``road_network`` (the exported travel times
    ran on the road network)."""
    lines = [
        f"{s.publisher or s.dataset} — {s.title or s.dataset} ({s.vintage}) — {s.licence}"
        + (f" — {s.provenance}" if s.provenance else "")
        for s in sources
    ]
    licences = " ".join(s.licence for s in sources).lower()
    if "licence ouverte" in licences:
        lines.append(_ETALAB)
    if "odbl" in licences:
        lines.append(_ODBL)
    if road_network:
        lines.append(_OSM)
    return tuple(lines)


# French headers of the base columns (the ids stay in the second header row).
_BASE_LABELS: Final = {
    "code": "Code",
    "nom": "Nom",
    "niveau": "Niveau",
    "population": "Population (hab.)",
    COMPLETE_COLUMN: "Territoire complet dans l'entrepôt",
}
HEADER_ROWS_NOTE: Final = (
    "ligne 1 : libellés en français ; ligne 2 : identifiants des colonnes "
    "(ceux de territoires export et des autres formats)"
)


def column_labels(meta: ExportMeta, columns: Sequence[str]) -> list[str]:
    """French header of each column: base columns in words, an indicator by its label
    and unit ("Part de la population ... (%)"), its secrecy and note columns after it.

    Parameters
    ----------
    meta : ExportMeta
        The export's indicators (labels, units, their extra columns).
    columns : sequence of str
        Column names (ids) of the frame, in order.

    Returns
    -------
    list of str
        One label per column; an unknown column keeps its name.
    """
    by_id = {i.id: i for i in meta.indicators}
    out = []
    for c in columns:
        if c in _BASE_LABELS:
            out.append(_BASE_LABELS[c])
        elif c in by_id:
            i = by_id[c]
            out.append(f"{i.label} ({i.unit})" if i.unit else i.label)
        elif c.endswith(SECRECY_SUFFIX) and c.removesuffix(SECRECY_SUFFIX) in by_id:
            out.append(f"{by_id[c.removesuffix(SECRECY_SUFFIX)].label} : secret statistique")
        elif c.endswith(NOTE_SUFFIX) and c.removesuffix(NOTE_SUFFIX) in by_id:
            out.append(f"{by_id[c.removesuffix(NOTE_SUFFIX)].label} : pourquoi pas de valeur")
        else:
            out.append(c)
    return out
