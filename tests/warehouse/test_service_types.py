"""The service-type table ``etl/service_types.csv``: what it declares, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.catalogue import load_catalogue
from geo.catchment import CATCHMENT_SERVICE_TYPES
from indicators.access_15min import EVERYDAY_BASKET
from warehouse.service_types import ServiceTypeError, load_service_types, parse_service_types

ROOT = Path(__file__).resolve().parents[2]
HEADER = "code,label,family,basket_item,capacity_limited,bpe_gamme,sources,aliases\n"
BASKET = "key,label,keywords\npharmacie,Pharmacie,pharmacie\n"


def test_shipped_table_keeps_the_codes_labels_and_flags_of_before() -> None:
    table = load_service_types()
    own = {t.code: t.label for t in table.types if t.nomenclature == "propre"}
    assert own == {
        "FRANCE_SERVICES": "France Services",
        "THIRD_PLACE": "Tiers-lieu",
        "TRAIN_STATION": "Gare voyageurs",
    }
    labels = {t.code: t.label for t in table.types}
    assert labels["A207"] == "Relais poste"
    assert labels["C301"] == "Lycée d'enseignement général et/ou technologique"
    assert CATCHMENT_SERVICE_TYPES == (
        "FRANCE_SERVICES",
        "THIRD_PLACE",
        "C101",
        "C104",
        "C201",
        "C301",
        "C302",
    )
    assert [(i.key, i.label, i.codes, i.keywords) for i in EVERYDAY_BASKET] == [
        ("poste", "Point de contact postal", ("A206", "A207", "A208"), ("poste", "postal")),
        ("maternelle", "École maternelle", ("C101", "C107"), ("maternelle",)),
        ("elementaire", "École élémentaire", ("C104", "C108"), ("elementaire",)),
        ("boulangerie", "Boulangerie", ("B203", "B207"), ("boulangerie",)),
        ("alimentation", "Supérette ou épicerie", ("B201", "B202"), ("superette", "epicerie")),
        ("generaliste", "Médecin généraliste", ("D265",), ("generaliste",)),
        ("pharmacie", "Pharmacie", ("D307",), ("pharmacie",)),
        ("bibliotheque", "Bibliothèque", ("F307",), ("bibliotheque",)),
        (
            "sport",
            "Équipement sportif (gymnase ou terrain de grands jeux)",
            ("F113", "F121"),
            ("gymnase", "grands jeux", "multisports"),
        ),
    ]
    assert table.by_code()["D307"].nomenclature == "BPE"
    # codes of other vintages: D301 (2013-2019) everywhere; D201 (GP up to 2020,
    # "urgences" from 2021) and the RPI schools only in the BPE 2019 counts
    assert set(table.alias_rows()) == {
        (None, "D301", "D307"),
        ("bpe19_ensemble", "D201", "D265"),
        ("bpe19_ensemble", "C102", "C101"),
        ("bpe19_ensemble", "C105", "C104"),
    }


def test_sources_of_the_table_are_the_catalogue_facility_sources() -> None:
    catalogue = load_catalogue().values()
    facility_sources = {s.name for s in catalogue if s.role == "facilities"}
    count_sources = {s.name for s in catalogue if s.role == "facility_counts"}
    declared = {name for t in load_service_types().types for name in t.sources}
    assert facility_sources <= declared <= facility_sources | count_sources
    assert "bpe19_ensemble" in declared


def test_aliases_of_a_source_or_of_every_source() -> None:
    rows = (
        "D307,Pharmacie,santé,pharmacie,false,,bpe_xy,D301\n"
        # a code of the table may be the alias of another type for one source only
        "D265,Médecin,santé,,false,,bpe_xy,bpe19_ensemble:D201|bpe18:D307\n"
    )
    table = parse_service_types(HEADER + rows, BASKET, "variante.csv")
    assert table.alias_rows() == (
        (None, "D301", "D307"),
        ("bpe19_ensemble", "D201", "D265"),
        ("bpe18", "D307", "D265"),
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("D307,Pharmacie,santé,,false,,,d301", r"alias mal formé\(s\) \['d301'\]"),
        ("D307,Pharmacie,santé,,false,,,BPE19:D301", r"alias mal formé"),
        (
            "D307,Pharmacie,santé,,false,,,D301\nD308,Officine,santé,,false,,,D301",
            r"alias déclarés pour deux types \['D301'\]",
        ),
    ],
)
def test_wrong_aliases_are_refused(rows: str, message: str) -> None:
    with pytest.raises(ServiceTypeError, match=message):
        parse_service_types(HEADER + rows + "\n", BASKET, "variante.csv")


def test_a_variant_table_is_read_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "types.csv"
    path.write_text(
        "# a comment line\n" + HEADER + "D307,Pharmacie,santé,pharmacie,false,,pharmacies_35,\n",
        encoding="utf-8",
    )
    table = load_service_types(path)
    assert [t.code for t in table.types] == ["D307"]
    assert table.path == str(path)
    assert table.basket_codes("pharmacie") == ("D307",)
    assert table.capacity_limited() == ()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("d307,Pharmacie,santé,,false,,,", r"code mal formé 'd307'"),
        ("D307,,santé,,false,,,", r"type 'D307' sans libellé ou sans famille"),
        ("D307,Pharmacie,santé,,oui,,,", r"capacity_limited doit valoir true ou false"),
        ("D307,Pharmacie,santé,,false,proche,,", r"gamme inconnue 'proche'"),
        ("D307,Pharmacie,santé,officine,false,,,", r"élément du panier inconnu 'officine'"),
        ("D307,Officine,santé,pharmacie,false,,,", r"ne contient aucun mot-clé"),
        ("D307,Pharmacie,santé,,false,,,D307", r"alias déjà déclarés comme codes \['D307'\]"),
        ("D307,Pharmacie,santé,,false,,", r"ligne 2: nombre de champs incorrect"),
    ],
)
def test_malformed_rows_are_refused(row: str, message: str) -> None:
    with pytest.raises(ServiceTypeError, match=message):
        parse_service_types(HEADER + row + "\n", BASKET, "variante.csv")


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(ServiceTypeError, match=r"variante\.csv: colonnes \['code', 'label'\]"):
        parse_service_types("code,label\nD307,Pharmacie\n", BASKET, "variante.csv")


def test_duplicated_codes_are_refused() -> None:
    rows = "D307,Pharmacie,santé,,false,,,\nD307,Pharmacie,santé,,false,,,\n"
    with pytest.raises(ServiceTypeError, match=r"codes en double \['D307'\]"):
        parse_service_types(HEADER + rows, BASKET, "variante.csv")
