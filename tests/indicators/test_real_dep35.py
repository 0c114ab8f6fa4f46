"""dep:35 built from the mirror with the travel-time and indicator steps (real data)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from geo.catchment import CATCHMENT_SERVICE_TYPES
from indicators.cli import describe_indicators
from indicators.whatif import what_if
from warehouse.build import BuildReport
from warehouse.gate import connect

TRAVEL_TIMES_COLUMNS = [
    "origin_id",
    "service_type",
    "mode",
    "rank",
    "minutes",
    "distance_m",
    "crow_m",
    "facility_id",
    "method",
]


@pytest.fixture(scope="module")
def con(dep35_access: BuildReport):
    connection = connect(dep35_access.db_path, read_only=True)
    yield connection
    connection.close()


def test_travel_times_table(con) -> None:
    columns = [r[0] for r in con.execute("DESCRIBE travel_times").fetchall()]
    assert columns == TRAVEL_TIMES_COLUMNS
    n_points, n_types = con.execute(
        "SELECT (SELECT count(*) FROM population_points), (SELECT count(*) FROM service_types)"
    ).fetchone()
    assert n_types >= 5  # La Poste, France Services, schools, stations, Fabriques
    # Every point has its nearest facility of every type by every mode (one zone).
    nearest = con.execute("SELECT count(*) FROM travel_times WHERE rank = 1").fetchone()[0]
    assert nearest == n_points * n_types * 3
    assert con.execute("SELECT DISTINCT method FROM travel_times").fetchall() == [
        ("straight_line",)
    ]
    # Catchment rows (rank > 1): car only, capacity-limited types, within 30 min.
    extra = con.execute(
        "SELECT DISTINCT mode, service_type, max(minutes) <= 30 FROM travel_times "
        "WHERE rank > 1 GROUP BY ALL"
    ).fetchall()
    assert {m for m, _, _ in extra} == {"car"}
    assert {t for _, t, _ in extra} <= set(CATCHMENT_SERVICE_TYPES)
    assert all(ok for _, _, ok in extra)
    keys = con.execute(
        "SELECT count(*) - count(DISTINCT (origin_id, service_type, mode, rank)) FROM travel_times"
    ).fetchone()[0]
    assert keys == 0


def test_shares_lie_in_0_100_and_every_territory_has_rows(con) -> None:
    bad = con.execute(
        "SELECT count(*) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
        "WHERE i.unit = '%' AND (v.value < 0 OR v.value > 100)"
    ).fetchone()[0]
    assert bad == 0
    n_ind, n_terr, n_rows = con.execute(
        "SELECT (SELECT count(*) FROM indicators), (SELECT count(*) FROM territories), "
        "(SELECT count(*) FROM indicator_values)"
    ).fetchone()
    assert n_rows == n_ind * n_terr
    assert con.execute("SELECT bool_or(secret) FROM indicator_values").fetchone()[0] is False


def test_departement_share_equals_the_figure_from_points(con) -> None:
    """Computed here independently, straight from population points and travel times."""
    for service_type, mode, threshold in (
        ("A206", "walk", 15.0),
        ("FRANCE_SERVICES", "car", 30.0),
        ("TRAIN_STATION", "bike", 15.0),
    ):
        direct = con.execute(
            "SELECT 100 * sum(p.population) FILTER (WHERE t.minutes <= ?) / sum(p.population) "
            "FROM population_points p LEFT JOIN travel_times t ON t.origin_id = p.point_id "
            "AND t.service_type = ? AND t.mode = ? AND t.rank = 1",
            [threshold, service_type, mode],
        ).fetchone()[0]
        slug = service_type.lower()
        ident = f"share_within_{threshold:g}min__{slug}__{mode}"
        stored = con.execute(
            "SELECT value FROM indicator_values WHERE indicator_id = ? "
            "AND level = 'departement' AND code = '35'",
            [ident],
        ).fetchone()[0]
        assert stored == pytest.approx(direct, rel=1e-9)


def test_communes_add_up_to_the_departement(con) -> None:
    rows = con.execute(
        """
        SELECT v.indicator_id, sum(v.numerator), sum(v.denominator),
               any_value(d.numerator), any_value(d.denominator), any_value(d.value)
        FROM indicator_values v
        JOIN indicators i ON i.id = v.indicator_id
        JOIN indicator_values d ON d.indicator_id = v.indicator_id
             AND d.level = 'departement' AND d.code = '35'
        WHERE v.level = 'commune' AND i.unit = '%' AND d.value IS NOT NULL
        GROUP BY v.indicator_id
        """
    ).fetchall()
    assert len(rows) > 30  # the school shares are blank for the département (partial source)
    for ident, num, den, dep_num, dep_den, dep_value in rows:
        assert num == pytest.approx(dep_num), ident
        assert den == pytest.approx(dep_den), ident
        assert 100 * num / den == pytest.approx(dep_value), ident


def test_incomplete_territories_have_no_value(con) -> None:
    values = con.execute(
        "SELECT count(v.value) FROM indicator_values v JOIN territories t "
        "ON t.level = v.level AND t.code = v.code WHERE NOT t.complete"
    ).fetchone()[0]
    assert values == 0


def test_sources_and_vintages_match_meta(con) -> None:
    meta = dict(con.execute("SELECT dataset, vintage FROM meta").fetchall())
    rows = con.execute("SELECT id, sources, vintage FROM indicators").fetchall()
    for ident, sources, vintage in rows:
        names = sources.split(", ")
        assert names and all(n in meta for n in names), ident
        for name in names:
            assert f"{name} : {meta[name]}" in vintage, ident
    fs = con.execute(
        "SELECT sources, unit FROM indicators WHERE id = 'share_within_30min__france_services__car'"
    ).fetchone()
    assert fs[0].startswith("france_services") and fs[1] == "%"


def test_what_if_on_the_farthest_point_is_fast_and_consistent(con) -> None:
    lon, lat, population = con.execute(
        "SELECT p.lon, p.lat, p.population FROM population_points p JOIN travel_times t "
        "ON t.origin_id = p.point_id AND t.service_type = 'FRANCE_SERVICES' "
        "AND t.mode = 'car' AND t.rank = 1 ORDER BY t.minutes DESC LIMIT 1"
    ).fetchone()
    start = time.perf_counter()
    result = what_if(con, "departement", "35", "FRANCE_SERVICES", add=[(lon, lat)], mode="car")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert result.newly_within >= population
    assert result.no_longer_within == 0.0
    assert result.new_share > result.old_share
    stored = con.execute(
        "SELECT value FROM indicator_values WHERE level = 'departement' AND code = '35' "
        "AND indicator_id = 'share_within_15min__france_services__car'"
    ).fetchone()[0]
    assert result.old_share == pytest.approx(stored)
    assert result.by_commune["population"].sum() == pytest.approx(result.population)
    first = con.execute(
        "SELECT facility_id FROM facilities WHERE service_type = 'FRANCE_SERVICES' "
        "AND in_territory ORDER BY facility_id LIMIT 1"
    ).fetchone()[0]
    closed = what_if(con, "epci", _epci_of(con, first), "FRANCE_SERVICES", remove=[first])
    assert closed.newly_within == 0.0 and closed.new_within <= closed.old_within
    assert np.isfinite(closed.new_mean_minutes)


def _epci_of(con, facility_id: str) -> str:
    return con.execute(
        "SELECT t.epci_code FROM facilities f JOIN territories t ON t.level = 'commune' "
        "AND t.code = f.commune_code WHERE f.facility_id = ?",
        [facility_id],
    ).fetchone()[0]


def test_describe_indicators(dep35_access: BuildReport) -> None:
    text = describe_indicators(dep35_access.db_path)
    assert "share_within_30min__france_services__car" in text
    assert "france_services : 2024-08-01" in text
    patterns = describe_indicators(None)
    assert "share_within_15min__<slug>__<mode>" in patterns
    assert "Point de contact postal" in patterns
