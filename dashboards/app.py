"""The Dash application: ``create_app(db_path, production=...)``.

Pages (``pages/``) are routed by URL (``router.py``); every view is a permalink.
The warehouse is opened read-only, one connection per worker process
(the ``queries`` package). Debug is never on; see ``serve.py`` for the servers.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from dash import Dash, html, set_props
from dash.development.base_component import Component
from flask import Flask

from dashboards import ids, queries, router, routes
from dashboards.components import shell
from dashboards.formatting import integer
from dashboards.pages import carte, donnees, portrait
from dashboards.permalink import ViewState
from dashboards.queries import Warehouse

ASSETS = Path(__file__).resolve().parent / "assets"
_DATA_PROPS = ("data", "rowData", "options", "hideout", "columnDefs", "value")
log = logging.getLogger(__name__)


def create_app(db_path: Path, *, production: bool) -> Dash:
    """Build the app for a finished warehouse (raises ``WarehouseError`` if missing)."""
    db_path = Path(db_path)
    wh = queries.open_warehouse(db_path)
    wh_of = partial(queries.open_warehouse, db_path)
    app = Dash(
        __name__,
        title="Territoires",
        assets_folder=str(ASSETS),
        serve_locally=True,
        # Assets, layouts and callback answers travel compressed (flask-compress):
        # ag-grid's 2.2 MB of JavaScript, a national indicator switch.
        compress=True,
        # Phones lay the page out at their own width (no zoomed-out desktop page).
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        update_title=None,  # type: ignore[arg-type]  # Dash takes None (no title change); typed str
        on_error=_on_error,
    )
    # The pages speak French: screen readers and hyphenation need the document language.
    app.index_string = app.index_string.replace("<html>", '<html lang="fr">', 1)
    # The layout (the page itself when opened by its address) is asked for as soon as
    # the HTML arrives, while the scripts load; Dash's own request then takes it from
    # the preload cache instead of asking after the scripts have run (0.1-0.2 s).
    preload = _PRELOAD_LAYOUT.format(prefix=app.config.requests_pathname_prefix)
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n" + preload, 1)
    # Set before the layout: a layout function set first is called at once by Dash to
    # serve as validation layout (0.7 s of server start for a layout nobody sees).
    app.validation_layout = _validation_layout(wh)  # type: ignore[assignment]  # Dash sets it to None
    app.layout = lambda: shell.layout(
        _build_text(wh_of()), _print_sources(wh_of()), router.first_page(wh_of())
    )
    router.register(app, wh_of)
    context = partial(_context, wh_of)
    carte.register(app, wh_of, context)
    portrait.register(app, wh_of, context)
    donnees.register(app, wh_of, context)
    routes.register(app.server, wh_of, app.csp_hashes())
    routes.guard(app.server, app.callback_map)
    app.server.config["TERRITOIRES_PRODUCTION"] = production
    _warm(wh, app.server)
    return app


# Same URL, destination (fetch), mode (cors) and credentials (same-origin) as the
# renderer's request, so the browser hands it the preloaded response.
_PRELOAD_LAYOUT = (
    '<link rel="preload" href="{prefix}_dash-layout" as="fetch" crossorigin="anonymous">'
)


def _context(wh_of: partial[Warehouse]) -> router.Context:
    return router.context_for(wh_of())


def _validation_layout(wh: Warehouse) -> html.Div:
    """Every component of every page, so callbacks are checked without
    ``suppress_callback_exceptions``."""
    ctx = router.context_for(wh)
    state = ViewState(indicator=ctx.default_indicator, level=ctx.default_level)
    # The portrait's frame holds every id its callbacks use (a territory's body adds
    # none: tested); a commune's whole portrait took 0.7 s of server start.
    full = [
        shell.layout(""),
        carte.layout(wh, state),
        portrait.frame("", [], "", []),
        donnees.layout(wh, state),
    ]
    return html.Div(_skeleton(full))


def _skeleton(node: Any) -> Any:
    """Keep only components with an id (and their ancestors), without their data:
    Dash sends the validation layout to every browser, it only needs the ids."""
    if isinstance(node, list | tuple):
        kept = [k for k in (_skeleton(c) for c in node) if k is not None]
        return kept or None
    if not isinstance(node, Component):
        return None
    children = _skeleton(getattr(node, "children", None))
    if getattr(node, "id", None) is None and children is None:
        return None
    if "children" in node._prop_names:
        node.children = children
    for prop in _DATA_PROPS:
        if prop in node._prop_names and getattr(node, prop, None) is not None:
            setattr(node, prop, None)
    return node


def _build_text(wh: Warehouse) -> str:
    info = dict(queries.build_info(wh))
    n = len(queries.territories(wh, "commune")) if "commune" in queries.levels(wh) else 0
    return (
        f"Entrepôt : territoire {info.get('territory', '?')}, {integer(n)} communes, "
        f"construit le {info.get('built_at', '?')[:10]}. Données publiques, voir "
        "« Données & méthodes »."
    )


def _print_sources(wh: Warehouse) -> str:
    """The foot of every printed page: who published the loaded sources."""
    publishers: list[str] = []
    for row in queries.meta(wh):
        if row.get("status") != "chargée" or not row.get("publisher"):
            continue
        name = str(row["publisher"]).split(" (")[0].split(", d'après")[0].strip()
        if name and name not in publishers:
            publishers.append(name)
    if not publishers:
        return "Sources : voir « Données & méthodes »."
    return (
        f"Sources : {' ; '.join(publishers)}. Millésimes, licences et méthodes : page "
        "« Données & méthodes » de Territoires."
    )


# Allocations between two young-generation garbage collections (CPython default 700):
# a national commune view allocates ~150,000 short-lived objects while the query
# caches hold millions, and the default thresholds then ran full collections that cost
# 0.1-0.2 s of each indicator switch (bench/dashboard.py).
GC_THRESHOLDS = (50_000, 20, 20)
# Seconds without any request before the map geometry is prepared in the background.
GEOMETRY_WARM_IDLE_S = 1.5


def _warm(wh: Warehouse, server: Flask) -> None:
    """Pay the one-off costs (first bound query, indicator list) before the first user,
    then move what startup built out of the collector's sight (``gc.freeze``)."""
    queries.communes_of_postal_code(wh, "00000")
    router.context_for(wh)
    gc.set_threshold(*GC_THRESHOLDS)
    gc.collect()
    gc.freeze()
    # The map geometry of each level, compressed, prepared in the background: the
    # national commune file (16 MB of GeoJSON) took 1.1 s to build on its first
    # request, a wait added to the first switch to communes.
    # It waits for the server to be idle, so as not to slow the first pages down.
    threading.Thread(target=_warm_geometry, args=(wh, server), name="geometry", daemon=True).start()


