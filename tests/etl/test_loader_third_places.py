"""Third places (``etl.loaders.third_places``): ANCT Fabriques de territoire on the real
mirrored GeoJSON, France Tiers-Lieux on a hand-written fixture."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from etl.loaders import LoadError
from tests.etl.loader_helpers import (
    check_missing_column,
    load_facilities,
    missing_declared,
    run_loader,
)


@pytest.fixture(scope="module")
def fabriques_file(mirror_dir: Path) -> Path:
    return mirror_dir / "anct_fabriques_territoire" / "fabt_geom.geojson"


def test_fabriques_territoire(con: duckdb.DuckDBPyConnection, fabriques_file: Path) -> None:
    df = load_facilities(con, "fabriques_territoire", [fabriques_file])
    features = json.loads(fabriques_file.read_text(encoding="utf-8"))["features"]
    assert Counter(f["geometry"]["type"] for f in features) == {
        "Point": 341,
        "GeometryCollection": 1,
    }
    expected = {
        f"fabriques_territoire:{i.strip()}"
        for f in features
        for i in f["properties"]["id_territoire"].split(";")
    }
    assert set(df["facility_id"]) == expected
    assert len(df) == 382  # 342 features hold 382 fabriques, all kept
    # The feature without geometry (an empty GeometryCollection) keeps NULL lon/lat.
    no_point = {
        f"fabriques_territoire:{i.strip()}"
        for f in features
        if f["geometry"]["type"] != "Point"
        for i in f["properties"]["id_territoire"].split(";")
    }
    assert set(df.loc[df["lon"].isna(), "facility_id"]) == no_point
    by_id = df.set_index("facility_id")
    assert (
        by_id.loc["fabriques_territoire:fabt-48", "label"]
        == "Recyclerie Fab Lab Bagneux Environnement"
    )
    assert by_id.loc["fabriques_territoire:fabt-211", "label"] == "Le Plus Petit Cirque du Monde"
    assert by_id.loc["fabriques_territoire:fabt-48", "commune_code"] == "92007"
    labels = " ".join(df["label"])
    assert "&amp;" not in labels and "\n" not in labels
    assert html.unescape("Vert&amp;Co") in labels
    assert set(df["geo_precision"]) == {"centre de la commune d'accueil"}


def test_france_tiers_lieux_fixture(con: duckdb.DuckDBPyConnection, fixtures_dir: Path) -> None:
    path = fixtures_dir / "facilities" / "france_tiers_lieux_sample.csv"
    df = load_facilities(con, "france_tiers_lieux", [path])
    by_id = df.set_index("facility_id")
    assert sorted(by_id.index) == [f"france_tiers_lieux:tl-000{i}" for i in range(1, 7)]
    # No address, no coordinates: kept with NULL lon/lat.
    assert by_id.loc["france_tiers_lieux:tl-0005", ["lon", "lat"]].isna().all()
    assert by_id.loc["france_tiers_lieux:tl-0001", "label"] == "La Cordée, coworking de la gare"
    assert by_id.loc["france_tiers_lieux:tl-0003", "label"] == "Fab Lab d'Ajaccio"
    assert by_id.loc["france_tiers_lieux:tl-0003", "commune_code"] == "2A004"
    assert by_id.loc["france_tiers_lieux:tl-0002", "commune_code"] == "01001"
    # Decimal commas in quoted fields.
    assert by_id.loc["france_tiers_lieux:tl-0006", ["lon", "lat"]].tolist() == [7.7521, 48.5734]


def test_half_coordinate_gives_null_lon_and_lat(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "france-tiers-lieux.csv"
    path.write_text(
        "id,nom,code_insee,latitude,longitude\nx1,Lieu,35238,48.1,\nx2,Autre,35238,48.1,-1.6\n",
        "utf-8",
    )
    df = run_loader(con, "france_tiers_lieux", [path]).df().set_index("facility_id")
    assert df.loc["france_tiers_lieux:x1", ["lon", "lat"]].isna().all()
    assert df.loc["france_tiers_lieux:x2", ["lon", "lat"]].tolist() == [-1.6, 48.1]


def test_missing_column_in_fixture_format(
    con: duckdb.DuckDBPyConnection, fixtures_dir: Path, tmp_path: Path
) -> None:
    check_missing_column(
        con,
        "france_tiers_lieux",
        fixtures_dir / "facilities" / "france_tiers_lieux_sample.csv",
        "code_insee",
        tmp_path,
    )


def test_fabriques_missing_property(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"id_territoire": "fabt-1", "lib_territoire": "Un lieu"},
        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
    }
    path = tmp_path / "fabt_geom.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    with pytest.raises(
        LoadError,
        match=missing_declared("fabriques_territoire", "fabt_geom.geojson", "id_geo"),
    ):
        run_loader(con, "fabriques_territoire", [path])


def test_bad_commune_code_is_an_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "france-tiers-lieux.csv"
    path.write_text("id,nom,code_insee,latitude,longitude\nx1,Lieu,ABCDE,48.1,-1.6\n", "utf-8")
    with pytest.raises(
        LoadError,
        match=r"^source 'france_tiers_lieux': 1 code\(s\) commune INSEE invalide\(s\), par ex\. "
        r"'ABCDE'$",
    ):
        run_loader(con, "france_tiers_lieux", [path])
