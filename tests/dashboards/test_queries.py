"""The only package reading the warehouse, against dep:35 built from the mirror."""

from __future__ import annotations

import gzip
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from dashboards import queries, search
from warehouse.gate import WarehouseError, connect


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


# Interior rings smaller than this (m², metric CRS of the territory) are slivers between
# member communes: warehouse/sql/marts/display_geometry.sql drops them.
SLIVER_M2 = 400_000
# Interior rings of the display geometry of EPCI, départements and régions, with their
# area in the territory's metric CRS (``geometry``: the stored GeoJSON text, or
# ``geom_display``, the union of the member communes before the mart).
_HOLES_SQL = """
WITH parts AS (
    SELECT epsg, unnest(ST_Dump({geometry}), recursive := true)
    FROM territories t LEFT JOIN display_geometry d USING (level, code)
    WHERE t.level <> 'commune'
),
rings AS (
    SELECT epsg, unnest(list_transform(range(1, ST_NInteriorRings(geom) + 1),
                                       i -> ST_InteriorRingN(geom, i))) AS ring
    FROM parts
)
SELECT ST_Area(ST_Transform(ST_MakePolygon(ring), 'EPSG:4326', 'EPSG:' || epsg,
                            always_xy := true))
FROM rings
"""


def _hole_areas(db: Path, geometry: str) -> list[float]:
    con = connect(db, read_only=True)
    try:
        return [r[0] for r in con.execute(_HOLES_SQL.format(geometry=geometry)).fetchall()]
    finally:
        con.close()


def test_stored_display_geometry_has_no_sliver(dash_db: Path) -> None:
    """The unions of member communes carry slivers; the stored geometry keeps only the
    interior rings of at least :data:`SLIVER_M2` (measured in Lambert-93 / local UTM)."""
    before = _hole_areas(dash_db, "geom_display")
    assert sum(a < SLIVER_M2 for a in before) > 10  # the union leaves slivers
    stored = _hole_areas(dash_db, "ST_GeomFromGeoJSON(d.geojson)")
    assert stored, "real holes (not slivers) are kept"
    assert min(stored) >= SLIVER_M2