def _warm_geometry(wh: Warehouse, server: Flask) -> None:
    """Each level's geometry, then its view of the default indicator (values, classes,
    table columns: 0.2 s for the national communes, paid by the first switch to them)."""
    levels = sorted(queries.levels(wh), key=lambda lv: len(queries.territories(wh, lv)))
    try:
        for level in levels:
            _wait_idle(server)
            if queries.is_canvas_level(wh, level):
                queries.level_outlines(wh, level)
            else:
                queries.level_geojson(wh, level)
        default = router.context_for(wh).default_indicator
        for level in levels if default else ():
            _wait_idle(server)
            carte.map_view(wh, ViewState().with_(level=level, indicator=default))
        # A first portrait reads the distributions its fracture section draws (0.4 s
        # for a national build): read them now rather than on someone's first portrait.
        first = queries.territories(wh, "commune")[:1] if "commune" in levels else []
        if first:
            _wait_idle(server)
            portrait.layout(wh, ViewState(page="portrait", territory=f"commune:{first[0].code}"))
    except Exception:  # the page builds it again on request and reports the error there
        log.warning("carte non préparée à l'avance", exc_info=True)


def _wait_idle(server: Flask) -> None:
    while routes.seconds_idle(server) < GEOMETRY_WARM_IDLE_S:
        time.sleep(0.25)


def _on_error(err: Exception) -> None:
    """Any unexpected callback error: logged with its traceback on the server, a
    plain French sentence in the page (never a stack trace)."""
    log.error("erreur dans un callback", exc_info=err)
    set_props(
        ids.MESSAGES,
        {
            "children": html.P(
                "Une erreur est survenue ; la vue n'a pas pu être mise à jour. "
                "Rechargez la page ou revenez à la carte."
            )
        },
    )
