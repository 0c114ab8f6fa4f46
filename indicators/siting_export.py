"""Siting and criticality results as French tables, text and files.

The column labels are declared once here (:data:`SITE_LABELS`,
:data:`CRITICAL_LABELS`, ...) and read by the command line, the exports and the
dashboard. Files are written atomically (:func:`indicators.exports.writers.atomic_write`):
CSV (the sites, or the critical sites), XLSX (one sheet per table plus a
« Méthode » sheet) or GeoPackage (the sites as points, WGS84).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from indicators.exports.contract import ExportError
from indicators.exports.writers import atomic_write
from indicators.siting import SitingResult

PLAN_FORMATS: Final = ("csv", "xlsx", "gpkg")

SITE_LABELS: Final = MappingProxyType(
    {
        "order": "Ordre",
        "label": "Site proposé",
        "commune_code": "Code commune",
        "commune_name": "Commune",
        "newly_within": "Habitants nouvellement à portée",
        "nearest_for": "Habitants dont c'est le site le plus proche",
        "minutes_saved": "Minutes gagnées (habitants × minutes)",
        "lon": "Longitude",
        "lat": "Latitude",
        "candidate_id": "Identifiant du candidat",
    }
)
AREA_LABELS: Final = MappingProxyType(
    {
        "epci_code": "Code EPCI",
        "epci_name": "EPCI",
        "commune_code": "Code commune",
        "commune_name": "Commune",
        "population": "Population",
        "before_share": "Part à portée avant (%)",
        "after_share": "Part à portée après (%)",
        "newly_within": "Habitants nouvellement à portée",
    }
)
SUMMARY_LABELS: Final = MappingProxyType(
    {
        "population": "Population du territoire",
        "before_within": "Habitants à portée avant",
        "after_within": "Habitants à portée après",
        "newly_within": "Habitants nouvellement à portée",
        "no_longer_within": "Habitants qui ne sont plus à portée",
        "before_share": "Part à portée avant (%)",
        "after_share": "Part à portée après (%)",
        "before_mean_minutes": "Temps moyen avant (min)",
        "after_mean_minutes": "Temps moyen après (min)",
        "uncertain_population": "Habitants écartés (état dépendant de l'emprise construite)",
        "unreached_population": "Habitants sans équipement atteignable avant",
    }
)
CRITICAL_LABELS: Final = MappingProxyType(
    {
        "rank": "Rang",
        "label": "Site",
        "commune_code": "Code commune",
        "commune_name": "Commune",
        "stranded": "Habitants qui passeraient au-delà du seuil",
        "stranded_next_minutes": "Temps moyen vers le site suivant (min)",
        "within": "Habitants à portée grâce à lui",
        "nearest_for": "Habitants dont c'est le site le plus proche",
        "uncertain": "Habitants à l'état incertain (emprise)",
        "n_facilities": "Équipements sur le site",
        "in_territory": "Dans le territoire",
        "lon": "Longitude",
        "lat": "Latitude",
        "facility_id": "Identifiant",
    }
)
OBJECTIVE_LABELS: Final = MappingProxyType(
    {
        "coverage": "couverture maximale (habitants nouvellement à portée)",
        "time": "p-médiane (temps moyen le plus court)",
    }
)
STATUS_LABELS: Final = MappingProxyType(
    {
        "optimal": "optimale",
        "time_limit": "limite de temps atteinte (meilleure solution trouvée)",
        "greedy": "heuristique gloutonne",
    }
)


def number(x: float, decimals: int = 0) -> str:
    """French number text: thin-space thousands, decimal comma; ``–`` for NaN."""
    if x is None or not np.isfinite(x):
        return "–"
    text = f"{x:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def labelled(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The columns of ``frame`` named in ``labels``, in that order, renamed."""
    cols = [c for c in labels if c in frame.columns]
    return frame[cols].rename(columns=dict(labels))


def summary_table(result: SitingResult) -> pd.DataFrame:
    """Two columns, « Mesure » and « Valeur », for the territory's figures."""
    rows = [(SUMMARY_LABELS[k], result.summary[k]) for k in SUMMARY_LABELS]
    return pd.DataFrame(rows, columns=["Mesure", "Valeur"])


def method_table(result: SitingResult) -> pd.DataFrame:
    """How the result was obtained (objective, solver, gap), « Clé » / « Valeur »."""
    rows = [
        ("Type d'équipement", result.service_type),
        ("Mode", result.mode),
        ("Seuil (min)", number(result.threshold_min, 1)),
        ("Objectif", OBJECTIVE_LABELS[result.objective]),
        ("Nouveaux sites demandés", str(result.n_new)),
        ("Sites existants", "conservés" if result.keep_existing else "ignorés (depuis zéro)"),
        ("Solution", STATUS_LABELS[result.optimal.status]),
        ("Écart relatif du solveur à sa borne (%)", number(100 * result.optimal.mip_gap, 2)),
        ("Valeur du solveur", number(result.optimal.value)),
        ("Valeur de l'heuristique gloutonne", number(result.greedy.value)),
        ("Gain du solveur sur l'heuristique (%)", number(result.gap_pct, 2)),
        ("Durée du solveur (s)", number(result.optimal.seconds, 2)),
        (
            "Modèle",
            "temps de trajet du moteur de l'entrepôt (mêmes vitesses et détours) ; "
            "population aux points de population de l'entrepôt",
        ),
        *(("Note", note) for note in result.notes),
    ]
    return pd.DataFrame(rows, columns=["Clé", "Valeur"])


