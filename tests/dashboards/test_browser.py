"""End-to-end tests in headless Debian Chromium against a live server (127.0.0.1).

Every test runs with the ``page`` fixture, which fails on any page error, console
error (CSP violations included) or request to a host other than 127.0.0.1.
Screenshots are saved under each test's ``tmp_path``.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import geopandas
import openpyxl
import pytest

from dashboards import queries
from geo.crs import WGS84, transform
from tests.dashboards.conftest import (
    MISSING_CODE,
    OVERSEAS_NAME,
    SECRET_CODES,
    SECRET_INDICATOR,
)

pytestmark = pytest.mark.browser
FEATURES = "path.territoires-area"


def _fills(page: Any) -> list[str]:
    return page.eval_on_selector_all(FEATURES, "els => els.map(e => e.getAttribute('fill'))")


def _choose(page: Any, dropdown_id: str, text: str) -> None:
    """Pick an option of a Dash 4 dropdown by typing in its search box."""
    page.click(f"#{dropdown_id}")
    page.fill(".dash-dropdown-search", text)
    page.locator(".dash-dropdown-option", has_text=text).first.click()


def _href(page: Any) -> str:
    """The address bar (``page.url`` misses ``history.replaceState`` updates)."""
    return str(page.evaluate("window.location.href"))


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(FEATURES, state="attached")
    page.wait_for_function("() => window.location.search.includes('zoom=')")


def test_map_renders_every_commune(page: Any, live_server: str, tmp_path: Path) -> None:
    start = time.monotonic()
    page.goto(live_server + "/")
    page.wait_for_selector(FEATURES)
    first_paint = time.monotonic() - start
    assert page.locator(FEATURES).count() == 332
    assert first_paint < 10  # budget of 3 s is measured by bench/dashboard.py
    fills = set(_fills(page))
    assert len(fills) >= 2 and not any(f in ("", None, "#000000") for f in fills)
    assert page.inner_text("#summary").startswith("Score du quart d'heure à pied")
    assert page.locator(".legend-item").count() >= 2
    assert page.locator(".ag-row").count() > 0  # the data-table twin
    page.screenshot(path=tmp_path / "carte.png", full_page=True)


def test_switching_indicator_changes_fills_not_geometry(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    _open(page, live_server + "/")
    before = _fills(page)
    _choose(page, "indicator", "Densité de population")
    page.wait_for_function("() => window.location.search.includes('indicator=density')")
    page.wait_for_function(
        "before => Array.from(document.querySelectorAll('path.territoires-area'))"
        ".some((e, i) => e.getAttribute('fill') !== before[i])",
        arg=before,
    )
    after = _fills(page)
    assert len(after) == 332
    assert sum(a != b for a, b in zip(before, after, strict=True)) > 50
    geo = [u for u in page.problems.requests if "/_territoires/geo/commune" in u]
    assert len(geo) == 1, geo  # geometry sent once; the switch only restyled
    assert "Densité de population" in page.inner_text("#legend")
    page.screenshot(path=tmp_path / "density.png")


def test_search_redon_by_name_and_postal_code(page: Any, live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/")
    page.get_by_label("Rechercher un territoire").fill("redon")
    hit = page.locator(".search-hit", has_text="Redon (35)")
    hit.wait_for()
    hit.click()
    page.wait_for_function("() => window.location.search.includes('territory=35236')")
    page.wait_for_selector("path.territoires-selected.code-35236")
    assert "Redon (commune, 35)" in page.inner_text("#territory-panel")
    page.screenshot(path=tmp_path / "redon.png")
    page.get_by_label("Rechercher un territoire").fill("35600")
    page.locator(".search-hit", has_text="Sainte-Marie (35)").wait_for()
    labels = page.locator(".search-hit").all_inner_texts()
    assert [t.split("\n")[0] for t in labels] == [
        "Bains-sur-Oust (35)",
        "Redon (35)",
        "Sainte-Marie (35)",
    ]


def test_permalink_restores_its_view(page: Any, live_server: str, tmp_path: Path) -> None:
    query = (
        "level=epci&indicator=population&classification=jenks&k=4&palette=cividis"
        "&territory=35236&facilities=FRANCE_SERVICES&lat=48.10000&lon=-1.70000&zoom=9.5"
    )
    page.goto(f"{live_server}/?{query}")
    page.wait_for_selector(FEATURES)
    page.wait_for_selector(".territoires-facility, .territoires-cluster")
    assert page.locator(FEATURES).count() == 18
    assert page.is_checked("#level input[value=epci]")
    assert page.is_checked("#classification input[value=jenks]")
    assert page.is_checked("#palette input[value=cividis]")
    # 4 classes, and the EPCI straddling the border blank (their built part's population
    # is not theirs) with the reason
    assert page.locator("#legend .legend-item").count() == 5
    assert "territoire partiellement construit" in page.inner_text("#legend")
    assert page.locator("path.territoires-selected.code-243500741").count() == 1
    time.sleep(1)
    assert _href(page) == f"{live_server}/?{query}"
    assert page.input_value("#permalink-text") == _href(page)
    page.screenshot(path=tmp_path / "permalink.png")


def test_bad_permalink_shows_a_message(page: Any, live_server: str, tmp_path: Path) -> None:
    page.goto(live_server + "/?indicator=n_existe_pas&territory=3X5&k=99")
    page.wait_for_selector(FEATURES)
    text = page.inner_text("#messages")
    assert "Indicateur inconnu « n_existe_pas »" in text
    assert "code mal formé « 3X5 »" in text
    assert "Nombre de classes invalide « 99 »" in text
    assert "Traceback" not in page.content()
    page.screenshot(path=tmp_path / "bad.png")


def test_exports_download_files_that_parse(page: Any, live_server: str, tmp_path: Path) -> None:
    _open(page, live_server + "/?indicator=density&level=epci")
    page.focus("#export-csv")  # keyboard reachable: Enter on the focused button
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "territoires_density_epci.csv"
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
    assert rows[0][:4] == ["Code", "Nom", "Niveau", "Population (hab.)"]  # French labels
    assert rows[1] == ["code", "nom", "niveau", "population", "density", "territoire_complet"]
    assert len(rows) == 20
    for row in rows[2:]:  # partial EPCI: blank, never a figure for part of a territory
        expected = r"\d+(,\d)?" if row[5] == "oui" else ""
        assert re.fullmatch(expected, row[4]), row
    page.wait_for_selector("#export-status:has-text('18 ligne(s) exportée(s)')")
    with page.expect_download() as info:
        page.click("#export-gpkg")
    gpkg = tmp_path / info.value.suggested_filename
    info.value.save_as(gpkg)
    assert gpkg.name == "territoires_density_epci.gpkg"
    read = geopandas.read_file(gpkg)
    assert len(read) == 18 and read.crs.to_epsg() == 2154
    assert list(read.columns[:5]) == ["code", "nom", "niveau", "population", "density"]
    with page.expect_download() as info:
        page.click("#export-xlsx")
    xlsx = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Données", "Métadonnées"]
    assert book["Données"].max_row == 20  # labels, ids, 18 EPCI


def test_what_if_adds_people_where_a_facility_is_placed(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    inputs = queries.what_if_inputs(wh, "departement", "35", "FRANCE_SERVICES", "car")
    far = inputs.points.sort_values("minutes", ascending=False).iloc[0]
    lon, lat = transform([far["x"]], [far["y"]], int(far["epsg"]), WGS84)
    code = str(far["commune_code"])
    _open(
        page,
        f"{live_server}/?indicator=share_within_15min__france_services__car"
        f"&territory={code}&lat={lat[0]:.5f}&lon={lon[0]:.5f}&zoom=12",
    )
    page.check("#planner-mode input[value=add]")  # may scroll the page down to the radio
    box = page.locator("#map").bounding_box()
    # the town hall, at the centre; Playwright scrolls the map back and waits for it to
    # be stable before clicking
    page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    sentence = page.locator(".planner-sentence")
    sentence.wait_for()
    gained = int(
        re.search(r"([\d\u202f]+) habitants de plus", sentence.inner_text())
        .group(1)
        .replace("\u202f", "")
    )
    assert gained >= far["population"] > 0
    assert page.locator(".territoires-simulated").count() == 1
    # the site is named by its commune, and the effect is given for it and its EPCI
    place = queries.territory(wh, "commune", code)
    assert place is not None
    assert f"à {place.name} ({place.dep_code})" in page.inner_text("#planner-list")
    local = page.inner_text(".planner-local")
    assert f"{place.name} (commune)" in local and "(EPCI)" in local
    page.screenshot(path=tmp_path / "whatif.png")


def test_planner_proposes_sites_and_shows_the_critical_ones(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    """Issue 14: « Proposer des sites » in dep:35 puts numbered sites on the map with
    the gain the solver reports; « Sites indispensables » colours the existing ones."""
    from dashboards.formatting import integer
    from indicators import siting

    wh = queries.open_warehouse(dash_db)
    inputs = queries.siting_inputs(wh, "departement", "35", "FRANCE_SERVICES", "car")
    expected = siting.plan_sites(inputs, 2, threshold_min=20.0)
    _open(page, f"{live_server}/?territory=35236")  # Redon: the département is 35
    page.fill("#planner-sites-n", "2")
    assert "20 min" in page.inner_text("#planner-threshold")  # the default threshold
    page.click("#planner-propose")
    markers = page.locator(".territoires-proposed")
    markers.first.wait_for()
    assert markers.count() == 2
    text = page.inner_text("#planner-siting")
    gained = integer(expected.summary["newly_within"])
    assert f"mettraient {gained} habitants de plus à 20 min" in text
    for name in expected.sites["commune_name"]:
        assert name in page.inner_text(".planner-sites")
    page.locator("#map").screenshot(path=tmp_path / "siting_map.png")
    page.locator("#planner-siting").screenshot(path=tmp_path / "siting.png")
    with page.expect_download() as info:
        page.click("#planner-siting-export")
    xlsx = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx)
    assert xlsx.name == "sites_france_services_35_2.xlsx"
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "Sites proposés" and book["Sites proposés"].max_row == 3
    page.click("#planner-critical")
    page.locator(".territoires-critical").first.wait_for()
    critical = siting.criticality(inputs, 20.0)
    assert page.locator(".territoires-critical").count() == len(critical)
    assert page.locator(".territoires-proposed").count() == 0
    first = critical.iloc[0]
    assert f"{first['label']} ({first['commune_name']})" in page.inner_text(".planner-critical")
    page.locator("#map").screenshot(path=tmp_path / "critical_map.png")
    page.locator("#planner-siting").screenshot(path=tmp_path / "critical.png")


def test_portrait_reference_and_print_stylesheet(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    page.goto(live_server + "/portrait?territory=35236")
    page.wait_for_selector(".portrait-table")
    assert "Portrait : Redon (commune, 35)" in page.inner_text("#portrait-title")
    _choose(page, "reference", "Bretagne")
    page.wait_for_function("() => window.location.search.includes('reference=region')")
    assert "partiellement" in page.inner_text("#portrait-body")
    page.emulate_media(media="print")
    assert not page.is_visible("#print-button")
    assert not page.is_visible("#search-input")
    assert page.is_visible(".portrait-table")
    page.screenshot(path=tmp_path / "portrait_print.png", full_page=True)


def test_portrait_builds_the_folded_access_table_when_opened(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    """The ~200 access indicators come folded and are built when their summary opens
    them (by keyboard here), with the reference shown; another reference folds them
    again and builds them for it."""
    from dashboards.portrait_data import portrait as gather

    p = gather(queries.open_warehouse(dash_db), "commune:35236")
    assert p is not None and p.reference is not None
    access = [r for r in p.rows if r.indicator.theme == "access"]
    assert len(access) > 50
    page.goto(live_server + "/portrait?territory=35236")
    page.wait_for_selector(".portrait-table")
    summary = page.locator("summary", has_text=f"({len(access)})")
    assert summary.evaluate("s => s.parentElement.open") is False
    assert page.locator('[id*="portrait-folded"] table').count() == 0
    summary.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('[id*="portrait-folded"] table tbody tr')
    rows = page.locator('[id*="portrait-folded"] table tbody tr')
    assert rows.count() == len(access)
    head = page.inner_text('[id*="portrait-folded"] table thead')
    assert p.reference.name in head
    first = rows.first.inner_text()
    assert access[0].indicator.label in first
    page.screenshot(path=tmp_path / "portrait_access_open.png", full_page=True)
    _choose(page, "reference", "Bretagne")
    page.wait_for_function("() => window.location.search.includes('reference=region')")
    page.wait_for_function("() => !document.querySelector('[id*=\"portrait-folded\"] table')")
    page.locator("summary", has_text=f"({len(access)})").click()
    page.wait_for_selector('[id*="portrait-folded"] table tbody tr')
    assert "Bretagne" in page.inner_text('[id*="portrait-folded"] table thead')


def test_layout_is_fetched_once_from_the_preload(page: Any, live_server: str) -> None:
    """The index preloads the layout while the scripts load; Dash's own request takes
    that response (one request, started by the link), and the page is the one asked."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "_dash-layout" in r.url else None)
    page.goto(live_server + "/portrait?territory=35236")
    page.wait_for_selector(".portrait-table")
    page.wait_for_load_state("networkidle")
    assert len(asked) == 1
    initiators = page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('_dash-layout')).map(e => e.initiatorType)"
    )
    assert initiators == ["link"]
    assert "Portrait : Redon (commune, 35)" in page.inner_text("#portrait-title")


