"""Sirene stocks and the ESS France list (``etl.loaders.sirene``), on hand-written
fixtures in the official formats (CSV and Parquet)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from etl.loaders.sirene import (
    ESS_LIST_COLUMNS,
    ETABLISSEMENT_COLUMNS,
    UNITE_LEGALE_COLUMNS,
    load_ess_france_list,
    load_sirene_etablissements,
    load_sirene_unites_legales,
)
from tests.etl.loader_helpers import (
    fake_source,
    missing_declared,
    missing_required,
    refused,
    schema_of,
    write_file,
)


def _to_parquet(con, csv_path: Path, tmp_path: Path, numeric: tuple[str, ...]) -> Path:
    """Parquet written by DuckDB, with the ``numeric`` code columns typed BIGINT (their
    leading zeros lost, as a careless writer would) and the flags typed by inference."""
    out = tmp_path / csv_path.with_suffix(".parquet").name
    replace = ", ".join(f"CAST({c} AS BIGINT) AS {c}" for c in numeric)
    con.execute(
        f"COPY (SELECT * REPLACE ({replace}) FROM read_csv('{csv_path}')) "
        f"TO '{out}' (FORMAT parquet)"
    )
    return out


def test_sirene_unites_legales_csv_and_parquet(con, fixtures_dir, tmp_path):
    path = fixtures_dir / "sirene" / "StockUniteLegale_utf8.csv"
    source = fake_source("sirene_unites_legales", ",", role="ess")
    rel = load_sirene_unites_legales(con, [path], source)
    assert schema_of(rel) == UNITE_LEGALE_COLUMNS
    rows = sorted(rel.fetchall())
    assert len(rows) == 12
    coop = rows[0]
    assert coop == (
        "005420120",
        "5560",
        True,
        "A",
        "01.61Z",
        "COOPERATIVE AGRICOLE DU PAYS DE RENNES",
        "21",
    )
    assert Counter(r[2] for r in rows) == {True: 8, False: 3, None: 1}
    by_siren = {r[0]: r for r in rows}
    assert by_siren["301234567"][5] == "ASSOCIATION LES AMIS DU LAVOIR, SECTION 35"
    assert by_siren["306789123"][6] == "00"
    assert by_siren["307891234"][5] is None
    parquet = _to_parquet(con, path, tmp_path, ("siren", "categorieJuridiqueUniteLegale"))
    assert con.sql(f"SELECT min(siren) FROM '{parquet}'").fetchone()[0] == 5_420_120
    from_parquet = sorted(load_sirene_unites_legales(con, [parquet], source).fetchall())
    assert from_parquet == rows


def test_sirene_etablissements_csv_and_parquet(con, fixtures_dir, tmp_path):
    path = fixtures_dir / "sirene" / "StockEtablissement_utf8.csv"
    source = fake_source("sirene_etablissements", ",", role="ess")
    rel = load_sirene_etablissements(con, [path], source)
    assert schema_of(rel) == ETABLISSEMENT_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    assert len(rows) == 12
    assert rows["00542012000015"] == (
        "00542012000015",
        "005420120",
        "35238",
        "01.61Z",
        "21",
        "A",
        True,
        True,
    )
    assert rows["00542012000023"][6] is False
    assert rows["30345678900025"][2] == "2A004"
    assert rows["30456789100011"][2] == "01001"
    assert rows["30891234500016"][2] is None  # abroad (Switzerland)
    assert rows["30789123400010"][7] is None  # employer status not stated
    assert rows["30234567800018"][5] == "F"
    parquet = _to_parquet(con, path, tmp_path, ("siren", "nic", "siret"))
    assert con.sql(f"SELECT typeof(etablissementSiege) FROM '{parquet}'").fetchone()[0] == "BOOLEAN"
    from_parquet = load_sirene_etablissements(con, [parquet], source)
    assert {r[0]: r for r in from_parquet.fetchall()} == rows


def test_sirene_missing_column_is_named(con, fixtures_dir, tmp_path):
    path = fixtures_dir / "sirene" / "StockUniteLegale_utf8.csv"
    trimmed = tmp_path / "StockUniteLegale_utf8.parquet"
    con.execute(
        f"COPY (SELECT * EXCLUDE (economieSocialeSolidaireUniteLegale) FROM read_csv('{path}')) "
        f"TO '{trimmed}' (FORMAT parquet)"
    )
    column = "economieSocialeSolidaireUniteLegale"
    match = missing_declared("sirene_unites_legales", "StockUniteLegale_utf8.parquet", column)
    source = fake_source("sirene_unites_legales", ",", role="ess")
    refused(load_sirene_unites_legales, con, trimmed, source, match)
    etab = write_file(
        tmp_path / "StockEtablissement_utf8.csv",
        "siren,nic,siret\n005420120,00015,00542012000015\n",
    )
    etablissements = fake_source("sirene_etablissements", ",", role="ess")
    column = "codeCommuneEtablissement"
    match = missing_declared(
        "sirene_etablissements", "StockEtablissement_utf8.csv", column, more=True
    )
    refused(load_sirene_etablissements, con, etab, etablissements, match)
    json_match = r"^source 'sirene_etablissements': format non pris en charge 'stock\.json'$"
    refused(load_sirene_etablissements, con, tmp_path / "stock.json", etablissements, json_match)


def test_sirene_unexpected_flag_fails_when_read(con, fixtures_dir, tmp_path):
    lines = (fixtures_dir / "sirene" / "StockUniteLegale_utf8.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",00015,O,N,O", ",00015,X,N,O")
    path = write_file(tmp_path / "StockUniteLegale_utf8.csv", "\n".join(lines) + "\n")
    rel = load_sirene_unites_legales(con, [path], fake_source("s", ",", role="ess"))
    with pytest.raises(
        duckdb.Error,
        match=r"source 's': valeur inattendue dans economieSocialeSolidaireUniteLegale : x$",
    ):
        rel.fetchall()


def test_ess_france_list_fixture(con, fixtures_dir):
    path = fixtures_dir / "ess" / "liste_entreprises_ess.csv"
    rel = load_ess_france_list(con, [path], fake_source("ess_france_list", ";", role="ess"))
    assert schema_of(rel) == ESS_LIST_COLUMNS
    rows = dict(rel.fetchall())
    assert len(rows) == 7
    assert rows["301234567"] == "ASSOCIATION LES AMIS DU LAVOIR, SECTION 35"
    assert rows["005420120"] == "COOPERATIVE AGRICOLE DU PAYS DE RENNES"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param(
            "SIREN;Commune\n301234567;Rennes\n",
            missing_required("e", "raison sociale / dénomination / nom"),
            id="no_name",
        ),
        pytest.param(
            "siren;Dénomination\n30123456X;A\n5420120;B\n",
            r"^source 'e': SIREN invalide\(s\) \['30123456X'\]$",
            id="bad_siren",
        ),
        pytest.param(
            "SIREN;Nom\n301234567;A\n301 234 567;A bis\n",
            r"^source 'e': SIREN en double \['301234567'\]$",
            id="duplicate_siren",
        ),
    ],
)
def test_ess_france_list_errors(con, tmp_path, text, match):
    path = write_file(tmp_path / "liste.csv", text)
    refused(load_ess_france_list, con, path, fake_source("e", ";"), match)
