"""The planner (what-if) panel: controls, the list of simulated changes and the
coverage delta in words and figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.components.controls import dropdown
from dashboards.components.row_table import row_table
from dashboards.formatting import integer, number, with_unit
from dashboards.queries import ServiceType
from dashboards.simulation import MODES, Changes
from indicators.whatif import WhatIfResult

PLANNER_MODES = {
    "off": "Désactivé (un clic choisit un territoire)",
    "add": "Ajouter : cliquer sur la carte",
    "remove": "Retirer : cliquer sur un équipement affiché",
}


def controls(service_types: Sequence[ServiceType], reason: str) -> html.Section:
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
        ],
        className="planner no-print",
        **{"aria-label": "Simulateur"},
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
