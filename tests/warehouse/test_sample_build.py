"""A fresh clone with no mirror and no network builds dep:35 from the embedded real sample.

The key acceptance test: every access, third-place and mobility indicator of a
mirror build of dep:35 is in the offline sample build, with the same values for
every territory (tolerance 1e-9). Then: the load log, ``territoires sources`` and
the export metadata say "échantillon embarqué" with the original vintage, and a
build of another territory does not use the sample and says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyogrio

from etl.catalogue import load_catalogue
from etl.embedded_sample import MANIFEST_NAME
from etl.make_sample import DEFAULT_OUT, LABEL
from indicators import exports
from warehouse.build import BuildReport
from warehouse.gate import connect
from warehouse.sources import describe_sources

THEMES = ("access", "third_places", "mobility")
KEYS = ["indicator_id", "level", "code"]
TOLERANCE = 1e-9
MANIFEST = json.loads((DEFAULT_OUT / MANIFEST_NAME).read_text(encoding="utf-8"))


def _indicators(db: Path) -> tuple[dict[str, str], pd.DataFrame]:
    con = connect(db, read_only=True)
    try:
        ids = dict(
            con.execute(
                "SELECT id, theme FROM indicators WHERE list_contains(?, theme)", [list(THEMES)]
            ).fetchall()
        )
        values = con.execute(
            "SELECT indicator_id, level, code, value, secret FROM indicator_values "
            "WHERE list_contains(?, indicator_id)",
            [list(ids)],
        ).df()
    finally:
        con.close()
    return ids, values


def test_offline_sample_build_has_the_mirror_builds_indicators_with_identical_values(
    dep35_built: BuildReport, dep35_sample: BuildReport
) -> None:
    mirror_ids, mirror = _indicators(dep35_built.db_path)
    sample_ids, sample = _indicators(dep35_sample.db_path)
    assert set(mirror_ids.values()) == set(THEMES)  # the mirror build has all three themes
    assert sample_ids == mirror_ids
    assert len(mirror) > 10_000 and mirror["value"].notna().sum() > 5_000
    both = mirror.merge(sample, on=KEYS, how="outer", suffixes=("_m", "_s"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"].head()
    a, b = both["value_m"], both["value_s"]
    same = (a.isna() & b.isna()) | ((a - b).abs() <= TOLERANCE)
    assert same.all(), both.loc[~same, [*KEYS, "value_m", "value_s"]].head(10)
    assert (both["secret_m"].fillna(False) == both["secret_s"].fillna(False)).all()


def test_offline_sample_build_has_the_mirror_builds_facilities_and_population(
    dep35_built: BuildReport, dep35_sample: BuildReport
) -> None:
    queries = {
        "facilities": "SELECT facility_id, service_type, commune_code, x, y, in_territory "
        "FROM facilities",
        "population_points": "SELECT point_id, commune_code, population, x, y "
        "FROM population_points",
        "territories": "SELECT level, code, name, population, complete FROM territories",
    }
    for table, sql in queries.items():
        frames = []
        for report in (dep35_built, dep35_sample):
            con = connect(report.db_path, read_only=True)
            frames.append(con.execute(f"{sql} ORDER BY ALL").df())
            con.close()
        assert len(frames[0]) > 300, table
        pd.testing.assert_frame_equal(frames[0], frames[1], obj=table)


def test_every_source_a_mirror_build_reads_from_the_mirror_has_a_sample(
    dep35_built: BuildReport, dep35_sample: BuildReport
) -> None:
    """So that a source added to the catalogue (and the mirror) cannot silently be
    missing from the offline build: declare its sample and rerun etl.make_sample."""
    catalogue = load_catalogue()
    con = connect(dep35_built.db_path, read_only=True)
    mirrored = [
        r[0]
        for r in con.execute("SELECT dataset FROM meta WHERE origin LIKE 'miroir:%'").fetchall()
    ]
    con.close()
    assert len(mirrored) >= 14
    # a timetable whose network serves no commune of the build is read but unused: the
    # sample area (dep 35 and 60 km around) needs no sample of it
    with connect(dep35_built.db_path, read_only=True) as con:
        served = con.execute("SELECT count(*) FROM transit_points WHERE covered").fetchone()
    unused = {n for n in mirrored if catalogue[n].role == "timetable"} if served == (0,) else set()
    without = [name for name in mirrored if not catalogue[name].sample and name not in unused]
    assert without == [], f"sources du miroir sans échantillon embarqué : {without}"
    vintages = {f["source"]: f["vintage"] for f in MANIFEST["files"] if f["file"]}
    con = connect(dep35_sample.db_path, read_only=True)
    rows = con.execute(
        "SELECT dataset, status, sample, vintage, origin FROM meta WHERE list_contains(?, dataset)",
        [mirrored],
    ).fetchall()
    others = con.execute(
        "SELECT count(*) FROM meta WHERE sample AND origin NOT LIKE ?", [LABEL + "%"]
    )
    assert others.fetchone()[0] == 0
    con.close()
    assert len(rows) == len(mirrored)
    rows = [r for r in rows if r[0] not in unused]
    for dataset, status, sample, vintage, origin in rows:
        assert status == "chargée" and sample is True, dataset
        assert vintage == vintages[dataset], dataset
        assert origin.startswith(f"{LABEL} : etl/sample/"), dataset


def test_sources_listing_says_embedded_sample_with_original_vintage(
    dep35_sample: BuildReport,
) -> None:
    text = describe_sources(dep35_sample.db_path)
    sampled = len({f["source"] for f in MANIFEST["files"] if f["file"]})
    assert sampled >= 15 and f"dont {sampled} depuis l'{LABEL}" in text
    (line,) = [x for x in text.splitlines() if x.strip().startswith("laposte_points_contact")]
    assert "export ≤ 2020-12-15" in line and f"{LABEL} : etl/sample/laposte_poincont2" in line
    assert "extrait de laposte_points_contact/laposte_poincont2.csv" in line


def test_export_metadata_says_embedded_sample(dep35_sample: BuildReport, tmp_path: Path) -> None:
    con = duckdb.connect(str(dep35_sample.db_path), read_only=True)
    con.execute("LOAD spatial")
    try:
        frame, meta = exports.export_frame(con, "commune", ("departement", "35"), "access")
        gframe, gmeta = exports.export_frame(
            con, "commune", ("departement", "35"), "mobility", geometry=True
        )
    finally:
        con.close()
    sncf = [s for s in gmeta.sources if s.dataset == "sncf_gares"]
    assert sncf and sncf[0].provenance == LABEL and sncf[0].vintage == "export 2024-08"
    keys = dict(meta.key_values())
    assert (
        LABEL in keys["échantillon embarqué"]
        and "laposte_points_contact" in keys["échantillon embarqué"]
    )
    book = openpyxl.load_workbook(exports.write_xlsx(frame, meta, tmp_path / "x.xlsx"))
    cells = [str(c) for row in book["Métadonnées"].iter_rows(values_only=True) for c in row if c]
    assert "provenance" in cells and LABEL in cells
    assert any(c.startswith("La Poste (datanova)") and c.endswith(LABEL) for c in cells)
    stored = json.loads(
        pq.read_table(exports.write_parquet(frame, meta, tmp_path / "x.parquet")).schema.metadata[
            exports.PARQUET_KEY
        ]
    )
    assert {s["dataset"]: s["provenance"] for s in stored["sources"]}["france_services"] == LABEL
    gpkg = exports.write_gpkg(gframe, gmeta, tmp_path / "x.gpkg")
    layer = pyogrio.read_info(gpkg)["layer_metadata"]
    assert LABEL in layer["échantillon embarqué"]
    assert (
        f"SNCF Réseau — Liste des gares (réseau ferré national) (export 2024-08) — ODbL — {LABEL}"
        in (layer["licence et attribution"])
    )
    stored = json.loads(layer["territoires"])
    assert {s["dataset"]: s["provenance"] for s in stored["sources"]}["sncf_gares"] == LABEL


def test_other_territory_does_not_use_the_sample_and_says_why(dep29_embedded: BuildReport) -> None:
    catalogue = load_catalogue()
    con = connect(dep29_embedded.db_path, read_only=True)
    rows = con.execute("SELECT dataset, status, sample, reason FROM meta").fetchall()
    facilities = con.execute("SELECT count(*) FROM facilities").fetchone()[0]
    con.close()
    assert not any(sample for _, _, sample, _ in rows)
    assert facilities == 0
    for dataset, status, _, reason in rows:
        if catalogue[dataset].sample:
            assert status == "absente", dataset
            assert "l'échantillon embarqué ne couvre que l'Ille-et-Vilaine (dep:35)" in reason
            assert "territoire demandé : dep:29" in reason
