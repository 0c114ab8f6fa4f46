"""The three users of issue 12, each finishing their task in headless Chromium on the
dep:35 build: a planner, an elected official, a CRESS statistician.

Values are read from the warehouse (never written here); the screenshots and the
printed PDF are saved under each test's ``tmp_path``.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dashboards import portrait_data, queries

pytestmark = pytest.mark.browser
FEATURES = "path.territoires-area"


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(FEATURES, state="attached")
    page.wait_for_function("() => window.location.search.includes('zoom=')")


def _grid_rows(page: Any) -> list[dict[str, Any]]:
    """The table twin's rows as the user sees them (after filter and sort)."""
    return list(
        page.evaluate(
            """() => {
              const out = [];
              dash_ag_grid.getApi('grid').forEachNodeAfterFilterAndSort(n => out.push(n.data));
              return out;
            }"""
        )
    )


def _france_services_share(wh: queries.Warehouse) -> queries.Indicator:
    """Share of the inhabitants within the quart d'heure of a France services by car
    (read from the stored fields, never from the id)."""
    return next(
        i
        for i in queries.indicators(wh)
        if i.kind == "share_within"
        and i.service_type == "FRANCE_SERVICES"
        and i.mode == "car"
        and i.threshold_min == queries.quarter_hour_min(wh)
    )


def test_planner_filters_the_far_communes_and_exports_them(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    ind = _france_services_share(wh)
    _open(page, f"{live_server}/?indicator={ind.id}&level=commune")
    # the legend says which end is better; the table has population and the people beyond
    assert "Couleur claire : situation plus favorable" in page.inner_text("#legend-direction")
    assert "Sources et millésimes" in page.inner_text("#legend-source")
    headers = page.locator(".ag-header-cell-text").all_inner_texts()
    assert "Population" in headers
    assert any(h.startswith("Habitants au-delà de 15 min") for h in headers), headers
    rows = _grid_rows(page)
    assert len(rows) == len(queries.territories(wh, "commune"))
    values = {v.code: v for v in queries.indicator_values(wh, ind.id, "commune")}
    for row in rows[:50]:
        v = values[row["code"]]
        if v.value is not None and v.numerator is not None and v.denominator is not None:
            assert row["beyond"] == round(v.denominator - v.numerator)
    # ties are said as ties: many communes share 100 %
    tied = [r for r in rows if r["tied"] > 1]
    assert tied
    page.evaluate(
        """() => {
          const api = dash_ag_grid.getApi('grid');
          api.setFilterModel({value: {filterType: 'number', type: 'lessThan', filter: 100}});
          api.applyColumnState({state: [{colId: 'population', sort: 'desc'}],
                                defaultState: {sort: null}});
        }"""
    )
    page.wait_for_function(
        "() => dash_ag_grid.getApi('grid').getDisplayedRowCount() < 332", timeout=10_000
    )
    shown = _grid_rows(page)
    expected = [
        t.code
        for t in sorted(queries.territories(wh, "commune"), key=lambda t: -(t.population or 0))
        if values[t.code].value is not None and values[t.code].value < 100
    ]
    assert [r["code"] for r in shown] == expected and 0 < len(expected) < 332
    page.locator(".ag-row").first.wait_for()
    cells = page.locator(".ag-row .ag-cell[col-id='rank']").all_inner_texts()
    assert cells and all(re.fullmatch(r"\d+|\d+(er|e) ex aequo \(\d+\)", c) for c in cells)
    page.screenshot(path=tmp_path / "planner_table.png", full_page=True)
    with page.expect_download() as info:
        page.click("#export-csv")
    data = Path(info.value.path()).read_bytes()
    labels, ids_row, *lines = csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";")
    assert ids_row[:4] == ["code", "nom", "niveau", "population"] and ind.id in ids_row
    assert labels[ids_row.index(ind.id)] == f"{ind.label} (%)"
    assert [r[0] for r in lines] == expected  # the table's rows, in the table's order
    page.wait_for_selector("#export-status:has-text('selon le filtre et le tri du tableau')")
    with page.expect_download() as info:
        page.click("#export-theme")
    xlsx = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx)
    book = openpyxl.load_workbook(xlsx)
    theme_ids = {i.id for i in queries.indicators(wh) if i.theme == ind.theme}
    assert theme_ids <= {c.value for c in book["Données"][2]}
    assert book["Données"].max_row == len(expected) + 2


