"""A real test of the 200 m population path: dep:35 built with the Filosofi 2021 block
of north-east Ille-et-Vilaine (what ``territoires build --population-grid FILE`` does).

Expected figures are computed here from the file itself (read with the csv module,
its own Lambert-93 centres ``x_2154``/``y_2154`` tested against the communes with
shapely), never from the loader or the grid SQL under test.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from etl.population_grid import NE35_BLOCK, grid_catalogue, grid_fetcher
from territoires import main
from tests.conftest import make_settings
from warehouse.build import BuildReport, build
from warehouse.gate import connect

BLOCK = f"insee_filosofi_2021_200m_tiles_ne35/{NE35_BLOCK}"
VINTAGE = "Filosofi 2021 (bloc nord-est de l'Ille-et-Vilaine)"
# Extent of the block (EPSG:3035): GridViz tiles 10/34 and 10/35 of 128 cells of 200 m
# from the origin (3 200 000, 2 000 000), see the folder's README.
BLOCK_3035 = (3_456_000, 2_870_400, 3_481_600, 2_921_600)


@pytest.fixture(scope="module")
def grid_db(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> Path:
    """dep:35 built offline from the mirror with the block (base tables: the build
    steps only read ``population_points``)."""
    block = mirror_dir / BLOCK
    settings = make_settings(tmp_path_factory.mktemp("grid_ne35"), mirror_dir)
    report = build(settings, catalogue=grid_catalogue(block), fetcher=grid_fetcher(block))
    return report.db_path


@pytest.fixture(scope="module")
def cells(mirror_dir: Path) -> list[dict[str, str]]:
    with (mirror_dir / BLOCK).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def communes(grid_db: Path) -> dict[str, shapely.Geometry]:
    """Code -> polygon (EPSG:2154) of every commune of the build."""
    con = connect(grid_db, read_only=True)
    rows = con.execute(
        "SELECT code, ST_AsWKB(geom), epsg FROM territories WHERE level = 'commune'"
    ).fetchall()
    con.close()
    assert {r[2] for r in rows} == {2154}
    return {r[0]: shapely.from_wkb(bytes(r[1])) for r in rows}


@pytest.fixture(scope="module")
def containing(
    communes: dict[str, shapely.Geometry], cells: list[dict[str, str]]
) -> dict[str, str]:
    """Cell id -> the dep-35 commune whose polygon holds the file's own centre."""
    codes = list(communes)
    tree = shapely.STRtree(list(communes.values()))
    centres = shapely.points(
        [float(c["x_2154"]) for c in cells], [float(c["y_2154"]) for c in cells]
    )
    hit_cell, hit_commune = tree.query(centres, predicate="within")
    assert len(set(hit_cell)) == len(hit_cell)  # no centre in two communes
    return {
        cells[i]["idcar_200m_reconstructed"]: codes[j]
        for i, j in zip(hit_cell, hit_commune, strict=True)
    }


def test_points_are_the_grid_cells_with_their_flags(
    grid_db: Path, cells: list[dict[str, str]]
) -> None:
    con = connect(grid_db, read_only=True)
    rows = con.execute(
        "SELECT point_id, population, households, imputed, kind FROM population_points"
    ).fetchall()
    meta = con.execute(
        "SELECT vintage, origin, rows FROM meta WHERE dataset = 'filosofi_grid_200m'"
    ).fetchone()
    usage = dict(con.execute("SELECT usage, dataset FROM meta_usage").fetchall())
    by_id = {c["idcar_200m_reconstructed"]: c for c in cells}
    assert {r[4] for r in rows} == {"carreau_200m"}
    for point_id, population, households, imputed, _ in rows:
        assert population == float(by_id[point_id]["ind"])
        assert households is None
        assert imputed is (by_id[point_id]["imputed"] == "1")
    assert Counter(r[3] for r in rows)[True] == sum(by_id[r[0]]["imputed"] == "1" for r in rows) > 0
    assert meta[0] == VINTAGE and meta[1].startswith("fichier local: ")
    assert meta[2] == len(cells)
    assert usage["points de population"] == "filosofi_grid_200m"


def test_every_cell_lands_in_the_commune_that_contains_it(
    grid_db: Path,
    cells: list[dict[str, str]],
    communes: dict[str, shapely.Geometry],
    containing: dict[str, str],
) -> None:
    """Same cells, same communes; the build tests WGS84 centres against WGS84 contours,
    this test Lambert-93 ones against Lambert-93 contours (centres rounded to 0.1 m by
    the converter): they may differ only for a centre lying on a boundary (< 1 m)."""
    con = connect(grid_db, read_only=True)
    placed = dict(con.execute("SELECT point_id, commune_code FROM population_points").fetchall())
    assert placed.keys() == containing.keys()
    by_id = {c["idcar_200m_reconstructed"]: c for c in cells}
    differ = [i for i in placed if placed[i] != containing[i]]
    assert len(differ) <= 0.001 * len(placed)
    for point_id in differ:
        centre = shapely.Point(float(by_id[point_id]["x_2154"]), float(by_id[point_id]["y_2154"]))
        assert communes[placed[point_id]].distance(centre) < 1.0, point_id


