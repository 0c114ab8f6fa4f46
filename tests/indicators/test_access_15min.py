"""The quart d'heure kernels, the everyday basket, third places and rural mobility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.access_15min import (
    EVERYDAY_BASKET,
    basket_available,
    basket_score,
    mean_minutes,
    nearest_minutes,
    score_by_territory,
    share_beyond,
    share_within,
)
from indicators.rural_mobility import (
    DENSITY_CLASSES,
    UNKNOWN_LABEL,
    class_members,
    classes_present,
    station_remoteness,
)
from indicators.third_places import third_place_coverage
from tests.indicators.conftest import geography


def _dep(frame: pd.DataFrame, column: str = "value") -> float:
    return float(frame.loc[frame["level"] == "departement", column].iloc[0])


def _travel_times() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin_id": ["a", "a", "b", "a", "c"],
            "service_type": ["A206", "A206", "A206", "C101", "C101"],
            "mode": ["walk", "walk", "walk", "walk", "car"],
            "rank": [1, 2, 1, 1, 1],
            "minutes": [12.0, 30.0, 16.0, 3.0, 8.0],
        }
    )


def test_nearest_minutes_keeps_rank_one_and_fills_inf() -> None:
    wide = nearest_minutes(_travel_times(), ["a", "b", "c", "d"])
    assert list(wide.index) == ["a", "b", "c", "d"]
    assert wide.loc["a", ("A206", "walk")] == 12.0
    assert wide.loc["b", ("A206", "walk")] == 16.0
    assert np.isinf(wide.loc["c", ("A206", "walk")])
    assert wide.loc["c", ("C101", "car")] == 8.0
    assert np.isinf(wide.loc["d"]).all()


def test_share_and_mean_by_hand(three_communes: pd.DataFrame) -> None:
    minutes = np.array([10.0, 20.0, 15.0, np.inf, 1.0])  # populations 100 300 50 25 25
    within = share_within(three_communes, minutes, 15.0)
    assert _dep(within) == pytest.approx(100 * 175 / 500)  # a, c (exactly 15), e
    beyond = share_beyond(three_communes, minutes, 15.0)
    assert _dep(beyond) == pytest.approx(100 * 325 / 500)  # b and the unreached d
    mean = mean_minutes(three_communes, minutes)
    # d reaches nothing and is left out: (1000 + 6000 + 750 + 25) / 475.
    assert _dep(mean) == pytest.approx(7775 / 475)
    assert _dep(mean, "denominator") == 475.0


def _types(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "label"])


def test_basket_counts_only_loaded_types_with_matching_labels() -> None:
    types = _types(
        [
            ("A206", "Bureau de poste"),
            ("A208", "Agence postale"),
            ("C101", "École maternelle"),
            ("D201", "URGENCES"),  # BPE 2025 meaning: not a general practitioner
            ("D307", "Pharmacie"),
            ("B202", "ÉPICERIE"),
            ("TRAIN_STATION", "Gare voyageurs"),
        ]
    )
    items = {i.key: i.codes for i in basket_available(types)}
    assert items == {
        "poste": ("A206", "A208"),
        "maternelle": ("C101",),
        "alimentation": ("B202",),
        "pharmacie": ("D307",),
    }
    # A reused code whose label does not match is left out.
    relabelled = _types([("D307", "Laboratoire d'analyses"), ("C101", "C101")])
    assert basket_available(relabelled) == ()
    assert {i.key for i in EVERYDAY_BASKET} >= {"poste", "maternelle", "elementaire"}


def test_basket_codes_come_from_the_warehouse_table_when_it_has_basket_item() -> None:
    # The warehouse table of a build with a variant service-type table: D307 is the
    # pharmacy, A207 is declared without basket item, so the postal point is A206 only.
    types = pd.DataFrame(
        {
            "code": ["A206", "A207", "D307", "TRAIN_STATION"],
            "label": ["Bureau de poste", "Relais poste", "Pharmacie", "Gare voyageurs"],
            "basket_item": ["poste", None, "pharmacie", None],
        }
    )
    items = {i.key: (i.label, i.codes) for i in basket_available(types)}
    assert items == {
        "poste": ("Point de contact postal", ("A206",)),
        "pharmacie": ("Pharmacie", ("D307",)),
    }
    # Declared but relabelled by a reused code: still checked against the keywords.
    relabelled = types.assign(label=["Bureau de poste", "x", "Laboratoire", "y"])
    assert [i.key for i in basket_available(relabelled)] == ["poste"]


def test_basket_score_by_hand(three_communes: pd.DataFrame) -> None:
    travel = pd.DataFrame(
        {
            "origin_id": ["a", "a", "a", "b", "c"],
            "service_type": ["A206", "A208", "C101", "A208", "C101"],
            "mode": "walk",
            "rank": 1,
            "minutes": [20.0, 5.0, 14.0, 30.0, 2.0],
        }
    )
    wide = nearest_minutes(travel, three_communes["point_id"])
    items = basket_available(
        _types([("A206", "Bureau de poste"), ("A208", "Agence postale"), ("C101", "Maternelle")])
    )
    score = basket_score(wide, items, "walk", 15.0)
    # a: postal point via A208 (5 min) and school (14) -> 2; b: 0; c: school -> 1.
    assert score.tolist() == [2.0, 0.0, 1.0, 0.0, 0.0]
    frame = score_by_territory(three_communes, score)
    assert _dep(frame) == pytest.approx((100 * 2 + 50 * 1) / 500)
    assert basket_score(wide, (), "walk", 15.0).tolist() == [0.0] * 5


@given(
    st.lists(
        st.tuples(st.floats(0, 1e5), st.one_of(st.floats(0, 200), st.just(np.inf))),
        min_size=1,
        max_size=30,
    ),
    st.floats(0.5, 60),
)
@settings(max_examples=60, deadline=None)
def test_shares_lie_in_0_100_and_within_plus_beyond_is_100(rows, threshold) -> None:
    geo = geography(
        [(f"p{i}", f"c{i % 3}", pop) for i, (pop, _) in enumerate(rows)],
        [(f"c{i}", "E", "D", "R") for i in range(3)],
    )
    minutes = np.array([m for _, m in rows])
    within = share_within(geo, minutes, threshold)
    beyond = share_beyond(geo, minutes, threshold)
    values = within["value"].dropna()
    assert ((values >= 0) & (values <= 100)).all()
    total = within["value"] + beyond["value"]
    assert np.allclose(total.dropna(), 100.0)


def test_third_places_by_hand(three_communes: pd.DataFrame) -> None:
    bike = np.array([10.0, 16.0, 15.0, np.inf, 40.0])
    car = np.array([5.0, 21.0, 20.0, np.inf, 12.0])
    frame = third_place_coverage(three_communes, bike, car)
    dep = frame[frame["level"] == "departement"].set_index("measure")
    assert dep.loc["share_within_bike", "value"] == pytest.approx(100 * 150 / 500)
    assert dep.loc["share_within_car", "value"] == pytest.approx(100 * 175 / 500)
    assert dep.loc["population_beyond_car", "value"] == 325.0  # b (300) and d (25)
    assert dep.loc["population_beyond_car", "denominator"] == 500.0


def test_density_classes() -> None:
    levels = pd.Series([1, 5, 7, None, 3], dtype="Int64")
    assert class_members(levels, "rural").tolist() == [False, True, True, False, False]
    assert class_members(levels, "urban").tolist() == [True, False, False, False, True]
    assert class_members(levels, "unknown").tolist() == [False, False, False, True, False]
    assert class_members(levels, "5").tolist() == [False, True, False, False, False]
    assert classes_present(levels)[-1] == "unknown" and "rural" in classes_present(levels)
    assert classes_present(pd.Series([None, None], dtype="Int64")) == ("all", "unknown")
    assert DENSITY_CLASSES["unknown"] == UNKNOWN_LABEL == "classe de densité inconnue"
    with pytest.raises(ValueError, match=r"^unknown density class '8': \['all', '1'"):
        class_members(levels, "8")


def test_station_remoteness_by_density(three_communes: pd.DataFrame) -> None:
    minutes = np.array([5.0, 30.0, 20.0, 10.0, np.inf])
    density = [1, 1, 6, None, None]  # a, b urban; c rural; d, e unknown
    frame = station_remoteness(three_communes, minutes, density)
    dep = frame[frame["level"] == "departement"].set_index("density_class")
    assert dep.loc["all", "value"] == pytest.approx(100 * (300 + 50 + 25) / 500)
    assert dep.loc["urban", "value"] == pytest.approx(100 * 300 / 400)
    assert dep.loc["rural", "value"] == 100.0
    assert dep.loc["unknown", "value"] == pytest.approx(50.0)
    assert dep.loc["unknown", "denominator"] == 50.0
    assert np.isnan(dep.loc["7", "value"]) and dep.loc["7", "denominator"] == 0.0
    # No density level at all: only "all" and "unknown", never a guessed class.
    unknown = station_remoteness(three_communes, minutes, [None] * 5)
    assert set(unknown["density_class"]) == {"all", "unknown"}
