"""Language and titles (issue 12, point 9) in headless Chromium: the document says it is
French, each page has its own title, Leaflet's zoom buttons speak French."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _title(page: Any, expected: str) -> str:
    page.wait_for_function("(t) => document.title === t", arg=expected, timeout=30000)
    return str(page.title())


def test_pages_are_french_with_one_title_each(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("path.territoires-area", state="attached")
    assert page.evaluate("document.documentElement.lang") == "fr"
    titles = [_title(page, "Carte des indicateurs — Territoires")]
    zoom_in = page.wait_for_selector(".leaflet-control-zoom-in[title='Zoom avant']")
    assert zoom_in.get_attribute("aria-label") == "Zoom avant"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    page.goto(live_server + "/portrait?territory=35236")
    titles.append(_title(page, "Portrait : Redon (commune, 35) — Territoires"))
    page.goto(live_server + "/donnees")
    titles.append(_title(page, "Données & méthodes — Territoires"))
    assert len(set(titles)) == 3
    assert page.evaluate("document.documentElement.lang") == "fr"
