"""Portrait data and the planner what-if, on the real dep:35 warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import ids, queries, simulation
from dashboards.pages._planner import apply_click, outcome
from dashboards.portrait_data import code_at_level, portrait
from dashboards.simulation import Changes
from geo.crs import WGS84, transform


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


def test_portrait_against_a_reference(wh: queries.Warehouse) -> None:
    p = portrait(wh, "commune:35236")
    assert p is not None and p.territory.name == "Redon"
    assert p.reference is not None and p.reference.level == "departement"
    values = {o.value: o for o in p.options}
    assert values["france"].disabled
    assert "non construite" in values["france"].label
    assert "partiel" in values["region:53"].label
    row = next(r for r in p.rows if r.indicator.id == "population")
    assert row.value == 9542 and row.rank is not None and row.n_ranked == 332


def test_partial_reference_is_said(wh: queries.Warehouse) -> None:
    p = portrait(wh, "commune:35236", "region:53")
    assert p.reference.code == "53"
    assert "partiellement" in p.reference_note
    p = portrait(wh, "commune:35236", "france")
    assert "France n'est pas construite" in p.reference_note
    assert portrait(wh, "commune:99999") is None


def test_code_at_level(wh: queries.Warehouse) -> None:
    assert code_at_level(wh, "commune:35236", "epci") == "243500741"
    assert code_at_level(wh, "commune:35236", "commune") == "35236"
    assert code_at_level(wh, "departement:35", "commune") == ""


def test_what_if_gives_a_positive_delta_in_an_underserved_commune(
    wh: queries.Warehouse,
) -> None:
    """A France Services at the town hall farthest from any France Services (by car)
    brings its inhabitants within 15 minutes."""
    inputs = queries.what_if_inputs(wh, "departement", "35", "FRANCE_SERVICES", "car")
    far = inputs.points.sort_values("minutes", ascending=False).iloc[0]
    assert far["minutes"] > 15
    lon, lat = transform([far["x"]], [far["y"]], int(far["epsg"]), WGS84)
    changes = Changes(add=((float(lon[0]), float(lat[0])),))
    result = simulation.run(wh, ("departement", "35"), "FRANCE_SERVICES", "car", changes)
    assert result.newly_within >= far["population"] > 0
    assert result.new_share > result.old_share
    assert result.no_longer_within == 0


def test_planner_clicks_and_outcome_text(wh: queries.Warehouse) -> None:
    click = {"latlng": {"lat": 48.5499, "lng": -1.7536}}
    changes, refused = apply_click(
        ids.MAP,
        Changes(),
        mode="add",
        service_type="FRANCE_SERVICES",
        map_click=click,
        facility_click=None,
    )
    assert refused == "" and changes.add == ((-1.7536, 48.5499),)
    facility = {"properties": {"type": "A206", "id": "x"}, "geometry": {"coordinates": [0, 0]}}
    same, refused = apply_click(
        ids.FACILITIES,
        changes,
        mode="remove",
        service_type="FRANCE_SERVICES",
        map_click=None,
        facility_click=facility,
    )
    assert same == changes and "pas du type simulé" in refused
    text = str(outcome(wh, changes, "", "FRANCE_SERVICES", "car"))
    assert "habitants de plus" in text
    assert Changes.from_store({"add": [[999, 0], [1, 2]], "remove": [["a", 1, 2]]}).add == ((1, 2),)


def test_simulation_unavailable_without_travel_times(base_db: Path) -> None:
    base = queries.open_warehouse(base_db)
    assert simulation.unavailable_reason(base).startswith("simulation indisponible")


def _text(component: object) -> str:
    """The visible text of a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def test_portrait_shows_the_basket_item_by_item(wh: queries.Warehouse, dash_db: Path) -> None:
    """Issue 11: presence in the commune (yes/no as the facilities say) and the median
    car time to the nearest of each type of the item."""
    import duckdb

    from dashboards.components.portrait import BASKET_TITLE, basket_items

    p = portrait(wh, "commune:35236")
    assert p is not None
    lines = p.basket()
    scopes = {line.presence.indicator.scope for line in lines}
    assert {"boulangerie", "generaliste", "pharmacie", "poste", "bibliotheque"} <= scopes
    with duckdb.connect(str(dash_db), read_only=True) as con:
        here = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT t.basket_item FROM facilities f "
                "JOIN service_types t ON t.code = f.service_type "
                "WHERE f.commune_code = '35236' AND t.basket_item IS NOT NULL"
            ).fetchall()
        }
    for line in lines:
        expected = 100.0 if line.presence.indicator.scope in here else 0.0
        assert line.presence.value == expected, line.label
        assert line.times and all(r.indicator.kind == "median" for _, r in line.times)
    shops = next(line for line in lines if line.presence.indicator.scope == "alimentation")
    assert shops.label == "Supérette / Épicerie" and len(shops.times) == 2
    text = _text(basket_items(p))
    assert BASKET_TITLE in text and "Présent dans la commune" in text
    words = text.split()
    assert words.count("oui") == len(scopes & here)
    assert words.count("non") == len(scopes - here)
    # above the commune: the share of inhabitants whose commune has the item
    dep = portrait(wh, "departement:35")
    assert dep is not None
    shares = [line.presence.value for line in dep.basket()]
    assert all(v is not None and 0.0 < v < 100.0 for v in shares)
    assert "Habitants dont la commune est équipée" in _text(basket_items(dep))
