"""Carte: choropleth of any indicator at any level, facility layers, planner, legend,
one-sentence summary and the data-table twin.

Geometry is fetched once per level from a versioned URL; every other change only
sends the layer ``hideout`` (classes, values, ranks, colours).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import dash_leaflet as dl
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import request

from dashboards import downloads, ids, notes, queries
from dashboards.components import controls, exports, legend, planner, portrait, table
from dashboards.figures import choropleth
from dashboards.figures.histogram import histogram
from dashboards.formatting import titled
from dashboards.pages import _planner
from dashboards.permalink import (
    DEFAULT_K,
    Context,
    ViewState,
    check_territory,
    join_territory,
    split_territory,
    to_url,
)
from dashboards.portrait_data import code_at_level
from dashboards.portrait_data import portrait as gather_portrait
from dashboards.queries import Warehouse
from dashboards.routes import geo_url, map_url
from dashboards.simulation import siting_thresholds, unavailable_reason
from etl.vocabulary import LEVEL_PLURAL

# Okabe-Ito colours (colour-blind safe) for facility types, in order of selection.
FACILITY_COLOURS = (
    "#e69f00",
    "#56b4e9",
    "#009e73",
    "#f0e442",
    "#0072b2",
    "#d55e00",
    "#cc79a7",
    "#000000",
)
EMPTY = {"type": "FeatureCollection", "features": []}
_STYLE = {"variable": "territoires.choropleth.style"}
_EACH = {"variable": "territoires.choropleth.onEachFeature"}
_FILTER = {"variable": "territoires.choropleth.filter"}
_HOVER = {"variable": "territoires.choropleth.hover"}
_OUTLINE = {"variable": "territoires.context.outline"}
_TOWN = {"variable": "territoires.context.town"}
_EXPORT_KINDS = {
    ids.EXPORT_CSV: "csv",
    ids.EXPORT_XLSX: "xlsx",
    ids.EXPORT_GPKG: "gpkg",
    ids.EXPORT_THEME: "xlsx",
}


@dataclass(frozen=True)
class MapView:
    url: str
    hideout: dict[str, Any]
    legend: html.Div
    summary: str
    base: str  # codes, names, populations of the level (table rows), packed
    columns: list[dict[str, Any]]


@lru_cache(maxsize=128)
def _model(
    wh: Warehouse, indicator_id: str, level: str, method: str, k: int, palette: str, sel: str
) -> choropleth.MapModel:
    ind = queries.indicator(wh, indicator_id)
    if ind is None:
        raise KeyError(indicator_id)
    return choropleth.build(
        level,
        queries.territories(wh, level),
        queries.indicator_values(wh, indicator_id, level),
        ind,
        method=method,
        k=k,
        palette=palette,
        selected=sel,
        one_point=notes.one_point(ind, level, queries.population_points_kind(wh)),
    )


def map_view(wh: Warehouse, state: ViewState) -> MapView:
    """Everything that changes with the indicator, level or classes."""
    ind = queries.indicator(wh, state.indicator)
    if ind is None:
        raise KeyError(state.indicator)
    sel = code_at_level(wh, state.territory, state.level)
    model = _model(wh, ind.id, state.level, state.classification, state.k, state.palette, sel)
    level_label = controls.LEVEL_OPTIONS[state.level]
    title = f"{titled(ind)} — {LEVEL_PLURAL[state.level]}"
    values = queries.indicator_values(wh, ind.id, state.level)
    one_point = notes.one_point(ind, state.level, queries.population_points_kind(wh))
    return MapView(
        map_url(wh, state.level),
        model.hideout,
        legend.legend(
            title,
            model.legend,
            model.classes.note,
            commitment=notes.commitment_legend(
                ind, (None if v.secret else v.value for v in values), state.level
            ),
            one_point=notes.one_point_note(ind) if one_point else "",
            direction=choropleth.direction_text(ind),
            source=f"Sources et millésimes : {ind.vintage or ind.sources or 'non renseignés'}.",
            distribution=histogram(
                [None if v.secret else v.value for v in values],
                model.classes,
                model.hideout["colors"],
            ),
            decimals=ind.decimals,
            plural=LEVEL_PLURAL[state.level],
        ),
        model.summary,
        _base(wh, state.level),
        table.column_defs(
            ind, level_label.rstrip("s"), model.notes, beyond="beyond" in model.hideout
        ),
    )


def packed(data: dict[str, Any]) -> str:
    """A store's data as one JSON text, unpacked in the browser
    (``assets/territoires_map.js`` unpack): Dash walks every element of an object
    or array it receives, looking for components (0.5 s for the five arrays of 34 875
    communes), never the inside of a string."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@lru_cache(maxsize=8)
