"""Données & méthodes: the load log (vintage, rows, origin, licence), missing
sources with their reasons, indicator definitions, exports of the current view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import request

from dashboards import downloads, ids, queries
from dashboards.components import exports, sources
from dashboards.components.controls import LEVEL_OPTIONS, THEMES
from dashboards.formatting import titled
from dashboards.permalink import Context, ViewState, check_territory, join_territory, to_url
from dashboards.queries import Warehouse

_EXPORT_KINDS = {
    ids.DATA_EXPORT_CSV: "csv",
    ids.DATA_EXPORT_XLSX: "xlsx",
    ids.DATA_EXPORT_GPKG: "gpkg",
}


def _scope_text(wh: Warehouse, state: ViewState) -> str:
    """Which rows an export of this view holds (French sentence)."""
    scope = downloads.export_scope(state.level, state.territory)
    if scope is None:
        return "Lignes exportées : tous les territoires de ce niveau dans l'entrepôt."
    place = queries.territory(wh, *scope)
    name = place.name if place else scope[1]
    return f"Lignes exportées : territoires de ce niveau situés dans {name}."


def layout(wh: Warehouse, state: ViewState) -> html.Div:
    meta = queries.meta(wh)
    ind = queries.indicator(wh, state.indicator)
    current = (
        f"{titled(ind)}, niveau {LEVEL_OPTIONS[state.level].lower()}"
        if ind is not None
        else "aucun indicateur"
    )
    notice = (
        []
        if queries.has_indicator_tables(wh)
        else [
            html.P(
                "Indicateurs d'accès non calculés dans cet entrepôt : seules les données "
                "de base calculées par le tableau de bord sont décrites.",
                className="notice",
            )
        ]
    )
    return html.Div(
        [
            html.H1("Données & méthodes", className="page-title"),
            html.Section(
                [
                    html.H2("Exporter la vue courante"),
                    html.P(f"Vue : {current}. {_scope_text(wh, state)}"),
                    html.P(
                        "Mêmes fichiers que la commande `territoires export` : colonnes code, "
                        "nom, niveau, population, puis une colonne par indicateur ; valeurs "
                        "secrètes ou non calculables laissées vides (jamais 0).",
                        className="field-help",
                    ),
                    exports.export_buttons(
                        {
                            ids.DATA_EXPORT_CSV: "CSV (séparateur ;, UTF-8)",
                            ids.DATA_EXPORT_XLSX: "XLSX (avec feuille Métadonnées)",
                            ids.DATA_EXPORT_GPKG: "GeoPackage (avec géométrie)",
                        },
                        ids.DATA_DOWNLOAD,
                        ids.DATA_EXPORT_STATUS,
                    ),
                    dcc.Store(id=ids.selection("donnees")),
                ],
                className="exports no-print",
            ),
            html.Section(
                [
                    html.H2("Sources manquantes : ce qui vous manque"),
                    sources.missing_sources(
                        meta,
                        queries.theme_missing_sources(wh),
                        THEMES,
                        themes_shown={i.theme for i in queries.indicators(wh)},
                    ),
                ]
            ),
            html.Section([html.H2("Sources chargées"), sources.loaded_sources(meta)]),
            html.Section([html.H2("Usage des sources"), sources.usage(queries.meta_usage(wh))]),
            html.Section([html.H2("Entrepôt"), sources.build(queries.build_info(wh))]),
            html.Section(
                [
                    html.H2("Définitions des indicateurs"),
                    *notice,
                    *sources.definitions(queries.indicators(wh)),
                ]
            ),
        ],
        className="donnees",
    )


def register(app: Dash, wh_of: Callable[[], Warehouse], context: Callable[[], Context]) -> None:
    @app.callback(
        Output(ids.DATA_DOWNLOAD, "data"),
        Output(ids.DATA_EXPORT_STATUS, "children"),
        Input(ids.DATA_EXPORT_CSV, "n_clicks"),
        Input(ids.DATA_EXPORT_XLSX, "n_clicks"),
        Input(ids.DATA_EXPORT_GPKG, "n_clicks"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def export(_c: int, _x: int, _g: int, view: dict[str, Any] | None) -> tuple[Any, str]:
        kind = _EXPORT_KINDS[ctx.triggered_id]
        origin = request.host_url.rstrip("/")
        return downloads.download(wh_of(), ViewState.from_dict(view), kind, origin)

    @app.callback(
        Output(ids.URL, "href"),
        Input(ids.selection("donnees"), "data"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def open_portrait(selection: dict[str, Any] | None, view: dict[str, Any] | None) -> str:
        """A search pick on this page opens the portrait of the commune."""
        if not selection:
            raise PreventUpdate
        checked = check_territory(str(selection.get("territory", "")), context())
        if not isinstance(checked, tuple):
            raise PreventUpdate
        state = ViewState.from_dict(view).with_(
            page="portrait", territory=join_territory(*checked), reference=""
        )
        return to_url(state)
