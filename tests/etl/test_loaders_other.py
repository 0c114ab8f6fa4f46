"""Loaders for typologies, income, populations, the BPE nomenclature, Sirene and ESS France.

Real files are read in place from the mirror (``mirror_dir``); hand-written
fixtures in the official formats live under ``tests/fixtures/<theme>/``.
"""

from __future__ import annotations

import csv
import importlib
from collections import Counter
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.catalogue import ROLES, Source, load_catalogue
from etl.loaders import (
    INCOME_COLUMNS,
    NOMENCLATURE_COLUMNS,
    POPULATION_POINT_COLUMNS,
    TYPOLOGY_COLUMNS,
    LoadError,
)
from etl.loaders.appartenance import APPARTENANCE_COLUMNS, load_appartenance_geo
from etl.loaders.density import DENSITY_LEVELS, load_density_grid
from etl.loaders.filosofi import load_filosofi_communes, load_filosofi_grid_200m
from etl.loaders.nomenclature import gamme_rows, load_bpe_gammes, load_bpe_typequ_labels
from etl.loaders.populations import LEGAL_POPULATION_COLUMNS, load_populations_legales
from etl.loaders.sirene import (
    ESS_LIST_COLUMNS,
    ETABLISSEMENT_COLUMNS,
    UNITE_LEGALE_COLUMNS,
    load_ess_france_list,
    load_sirene_etablissements,
    load_sirene_unites_legales,
)

DENSITE = "anct_grilles_communales/densite.csv"
FILOSOFI = "insee_filosofi_2019_communes/cc_filosofi_2019_COM.CSV"
APPARTENANCE = "insee_table_appartenance_geo_2022/table-appartenance-geo-communes-22.csv"
VARMOD = "insee_bpe_2013_2018_aires_urbaines/varmod_bpe1318_nb_equip_au.csv"


def _source(name: str, separator: str = "", encoding: str = "utf-8", role: str = "typology"):
    return Source(
        name=name,
        title="test",
        publisher="test",
        licence="test",
        url="https://example.invalid/file",
        landing="",
        vintage="test",
        role=role,
        format="csv",
        filename="file",
        loader="etl.loaders.x:y",
        separator=separator,
        encoding=encoding,
    )


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _schema(rel: duckdb.DuckDBPyRelation) -> dict[str, str]:
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ---------------------------------------------------------------- density grid


def test_density_real_file_counts_match_sources_md(con, mirror_dir):
    rel = load_density_grid(con, [mirror_dir / DENSITE], _source("density_grid", ","))
    assert _schema(rel) == TYPOLOGY_COLUMNS
    rows = rel.fetchall()
    assert len(rows) == 34_875
    # Per-label counts documented in SOURCES.md, section 7.
    expected = {1: 699, 2: 637, 3: 1_996, 4: 947, 5: 5_072, 6: 18_288, 7: 7_236}
    assert Counter(r[1] for r in rows) == expected
    by_code = {r[0]: r for r in rows}
    assert by_code["01001"] == ("01001", 6, "Rural à habitat dispersé")
    assert by_code["01004"][1:] == (2, "Centres urbains intermédiaires")
    assert all(len(r[0]) == 5 for r in rows)
    assert {r[2] for r in rows} == set(DENSITY_LEVELS.values())


def test_density_unknown_label_is_an_error(con, tmp_path):
    path = _write(
        tmp_path / "densite.csv",
        "\ufeffinsee_com,lib_com,niveau_densite\n01001,A,Bourgs ruraux\n01002,B,Rural profond\n",
    )
    with pytest.raises(LoadError, match="Rural profond"):
        load_density_grid(con, [path], _source("density_grid", ","))


def test_density_missing_column_is_named(con, tmp_path):
    path = _write(tmp_path / "densite.csv", "insee_com,lib_com,niveau\n01001,A,Bourgs ruraux\n")
    with pytest.raises(LoadError, match="niveau_densite"):
        load_density_grid(con, [path], _source("density_grid", ","))


