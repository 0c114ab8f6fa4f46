"""The only module reading the warehouse, against dep:35 built from the mirror."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from dashboards import queries, search
from warehouse.gate import WarehouseError


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


@pytest.fixture(scope="module")
def base(base_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(base_db)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="entrepôt introuvable"):
        queries.open_warehouse(tmp_path / "absent.duckdb")


def test_levels_and_territories(wh: queries.Warehouse) -> None:
    assert queries.levels(wh) == ("commune", "epci", "departement", "region")
    communes = queries.territories(wh, "commune")
    assert len(communes) == 332
    assert [t.code for t in communes] == sorted(t.code for t in communes)
    assert queries.territory(wh, "commune", "35236").name == "Redon"
    assert queries.territory(wh, "commune", "99999") is None


def test_level_names_come_from_an_allow_list(wh: queries.Warehouse) -> None:
    with pytest.raises(ValueError, match="niveau inconnu"):
        queries.territories(wh, "commune; DROP TABLE territories")


def test_geometry_is_compact_rounded_and_aligned(wh: queries.Warehouse) -> None:
    body, gz = queries.level_geojson(wh, "commune")
    assert gzip.decompress(gz) == body
    assert len(body) < 1_500_000
    fc = json.loads(body)
    assert len(fc["features"]) == 332
    codes = [t.code for t in queries.territories(wh, "commune")]
    assert [f["properties"]["code"] for f in fc["features"]] == codes
    assert [f["properties"]["i"] for f in fc["features"]] == list(range(332))
    decimals = {len(d) for d in re.findall(r"\.(\d+)", body.decode()[:200_000])}
    assert max(decimals) <= 5


def test_aggregate_levels_lose_their_slivers(wh: queries.Warehouse) -> None:
    fc = json.loads(queries.level_geojson(wh, "departement")[0])
    geom = fc["features"][0]["geometry"]
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    holes = [ring for poly in polygons for ring in poly[1:]]
    assert all(queries.ring_area(h) >= 5e-5 for h in holes)


def test_registry_and_base_indicators(wh: queries.Warehouse, base: queries.Warehouse) -> None:
    assert queries.has_indicator_tables(wh)
    ids = {i.id for i in queries.indicators(wh)}
    assert "share_within_15min__france_services__car" in ids
    assert {"population", "density"} <= ids
    assert not queries.has_indicator_tables(base)
    base_inds = queries.indicators(base)
    assert all(i.computed_here and i.theme == queries.BASE_THEME for i in base_inds)
    assert "facilities_per_10k__france_services" in {i.id for i in base_inds}


def test_values_are_aligned_and_real(wh: queries.Warehouse) -> None:
    pop = queries.indicator_values(wh, "population", "commune")
    assert [v.code for v in pop] == [t.code for t in queries.territories(wh, "commune")]
    dep = queries.indicator_values(wh, "population", "departement")[0]
    assert dep.value == sum(v.value for v in pop)
    rate = queries.indicator_values(wh, "facilities_per_10k__france_services", "departement")[0]
    n_fs = next(s for s in queries.service_types(wh) if s.code == "FRANCE_SERVICES")
    assert rate.numerator == n_fs.n_in_territory
    assert rate.value == pytest.approx(10_000 * rate.numerator / rate.denominator)
    with pytest.raises(KeyError):
        queries.indicator_values(wh, "no_such_indicator", "commune")


def test_partial_region_has_no_access_value(wh: queries.Warehouse) -> None:
    """The région of a département build is incomplete: NULL, never a zero."""
    region = queries.indicator_values(wh, "share_within_15min__a206__walk", "region")
    assert region[0].value is None and not region[0].secret


def test_facilities_and_search_data(wh: queries.Warehouse) -> None:
    fc = queries.facilities_geojson(wh, ("FRANCE_SERVICES", "NOT_A_TYPE"))
    assert fc["features"]
    assert {f["properties"]["type"] for f in fc["features"]} == {"FRANCE_SERVICES"}
    assert queries.communes_of_postal_code(wh, "35600") == ("35013", "35236", "35294")
    hits = search.search_warehouse(wh, "redon")
    assert hits[0].code == "35236" and hits[0].label == "Redon (35)"
    assert queries.territory_bounds(wh, "commune", "35236")[0][0] == pytest.approx(47.63, abs=0.05)
