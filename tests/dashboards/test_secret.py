"""Secret cells (statistical secrecy) and missing cells, on a copy of the dep:35
build in which a few commune cells are marked secret (``secret_db``): queries,
map model, legend, table twin and portrait say "secret statistique", distinct from
"non disponible", and never draw or export them as zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import ids, queries
from dashboards.components import legend, portrait, table
from dashboards.figures import choropleth
from dashboards.figures.palettes import CONFIDENTIAL_SWATCH, MISSING_SWATCH
from dashboards.pages.carte import map_view
from dashboards.permalink import ViewState
from dashboards.portrait_data import portrait as gather_portrait
from tests.dashboards.conftest import MISSING_CODE, SECRET_CODES, SECRET_INDICATOR, basket_size


@pytest.fixture(scope="module")
def wh(secret_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(secret_db)


@pytest.fixture(scope="module")
def blank_in_build(dash_db: Path) -> int:
    """Commune cells of :data:`SECRET_INDICATOR` already blank in the build (with a
    note, e.g. a partial school source near the border), before the copy's edits."""
    values = queries.indicator_values(queries.open_warehouse(dash_db), SECRET_INDICATOR, "commune")
    assert all(v.note for v in values if v.value is None)  # every blank says why
    return sum(v.value is None for v in values)


def _at(wh: queries.Warehouse, code: str) -> int:
    return queries.territory_index(wh, "commune")[code]


def test_queries_return_secret_cells_blank(wh: queries.Warehouse, blank_in_build: int) -> None:
    values = queries.indicator_values(wh, SECRET_INDICATOR, "commune")
    secret = {v.code for v in values if v.secret}
    assert secret == set(SECRET_CODES)
    assert all(values[_at(wh, c)].value is None for c in SECRET_CODES)
    missing = values[_at(wh, MISSING_CODE)]
    assert missing.value is None and not missing.secret
    assert missing.note is None  # blanked by the test copy: no reason given
    assert sum(v.value is not None for v in values) == 332 - 4 - blank_in_build


def test_map_model_codes_legend_and_summary(wh: queries.Warehouse, blank_in_build: int) -> None:
    ind = queries.indicator(wh, SECRET_INDICATOR)
    places = queries.territories(wh, "commune")
    values = queries.indicator_values(wh, SECRET_INDICATOR, "commune")
    m = choropleth.build("commune", places, values, ind, method="quantiles", k=5, palette="viridis")
    for code in SECRET_CODES:
        i = _at(wh, code)
        assert m.hideout["cls"][i] == choropleth.CONFIDENTIAL
        assert m.hideout["val"][i] is None and m.hideout["rank"][i] is None
    assert m.hideout["cls"][_at(wh, MISSING_CODE)] == choropleth.MISSING
    assert m.hideout["secretText"] == "secret statistique"
    assert m.hideout["missingText"] == "non disponible"
    tail = [(e.label, e.count, e.swatch_class) for e in m.legend[-2:]]
    assert tail == [
        ("non disponible", 1 + blank_in_build, MISSING_SWATCH),
        ("secret statistique", 3, CONFIDENTIAL_SWATCH),
    ]
    assert sum(e.count for e in m.legend) == 332
    missing = "non disponible"
    if blank_in_build:  # the build's own blanks say why, the copy's one does not
        assert m.legend[-2].detail.startswith("raisons : ")
        assert m.legend[-2].detail.endswith("raison non indiquée (1)")
        missing += ", " + m.legend[-2].detail
    assert m.summary.endswith(
        f"{1 + blank_in_build} sans valeur ({missing}) et 3 couvert(s) par le secret statistique."
    )


def test_legend_component_draws_both_hatches(wh: queries.Warehouse) -> None:
    view = map_view(wh, ViewState(indicator=SECRET_INDICATOR, level="commune"))
    lists = [c for c in view.legend.children if getattr(c, "className", "") == "legend-list"]
    items = lists[0].children
    last = items[-1].children
    assert "swatch-secret" in last[0].className and last[1].children == "secret statistique"
    assert "swatch-missing" in items[-2].children[0].className
    assert legend.legend("x", ()).children[1].children == []
    assert ids.LEGEND_DIRECTION in str(view.legend)


def test_table_twin_says_secret_in_words(wh: queries.Warehouse) -> None:
    view = map_view(wh, ViewState(indicator=SECRET_INDICATOR, level="commune"))
    i = queries.territory_index(wh, "commune")
    # the browser's rows (territoires.gridRows) read these: secret, missing, unranked
    assert view.hideout["cls"][i["35236"]] == -2 and view.hideout["rank"][i["35236"]] is None
    assert view.hideout["cls"][i[MISSING_CODE]] == -1
    assert view.hideout["secretText"] == "secret statistique"
    assert view.hideout["missingText"] == "non disponible"
    value_col = next(c for c in view.columns if c["field"] == "value")
    assert value_col["valueFormatter"]["function"].startswith("frValue(params, 2)")
    n = basket_size(Path(wh.path))
    assert (
        value_col["headerName"] == f"Score du quart d'heure à pied (panier du quotidien, sur {n})"
    )
    assert set(value_col["cellClassRules"]) == {"cell-secret", "cell-missing"}
    regions = queries.territories(wh, "region")
    base = table.base_data(regions)
    assert base["partial"] == [k for k, r in enumerate(regions) if not r.complete] != []
    assert base["pop"][0] == round(regions[0].population or 0)


def test_portrait_of_a_secret_cell(wh: queries.Warehouse) -> None:
    p = gather_portrait(wh, "commune:35236")
    row = next(r for r in p.rows if r.indicator.id == SECRET_INDICATOR)
    assert row.secret and row.value is None and row.rank is None
    assert not row.reference_secret  # the département
    assert row.reference is not None or row.reference_note  # a blank says why
    text = str(portrait.panel(p, SECRET_INDICATOR, "/portrait"))
    assert "secret statistique" in text
    assert "0,00" not in text
