"""In headless Chromium (``page`` fails on any page error, CSP violation or request
off 127.0.0.1): a blank commune says why in its tooltip, the table twin and the
panel; a commitment's tooltip and table say whether it is met, with the same words
as ``dashboards.notes``; the one-point note sits under the legend at commune level
only. Screenshots are saved under each test's ``tmp_path``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from dashboards import ids, notes, queries

pytestmark = pytest.mark.browser
FEATURES = "path.territoires-area"
SCHOOL = "share_within_15min__c301__car"  # lycées: the annuaire covers 35 and 94 only
LAPOSTE = "laposte_presence__share_beyond_5km_20min__car"
TIP = ".leaflet-tooltip"


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(FEATURES, state="attached")
    page.wait_for_function("() => window.location.search.includes('zoom=')")


def _hover_inside(page: Any, selector: str) -> None:
    """Move the mouse onto a point inside the shape (its bounding-box centre may
    fall outside a concave commune, or on a neighbour)."""
    point = page.evaluate(
        """sel => {
          const el = document.querySelector(sel);
          const svg = el.ownerSVGElement, box = el.getBBox(), ctm = el.getScreenCTM();
          for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
            const p = svg.createSVGPoint();
            p.x = box.x + (box.width * i) / 24;
            p.y = box.y + (box.height * j) / 24;
            if (!el.isPointInFill(p)) continue;
            const s = p.matrixTransform(ctm);
            if (document.elementFromPoint(s.x, s.y) === el) return [s.x, s.y];
          }
          return null;
        }""",
        selector,
    )
    assert point is not None, f"aucun point visible dans {selector}"
    page.mouse.move(point[0], point[1])


def _status_cell(page: Any, code: str) -> str:
    """The "Statut" cell of a territory in the table twin (its page shown first)."""
    page.evaluate(
        """code => {
          const api = dash_ag_grid.getApi('grid');
          const node = api.getRowNode(code);
          api.paginationGoToPage(Math.floor(node.rowIndex / api.paginationGetPageSize()));
        }""",
        code,
    )
    cell = page.locator(f".ag-row[row-id='{code}'] .ag-cell[col-id='status']")
    cell.wait_for()
    return cell.inner_text().strip()  # no-break spaces kept, as the server writes them


def test_blank_commune_tooltip_table_and_panel_give_the_reason(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    values = queries.indicator_values(wh, SCHOOL, "commune")
    blank = next(v for v in values if v.value is None and "source partielle" in (v.note or ""))
    note = blank.note or ""
    name = queries.territory(wh, "commune", blank.code).name
    _open(page, f"{live_server}/?indicator={SCHOOL}&level=commune&territory={blank.code}")
    shape = f"{FEATURES}.code-{blank.code}"
    assert page.get_attribute(shape, "fill") == "url(#territoires-hatch-missing)"
    _hover_inside(page, shape)
    tip = page.locator(TIP)
    tip.wait_for()
    text = " ".join(tip.inner_text().split())
    assert name in text and ": non disponible" in text
    assert note in text  # the warehouse's reason, word for word
    assert notes.ONE_POINT_TIP in text
    page.screenshot(path=tmp_path / "blank_tooltip.png")
    legend = " ".join(page.inner_text(f"#{ids.LEGEND}").split())
    assert "non disponible" in legend and "source partielle" in legend
    panel = page.inner_text(f"#{ids.TERRITORY_PANEL}")
    assert "non disponible : source partielle" in panel
    assert page.get_attribute(f"#{ids.TERRITORY_PANEL} .value-missing", "title") == note
    assert _status_cell(page, blank.code) == note
    page.locator(f"#{ids.TABLE_TWIN}").screenshot(path=tmp_path / "blank_table.png")


def test_commitment_tooltip_and_table_say_engagement_tenu(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    ind = queries.indicator(wh, LAPOSTE)
    dep = queries.indicator_values(wh, LAPOSTE, "departement")[0]
    assert ind is not None and dep.value is not None
    expected = notes.commitment_status(dep.value, ind)
    assert expected.startswith("Engagement tenu")  # dep:35 meets La Poste's rule
    _open(page, f"{live_server}/?indicator={LAPOSTE}&level=departement")
    _hover_inside(page, f"{FEATURES}.code-{dep.code}")
    tip = page.locator(TIP)
    tip.wait_for()
    assert expected in tip.inner_text()
    page.screenshot(path=tmp_path / "commitment_tooltip.png")
    note = page.inner_text(f"#{ids.COMMITMENT_NOTE}")
    assert note.startswith("Engagement tenu quand la part est d'au plus 10")
    assert page.locator(f"#{ids.ONE_POINT_NOTE}").count() == 0  # not the commune level
    assert _status_cell(page, dep.code) == expected
    # The browser writes the verdict with the same words as the server, met or not,
    # from the value as the hideout sends it (rounded by the server).
    for value in (0.0, 6.8, 8.5, 10.0, 10.04, 14.1, 31.25):
        js = page.evaluate(
            "([v, d]) => window.territoires.commitmentText(v, 10, '%', d)",
            [round(value, ind.decimals), ind.decimals],
        )
        assert js == notes.commitment_status(value, ind), value
    promise = dataclasses.replace(ind, target_max=0.0, decimals=2)
    for value in (0.0, 2.5):
        js = page.evaluate(
            "v => window.territoires.commitmentText(v, 0, '%', 2)",
            value,
        )
        assert js == notes.commitment_status(value, promise), value


def test_one_point_note_under_the_legend_at_commune_level(
    page: Any, live_server: str, dash_db: Path, tmp_path: Path
) -> None:
    wh = queries.open_warehouse(dash_db)
    assert queries.population_points_kind(wh) == queries.POINTS_TOWN_HALL
    ind = queries.indicator(wh, SCHOOL)
    _open(page, f"{live_server}/?indicator={SCHOOL}&level=commune")
    note = page.locator(f"#{ids.LEGEND} #{ids.ONE_POINT_NOTE}")
    assert note.is_visible()
    assert note.inner_text() == notes.one_point_note(ind)
    colour = page.evaluate(
        "el => getComputedStyle(el).color", note.element_handle()
    )  # the note is read, not greyed out: body ink on white
    assert colour == "rgb(29, 35, 39)"
    page.locator(f"#{ids.LEGEND}").screenshot(path=tmp_path / "one_point_legend.png")
    page.check(f"#{ids.LEVEL} input[value=epci]")
    page.wait_for_function("() => window.location.search.includes('level=epci')")
    page.wait_for_selector(f"#{ids.ONE_POINT_NOTE}", state="detached")
    assert "EPCI" in page.inner_text(f"#{ids.LEGEND}")
