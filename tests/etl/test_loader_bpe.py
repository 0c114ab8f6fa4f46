"""BPE loaders (``etl.loaders.bpe``): geolocated facilities on a hand-written fixture,
the 2018 education counts on the real mirrored file, and the reprojection."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.loaders import FACILITY_COUNT_COLUMNS, LoadError
from etl.loaders.bpe import reproject_to_wgs84
from etl.vocabulary import COMMUNE_CODE_RE
from tests.etl.loader_helpers import (
    check_missing_column,
    csv_rows,
    load_facilities,
    run_loader,
)

# Real-world positions the fixture's projected coordinates were made from (pyproj,
# EPSG as in the row), by data row number; row 10 has no coordinates (kept, NULL).
BPE_SAMPLE_LONLAT = {
    1: ("01001", 4.9224, 46.1534),  # L'Abergement-Clémenciat, Lambert-93
    2: ("01004", 5.3587, 45.9570),  # Ambérieu-en-Bugey
    3: ("2A004", 8.7386, 41.9196),  # Ajaccio
    4: ("2B033", 9.4501, 42.6975),  # Bastia
    5: ("97411", 55.4481, -20.8789),  # Saint-Denis, RGR92 / UTM 40S (EPSG 2975)
    6: ("97416", 55.4781, -21.3393),  # Saint-Pierre, no EPSG: the zone's UTM 40S
    7: ("97209", -61.0588, 14.6037),  # Fort-de-France, RGAF09 / UTM 20N (EPSG 5490)
    8: ("97611", 45.2279, -12.7806),  # Mamoudzou, RGM04 / UTM 38S (EPSG 4471)
    9: ("75104", 2.3522, 48.8566),  # Paris 4e
    10: ("35238", None, None),  # Rennes, no LAMBERT_X/Y
    11: ("03190", 3.0, 46.5),  # the Lambert-93 origin (700000, 6600000)
    12: ("03190", 3.0, 46.5),  # an identical second facility
}


@pytest.fixture(scope="module")
def bpe_enseignement_file(mirror_dir: Path) -> Path:
    return mirror_dir / "insee_bpe_2018_enseignement" / "bpe18_enseignement.csv"


@pytest.fixture(scope="module")
def bpe_sample(fixtures_dir: Path) -> Path:
    return fixtures_dir / "facilities" / "BPE23_sample.csv"


def _check_bpe_sample(df: pd.DataFrame) -> None:
    by_id = df.set_index("facility_id")
    assert sorted(by_id.index) == sorted(f"bpe_xy:{n}" for n in BPE_SAMPLE_LONLAT)
    for n, (code, lon, lat) in BPE_SAMPLE_LONLAT.items():
        row = by_id.loc[f"bpe_xy:{n}"]
        assert row["commune_code"] == code
        if lon is None:
            assert pd.isna(row["lon"]) and pd.isna(row["lat"])
            continue
        assert row["lon"] == pytest.approx(lon, abs=1e-6)
        assert row["lat"] == pytest.approx(lat, abs=1e-6)


def test_bpe_xy_fixture(con: duckdb.DuckDBPyConnection, bpe_sample: Path) -> None:
    df = load_facilities(con, "bpe_xy", [bpe_sample])
    _check_bpe_sample(df)
    by_id = df.set_index("facility_id")
    assert by_id.loc["bpe_xy:1", "service_type"] == "C104"
    assert by_id.loc["bpe_xy:4", "label"] == "BOULANGERIE ; PATISSERIE DU VIEUX PORT"
    assert by_id.loc["bpe_xy:9", "label"] == "PHARMACIE DU MARAIS"  # quoted line break
    assert by_id.loc["bpe_xy:11", "label"] == "F121"  # no NOMRS: the type code
    assert by_id.loc["bpe_xy:6", "geo_precision"] == "21"  # QUALITE_XY
    assert df["bpe_gamme"].isna().all() and df["capacity"].isna().all()


def test_bpe_xy_without_optional_columns(
    con: duckdb.DuckDBPyConnection, bpe_sample: Path, tmp_path: Path
) -> None:
    """Without EPSG, NOMRS and QUALITE_XY: the zone's CRS, the type as label."""
    rows = csv_rows(bpe_sample, ";")
    keep = [c for c in rows[0] if c not in {"EPSG", "NOMRS", "QUALITE_XY"}]
    path = tmp_path / "BPE23.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, keep, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    df = load_facilities(con, "bpe_xy", [path])
    _check_bpe_sample(df)
    assert (df["label"] == df["service_type"]).all()
    assert df["geo_precision"].isna().all()


