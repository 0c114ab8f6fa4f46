"""The map read without a basemap (offline): département outlines and the names of the
largest towns come from the warehouse; ticking OpenStreetMap offline says it failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboards import queries

pytestmark = pytest.mark.browser
FEATURES = "path.territoires-area"


def test_outlines_and_town_names_from_the_warehouse(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    towns = queries.town_labels_geojson(wh)["features"]
    largest = [f["properties"]["name"] for f in towns[:8]]
    assert (
        largest[0] == max(queries.territories(wh, "commune"), key=lambda t: t.population or 0).name
    )
    page.goto(live_server + "/")
    page.wait_for_selector(FEATURES, state="attached")
    page.wait_for_selector(".town-label")
    shown = page.locator(".town-label:visible").all_inner_texts()
    assert set(largest) <= set(shown)  # the 8 largest at the opening zoom
    n_outlines = page.evaluate("document.querySelectorAll('.leaflet-context-pane path').length")
    assert n_outlines == len(queries.territories(wh, "departement"))
    page.screenshot(path=tmp_path / "context.png")


def test_osm_basemap_offline_says_it_failed(
    chromium: Any, live_server: str, tmp_path: Path
) -> None:
    """Ticking OpenStreetMap without Internet: the map says so (tiles refused here)."""
    context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    try:
        page.goto(live_server + "/")
        page.wait_for_selector(FEATURES, state="attached")
        assert page.locator(".tiles-failed").count() == 0  # no basemap, nothing to say
        page.get_by_label("OpenStreetMap (nécessite Internet)").check()
        note = page.locator(".map-frame .tiles-failed")
        note.wait_for()
        assert "Fond OpenStreetMap inaccessible" in note.inner_text()
        page.screenshot(path=tmp_path / "osm_offline.png")
    finally:
        context.close()
