"""The portrait's "Fractures territoriales" section: reads of ``fracture_indices`` and
``double_peine`` through ``queries`` (dep:35 build), and the pure builders on
hand-made records (NULL indices, secret income)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboards import queries, router
from dashboards.components import fractures
from dashboards.formatting import number
from dashboards.portrait_data import (
    PARTIAL_NOTE,
    FractureBlock,
    Fractures,
    headline_indicators,
)
from dashboards.portrait_data import fractures as gather
from dashboards.queries import DoublePeine, FractureIndex
from tests.dashboards.conftest import basket_size

RENNES, RENNES_METROPOLE, BLERUAIS = "35238", "243500139", "35026"


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


def _text(node: object) -> str:
    """Every string of a Dash component tree, joined by spaces."""
    if isinstance(node, str):
        return node
    if isinstance(node, list | tuple):
        return " ".join(_text(n) for n in node)
    return _text(getattr(node, "children", None) or "")


def _direct(db: Path, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_headlines_are_the_registered_fracture_bases(wh: queries.Warehouse) -> None:
    heads = [i.id for i in headline_indicators(wh)]
    assert heads[:2] == ["score_15min__car", "score_15min__walk"]
    assert heads[2].startswith("median_minutes__france_services__car")
    fracture_ids = {i.id for i in queries.indicators(wh) if i.theme == "fracture"}
    assert all(f"gini__{h}" in fracture_ids for h in heads)


def test_indices_of_a_complete_epci_match_the_table(wh: queries.Warehouse, dash_db: Path) -> None:
    heads = tuple(i.id for i in headline_indicators(wh))
    got = queries.fracture_indices(wh, "epci", RENNES_METROPOLE, heads)
    expected = _direct(
        dash_db,
        "SELECT indicator_id, index_id, value FROM fracture_indices WHERE level = 'epci' "
        "AND code = ? AND list_contains(?, indicator_id) ORDER BY 1, 2",
        [RENNES_METROPOLE, list(heads)],
    )
    assert [(x.indicator_id, x.index_id, x.value) for x in got] == expected
    assert len(got) >= 13 * len(heads)
    assert queries.fracture_indices(wh, "epci", RENNES_METROPOLE, ("x'; --",)) == ()


def test_commune_portrait_shows_its_epci_and_departement(wh: queries.Warehouse) -> None:
    f = gather(wh, queries.territory(wh, "commune", RENNES))
    assert f.computed and f.double_peine_computed
    assert [(b.territory.level, b.territory.code) for b in f.blocks] == [
        ("epci", RENNES_METROPOLE),
        ("departement", "35"),
    ]
    assert all(b.indices and not b.note for b in f.blocks)
    assert f.double_peine is not None and f.double_peine.commune_code == RENNES
    text = str(fractures.section(f, commune=True))
    for words in ("Indice de Gini", "Theil inter-EPCI", "Rapport de Palma", "Double peine"):
        assert words in text
    gini = next(
        x for x in f.blocks[0].indices if x.index_id == "gini" and x.indicator_id.endswith("walk")
    )
    assert number(gini.value, 3) in text


def test_incomplete_territories_are_not_computable(wh: queries.Warehouse) -> None:
    region = gather(wh, queries.territory(wh, "region", "53"))
    assert [(b.territory.code, b.indices, b.note) for b in region.blocks] == [
        ("53", (), PARTIAL_NOTE)
    ]
    assert "non calculable" in str(fractures.section(region, commune=False))


def test_secret_income_is_said(wh: queries.Warehouse) -> None:
    f = gather(wh, queries.territory(wh, "commune", BLERUAIS))
    dp = f.double_peine
    assert dp is not None and dp.poorer is None and dp.double_peine is None
    text = str(fractures.section(f, commune=True))
    assert "Statut inconnu : revenu soumis au secret" in text


def _dp(**kw: object) -> DoublePeine:
    base = dict(
        commune_code="35999",
        median_income_eur=20000.0,
        poverty_rate_pct=None,
        access_indicator_id="score_15min__walk",
        access_value=2.0,
        ref_median_income_eur=22000.0,
        ref_poverty_rate_pct=10.0,
        ref_access_value=3.0,
        poorer=True,
        farther=True,
        double_peine=True,
        note="",
    )
    return DoublePeine(**{**base, **kw})


def test_double_peine_status_sentences() -> None:
    assert fractures.double_peine_status(_dp()).startswith("Double peine :")
    only_poorer = _dp(farther=False, double_peine=False)
    assert fractures.double_peine_status(only_poorer).startswith("Revenus plus faibles")
    only_farther = _dp(poorer=False, double_peine=False)
    assert fractures.double_peine_status(only_farther).startswith("Services plus éloignés")
    neither = _dp(poorer=False, farther=False, double_peine=False)
    assert fractures.double_peine_status(neither).startswith("Ni revenus")
    secret = _dp(
        median_income_eur=None, poorer=None, double_peine=None, note="revenu (secret statistique)"
    )
    assert fractures.double_peine_status(secret) == (
        "Statut inconnu : revenu soumis au secret ; services plus éloignés que la médiane."
    )


def test_null_index_says_non_calculable_and_why(wh: queries.Warehouse) -> None:
    ind = queries.indicator(wh, "score_15min__walk")
    block = FractureBlock(
        queries.territory(wh, "epci", RENNES_METROPOLE),
        (
            FractureIndex(ind.id, "gini", 0.1234, 43, 450000.0, ""),
            FractureIndex(ind.id, "urban_mean", None, 43, 450000.0, "aucune commune urbaine"),
            FractureIndex(ind.id, "fifth_gap", 0.5, 43, 450000.0, ""),
        ),
    )
    text = _text(fractures.index_table(block, (ind,)))
    assert "0,123" in text  # Gini: 3 decimals, no unit
    n = basket_size(Path(wh.path))
    assert f"0,50\u00a0sur {n}" in text  # in the indicator's unit and decimals
    assert "non calculable" in text and "aucune commune urbaine" in text
    assert "indice absent" in text  # an index with no row at all
    empty = Fractures(False, (), (), None, False)
    assert fractures.NOT_COMPUTED in str(fractures.section(empty, commune=False))


def test_portrait_page_has_the_section(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    page, _, _ = router.render(wh, "/portrait", "?territory=epci:243500139")
    text = str(page)
    assert "Fractures territoriales" in text and "Indicateurs de fracture et référence" in text
    assert "Population en double peine" in text