@pytest.mark.parametrize("level", queries.LEVELS)
def test_level_geojson_is_valid_with_one_feature_per_territory(
    wh: queries.Warehouse, level: str
) -> None:
    fc = json.loads(queries.level_geojson(wh, level)[0])
    territories = queries.territories(wh, level)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(territories) > 0
    for i, (feature, t) in enumerate(zip(fc["features"], territories, strict=True)):
        assert feature["type"] == "Feature"
        assert feature["properties"] == {"i": i, "code": t.code, "name": t.name}
        geom = shape(feature["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid
        assert not geom.is_empty


def unpack_outlines(body: bytes) -> tuple[dict[str, Any], list[list[list[tuple[int, int]]]]]:
    """Read ``level_outlines``' layout back: its header and, per drawn feature, its
    rings as lists of (lon, lat) in 1/scale degrees, written independently of the
    packing code."""
    assert body[:4] == b"TOUT"
    version, length = struct.unpack_from("<II", body, 4)
    assert version == 1 and length % 4 == 0
    head = json.loads(body[12 : 12 + length])
    m, rings, nv, width = head["drawn"], head["rings"], head["vertices"], head["width"]
    off = 12 + length
    index = struct.unpack_from(f"<{m}i", body, off)
    off += 4 * m
    feature_ring = struct.unpack_from(f"<{m + 1}I", body, off)
    off += 4 * (m + 1)
    ring_start = struct.unpack_from(f"<{rings + 1}I", body, off)
    off += 4 * (rings + 1)
    first = struct.unpack_from(f"<{2 * rings}i", body, off)
    off += 8 * rings
    planes = body[off:]
    assert len(planes) == width * 2 * nv

    def delta(k: int) -> int:
        raw = bytes(planes[p * 2 * nv + k] for p in range(width))
        return int.from_bytes(raw, "little", signed=True)

    features: list[list[list[tuple[int, int]]]] = [[] for _ in range(head["n"])]
    for j in range(m):
        for r in range(feature_ring[j], feature_ring[j + 1]):
            x, y = first[2 * r], first[2 * r + 1]
            ring = []
            for v in range(ring_start[r], ring_start[r + 1]):
                if v > ring_start[r]:
                    x, y = x + delta(v), y + delta(nv + v)
                ring.append((x, y))
            features[index[j]].append(ring)
    return head, features


@pytest.mark.parametrize("level", ["commune", "departement"])
def test_packed_outlines_hold_the_same_rings_as_the_geojson(
    wh: queries.Warehouse, level: str
) -> None:
    """The canvas renderer's packed outlines: every ring of the GeoJSON, vertex for
    vertex (but the closing one), each territory named as in ``territories``."""
    body, gz = queries.level_outlines(wh, level)
    assert gzip.decompress(gz) == body
    head, features = unpack_outlines(body)
    fc = json.loads(queries.level_geojson(wh, level)[0])
    territories = queries.territories(wh, level)
    assert head["level"] == level and head["n"] == len(territories)
    assert head["code"] == [t.code for t in territories]
    assert head["name"] == [t.name for t in territories]
    assert head["drawn"] == sum(1 for f in fc["features"] if f["geometry"])
    for feature, rings in zip(fc["features"], features, strict=True):
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        scale = head["scale"]
        expected = [
            [(round(x * scale), round(y * scale)) for x, y in ring[:-1]]
            for poly in polygons
            for ring in poly
        ]
        assert rings == expected
        assert all(
            abs(x * scale - round(x * scale)) < 1e-6
            for poly in polygons
            for ring in poly
            for x, _ in ring
        )
    # the GeoJSON is 4 decimals at most: deltas in 1/10 000 degree fit in 16 bits
    assert head["scale"] in (10_000, 100_000) and head["width"] in (2, 4)
    assert len(gz) < 0.7 * len(queries.level_geojson(wh, level)[1])


def test_packed_outlines_are_stored_by_the_build_or_packed_for_an_older_warehouse(
    wh: queries.Warehouse, dash_db: Path, tmp_path: Path
) -> None:
    """The build stores every level's packed outlines (the dashboard serves them as
    they are); a warehouse built before ``display_outlines`` gets the same bytes packed
    on the fly."""
    assert "display_outlines" in queries.tables(wh)
    path = tmp_path / "older.duckdb"
    con = connect(path)
    try:
        quoted = str(dash_db).replace("'", "''")  # ATTACH takes no bound parameter
        con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)")
        con.execute("CREATE TABLE territories AS SELECT * FROM src.territories")
        con.execute("CREATE TABLE display_geometry AS SELECT * FROM src.display_geometry")
        con.execute("DETACH src")
    finally:
        con.close()
    older = queries.open_warehouse(path)
    assert "display_outlines" not in queries.tables(older)
    for level in queries.levels(wh):
        stored = queries.level_outlines(wh, level)
        rows = [(t.code, t.name) for t in queries.territories(wh, level)]
        assert unpack_outlines(stored[0])[0]["code"] == [code for code, _ in rows]
        assert queries.level_outlines(older, level) == stored, level


def test_a_warehouse_without_display_geometry_must_be_rebuilt(
    dash_db: Path, tmp_path: Path
) -> None:
    """A warehouse built before ``display_geometry``: the map's geometry says to rebuild."""
    path = tmp_path / "older.duckdb"
    con = connect(path)
    try:
        quoted = str(dash_db).replace("'", "''")  # ATTACH takes no bound parameter
        con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)")
        con.execute("CREATE TABLE territories AS SELECT * FROM src.territories")
        con.execute("DETACH src")
    finally:
        con.close()
    older = queries.open_warehouse(path)
    assert len(queries.territories(older, "commune")) == 332
    with pytest.raises(WarehouseError, match="Reconstruisez l'entrepôt avec `territoires build`"):
        queries.level_geojson(older, "commune")


def test_every_dashboard_query_text_is_used() -> None:
    """Each ``warehouse/sql/dashboards/<name>.sql`` is read by the queries package."""
    root = Path(queries.__file__).resolve().parents[2]
    code = "\n".join(p.read_text() for p in (root / "dashboards" / "queries").glob("*.py"))
    names = [p.stem for p in (root / "warehouse" / "sql" / "dashboards").glob("*.sql")]
    assert names
    assert [n for n in names if f'"{n}"' not in code] == []


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
    with pytest.raises(KeyError, match=r"^'no_such_indicator'$"):
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