def describe(result: SitingResult, territory: str) -> str:
    """A plain French text of the result, for the terminal."""
    s = result.summary
    lines = [
        f"{territory} — {result.service_type}, {result.mode}, "
        f"seuil {number(result.threshold_min)} min, {result.n_new} nouveau(x) site(s), "
        f"objectif {OBJECTIVE_LABELS[result.objective]}",
        "",
    ]
    for row in result.sites.itertuples(index=False):
        lines.append(
            f"  {row.order}. {row.label} ({row.commune_name}, {row.commune_code}) : "
            f"{number(row.newly_within)} habitant(s) nouvellement à portée, "
            f"site le plus proche de {number(row.nearest_for)} habitant(s)"
        )
    if not len(result.sites):
        lines.append("  aucun site candidat n'apporte d'habitant de plus")
    elif len(result.sites) < result.n_new:
        lines.append(
            f"  (seuls {len(result.sites)} site(s) apportent un gain : les autres n'amèneraient "
            "personne de plus)"
        )
    lines += [
        "",
        f"Habitants à portée : {number(s['before_within'])} -> {number(s['after_within'])} "
        f"({number(s['before_share'], 1)} % -> {number(s['after_share'], 1)} %), "
        f"soit {number(s['newly_within'])} de plus",
        f"Temps moyen : {number(s['before_mean_minutes'], 1)} -> "
        f"{number(s['after_mean_minutes'], 1)} min",
    ]
    for row in result.fracture.itertuples(index=False):
        lines.append(f"{row.label} : {number(row.before, 3)} -> {number(row.after, 3)}")
    best, greedy = result.optimal, result.greedy
    lines.append(
        f"Solution {STATUS_LABELS[best.status]} en {number(best.seconds, 2)} s "
        f"(valeur {number(best.value)}) ; heuristique gloutonne : {number(greedy.value)}, "
        f"écart {number(result.gap_pct, 1)} %"
    )
    if s["uncertain_population"]:
        lines.append(
            f"{number(s['uncertain_population'])} habitant(s) écarté(s) : leur état dépend "
            "d'équipements au-delà de la zone chargée autour du territoire"
        )
    lines += [f"Note : {note}" for note in result.notes]
    return "\n".join(lines)


def describe_critical(
    table: pd.DataFrame, territory: str, threshold_min: float, top: int = 10
) -> str:
    """The most critical sites as French text, for the terminal."""
    lines = [f"{territory} — sites indispensables (seuil {number(threshold_min)} min)", ""]
    for row in table.head(top).itertuples(index=False):
        lines.append(
            f"  {row.rank}. {row.label} ({row.commune_name}) : {number(row.stranded)} habitant(s) "
            f"passeraient au-delà du seuil, puis {number(row.stranded_next_minutes, 1)} min "
            "vers le site suivant"
        )
    if len(table) > top:
        lines.append(f"  … {len(table) - top} autre(s) site(s) (--out pour la liste complète)")
    return "\n".join(lines)


def write_plan(result: SitingResult, path: Path | str, fmt: str) -> Path:
    """Write a siting result: CSV (sites), XLSX (sites, territory, EPCI, communes,
    fractures, method) or GeoPackage (sites as WGS84 points)."""
    sites = labelled(result.sites, SITE_LABELS)
    sheets = {
        "Sites proposés": sites,
        "Territoire": summary_table(result),
        "EPCI": labelled(result.by_epci, AREA_LABELS),
        "Communes": labelled(result.by_commune, AREA_LABELS),
        "Fractures": result.fracture.drop(columns=["index"]).rename(
            columns={"label": "Indice", "before": "Avant", "after": "Après"}
        ),
        "Méthode": method_table(result),
    }
    return _write(sheets, result.sites, path, fmt, "sites_proposes")


def write_critical(table: pd.DataFrame, path: Path | str, fmt: str) -> Path:
    """Write the critical sites (CSV, XLSX or GeoPackage points)."""
    return _write(
        {"Sites indispensables": labelled(table, CRITICAL_LABELS)}, table, path, fmt, "sites"
    )


def _write(
    sheets: dict[str, pd.DataFrame], points: pd.DataFrame, path: Path | str, fmt: str, layer: str
) -> Path:
    if fmt not in PLAN_FORMATS:
        raise ExportError(f"format inconnu : {fmt!r} (attendu : {', '.join(PLAN_FORMATS)})")
    first = next(iter(sheets.values()))
    if fmt == "csv":
        return atomic_write(
            path, lambda tmp: first.to_csv(tmp, index=False, encoding="utf-8-sig"), ".csv"
        )
    if fmt == "xlsx":

        def write_book(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="xlsxwriter") as book:
                for name, frame in sheets.items():
                    frame.to_excel(book, sheet_name=name[:31], index=False)

        return atomic_write(path, write_book, ".xlsx")
    import geopandas

    frame = geopandas.GeoDataFrame(
        first,
        geometry=geopandas.points_from_xy(points["lon"], points["lat"]),
        crs="EPSG:4326",
    )

    def write_gpkg(tmp: Path) -> None:
        frame.to_file(tmp, layer=layer, driver="GPKG")

    return atomic_write(path, write_gpkg, ".gpkg")