def _base(wh: Warehouse, level: str) -> str:
    """The table rows' shared columns of a level, packed (sent when the level changes)."""
    return packed(table.base_data(queries.territories(wh, level)))


def facility_layer(wh: Warehouse, codes: tuple[str, ...]) -> tuple[dict, dict, Any]:
    """Data, hideout (colours) and legend of the facility layer."""
    labels = {st.code: st.label for st in queries.service_types(wh) if st.code in codes}
    colours = {c: FACILITY_COLOURS[i % len(FACILITY_COLOURS)] for i, c in enumerate(labels)}
    data = queries.facilities_geojson(wh, tuple(sorted(labels)))
    return data, {"colors": colours}, legend.facility_legend(labels, colours)


def _tiles(on: bool) -> list[dl.TileLayer]:
    if not on:
        return []
    return [dl.TileLayer(url=controls.OSM_TILES, attribution=controls.OSM_ATTRIBUTION, maxZoom=19)]


def _panel(wh: Warehouse, state: ViewState) -> list[Any] | html.P | str:
    if not state.territory:
        return html.P(
            "Cliquez un territoire ou utilisez la recherche pour afficher son portrait.",
            className="field-help",
        )
    p = gather_portrait(wh, state.territory, state.reference)
    if p is None:
        return ""
    return portrait.panel(p, state.indicator, to_url(state.with_(page="portrait")))


def _view_kwargs(wh: Warehouse, state: ViewState) -> dict[str, Any]:
    """Initial view: the URL's centre and zoom, else the territory's (or the build's)
    bounds (no zoom: react-leaflet prefers centre+zoom over bounds; dash-leaflet
    still needs a centre to track the view)."""
    if state.lat is not None and state.lon is not None and state.zoom is not None:
        return {"center": [state.lat, state.lon], "zoom": state.zoom}
    level, code = split_territory(state.territory) if state.territory else ("commune", "")
    bounds = queries.territory_bounds(wh, level, code) or queries.territory_bounds(wh, "", "")
    if not bounds:
        return {"center": [46.6, 2.4], "zoom": 6}
    (s, w), (n, e) = bounds
    return {"center": [(s + n) / 2, (w + e) / 2], "bounds": [[s, w], [n, e]]}


def _stops(wh: Warehouse, on: bool) -> dict[str, Any]:
    """The stops layer's data: the timetables' stops when asked, else nothing."""
    return queries.transit_stops_geojson(wh) if on else EMPTY