def test_bpe_xy_unknown_epsg(
    con: duckdb.DuckDBPyConnection, bpe_sample: Path, tmp_path: Path
) -> None:
    text = bpe_sample.read_text(encoding="utf-8").replace(";2154;", ";99999;", 1)
    path = tmp_path / "BPE23.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=r"^source 'bpe_xy': EPSG:99999 inconnu ou inutilisable: "):
        run_loader(con, "bpe_xy", [path])


def test_reproject_to_wgs84_hand_points() -> None:
    x = np.array([700000.0, 500000.0, np.nan])
    y = np.array([6600000.0, 10000000.0, 1.0])
    epsg = np.array([2154, 2975, 2154])
    lon, lat = reproject_to_wgs84(x, y, epsg)
    # Lambert-93 origin: 3°E 46.5°N; UTM 40S: central meridian 57°E at the equator.
    assert lon[:2] == pytest.approx([3.0, 57.0], abs=1e-9)
    assert lat[:2] == pytest.approx([46.5, 0.0], abs=1e-9)
    assert np.isnan(lon[2]) and np.isnan(lat[2])
    empty = reproject_to_wgs84(np.array([]), np.array([]), np.array([], dtype=int))
    assert [a.size for a in empty] == [0, 0]


def test_bpe_enseignement_counts(
    con: duckdb.DuckDBPyConnection, bpe_enseignement_file: Path
) -> None:
    path = bpe_enseignement_file
    rel = run_loader(con, "bpe_enseignement_2018", [path])
    assert rel.columns == list(FACILITY_COUNT_COLUMNS)
    assert [str(t) for t in rel.types] == list(FACILITY_COUNT_COLUMNS.values())
    df = rel.df()
    rows = csv_rows(path, ";")
    assert len(rows) == 68294  # SOURCES.md
    expected: Counter[tuple[str, str]] = Counter()
    for r in rows:
        expected[(r["DCIRIS"], r["TYPEQU"])] += int(r["NB_EQUIP"])
    assert len(df) == len(expected)
    assert df["count"].sum() == sum(expected.values())
    assert not df.duplicated(["iris_code", "service_type", "year"]).any()
    assert set(df["year"]) == {2018}
    assert df["commune_code"].map(lambda c: bool(COMMUNE_CODE_RE.match(c))).all()
    assert (df["iris_code"].str.len() == 9).all()
    assert (df["iris_code"].str[:5] == df["commune_code"]).all()
    got = df.set_index(["iris_code", "service_type"])["count"]
    assert got[("010040102", "C104")] == expected[("01004_0102", "C104")]
    assert got[("010010000", "C104")] == expected[("01001", "C104")]
    assert {"2A", "2B", "97"} <= set(df["commune_code"].str[:2])


@pytest.mark.parametrize(
    ("name", "file_fixture", "column"),
    [
        ("bpe_enseignement_2018", "bpe_enseignement_file", "NB_EQUIP"),  # real mirrored file
        ("bpe_xy", "bpe_sample", "LAMBERT_Y"),  # fixture in the official format
    ],
)
def test_missing_declared_column(
    con: duckdb.DuckDBPyConnection,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
    file_fixture: str,
    column: str,
) -> None:
    original = request.getfixturevalue(file_fixture)
    check_missing_column(con, name, original, column, tmp_path)
