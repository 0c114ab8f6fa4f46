"""BPE nomenclature (``etl.loaders.nomenclature``): TYPEQU labels and gammes."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from etl.loaders import NOMENCLATURE_COLUMNS, LoadError
from etl.loaders.nomenclature import gamme_rows, load_bpe_gammes, load_bpe_typequ_labels
from tests.etl.loader_helpers import VARMOD, fake_source, missing_declared, refused, schema_of


def test_typequ_labels_real_file(con, mirror_dir):
    rel = load_bpe_typequ_labels(con, [mirror_dir / VARMOD], fake_source("bpe_typequ_labels", ";"))
    assert schema_of(rel) == NOMENCLATURE_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    assert len(rows) == 106
    assert rows["A206"] == ("A206", "Bureau de poste", None)
    assert rows["A104"][1] == "Gendarmerie"
    assert all(r[2] is None for r in rows.values())


def test_typequ_labels_missing_column(con, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("COD_VAR;LIB_VAR;COD_MOD\nTYPEQU;Type;A206\n", encoding="utf-8")
    match = missing_declared("bpe_typequ_labels", "v.csv", "LIB_MOD")
    refused(load_bpe_typequ_labels, con, path, fake_source("bpe_typequ_labels", ";"), match)


# Expected (label, gamme) of each TYPEQU in the gammes fixture, grouped by gamme.
_LABELS_BY_GAMME = {
    "proximite": {
        "A206": "BUREAU DE POSTE",
        "A208": "AGENCE POSTALE",
        "B201": "SUPÉRETTE",
        "B202": "ÉPICERIE",
        "B207": "BOULANGERIE-PÂTISSERIE",
        "C107": "ÉCOLE MATERNELLE",
        "C108": "ÉCOLE ÉLÉMENTAIRE",
        "D265": "MÉDECIN GÉNÉRALISTE",
    },
    "intermediaire": {"B102": "SUPERMARCHÉ", "C201": "COLLÈGE"},
    "superieure": {"D201": "URGENCES", "F303": "CINÉMA"},
}
EXPECTED_GAMMES = {
    code: (label, gamme)
    for gamme, labels in _LABELS_BY_GAMME.items()
    for code, label in labels.items()
}


def test_gammes_csv_fixture(con, fixtures_dir):
    path = fixtures_dir / "bpe" / "BPE_gammes_equipements_2025.csv"
    rel = load_bpe_gammes(con, [path], fake_source("bpe_gammes", ";", role="nomenclature"))
    assert schema_of(rel) == NOMENCLATURE_COLUMNS
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
    rows = {r[0]: r[1:] for r in load_bpe_gammes(con, [path], fake_source("bpe_gammes")).fetchall()}
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
    with pytest.raises(
        LoadError,
        match=r"^source 'bpe_gammes': B201 à la fois en gamme proximite et intermediaire$",
    ):
        gamme_rows([*rows, ["B201", "SUPÉRETTE", "Gamme intermédiaire"]], "bpe_gammes")
    with pytest.raises(
        LoadError,
        match=r"^source 'bpe_gammes': aucune ligne \(TYPEQU, gamme\) reconnue$",
    ):
        gamme_rows([["TYPEQU", "gamme"]], "bpe_gammes")
