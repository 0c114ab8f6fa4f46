"""La Poste points de contact (``etl.loaders.laposte``), on the real mirrored file.

Expected counts are recomputed from the raw file with the ``csv`` module or taken
from ``../shared/data/SOURCES.md`` (section 8).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from etl.loaders import LoadError
from tests.etl.loader_helpers import check_missing_column, csv_rows, load_facilities, run_loader


@pytest.fixture(scope="module")
def laposte_file(mirror_dir: Path) -> Path:
    return mirror_dir / "laposte_points_contact" / "laposte_poincont2.csv"


def test_laposte_file_matches_documented_breakdown(laposte_file: Path) -> None:
    rows = csv_rows(laposte_file, ";")
    kinds = Counter(r["Caractéristique_du_site"] for r in rows)
    # SOURCES.md, section 8.
    assert kinds["Bureau de Poste"] == 7767
    assert kinds["Agence postale communale"] == 6669
    assert kinds["Relais poste commerçant"] == 3072
    assert kinds["Agence postale intercommunale"] == 207
    assert sum(1 for r in rows if r["Latitude"] and r["Longitude"]) == 17703


def test_laposte_points_contact(con: duckdb.DuckDBPyConnection, laposte_file: Path) -> None:
    df = load_facilities(con, "laposte_points_contact", [laposte_file])
    mapping = {
        "Bureau de Poste": "A206",
        "Relais poste commerçant": "A207",
        "Agence postale communale": "A208",
        "Agence postale intercommunale": "A208",
    }
    rows = [r for r in csv_rows(laposte_file, ";") if r["Caractéristique_du_site"] in mapping]
    expected = Counter(mapping[r["Caractéristique_du_site"]] for r in rows)
    assert Counter(df["service_type"]) == expected
    assert expected["A206"] == 7767
    assert len(df) == 17716 - 1  # SOURCES.md: every row but the military one
    # Rows without coordinates are kept, with NULL lon/lat.
    without_xy = {
        f"laposte_points_contact:{r['#Identifiant_du_site']}"
        for r in rows
        if not (r["Latitude"] and r["Longitude"])
    }
    assert without_xy
    assert set(df.loc[df["lon"].isna(), "facility_id"]) == without_xy
    assert len(df) - len(without_xy) == sum(1 for r in rows if r["Latitude"] and r["Longitude"])
    by_id = df.set_index("facility_id")
    first = next(r for r in rows if r["Latitude"] and r["Longitude"])
    got = by_id.loc[f"laposte_points_contact:{first['#Identifiant_du_site']}"]
    assert got["commune_code"] == first["Code_INSEE"]
    assert got["lat"] == pytest.approx(float(first["Latitude"]))
    assert got["geo_precision"] == first["Précision_du_géocodage"]
    military = [
        r for r in csv_rows(laposte_file, ";") if r["Caractéristique_du_site"] not in mapping
    ]
    assert [r["Libellé_du_site"] for r in military] == ["SALON AIR AP"]
    assert f"laposte_points_contact:{military[0]['#Identifiant_du_site']}" not in by_id.index
    assert df["capacity"].isna().all() and df["bpe_gamme"].isna().all()


def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection, laposte_file: Path, tmp_path: Path
) -> None:
    check_missing_column(con, "laposte_points_contact", laposte_file, "Code_INSEE", tmp_path)


def test_non_numeric_coordinate_is_an_error(
    con: duckdb.DuckDBPyConnection, laposte_file: Path, tmp_path: Path
) -> None:
    lines = laposte_file.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[11] = "quarante-quatre"  # Latitude
    path = tmp_path / "laposte_poincont2.csv"
    path.write_text("\n".join([lines[0], ";".join(fields)]) + "\n", encoding="utf-8")
    with pytest.raises(
        LoadError,
        match=r"^source 'laposte_points_contact': coordonnée non numérique: .*'quarante-quatre'",
    ):
        run_loader(con, "laposte_points_contact", [path])


def test_single_file_loaders_refuse_several_files(
    con: duckdb.DuckDBPyConnection, laposte_file: Path
) -> None:
    with pytest.raises(
        LoadError,
        match=r"^source 'laposte_points_contact': un fichier attendu, 2 reçus$",
    ):
        run_loader(con, "laposte_points_contact", [laposte_file, laposte_file])
