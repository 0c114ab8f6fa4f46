"""Readable figures (issue 12, point 3): one colour direction, ties shown as ties, and
the portrait's ranks read in one pass that gives what the map's ranks give."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import queries
from dashboards.figures import choropleth
from dashboards.figures.classes import ranks
from dashboards.figures.histogram import histogram
from dashboards.formatting import rank_text
from dashboards.portrait_data import _row
from dashboards.portrait_data import portrait as gather_portrait
from dashboards.queries import Indicator, Territory, Value
from dashboards.queries.connection import _rows
from indicators.step_context import NOTE_INCOMPLETE

SHARE = Indicator(
    "share", "access", "Part à 15 min", "%", "", "", "", "", True, 1, kind="share_within"
)
MINUTES = Indicator("minutes", "access", "Temps médian", "min", "", "", "", "", False, 1)
UNDIRECTED = Indicator("pop", "base", "Population", "hab.", "", "", "", "", None, 0)


def _places(n: int) -> list[Territory]:
    return [
        Territory("commune", f"3500{i}", f"C{i}", "35", "53", None, 100.0, True) for i in range(n)
    ]


def _values(xs: list[float | None]) -> list[Value]:
    return [Value(f"3500{i}", x, False, None if x is None else x, 100.0) for i, x in enumerate(xs)]


def _model(ind: Indicator, xs: list[float | None]) -> choropleth.MapModel:
    return choropleth.build(
        "commune", _places(len(xs)), _values(xs), ind, method="equal", k=3, palette="viridis"
    )


def test_the_light_end_is_the_favourable_end_whatever_the_direction() -> None:
    xs = [1.0, 5.0, 9.0]
    share, minutes = _model(SHARE, xs), _model(MINUTES, xs)
    light = choropleth.class_colours("viridis", 3)[-1]  # yellow
    best_share = share.hideout["cls"][2]  # 9 % is the best share
    best_time = minutes.hideout["cls"][0]  # 1 minute is the best time
    assert share.hideout["colors"][best_share] == light
    assert minutes.hideout["colors"][best_time] == light
    words = [e.detail for e in minutes.legend[:3]]
    assert words == ["plus favorable", "", "moins favorable"]  # low minutes first
    assert [e.detail for e in share.legend[:3]] == ["moins favorable", "", "plus favorable"]
    assert "valeur plus basse" in choropleth.direction_text(MINUTES)
    assert "valeur plus élevée" in choropleth.direction_text(SHARE)
    assert "pas de sens favorable" in choropleth.direction_text(UNDIRECTED)
    assert [e.detail for e in _model(UNDIRECTED, xs).legend[:3]] == ["", "", ""]


def test_ties_are_said_as_ties() -> None:
    assert ranks([5.0, 9.0, 9.0, None, 1.0], True) == [3, 1, 1, None, 4]
    assert rank_text(1, 196, 332) == "1er ex aequo (196 territoires) sur 332"
    assert rank_text(12, 2, 1500) == "12e ex aequo (2 territoires) sur 1\u202f500"
    assert rank_text(7, 1, 332) == "Rang 7 sur 332"
    # ranks of communes are read with their thousands apart, as the totals
    assert rank_text(21764, 2, 34865) == "21\u202f764e ex aequo (2 territoires) sur 34\u202f865"
    assert rank_text(31501, 1, 34865) == "Rang 31\u202f501 sur 34\u202f865"
    assert rank_text(None, 0, 332) == "—"


def test_inhabitants_beyond_the_threshold_come_from_numerator_and_denominator() -> None:
    values = [
        Value("35000", 80.0, False, 800.0, 1000.0),
        Value("35001", None, True, None, None),
        Value("35002", None, False, None, None),
    ]
    assert choropleth.beyond_values(SHARE, values) == [200, None, None]
    assert choropleth.beyond_values(MINUTES, values) is None


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


@pytest.mark.parametrize("territory", ["commune:35236", "epci:243500741", "departement:35"])
def test_portrait_standings_equal_the_ranks_of_the_whole_level(
    wh: queries.Warehouse, territory: str
) -> None:
    """The one-pass standings (SQL) against ranking every territory of the level
    (the map's ranks), for every indicator of the dep:35 build."""
    p = gather_portrait(wh, territory)
    assert p is not None and queries.has_standings(wh)
    assert "indicator_standings" in queries.tables(wh)  # the build's table is read
    ties = 0
    for row in p.rows:
        slow = _row(wh, row.indicator, p.territory, p.reference)
        assert row == slow, row.indicator.id
        ties += row.n_tied > 1
    if p.territory.level == "commune":
        assert ties > 0  # communes share values (100 % shares): the test sees ties


@pytest.mark.parametrize(
    ("level", "code"), [("commune", "35236"), ("epci", "243500741"), ("region", "53")]
)
def test_the_standings_table_equals_the_scan_of_the_level(
    wh: queries.Warehouse, level: str, code: str
) -> None:
    """``indicator_standings`` (built last) against the query scanning
    ``indicator_values`` that older warehouses use: same rows, same ranks."""
    params = {"level": level, "code": code}
    table = sorted(_rows(wh, "portrait_standings", params), key=lambda r: r[0])
    scan = sorted(_rows(wh, "portrait_values", params), key=lambda r: r[0])
    assert len(table) == len(scan) > 100
    assert table == scan


def test_a_partial_territory_never_shows_its_built_part_figures(wh: queries.Warehouse) -> None:
    """Bretagne in a dep:35 build: its population would be Ille-et-Vilaine's."""
    partial = [t for t in queries.territories(wh, "region") if not t.complete]
    assert partial
    computed = [i for i in queries.indicators(wh) if i.computed_here]
    assert {i.kind for i in computed} >= {"population", "density", "facilities_per_10k"}
    for ind in computed:
        by_code = {v.code: v for v in queries.indicator_values(wh, ind.id, "region")}
        for t in partial:
            assert by_code[t.code].value is None, ind.id
            assert by_code[t.code].note == NOTE_INCOMPLETE
    p = gather_portrait(wh, f"region:{partial[0].code}")
    assert p is not None
    population = next(r for r in p.rows if r.indicator.kind == "population")
    assert population.value is None and population.note == NOTE_INCOMPLETE


def test_the_histogram_counts_every_value_in_its_class_colour() -> None:
    xs: list[float | None] = [0.0, 1.0, 1.5, 2.0, 9.0, 10.0, None]
    model = _model(SHARE, xs)
    h = histogram([x for x in xs], model.classes, model.hideout["colors"], bins=5)
    assert h is not None and h.n == 6 and (h.low, h.high) == (0.0, 10.0)
    assert [b.count for b in h.bars] == [3, 1, 0, 0, 2]  # [0, 2), [2, 4) ... [8, 10]
    first, last = h.bars[0], h.bars[-1]
    assert first.colour == model.hideout["colors"][model.hideout["cls"][0]]
    assert last.colour == model.hideout["colors"][model.hideout["cls"][5]]
    assert h.bars[2].colour == ""  # empty bin: nothing drawn
    assert all(0 < b < 1 for b in h.breaks)
    assert histogram([None], model.classes, model.hideout["colors"]) is None
