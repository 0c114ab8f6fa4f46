"""Export builders: French CSV with a BOM, XLSX with a Métadonnées sheet."""

from __future__ import annotations

import csv
import io

import openpyxl

from dashboards.components import exports
from dashboards.queries import Indicator, Territory, Value

IND = Indicator("share", "access", "Part", "%", "définition", "f", "src", "2024", True, 1)
PLACES = [
    Territory("commune", "35236", "Redon", "35", "53", None, 9542.0, True),
    Territory("commune", "35238", "Rennes; ville", "35", "53", None, 230890.0, True),
    Territory("epci", "243500741", "CA Redon", "35", "53", None, 28206.0, False),
]
VALUES = [
    Value("35236", 12.345678, False, 1178.0, 9542.0),
    Value("35238", None, True, 5.0, 10.0),
    Value("243500741", None, False, None, None),
]


def _table() -> exports.ViewTable:
    return exports.view_table("commune", PLACES, VALUES, [1, None, None], IND)


def test_csv_has_bom_semicolons_decimal_comma() -> None:
    data = exports.csv_bytes(_table())
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
    assert rows[0] == list(exports.HEADER)
    assert rows[1][:8] == ["35236", "Redon", "commune", "share", "12,345678", "%", "1", "valeur"]
    assert rows[2][1] == "Rennes; ville"  # quoted, not split


def test_secret_values_are_blank_with_their_status() -> None:
    rows = _table().rows
    assert rows[1][4] is None and rows[1][8] is None and rows[1][9] is None
    assert rows[1][7] == "secret statistique"
    assert rows[2][7] == "manquante ; territoire partiel"


def test_xlsx_has_data_and_metadata_sheets() -> None:
    meta = exports.metadata_rows(
        IND,
        level="commune",
        classification="quantiles",
        k=5,
        permalink="http://x/?a=1",
        build_info=[("territory", "dep:35")],
        exported_at="2026-01-01T00:00:00+00:00",
    )
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(_table(), meta)))
    assert book.sheetnames == ["Données", "Métadonnées"]
    data = book["Données"]
    assert data["A2"].value == "35236"
    assert data["E2"].value == 12.345678
    assert data["E3"].value is None
    found = {r[0].value: r[1].value for r in book["Métadonnées"].iter_rows(min_row=2)}
    assert found["définition"] == "définition"
    assert found["entrepôt : territory"] == "dep:35"
    assert found["lien permanent"] == "http://x/?a=1"