def test_keyboard_and_labels(page: Any, live_server: str) -> None:
    _open(page, live_server + "/")
    for label in ("Rechercher un territoire", "Lien permanent de cette vue"):
        assert page.get_by_label(label).count() == 1, label
    for group in ("Niveau", "Classification", "Palette (lisible par les daltoniens)"):
        assert page.get_by_role("group", name=group).count() == 1, group
    for dropdown_id in ("indicator", "classes", "facility-types"):  # label for= the widget
        assert page.locator(f"label[for={dropdown_id}]").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.focus("#search-input")
    page.keyboard.type("Rennes")  # fast typing must keep every letter in order
    page.locator(".search-hit").first.wait_for()
    assert page.input_value("#search-input") == "Rennes"
    assert page.locator(".search-hit").first.inner_text().startswith("Rennes")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('territory=35238')")


def test_portrait_fracture_section_prints_cleanly(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    page.goto(live_server + "/portrait?territory=35238")  # Rennes: EPCI and département
    page.wait_for_selector(".fracture-table")
    section = page.locator(".fracture-block")
    assert section.count() == 3  # Rennes Métropole, Ille-et-Vilaine, double peine
    body = page.inner_text("#portrait-body")
    for words in ("Fractures territoriales", "Rennes Métropole (EPCI)", "Indice de Gini"):
        assert words in body, words
    assert "Theil inter-densité" in body and "Écart urbain − rural" in body
    assert re.search(r"Population en double peine .*: \d+,\d\u00a0%", body)
    assert "Double peine" in body and "Médiane du département" in body
    assert "score" not in re.findall(r"\d,\d\d\u00a0(\w+)", body)  # "3,00 sur 3", not "score"
    page.locator(".fracture-title").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "portrait_fractures.png", full_page=True)
    page.emulate_media(media="print")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.fracture-title')).breakBefore")
        == "page"
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.fracture-block')).breakInside")
        == "avoid"
    )
    assert not page.is_visible("#print-button") and page.is_visible(".fracture-table")
    pdf = tmp_path / "portrait.pdf"
    page.pdf(path=pdf, format="A4")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    page.screenshot(path=tmp_path / "portrait_fractures_print.png", full_page=True)


