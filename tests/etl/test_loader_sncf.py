"""SNCF stations (``etl.loaders.sncf``), on the real mirrored ``liste-des-gares.csv``."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.etl.loader_helpers import check_missing_column, csv_rows, load_facilities


@pytest.fixture(scope="module")
def sncf_file(mirror_dir: Path) -> Path:
    return mirror_dir / "sncf_gares" / "liste-des-gares.csv"


def test_sncf_gares(con: duckdb.DuckDBPyConnection, sncf_file: Path) -> None:
    df = load_facilities(con, "sncf_gares", [sncf_file])
    rows = csv_rows(sncf_file, ";")
    assert Counter(r["voyageurs"] for r in rows) == {"O": 3352, "N": 532}  # SOURCES.md
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    stations = {r["code_uic"] for r in rows if r["voyageurs"] == "O"}
    for r in rows:
        if r["voyageurs"] == "O" and r["x_wgs84"] and r["y_wgs84"]:
            points[r["code_uic"]].append((float(r["x_wgs84"]), float(r["y_wgs84"])))
    assert set(df["facility_id"]) == {f"sncf_gares:{uic}" for uic in stations}
    # A station without any point is kept with NULL lon/lat.
    unlocated = df.loc[df["lon"].isna(), "facility_id"].str.split(":").str[1]
    assert set(unlocated) == stations - set(points)
    assert df["commune_code"].isna().all()
    assert set(df["service_type"]) == {"TRAIN_STATION"}
    # The kept point is the station's point nearest to the mean of its points.
    for row in df.dropna(subset=["lon"]).itertuples():
        pts = points[row.facility_id.split(":")[1]]
        mlon = sum(p[0] for p in pts) / len(pts)
        mlat = sum(p[1] for p in pts) / len(pts)
        scale = math.cos(math.radians(mlat))
        best = min(((p[0] - mlon) * scale) ** 2 + (p[1] - mlat) ** 2 for p in pts)
        got = ((row.lon - mlon) * scale) ** 2 + (row.lat - mlat) ** 2
        assert (row.lon, row.lat) in pts and got == pytest.approx(best, abs=1e-15)
    haguenau = df.set_index("facility_id").loc["sncf_gares:87213058"]
    assert haguenau["lon"] > 7.77  # in Haguenau, not at the Schweighouse junction (7.74)


def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection, sncf_file: Path, tmp_path: Path
) -> None:
    check_missing_column(con, "sncf_gares", sncf_file, "voyageurs", tmp_path)
