"""A build with mainland and overseas communes opens on mainland France and offers a
shortcut to each overseas département (a copy of the dep:35 build with one made-up
overseas commune and département added: test geometry, no figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import queries
from dashboards.components import controls
from dashboards.pages import carte


@pytest.fixture(scope="module")
def mixed(overseas_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(overseas_db)


def test_the_map_opens_on_mainland(mixed: queries.Warehouse, dash_db: Path) -> None:
    mainland = queries.territory_bounds(queries.open_warehouse(dash_db), "", "")
    assert queries.territory_bounds(mixed, "", "") == mainland  # not stretched to 55° E
    (s, _), (n, e) = mainland
    assert 47 < s < n < 49 and e < 0  # Ille-et-Vilaine
    assert queries.territory_bounds(mixed, "departement", "974")[0][0] == pytest.approx(-21.1)


def test_shortcuts_to_overseas(mixed: queries.Warehouse, dash_db: Path) -> None:
    assert [t.code for t in queries.overseas_departements(mixed)] == ["974"]
    assert queries.overseas_departements(queries.open_warehouse(dash_db)) == ()
    nav = controls.goto_buttons([("departement:974", "Essai outre-mer")])
    buttons = [c for c in nav.children if getattr(c, "id", None)]
    assert [b.id["place"] for b in buttons] == ["metropole", "departement:974"]
    assert [b.children for b in buttons] == ["France métropolitaine", "Essai outre-mer"]
    assert controls.goto_buttons([]) is None


def test_only_offered_places_are_reachable(mixed: queries.Warehouse) -> None:
    reunion = carte.goto_viewport(mixed, "departement:974")
    assert reunion["bounds"][0][0] == pytest.approx(-21.1)
    assert reunion["transition"] == "flyToBounds"
    mainland = carte.goto_viewport(mixed, "metropole")
    assert mainland["bounds"] == [list(b) for b in queries.territory_bounds(mixed, "", "")]
    for forged in ("departement:35", "commune:35236", "canton:1", "'; DROP TABLE x"):
        assert carte.goto_viewport(mixed, forged) is None, forged
