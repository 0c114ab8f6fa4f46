"""BPE 2019 counts as facilities at the town halls (``marts/facility_counts.sql``), on the
real mirrored file through the session build of dep:35 (``dep35_built``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from geo.constants import WALK_DETOUR, WALK_KMH
from warehouse.build import BuildReport

CHEF_LIEU = "chef-lieu (BPE dénombrement)"


@pytest.fixture(scope="module")
def con(dep35_built: BuildReport) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(dep35_built.db_path), read_only=True)


@pytest.fixture(scope="module")
def file_counts(mirror_dir: Path) -> dict[tuple[str, str], int]:
    """(DEPCOM, TYPEQU) -> NB_EQUIP summed over IRIS, for dep 35, read from the file."""
    path = mirror_dir / "insee_bpe_2019_ensemble" / "bpe_ens_2019.csv.gz"
    rows = duckdb.sql(
        "SELECT DEPCOM, TYPEQU, sum(NB_EQUIP)::BIGINT FROM read_csv($p, delim=';', "
        "header=true, all_varchar=true, columns={'REG': 'VARCHAR', 'DEP': 'VARCHAR', "
        "'DEPCOM': 'VARCHAR', 'DCIRIS': 'VARCHAR', 'AN': 'VARCHAR', 'TYPEQU': 'VARCHAR', "
        "'NB_EQUIP': 'BIGINT'}) WHERE DEP = '35' GROUP BY ALL",
        params={"p": str(path)},
    ).fetchall()
    return {(commune, code): n for commune, code, n in rows}


def _in_territory(con: duckdb.DuckDBPyConnection, code: str) -> int:
    row = con.execute(
        "SELECT count(*) FROM facilities WHERE in_territory AND service_type = ? "
        "AND source = 'bpe19_ensemble' AND localisation = ?",
        [code, CHEF_LIEU],
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_bakeries_of_ille_et_vilaine_are_the_files(
    con: duckdb.DuckDBPyConnection, file_counts: dict[tuple[str, str], int]
) -> None:
    expected = sum(n for (_, code), n in file_counts.items() if code == "B203")
    assert expected == 709  # SOURCES.md, section 11
    assert _in_territory(con, "B203") == 709
    # one facility per counted unit, at its commune's point: per commune as in the file
    per_commune = dict(
        con.execute(
            "SELECT published_commune_code, count(*) FROM facilities "
            "WHERE source = 'bpe19_ensemble' AND service_type = 'B203' AND in_territory "
            "GROUP BY ALL"
        ).fetchall()
    )
    assert per_commune == {c: n for (c, code), n in file_counts.items() if code == "B203"}


def test_d301_counts_as_pharmacy_and_d201_as_gp(
    con: duckdb.DuckDBPyConnection, file_counts: dict[tuple[str, str], int]
) -> None:
    assert sum(n for (_, code), n in file_counts.items() if code == "D301") == 330
    assert _in_territory(con, "D307") == 330
    assert sum(n for (_, code), n in file_counts.items() if code == "D201") == 1003
    assert _in_territory(con, "D265") == 1003
    stale = con.execute(
        "SELECT count(*) FROM facilities WHERE service_type IN ('D301', 'D201')"
    ).fetchone()
    assert stale == (0,)
    basket = dict(
        con.execute(
            "SELECT code, basket_item FROM service_types WHERE code IN ('D307', 'D265')"
        ).fetchall()
    )
    assert basket == {"D307": "pharmacie", "D265": "generaliste"}
    # the other 2019 types are listed as unused, not dropped silently
    unused = con.execute(
        "SELECT n_facilities FROM facility_counts_unused "
        "WHERE source = 'bpe19_ensemble' AND service_type = 'B204'"
    ).fetchone()
    assert unused is not None and unused[0] > 0


def test_geolocated_schools_win_over_the_counts(con: duckdb.DuckDBPyConnection) -> None:
    # the education directory covers dep 35 for C101/C104: no counted school there
    rows = con.execute(
        "SELECT DISTINCT source FROM facilities WHERE in_territory AND service_type = 'C104'"
    ).fetchall()
    assert rows == [("education_annuaire",)]


def test_commune_without_gp_gets_the_nearest_town_hall_with_one(
    con: duckdb.DuckDBPyConnection, file_counts: dict[tuple[str, str], int]
) -> None:
    with_gp = {c for (c, code), n in file_counts.items() if code == "D201" and n > 0}
    # a commune of 35 (same code in 2019 and now) without a GP in the file, one point
    origin = con.execute(
        "SELECT p.point_id, p.commune_code, p.x, p.y FROM population_points p "
        "WHERE p.kind = 'mairie' AND p.commune_code NOT IN (SELECT unnest($gp)) "
        "ORDER BY p.population DESC LIMIT 1",
        {"gp": sorted(with_gp)},
    ).fetchone()
    assert origin is not None
    point_id, commune, ox, oy = origin
    assert commune.startswith("35") and commune not in with_gp
    # by hand: the nearest GP, crow-fly in Lambert-93, is the town hall of a commune with GPs
    gps = con.execute(
        "SELECT commune_code, x, y FROM facilities WHERE service_type = 'D265'"
    ).fetchall()
    xy = np.array([(x, y) for _, x, y in gps])
    crow = np.hypot(xy[:, 0] - ox, xy[:, 1] - oy)
    nearest = int(np.argmin(crow))
    gp_commune = gps[nearest][0]
    assert gp_commune in with_gp
    town_hall = con.execute(
        "SELECT x, y FROM population_points WHERE commune_code = ? AND kind = 'mairie'",
        [gp_commune],
    ).fetchone()
    assert town_hall == pytest.approx(tuple(xy[nearest]))  # chef-lieu to chef-lieu
    walk_minutes = crow[nearest] * WALK_DETOUR / (WALK_KMH * 1000 / 60)
    row = con.execute(
        "SELECT minutes, crow_m FROM travel_times "
        "WHERE origin_id = ? AND service_type = 'D265' AND mode = 'walk' AND rank = 1",
        [point_id],
    ).fetchone()
    assert row is not None
    assert row[1] == pytest.approx(crow[nearest], rel=1e-5)
    assert row[0] == pytest.approx(walk_minutes, rel=1e-5)
    value = con.execute(
        "SELECT value FROM indicator_values WHERE indicator_id = 'median_minutes__d265__walk' "
        "AND level = 'commune' AND code = ?",
        [commune],
    ).fetchone()
    assert value is not None and value[0] == pytest.approx(walk_minutes, abs=0.06)


def test_definitions_say_chef_lieu_to_chef_lieu(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT id, definition, sources FROM indicators "
        "WHERE id IN ('median_minutes__d265__walk', 'share_within_15min__b203__car')"
    ).fetchall()
    assert len(rows) == 2
    for _, definition, sources in rows:
        assert "« de chef-lieu à chef-lieu » de l'INSEE" in definition
        assert "bpe19_ensemble" in sources
    post = con.execute(
        "SELECT definition FROM indicators WHERE id = 'median_minutes__a206__walk'"
    ).fetchone()
    assert post is not None and "chef-lieu" not in post[0]  # La Poste's points win