def test_secret_cells_are_drawn_as_secret(page: Any, secret_server: str, tmp_path: Path) -> None:
    _open(page, f"{secret_server}/?indicator={SECRET_INDICATOR}&level=commune")
    secret_fill = "url(#territoires-hatch-secret)"
    for code in SECRET_CODES:
        fill = page.get_attribute(f"path.territoires-area.code-{code}", "fill")
        assert fill == secret_fill, (code, fill)
    missing = page.get_attribute(f"path.territoires-area.code-{MISSING_CODE}", "fill")
    assert missing == "url(#territoires-hatch-missing)"
    assert _fills(page).count(secret_fill) == len(SECRET_CODES)
    legend = page.inner_text("#legend")
    assert "secret statistique\n(3)" in legend or "secret statistique (3)" in legend
    assert "non disponible" in legend
    page.hover("path.territoires-area.code-35236")
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert "Redon" in tip.inner_text() and "secret statistique" in tip.inner_text()
    page.screenshot(path=tmp_path / "secret_map.png")
    cell = page.locator(".ag-row[row-id='35001'] .ag-cell.cell-secret")  # first page
    cell.wait_for()
    assert cell.inner_text() == "secret statistique"
    gone = page.locator(f".ag-row[row-id='{MISSING_CODE}'] .ag-cell.cell-missing")
    assert gone.inner_text() == "non disponible"
    page.locator("#table-twin").screenshot(path=tmp_path / "secret_table.png")


