"""Siting (maximal covering, p-median) and criticality on instances solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.constants import DEFAULT_CONSTANTS
from geo.crs import to_wgs84
from indicators.siting import (
    Pairs,
    SitingError,
    SitingInputs,
    criticality,
    greedy_coverage,
    plan_sites,
    solve_coverage,
)

X0, Y0 = 650_000.0, 6_800_000.0  # Lambert-93, mainland
WALK_M_PER_MIN = DEFAULT_CONSTANTS.speed_m_per_min("walk") / DEFAULT_CONSTANTS.walk_detour
# Walking 15 min covers 15 x 75 m/min / 1.4 (detour) = 803.6 m of straight line.
WALK_REACH_M = 15 * WALK_M_PER_MIN


def _frame(prefix: str, xs: list[float]) -> pd.DataFrame:
    lon, lat = to_wgs84(X0 + np.asarray(xs, dtype=float), np.full(len(xs), Y0), 2154)
    return pd.DataFrame(
        {
            "x": X0 + np.asarray(xs, dtype=float),
            "y": Y0,
            "epsg": 2154,
            "land_mass": "continent",
            "lon": lon,
            "lat": lat,
            "commune_code": [f"3500{i}" for i in range(len(xs))],
            "commune_name": [f"{prefix}{i}" for i in range(len(xs))],
        }
    )


def _inputs(
    points_x: list[float],
    population: list[float],
    candidates_x: list[float],
    facilities_x: list[float] = (),
    radius_m: float = np.nan,
) -> SitingInputs:
    """Points, candidates and existing facilities on a horizontal line (metres);
    the stored time is the walk to the nearest facility (NaN: none)."""
    points = _frame("P", points_x)
    points.insert(0, "point_id", [f"p{i}" for i in range(len(points_x))])
    points["epci_code"] = ["E1" if x < 1500 else "E2" for x in points_x]
    points["epci_name"] = points["epci_code"]
    points["population"] = np.asarray(population, dtype=float)
    points["density_level"] = 4
    facilities = _frame("F", list(facilities_x))
    facilities.insert(0, "facility_id", [f"f{j}" for j in range(len(facilities_x))])
    facilities["label"] = facilities["facility_id"]
    facilities["service_type"] = "FRANCE_SERVICES"
    facilities["in_territory"] = True
    if len(facilities_x):
        gap = np.abs(np.subtract.outer(np.asarray(points_x), np.asarray(facilities_x)))
        points["minutes"] = gap.min(axis=1) / WALK_M_PER_MIN
    else:
        points["minutes"] = np.nan
    points["radius_m"] = radius_m
    candidates = _frame("C", candidates_x)
    candidates.insert(0, "candidate_id", [f"c{j}" for j in range(len(candidates_x))])
    candidates.insert(1, "label", candidates["candidate_id"])
    return SitingInputs(points, facilities, candidates, "FRANCE_SERVICES", "walk")


# b at 0 and a at 1000 (weights 1 and 2), c at 2000 and d at 3000 (2 and 1). A site at
# 500 covers {b, a} (3), at 2500 {c, d} (3), at 1500 {a, c} (4): greedy takes 1500
# first and ends at 5; the optimum is {500, 2500}, 6.
GREEDY_TRAP = ([0, 1000, 2000, 3000], [100, 200, 200, 100], [500, 1500, 2500])


def test_solver_beats_greedy_on_the_trap() -> None:
    result = plan_sites(_inputs(*GREEDY_TRAP), 2, threshold_min=15)
    assert sorted(result.sites["candidate_id"]) == ["c0", "c2"]
    assert result.optimal.status == "optimal"
    assert result.optimal.value == 600
    assert result.greedy.value == 500 and result.greedy.chosen[0] == 1
    assert result.gap_pct == pytest.approx(100 * (600 - 500) / 600)
    assert result.summary["after_within"] == 600 and result.summary["before_within"] == 0
    # each inhabitant newly within is counted once, at their nearest new site
    assert result.sites["newly_within"].sum() == result.summary["newly_within"] == 600


def test_one_site_takes_the_largest_cover_and_reports_the_epcis() -> None:
    result = plan_sites(_inputs(*GREEDY_TRAP), 1, threshold_min=15)
    assert list(result.sites["candidate_id"]) == ["c1"]
    epci = result.by_epci.set_index("epci_code")
    assert epci.loc["E1", "newly_within"] == 200 and epci.loc["E2", "newly_within"] == 200
    assert epci.loc["E1", "after_share"] == pytest.approx(100 * 200 / 300)
    assert result.summary["after_share"] == pytest.approx(100 * 400 / 600)


def test_pairs_solver_and_greedy_agree_with_the_hand_count() -> None:
    # the same trap as sparse pairs: demand 0..3 (b, a, c, d), candidates 0..2
    pairs = Pairs(
        point=np.array([0, 1, 1, 2, 2, 3]),
        candidate=np.array([0, 0, 1, 1, 2, 2]),
        minutes=np.ones(6),
    )
    weights = [1.0, 2.0, 2.0, 1.0]
    assert greedy_coverage(weights, pairs, 3, 2).value == 5
    best = solve_coverage(weights, pairs, 3, 2)
    assert sorted(best.chosen) == [0, 2] and best.value == 6


def test_covered_points_are_not_demand_and_existing_sites_count() -> None:
    # an existing site at 500 already covers b and a: the best new site covers c and d
    inputs = _inputs(*GREEDY_TRAP, facilities_x=[500])
    result = plan_sites(inputs, 1, threshold_min=15)
    assert list(result.sites["candidate_id"]) == ["c2"]
    assert result.summary["before_within"] == 300 and result.summary["after_within"] == 600


def test_sites_beyond_need_say_so() -> None:
    # three sites asked, two cover everyone: the third brings nobody
    result = plan_sites(_inputs(*GREEDY_TRAP), 3, threshold_min=15)
    assert result.optimal.value == 600
    assert result.sites["newly_within"].min() >= 0
    assert len(result.sites) <= 3


def test_median_moves_the_site_to_the_heaviest_far_point() -> None:
    # existing site at 0; 10 inhabitants at 5 km, 1 at 1 km: a site at 5 km saves the most
    inputs = _inputs([0, 1000, 5000], [1, 1, 10], [1000, 5000], facilities_x=[0])
    result = plan_sites(inputs, 1, threshold_min=15, objective="time")
    assert list(result.sites["candidate_id"]) == ["c1"]
    saved = 10 * 5000 / WALK_M_PER_MIN
    assert result.optimal.value == pytest.approx(saved)
    before = (1 * 1000 + 10 * 5000) / WALK_M_PER_MIN / 12
    assert result.summary["before_mean_minutes"] == pytest.approx(before)
    assert result.summary["after_mean_minutes"] == pytest.approx(1000 / WALK_M_PER_MIN / 12)


def test_a_solver_stopped_by_its_time_limit_keeps_the_greedy_answer() -> None:
    inputs = _inputs(*GREEDY_TRAP)
    result = plan_sites(inputs, 2, threshold_min=15, time_limit_s=1e-9)
    # HiGHS stops before any solution: the greedy one is kept, and the note says why
    assert result.optimal.status == "greedy"
    assert result.optimal.value == result.greedy.value == 500
    assert "limite de temps (1e-09 s)" in result.notes[0]
    # the report follows the retained solution
    assert result.summary["newly_within"] == result.optimal.value


def test_uncertain_points_are_left_out_of_the_gain() -> None:
    # radius 300 m known around each point: beyond 15 min walk (803 m) nothing is known,
    # so no point may be counted as newly within
    result = plan_sites(
        _inputs(*GREEDY_TRAP, facilities_x=[9000], radius_m=300.0), 2, threshold_min=15
    )
    assert result.summary["newly_within"] == 0
    assert result.summary["uncertain_population"] == 600


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_new": 0}, "nombre de nouveaux sites invalide : 0"),
        ({"n_new": 4}, r"sites candidats, 3\)"),
        ({"n_new": 1, "objective": "distance"}, "objectif inconnu"),
        ({"n_new": 1, "objective": "time", "keep_existing": False}, "sites existants conservés"),
        ({"n_new": 1, "threshold_min": float("nan")}, "seuil invalide"),
    ],
)
def test_bad_requests_are_clear_errors(kwargs: dict, match: str) -> None:
    args = {"threshold_min": 15.0, **kwargs}
    with pytest.raises(SitingError, match=match):
        plan_sites(_inputs(*GREEDY_TRAP), **args)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 6000), min_size=3, max_size=12),
    st.lists(st.integers(0, 6000), min_size=3, max_size=8),
    st.lists(st.integers(0, 6000), max_size=2),
)
def test_coverage_grows_with_the_budget_and_with_existing_sites(points, candidates, existing):
    population = [10 + (7 * i) % 13 for i in range(len(points))]
    inputs = _inputs(points, population, candidates, existing)
    values, after = [], []
    for n in range(1, len(candidates) + 1):
        kept = plan_sites(inputs, n, threshold_min=15)
        assert kept.optimal.value >= kept.greedy.value - 1e-9
        values.append(kept.optimal.value)
        after.append(kept.summary["after_within"])
        scratch = plan_sites(inputs, n, threshold_min=15, keep_existing=False)
        assert kept.summary["after_within"] >= scratch.summary["after_within"] - 1e-9
    assert values == sorted(values)
    assert after == sorted(after)


def test_criticality_counts_who_only_one_site_keeps_within_reach() -> None:
    # sites A at 0 (two facilities) and B at 600; A alone keeps the 4 inhabitants at
    # -700 within 15 min, B alone the 3 at 1300; those at 250 have both
    inputs = _inputs([-700, 250, 1300], [4, 7, 3], [0], facilities_x=[0, 0, 600])
    table = criticality(inputs, 15).set_index("facility_id")
    assert list(table["rank"].sort_values()) == [1, 2]
    a, b = table.loc["f0"], table.loc["f2"]
    assert a["n_facilities"] == 2 and b["n_facilities"] == 1
    assert a["stranded"] == 4 and b["stranded"] == 3
    assert a["within"] == 4 + 7 and a["rank"] == 1
    assert a["stranded_next_minutes"] == pytest.approx(1300 / WALK_M_PER_MIN)
    assert b["stranded_next_minutes"] == pytest.approx(1300 / WALK_M_PER_MIN)
