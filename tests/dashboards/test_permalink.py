"""Permalinks: parse, round-trip, and clear French messages for bad parameters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dashboards import queries, router
from dashboards.permalink import Context, ViewState, check_territory, parse, to_url

KNOWN = {("commune", "35236"), ("commune", "2A004"), ("departement", "35"), ("epci", "243500741")}
CTX = Context(
    levels=frozenset({"commune", "epci", "departement", "region"}),
    indicators=frozenset({"density", "population", "share_within_15min__a206__walk"}),
    default_indicator="density",
    service_types=frozenset({"FRANCE_SERVICES", "A206"}),
    exists=lambda level, code: (level, code) in KNOWN,
)


def test_defaults_without_query() -> None:
    state, msgs = parse("/", "", CTX)
    assert msgs == []
    assert state == ViewState(indicator="density")


def test_round_trip_of_a_full_view() -> None:
    state = ViewState(
        page="portrait",
        level="epci",
        indicator="population",
        classification="jenks",
        k=7,
        palette="cividis",
        territory="commune:35236",
        reference="departement:35",
        facilities=("A206", "FRANCE_SERVICES"),
        basemap=True,
        lat=48.1,
        lon=-1.68,
        zoom=10.5,
    )
    url = to_url(state)
    assert url.startswith("/portrait?")
    path, _, query = url.partition("?")
    again, msgs = parse(path, "?" + query, CTX)
    assert msgs == []
    assert again == state


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("indicator=nope", "Indicateur inconnu « nope »"),
        ("indicator=../../etc", "Indicateur inconnu"),
        ("level=canton", "Niveau inconnu « canton »"),
        ("k=42", "Nombre de classes invalide « 42 »"),
        ("k=abc", "Nombre de classes invalide"),
        ("classification=kmeans", "Classification inconnue"),
        ("territory=3X5", "code mal formé « 3X5 »"),
        ("territory=35999", "commune 35999 introuvable"),
        ("territory=epci:12", "code mal formé « 12 »"),
        ("territory=canton:1", "niveau inconnu « canton »"),
        ("territory=35236%27%3B%20DROP%20TABLE%20x", "code mal formé"),
        ("lat=91&lon=0&zoom=5", "Vue de carte hors limites"),
        ("lat=abc&lon=0&zoom=5", "Vue de carte invalide"),
        ("facilities=A206,XXX", "Types d'équipement inconnus ignorés : XXX"),
        ("page=admin", "Page inconnue « admin »"),
    ],
)
def test_bad_parameters_give_a_message_and_defaults(query: str, expected: str) -> None:
    state, msgs = parse("/", "?" + query, CTX)
    assert any(expected in m for m in msgs), msgs
    assert state.indicator in CTX.indicators
    assert state.level in CTX.levels
    assert 3 <= state.k <= 9


def test_unknown_path_falls_back_to_the_map() -> None:
    state, msgs = parse("/wp-admin", "", CTX)
    assert state.page == "carte"
    assert msgs == ["Page inconnue « /wp-admin » : affichage de la carte."]


def test_territory_codes_are_checked_by_regex_then_existence() -> None:
    calls: list[tuple[str, str]] = []

    def exists(level: str, code: str) -> bool:
        calls.append((level, code))
        return True

    ctx = Context(CTX.levels, CTX.indicators, "density", CTX.service_types, exists)
    assert isinstance(check_territory("3X5", ctx), str)
    assert calls == []  # a malformed code never reaches the lookup
    assert check_territory("2a004", ctx) == ("commune", "2A004")
    assert check_territory("departement:2A", ctx) == ("departement", "2A")


def test_view_state_store_round_trip() -> None:
    state = ViewState(indicator="density", facilities=("A206",), lat=1.0, lon=2.0, zoom=3.0)
    assert ViewState.from_dict(state.to_dict()) == state
    assert ViewState.from_dict({"indicator": "x", "unknown": 1}).indicator == "x"


def test_a_large_build_opens_on_its_departements(
    dash_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The level a bare address opens on: communes for a département (333 here),
    départements above ``COMMUNES_FIRST_UP_TO`` communes (a national build)."""
    wh = queries.open_warehouse(dash_db)
    assert router.default_level(wh) == "commune"
    monkeypatch.setattr(router, "COMMUNES_FIRST_UP_TO", len(queries.territories(wh, "commune")) - 1)
    assert router.default_level(wh) == "departement"
    # (context_for is cached per warehouse: the level it would compute now)
    ctx = dataclasses.replace(router.context_for(wh), default_level=router.default_level(wh))
    state, msgs = parse("/", "", ctx)
    assert state.level == "departement" and msgs == []
    state, msgs = parse("/", "level=commune", ctx)
    assert state.level == "commune"  # the address still decides
    state, msgs = parse("/", "level=canton", ctx)
    assert state.level == "departement" and "niveau département affiché" in msgs[0]
