"""France Services sites (``etl.loaders.france_services``), on the real mirrored file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.etl.loader_helpers import check_missing_column, csv_rows, load_facilities


@pytest.fixture(scope="module")
def france_services_file(mirror_dir: Path) -> Path:
    return mirror_dir / "france_services" / "liste-fs-20240801.csv"


def test_france_services(con: duckdb.DuckDBPyConnection, france_services_file: Path) -> None:
    df = load_facilities(con, "france_services", [france_services_file])
    rows = csv_rows(france_services_file, ",")  # the csv module handles the quoted line breaks
    assert len(rows) == 2845  # SOURCES.md
    assert len(df) == len(rows)  # every site is kept, with or without coordinates
    with_xy = [r for r in rows if r["latitude"] and r["longitude"]]
    assert df["lon"].notna().sum() == len(with_xy)
    assert set(df["service_type"]) == {"FRANCE_SERVICES"}
    mobile = {r["id_fs"] for r in rows if r["format_fs"] in {"Itinérante", "Bus_équivalent"}}
    flagged = df.loc[df["geo_precision"].notna()]
    assert set(flagged["facility_id"]) == {f"france_services:{i}" for i in mobile}
    assert set(flagged["geo_precision"]) == {"itinérante: point de référence"}
    assert not df["label"].str.contains("\n").any()
    assert {"2A004", "97411"} <= set(df["commune_code"])


def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection, france_services_file: Path, tmp_path: Path
) -> None:
    check_missing_column(con, "france_services", france_services_file, "latitude", tmp_path)
