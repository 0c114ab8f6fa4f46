"""A facility source with a new service type, added through the service-type table alone.

The source is ``pharmacies_35``: pharmacies (BPE code D307) in the geolocated BPE
format (``etl.loaders.bpe:load_bpe_xy``), read from
``tests/fixtures/facilities/pharmacies_35.csv``. **That file is hand-written test
data**: eight made-up pharmacies placed in real communes of Ille-et-Vilaine (Rennes,
Bruz, Fougères, Vitré, Redon, Saint-Malo, Montfort-sur-Meu), with Lambert-93
coordinates computed from approximate town-centre positions; it is not an INSEE
extract.

The service-type table of these builds is a variant written by the test: the shipped
``etl/service_types.csv`` without its D307 row, then (for the accepted build) one
D307 row naming the new source. It reaches the build through
``build(..., service_types=load_service_types(path))``; the build steps read it back
from the warehouse table ``service_types``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from dashboards import queries
from dashboards.components import controls
from etl.catalogue import Source, load_catalogue
from etl.fetch import Fetched, FetchError, fetch_many
from etl.settings import Settings
from indicators.exports import export_frame
from tests.warehouse.conftest import make_settings
from warehouse.build import BuildError, BuildReport, Fetcher, build
from warehouse.gate import connect
from warehouse.service_types import ServiceTypes, load_service_types

SOURCE = "pharmacies_35"
PHARMACY_ROW = "D307,Pharmacie,santé,pharmacie,false,,pharmacies_35,\n"
SHARE_WALK = "share_within_15min__d307__walk"


def _catalogue(fixture: Path) -> dict[str, Source]:
    """The shipped catalogue plus the pharmacy source (geolocated BPE format)."""
    catalogue = load_catalogue()
    catalogue[SOURCE] = dataclasses.replace(
        catalogue["bpe_xy"],
        name=SOURCE,
        title="Pharmacies d'Ille-et-Vilaine (données de test écrites à la main)",
        vintage="test",
        filename=fixture.name,
        member="",
        sha256="",
        notes="Données de test écrites à la main, au format de la BPE géolocalisée.",
    )
    return catalogue


def _fetcher(fixture: Path) -> Fetcher:
    """``fetch_many`` for the catalogue sources, the fixture file for the pharmacies."""

    def fetch(sources: Sequence[Source], settings: Settings) -> dict[str, Fetched | FetchError]:
        others = [s for s in sources if s.name != SOURCE]
        out: dict[str, Fetched | FetchError] = dict(fetch_many(others, settings))
        for source in sources:
            if source.name == SOURCE:
                sha = hashlib.sha256(fixture.read_bytes()).hexdigest()
                out[SOURCE] = Fetched(source, (fixture,), f"fichier de test: {fixture}", sha)
        return {s.name: out[s.name] for s in sources}

    return fetch


def _table(tmp: Path, *, with_pharmacies: bool) -> ServiceTypes:
    """The shipped table without D307, plus the test's D307 row when asked."""
    shipped = Path(__file__).resolve().parents[2] / "etl" / "service_types.csv"
    lines = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("D307,"))
    if with_pharmacies:
        text += PHARMACY_ROW
    path = tmp / "service_types.csv"
    path.write_text(text, encoding="utf-8")
    return load_service_types(path)


@pytest.fixture(scope="module")
def pharmacy_build(
    tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path, fixtures_dir: Path
) -> BuildReport:
    """dep:35 from the mirror, every step, with the pharmacy source and its table row."""
    from indicators.pipeline import build_steps

    tmp = tmp_path_factory.mktemp("pharmacies")
    fixture = fixtures_dir / "facilities" / "pharmacies_35.csv"
    return build(
        make_settings(tmp, mirror_dir),
        catalogue=_catalogue(fixture),
        fetcher=_fetcher(fixture),
        steps=build_steps(),
        service_types=_table(tmp, with_pharmacies=True),
    )


@pytest.fixture(scope="module")
def con(pharmacy_build: BuildReport) -> duckdb.DuckDBPyConnection:
    return connect(pharmacy_build.db_path, read_only=True)


def test_a_type_missing_from_the_table_fails_the_build(
    tmp_path: Path, mirror_dir: Path, fixtures_dir: Path
) -> None:
    fixture = fixtures_dir / "facilities" / "pharmacies_35.csv"
    settings = make_settings(tmp_path, mirror_dir)
    with pytest.raises(
        BuildError,
        match=r"type de service inconnu .*ajoutez-le à etl/service_types\.csv\n"
        r"- source 'pharmacies_35' : D307$",
    ):
        build(
            settings,
            catalogue=_catalogue(fixture),
            fetcher=_fetcher(fixture),
            service_types=_table(tmp_path, with_pharmacies=False),
        )
    assert not settings.db_path.exists()


def test_the_new_type_is_in_service_types(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "SELECT label, family, basket_item, capacity_limited, n_facilities, sources "
        "FROM service_types WHERE code = 'D307'"
    ).fetchone()
    assert row == ("Pharmacie", "santé", "pharmacie", False, 8, SOURCE)


def test_the_basket_counts_the_pharmacy(con: duckdb.DuckDBPyConnection) -> None:
    scores = con.execute(
        "SELECT label, definition FROM indicators "
        "WHERE theme = 'access' AND label LIKE 'Score du quart d''heure%panier du quotidien%'"
    ).fetchall()
    assert len(scores) == 3  # walk, bike, car
    items = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT basket_item FROM service_types WHERE basket_item IS NOT NULL"
        ).fetchall()
    }
    assert "pharmacie" in items  # through the test's D307 row alone
    for label, definition in scores:
        assert label.endswith(f"(panier du quotidien, sur {len(items)})")
        assert "Pharmacie (D307)" in definition


def test_the_indicators_of_the_new_type_have_values(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT id FROM indicators WHERE service_type = 'D307'").fetchall()
    ids = {r[0] for r in rows}
    assert {SHARE_WALK, "median_minutes__d307__car"} <= ids
    value, known = con.execute(
        "SELECT value, count(*) OVER () FROM indicator_values "
        "WHERE indicator_id = ? AND level = 'departement' AND code = '35'",
        [SHARE_WALK],
    ).fetchone()
    # Eight pharmacies in town centres: some, not all, of the inhabitants walk to one.
    assert known == 1
    assert 0.0 < value < 100.0
    n_communes = con.execute(
        "SELECT count(value) FROM indicator_values WHERE indicator_id = ? AND level = 'commune'",
        [SHARE_WALK],
    ).fetchone()[0]
    assert n_communes > 300


def test_fracture_indices_cover_the_new_type(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT index_id, value FROM fracture_indices "
        "WHERE indicator_id = ? AND level = 'departement' AND code = '35'",
        [SHARE_WALK],
    ).fetchall()
    assert rows
    assert any(value is not None for _, value in rows)


def test_exports_and_picker_show_the_new_type(
    con: duckdb.DuckDBPyConnection, pharmacy_build: BuildReport
) -> None:
    frame, _meta = export_frame(con, "commune", ("departement", "35"))
    assert SHARE_WALK in frame.columns
    assert frame[SHARE_WALK].notna().sum() > 300
    wh = queries.open_warehouse(pharmacy_build.db_path)
    options = [o["value"] for o in controls.indicator_options(queries.indicators(wh))]
    assert SHARE_WALK in options
