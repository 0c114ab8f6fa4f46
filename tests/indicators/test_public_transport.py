"""Public transport from GTFS (issue 11): departures counted by hand on the fixture feed
(tests/fixtures/gtfs, written for these tests), and the Grand Périgueux feed of the
mirror through real builds (dep:24 and the EPCI)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.catalogue import load_catalogue
from etl.loaders.gtfs import load_gtfs
from geo.constants import WALK_DETOUR
from geo.crs import to_metric
from indicators.public_transport import point_transit, route_classes, runs_on, stop_departures
from tests.conftest import GRAND_PERIGUEUX, make_settings
from warehouse.build import BuildReport, build

FEED = "gtfs_grand_perigueux"
TUESDAY = dt.date(2026, 1, 13)


@pytest.fixture(scope="module")
def fixture_feed(fixtures_dir: Path) -> pd.DataFrame:
    con = duckdb.connect()
    source = load_catalogue()[FEED]
    return load_gtfs(con, [fixtures_dir / "gtfs" / "stop_times.txt"], source).df()


def test_services_run_by_calendar_and_exceptions(fixture_feed: pd.DataFrame) -> None:
    services = fixture_feed.drop_duplicates("service_id").set_index("service_id")
    running = dict(zip(services.index, runs_on(services, TUESDAY), strict=True))
    # S1 weekdays; S2 Saturdays but added on the 13th; S3 ended on the 9th
    assert running == {"S1": True, "S2": True, "S3": False}
    removed = dict(zip(services.index, runs_on(services, dt.date(2026, 1, 20)), strict=True))
    assert removed == {"S1": False, "S2": False, "S3": False}  # S1 removed on the 20th


def test_departures_per_stop_by_hand(fixture_feed: pd.DataFrame) -> None:
    """On Tuesday 13: T1 departs P1 only (P2 no pickup, P3 last stop), T2 departs P1,
    T3 (R1) departs P2, T4 (school, 712) P1, T6 (on demand, 713) P3; T5 does not run."""
    out = stop_departures(fixture_feed, FEED, TUESDAY, route_classes())
    got = {(r.stop_id, r.route_class): (r.regular, r.departures) for r in out.itertuples()}
    assert got == {
        ("P1", "urbaine"): (True, 2),
        ("P2", "urbaine"): (True, 0),
        ("P3", "urbaine"): (True, 0),
        ("P1", "rurale"): (True, 0),
        ("P2", "rurale"): (True, 1),
        ("P1", "scolaire"): (False, 1),
        ("P3", "scolaire"): (False, 0),
        ("P1", "transport_a_la_demande"): (False, 0),
        ("P3", "transport_a_la_demande"): (False, 1),
    }
    assert out["departures"].sum() == 5


def test_what_a_point_reaches_on_foot() -> None:
    stops = pd.DataFrame({"lon": [0.7125, 0.65], "lat": [45.18662, 45.15], "departures": [30, 4]})
    x, y = to_metric(stops["lon"], stops["lat"], 2154)
    near = (float(x[0]) + 300.0 * 0.6, float(y[0]) + 300.0 * 0.8)  # 300 m from P1
    far = (float(x[0]) + 20_000.0, float(y[0]))
    points = pd.DataFrame({"x": [near[0], far[0]], "y": [near[1], far[1]], "epsg": [2154, 2154]})
    stations = pd.DataFrame({"x": [far[0] + 400.0], "y": [far[1]], "epsg": [2154]})
    out = point_transit(points, stops, stations, min_departures=28)
    assert out["frequent_500m"].tolist() == [True, False]  # 300 m x detour < 500 m
    assert out["departures_10min"].tolist() == [30.0, 0.0]
    assert out["isolated"].tolist() == [False, False]  # a station 400 m from the far one
    alone = point_transit(points, stops, stations.iloc[:0], min_departures=28)
    assert alone["isolated"].tolist() == [False, True]
    # 500 m of walk is 500 / detour metres of straight line
    edge = 500.0 / WALK_DETOUR
    points = pd.DataFrame({"x": [x[0] + edge - 1, x[0] + edge + 1], "y": [y[0]] * 2, "epsg": 2154})
    assert point_transit(points, stops, stations)["frequent_500m"].tolist() == [True, False]


@pytest.fixture(scope="module")
def epci_transit(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """The Grand Périgueux EPCI alone: base tables and the transit step only."""
    from indicators.public_transport_step import compute_transit

    settings = make_settings(tmp_path_factory.mktemp("gp"), mirror_dir, GRAND_PERIGUEUX)
    return build(settings, steps=[("transit", compute_transit)])


def _values(report: BuildReport) -> pd.DataFrame:
    with duckdb.connect(str(report.db_path), read_only=True) as con:
        return con.execute(
            "SELECT v.indicator_id, v.code, v.value, v.note, t.epci_code FROM indicator_values v "
            "JOIN indicators i ON i.id = v.indicator_id JOIN territories t "
            "ON t.level = v.level AND t.code = v.code "
            "WHERE i.kind LIKE 'transit%' AND v.level = 'commune'"
        ).df()


def test_transit_in_the_feed_zero_without_stop_blank_outside(dep24_built: BuildReport) -> None:
    values = _values(dep24_built)
    share = values[values["indicator_id"] == "transit_frequent_share__walk"]
    inside = share[share["epci_code"] == GRAND_PERIGUEUX.split(":")[1]]
    outside = share[share["epci_code"] != GRAND_PERIGUEUX.split(":")[1]]
    assert len(inside) == 43 and inside["value"].notna().all()
    assert inside.set_index("code").loc["24322", "value"] == 100.0  # Périgueux
    with duckdb.connect(str(dep24_built.db_path), read_only=True) as con:
        stops = con.execute("SELECT lon, lat FROM transit_stops WHERE regular").df()
        points = con.execute(
            "SELECT p.commune_code, p.x, p.y FROM population_points p "
            "WHERE p.commune_code IN (SELECT unnest($c))",
            {"c": inside["code"].tolist()},
        ).df()
    # a commune whose town hall has no regular stop within 2 km gets 0, not a blank
    sx, sy = to_metric(stops["lon"], stops["lat"], 2154)
    nearest = np.array(
        [np.hypot(sx - px, sy - py).min() for px, py in zip(points["x"], points["y"], strict=True)]
    )
    remote = set(points.loc[nearest > 2000.0, "commune_code"])
    assert remote and (inside.set_index("code").loc[sorted(remote), "value"] == 0.0).all()
    # outside the network's territory: blank, saying the feed does not cover it
    assert len(outside) > 400 and outside["value"].isna().all()
    assert outside["note"].str.contains("ne couvre pas ce territoire").all()
    assert outside["note"].str.contains(FEED).all()


def test_transit_values_do_not_change_with_the_extent(
    dep24_built: BuildReport, epci_transit: BuildReport
) -> None:
    """What each inhabitant reaches does not depend on the extent of the build (the
    commune values aggregate these points)."""
    sql = (
        "SELECT point_id, covered, frequent_500m, departures_10min, isolated "
        "FROM transit_points ORDER BY point_id"
    )
    with duckdb.connect(str(epci_transit.db_path), read_only=True) as con:
        small = con.execute(sql).df()
    with duckdb.connect(str(dep24_built.db_path), read_only=True) as con:
        large = con.execute(sql).df()
    both = small.merge(large, on="point_id", suffixes=("_epci", "_dep"))
    assert len(both) == len(small) == 43 and small["covered"].all()
    for column in ("covered", "frequent_500m", "isolated"):
        assert (both[f"{column}_epci"] == both[f"{column}_dep"]).all(), column
    assert np.allclose(both["departures_10min_epci"], both["departures_10min_dep"], rtol=1e-12)
    assert both["frequent_500m_epci"].any() and both["departures_10min_epci"].max() > 100