def _point_layers(
    fac_data: dict[str, Any], fac_hideout: dict[str, Any], stops: dict[str, Any]
) -> list[dl.GeoJSON]:
    """Facilities (clustered), transit stops and simulated facilities, above the
    choropleth."""
    return [
        dl.GeoJSON(
            id=ids.FACILITIES,
            data=fac_data,
            hideout=fac_hideout,
            cluster=True,
            zoomToBoundsOnClick=True,
            superClusterOptions={"radius": 60, "maxZoom": 14},
            pointToLayer={"variable": "territoires.facilities.pointToLayer"},
            clusterToLayer={"variable": "territoires.facilities.clusterToLayer"},
        ),
        dl.GeoJSON(
            id=ids.TRANSIT_STOPS,
            data=stops,
            pointToLayer={"variable": "territoires.transit.pointToLayer"},
        ),
        dl.GeoJSON(
            id=ids.PLANNER_SITES_LAYER,
            data=EMPTY,
            zoomToBounds=True,  # the proposed or critical sites, all in view
            pointToLayer={"variable": "territoires.planner.pointToLayer"},
        ),
        dl.GeoJSON(
            id=ids.PLANNER_LAYER,
            data=EMPTY,
            pointToLayer={"variable": "territoires.planner.pointToLayer"},
        ),
    ]


def layout(wh: Warehouse, state: ViewState) -> html.Div:
    view = map_view(wh, state)
    fac_data, fac_hideout, fac_legend = facility_layer(wh, state.facilities)
    sts = queries.service_types(wh)
    the_map = dl.MapContainer(
        id=ids.MAP,
        children=[
            dl.LayerGroup(id=ids.TILES, children=_tiles(state.basemap)),
            dl.GeoJSON(
                id=ids.CHOROPLETH,
                url=view.url,
                # The classes and values travel in the store MAP_DATA, restyled by
                # territoires.restyle: a new `hideout` would make dash-leaflet rebuild
                # every feature (6 s for 34 875 communes), setStyle takes a fraction.
                hideout={},
                style=_STYLE,
                onEachFeature=_EACH,
                hoverStyle=_HOVER,
                # levels drawn on a canvas go to territoires' bulk renderer instead
                filter=_FILTER,
            ),
            # Context drawn from the warehouse itself (no basemap needed): the
            # départements' outlines over the fills and the names of the largest towns.
            dl.Pane(
                [
                    dl.GeoJSON(
                        id=ids.OUTLINES,  # url: territoires.outlinesUrl, after the first paint
                        style=_OUTLINE,
                        interactive=False,
                    ),
                    dl.GeoJSON(
                        id=ids.TOWN_NAMES,
                        data=queries.town_labels_geojson(wh),
                        pointToLayer=_TOWN,
                        interactive=False,
                    ),
                ],
                name="context",
                style={"zIndex": 420, "pointerEvents": "none"},
            ),
            dl.Pane(
                _point_layers(fac_data, fac_hideout, _stops(wh, state.stops)),
                name="points",
                style={"zIndex": 450},
            ),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ],
        className="map",
        keyboard=True,
        minZoom=4,
        maxZoom=18,
        zoomSnap=0.5,
        **_view_kwargs(wh, state),
    )
    return html.Div(
        [
            html.Aside(
                [
                    html.H1("Carte des indicateurs", className="page-title"),
                    *controls.map_controls(
                        levels=queries.levels(wh),
                        level=state.level,
                        indicators=queries.indicators(wh),
                        indicator=state.indicator,
                        classification=state.classification,
                        k=state.k,
                        palette=state.palette,
                        service_types=sts,
                        facilities=state.facilities,
                        basemap=state.basemap,
                        has_indicator_tables=queries.has_indicator_tables(wh),
                        missing_sources=queries.theme_missing_sources(wh),
                        n_stops=len(queries.transit_stops_geojson(wh)["features"]),
                        stops=state.stops,
                    ),
                    html.Details(
                        [
                            html.Summary("Simulateur : placer ou retirer un équipement"),
                            planner.controls(sts, unavailable_reason(wh), siting_thresholds(wh)),
                        ],
                        open=True,
                        className="more-controls fold-on-phone",
                    ),
                ],
                className="controls",
                **{"aria-label": "Réglages de la carte"},
            ),
            html.Section(
                [
                    html.A(
                        "Aller au tableau des valeurs (équivalent accessible de la carte)",
                        href=f"#{ids.TABLE_TWIN}",
                        className="skip-link",
                    ),
                    html.Div(
                        the_map,
                        className="map-frame",
                        role="region",
                        **{"aria-label": "Carte (voir le tableau des valeurs plus bas)"},
                    ),
                    controls.goto_buttons(
                        [
                            (join_territory("departement", t.code), t.name)
                            for t in queries.overseas_departements(wh)
                        ]
                    ),
                    html.Div(
                        [
                            html.Div(view.legend, id=ids.LEGEND),
                            html.Div(fac_legend, id=ids.FACILITY_LEGEND),
                        ],
                        className="legends",
                    ),
                    html.P(view.summary, id=ids.SUMMARY, className="summary"),
                ],
                className="map-area",
            ),
            html.Aside(
                _panel(wh, state),
                id=ids.TERRITORY_PANEL,
                className="territory-panel",
                **{"aria-live": "polite", "aria-label": "Territoire choisi"},
            ),
            html.Section(
                [
                    html.H2("Tableau des valeurs"),
                    exports.export_buttons(
                        {
                            ids.EXPORT_CSV: "Exporter en CSV",
                            ids.EXPORT_XLSX: "Exporter en XLSX",
                            ids.EXPORT_GPKG: "Exporter en GeoPackage",
                            ids.EXPORT_THEME: "Exporter tout le thème (XLSX)",
                        },
                        ids.DOWNLOAD,
                        ids.EXPORT_STATUS,
                    ),
                    html.P(
                        "Les exports suivent le filtre et le tri du tableau ; colonnes en "
                        "français (identifiants en deuxième ligne d'en-tête).",
                        className="field-help",
                    ),
                    dcc.Store(id=ids.EXPORT_REQUEST),
                    table.grid(ids.GRID, view.columns, []),
                    dcc.Store(id=ids.GRID_BASE, data=view.base),
                    dcc.Store(
                        id=ids.GEO_URLS, data={lv: map_url(wh, lv) for lv in queries.levels(wh)}
                    ),
                    dcc.Store(id=ids.MAP_DATA, data=packed(view.hideout)),
                    dcc.Store(id=ids.MAP_STYLED),
                    dcc.Store(id=ids.OUTLINES_URL, data=geo_url(wh, "departement")),
                ],
                id=ids.TABLE_TWIN,
                className="table-twin",
            ),
            dcc.Store(id=ids.CARTE_TERRITORY, data=state.territory),
            dcc.Store(id=ids.selection("carte")),
        ],
        className="carte",
    )


