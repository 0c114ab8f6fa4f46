"""Every figure of a commune is the same whatever the extent of the build, or blank with
a reason (issue 9, point 2): dep:35 and reg:53 built from the same mirror files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_settings
from warehouse.build import BuildReport, build

# Every indicator value of the communes of Ille-et-Vilaine, of the département, and of
# the EPCIs complete in the build whose communes all lie in it.
_VALUES = """
SELECT v.indicator_id, v.level, v.code, v."value", v.note, i.theme
FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
WHERE (v.level = 'commune' AND v.code LIKE '35%')
   OR (v.level = 'departement' AND v.code = '35')
   OR (v.level = 'epci' AND v.code IN (
        SELECT code FROM territories WHERE level = 'epci' AND complete
        AND code IN (SELECT epci_code FROM territories WHERE level = 'commune'
                     GROUP BY epci_code HAVING bool_and(dep_code = '35'))))
"""


@pytest.fixture(scope="module")
def reg53_built(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """Bretagne (reg:53) built offline from the same mirror with every build step."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("reg53"), mirror_dir, "reg:53")
    return build(settings, steps=build_steps())


def _values(path: Path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(_VALUES).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def paired(dep35_built: BuildReport, reg53_built: BuildReport) -> pd.DataFrame:
    small, large = _values(dep35_built.db_path), _values(reg53_built.db_path)
    return small.merge(
        large, on=["indicator_id", "level", "code", "theme"], how="outer", indicator=True
    ).rename(columns=lambda c: c.replace("_x", "_dep").replace("_y", "_reg"))


def test_every_indicator_of_the_smaller_build_is_in_the_larger(paired: pd.DataFrame) -> None:
    assert (paired["_merge"] == "both").all(), paired[paired["_merge"] != "both"].head()
    themes = set(paired["theme"])
    assert {"access", "third_places", "mobility", "fracture"} <= themes
    assert paired["indicator_id"].nunique() > 100


def test_a_value_does_not_change_with_the_extent(paired: pd.DataFrame) -> None:
    both = paired[paired["value_dep"].notna() & paired["value_reg"].notna()]
    assert len(both) > 0.7 * len(paired)
    close = np.isclose(both["value_dep"], both["value_reg"], rtol=1e-9, atol=1e-9)
    wrong = both[~close]
    assert wrong.empty, wrong[["indicator_id", "code", "value_dep", "value_reg"]].head(10)
    # The 2SFCA values, which used to ignore the demand living outside the build, are
    # among the values compared (border communes included).
    fca = both[both["indicator_id"].str.startswith("fca__")]
    assert fca["code"].nunique() > 250


def test_a_value_blank_in_the_smaller_build_says_why(paired: pd.DataFrame) -> None:
    only_large = paired[paired["value_dep"].isna() & paired["value_reg"].notna()]
    access = only_large[only_large["theme"] != "fracture"]
    assert access["note_dep"].notna().all(), access.head()
    # and no value exists in the smaller build that the larger one does not confirm
    only_small = paired[paired["value_dep"].notna() & paired["value_reg"].isna()]
    assert only_small.empty, only_small.head()


def test_schools_of_border_communes_are_flagged_partial(dep35_built: BuildReport) -> None:
    """The education directory of the mirror covers 35 (and 94): a commune of 35 whose
    15-minute reach crosses into a neighbouring département is not given a value."""
    con = duckdb.connect(str(dep35_built.db_path), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT v.code, v."value", v.note, min(c.radius_m) AS radius
            FROM indicator_values v
            JOIN population_points p ON p.commune_code = v.code
            JOIN point_coverage c ON c.origin_id = p.point_id AND c.service_type = 'C201'
            WHERE v.indicator_id = 'share_within_15min__c201__car' AND v.level = 'commune'
            GROUP BY ALL
            """
        ).df()
    finally:
        con.close()
    blank = rows[rows["value"].isna()]
    assert len(blank) > 10
    assert blank["note"].str.contains("source partielle").all()
    assert blank["note"].str.contains("education_annuaire").all()
    # the blank communes are those near the edge of the covered département
    assert blank["radius"].max() < rows.loc[rows["value"].notna(), "radius"].max()


def test_corsica_stations_are_not_reached_across_the_sea(
    tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path
) -> None:
    """The SNCF list has no Corsican station (the CFC network is not SNCF Réseau's): the
    station indicators of Corse-du-Sud are blank with the reason, never "100 % beyond"
    through a mainland station."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep2a"), mirror_dir, "dep:2A")
    report = build(settings, steps=build_steps())
    con = duckdb.connect(str(report.db_path), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT v.level, v."value", v.note FROM indicator_values v
            JOIN indicators i ON i.id = v.indicator_id
            WHERE i.service_type = 'TRAIN_STATION' AND v.level IN ('commune', 'departement')
            """
        ).df()
        gaps = {
            r[0]
            for r in con.execute(
                "SELECT dep_code FROM coverage_gaps WHERE service_type = 'TRAIN_STATION'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {"2A", "2B"} <= gaps
    assert len(rows) > 100
    assert rows["value"].isna().all()
    assert rows["note"].str.contains("ne couvre pas ce territoire").all()
    assert rows["note"].str.contains("sncf_gares").all()


def test_an_island_without_station_says_so(
    tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path
) -> None:
    """Houat and Hœdic (Morbihan) have no bridge and no station: their inhabitants are
    beyond every threshold, with "aucun équipement accessible sur l'île", never a
    minute count to a mainland station."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep56"), mirror_dir, "dep:56")
    report = build(settings, steps=build_steps())
    con = duckdb.connect(str(report.db_path), read_only=True)
    try:
        islands = con.execute(
            """
            SELECT p.commune_code FROM population_points p
            JOIN land_masses l ON l.land_mass = p.land_mass
            WHERE l.island AND NOT EXISTS (
                SELECT 1 FROM facilities f
                WHERE f.land_mass = p.land_mass AND f.service_type = 'TRAIN_STATION')
            """
        ).df()["commune_code"]
        rows = con.execute(
            """
            SELECT code, "value", note FROM indicator_values
            WHERE indicator_id = 'share_beyond_15min__train_station__car'
              AND level = 'commune' AND list_contains($codes, code)
            """,
            {"codes": list(islands)},
        ).df()
        crossing = con.execute(
            """
            SELECT count(*) FROM travel_times t
            JOIN population_points p ON p.point_id = t.origin_id
            WHERE list_contains($codes, p.commune_code) AND t.service_type = 'TRAIN_STATION'
            """,
            {"codes": list(islands)},
        ).fetchone()[0]
    finally:
        con.close()
    assert len(islands) >= 4  # Houat, Hœdic, Groix, Belle-Île, Île-aux-Moines, Arz...
    assert crossing == 0
    assert (rows["value"] == 100.0).all()
    assert rows["note"].str.startswith("Aucun équipement accessible sur l'île").all()


