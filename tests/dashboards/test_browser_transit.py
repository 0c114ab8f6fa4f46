"""The public transport of issue 11 in headless Chromium, on the Dordogne build:
transit indicators in the mobility theme, the stops layer sized by weekday departures,
and the portrait's basket item by item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.build import BuildReport

pytestmark = pytest.mark.browser


def test_stops_layer_shows_every_stop_with_its_departures(
    page: Any, transit_server: str, dep24_built: BuildReport, tmp_path: Path
) -> None:
    with duckdb.connect(str(dep24_built.db_path), read_only=True) as con:
        n_stops, busiest, departures = con.execute(
            "SELECT count(*) OVER (), stop_name, n FROM (SELECT feed, stop_id, "
            "first(stop_name) AS stop_name, sum(departures) FILTER (WHERE regular) AS n "
            "FROM transit_stops GROUP BY ALL) ORDER BY n DESC LIMIT 1"
        ).fetchone()
    page.goto(transit_server + "/?indicator=transit_frequent_share__walk&level=commune")
    page.wait_for_selector("path.territoires-area", state="attached")
    assert page.locator(".territoires-stop").count() == 0  # off until asked
    page.get_by_label(f"Arrêts ({n_stops})").check()
    page.wait_for_selector(".territoires-stop", state="attached")
    assert page.locator(".territoires-stop").count() == n_stops
    legend = page.inner_text("body")
    assert "Part des habitants à 500 m à pied d'un arrêt fréquent" in legend
    # the busiest stop is the largest circle, and says its departures in French
    radii = page.eval_on_selector_all(".territoires-stop", "els => els.map(e => e.getBBox().width)")
    assert max(radii) > 3 * min(radii)
    page.screenshot(path=str(tmp_path / "stops.png"))
    biggest = page.locator(".territoires-stop").nth(radii.index(max(radii)))
    biggest.dispatch_event("mouseover")  # circles overlap downtown: no pointer hover
    tip = page.wait_for_selector(".leaflet-tooltip").inner_text()
    assert busiest in tip and "départ(s) de lignes régulières le 13/01/2026" in tip
    assert f"{departures:,d}".replace(",", "\u202f") in tip or str(departures) in tip
    # the permalink keeps the layer
    page.wait_for_function("() => window.location.search.includes('stops=1')")
    page.goto(str(page.evaluate("window.location.href")))
    page.wait_for_selector(".territoires-stop", state="attached")
    assert page.locator(".territoires-stop").count() == n_stops
    assert page.get_by_label(f"Arrêts ({n_stops})").is_checked()


def test_portrait_lists_the_basket_item_by_item(
    page: Any, transit_server: str, tmp_path: Path
) -> None:
    page.goto(transit_server + "/portrait?territory=24322")  # Périgueux
    page.wait_for_load_state("networkidle")  # the body is drawn again by its callback
    heading = page.locator("h2:has-text('Panier du quotidien, équipement par')")
    heading.wait_for()
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "basket.png"))
    table = page.locator("table:has(caption:has-text('Panier du quotidien'))")
    text = table.inner_text()
    for item in ("Boulangerie", "Médecin généraliste", "Pharmacie", "Bibliothèque"):
        assert item in text
    assert "Présent dans la commune" in text and "oui" in text and "min" in text
