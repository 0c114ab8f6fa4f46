"""France as the portrait's reference: offered only when the warehouse holds all of
it, and then read like any other territory (stored and computed figures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards import queries
from dashboards.portrait_data import FRANCE_REFERENCE, portrait, reference_options
from indicators.standings_step import refresh_standings
from indicators.step_context import NOTE_INCOMPLETE


def test_a_partial_build_holds_france_blank_and_says_why(dash_db: Path) -> None:
    wh = queries.open_warehouse(dash_db)
    con = duckdb.connect(str(dash_db), read_only=True)
    try:
        (n_communes, complete, population) = con.execute(
            "SELECT n_communes, complete, population FROM territories WHERE level = 'france'"
        ).fetchone()
        values = con.execute(
            "SELECT count(*), count(value), count(*) FILTER (WHERE note = ?) "
            "FROM indicator_values WHERE level = 'france' AND code = 'FR'",
            [NOTE_INCOMPLETE],
        ).fetchone()
    finally:
        con.close()
    communes = queries.territories(wh, "commune")
    assert n_communes == len(communes) and not complete
    assert population == sum(t.population or 0 for t in communes)
    assert values[0] > 0 and values[1] == 0 and values[2] == values[0]
    assert queries.france(wh) is None
    assert "france" not in queries.levels(wh)  # never a map level


@pytest.fixture(scope="module")
def whole_db(dash_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dep:35 warehouse as if Ille-et-Vilaine were all of France: France
    complete, its stored figures those of its only département (its built part)."""
    path = tmp_path_factory.mktemp("whole") / "whole.duckdb"
    shutil.copy(dash_db, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE territories SET complete = true WHERE level = 'france'")
        con.execute(
            "UPDATE territories SET complete = true, n_communes = "
            "(SELECT count(*) FROM territories WHERE level = 'commune') "
            "WHERE level = 'departement' AND code = '35'"
        )
        con.execute(
            """UPDATE indicator_values f
               SET value = d.value, secret = d.secret, numerator = d.numerator,
                   denominator = d.denominator, note = d.note
               FROM indicator_values d
               WHERE f.level = 'france' AND d.level = 'departement' AND d.code = '35'
                 AND d.indicator_id = f.indicator_id"""
        )
        refresh_standings(con)
    finally:
        con.close()
    return path


def test_france_is_a_reference_when_the_build_holds_it(whole_db: Path) -> None:
    wh = queries.open_warehouse(whole_db)
    france = queries.france(wh)
    assert france is not None and france.name == "France"
    redon = queries.territory(wh, "commune", "35236")
    assert redon is not None
    options = {o.value: o for o in reference_options(wh, redon)}
    assert not options[FRANCE_REFERENCE].disabled
    assert options[FRANCE_REFERENCE].label == "France"

    p = portrait(wh, "commune:35236", FRANCE_REFERENCE)
    assert p is not None and p.reference is not None
    assert p.reference.level == "france" and p.reference_note == ""
    dep = portrait(wh, "commune:35236", "departement:35")
    assert dep is not None
    by_id = {r.indicator.id: r for r in dep.rows}
    compared = 0
    for row in p.rows:
        twin = by_id[row.indicator.id]
        # France's figures are its built part's, here the département's: stored and
        # computed here (population, density, facilities per 10,000) alike
        if twin.reference is None:
            assert row.reference is None
            continue
        assert row.reference == pytest.approx(twin.reference), row.indicator.id
        compared += 1
    assert compared > 50
    population = next(r for r in p.rows if r.indicator.id == "population")
    assert population.reference == france.population
    # a région's portrait has no parent: France is its default reference
    region = portrait(wh, "region:53")
    assert region is not None and region.reference is not None
    assert region.reference.level == "france"


@pytest.mark.parametrize(
    ("level", "code"),
    [
        ("commune", "35238"),
        ("commune", "35236"),
        ("epci", "243500139"),
        ("departement", "35"),
        ("region", "53"),
        ("france", "FR"),
    ],
)
def test_stored_computed_standings_are_the_live_ones(dash_db: Path, level: str, code: str) -> None:
    """The build's computed_standings (population, density, facilities per 10,000
    inhabitants and their ranks) give the portrait the figures the live query gives."""
    from warehouse.gate import connect, sql_text

    con = connect(dash_db, read_only=True)
    try:
        params = {"level": level, "code": code}
        live = sorted(con.execute(sql_text("dashboards/portrait_computed"), params).fetchall())
        stored = con.execute(sql_text("dashboards/portrait_computed_stored"), params).fetchall()
    finally:
        con.close()
    assert len(live) > 3 and any(row[0] == "facilities_per_10k" for row in live)
    _same(sorted(stored), live)


def _same(a: list[tuple], b: list[tuple]) -> None:
    assert len(a) == len(b)
    for ra, rb in zip(a, b, strict=True):
        for x, y in zip(ra, rb, strict=True):
            assert x == y or (isinstance(x, float) and y == pytest.approx(x, rel=1e-9)), (ra, rb)
