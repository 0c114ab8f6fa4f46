"""Blank values with their reason, public-service commitments and one point per
commune, on the real dep:35 build (``dash_db``) and on a small copy of it shaped
like an older warehouse (no ``note``, no ``target_max``, no ``population_points``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash import html

from dashboards import ids, notes, queries
from dashboards.components import controls
from dashboards.components import portrait as builders
from dashboards.pages.carte import map_view
from dashboards.permalink import ViewState
from dashboards.portrait_data import portrait as gather
from warehouse.gate import connect

SCHOOL = "share_within_15min__c301__car"  # lycées: the annuaire covers 35 and 94 only
COMMITMENTS = (
    "laposte_presence__share_beyond_5km_20min__car",
    "laposte_presence__share_beyond_5km_crow_20min__car",
    "france_services_promise__share_beyond_30min__car",
)


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


def _blank_commune(wh: queries.Warehouse) -> queries.Value:
    """A commune whose school value is blank because the source is partial."""
    values = queries.indicator_values(wh, SCHOOL, "commune")
    return next(v for v in values if v.value is None and "source partielle" in (v.note or ""))


def test_blank_values_come_with_their_note(wh: queries.Warehouse) -> None:
    values = queries.indicator_values(wh, SCHOOL, "commune")
    blank = [v for v in values if v.value is None]
    assert blank and all(v.note for v in blank)
    assert all(v.note is None for v in values if v.value is not None)
    assert len({id(v.note) for v in blank}) == len({v.note for v in blank})  # one string each
    assert notes.note_tag(_blank_commune(wh).note or "") == "source partielle"


def test_commitments_are_registered_with_their_target(wh: queries.Warehouse) -> None:
    targets = {i.id: i.target_max for i in queries.indicators(wh) if i.theme == "commitments"}
    assert targets == {COMMITMENTS[0]: 10.0, COMMITMENTS[1]: 10.0, COMMITMENTS[2]: 0.0}
    assert queries.indicator(wh, SCHOOL).target_max is None
    assert queries.THEME_SOURCES["commitments"] == ("laposte_points_contact", "france_services")
    options = [o["value"] for o in controls.indicator_options(queries.indicators(wh))]
    themes = [o.removeprefix("__theme__") for o in options if o.startswith("__theme__")]
    assert themes.index("commitments") == themes.index("mobility") + 1
    header = options.index("__theme__commitments")
    assert set(options[header + 1 : header + 4]) == set(COMMITMENTS)
    labels = {o["value"]: o["label"] for o in controls.indicator_options(queries.indicators(wh))}
    assert labels["__theme__commitments"] == "— Engagements de service public —"


def test_map_view_of_a_blank_commune_says_why(wh: queries.Warehouse) -> None:
    blank = _blank_commune(wh)
    view = map_view(wh, ViewState(indicator=SCHOOL, level="commune"))
    i = queries.territory_index(wh, "commune")[blank.code]
    assert view.hideout["notes"][view.hideout["why"][i] - 1] == blank.note
    assert view.hideout["val"][i] is None and view.hideout["cls"][i] < 0
    legend_text = str(view.legend)
    assert "raison : source partielle" in legend_text or "source partielle (" in legend_text
    status = next(c for c in view.columns if c["field"] == "status")
    assert blank.note in status["valueGetter"]["function"]


def test_one_point_note_at_commune_level_only(wh: queries.Warehouse) -> None:
    assert queries.population_points_kind(wh) == queries.POINTS_TOWN_HALL
    commune = map_view(wh, ViewState(indicator=SCHOOL, level="commune"))
    assert ids.ONE_POINT_NOTE in str(commune.legend)
    assert commune.hideout["onePoint"].startswith("Calculé sur un seul point")
    epci = map_view(wh, ViewState(indicator=SCHOOL, level="epci"))
    assert ids.ONE_POINT_NOTE not in str(epci.legend) and "onePoint" not in epci.hideout
    density = map_view(wh, ViewState(indicator="density", level="commune"))
    assert ids.ONE_POINT_NOTE not in str(density.legend)  # not computed from the points


def test_commitment_map_view_says_the_target_and_verdicts(wh: queries.Warehouse) -> None:
    view = map_view(wh, ViewState(indicator=COMMITMENTS[0], level="epci"))
    assert view.hideout["target"] == 10.0
    values = queries.indicator_values(wh, COMMITMENTS[0], "epci")
    given = [v.value for v in values if v.value is not None]
    met = sum(x <= 10.0 for x in given)
    text = str(view.legend)
    assert f"tenu par {met}, non tenu par {len(given) - met}" in text
    assert "La règle s'apprécie au niveau du département" in text
    assert f"engagement tenu par {met} sur {len(given)}" in view.summary


def _texts(component: object) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [t for c in component for t in _texts(c)]
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else []


def _find(component: object, cls: str) -> list[html.Span]:
    found = []
    if isinstance(component, list | tuple):
        return [f for c in component for f in _find(c, cls)]
    if cls in (getattr(component, "className", "") or "").split():
        found.append(component)
    children = getattr(component, "children", None)
    return found + (_find(children, cls) if children is not None else [])


def test_portrait_of_a_blank_commune(wh: queries.Warehouse) -> None:
    blank = _blank_commune(wh)
    p = gather(wh, f"commune:{blank.code}")
    row = next(r for r in p.rows if r.indicator.id == SCHOOL)
    assert row.value is None and row.note == blank.note
    body = builders.portrait(p, {})
    spans = _find(body, "value-missing")
    assert any(
        s.children == "non disponible : source partielle" and s.title == blank.note for s in spans
    )
    text = " ".join(_texts(body))
    assert notes.ONE_POINT_COMMUNE in text
    assert builders.COMMITMENTS_TITLE in text
    assert text.count(f"({notes.DEPARTEMENT_RULE})") == 2  # the two La Poste variants
    for ind_id in COMMITMENTS:
        r = next(r for r in p.rows if r.indicator.id == ind_id)
        assert r.value is not None and notes.commitment_status(r.value, r.indicator) in text
    panel = " ".join(_texts(builders.panel(p, SCHOOL, "/portrait")))
    assert "non disponible : source partielle" in panel
    assert notes.ONE_POINT_TIP in panel


def test_portrait_of_a_departement_has_no_commune_caveats(wh: queries.Warehouse) -> None:
    p = gather(wh, "departement:35")
    text = " ".join(_texts(builders.portrait(p, {})))
    assert builders.COMMITMENTS_TITLE in text
    assert notes.DEPARTEMENT_RULE not in text and notes.ONE_POINT_COMMUNE not in text
    dep = next(r for r in p.rows if r.indicator.id == COMMITMENTS[0])
    assert dep.value is not None and notes.commitment_status(dep.value, dep.indicator) in text


@pytest.fixture(scope="module")
def older_db(dash_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small warehouse shaped like one built before notes, targets and the
    population-point keys: territories, indicators without ``target_max``,
    indicator values without ``note``, build_info without the new keys."""
    path = tmp_path_factory.mktemp("older") / "older.duckdb"
    con = connect(path)
    try:
        quoted = str(dash_db).replace("'", "''")  # ATTACH takes no bound parameter
        con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)")
        con.execute(
            "CREATE TABLE territories AS SELECT * EXCLUDE (geom, geom_display) FROM src.territories"
        )
        con.execute("CREATE TABLE indicators AS SELECT * EXCLUDE (target_max) FROM src.indicators")
        con.execute(
            "CREATE TABLE indicator_values AS SELECT * EXCLUDE (note) FROM src.indicator_values "
            "WHERE list_contains(?, indicator_id)",
            [[SCHOOL, *COMMITMENTS]],
        )
        con.execute(
            "CREATE TABLE build_info AS SELECT * FROM src.build_info "
            "WHERE key NOT IN ('population_points', 'communes_single_point')"
        )
        con.execute("DETACH src")
    finally:
        con.close()
    return path


def test_an_older_warehouse_says_nothing_it_does_not_know(older_db: Path) -> None:
    wh = queries.open_warehouse(older_db)
    assert queries.population_points_kind(wh) == ""
    assert all(i.target_max is None for i in queries.indicators(wh))
    values = queries.indicator_values(wh, SCHOOL, "commune")
    assert any(v.value is None for v in values) and all(v.note is None for v in values)
    view = map_view(wh, ViewState(indicator=SCHOOL, level="commune"))
    assert not {"notes", "why", "onePoint", "target"} & set(view.hideout)
    assert ids.ONE_POINT_NOTE not in str(view.legend)
    assert "raison" not in str(view.legend)
