"""The indicator step on hand-made inputs: coverage of partial sources, completeness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators._sql import WarehouseInputs
from indicators.step import compute_values, registry_from_inputs
from indicators.step_context import NOTE_INCOMPLETE


def _inputs() -> WarehouseInputs:
    """Two départements (35, 56), one commune each, plus an incomplete région.

    Schools (C101) come from a source that covers 35 only (table point_coverage as
    geo.coverage writes it): the point of 56 lies outside its coverage (radius 0), the
    points of 35 have everything searched within 300 m only (the edge of 35 is near).
    Walking at 4.5 km/h with a detour of 1.4, 300 m is reached in 5.6 min: p1 (3 min
    from a school) has an exact time, p2 (10 min) does not, but both are known to be
    within 15 min. Post offices (A206): a national source, no limit.
    """
    points = pd.DataFrame(
        {
            "point_id": ["p1", "p2", "p3"],
            "commune_code": ["35001", "35001", "56001"],
            "population": [100.0, 300.0, 200.0],
            "density_level": [1.0, 1.0, np.nan],
            "kind": "mairie",
        }
    )
    communes = pd.DataFrame(
        {
            "code": ["35001", "56001"],
            "epci_code": ["E1", "E2"],
            "dep_code": ["35", "56"],
            "reg_code": ["53", "53"],
        }
    )
    territories = pd.DataFrame(
        {
            "level": ["commune", "commune", "epci", "epci", "departement", "departement", "region"],
            "code": ["35001", "56001", "E1", "E2", "35", "56", "53"],
            "complete": [True, True, True, True, True, True, False],
        }
    )
    nearest = pd.DataFrame(
        {
            "origin_id": ["p1", "p2", "p3", "p1", "p2", "p3"],
            "service_type": ["A206"] * 3 + ["C101"] * 3,
            "mode": "walk",
            "rank": 1,
            "minutes": [10.0, 20.0, 5.0, 3.0, 10.0, 400.0],
            "distance_m": [1000.0, 2000.0, 500.0, 300.0, 1000.0, 40000.0],
            "crow_m": [700.0, 1400.0, 350.0, 210.0, 700.0, 28000.0],
        }
    )
    facilities = pd.DataFrame(
        {
            "facility_id": ["a1", "a2", "c1"],
            "service_type": ["A206", "A206", "C101"],
            "commune_code": ["35001", "56001", "35001"],
            "x": [350_000.0, 260_000.0, 351_000.0],
            "y": [6_790_000.0, 6_760_000.0, 6_790_000.0],
            "epsg": [2154, 2154, 2154],
        }
    )
    types = pd.DataFrame(
        {
            "code": ["A206", "C101"],
            "slug": ["a206", "c101"],
            "label": ["Bureau de poste", "École maternelle"],
            "bpe_gamme": [None, None],
            "sources": ["laposte_points_contact", "education_annuaire"],
        }
    )
    return WarehouseInputs(
        points=points,
        communes=communes,
        territories=territories,
        nearest=nearest,
        catchments=pd.DataFrame(columns=["origin_id", "service_type", "facility_id", "minutes"]),
        facilities=facilities,
        service_types=types,
        vintages={"laposte_points_contact": "2020", "cog_communes": "COG 2026"},
        population_sources=("cog_communes",),
        density_sources=(),
        method="straight_line",
        point_coverage=pd.DataFrame(
            {
                "origin_id": ["p1", "p2", "p3"],
                "service_type": "C101",
                "radius_m": [300.0, 300.0, 0.0],
                "reason": ["couverture_partielle", "couverture_partielle", "hors_couverture"],
                "sources": "education_annuaire (mesuree)",
            }
        ),
    )


def _value(values: pd.DataFrame, ident: str, level: str, code: str) -> float:
    row = values[
        (values["indicator_id"] == ident) & (values["level"] == level) & (values["code"] == code)
    ]
    assert len(row) == 1
    return float(row["value"].iloc[0])


@pytest.fixture
def values() -> pd.DataFrame:
    inputs = _inputs()
    registry = registry_from_inputs(inputs, 15.0)
    return compute_values(inputs, registry)


def test_every_territory_has_a_row_for_every_indicator(values: pd.DataFrame) -> None:
    counts = values.groupby("indicator_id", observed=True).size()
    assert (counts == 7).all()
    assert not values["secret"].any()
    assert not values.duplicated(["indicator_id", "level", "code"]).any()


def test_hand_values(values: pd.DataFrame) -> None:
    ident = "share_within_15min__a206__walk"
    assert _value(values, ident, "commune", "35001") == pytest.approx(25.0)
    assert _value(values, ident, "departement", "56") == 100.0
    # The région is not complete in this build: no figure.
    assert np.isnan(_value(values, ident, "region", "53"))
    # The car times are missing: every point is beyond (0 %), median unknown.
    assert _value(values, "share_within_15min__a206__car", "departement", "35") == 0.0
    assert np.isnan(_value(values, "median_minutes__a206__car", "departement", "35"))


def test_partial_source_gives_no_figure_outside_its_coverage(values: pd.DataFrame) -> None:
    ident = "share_within_15min__c101__walk"
    assert _value(values, ident, "departement", "35") == 100.0
    # 56 has no school in the source: unknown, not "nobody within 15 min".
    assert np.isnan(_value(values, ident, "departement", "56"))
    assert np.isnan(_value(values, ident, "commune", "56001"))


def _note(values: pd.DataFrame, ident: str, level: str, code: str) -> str | None:
    row = values[
        (values["indicator_id"] == ident) & (values["level"] == level) & (values["code"] == code)
    ]
    return row["note"].iloc[0]


def test_exact_only_within_the_searched_radius(values: pd.DataFrame) -> None:
    # p1 (3 min) is exact, p2 (10 min) could have a closer school beyond 300 m.
    assert np.isnan(_value(values, "median_minutes__c101__walk", "commune", "35001"))
    note = _note(values, "median_minutes__c101__walk", "commune", "35001")
    assert "source partielle" in note and "education_annuaire" in note
    # ... but both have a school within 15 min for sure.
    assert _value(values, "share_within_15min__c101__walk", "commune", "35001") == 100.0
    assert pd.isna(_note(values, "share_within_15min__c101__walk", "commune", "35001"))
    # Outside the source, the reason says so; known values carry no note.
    assert "ne couvre pas ce territoire" in _note(
        values, "share_within_15min__c101__walk", "commune", "56001"
    )
    assert pd.isna(_note(values, "share_within_15min__a206__walk", "commune", "56001"))
    assert _note(values, "share_within_15min__a206__walk", "region", "53") == NOTE_INCOMPLETE


def test_a_warehouse_without_facilities_gives_empty_tables() -> None:
    inputs = _inputs()
    empty_types = inputs.service_types.iloc[0:0]
    registry = registry_from_inputs(
        WarehouseInputs(**{**inputs.__dict__, "service_types": empty_types}), 15.0
    )
    assert registry == []
    values = compute_values(inputs, registry)
    assert values.empty
    assert list(values.columns) == [
        "indicator_id",
        "level",
        "code",
        "value",
        "secret",
        "numerator",
        "denominator",
        "note",
    ]


def test_indicators_cite_the_vintages_of_the_meta_table(dep35_access) -> None:
    from indicators.step import source_vintages
    from warehouse.gate import connect

    assert source_vintages({"x": "2024"}) == {"x": "2024"}
    assert source_vintages(None) == {}  # no meta: unknown, never guessed
    con = connect(dep35_access.db_path, read_only=True)
    try:
        meta = dict(con.execute("SELECT dataset, vintage FROM meta WHERE vintage <> ''").fetchall())
        cited = con.execute(
            "SELECT sources, vintage FROM indicators "
            "WHERE id = 'share_within_30min__france_services__car'"
        ).fetchone()
    finally:
        con.close()
    assert cited is not None and "france_services" in cited[0].split(", ")
    assert f"france_services : {meta['france_services']}" in cited[1]


def test_a_territory_where_nobody_is_placed_says_why() -> None:
    """A commune with no inhabitant (the Meuse "villages morts pour la France": a point
    of population 0) or no outline (no point at all): blank with the reason, not a
    silent blank."""
    from dataclasses import replace

    from indicators.step_context import NOTE_NO_POINT

    inputs = _inputs()
    points = pd.concat(
        [
            inputs.points,
            pd.DataFrame(
                {
                    "point_id": ["p0"],
                    "commune_code": ["35002"],
                    "population": [0.0],
                    "density_level": [7],
                    "kind": ["mairie"],
                }
            ),
        ],
        ignore_index=True,
    )
    communes = pd.concat(
        [
            inputs.communes,
            pd.DataFrame(
                {
                    "code": ["35002", "35003"],
                    "epci_code": ["E1", "E1"],
                    "dep_code": ["35", "35"],
                    "reg_code": ["53", "53"],
                }
            ),
        ],
        ignore_index=True,
    )
    territories = pd.concat(
        [
            inputs.territories,
            pd.DataFrame(
                {"level": "commune", "code": ["35002", "35003"], "complete": [True, True]}
            ),
        ],
        ignore_index=True,
    )
    inputs = replace(inputs, points=points, communes=communes, territories=territories)
    values = compute_values(inputs, registry_from_inputs(inputs, 15.0))
    empty = values[values["code"].isin(["35002", "35003"])]
    assert len(empty) > 20 and empty["value"].isna().all()
    assert (empty["note"] == NOTE_NO_POINT).all()
    # the others are untouched
    ident = "share_within_15min__a206__walk"
    assert _value(values, ident, "commune", "35001") == pytest.approx(25.0)
