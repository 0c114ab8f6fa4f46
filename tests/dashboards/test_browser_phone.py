"""The dashboard on a phone (390x844, touch) in headless Chromium: the indicator is
chosen before the map, a tapped commune shows in a bottom sheet, no page scrolls
sideways. Screenshots are saved under the test's ``tmp_path``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
FEATURES = "path.territoires-area"
WIDTH, HEIGHT = 390, 844


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths == [WIDTH, WIDTH], widths  # no zoomed-out desktop page, nothing wider


def test_phone_reaches_the_indicator_then_taps_a_commune(
    phone: Any, live_server: str, tmp_path: Path
) -> None:
    phone.goto(live_server + "/")
    phone.wait_for_selector(FEATURES, state="attached")
    phone.wait_for_load_state("networkidle")
    indicator = phone.locator("#indicator").bounding_box()
    the_map = phone.locator(".map-frame").bounding_box()
    assert indicator["y"] + indicator["height"] < HEIGHT  # on the first screen
    assert indicator["y"] < the_map["y"]  # before the map, not 1 454 px down
    assert phone.evaluate("document.getElementById('more-controls').open") is False
    _no_sideways_scroll(phone)
    phone.screenshot(path=tmp_path / "carte_phone.png")
    phone.locator(FEATURES).nth(100).dispatch_event("click")
    sheet = phone.locator(".territory-panel .panel-title")
    sheet.wait_for()
    box = phone.locator(".territory-panel").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT + 1  # on screen as tapped
    assert "Rang" in phone.inner_text(".territory-panel")
    phone.screenshot(path=tmp_path / "tap_phone.png")


@pytest.mark.parametrize("path", ["/portrait?territory=35236", "/donnees"])
def test_phone_pages_do_not_scroll_sideways(
    phone: Any, live_server: str, path: str, tmp_path: Path
) -> None:
    phone.goto(live_server + path)
    phone.wait_for_load_state("networkidle")
    phone.locator("h1").first.wait_for()
    _no_sideways_scroll(phone)
    phone.screenshot(path=tmp_path / "page_phone.png", full_page=True)
