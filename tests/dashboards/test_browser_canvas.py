"""Levels of more than ``CANVAS_ABOVE`` territories (all French communes) are drawn on
one canvas from packed outlines: the dep:35 communes are served here as the national
build's are, and must be coloured, clickable, hoverable and restyled like SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboards import queries, routes
from dashboards.queries import geometry

pytestmark = pytest.mark.browser
AREAS = "(n) => Number(document.body.dataset.mapAreas || 0) === n"
# RGBA of the canvas pixel at the map's centre point
PIXEL_JS = """() => {
  const c = document.querySelector('#map .leaflet-overlay-pane canvas');
  const r = c.getBoundingClientRect();
  const m = document.querySelector('#map').getBoundingClientRect();
  const x = Math.round((m.left + m.width / 2 - r.left) * c.width / r.width);
  const y = Math.round((m.top + m.height / 2 - r.top) * c.height / r.height);
  return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data);
}"""


def test_levels_above_the_threshold_load_a_stub_naming_their_packed_outlines(
    dash_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = queries.open_warehouse(dash_db)
    n = len(queries.territories(wh, "commune"))
    assert n <= geometry.CANVAS_ABOVE  # a département's communes stay SVG
    assert routes.map_url(wh, "commune") == routes.geo_url(wh, "commune")
    monkeypatch.setattr(geometry, "CANVAS_ABOVE", n - 1)
    assert queries.is_canvas_level(wh, "commune")
    assert not queries.is_canvas_level(wh, "epci")
    assert routes.map_url(wh, "commune") == f"/_territoires/canvas/commune.geojson?v={wh.stamp}"
    assert routes.map_url(wh, "epci") == routes.geo_url(wh, "epci")


def test_communes_on_a_canvas_are_coloured_clickable_and_restyled(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    names = {t.name for t in queries.territories(wh, "commune")}
    stub = routes.canvas_stub("commune", routes.outlines_url(wh, "commune"))
    packed: list[str] = []
    page.on("requestfinished", lambda r: packed.append(r.url) if ".bin" in r.url else None)

    def as_national(route: Any) -> None:
        route.fulfill(json=stub)  # what a national build's communes load

    page.route("**/_territoires/geo/commune.geojson*", as_national)
    page.goto(live_server + "/?level=commune")
    page.wait_for_function(AREAS, arg=len(names))
    # one canvas, no SVG path per commune, drawn from the packed outlines
    assert any("/_territoires/canvas/commune.bin" in u for u in packed), packed
    assert page.locator("path.territoires-area").count() == 0
    assert page.locator("#map .leaflet-overlay-pane canvas").count() == 1
    _centre_has_a_legend_colour(page)

    # hover: the tooltip names a commune; click: the panel shows it
    box = page.locator("#map").bounding_box()
    centre = {"x": box["width"] / 2, "y": box["height"] / 2}
    page.locator("#map").hover(position=centre)
    tip = page.locator(".leaflet-tooltip strong").first
    tip.wait_for()
    hovered = tip.inner_text().strip()
    assert hovered in names
    page.locator("#map").click(position=centre)
    page.wait_for_function(
        "(n) => (document.getElementById('territory-panel') || {}).innerText?.includes(n)",
        arg=hovered,
    )
    page.screenshot(path=tmp_path / "canvas.png")

    # another indicator: the canvas is restyled in place, in the new legend's colours
    label = "Densité de population (hab./km²)"
    before = page.evaluate("Date.now()")
    page.click("#indicator")
    page.fill(".dash-dropdown-search", "Densité de population")
    page.locator(".dash-dropdown-option", has_text=label).first.click()
    page.wait_for_function("(t) => Number(document.body.dataset.mapStyled || 0) >= t", arg=before)
    page.wait_for_function(
        "(l) => document.getElementById('legend').innerText.includes(l)", arg="Densité"
    )
    page.wait_for_function(AREAS, arg=len(names))
    _centre_has_a_legend_colour(page)

    # to the EPCI (SVG) and back: the canvas goes and comes back, and each level is
    # coloured by its own classes only (body[data-map-level])
    n_epci = len([t for t in queries.territories(wh, "epci") if t.code])
    page.locator("#level label", has_text="EPCI").first.click()
    page.wait_for_function(LEVEL_SHOWN, arg=["epci", n_epci])
    assert page.locator("#map .leaflet-overlay-pane canvas").count() == 0
    assert page.locator("path.territoires-area").count() == n_epci
    page.locator("#level label", has_text="Communes").first.click()
    page.wait_for_function(LEVEL_SHOWN, arg=["commune", len(names)])
    assert page.locator("path.territoires-area").count() == 0
    assert page.locator("#map .leaflet-overlay-pane canvas").count() == 1
    _centre_has_a_legend_colour(page)


LEVEL_SHOWN = """([level, n]) => document.body.dataset.mapLevel === level
    && Number(document.body.dataset.mapAreas || 0) === n"""


def _centre_has_a_legend_colour(page: Any) -> None:
    """The canvas pixel at the map's centre is a legend colour at the fill opacity,
    or a hatch grey (a missing or secret value)."""
    page.wait_for_timeout(100)  # the canvas redraws on the next animation frame
    swatches = page.evaluate(
        """() => [...document.querySelectorAll('#legend .swatch')]
                 .map((e) => getComputedStyle(e).backgroundColor)
                 .filter((c) => c.startsWith('rgb('))"""
    )
    colours = {tuple(int(x) for x in c[4:-1].split(",")) for c in swatches}
    assert len(colours) >= 3, swatches
    pixel = page.evaluate(PIXEL_JS)
    # covered at the fill opacity (0.88; the canvas keeps colours unpremultiplied)
    assert abs(pixel[3] - round(0.88 * 255)) <= 2, pixel
    hatched = max(pixel[:3]) - min(pixel[:3]) <= 2  # grey stripes: missing or secret
    assert hatched or any(
        max(abs(a - b) for a, b in zip(pixel[:3], e, strict=True)) <= 3 for e in colours
    ), (pixel, colours)