def test_siting_and_criticality_do_not_change_with_the_extent(
    dep35_built: BuildReport, reg53_built: BuildReport
) -> None:
    """Issue 14: the sites proposed for Ille-et-Vilaine, their gains and the critical
    sites are the same from a dep:35 and a reg:53 build (or counted as uncertain)."""
    from indicators import siting
    from warehouse.gate import connect

    results = []
    for report in (dep35_built, reg53_built):
        con = connect(report.db_path, read_only=True)
        try:
            inputs = siting.load_inputs(con, "departement", "35", "france_services", "car")
        finally:
            con.close()
        plan = siting.plan_sites(inputs, 3, threshold_min=20)
        critical = siting.criticality(inputs, 20).set_index("facility_id")
        results.append((plan, critical))
    (small, small_critical), (large, large_critical) = results
    assert small.summary["uncertain_population"] == 0
    assert list(small.sites["candidate_id"]) == list(large.sites["candidate_id"])
    for key in ("newly_within", "before_share", "after_share", "before_mean_minutes"):
        assert small.summary[key] == pytest.approx(large.summary[key]), key
    assert small.summary["newly_within"] > 0
    shared = small_critical.index.intersection(large_critical.index)
    in_territory = small_critical.index[small_critical["in_territory"]]
    assert set(in_territory) <= set(shared)
    pd.testing.assert_series_equal(
        small_critical.loc[in_territory, "stranded"], large_critical.loc[in_territory, "stranded"]
    )