def test_elected_official_finds_redon_and_prints_its_portrait(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    epci = queries.territory(wh, "commune", "35236")
    assert epci is not None and epci.epci_code
    _open(page, live_server + "/")
    search = page.get_by_label("Rechercher un territoire")
    search.fill("Redn")  # a typo
    hit = page.locator(".search-hit", has_text="Redon (35)")
    hit.wait_for()
    assert "nom approché" in hit.inner_text()
    search.fill("Redon")
    page.locator(".search-hit", has_text="(EPCI)").first.wait_for()
    search.fill("Ille-et-Vilaine")
    page.locator(".search-hit", has_text="Ille-et-Vilaine (département 35)").wait_for()
    search.fill("35600")
    page.locator(".search-hit", has_text="Redon (35)").click()
    page.wait_for_function("() => window.location.search.includes('territory=35236')")
    page.goto(f"{live_server}/portrait?territory=35236")
    page.wait_for_load_state("networkidle")
    page.locator("#portrait-body table").first.wait_for()
    assert page.title().startswith("Portrait : Redon (commune, 35)")
    body = page.inner_text("#portrait-body")
    assert "ex aequo" in body and "Ille-et-Vilaine" in body
    # the chart: one pair of bars per service type, the territory's and the reference's
    p = portrait_data.portrait(wh, "commune:35236")
    assert p is not None
    n_types = sum("walk" in by_mode for by_mode in p.share_grid().values())
    assert page.locator(".bar-chart .bar-item").count() == n_types > 0
    assert page.locator(".bar-chart .bar-territory").count() >= 1
    page.screenshot(path=tmp_path / "portrait_screen.png", full_page=True)
    pdf = tmp_path / "portrait.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = _pdf_pages_text(pdf)
    assert len(pages) >= 3
    for n, text in enumerate(pages, 1):  # every page names the commune and cites sources
        assert "Redon" in text, n
        assert "Sources : " in text and "INSEE" in text, n
        assert re.search(rf"page {n}\s*/\s*{len(pages)}\b", text), n
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "pdf")],
        check=True,
    )
    assert list(tmp_path.glob("pdf-*.png"))


def _pdf_pages_text(pdf: Path) -> list[str]:
    """Text of each page of a PDF (poppler's pdftotext, a Debian package with Chromium's)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [p for p in out.split("\f") if p.strip()]


def test_cress_statistician_learns_why_ess_is_missing_and_exports_a_theme(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    missing = queries.theme_missing_sources(wh).get("ess", ())
    assert missing  # the offline mirror has no Sirene stock
    _open(page, live_server + "/")
    page.click("#indicator")
    page.fill(".dash-dropdown-search", "économie sociale")
    option = page.locator(".dash-dropdown-option", has_text="ESS").first
    option.wait_for()
    text = option.inner_text()
    assert "source non chargée" in text and missing[0] in text
    page.keyboard.press("Escape")
    page.goto(live_server + "/donnees")
    page.wait_for_load_state("networkidle")
    donnees = page.inner_text("#page-content")
    for name in missing:
        assert name in donnees
    # what the user does not get comes first, in words; the technical reason is folded
    assert "Conséquence : thème « ESS (économie sociale et solidaire) » sans indicateur" in donnees
    assert page.locator(".missing-detail").count() >= len(missing)
    page.screenshot(path=tmp_path / "donnees.png", full_page=True)
