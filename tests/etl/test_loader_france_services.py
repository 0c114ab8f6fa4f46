"""France Services sites (``etl.loaders.france_services``), on the real mirrored file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.catalogue import Source
from etl.loaders import (
    LoadError,
)
from tests.etl.loader_helpers import (
    CATALOGUE,
    check_facilities,
    csv_rows,
    header_only,
    missing_declared,
    run_loader,
)


@pytest.fixture(scope="module")
def france_services_file(mirror_dir: Path) -> Path:
    return mirror_dir / "france_services" / "liste-fs-20240801.csv"


def test_france_services(con: duckdb.DuckDBPyConnection, france_services_file: Path) -> None:
    df = check_facilities(
        run_loader(con, "france_services", [france_services_file]), "france_services"
    )
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


@pytest.mark.parametrize(
    ("name", "relative", "column"),
    [
        ("france_services", "france_services/liste-fs-20240801.csv", "latitude"),
    ],
)
def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection,
    mirror_dir: Path,
    tmp_path: Path,
    name: str,
    relative: str,
    column: str,
) -> None:
    source: Source = CATALOGUE[name]
    path = header_only(mirror_dir / relative, tmp_path / source.filename, source.separator, column)
    with pytest.raises(LoadError, match=missing_declared(name, source.filename, column)):
        run_loader(con, name, [path])
