"""Public-service commitments: La Poste's presence rule and the France Services promise."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from indicators.commitments import (
    LAPOSTE_MAX_SHARE_PCT,
    beyond_presence_rule,
    nearest_of_types,
)
from tests.conftest import make_settings
from warehouse.build import BuildReport, build

INF = np.inf


def test_nearest_of_types_takes_the_fastest_type() -> None:
    minutes = np.array([[12.0, 8.0, INF], [INF, INF, INF], [5.0, 5.0, 9.0]])
    metres = np.array([[6000.0, 4000.0, np.nan], [np.nan] * 3, [3000.0, 2500.0, 1.0]])
    t, d = nearest_of_types(minutes, metres)
    assert t.tolist() == [8.0, INF, 5.0]
    assert d[0] == 4000.0 and np.isnan(d[1])
    assert d[2] == 3000.0  # a tie keeps the first type


@pytest.mark.parametrize(
    ("minutes", "metres", "beyond"),
    [
        (25.0, 6000.0, True),  # farther than 5 km AND 20 min
        (25.0, 4000.0, False),  # within 5 km
        (15.0, 9000.0, False),  # within 20 min
        (20.0, 5000.0, False),  # both limits are inclusive
        (INF, np.nan, True),  # no contact point at all
    ],
)
def test_presence_rule_is_five_km_and_twenty_minutes(
    minutes: float, metres: float, beyond: bool
) -> None:
    assert beyond_presence_rule([minutes], [metres]).tolist() == [beyond]


@pytest.fixture(scope="module")
def guyane(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """Guyane (dep:973), the département where some inhabitants are beyond the rule."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep973"), mirror_dir, "dep:973")
    return build(settings, steps=build_steps())


@pytest.mark.parametrize("built", ["dep35_built", "guyane"])
def test_departement_share_matches_an_independent_count(
    built: str, request: pytest.FixtureRequest
) -> None:
    """The département's share beyond the rule, recounted from travel_times."""
    report: BuildReport = request.getfixturevalue(built)
    con = duckdb.connect(str(report.db_path), read_only=True)
    try:
        expected = con.execute(
            """
            WITH best AS (
                SELECT origin_id, arg_min(distance_m, minutes) AS d, min(minutes) AS t
                FROM travel_times
                WHERE "mode" = 'car' AND "rank" = 1 AND service_type IN ('A206', 'A207', 'A208')
                GROUP BY origin_id
            )
            SELECT 100 * coalesce(sum(p.population) FILTER (
                       WHERE b.t IS NULL OR (b.d > 5000 AND b.t > 20)), 0) / sum(p.population)
            FROM population_points p LEFT JOIN best b ON b.origin_id = p.point_id
            """
        ).fetchone()[0]
        got, target = con.execute(
            """
            SELECT v."value", i.target_max FROM indicator_values v
            JOIN indicators i ON i.id = v.indicator_id
            WHERE v.indicator_id = 'laposte_presence__share_beyond_5km_20min__car'
              AND v.level = 'departement'
            """
        ).fetchone()
        themes = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT id FROM indicators WHERE theme = 'commitments'"
            ).fetchall()
        }
    finally:
        con.close()
    assert got == pytest.approx(expected, abs=1e-9)
    if built == "guyane":  # a case where the rule bites, away from 0
        assert got > 0
    assert target == LAPOSTE_MAX_SHARE_PCT
    assert themes == {
        "laposte_presence__share_beyond_5km_20min__car",
        "laposte_presence__share_beyond_5km_crow_20min__car",
        "france_services_promise__share_beyond_30min__car",
    }
