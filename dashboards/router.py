"""Shell callbacks: URL -> page, territory search, permalink in the address bar.

The router only runs on real navigation (first load, links, back/forward). While
the user works, pages write the view store; the permalink callback turns it into
a URL and a clientside callback writes it with ``history.replaceState`` (no
history entry per map move, no page re-render).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate
from flask import has_request_context, request

from dashboards import ids, queries, search
from dashboards.components import controls, shell
from dashboards.pages import carte, donnees, portrait
from dashboards.permalink import (
    LEVEL_LABELS,
    PAGES,
    Context,
    ViewState,
    join_territory,
    parse,
    split_territory,
    to_url,
)
from dashboards.queries import Warehouse

PAGE_LAYOUTS = {"carte": carte.layout, "portrait": portrait.layout, "donnees": donnees.layout}


@lru_cache(maxsize=8)
def context_for(wh: Warehouse) -> Context:
    """What URL values are checked against (levels, indicators, territories)."""
    indicators = queries.indicators(wh)
    return Context(
        levels=frozenset(queries.levels(wh)),
        indicators=frozenset(i.id for i in indicators),
        default_indicator=controls.default_indicator(indicators, queries.commune_coverage(wh)),
        service_types=frozenset(s.code for s in queries.service_types(wh)),
        exists=lambda level, code: queries.territory(wh, level, code) is not None,
        default_level=default_level(wh),
    )


# A build of more communes than this (France: 34 875) opens on its départements:
# communes are specks at the national zoom, and drawing them all is the slowest view
# (bench/dashboard.py). Every région (Grand Est: 5 121 communes) opens on communes.
COMMUNES_FIRST_UP_TO = 6_000


def default_level(wh: Warehouse) -> str:
    """The map's level when the address names none."""
    levels = queries.levels(wh)
    n = len(queries.territories(wh, "commune")) if "commune" in levels else 0
    if "commune" in levels and n <= COMMUNES_FIRST_UP_TO:
        return "commune"
    return "departement" if "departement" in levels else (levels[0] if levels else "commune")


def render(wh: Warehouse, pathname: str | None, search_text: str | None) -> tuple[Any, ...]:
    """(page, messages, view) for a URL; bad parameters become messages."""
    state, messages = parse(pathname, search_text, context_for(wh))
    return PAGE_LAYOUTS[state.page](wh, state), shell.messages(messages), state.to_dict()


def first_page(wh: Warehouse) -> tuple[Any, ...] | None:
    """(page, messages, view) of the address the browser is on, for the layout: Dash
    asks for its layout from that page (the request's Referer, same origin), and a page
    sent with it does not wait for the router's callback (0.2-0.4 s of a national
    portrait opened by its address). None outside a request or without a same-origin
    Referer: the callback renders the page then."""
    if not has_request_context() or not request.referrer:
        return None
    ref = urlsplit(request.referrer)
    if ref.netloc != request.host or ref.scheme not in ("http", "https"):
        return None
    return render(wh, ref.path, f"?{ref.query}" if ref.query else "")


# The page names of the browser tab (one title per page).
_PAGE_NAMES = {
    "carte": "Carte des indicateurs",
    "portrait": "Portrait",
    "donnees": "Données & méthodes",
}


def page_title(wh: Warehouse, state: ViewState) -> str:
    """The browser tab's title: the page, and the territory of a portrait
    (``"Portrait : Redon (commune, 35) — Territoires"``)."""
    name = _PAGE_NAMES.get(state.page, "Carte des indicateurs")
    if state.page == "portrait" and state.territory:
        level, code = split_territory(state.territory)
        t = queries.territory(wh, level, code)
        if t is not None:
            where = f", {t.dep_code}" if t.level == "commune" and t.dep_code else ""
            name = f"Portrait : {t.name} ({LEVEL_LABELS[t.level]}{where})"
    return f"{name} — Territoires"


def register(app: Dash, wh_of: Callable[[], Warehouse]) -> None:
    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.MESSAGES, "children"),
        Output(ids.VIEW, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        State(ids.VIEW, "data"),
    )
    def route(
        pathname: str | None, search_text: str | None, shown: dict[str, Any] | None
    ) -> tuple[Any, ...]:
        wh = wh_of()
        if (
            shown is not None
            and shown == parse(pathname, search_text, context_for(wh))[0].to_dict()
        ):
            raise PreventUpdate  # already on display (sent with the layout: first_page)
        return render(wh, pathname, search_text)

    @app.callback(
        Output(ids.SEARCH_RESULTS, "children"),
        Input(ids.SEARCH_INPUT, "value"),
        prevent_initial_call=True,
    )
    def find(text: str | None) -> Any:
        text = (text or "")[:100]
        return shell.search_results(search.search_warehouse(wh_of(), text), text)

    @app.callback(
        Output({"type": ids.SELECTION, "page": ALL}, "data"),
        Output(ids.SEARCH_RESULTS, "children", allow_duplicate=True),
        Input({"type": ids.SEARCH_HIT, "code": ALL}, "n_clicks"),
        State({"type": ids.SELECTION, "page": ALL}, "data"),
        prevent_initial_call=True,
    )
    def pick(clicks: list[int | None], stores: list[dict[str, Any] | None]) -> tuple[Any, ...]:
        """A search pick goes to the selection store of the page on display."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks):
            raise PreventUpdate
        level, code = split_territory(str(trigger.get("code", "")))
        if level not in queries.LEVELS:
            raise PreventUpdate
        place = queries.territory(wh_of(), level, code)
        if place is None:
            raise PreventUpdate
        where = (place.dep_code or "") if level == "commune" else LEVEL_LABELS[level]
        chosen = html.P(
            f"Sélection : {search.display_name(place.name, where)}",
            className="search-chosen",
        )
        picked = [
            {"territory": join_territory(level, code), "n": int((s or {}).get("n", 0)) + 1}
            for s in stores
        ]
        return picked, chosen

    @app.callback(
        Output(ids.PERMALINK, "data"),
        Output(ids.NAV_CARTE, "href"),
        Output(ids.NAV_PORTRAIT, "href"),
        Output(ids.NAV_DONNEES, "href"),
        Output(ids.PAGE_TITLE, "children"),
        Input(ids.VIEW, "data"),
    )
    def permalink(view: dict[str, Any] | None) -> tuple[str, ...]:
        state = ViewState.from_dict(view)
        if not state.indicator:
            raise PreventUpdate
        links = (to_url(state), *(to_url(state.with_(page=p)) for p in PAGES))
        return (*links, page_title(wh_of(), state))

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="setTitle"),
        Output(ids.PAGE_TITLE, "title"),
        Input(ids.PAGE_TITLE, "children"),
    )

    app.clientside_callback(
        ClientsideFunction(namespace="territoires", function_name="replaceUrl"),
        Output(ids.PERMALINK_TEXT, "value"),
        Input(ids.PERMALINK, "data"),
    )
