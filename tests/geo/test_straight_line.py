"""Straight-line engine: hand-checkable cases and a brute-force reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo._validate import OUTPUT_COLUMNS, TravelTimeInputError
from geo.constants import DEFAULT_CONSTANTS
from geo.crs import NonMetricCRSError
from geo.straight_line import nearest_facilities

C = DEFAULT_CONSTANTS


def _line() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three origins and two facilities on the x axis (metres, Lambert-93).

    ::

        F1        O1            O2        F2            O3
        0 ------- 600 -------- 1800 ---- 3000 -------- 4500   x (m)

    Nearest: O1 -> F1 at 600 m, O2 -> F2 at 1200 m, O3 -> F2 at 1500 m.
    """
    origins = pd.DataFrame(
        {
            "origin_id": [1, 2, 3],
            "x": [600.0, 1800.0, 4500.0],
            "y": [0.0, 0.0, 0.0],
            "epsg": 2154,
            "density_level": pd.array([1, 7, None], dtype="Int64"),
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": ["F1", "F2"],
            "service_type": "school",
            "x": [0.0, 3000.0],
            "y": [0.0, 0.0],
            "epsg": 2154,
        }
    )
    return origins, facilities


def test_hand_checked_line_walk_bike_car() -> None:
    origins, facilities = _line()
    result = nearest_facilities(origins, facilities)
    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert len(result) == 3 * 3
    d = np.array([600.0, 1200.0, 1500.0])
    car_kmh = np.array([20.0, 60.0, 35.0])  # levels 1, 7 and NULL (fallback)
    expected = {
        "walk": d * 1.4 / 75.0,
        "bike": d * 1.3 / 250.0,
        "car": d * 1.3 / (car_kmh * 1000 / 60) + 2.0,
    }
    for mode, minutes in expected.items():
        rows = result[result["mode"] == mode]
        assert rows["origin_id"].tolist() == [1, 2, 3]
        assert rows["facility_id"].tolist() == ["F1", "F2", "F2"]
        # Same float64 arithmetic, stored as float32: equal to the last bit.
        np.testing.assert_array_equal(rows["minutes"].to_numpy(), minutes.astype(np.float32))
        detour = C.detour(mode)
        np.testing.assert_array_equal(
            rows["distance_m"].to_numpy(), (d * detour).astype(np.float32)
        )
    walk = result[result["mode"] == "walk"]["minutes"].to_numpy()
    np.testing.assert_allclose(walk, [11.2, 22.4, 28.0], rtol=1e-6)


def test_car_speed_follows_the_origin_density_level() -> None:
    levels = [1, 2, 3, 4, 5, 6, 7, None]
    origins = pd.DataFrame(
        {
            "origin_id": range(8),
            "x": 1000.0,
            "y": 0.0,
            "epsg": 2154,
            "density_level": pd.array(levels, dtype="Int64"),
        }
    )
    facility = pd.DataFrame(
        {"facility_id": [9], "service_type": "doctor", "x": [0.0], "y": [0.0], "epsg": 2154}
    )
    car = nearest_facilities(origins, facility, modes=("car",))
    minutes = car["minutes"].to_numpy()
    kmh = np.array([20, 28, 35, 35, 45, 55, 60, 35], dtype=float)
    np.testing.assert_allclose(minutes, 1300.0 / (kmh * 1000 / 60) + 2.0, rtol=1e-6)
    assert np.all(np.diff(minutes[:7]) <= 0)  # denser -> slower
    assert car["distance_m"].nunique() == 1  # density changes speed, not distance

    faster = dataclasses.replace(C, car_kmh_by_density=(60.0,) * 7, car_overhead_min=0.0)
    overridden = nearest_facilities(origins, facility, modes=("car",), constants=faster)
    np.testing.assert_allclose(overridden["minutes"].to_numpy()[:7], 1.3, rtol=1e-6)