def test_dep35_inhabitants_on_the_grid_add_up_to_the_file(
    grid_db: Path, cells: list[dict[str, str]], containing: dict[str, str]
) -> None:
    """The file flags each cell with the département of its 2018 commune polygon
    (simplified IGN contours, blank off their coastline): the build's sum for 35 is
    the file's figure for 35, give or take the few coastal cells on which the two sets
    of contours disagree; no cell of the Manche (50) is counted."""
    con = connect(grid_db, read_only=True)
    got = con.execute("SELECT sum(population) FROM population_points").fetchone()[0]
    in_35 = [c for c in cells if c["idcar_200m_reconstructed"] in containing]
    assert got == pytest.approx(sum(float(c["ind"]) for c in in_35), abs=1e-6)
    assert all(c["dep_2018_geojson"] in ("35", "") for c in in_35)
    file_35 = sum(float(c["ind"]) for c in cells if c["dep_2018_geojson"] == "35")
    coast = sum(float(c["ind"]) for c in cells if c["dep_2018_geojson"] == "")
    flagged = {c["idcar_200m_reconstructed"] for c in cells if c["dep_2018_geojson"] == "35"}
    assert len(flagged - containing.keys()) <= 0.001 * len(flagged)
    assert abs(got - file_35) <= min(coast, 0.005 * file_35)


def test_cells_agree_with_the_file_commune_mapped_to_the_current_cog(
    grid_db: Path, cells: list[dict[str, str]], mirror_dir: Path
) -> None:
    """Independent contours (the file's 2018 commune of each centre, mapped to the
    current commune through the COG's former codes) agree on 98 % of the cells at
    least; the others lie along commune boundaries, drawn differently by the two."""
    communes = json.loads(
        (mirror_dir / "etalab_decoupage_administratif_6.0.0" / "communes.json").read_text()
    )
    current = {}
    for c in communes:
        if c.get("type") == "commune-actuelle":
            current[c["code"]] = c["code"]
            current.update(dict.fromkeys(c.get("anciensCodes", []), c["code"]))
    con = connect(grid_db, read_only=True)
    placed = dict(con.execute("SELECT point_id, commune_code FROM population_points").fetchall())
    pairs = [
        (current.get(c["com_2018_geojson"], c["com_2018_geojson"]), placed[i])
        for c in cells
        if (i := c["idcar_200m_reconstructed"]) in placed and c["com_2018_geojson"]
    ]
    assert len(pairs) >= 0.99 * len(placed)
    assert sum(a == b for a, b in pairs) >= 0.98 * len(pairs)


def test_communes_without_cells_are_unlocated_with_the_reason(
    grid_db: Path, communes: dict[str, shapely.Geometry]
) -> None:
    to_3035 = Transformer.from_crs(2154, 3035, always_xy=True)
    block = shapely.box(*BLOCK_3035)
    inside_block = {
        code
        for code, polygon in communes.items()
        if block.contains(shapely.transform(polygon, to_3035.transform, interleaved=False))
    }
    con = connect(grid_db, read_only=True)
    communes = {
        r[0] for r in con.execute("SELECT code FROM territories WHERE level = 'commune'").fetchall()
    }
    placed = {
        r[0] for r in con.execute("SELECT DISTINCT commune_code FROM population_points").fetchall()
    }
    unlocated = dict(
        con.execute("SELECT commune_code, reason FROM population_unlocated").fetchall()
    )
    assert unlocated.keys() == communes - placed
    assert set(unlocated.values()) == {"aucun carreau habité rattaché à la commune"}
    # The communes wholly inside the block all have cells.
    assert len(inside_block) >= 20 and inside_block <= placed


def _info(db: Path) -> dict[str, str]:
    con = connect(db, read_only=True)
    return dict(con.execute("SELECT key, value FROM build_info").fetchall())


def _single_point_communes(db: Path) -> int:
    con = connect(db, read_only=True)
    per = Counter(
        r[0] for r in con.execute("SELECT commune_code FROM population_points").fetchall()
    )
    return sum(n == 1 for n in per.values())


def test_build_info_says_how_population_is_placed(grid_db: Path, dep35_base: BuildReport) -> None:
    grid, town_halls = _info(grid_db), _info(dep35_base.db_path)
    assert grid["population_points"] == "carreau_200m"
    assert int(grid["communes_single_point"]) == _single_point_communes(grid_db)
    assert town_halls["population_points"] == "mairie"
    n = _single_point_communes(dep35_base.db_path)
    assert int(town_halls["communes_single_point"]) == n > 300


@pytest.mark.parametrize("name", ["carreaux.csv", NE35_BLOCK])
def test_cli_refuses_an_undeclared_or_missing_grid_file(
    name: str, tmp_path: Path, mirror_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    if name != NE35_BLOCK:
        path.write_text("idcar_200m,i_est_200,lcog_geo,ind,men\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    args = ["build", "--territory", "dep:35", "--mirror", str(mirror_dir), "--offline"]
    args += ["--db", str(db), "--quiet", "--population-grid", str(path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert ("millésime inconnu" if name != NE35_BLOCK else "introuvable") in err
    assert not db.exists()
