"""Model constants: defaults, per-call overrides and their validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from geo.constants import (
    CAR_FALLBACK_KMH,
    DEFAULT_CONSTANTS,
    DEFAULT_THRESHOLD_MIN,
    FCA_BANDS,
    ModelConstants,
)


def test_defaults_match_house_values() -> None:
    c = DEFAULT_CONSTANTS
    assert c.walk_kmh == 4.5
    assert c.speed_m_per_min("walk") == 75.0
    assert c.speed_m_per_min("bike") == 250.0
    assert DEFAULT_THRESHOLD_MIN == 15
    assert [w for _, _, w in FCA_BANDS] == [1.0, 0.68, 0.22]
    assert (c.secrecy_min_units, c.secrecy_max_share) == (3, 0.85)
    assert c.detour("walk") > c.detour("car") >= 1.0


def test_car_speed_grows_from_urban_to_rural_and_falls_back_on_null() -> None:
    speeds = DEFAULT_CONSTANTS.car_m_per_min([1, 2, 3, 4, 5, 6, 7, np.nan])
    assert np.all(np.diff(speeds[:7]) >= 0)
    assert speeds[0] < speeds[6]
    assert speeds[7] == pytest.approx(CAR_FALLBACK_KMH * 1000 / 60)


def test_car_speed_rejects_levels_outside_the_grid() -> None:
    with pytest.raises(ValueError, match="1-7"):
        DEFAULT_CONSTANTS.car_m_per_min([0])
    with pytest.raises(ValueError, match="1-7"):
        DEFAULT_CONSTANTS.car_m_per_min([2.5])


def test_override_is_a_new_frozen_instance() -> None:
    slow = dataclasses.replace(DEFAULT_CONSTANTS, walk_kmh=3.6)
    assert slow.speed_m_per_min("walk") == 60.0
    assert DEFAULT_CONSTANTS.walk_kmh == 4.5
    with pytest.raises(
        dataclasses.FrozenInstanceError, match=r"^cannot assign to field 'walk_kmh'$"
    ):
        slow.walk_kmh = 5.0  # type: ignore[misc]


_SPEED = r"^every speed must be a positive finite km/h value, got \("
_BANDS = r"^fca_bands must be contiguous from 0 with weights in \[0, 1\]: "


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"walk_kmh": 0.0}, _SPEED + r"0\.0, "),
        (
            {"car_kmh_by_density": (30.0,) * 6},
            r"^car_kmh_by_density needs 7 values \(levels 1-7\), got 6$",
        ),
        ({"car_detour": 0.9}, r"^a detour factor below 1 would make a route shorter than a line$"),
        (
            {"fca_bands": ((0.0, 10.0, 1.0), (12.0, 20.0, 0.5))},
            _BANDS + r"\(\(0\.0, 10\.0, 1\.0\), ",
        ),
        ({"fca_bands": ((0.0, 10.0, 1.5),)}, _BANDS + r"\(\(0\.0, 10\.0, 1\.5\),\)$"),
        (
            {"secrecy_max_share": 1.2},
            r"^secrecy_min_units >= 1 and 0 < secrecy_max_share <= 1 required$",
        ),
        ({"car_kmh_by_highway": (("primary", -5.0),)}, _SPEED + r".*, -5\.0\)$"),
    ],
)
def test_invalid_constants_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModelConstants(**changes)