def test_k_nearest_are_ranked_by_time_and_capped_by_supply() -> None:
    origins, facilities = _line()
    result = nearest_facilities(origins, facilities, modes=("walk",), k=5)
    assert len(result) == 3 * 2  # only two facilities exist
    o2 = result[result["origin_id"] == 2]
    assert o2["rank"].tolist() == [1, 2]
    assert o2["facility_id"].tolist() == ["F2", "F1"]
    np.testing.assert_allclose(o2["distance_m"], [1200 * 1.4, 1800 * 1.4], rtol=1e-6)
    for _, group in result.groupby("origin_id"):
        assert group["minutes"].is_monotonic_increasing


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kd_tree_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_o, n_f, k = 400, 90, 3
    origins = pd.DataFrame(
        {
            "origin_id": np.arange(n_o) * 10,
            "x": rng.uniform(0, 20_000, n_o),
            "y": rng.uniform(6.8e6, 6.82e6, n_o),
            "epsg": 2154,
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": np.arange(n_f) + 1000,
            "service_type": rng.choice(["bakery", "doctor", "school"], n_f),
            "x": rng.uniform(0, 20_000, n_f),
            "y": rng.uniform(6.8e6, 6.82e6, n_f),
            "epsg": 2154,
        }
    )
    result = nearest_facilities(origins, facilities, modes=("walk",), k=k)
    for service, fac in facilities.groupby("service_type"):
        # Slow, obvious reference: every origin-facility distance, sorted.
        dx = origins["x"].to_numpy()[:, None] - fac["x"].to_numpy()[None, :]
        dy = origins["y"].to_numpy()[:, None] - fac["y"].to_numpy()[None, :]
        dist = np.hypot(dx, dy)
        order = np.argsort(dist, axis=1)[:, :k]
        got = result[result["service_type"] == service]
        assert got["origin_id"].tolist() == np.repeat(origins["origin_id"], k).tolist()
        assert got["rank"].tolist() == [1, 2, 3] * n_o
        np.testing.assert_array_equal(
            got["facility_id"].to_numpy(), fac["facility_id"].to_numpy()[order].ravel()
        )
        np.testing.assert_allclose(
            got["distance_m"].to_numpy(),
            np.take_along_axis(dist, order, axis=1).ravel() * 1.4,
            rtol=1e-6,
        )


def test_zones_never_mix_and_empty_zones_give_no_row() -> None:
    origins = pd.DataFrame(
        {
            "origin_id": ["metro", "reunion"],
            "x": [650_000.0, 340_000.0],
            "y": [6_860_000.0, 7_660_000.0],
            "epsg": [2154, 2975],
            "density_level": [1, 4],
        }
    )
    facilities = pd.DataFrame(
        {
            # The Réunion school sits at the metropolitan origin's coordinates: it must
            # not be matched with it, since the two points live in different CRSs.
            "facility_id": [1, 2, 3],
            "service_type": ["school", "school", "doctor"],
            "x": [650_000.0, 651_000.0, 341_000.0],
            "y": [6_860_000.0, 6_860_000.0, 7_660_000.0],
            "epsg": [2975, 2154, 2975],
        }
    )
    result = nearest_facilities(origins, facilities, modes=("walk",))
    pairs = set(
        zip(result["origin_id"], result["service_type"], result["facility_id"], strict=True)
    )
    assert pairs == {("metro", "school", 2), ("reunion", "school", 1), ("reunion", "doctor", 3)}
    assert ("metro", "doctor") not in {(o, s) for o, s, _ in pairs}


def test_extension_dtypes_of_ids_are_kept() -> None:
    origins, facilities = _line()
    origins = origins.assign(origin_id=pd.array(["a", "b", "c"], dtype="string"))
    result = nearest_facilities(origins, facilities, modes=("walk",))
    assert result["origin_id"].dtype == origins["origin_id"].dtype
    assert result["origin_id"].tolist() == ["a", "b", "c"]


