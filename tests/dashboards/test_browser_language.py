"""Language and titles (issue 12, point 9) in headless Chromium: the document says it is
French, each page has its own title, Leaflet's zoom buttons speak French."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboards import queries
from dashboards.components import controls
from dashboards.formatting import titled

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


# WCAG 2.1 contrast of a text's colour on the first opaque background behind it.
_CONTRAST_JS = """(el) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let n = el; n && !bg; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) bg = c.slice(0, 3);
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_search_text_and_legend_meet_wcag_aa(page: Any, live_server: str) -> None:
    """The typed search text was invisible once (white on white, 1:1)."""
    page.goto(live_server + "/")
    page.wait_for_selector("path.territoires-area", state="attached")
    search = page.locator("#search-input")
    search.fill("Redon")
    assert search.evaluate(_CONTRAST_JS) >= 4.5
    texts = page.locator(
        "#legend .legend-title, #legend .legend-label, #legend .legend-count, #legend p"
    ).all()
    assert len(texts) >= 4
    for text in texts:
        if text.inner_text().strip():
            assert text.evaluate(_CONTRAST_JS) >= 4.5, text.inner_text()


def test_indicator_picker_searches_from_the_keyboard(
    page: Any, live_server: str, dash_db: Path
) -> None:
    """Enter opens the picker with the focus in its search box; typing filters; Enter
    picks the first match (Dash 4 put the focus on an option, where typing did nothing)."""
    wh = queries.open_warehouse(dash_db)
    by_label = {titled(i): i.id for i in queries.indicators(wh)}
    page.goto(live_server + "/")
    page.wait_for_selector("path.territoires-area", state="attached")
    page.focus("#indicator")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && "
        "document.activeElement.classList.contains('dash-dropdown-search')"
    )
    page.keyboard.type("Densité de population")
    # The list filters after the keystrokes land: read the first option once it is
    # filtered (a few options, among them the indicator typed).
    page.wait_for_function(
        "(total) => { const o = [...document.querySelectorAll('.dash-dropdown-option')];"
        " return o.length > 0 && o.length < total"
        " && o.some((e) => e.innerText.startsWith('Densité de population')); }",
        arg=len(by_label),
    )
    first = page.locator(".dash-dropdown-option").first.inner_text().strip()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(id) => window.location.search.includes('indicator=' + id)", arg=by_label[first]
    )


OPTIONS_JS = "() => (window.dash_component_api.getLayout('indicator') || {props: {}}).props.options"


def test_indicator_picker_holds_every_indicator_once_the_map_is_painted(
    page: Any, live_server: str, dash_db: Path
) -> None:
    """The page comes with the chosen indicator only (the dropdown indexes every option
    it is given, 0.3-0.9 s in front of a national first paint); the whole list follows
    the map's paint, the table's first rows too, and opening the picker lists them."""
    wh = queries.open_warehouse(dash_db)
    expected = controls.indicator_options(queries.indicators(wh), queries.theme_missing_sources(wh))
    page.goto(live_server + "/")
    page.wait_for_selector("path.territoires-area", state="attached")
    page.wait_for_function("(n) => (" + OPTIONS_JS + ")().length === n", arg=len(expected))
    assert [o["value"] for o in page.evaluate(OPTIONS_JS)] == [o["value"] for o in expected]
    page.wait_for_function("() => document.body.dataset.gridRows")
    n_rows = page.evaluate(
        "() => { let n = 0; dash_ag_grid.getApi('grid').forEachNode(() => n++); return n; }"
    )
    assert n_rows == len(queries.territories(wh, "commune"))
    page.click("#indicator")
    page.locator(".dash-dropdown-option").nth(3).wait_for()
    assert page.locator(".dash-dropdown-option").count() > 3


def test_indicator_picker_matches_words_not_letters(page: Any, live_server: str) -> None:
    """ "ESS" finds the ESS theme, not every "Accessibilité"; accents are optional;
    a name beginning with what was typed comes first."""
    page.goto(live_server + "/")
    page.wait_for_selector("path.territoires-area", state="attached")

    def shown(typed: str) -> list[str]:
        page.click("#indicator")
        page.fill(".dash-dropdown-search", typed)
        page.wait_for_function(
            "(t) => { const o = [...document.querySelectorAll('.dash-dropdown-option')];"
            " return o.length > 0 && o.every((e) => !e.innerText.includes('Accessibilit')"
            " || t !== 'ESS'); }",
            arg=typed,
        )
        page.wait_for_timeout(300)  # the list settles after the last keystroke
        texts = [t.strip() for t in page.locator(".dash-dropdown-option").all_inner_texts()]
        page.keyboard.press("Escape")
        return texts

    ess = shown("ESS")
    assert any("ESS" in t for t in ess), ess
    assert not any("Accessibilit" in t for t in ess), ess
    assert any(t.startswith("ESS") for t in shown("economie sociale"))
    density = shown("Densité de population")
    assert density[0].startswith("Densité de population"), density


def test_ranks_read_the_same_in_the_tooltip_the_portrait_and_the_table(
    page: Any, live_server: str
) -> None:
    """The map's tooltip words (JS) are the portrait's (Python), thousands apart as in
    the totals ("21 764e ex aequo ... sur 34 865"); the table's short rank likewise."""
    from dashboards.formatting import rank_text

    page.goto(live_server + "/")
    page.wait_for_function("() => window.territoires && window.dashAgGridFunctions")
    cases = [(1, 196, 332), (12, 2, 1500), (7, 1, 332), (21764, 2, 34865), (31501, 1, 34865)]
    for rank, tied, n in cases:
        js = page.evaluate("([r, t, n]) => window.territoires.rankText(r, t, n)", [rank, tied, n])
        assert js == rank_text(rank, tied, n)
    short = page.evaluate(
        "() => [[21764, 2], [31501, 1], [1, 3]].map(([v, t]) => "
        "window.dashAgGridFunctions.frRank({value: v, data: {tied: t}}))"
    )
    assert short == ["21\u202f764e ex aequo (2)", "31\u202f501", "1er ex aequo (3)"]
