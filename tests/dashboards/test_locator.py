"""The portrait's locator map: the territory highlighted among its neighbours."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dashboards import queries
from dashboards.components.portrait import locator
from dashboards.figures.locator import SIZE_PX, data_uri, locator_svg
from dashboards.portrait_data import portrait


def _square(x: float, y: float, side: float) -> str:
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_the_territory_is_drawn_last_in_its_colour() -> None:
    # the territory first, what it lies in after
    shapes = [("a", _square(0.0, 45.0, 1.0)), ("D", _square(0.0, 45.0, 2.0))]
    svg = locator_svg(shapes)
    assert svg is not None
    fills = re.findall(r"<path d='[^']+' fill='(#[0-9a-f]+)'", svg)
    assert len(fills) == 2 and fills[-1] != fills[0]  # the territory on top, its colour
    width, height = (int(v) for v in re.search(r"width='(\d+)' height='(\d+)'", svg).groups())
    # two degrees of longitude at 45° N are shorter than two of latitude
    assert max(width, height) == SIZE_PX and width < height
    assert locator_svg([("a", json.dumps({"type": "Point", "coordinates": [0, 45]}))]) is None
    assert locator_svg([]) is None
    uri = data_uri(svg)
    assert uri.startswith("data:image/svg+xml") and "<" not in uri and "#" not in uri


def test_a_commune_portrait_locates_it_in_its_departement(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    p = portrait(wh, "commune:35236")
    assert p is not None and p.locator is not None
    assert p.locator.count("<path") == 2  # Redon, then Ille-et-Vilaine's outline
    assert p.locator_within == "Ille-et-Vilaine"
    assert len(data_uri(p.locator)) < 20_000  # a few kilobytes in the page
    figure = locator(p)[0]
    img = figure.children[0]
    assert img.alt == "Situation : Redon (en rouge) dans Ille-et-Vilaine"
    dep = portrait(wh, "departement:35")
    assert dep is not None and dep.locator is not None and dep.locator_within == "Bretagne"
    assert dep.locator.count("<path") == 1  # the only département of Bretagne built