def test_empty_inputs_give_an_empty_table_with_the_same_columns() -> None:
    origins, facilities = _line()
    for result in (
        nearest_facilities(origins.iloc[:0], facilities),
        nearest_facilities(origins, facilities.iloc[:0]),
    ):
        assert result.empty
        assert list(result.columns) == list(OUTPUT_COLUMNS)
        assert result["minutes"].dtype == np.float32


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda o, f: (o.drop(columns="epsg"), f), TravelTimeInputError, "lacks column"),
        (lambda o, f: (o.assign(epsg=4326), f), NonMetricCRSError, "not projected"),
        (lambda o, f: (o, f.assign(epsg=3857)), NonMetricCRSError, "Mercator"),
        (lambda o, f: (o.assign(origin_id=1), f), TravelTimeInputError, "unique"),
        (lambda o, f: (o.assign(x=[0.0, np.nan, 1.0]), f), TravelTimeInputError, "missing"),
        (lambda o, f: (o.assign(density_level=[1, 2, 9]), f), TravelTimeInputError, "1-7"),
        (lambda o, f: (o.drop(columns="density_level"), f), TravelTimeInputError, "density"),
        (lambda o, f: (o, f.assign(service_type=None)), TravelTimeInputError, "service_type"),
    ],
)
def test_bad_inputs_raise_clear_errors(change, error, message) -> None:
    origins, facilities = change(*_line())
    with pytest.raises(error, match=message):
        nearest_facilities(origins, facilities)


def test_bad_options_raise_clear_errors() -> None:
    origins, facilities = _line()
    with pytest.raises(TravelTimeInputError, match="modes"):
        nearest_facilities(origins, facilities, modes="walk")  # type: ignore[arg-type]
    with pytest.raises(TravelTimeInputError, match="modes"):
        nearest_facilities(origins, facilities, modes=("walk", "tram"))  # type: ignore[arg-type]
    with pytest.raises(TravelTimeInputError, match="k must"):
        nearest_facilities(origins, facilities, k=0)


def test_inputs_are_not_mutated() -> None:
    origins, facilities = _line()
    before = (origins.copy(), facilities.copy())
    nearest_facilities(origins, facilities, k=2)
    pd.testing.assert_frame_equal(origins, before[0])
    pd.testing.assert_frame_equal(facilities, before[1])


@settings(max_examples=60, deadline=None, database=None)  # no .hypothesis/ in the repo
@given(
    origins_xy=st.lists(
        st.tuples(st.floats(0, 50_000), st.floats(0, 50_000)), min_size=1, max_size=30
    ),
    facilities_xy=st.lists(
        st.tuples(st.floats(0, 50_000), st.floats(0, 50_000)), min_size=1, max_size=10
    ),
    k=st.integers(1, 4),
)
def test_property_nearest_distances_match_brute_force(origins_xy, facilities_xy, k) -> None:
    o = np.array(origins_xy)
    f = np.array(facilities_xy)
    origins = pd.DataFrame({"origin_id": range(len(o)), "x": o[:, 0], "y": o[:, 1], "epsg": 2154})
    facilities = pd.DataFrame(
        {
            "facility_id": range(len(f)),
            "service_type": "s",
            "x": f[:, 0],
            "y": f[:, 1],
            "epsg": 2154,
        }
    )
    result = nearest_facilities(origins, facilities, modes=("bike",), k=k)
    kk = min(k, len(f))
    brute = np.sort(np.hypot(o[:, None, 0] - f[None, :, 0], o[:, None, 1] - f[None, :, 1]), axis=1)
    assert len(result) == len(o) * kk
    np.testing.assert_allclose(
        result["distance_m"].to_numpy(), brute[:, :kk].ravel() * 1.3, rtol=1e-6, atol=1e-3
    )
    assert (result["minutes"] >= 0).all()
