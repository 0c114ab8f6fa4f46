"""Callbacks of the planner panel of the map page (what-if)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboards import ids, queries, simulation
from dashboards.components import planner
from dashboards.permalink import LEVEL_LABELS, split_territory
from dashboards.queries import Warehouse
from dashboards.simulation import Changes, Removed
from indicators.siting import SitingError
from indicators.siting_export import write_plan
from indicators.whatif import WhatIfResult
from warehouse.gate import WarehouseError


def apply_click(
    trigger: Any,
    changes: Changes,
    *,
    mode: str,
    service_type: str,
    map_click: dict[str, Any] | None,
    facility_click: dict[str, Any] | None,
) -> tuple[Changes, str]:
    """New changes after a click (and a message when the click is refused)."""
    if trigger in (ids.PLANNER_RESET, ids.PLANNER_TYPE, ids.PLANNER_TRAVEL):
        return (Changes() if trigger != ids.PLANNER_TRAVEL else changes), ""
    if trigger == ids.MAP and mode == "add":
        latlng = (map_click or {}).get("latlng") or {}
        lon, lat = latlng.get("lng"), latlng.get("lat")
        if not simulation.valid_position(lon, lat):
            raise PreventUpdate
        return Changes((*changes.add, (float(lon), float(lat))), changes.remove), ""
    if trigger == ids.FACILITIES and mode == "remove":
        props = (facility_click or {}).get("properties") or {}
        if props.get("cluster"):
            return changes, "Zoomez jusqu'aux équipements pour en choisir un."
        if props.get("type") != service_type:
            return changes, "Cet équipement n'est pas du type simulé."
        coords = ((facility_click or {}).get("geometry") or {}).get("coordinates") or []
        fid = str(props.get("id", ""))
        if len(coords) != 2 or not fid or any(r.facility_id == fid for r in changes.remove):
            raise PreventUpdate
        label = str(props.get("name") or fid)
        removed = Removed(fid, float(coords[0]), float(coords[1]), label)
        return Changes(changes.add, (*changes.remove, removed)), ""
    raise PreventUpdate


def outcome(
    wh: Warehouse, changes: Changes, territory: str, service_type: str, travel: str
) -> Component | str:
    """The delta of the simulated changes, or why it cannot be computed."""
    if not changes:
        return ""
    where = simulation.scope(wh, territory)
    if where is None:
        return html.P("Choisissez d'abord un territoire (recherche ou clic sur la carte).")
    place = queries.territory(wh, *where)
    where_label = f"{place.name} ({LEVEL_LABELS[where[0]]})" if place is not None else where[1]
    type_label = next(
        (s.label for s in queries.service_types(wh) if s.code == service_type), service_type
    )
    try:
        result = simulation.run(wh, where, service_type, travel, changes)
    except ValueError as exc:
        return html.P(f"{simulation.UNAVAILABLE} : {exc}", className="notice")
    return planner.result(result, where_label, type_label, local_effects(wh, result, territory))


def local_effects(
    wh: Warehouse, result: WhatIfResult, territory: str
) -> tuple[planner.LocalEffect, ...]:
    """The what-if seen from the selected commune and its EPCI (or the selected EPCI):
    sums of their communes' rows in ``result.by_commune``; an EPCI reaching beyond the
    evaluated territory is flagged partial."""
    if not territory:
        return ()
    level, code = split_territory(territory)
    place = queries.territory(wh, level, code)
    if place is None or level not in ("commune", "epci"):
        return ()
    rows = result.by_commune.set_index("commune_code")
    communes = queries.territories(wh, "commune")
    out = []
    if level == "commune" and code in rows.index:
        r = rows.loc[code]
        label = f"{place.name} (commune)"
        out.append(planner.LocalEffect(label, r["population"], r["old_within"], r["new_within"]))
    epci = place.epci_code if level == "commune" else code
    epci_place = queries.territory(wh, "epci", epci or "") if epci else None
    if epci_place is not None:
        members = [c.code for c in communes if c.epci_code == epci_place.code]
        inside = [m for m in members if m in rows.index]
        if inside:
            part = rows.loc[inside]
            out.append(
                planner.LocalEffect(
                    f"{epci_place.name} (EPCI)",
                    float(part["population"].sum()),
                    float(part["old_within"].sum()),
                    float(part["new_within"].sum()),
                    partial=len(inside) < len(members) or not epci_place.complete,
                )
            )
    return tuple(out)


def site_names(wh: Warehouse, changes: Changes) -> list[str]:
    """The commune of each added site ("Redon (35)"; "" outside the build's communes)."""
    out = []
    for lon, lat in changes.add:
        found = queries.commune_at(wh, lon, lat)
        out.append(f"{found[1]} ({found[2]})" if found else "")
    return out


def register(app: Dash, wh_of: Callable[[], Warehouse]) -> None:
    @app.callback(
        Output(ids.PLANNER_CHANGES, "data"),
        Output(ids.PLANNER_LAYER, "data"),
        Output(ids.PLANNER_LIST, "children"),
        Output(ids.PLANNER_RESULT, "children"),
        Input(ids.MAP, "clickData"),
        Input(ids.FACILITIES, "clickData"),
        Input(ids.PLANNER_RESET, "n_clicks"),
        Input(ids.PLANNER_TYPE, "value"),
        Input(ids.PLANNER_TRAVEL, "value"),
        State(ids.PLANNER_MODE, "value"),
        State(ids.PLANNER_CHANGES, "data"),
        State(ids.CARTE_TERRITORY, "data"),
        prevent_initial_call=True,
    )
    def simulate(
        map_click: dict[str, Any] | None,
        facility_click: dict[str, Any] | None,
        _reset: int,
        service_type: str | None,
        travel: str | None,
        mode: str | None,
        stored: dict[str, Any] | None,
        territory: str | None,
    ) -> tuple[Any, ...]:
        wh = wh_of()
        reason = simulation.unavailable_reason(wh)
        if reason:
            return no_update, no_update, no_update, html.P(reason, className="notice")
        changes, refused = apply_click(
            ctx.triggered_id,
            Changes.from_store(stored),
            mode=mode or "off",
            service_type=service_type or "",
            map_click=map_click,
            facility_click=facility_click,
        )
        if travel not in simulation.MODES or not service_type:
            raise PreventUpdate
        result = outcome(wh, changes, _checked(territory), service_type, travel)
        if refused:
            result = html.Div([html.P(refused, className="notice"), result])
        listed = planner.changes_list(changes, site_names(wh, changes))
        return changes.to_store(), changes.features(), listed, result

    @app.callback(
        Output(ids.PLANNER_SITES_LAYER, "data"),
        Output(ids.PLANNER_SITING, "children"),
        Output(ids.PLANNER_SITING_ASKED, "data"),
        Output(ids.PLANNER_SITING_EXPORT, "disabled"),
        Input(ids.PLANNER_PROPOSE, "n_clicks"),
        Input(ids.PLANNER_CRITICAL, "n_clicks"),
        State(ids.PLANNER_TYPE, "value"),
        State(ids.PLANNER_TRAVEL, "value"),
        State(ids.PLANNER_THRESHOLD, "value"),
        State(ids.PLANNER_SITES_N, "value"),
        State(ids.CARTE_TERRITORY, "data"),
        prevent_initial_call=True,
        running=[
            (Output(ids.PLANNER_PROPOSE, "disabled"), True, False),
            (Output(ids.PLANNER_CRITICAL, "disabled"), True, False),
        ],
    )
    def site(
        _propose: int,
        _critical: int,
        service_type: str | None,
        travel: str | None,
        threshold: float | None,
        n_new: int | None,
        territory: str | None,
    ) -> tuple[Any, ...]:
        wh = wh_of()
        kind = "propose" if ctx.triggered_id == ids.PLANNER_PROPOSE else "critical"
        asked = {
            "kind": kind,
            "service_type": service_type,
            "travel": travel,
            "threshold_min": threshold,
            "n_new": n_new if kind == "propose" else 1,
            "territory": territory or "",
        }
        ask = SitingAsk.read(wh, asked)
        if ask is None:
            text = (
                f"Nombre de nouveaux sites : un entier de 1 à {simulation.SITING_MAX_NEW}."
                if kind == "propose"
                else "Choix incomplet : type d'équipement, mode et seuil."
            )
            return EMPTY_LAYER, html.P(text, className="notice"), None, True
        layer, panel = siting_outcome(wh, ask)
        proposed = kind == "propose" and bool(layer["features"])
        return layer, panel, asdict(ask), not proposed

    @app.callback(
        Output(ids.PLANNER_SITING_DOWNLOAD, "data"),
        Input(ids.PLANNER_SITING_EXPORT, "n_clicks"),
        State(ids.PLANNER_SITING_ASKED, "data"),
        prevent_initial_call=True,
    )
    def download_sites(clicks: int | None, asked: dict[str, Any] | None) -> Any:
        wh = wh_of()
        ask = SitingAsk.read(wh, asked)
        if not clicks or ask is None or ask.kind != "propose":
            raise PreventUpdate
        data, name = siting_file(wh, ask)
        return dcc.send_bytes(data, name, type=XLSX)


EMPTY_LAYER: dict[str, Any] = {"type": "FeatureCollection", "features": []}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class SitingAsk:
    """A siting request as the browser sends it back (checked: it comes from the
    client). ``kind`` is ``"propose"`` or ``"critical"``."""

    kind: str
    service_type: str
    travel: str
    threshold_min: float
    n_new: int
    territory: str

    @classmethod
    def read(cls, wh: Warehouse, data: dict[str, Any] | None) -> SitingAsk | None:
        data = data or {}
        try:
            ask = cls(
                str(data.get("kind", "")),
                str(data.get("service_type", "")),
                str(data.get("travel", "")),
                float(data.get("threshold_min", "nan")),
                int(data.get("n_new", 0)),
                _checked(str(data.get("territory", ""))),
            )
        except (TypeError, ValueError):
            return None
        known = {s.code for s in queries.service_types(wh)}
        if (
            ask.kind not in ("propose", "critical")
            or ask.service_type not in known
            or ask.travel not in simulation.MODES
            or ask.threshold_min not in simulation.siting_thresholds(wh)
            or not 1 <= ask.n_new <= simulation.SITING_MAX_NEW
        ):
            return None
        return ask


def siting_outcome(wh: Warehouse, ask: SitingAsk) -> tuple[dict[str, Any], Component]:
    """Map layer and panel text of a siting request (or why it cannot be answered)."""
    reason = simulation.unavailable_reason(wh)
    if reason:
        return EMPTY_LAYER, html.P(reason, className="notice")
    where = simulation.scope(wh, ask.territory)
    if where is None:
        text = "Choisissez d'abord un territoire (recherche ou clic sur la carte)."
        return EMPTY_LAYER, html.P(text, className="notice")
    place = queries.territory(wh, *where)
    where_label = f"{place.name} ({LEVEL_LABELS[where[0]]})" if place is not None else where[1]
    type_label = next(
        (s.label for s in queries.service_types(wh) if s.code == ask.service_type),
        ask.service_type,
    )
    try:
        if ask.kind == "propose":
            result = simulation.propose(
                wh, where, ask.service_type, ask.travel, ask.threshold_min, ask.n_new
            )
            return simulation.proposal_features(result), planner.proposal(
                result, where_label, type_label
            )
        table = simulation.critical_sites(
            wh, where, ask.service_type, ask.travel, ask.threshold_min
        )
    except (SitingError, WarehouseError) as exc:
        return EMPTY_LAYER, html.P(f"{simulation.UNAVAILABLE} : {exc}", className="notice")
    return simulation.critical_features(table, ask.threshold_min), planner.critical_list(
        table, where_label, type_label, ask.threshold_min
    )


def siting_file(wh: Warehouse, ask: SitingAsk) -> tuple[bytes, str]:
    """The proposal as an XLSX workbook (sites, territory, EPCI, communes, fractures,
    method: :func:`indicators.siting_export.write_plan`) and its file name."""
    where = simulation.scope(wh, ask.territory)
    if where is None:
        raise SitingError("aucun territoire choisi")
    result = simulation.propose(
        wh, where, ask.service_type, ask.travel, ask.threshold_min, ask.n_new
    )
    name = f"sites_{ask.service_type.lower()}_{where[1]}_{ask.n_new}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan(result, Path(tmp) / name, "xlsx")
        return path.read_bytes(), name


def _checked(territory: str | None) -> str:
    """The carte store holds checked territories; keep only its well-formed shape."""
    if not territory:
        return ""
    level, code = split_territory(territory)
    return territory if level in LEVEL_LABELS and code else ""