def test_sources_page_fits_and_hides_server_paths(
    page: Any, live_server: str, mirror_dir: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(live_server + "/donnees")
    page.wait_for_selector(".data-table")
    text = page.inner_text("body")
    assert str(mirror_dir) not in text and "/work/" not in text and "/tmp/" not in text
    assert "miroir local : liste-fs-20240801.csv" in text
    card = page.locator(".donnees")
    assert page.evaluate("el => el.scrollWidth <= el.clientWidth", card.element_handle())
    region = page.locator(".table-scroll").first
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    page.screenshot(path=tmp_path / "donnees.png", full_page=True)


def test_national_view_opens_on_mainland_with_overseas_shortcuts(
    page: Any, overseas_server: str, tmp_path: Path
) -> None:
    _open(page, overseas_server + "/")
    lat = float(re.search(r"lat=(-?[\d.]+)", _href(page)).group(1))
    assert 47 < lat < 49  # the mainland part of the build, not the middle of the ocean
    page.screenshot(path=tmp_path / "mainland.png")
    page.get_by_role("button", name=OVERSEAS_NAME).click()
    page.wait_for_function("() => /lat=-21\\./.test(window.location.search)", timeout=20000)
    page.get_by_role("button", name="France métropolitaine").click()
    page.wait_for_function("() => /lat=4[78]\\./.test(window.location.search)", timeout=20000)
