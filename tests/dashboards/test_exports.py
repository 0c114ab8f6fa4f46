"""Dashboard exports: the current view through the code of ``territoires export``.

The files are decoded from the ``dcc.send_bytes`` payload and parsed like a user's
spreadsheet or GIS would (csv, openpyxl, geopandas).
"""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

import geopandas
import openpyxl
import pytest
from dash import html, no_update

from dashboards import downloads, ids, queries
from dashboards.components.exports import export_buttons
from dashboards.permalink import ViewState


@pytest.fixture(scope="module")
def wh(dash_db: Path) -> queries.Warehouse:
    return queries.open_warehouse(dash_db)


def _payload(result: dict) -> bytes:
    assert result["base64"] is True
    return base64.b64decode(result["content"])


def _csv(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


def _first_registry_indicator(wh: queries.Warehouse) -> queries.Indicator:
    return next(i for i in queries.indicators(wh) if not i.computed_here and i.unit == "min")


def test_csv_of_a_registry_indicator_uses_the_shared_columns(wh: queries.Warehouse) -> None:
    ind = _first_registry_indicator(wh)
    state = ViewState(indicator=ind.id, level="commune")
    result, status = downloads.download(wh, state, "csv", "http://h")
    labels, *rows = _csv(_payload(result))
    assert result["filename"] == f"territoires_{ind.id}_commune.csv"
    assert labels == [
        "Code",
        "Nom",
        "Niveau",
        "Population (hab.)",
        f"{ind.label} (min)",
        "Territoire complet dans l'entrepôt",
    ]
    assert rows[0] == ["code", "nom", "niveau", "population", ind.id, "territoire_complet"]
    assert len(rows) == len(queries.territories(wh, "commune")) + 1
    values = {r[0]: r[4] for r in rows[1:]}
    by_code = {v.code: v.value for v in queries.indicator_values(wh, ind.id, "commune")}
    code, value = next((c, v) for c, v in by_code.items() if v is not None and v % 1)
    assert values[code] == f"{value:.{ind.decimals}f}".replace(".", ",")  # decimal comma
    assert status.startswith(result["filename"]) and "tout l'entrepôt" in status


def test_base_figure_without_indicator_tables(base_db: Path) -> None:
    base = queries.open_warehouse(base_db)
    result, _ = downloads.download(base, ViewState(indicator="density", level="epci"), "csv")
    rows = _csv(_payload(result))[1:]  # the ids' header row, under the French labels
    assert rows[0] == ["code", "nom", "niveau", "population", "density", "territoire_complet"]
    partial = {t.code for t in queries.territories(base, "epci") if not t.complete}
    assert partial  # dep:35 has EPCI straddling its border
    for row in rows[1:]:
        if row[0] in partial:
            assert row[3:6] == ["", "", "non"]  # never a figure for a part of a territory
        else:
            assert float(row[4].replace(",", ".")) > 0 and row[5] == "oui"


def test_xlsx_carries_metadata_and_permalink(wh: queries.Warehouse) -> None:
    ind = _first_registry_indicator(wh)
    state = ViewState(indicator=ind.id, level="epci")
    result, _ = downloads.download(wh, state, "xlsx", "http://h")
    book = openpyxl.load_workbook(io.BytesIO(_payload(result)))
    assert book.sheetnames == ["Données", "Métadonnées"]
    assert book["Données"].max_row == len(queries.territories(wh, "epci")) + 2
    head = [c.value for c in book["Données"][1]], [c.value for c in book["Données"][2]]
    assert head[0][:2] == ["Code", "Nom"] and head[1][:2] == ["code", "nom"]
    meta = {r[0]: r[1] for r in book["Métadonnées"].iter_rows(values_only=True) if r[0]}
    assert meta[ind.id] == ind.label
    assert meta["lien permanent"].startswith("http://h/?")
    assert "établissements" in meta["secret statistique"]


def test_gpkg_of_the_view(wh: queries.Warehouse, tmp_path: Path) -> None:
    ind = _first_registry_indicator(wh)
    result, _ = downloads.download(wh, ViewState(indicator=ind.id, level="epci"), "gpkg")
    path = tmp_path / result["filename"]
    path.write_bytes(_payload(result))
    read = geopandas.read_file(path)
    assert read.crs.to_epsg() == 2154
    assert sorted(read["code"]) == [t.code for t in queries.territories(wh, "epci")]
    assert ind.id in read.columns


def test_a_coarser_selection_restricts_the_rows(wh: queries.Warehouse) -> None:
    epci = next(t for t in queries.territories(wh, "epci") if t.complete)
    members = sorted(t.code for t in queries.territories(wh, "commune") if t.epci_code == epci.code)
    ind = _first_registry_indicator(wh)
    state = ViewState(indicator=ind.id, level="commune", territory=f"epci:{epci.code}")
    result, status = downloads.download(wh, state, "csv")
    assert [r[0] for r in _csv(_payload(result))[2:]] == members
    assert epci.name in status


@pytest.mark.parametrize(
    ("level", "territory", "scope"),
    [
        ("commune", "", None),
        ("commune", "35238", None),
        ("commune", "commune:35238", None),
        ("commune", "epci:243500139", ("epci", "243500139")),
        ("epci", "departement:35", ("departement", "35")),
        ("epci", "epci:243500139", None),
        ("region", "departement:35", None),
    ],
)
def test_export_scope(level: str, territory: str, scope: tuple[str, str] | None) -> None:
    assert downloads.export_scope(level, territory) == scope


def test_an_impossible_export_says_why(wh: queries.Warehouse) -> None:
    result, status = downloads.download(wh, ViewState(indicator="nope"), "csv")
    assert result is no_update
    assert status.startswith("Export impossible : vue à exporter invalide")
    result, status = downloads.download(wh, ViewState(indicator="density"), "pdf")
    assert result is no_update and "format d'export inconnu" in status


def test_export_follows_the_table_rows_in_their_order(wh: queries.Warehouse) -> None:
    ind = _first_registry_indicator(wh)
    state = ViewState(indicator=ind.id, level="commune")
    shown = ["35238", "35236", "35001", "99999"]  # as sorted in the table; 99999 unknown
    result, status = downloads.download(wh, state, "csv", rows=shown)
    rows = _csv(_payload(result))[2:]
    assert [r[0] for r in rows] == shown[:3]
    assert "3 ligne(s) exportée(s) selon le filtre et le tri du tableau" in status
    for bad in ("35238", [1, 2], ["x" * 40]):
        result, status = downloads.download(wh, state, "csv", rows=bad)
        assert result is no_update and "lignes du tableau illisibles" in status
    result, status = downloads.download(wh, state, "csv", rows=["99999"])
    assert result is no_update and "aucune ligne du tableau filtré" in status


def test_theme_export_holds_every_indicator_of_the_theme(wh: queries.Warehouse) -> None:
    ind = _first_registry_indicator(wh)
    theme = [i for i in queries.indicators(wh) if i.theme == ind.theme]
    state = ViewState(indicator=ind.id, level="epci")
    result, status = downloads.download(wh, state, "xlsx", theme=True)
    assert result["filename"] == f"territoires_theme_{ind.theme}_epci.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(_payload(result)))
    ids_row = [c.value for c in book["Données"][2]]
    assert {i.id for i in theme} <= set(ids_row)
    assert f"{len(theme)} indicateurs du thème" in status


def test_buttons_are_labelled_native_buttons() -> None:
    group = export_buttons({"a": "CSV", "b": "GeoPackage"}, "dl", "st")
    buttons = [c for c in group.children if isinstance(c, html.Button)]
    assert [(b.id, b.children, b.type) for b in buttons] == [
        ("a", "CSV", "button"),
        ("b", "GeoPackage", "button"),
    ]
    status = next(c for c in group.children if isinstance(c, html.P))
    assert status.id == "st" and status.role == "status"
    assert ids.EXPORT_GPKG != ids.DATA_EXPORT_GPKG
