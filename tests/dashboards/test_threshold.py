"""``territoires build --threshold 10`` end to end: the indicators, the portrait, the
what-if and the exports read the build's quart d'heure from the warehouse's stored
fields (issue 10), never from a constant or from the text of an id."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboards import queries, simulation
from dashboards.components import controls
from dashboards.components.portrait import portrait as portrait_view
from dashboards.pages._planner import outcome
from dashboards.portrait_data import portrait
from dashboards.simulation import Changes
from geo.crs import WGS84, transform
from indicators.registry import STRUCTURED_FIELDS
from tests.conftest import THRESHOLD_10

REDON = "35236"
FS_SHARE_10 = "share_within_10min__france_services__car"


@pytest.fixture(scope="module")
def wh10(dash10_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash10_db)


def test_threshold_10_indicators_exist_with_their_fields(wh10: queries.Warehouse) -> None:
    inds = queries.indicators(wh10)
    shares = [i for i in inds if i.kind == "share_within" and i.theme == "access"]
    assert queries.quarter_hour_min(wh10) == THRESHOLD_10
    ten = [i for i in shares if i.threshold_min == THRESHOLD_10]
    assert len(ten) >= 30 and all(i.id.startswith("share_within_10min__") for i in ten)
    assert all(i.service_type and i.mode for i in ten)
    scores = {i.id for i in inds if i.kind == "score"}
    assert {"score_10min__walk", "score_10min__car"} <= scores
    assert not any(i.id.startswith("score_15min") for i in inds)
    assert controls.default_indicator(inds) == "score_10min__walk"
    gini = {i.base_indicator_id for i in inds if i.kind == "gini"}
    assert "score_10min__walk" in gini


def test_portrait_data_has_the_10_minute_grid(wh10: queries.Warehouse) -> None:
    p = portrait(wh10, f"commune:{REDON}")
    assert p is not None and p.threshold_min == THRESHOLD_10
    assert p.minutes == "10 minutes"
    grid = p.share_grid()
    assert len(grid) >= 10 and set(grid["FRANCE_SERVICES"]) == {"walk", "bike", "car"}
    for by_mode in grid.values():
        for row in by_mode.values():
            assert row.indicator.threshold_min == THRESHOLD_10
            assert row.indicator.id.startswith("share_within_10min__")
    assert [r.indicator.id for r in p.scores()] == [
        "score_10min__bike",
        "score_10min__car",
        "score_10min__walk",
    ]
    text = str(portrait_view(p, {}))
    assert "Accès aux services en 10 minutes" in text
    assert "Part de la population à 10 minutes ou moins" in text
    assert "Population au-delà de 10 minutes" in text


def test_what_if_computes_at_10_minutes(wh10: queries.Warehouse) -> None:
    where = ("departement", "35")
    inputs = queries.what_if_inputs(wh10, *where, "FRANCE_SERVICES", "car")
    far = inputs.points.sort_values("minutes", ascending=False).iloc[0]
    lon, lat = transform([far["x"]], [far["y"]], int(far["epsg"]), WGS84)
    unchanged = simulation.run(wh10, where, "FRANCE_SERVICES", "car", Changes())
    stored = queries.indicator_values(wh10, FS_SHARE_10, "departement")[0]
    assert unchanged.threshold_min == THRESHOLD_10
    assert stored.value == pytest.approx(unchanged.old_share, abs=1e-6)
    assert stored.numerator == pytest.approx(unchanged.old_within)
    changes = Changes(add=((float(lon[0]), float(lat[0])),))
    result = simulation.run(wh10, where, "FRANCE_SERVICES", "car", changes)
    assert result.threshold_min == THRESHOLD_10 and result.newly_within >= far["population"]
    assert result.new_within == pytest.approx(result.old_within + result.newly_within)
    assert result.new_share == pytest.approx(100 * result.new_within / result.population)
    text = str(outcome(wh10, changes, "", "FRANCE_SERVICES", "car"))
    assert "à 10 min ou moins" in text and "Habitants à 10 min ou moins" in text


def test_exports_have_the_10_minute_columns(wh10: queries.Warehouse) -> None:
    frame, meta = queries.export_view(
        wh10, "departement", None, indicator_ids=(FS_SHARE_10, "score_10min__walk")
    )
    assert FS_SHARE_10 in frame.columns and "score_10min__walk" in frame.columns
    assert frame[FS_SHARE_10].notna().all()
    labels = {i.id: i.label for i in meta.indicators}
    assert "10 min" in labels[FS_SHARE_10]


def test_warehouse_without_the_stored_fields_still_opens(dash_db: Path, tmp_path: Path) -> None:
    """A warehouse built before the fields existed: the dashboard opens, the grid
    and the planner say what they cannot show (no id is parsed to guess)."""
    old = tmp_path / "old.duckdb"
    shutil.copy(dash_db, old)
    con = duckdb.connect(str(old))
    try:
        for column in STRUCTURED_FIELDS:
            con.execute(f"ALTER TABLE indicators DROP COLUMN {column}")
    finally:
        con.close()
    wh = queries.open_warehouse(old)
    assert queries.indicator(wh, "score_15min__walk") is not None
    assert queries.quarter_hour_min(wh) is None
    p = portrait(wh, f"commune:{REDON}")
    assert p is not None and p.share_grid() == {}
    assert "non calcul" in str(portrait_view(p, {}))
    assert simulation.unavailable_reason(wh).startswith(simulation.UNAVAILABLE)


@pytest.mark.browser
def test_browser_portrait_and_planner_at_10_minutes(
    page10: Any, threshold10_server: str, wh10: queries.Warehouse, tmp_path: Path
) -> None:
    page = page10
    page.goto(f"{threshold10_server}/portrait?territory={REDON}")
    page.wait_for_selector(".portrait-table")
    body = page.inner_text("#portrait-body")
    assert "Accès aux services en 10 minutes" in body
    grid = page.locator("table.portrait-table", has_text="à 10 minutes ou moins")
    assert grid.count() == 1
    assert grid.locator("tbody tr").count() >= 10
    assert re.search(r"\d+,\d\u00a0%", grid.inner_text())
    assert "Population au-delà de 10 minutes" in body
    page.screenshot(path=tmp_path / "portrait_10min.png", full_page=True)

    inputs = queries.what_if_inputs(wh10, "departement", "35", "FRANCE_SERVICES", "car")
    far = inputs.points.sort_values("minutes", ascending=False).iloc[0]
    lon, lat = transform([far["x"]], [far["y"]], int(far["epsg"]), WGS84)
    page.goto(
        f"{threshold10_server}/?indicator={FS_SHARE_10}&territory={far['commune_code']}"
        f"&lat={lat[0]:.5f}&lon={lon[0]:.5f}&zoom=12"
    )
    page.wait_for_selector("path.territoires-area", state="attached")
    page.wait_for_function("() => window.location.search.includes('zoom=')")
    page.check("#planner-mode input[value=add]")  # may scroll the page down to the radio
    box = page.locator("#map").bounding_box()
    # the centre of the map; Playwright scrolls it back into view before clicking
    page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    sentence = page.locator(".planner-sentence")
    sentence.wait_for()
    assert "habitants de plus à 10 min ou moins en voiture" in sentence.inner_text()
    assert "Habitants à 10 min ou moins" in page.inner_text(".planner-table")
    page.screenshot(path=tmp_path / "planner_10min.png", full_page=True)
