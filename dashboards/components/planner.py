"""The planner (what-if) panel: controls, the list of simulated changes and the
coverage delta in words and figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.components.controls import dropdown
from dashboards.components.row_table import row_table
from dashboards.formatting import integer, number, with_unit
from dashboards.queries import ServiceType
from dashboards.simulation import MODES, SITING_MAX_NEW, Changes
from indicators.siting import SitingResult
from indicators.whatif import WhatIfResult

PLANNER_MODES = {
    "off": "Désactivé (un clic choisit un territoire)",
    "add": "Ajouter : cliquer sur la carte",
    "remove": "Retirer : cliquer sur un équipement affiché",
}


def controls(
    service_types: Sequence[ServiceType], reason: str, thresholds: Sequence[float] = ()
) -> html.Section:
    default = next((s.code for s in service_types if s.code == "FRANCE_SERVICES"), None)
    if default is None and service_types:
        default = service_types[0].code
    return html.Section(
        [
            html.H2("Simulateur « et si… »", className="panel-title"),
            html.P(reason, className="notice") if reason else "",
            html.Fieldset(
                [
                    html.Legend("Mode du clic sur la carte", className="field-label"),
                    dcc.RadioItems(
                        id=ids.PLANNER_MODE,
                        options=[
                            {"label": v, "value": k, "disabled": bool(reason) and k != "off"}
                            for k, v in PLANNER_MODES.items()
                        ],
                        value="off",
                        className="radio",
                        inputClassName="radio-input",
                        labelClassName="radio-label",
                    ),
                ],
                className="field",
            ),
            html.Div(
                [
                    html.Label(
                        "Type d'équipement simulé",
                        htmlFor=ids.PLANNER_TYPE,
                        className="field-label",
                    ),
                    dropdown(
                        ids.PLANNER_TYPE,
                        options=[{"label": s.label, "value": s.code} for s in service_types],
                        value=default,
                        clearable=False,
                    ),
                ],
                className="field",
            ),
            html.Div(
                [
                    html.Label(
                        "Mode de déplacement", htmlFor=ids.PLANNER_TRAVEL, className="field-label"
                    ),
                    dropdown(
                        ids.PLANNER_TRAVEL,
                        options=[{"label": v, "value": k} for k, v in MODES.items()],
                        value="car",
                        clearable=False,
                        searchable=False,
                    ),
                ],
                className="field",
            ),
            html.Button(
                "Effacer la simulation",
                id=ids.PLANNER_RESET,
                n_clicks=0,
                type="button",
                className="button",
            ),
            html.Div(id=ids.PLANNER_LIST, className="planner-list"),
            html.Div(id=ids.PLANNER_RESULT, className="planner-result", **{"aria-live": "polite"}),
            dcc.Store(id=ids.PLANNER_CHANGES, data=Changes().to_store()),
            siting_controls(reason, thresholds),
        ],
        className="planner no-print",
        **{"aria-label": "Simulateur"},
    )


def siting_controls(reason: str, thresholds: Sequence[float]) -> html.Div:
    """« Proposer N sites » and « Sites indispensables » (same type and travel mode
    as the what-if, in the département of the selected territory)."""
    default = 20.0 if 20.0 in thresholds else (thresholds[0] if thresholds else None)
    return html.Div(
        [
            html.H3("Où implanter, que préserver ?", className="panel-subtitle"),
            html.P(
                "Pour le type d'équipement et le mode ci-dessus, dans le département du "
                "territoire choisi : les mairies où de nouveaux sites mettraient le plus "
                "d'habitants à portée (existants conservés), ou les sites existants dont "
                "la fermeture laisserait le plus d'habitants au-delà du seuil.",
                className="field-help",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(
                                "Nouveaux sites",
                                htmlFor=ids.PLANNER_SITES_N,
                                className="field-label",
                            ),
                            dcc.Input(
                                id=ids.PLANNER_SITES_N,
                                type="number",
                                min=1,
                                max=SITING_MAX_NEW,
                                step=1,
                                value=3,
                                className="number-input",
                            ),
                        ],
                        className="field field-inline",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Seuil", htmlFor=ids.PLANNER_THRESHOLD, className="field-label"
                            ),
                            dropdown(
                                ids.PLANNER_THRESHOLD,
                                options=[
                                    {
                                        "label": f"{number(t, 0 if t.is_integer() else 1)} min",
                                        "value": t,
                                    }
                                    for t in thresholds
                                ],
                                value=default,
                                clearable=False,
                                searchable=False,
                            ),
                        ],
                        className="field field-inline",
                    ),
                ],
                className="field-row",
            ),
            html.Div(
                [
                    html.Button(
                        "Proposer des sites",
                        id=ids.PLANNER_PROPOSE,
                        n_clicks=0,
                        type="button",
                        className="button",
                        disabled=bool(reason),
                    ),
                    html.Button(
                        "Sites indispensables",
                        id=ids.PLANNER_CRITICAL,
                        n_clicks=0,
                        type="button",
                        className="button",
                        disabled=bool(reason),
                    ),
                ],
                className="button-row",
            ),
            html.Div(id=ids.PLANNER_SITING, className="planner-result", **{"aria-live": "polite"}),
            html.Button(
                "Télécharger la proposition (XLSX)",
                id=ids.PLANNER_SITING_EXPORT,
                n_clicks=0,
                type="button",
                className="button",
                disabled=True,
                title="Proposer d'abord des sites",
            ),
            dcc.Store(id=ids.PLANNER_SITING_ASKED),
            dcc.Download(id=ids.PLANNER_SITING_DOWNLOAD),
        ],
        className="planner-siting",
    )


def proposal(r: SitingResult, where: str, type_label: str) -> Component:
    """The proposed sites, their gains and the before/after figures (figures of
    :func:`indicators.siting.plan_sites`, never invented)."""
    s = r.summary
    minutes = number(r.threshold_min, 0 if float(r.threshold_min).is_integer() else 1)
    mode = MODES.get(r.mode, r.mode)
    if not len(r.sites):
        return html.P(
            f"{where} : aucune mairie n'amènerait d'habitant de plus à {minutes} min ou moins "
            f"{mode} d'un équipement « {type_label} ».",
            className="planner-sentence",
        )
    sentence = (
        f"{where} : {len(r.sites)} site(s) « {type_label} » dans ces communes mettraient "
        f"{integer(s['newly_within'])} habitants de plus à {minutes} min ou moins {mode} ; "
        f"part couverte {with_unit(s['before_share'], '%', 1)} → "
        f"{with_unit(s['after_share'], '%', 1)}."
    )
    sites = html.Ol(
        [
            html.Li(
                [
                    html.Strong(str(row.commune_name)),
                    f" : {integer(row.newly_within)} habitants de plus à {minutes} min ; "
                    f"site le plus proche de {integer(row.nearest_for)} habitants",
                ]
            )
            for row in r.sites.itertuples(index=False)
        ],
        className="planner-sites",
    )
    gini = r.fracture.set_index("index")
    figures = row_table(
        ("", "Avant", "Après"),
        [
            (
                f"Habitants à {minutes} min ou moins",
                integer(s["before_within"]),
                integer(s["after_within"]),
            ),
            (
                "Temps moyen",
                with_unit(s["before_mean_minutes"], "min", 1),
                with_unit(s["after_mean_minutes"], "min", 1),
            ),
            (
                "Gini des parts entre communes",
                number(gini.loc["gini_share", "before"], 3),
                number(gini.loc["gini_share", "after"], 3),
            ),
        ],
        class_name="planner-table",
    )
    epci = r.by_epci[r.by_epci["newly_within"] > 0].sort_values("newly_within", ascending=False)
    by_epci = html.Ul(
        [
            html.Li(
                f"{row.epci_name} : +{integer(row.newly_within)} habitants, part "
                f"{with_unit(row.before_share, '%', 1)} → {with_unit(row.after_share, '%', 1)}"
            )
            for row in epci.itertuples(index=False)
        ],
        className="planner-epci",
    )
    how = (
        f"Couverture maximale résolue par HiGHS ({_status_text(r)}) ; l'heuristique gloutonne "
        f"atteint {integer(r.greedy.value)} habitants (écart {number(r.gap_pct, 1)} %). "
        "Candidats : la mairie de chaque commune ; temps du modèle de l'entrepôt."
    )
    notes = [html.P(n, className="notice") for n in r.notes]
    if s["uncertain_population"]:
        notes.append(
            html.P(
                f"{integer(s['uncertain_population'])} habitants écartés : leur accès dépend "
                "d'équipements au-delà de la zone chargée autour du territoire.",
                className="notice",
            )
        )
    return html.Div(
        [
            html.P(sentence, className="planner-sentence"),
            sites,
            figures,
            html.P("Par EPCI :", className="field-label"),
            by_epci,
            html.P(how, className="field-help"),
            *notes,
        ]
    )


def _status_text(r: SitingResult) -> str:
    if r.optimal.status == "optimal":
        return f"solution optimale en {number(r.optimal.seconds, 2)} s"
    return (
        f"limite de temps atteinte : meilleure solution trouvée, écart à la borne "
        f"{number(100 * r.optimal.mip_gap, 1)} %"
    )


def critical_list(
    table: pd.DataFrame, where: str, type_label: str, threshold_min: float
) -> Component:
    """The existing sites most inhabitants depend on, most critical first."""
    minutes = number(threshold_min, 0 if float(threshold_min).is_integer() else 1)
    if not len(table):
        return html.P(f"{where} : aucun équipement « {type_label} » ne sert ce territoire.")
    items = [
        html.Li(
            [
                html.Strong(f"{row.label} ({row.commune_name})"),
                f" : {integer(row.stranded)} habitants passeraient au-delà de {minutes} min, "
                f"puis {with_unit(row.stranded_next_minutes, 'min', 1)} vers le site suivant",
            ],
            value=int(row.rank),
        )
        for row in table.head(10).itertuples(index=False)
    ]
    return html.Div(
        [
            html.P(
                f"{where} : les sites « {type_label} » dont la fermeture laisserait le plus "
                f"d'habitants au-delà de {minutes} min (en rouge, puis orange, sur la carte ; "
                "gris : aucun).",
                className="planner-sentence",
            ),
            html.Ol(items, className="planner-critical"),
            html.P(
                f"{len(table)} site(s) au total ; un site dont les habitants ont un autre site "
                "à portée n'en laisse aucun.",
                className="field-help",
            ),
        ]
    )


def changes_list(changes: Changes, places: Sequence[str] = ()) -> Component:
    """The simulated changes; ``places``: the commune of each added site ("Redon (35)",
    "" when outside the build's communes), named before its coordinates."""
    named = list(places) + [""] * (len(changes.add) - len(places))
    items = [
        html.Li(f"Ajout n° {i} : {'à ' + place + ' — ' if place else ''}{_position(lon, lat)}")
        for i, ((lon, lat), place) in enumerate(zip(changes.add, named, strict=False), start=1)
    ] + [html.Li(f"Retrait : {r.label}") for r in changes.remove]
    if not items:
        return html.P("Aucun changement simulé.", className="field-help")
    return html.Ul(items)


def _position(lon: float, lat: float) -> str:
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "O"
    return f"{number(abs(lat), 4)}° {ns}, {number(abs(lon), 4)}° {ew}"


@dataclass(frozen=True)
class LocalEffect:
    """The what-if seen from a smaller territory: the sums of its communes' rows of
    ``WhatIfResult.by_commune`` (``partial``: some of its communes are outside the
    evaluated territory, so the figures cover only those inside)."""

    label: str
    population: float
    old_within: float
    new_within: float
    partial: bool = False


def local_table(effects: Sequence[LocalEffect], minutes: str) -> Component:
    """Per territory: inhabitants gained and the share before and after."""
    rows = []
    for e in effects:
        share = (
            (
                with_unit(100 * e.old_within / e.population, "%", 1),
                with_unit(100 * e.new_within / e.population, "%", 1),
            )
            if e.population
            else ("—", "—")
        )
        label = e.label + (" (communes du département évalué seulement)" if e.partial else "")
        rows.append((label, integer(e.new_within - e.old_within), *share))
    return row_table(
        ("Territoire", f"Habitants gagnés à {minutes} min", "Part avant", "Part après"),
        rows,
        class_name="planner-table planner-local",
    )


def result(
    r: WhatIfResult, where: str, type_label: str, local: Sequence[LocalEffect] = ()
) -> Component:
    """The delta, in one sentence and a small table (never invented: figures of
    :func:`indicators.whatif.what_if`); ``local``: the same seen from the selected
    commune and its EPCI."""
    mode = MODES.get(r.mode, r.mode)
    minutes = number(r.threshold_min, 0 if float(r.threshold_min).is_integer() else 1)
    sentence = (
        f"{where} : {integer(r.newly_within)} habitants de plus à {minutes} min ou moins "
        f"{mode} d'un équipement « {type_label} »"
        + (f", {integer(r.no_longer_within)} de moins" if r.no_longer_within else "")
        + f" ; part couverte {with_unit(r.old_share, '%', 1)} → {with_unit(r.new_share, '%', 1)}."
    )
    rows = [
        (f"Habitants à {minutes} min ou moins", integer(r.old_within), integer(r.new_within)),
        ("Part de la population", with_unit(r.old_share, "%", 1), with_unit(r.new_share, "%", 1)),
        (
            "Temps moyen",
            with_unit(r.old_mean_minutes, "min", 1),
            with_unit(r.new_mean_minutes, "min", 1),
        ),
    ]
    table = row_table(("", "Avant", "Après"), rows, class_name="planner-table")
    parts: list[Component] = [html.P(sentence, className="planner-sentence"), table]
    if local:
        parts.append(local_table(local, minutes))
    return html.Div(parts)
