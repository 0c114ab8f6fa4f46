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


# Every portrait table on the page: (its box scrolls sideways, its header row shows,
# cells whose content is wider than the cell, figure cells without their column name).
TABLES_JS = """() => [...document.querySelectorAll('#portrait-body table')].map((t) => [
  t.scrollWidth > t.clientWidth + 1,
  t.tHead ? t.tHead.getBoundingClientRect().height > 1 : false,
  [...t.querySelectorAll('td')].filter((c) => c.scrollWidth > c.clientWidth + 1).length,
  [...t.querySelectorAll('tbody td')].filter((c) => !c.dataset.label).length,
])"""


def test_phone_portrait_tables_read_one_block_per_row(
    phone: Any, live_server: str, tmp_path: Path
) -> None:
    """On a phone each row of the portrait's tables is a block and each figure follows
    its column's name: nothing cut at the right edge, nothing to scroll sideways."""
    phone.goto(live_server + "/portrait?territory=35236")
    phone.locator("#portrait-body table").first.wait_for()
    phone.wait_for_load_state("networkidle")
    tables = phone.evaluate(TABLES_JS)
    assert len(tables) >= 4
    assert tables == [[False, False, 0, 0]] * len(tables), tables
    cell = phone.locator("#portrait-body table.stackable td[data-label]").first
    label = cell.get_attribute("data-label")
    before = cell.evaluate("(c) => getComputedStyle(c, '::before').content")
    assert label and before == f'"{label}"'
    phone.screenshot(path=tmp_path / "portrait_tables_phone.png", full_page=True)
