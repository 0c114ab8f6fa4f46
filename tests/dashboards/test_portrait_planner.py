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
