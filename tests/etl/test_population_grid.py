"""The Filosofi 2021 200 m block of north-east Ille-et-Vilaine: its layout, its
catalogue variant and its fetcher (the real file is read in place from the mirror)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from etl.catalogue import load_catalogue
from etl.fetch import ChecksumError, Fetched, FetchError
from etl.loaders import POPULATION_POINT_COLUMNS, LoadError
from etl.loaders.filosofi import GRID_LAYOUTS, grid_layout, load_filosofi_grid_200m
from etl.population_grid import GRID_SOURCE, NE35_BLOCK, GridFileError, grid_catalogue, grid_fetcher
from tests.conftest import make_settings

BLOCK = f"insee_filosofi_2021_200m_tiles_ne35/{NE35_BLOCK}"
HEADER = "idcar_200m_reconstructed,imputed,ind,x_3035,y_3035,com_2018_geojson\n"


@pytest.fixture(scope="module")
def block(mirror_dir: Path) -> Path:
    return mirror_dir / BLOCK


@pytest.fixture(scope="module")
def cells(block: Path) -> dict[str, dict[str, str]]:
    """The block's rows by cell id, read with the csv module (not with the loader)."""
    with block.open(encoding="utf-8", newline="") as fh:
        return {r["idcar_200m_reconstructed"]: r for r in csv.DictReader(fh)}


def _grid_source():
    return grid_catalogue(Path(NE35_BLOCK))[GRID_SOURCE]


def test_layouts_are_recognised_by_column_names() -> None:
    official, tiles = GRID_LAYOUTS
    assert grid_layout(["IDCAR_200M", "I_EST_200", "LCOG_GEO", "IND", "MEN"], "g") is official
    assert grid_layout(HEADER.strip().split(","), "g") is tiles
    with pytest.raises(LoadError, match=r"^source 'g': colonne\(s\) manquante\(s\) \['imputed'\]"):
        grid_layout(
            ["idcar_200m_reconstructed", "ind", "x_3035", "y_3035", "com_2018_geojson"], "g"
        )
    with pytest.raises(
        LoadError,
        match=r"^source 'g': colonne\(s\) manquante\(s\) \['idcar_200m', 'i_est_200', 'lcog_geo'\]",
    ):
        grid_layout(["ind", "men"], "g")


def test_the_real_block_loads_cell_by_cell(
    con: duckdb.DuckDBPyConnection, block: Path, cells: dict[str, dict[str, str]]
) -> None:
    rel = load_filosofi_grid_200m(con, [block], _grid_source())
    assert {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)} == (
        POPULATION_POINT_COLUMNS
    )
    rows = {r[0]: r for r in rel.fetchall()}
    assert rows.keys() == cells.keys()
    for point_id, (_, commune, population, households, lon, lat, imputed) in rows.items():
        cell = cells[point_id]
        assert population == float(cell["ind"])
        assert households is None  # the tiles have no households column
        assert imputed is (cell["imputed"] == "1")
        assert commune == (cell["com_2018_geojson"] or None)
        # The centroid computed from the id matches the converter's own (6 decimals).
        assert lon == pytest.approx(float(cell["lon"]), abs=2e-6)
        assert lat == pytest.approx(float(cell["lat"]), abs=2e-6)
    flags = {r[6] for r in rows.values()}
    assert flags == {True, False}


def test_a_centre_outside_its_cell_is_refused(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    good = "CRS3035RES200mN2870400E3457200,1,1,3457300,2870500,35094\n"
    shifted = "CRS3035RES200mN2870400E3457800,1,2,3457700,2870500,35094\n"  # 200 m west
    path = tmp_path / "tiles.csv"
    path.write_text(HEADER + good + shifted, encoding="utf-8")
    with pytest.raises(
        LoadError,
        match=r"^source 'filosofi_grid_200m': 1 centre\(s\) x_3035/y_3035 hors du carreau de "
        r"l'identifiant, par ex\. 'CRS3035RES200mN2870400E3457800' dans tiles\.csv$",
    ):
        load_filosofi_grid_200m(con, [path], _grid_source())
    path.write_text(HEADER + good, encoding="utf-8")
    assert load_filosofi_grid_200m(con, [path], _grid_source()).fetchall()[0][2] == 1.0
    path.write_text(HEADER + good.replace(",1,1,", ",2,1,"), encoding="utf-8")
    with pytest.raises(
        LoadError,
        match=r"^source 'filosofi_grid_200m': 1 imputed hors \{0, 1\}, "
        r"par ex\. '2' dans tiles\.csv$",
    ):
        load_filosofi_grid_200m(con, [path], _grid_source())


def test_the_default_catalogue_never_picks_the_block() -> None:
    """An ordinary mirror build must keep town halls: the block is opt-in."""
    assert all(s.filename != NE35_BLOCK for s in load_catalogue().values())


def test_grid_catalogue_declares_the_block_and_refuses_unknown_files() -> None:
    catalogue = load_catalogue()
    variant = grid_catalogue(Path("/x") / NE35_BLOCK, catalogue)
    assert list(variant) == list(catalogue)
    grid = variant[GRID_SOURCE]
    assert grid.vintage == "Filosofi 2021 (bloc nord-est de l'Ille-et-Vilaine)"
    assert grid.loader == catalogue[GRID_SOURCE].loader and grid.role == "population"
    assert {k: v for k, v in variant.items() if k != GRID_SOURCE} == {
        k: v for k, v in catalogue.items() if k != GRID_SOURCE
    }
    official = catalogue[GRID_SOURCE]
    assert grid_catalogue(Path(official.filename), catalogue)[GRID_SOURCE] == official
    with pytest.raises(GridFileError, match="millésime inconnu"):
        grid_catalogue(Path("carreaux.csv"), catalogue)


def test_grid_fetcher_reads_the_file_in_place(block: Path, tmp_path: Path) -> None:
    catalogue = grid_catalogue(block)
    sources = [catalogue["cog_communes"], catalogue[GRID_SOURCE]]
    settings = make_settings(tmp_path, None)
    got = grid_fetcher(block)(sources, settings)
    assert list(got) == ["cog_communes", GRID_SOURCE]
    fetched = got[GRID_SOURCE]
    assert isinstance(fetched, Fetched) and fetched.files == (block.resolve(),)
    assert fetched.origin.startswith("fichier local: ")
    # no mirror, offline: dep:35 gets the embedded real sample (etl/sample/)
    assert isinstance(got["cog_communes"], Fetched) and got["cog_communes"].sample
    # The declared checksum holds: another file under the block's name is refused.
    fake = tmp_path / NE35_BLOCK
    fake.write_text(HEADER, encoding="utf-8")
    assert isinstance(grid_fetcher(fake)(sources, settings)[GRID_SOURCE], ChecksumError)
    missing = grid_fetcher(tmp_path / "absent" / NE35_BLOCK)(sources, settings)[GRID_SOURCE]
    assert isinstance(missing, FetchError) and "introuvable" in str(missing)
