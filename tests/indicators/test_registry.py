"""The registry: stable ids, sources and vintages taken from the warehouse, never invented."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from indicators.registry import (
    Indicator,
    SourceInfo,
    frozen_mapping,
    minutes_tag,
    registry_for,
    registry_frame,
)

SCHEMA_MD = Path(__file__).parents[2] / "warehouse" / "SCHEMA.md"


def _documented_columns(table: str) -> list[str]:
    """The columns of ``table`` as warehouse/SCHEMA.md documents them, in order: the key
    column, then the first word of each ``;``-separated entry (parentheses may hold
    commas and semicolons of their own)."""
    row = next(
        r for r in SCHEMA_MD.read_text("utf-8").splitlines() if r.startswith(f"| `{table}` |")
    )
    key, described = (cell.strip() for cell in row.split("|")[2:4])
    entries, depth, current = [], 0, ""
    for char in described:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            entries.append(current)
            current = ""
        else:
            current += char
    entries.append(current)
    return [key, *(re.findall(r"\w+", e)[0] for e in entries if e.strip())]


def _types() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("A206", "a206", "Bureau de poste", None),
            ("C101", "c101", "École maternelle", "proximite"),
            ("FRANCE_SERVICES", "france_services", "France Services", None),
            ("THIRD_PLACE", "third_place", "Tiers-lieu", None),
            ("TRAIN_STATION", "train_station", "Gare voyageurs", None),
            ("BAD", "Bad Slug!", "ignored", None),
        ],
        columns=["code", "slug", "label", "bpe_gamme"],
    )


def _sources() -> SourceInfo:
    return SourceInfo(
        vintages=frozen_mapping(
            [
                ("laposte_points_contact", "export ≤ 2020-12-15"),
                ("france_services", "2024-08-01"),
                ("cog_communes", "COG 2026"),
                ("sncf_gares", "export 2024-08"),
            ]
        ),
        facility_sources=frozen_mapping(
            [
                ("A206", ("laposte_points_contact",)),
                ("C101", ("education_annuaire",)),
                ("FRANCE_SERVICES", ("france_services",)),
                ("THIRD_PLACE", ("fabriques_territoire",)),
                ("TRAIN_STATION", ("sncf_gares",)),
            ]
        ),
        population_sources=("cog_communes",),
        density_sources=("density_grid",),
    )


@pytest.fixture
def registry() -> dict[str, Indicator]:
    found = registry_for(_types(), _sources(), density_classes=("all", "rural", "unknown"))
    ids = [i.id for i in found]
    assert len(ids) == len(set(ids))
    return {i.id: i for i in found}


def test_stable_ids(registry: dict[str, Indicator]) -> None:
    expected = {
        "share_within_15min__a206__walk",
        "median_minutes__a206__bike",
        "mean_minutes__france_services__car",
        "score_15min__walk",
        "score_15min__gamme_proximite__car",
        "share_within_30min__france_services__car",
        "population_beyond_30min__france_services__car",
        "share_within_15min__third_place__bike",
        "share_within_20min__third_place__car",
        "population_beyond_20min__third_place__car",
        "share_beyond_15min__train_station__car",
        "share_beyond_15min__train_station__car__density_rural",
        "share_beyond_15min__train_station__car__density_unknown",
        "fca__france_services__car",
        "fca__c101__car",
        "fca__third_place__car",
    }
    assert expected <= set(registry)
    assert not any("bad" in i.lower() for i in registry)
    assert "fca__a206__car" not in registry  # not a capacity-limited service
    assert "share_beyond_15min__train_station__car__density_1" not in registry


def test_sources_and_vintages_come_from_meta(registry: dict[str, Indicator]) -> None:
    fs = registry["share_within_30min__france_services__car"]
    assert fs.sources == "france_services, cog_communes, density_grid"
    assert fs.vintage == (
        "france_services : 2024-08-01 ; cog_communes : COG 2026 ; "
        "density_grid : millésime non renseigné"
    )
    walk = registry["share_within_15min__a206__walk"]
    assert walk.sources == "laposte_points_contact, cog_communes"  # no density on foot
    assert "export ≤ 2020-12-15" in walk.vintage
    assert fs.unit == "%" and fs.threshold_min == 30.0 and fs.higher_is_better
    assert "30 minutes" in fs.definition


def test_themes_units_and_directions(registry: dict[str, Indicator]) -> None:
    assert registry["share_within_15min__third_place__bike"].theme == "third_places"
    assert registry["share_within_15min__third_place__car"].theme == "access"
    assert registry["share_beyond_15min__train_station__car"].theme == "mobility"
    assert registry["median_minutes__a206__car"].unit == "min"
    assert not registry["median_minutes__a206__car"].higher_is_better
    assert registry["population_beyond_20min__third_place__car"].unit == "hab."
    assert registry["fca__c101__car"].unit == "pour 10 000 hab."
    score = registry["score_15min__car"]
    # The basket definition names the items actually loaded.
    assert "Point de contact postal (A206)" in score.definition
    assert "École maternelle (C101)" in score.definition
    assert "sur 2" in score.label
    unknown = registry["share_beyond_15min__train_station__car__density_unknown"]
    assert "classe de densité inconnue" in unknown.label


def test_threshold_appears_in_ids() -> None:
    found = registry_for(_types(), _sources(), threshold_min=10.0)
    ids = {i.id for i in found}
    assert "share_within_10min__a206__walk" in ids and "score_10min__car" in ids
    assert "share_within_30min__france_services__car" in ids
    assert minutes_tag(15.0) == "15" and minutes_tag(7.5) == "7p5"
    with pytest.raises(
        ValueError, match=r"^threshold must be a positive number of minutes, got -1\.0$"
    ):
        minutes_tag(-1.0)


def test_registry_frame_has_the_schema_columns(registry: dict[str, Indicator]) -> None:
    frame = registry_frame(list(registry.values()))
    # the contract is the documented table
    assert list(frame.columns) == _documented_columns("indicators")
    assert frame["id"].is_unique and len(frame) == len(registry)


def test_no_service_type_gives_an_empty_registry() -> None:
    empty = pd.DataFrame(columns=["code", "slug", "label", "bpe_gamme"])
    assert registry_for(empty, _sources()) == []


def test_indicator_validates_its_id() -> None:
    with pytest.raises(ValueError, match=r"^indicator id must be snake_case: 'Bad Id'$"):
        Indicator("Bad Id", "access", "", "%", "", "", "", "", True, 1, None, None, None)
