"""The app without a browser: routes, headers, router, callbacks' pure parts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from dash import Dash
from plotly.utils import PlotlyJSONEncoder

from dashboards import ids, queries, router
from dashboards.app import create_app
from dashboards.pages.carte import chosen_territory, map_view
from dashboards.permalink import ViewState


@pytest.fixture(scope="module")
def app(dash_db: Path) -> Dash:
    return create_app(dash_db, production=True)


def test_index_security_headers_and_small_page(app: Dash) -> None:
    client = app.server.test_client()
    resp = client.get("/")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "'sha256-" in csp  # Dash's inline renderer script, by hash
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert len(resp.data) < 60_000  # the validation layout is a skeleton of ids
    preload = b'<link rel="preload" href="/_dash-layout" as="fetch" crossorigin="anonymous">'
    assert resp.data.index(preload) < resp.data.index(b"<script")  # asked before scripts


def test_geometry_route(app: Dash, dash_db: Path) -> None:
    client = app.server.test_client()
    wh = queries.open_warehouse(dash_db)
    resp = client.get(
        f"/_territoires/geo/commune.geojson?v={wh.stamp}", headers={"Accept-Encoding": "gzip"}
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    assert "immutable" in resp.headers["Cache-Control"]
    assert client.get("/_territoires/geo/%2e%2e.geojson").status_code == 404
    assert client.get("/_territoires/geo/canton.geojson").status_code == 404
    packed = client.get(
        f"/_territoires/canvas/commune.bin?v={wh.stamp}", headers={"Accept-Encoding": "gzip"}
    )
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.mimetype == "application/octet-stream"
    assert gzip.decompress(packed.data) == queries.level_outlines(wh, "commune")[0]
    stub = client.get(f"/_territoires/canvas/commune.geojson?v={wh.stamp}").get_json()
    assert stub["features"][0]["properties"] == {
        "i": 0,
        "level": "commune",
        "outlines": f"/_territoires/canvas/commune.bin?v={wh.stamp}",
    }


def test_dev_server_never_debugs(app: Dash) -> None:
    assert not app.server.debug
    assert app.server.config["TERRITOIRES_PRODUCTION"] is True


def test_router_renders_pages_and_messages(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    page, messages, view = router.render(wh, "/", "?indicator=nope&territory=3X5")
    text = str(messages)
    assert "Indicateur inconnu « nope »" in text and "code mal formé" in text
    assert view["indicator"] == router.context_for(wh).default_indicator
    page, messages, view = router.render(wh, "/portrait", "?territory=35236")
    assert messages == [] and view["territory"] == "commune:35236"
    assert "Redon" in str(page)
    page, _, _ = router.render(wh, "/donnees", "")
    assert "Sources manquantes" in str(page)


def test_base_warehouse_says_what_is_missing(base_db: Path) -> None:
    wh = queries.open_warehouse(base_db)
    page, _, view = router.render(wh, "/", "")
    assert view["indicator"] == "density"
    assert "Indicateurs d'accès non calculés dans cet entrepôt" in str(page)
    assert "simulation indisponible" in str(page)
    portrait, _, _ = router.render(wh, "/portrait", "?territory=35236")
    assert "indicateurs d'accès non calculés dans cet entrepôt" in str(portrait)


def test_indicator_switch_only_changes_the_hideout(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    a = map_view(wh, ViewState(indicator="population"))
    b = map_view(wh, ViewState(indicator="density"))
    assert a.url == b.url  # same geometry URL: nothing re-downloaded
    assert a.hideout["cls"] != b.hideout["cls"]


def test_selection_from_the_browser_is_checked(dash_db: Path) -> None:
    ctx = router.context_for(queries.open_warehouse(dash_db))
    sel = {"type": ids.SELECTION, "page": "carte"}
    pick = {"selection": {"territory": "commune:35236"}, "click": None, "rows": None}
    assert chosen_territory(sel, pick, "", "off", "commune", ctx) == ("commune:35236", True)
    forged = {"selection": {"territory": "commune:35236' OR 1=1"}, "click": None, "rows": None}
    assert chosen_territory(sel, forged, "x", "off", "commune", ctx) == ("x", False)
    click = {"selection": None, "click": {"properties": {"code": "35238"}}, "rows": None}
    assert chosen_territory(ids.CHOROPLETH, click, "", "off", "commune", ctx) == (
        "commune:35238",
        False,
    )
    assert chosen_territory(ids.CHOROPLETH, click, "", "add", "commune", ctx) == ("", False)


def test_layout_carries_the_page_of_the_address_it_is_asked_from(app: Dash) -> None:
    """Dash asks for its layout from the page the browser opened (Referer): the page
    comes with it, rendered as the router would, instead of after a callback; from
    another origin, or without Referer, the shell alone (the router renders the page)."""
    client = app.server.test_client()
    here = client.get(
        "/_dash-layout", headers={"Referer": "http://localhost/portrait?territory=35236"}
    )
    assert here.status_code == 200
    text = json.dumps(here.get_json(), ensure_ascii=False)
    assert "Portrait : Redon (commune, 35)" in text
    assert '"territory": "commune:35236"' in text or '"territory":"commune:35236"' in text
    for headers in ({}, {"Referer": "http://elsewhere.example/portrait?territory=35236"}):
        shell_only = client.get("/_dash-layout", headers=headers).get_data(as_text=True)
        assert "Portrait : Redon" not in shell_only
        assert len(shell_only) < len(text) / 10
    bad = client.get("/_dash-layout", headers={"Referer": "http://localhost/?level=canton"})
    said = json.dumps(bad.get_json(), ensure_ascii=False)
    assert "Niveau inconnu « canton »" in said  # the address's problem, said at once


def _ids(node: object) -> set[str]:
    """Ids of a layout (as JSON, so that Dash components and dicts read the same)."""
    found: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, dict):
            props = x.get("props")
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                found.add(props["id"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(json.loads(json.dumps(node, cls=PlotlyJSONEncoder)))
    return found


def test_validation_layout_holds_every_id_a_callback_uses_on_any_page(app: Dash) -> None:
    """The validation layout is built from the portrait's frame (a whole portrait took
    0.7 s of server start): every id of a callback found in a territory's portrait, the
    map and the Données page is in it, so Dash checks nothing against a missing id."""
    used = {
        dep["id"]
        for cb in app.callback_map.values()
        for dep in (*cb["inputs"], *cb["state"])
        if not dep["id"].startswith("{")  # pattern-matching ids (selection, search hits)
    }
    used |= {
        part.split(".")[0]
        for key in app.callback_map
        for part in key.strip(".").split("...")
        if not part.startswith("{")
    }
    client = app.server.test_client()
    pages = set()
    for address in (
        "/portrait?territory=35236",
        "/portrait?territory=epci:243500741",
        "/",
        "/donnees",
    ):
        resp = client.get("/_dash-layout", headers={"Referer": f"http://localhost{address}"})
        pages |= _ids(resp.get_json())
    assert ids.PORTRAIT_TITLE in pages and ids.PORTRAIT_ONE_POINT in pages  # pages were built
    assert (pages & used) <= _ids(app.validation_layout)
    assert used <= _ids(app.validation_layout)