def test_density_official_insee_workbook(con, tmp_path):
    """INSEE's xlsx: title rows, then CODGEO / LIBGEO / DENS7 (numeric level)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Grille communale de densité à 7 niveaux"])
    sheet.append(["Source : Insee"])
    sheet.append([])
    sheet.append(["CODGEO", "LIBGEO", "DENS7", "LIBDENS7"])
    sheet.append(["01001", "L'Abergement-Clémenciat", 6, "Rural à habitat dispersé"])
    sheet.append(["2A004", "Ajaccio", 2, "Centres urbains intermédiaires"])
    sheet.append(["75056", "Paris", 1, "Grands centres urbains"])
    path = tmp_path / "grille_densite_7_niveaux_2025.xlsx"
    workbook.save(path)
    rows = sorted(load_density_grid(con, [path], _source("density_grid")).fetchall())
    assert rows == [
        ("01001", 6, "Rural à habitat dispersé"),
        ("2A004", 2, "Centres urbains intermédiaires"),
        ("75056", 1, "Grands centres urbains"),
    ]


# ---------------------------------------------------------------- Filosofi communes


def _non_empty(path: Path, column: str) -> int:
    with path.open(encoding="ascii", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle, delimiter=";") if row[column].strip())


def test_filosofi_communes_real_file(con, mirror_dir):
    path = mirror_dir / FILOSOFI
    rel = load_filosofi_communes(con, [path], _source("filosofi_communes", ";", "ascii"))
    assert _schema(rel) == INCOME_COLUMNS
    counts = rel.aggregate(
        "count(*), count(median_income_eur), count(poverty_rate_pct), "
        "count_if(median_income_eur = 0), count_if(poverty_rate_pct = 0)"
    ).fetchone()
    assert counts[0] == 34_930
    assert counts[1] == _non_empty(path, "MED19") == 31_358
    assert counts[2] == _non_empty(path, "TP6019") == 4_368
    assert counts[3:] == (0, 0)  # secret is NULL, never 0
    first = rel.filter("commune_code = '01001'").fetchone()
    assert first == ("01001", 322.0, 819.0, 23970.0, None, None, None)
    ambe = rel.filter("commune_code = '01004'").fetchone()
    assert ambe[3:] == (20510.0, 18.0, 11080.0, 35230.0)
    empty = rel.filter("commune_code = '01006'").fetchone()
    assert empty == ("01006", None, None, None, None, None, None)


def test_filosofi_vintage_read_from_header(con, tmp_path):
    header = "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;D121;D921;RD21\n"
    path = _write(
        tmp_path / "cc.csv",
        header + "01001;330;830;24500;s;;;\n2A004;30000;60000;21000;17,5;11000;36000;3.3\n",
    )
    rows = sorted(load_filosofi_communes(con, [path], _source("f", ";")).fetchall())
    assert rows == [
        ("01001", 330.0, 830.0, 24500.0, None, None, None),
        ("2A004", 30000.0, 60000.0, 21000.0, 17.5, 11000.0, 36000.0),
    ]


def test_filosofi_missing_column_and_bad_value(con, tmp_path):
    missing = _write(
        tmp_path / "a.csv",
        "CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;TP6019;D119\n01001;1;2;3;4;5\n",
    )
    with pytest.raises(LoadError, match="D919"):
        load_filosofi_communes(con, [missing], _source("f", ";"))
    no_vintage = _write(tmp_path / "b.csv", "CODGEO;MEDIANE\n01001;3\n")
    with pytest.raises(LoadError, match="millésime"):
        load_filosofi_communes(con, [no_vintage], _source("f", ";"))
    header = "CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;TP6019;D119;D919\n"
    garbage = _write(tmp_path / "c.csv", header + "01001;1;2;abc;4;5;6\n")
    with pytest.raises(LoadError, match="abc"):
        load_filosofi_communes(con, [garbage], _source("f", ";"))


# ---------------------------------------------------------------- Filosofi 200 m grid


def test_filosofi_grid_fixture(con, fixtures_dir):
    path = fixtures_dir / "population" / "filosofi_200m_sample.csv"
    rel = load_filosofi_grid_200m(
        con, [path], _source("filosofi_grid_200m", ",", role="population")
    )
    assert _schema(rel) == POPULATION_POINT_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    assert len(rows) == 10
    # Rennes city centre: SW corner E=3,455,200 N=2,846,800 (EPSG:3035); centroid
    # E=3,455,300 N=2,846,900, i.e. 1.67706 °W 48.11779 °N (pyproj, checked against
    # the town hall at 1.6778 °W 48.1173 °N, 60 m away).
    rennes = rows["CRS3035RES200mN2846800E3455200"]
    assert rennes[1:5] == ("35238", 312.5, 180.0, pytest.approx(-1.677061, abs=1e-5))
    assert rennes[5] == pytest.approx(48.117790, abs=1e-5)
    assert rennes[6] is False
    # A cell straddling Rennes (35238) and Bruz (35047): the first code is kept.
    assert rows["CRS3035RES200mN2837400E3448600"][1] == "35238"
    imputed = {k for k, r in rows.items() if r[6]}
    assert imputed == {
        "CRS3035RES200mN2846200E3460800",
        "CRS3035RES200mN2573400E3928400",
        "CRS2975RES200mN7690000E0338400",
    }
    assert rows["CRS3035RES200mN2091400E4215800"][1] == "2A004"
    assert rows["CRS3035RES200mN2573400E3928400"][1] == "01001"
    # Secret counts are NULL, not 0.
    assert rows["CRS3035RES200mN2850000E3455000"][2:4] == (None, None)
    # Overseas cells use their own CRS, read from the id.
    fdf = rows["CRS5490RES200mN1615400E707800"]
    assert fdf[4] == pytest.approx(-61.070, abs=0.002) and fdf[5] == pytest.approx(
        14.605, abs=0.002
    )
    reunion = rows["CRS2975RES200mN7690000E0338400"]
    assert reunion[4] == pytest.approx(55.447, abs=0.002)
    assert reunion[5] == pytest.approx(-20.882, abs=0.002)


def test_filosofi_grid_bad_cell_id(con, tmp_path):
    path = _write(
        tmp_path / "carreaux.csv",
        "idcar_200m,i_est_200,lcog_geo,ind,men\nN2846800E3455200,0,35238,1,1\n",
    )
    with pytest.raises(LoadError, match="N2846800E3455200"):
        load_filosofi_grid_200m(con, [path], _source("g", ","))
    missing = _write(tmp_path / "m.csv", "idcar_200m,lcog_geo,ind,men\nx,35238,1,1\n")
    with pytest.raises(LoadError, match="i_est_200"):
        load_filosofi_grid_200m(con, [missing], _source("g", ","))


# ---------------------------------------------------------------- appartenance


def test_appartenance_real_file(con, mirror_dir):
    path = mirror_dir / APPARTENANCE
    rel = load_appartenance_geo(con, [path], _source("appartenance_geo", ";", "cp1252"))
    assert _schema(rel) == APPARTENANCE_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    data_lines = len(path.read_bytes().splitlines()) - 1
    assert len(rows) == data_lines == 34_955
    assert all(len(code) == 5 for code in rows)
    assert {c[:2] for c in rows} >= {"01", "2A", "2B", "97"}
    assert rows["01001"] == ("01001", "200069193", "01", "84", "524", "20", "01000")
    assert rows["2A004"][2:] == ("2A", "94", "098", "11", "2A501")
    assert rows["97101"][2:5] == ("971", "01", "9A1")
    assert sum(1 for r in rows.values() if r[1] is None) == 4  # islands without EPCI
    assert {r[5] for r in rows.values()} == {"11", "12", "13", "20", "30"}
    assert all(len(r[4]) == 3 and len(r[6]) == 5 for r in rows.values())


def test_appartenance_missing_column(con, tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "CODGEO;LIBGEO;DEP;REG;EPCI;UU2020;CATEAAV2020\r\n1001;L'Abergement;1;84;200069193;1000;20\r\n",
        encoding="cp1252",
    )
    with pytest.raises(LoadError, match="AAV2020"):
        load_appartenance_geo(con, [path], _source("appartenance_geo", ";", "cp1252"))


# ---------------------------------------------------------------- BPE nomenclature


def test_typequ_labels_real_file(con, mirror_dir):
    rel = load_bpe_typequ_labels(con, [mirror_dir / VARMOD], _source("bpe_typequ_labels", ";"))
    assert _schema(rel) == NOMENCLATURE_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    assert len(rows) == 106
    assert rows["A206"] == ("A206", "Bureau de poste", None)
    assert rows["A104"][1] == "Gendarmerie"
    assert all(r[2] is None for r in rows.values())


def test_typequ_labels_missing_column(con, tmp_path):
    path = _write(tmp_path / "v.csv", "COD_VAR;LIB_VAR;COD_MOD\nTYPEQU;Type;A206\n")
    with pytest.raises(LoadError, match="LIB_MOD"):
        load_bpe_typequ_labels(con, [path], _source("bpe_typequ_labels", ";"))


EXPECTED_GAMMES = {
    "A206": ("BUREAU DE POSTE", "proximite"),
    "A208": ("AGENCE POSTALE", "proximite"),
    "B201": ("SUPÉRETTE", "proximite"),
    "B202": ("ÉPICERIE", "proximite"),
    "B207": ("BOULANGERIE-PÂTISSERIE", "proximite"),
    "C107": ("ÉCOLE MATERNELLE", "proximite"),
    "C108": ("ÉCOLE ÉLÉMENTAIRE", "proximite"),
    "D265": ("MÉDECIN GÉNÉRALISTE", "proximite"),
    "B102": ("SUPERMARCHÉ", "intermediaire"),
    "C201": ("COLLÈGE", "intermediaire"),
    "D201": ("URGENCES", "superieure"),
    "F303": ("CINÉMA", "superieure"),
}


def test_gammes_csv_fixture(con, fixtures_dir):
    path = fixtures_dir / "bpe" / "BPE_gammes_equipements_2025.csv"
    rel = load_bpe_gammes(con, [path], _source("bpe_gammes", ";", role="nomenclature"))
    assert _schema(rel) == NOMENCLATURE_COLUMNS
    rows = {r[0]: r[1:] for r in rel.fetchall()}
    assert rows == EXPECTED_GAMMES  # A101 "Hors gamme" is left out


def test_gammes_xlsx_same_as_csv(con, fixtures_dir, tmp_path):
    workbook = openpyxl.Workbook()
    source = fixtures_dir / "bpe" / "BPE_gammes_equipements_2025.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            workbook.active.append([cell or None for cell in row])
    path = tmp_path / "BPE_gammes_equipements_2025.xlsx"
    workbook.save(path)
    rows = {r[0]: r[1:] for r in load_bpe_gammes(con, [path], _source("bpe_gammes")).fetchall()}
    assert rows == EXPECTED_GAMMES


def test_gammes_wide_layout_and_conflicts():
    """2024 layout: one row per item, grouped types in regroupement_1..3."""
    rows = [
        ["code équipement", "libellé", "regroupement_1", "regroupement_2", "gamme"],
        ["BR01", "SUPÉRETTE OU ÉPICERIE", "B201", "B202", "Gamme de proximité"],
        ["D201", "URGENCES", "", "", "Gamme supérieure"],
    ]
    df = gamme_rows(rows, "bpe_gammes")
    assert dict(zip(df["service_type"], df["bpe_gamme"], strict=True)) == {
        "B201": "proximite",
        "B202": "proximite",
        "D201": "superieure",
    }
    assert df.set_index("service_type")["label"].isna().to_dict() == {
        "B201": True,
        "B202": True,
        "D201": False,
    }
    with pytest.raises(LoadError, match="B201"):
        gamme_rows([*rows, ["B201", "SUPÉRETTE", "Gamme intermédiaire"]], "bpe_gammes")
    with pytest.raises(LoadError, match="aucune ligne"):
        gamme_rows([["TYPEQU", "gamme"]], "bpe_gammes")


# ---------------------------------------------------------------- Sirene


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
    source = _source("sirene_unites_legales", ",", role="ess")
    rel = load_sirene_unites_legales(con, [path], source)
    assert _schema(rel) == UNITE_LEGALE_COLUMNS
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
    source = _source("sirene_etablissements", ",", role="ess")
    rel = load_sirene_etablissements(con, [path], source)
    assert _schema(rel) == ETABLISSEMENT_COLUMNS
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
    source = _source("sirene_unites_legales", ",", role="ess")
    with pytest.raises(LoadError, match="economieSocialeSolidaireUniteLegale"):
        load_sirene_unites_legales(con, [trimmed], source)
    etab = _write(
        tmp_path / "StockEtablissement_utf8.csv",
        "siren,nic,siret\n005420120,00015,00542012000015\n",
    )
    with pytest.raises(LoadError, match="codeCommuneEtablissement"):
        load_sirene_etablissements(con, [etab], source)
    with pytest.raises(LoadError, match="format"):
        load_sirene_etablissements(con, [tmp_path / "stock.json"], source)


def test_sirene_unexpected_flag_fails_when_read(con, fixtures_dir, tmp_path):
    lines = (fixtures_dir / "sirene" / "StockUniteLegale_utf8.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",00015,O,N,O", ",00015,X,N,O")
    path = _write(tmp_path / "StockUniteLegale_utf8.csv", "\n".join(lines) + "\n")
    rel = load_sirene_unites_legales(con, [path], _source("s", ",", role="ess"))
    with pytest.raises(duckdb.Error, match="economieSocialeSolidaireUniteLegale"):
        rel.fetchall()


# ---------------------------------------------------------------- ESS France list


def test_ess_france_list_fixture(con, fixtures_dir):
    path = fixtures_dir / "ess" / "liste_entreprises_ess.csv"
    rel = load_ess_france_list(con, [path], _source("ess_france_list", ";", role="ess"))
    assert _schema(rel) == ESS_LIST_COLUMNS
    rows = dict(rel.fetchall())
    assert len(rows) == 7
    assert rows["301234567"] == "ASSOCIATION LES AMIS DU LAVOIR, SECTION 35"
    assert rows["005420120"] == "COOPERATIVE AGRICOLE DU PAYS DE RENNES"


def test_ess_france_list_errors(con, tmp_path):
    no_name = _write(tmp_path / "a.csv", "SIREN;Commune\n301234567;Rennes\n")
    with pytest.raises(LoadError, match="raison sociale"):
        load_ess_france_list(con, [no_name], _source("e", ";"))
    bad = _write(tmp_path / "b.csv", "siren;Dénomination\n30123456X;A\n5420120;B\n")
    with pytest.raises(LoadError, match="30123456X"):
        load_ess_france_list(con, [bad], _source("e", ";"))
    dup = _write(tmp_path / "c.csv", "SIREN;Nom\n301234567;A\n301 234 567;A bis\n")
    with pytest.raises(LoadError, match="double"):
        load_ess_france_list(con, [dup], _source("e", ";"))


# ---------------------------------------------------------------- legal populations


def test_populations_recent_layout(con, fixtures_dir):
    path = fixtures_dir / "population" / "donnees_communes.csv"
    rel = load_populations_legales(con, [path], _source("populations_legales", ";"))
    assert _schema(rel) == LEGAL_POPULATION_COLUMNS
    rows = dict(rel.fetchall())
    assert rows["01001"] == 860
    assert rows["2A004"] == 73_000
    assert rows["97411"] == 155_000
    assert rows["75101"] == 15_900
    assert len(rows) == 8


def test_populations_older_layout_builds_codes(con, fixtures_dir):
    path = fixtures_dir / "population" / "donnees_communes_ancien_format.csv"
    rows = dict(load_populations_legales(con, [path], _source("p", ";")).fetchall())
    assert rows == {"01009": 326, "01010": 1105, "2A004": 70_817, "97411": 153_810}


def test_populations_errors(con, tmp_path):
    missing = _write(tmp_path / "a.csv", "COM;PTOT\n01001;876\n")
    with pytest.raises(LoadError, match="PMUN"):
        load_populations_legales(con, [missing], _source("p", ";"))
    bad = _write(tmp_path / "b.csv", "COM;PMUN\n01001;860\n01002;\n")
    with pytest.raises(LoadError, match="PMUN"):
        load_populations_legales(con, [bad], _source("p", ";"))


# ---------------------------------------------------------------- catalogue


MY_SOURCES = {
    "density_grid": load_density_grid,
    "filosofi_communes": load_filosofi_communes,
    "filosofi_grid_200m": load_filosofi_grid_200m,
    "appartenance_geo": load_appartenance_geo,
    "bpe_typequ_labels": load_bpe_typequ_labels,
    "bpe_gammes": load_bpe_gammes,
    "sirene_unites_legales": load_sirene_unites_legales,
    "sirene_etablissements": load_sirene_etablissements,
    "ess_france_list": load_ess_france_list,
    "populations_legales": load_populations_legales,
}


def test_catalogue_entries_point_to_these_loaders():
    catalogue = load_catalogue()
    for name, function in MY_SOURCES.items():
        source = catalogue[name]
        module, _, attribute = source.loader.partition(":")
        assert getattr(importlib.import_module(module), attribute) is function, name
        assert source.role in ROLES


def test_catalogue_drives_the_real_loads(con, mirror_dir):
    """The catalogue's separators and encodings are the ones the mirrored files need."""
    catalogue = load_catalogue()
    checks = {
        "density_grid": (DENSITE, 34_875),
        "filosofi_communes": (FILOSOFI, 34_930),
        "appartenance_geo": (APPARTENANCE, 34_955),
        "bpe_typequ_labels": (VARMOD, 106),
    }
    for name, (relative, expected) in checks.items():
        source = catalogue[name]
        assert Path(relative).name == source.filename
        rel = MY_SOURCES[name](con, [mirror_dir / relative], source)
        assert rel.aggregate("count(*)").fetchone()[0] == expected, name