def register(app: Dash, wh_of: Callable[[], Warehouse], context: Callable[[], Context]) -> None:
    """Callbacks of the map page (thin: parse inputs, query, build)."""

    # The geometry of a new level is asked for at once, in the browser, while the
    # server computes the level's classes (both arrive in parallel).
    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="geoUrl"),
        Output(ids.CHOROPLETH, "url"),
        Input(ids.LEVEL, "value"),
        State(ids.GEO_URLS, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.MAP_DATA, "data"),
        Output(ids.LEGEND, "children"),
        Output(ids.SUMMARY, "children"),
        Output(ids.GRID_BASE, "data"),
        Output(ids.GRID, "columnDefs"),
        Output(ids.TERRITORY_PANEL, "children"),
        Output(ids.MAP, "viewport"),
        Output(ids.CARTE_TERRITORY, "data"),
        Input(ids.LEVEL, "value"),
        Input(ids.INDICATOR, "value"),
        Input(ids.CLASSIFICATION, "value"),
        Input(ids.CLASSES, "value"),
        Input(ids.PALETTE, "value"),
        Input(ids.selection("carte"), "data"),
        Input(ids.CHOROPLETH, "clickData"),
        Input(ids.GRID, "selectedRows"),
        State(ids.CARTE_TERRITORY, "data"),
        State(ids.PLANNER_MODE, "value"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def update_map(
        level: str,
        indicator: str,
        method: str,
        k: int,
        palette: str,
        selection: dict[str, Any] | None,
        click: dict[str, Any] | None,
        rows: list[dict[str, Any]] | None,
        current: str | None,
        planner_mode: str | None,
        view: dict[str, Any] | None,
    ) -> tuple[Any, ...]:
        wh = wh_of()
        if queries.indicator(wh, indicator) is None or level not in queries.levels(wh):
            raise PreventUpdate
        picked = {"selection": selection, "click": click, "rows": rows}
        territory, fly = chosen_territory(
            ctx.triggered_id, picked, current or "", planner_mode or "off", level, context()
        )
        state = ViewState.from_dict(view).with_(
            level=level,
            indicator=indicator,
            classification=method,
            k=int(k or DEFAULT_K),
            palette=palette,
            territory=territory,
        )
        v = map_view(wh, state)
        viewport: Any = no_update
        if fly and territory:
            viewport = _fly_to(wh, territory)
        return (
            packed(v.hideout),
            v.legend,
            v.summary,
            # names and populations travel only when the level changes
            v.base if ctx.triggered_id == ids.LEVEL else no_update,
            v.columns,
            _panel(wh, state),
            viewport,
            territory,
        )

    # The view state follows the controls in the browser (territoires.carteView, the
    # same fields as ViewState.to_dict): a server round trip here waited behind the
    # map's answer, 0.6 s of a national indicator switch. The permalink callback
    # validates the state it builds its addresses from.
    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="carteView"),
        Output(ids.VIEW, "data", allow_duplicate=True),
        Input(ids.LEVEL, "value"),
        Input(ids.INDICATOR, "value"),
        Input(ids.CLASSIFICATION, "value"),
        Input(ids.CLASSES, "value"),
        Input(ids.PALETTE, "value"),
        Input(ids.FACILITY_TYPES, "value"),
        Input(ids.BASEMAP, "value"),
        Input(ids.TRANSIT_TOGGLE, "value"),
        Input(ids.MAP, "center"),
        Input(ids.MAP, "zoom"),
        Input(ids.CARTE_TERRITORY, "data"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.FACILITIES, "data"),
        Output(ids.FACILITIES, "hideout"),
        Output(ids.FACILITY_LEGEND, "children"),
        Input(ids.FACILITY_TYPES, "value"),
        prevent_initial_call=True,
    )
    def update_facilities(codes: list[str] | None) -> tuple[Any, ...]:
        return facility_layer(wh_of(), tuple(codes or ()))

    @app.callback(
        Output(ids.TRANSIT_STOPS, "data"),
        Input(ids.TRANSIT_TOGGLE, "value"),
        prevent_initial_call=True,
    )
    def update_stops(value: list[str] | None) -> dict[str, Any]:
        """The stops of the loaded timetables, or nothing."""
        return _stops(wh_of(), "stops" in (value or []))

    @app.callback(
        Output(ids.TILES, "children"),
        Input(ids.BASEMAP, "value"),
        prevent_initial_call=True,
    )
    def update_basemap(value: list[str] | None) -> list[dl.TileLayer]:
        return _tiles("osm" in (value or []))

    # The browser says which rows the table shows (filter, sort), then the server
    # writes the file (assets/territoires_grid.js).
    app.clientside_callback(
        ClientsideFunction(namespace="territoires_grid", function_name="exportRequest"),
        Output(ids.EXPORT_REQUEST, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"),
        Input(ids.EXPORT_XLSX, "n_clicks"),
        Input(ids.EXPORT_GPKG, "n_clicks"),
        Input(ids.EXPORT_THEME, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        Output(ids.EXPORT_STATUS, "children"),
        Input(ids.EXPORT_REQUEST, "data"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def export(asked: dict[str, Any] | None, view: dict[str, Any] | None) -> tuple[Any, str]:
        if not isinstance(asked, dict) or asked.get("button") not in _EXPORT_KINDS:
            raise PreventUpdate
        button = asked["button"]
        origin = request.host_url.rstrip("/")
        return downloads.download(
            wh_of(),
            ViewState.from_dict(view),
            _EXPORT_KINDS[button],
            origin,
            rows=asked.get("rows"),
            theme=button == ids.EXPORT_THEME,
        )

    @app.callback(
        Output(ids.MAP, "viewport", allow_duplicate=True),
        Input({"type": ids.GOTO, "place": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def go_to(clicks: list[int | None]) -> Any:
        """Mainland France or an overseas département, from the shortcuts."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            raise PreventUpdate
        viewport = goto_viewport(wh_of(), str(trigger.get("place", "")))
        if viewport is None:
            raise PreventUpdate
        return viewport

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="pickerOptions"),
        Output(ids.INDICATOR, "options"),
        Input(ids.INDICATOR, "search_value"),
        State(ids.INDICATOR_OPTIONS, "data"),
        State(ids.INDICATOR, "value"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="pickerAll"),
        Output(ids.INDICATOR, "options", allow_duplicate=True),
        Input(ids.MAP_STYLED, "data"),
        State(ids.INDICATOR_OPTIONS, "data"),
        State(ids.INDICATOR, "options"),
        State(ids.INDICATOR, "search_value"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="outlinesUrl"),
        Output(ids.OUTLINES, "url"),
        Input(ids.MAP_STYLED, "data"),
        State(ids.OUTLINES_URL, "data"),
        State(ids.OUTLINES, "url"),
        prevent_initial_call=True,
    )

    # The table rows: the level's names joined with the indicator's hideout, in the
    # browser (assets/territoires_grid.js).
    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="gridRows"),
        Output(ids.GRID, "rowData"),
        Input(ids.MAP_DATA, "data"),
        Input(ids.GRID_BASE, "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="restyle"),
        Output(ids.MAP_STYLED, "data"),
        Input(ids.MAP_DATA, "data"),
    )
    _planner.register(app, wh_of)


def goto_viewport(wh: Warehouse, place: str) -> dict[str, Any] | Any | None:
    """Viewport of a shortcut: ``"metropole"`` or an overseas département of the
    build; None for anything else (ids come from the browser: only offered places)."""
    if place == "metropole":
        return _fly_to(wh, "")
    allowed = {join_territory("departement", t.code) for t in queries.overseas_departements(wh)}
    return _fly_to(wh, place) if place in allowed else None


def _fly_to(wh: Warehouse, territory: str) -> dict[str, Any] | Any:
    """Viewport of a territory (``""``: the build, mainland France first)."""
    bounds = (
        queries.territory_bounds(wh, *split_territory(territory))
        if territory
        else queries.territory_bounds(wh, "", "")
    )
    if not bounds:
        return no_update
    return {
        "bounds": [list(b) for b in bounds],
        "transition": "flyToBounds",
        "options": {"maxZoom": 12, "padding": [30, 30]},
    }


def chosen_territory(
    trigger: Any,
    picked: dict[str, Any],
    current: str,
    planner_mode: str,
    level: str,
    context: Context,
) -> tuple[str, bool]:
    """(territory, fly to it) after a search pick, a map click or a table row pick.

    Values from the browser are checked like URL values (regex, then existence);
    a map click while the planner is on is a planner click, not a selection.
    """
    selection, click, rows = picked.get("selection"), picked.get("click"), picked.get("rows")
    candidate, fly = "", False
    if ids.is_selection(trigger) and selection:
        candidate, fly = str(selection.get("territory", "")), True
    elif trigger == ids.CHOROPLETH and click and planner_mode == "off":
        candidate = join_territory(level, str((click.get("properties") or {}).get("code", "")))
    elif trigger == ids.GRID and rows:
        candidate, fly = join_territory(level, str(rows[0].get("code", ""))), True
    if not candidate:
        return current, False
    checked = check_territory(candidate, context)
    return (join_territory(*checked), fly) if isinstance(checked, tuple) else (current, False)
