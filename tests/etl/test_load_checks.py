"""Loader checks on hand-made files in the official formats (issue 13, D9, D11, D12).

Impossible coordinates, implausible Filosofi values and malformed GeoJSON are French
:class:`~etl.loaders.LoadError` messages naming the source and the row, never a
traceback or an English message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.catalogue import load_catalogue
from etl.loaders import LoadError
from etl.loaders.filosofi import load_filosofi_communes
from etl.loaders.laposte import load_laposte_points_contact
from etl.loaders.third_places import load_fabriques_territoire

CATALOGUE = load_catalogue()

# The header of the La Poste "points de contact" export (datanova, ``;``, UTF-8).
LAPOSTE_HEADER = (
    "#Identifiant_du_site;Libellé_du_site;Caractéristique_du_site;Site_Acores_de_rattachement;"
    "Adresse;Complément_d_adresse;Lieu_dit;Code_postal;Localité;Code_INSEE;Pays;Latitude;"
    "Longitude;Précision_du_géocodage;Numéro_de_téléphone;latlong\r\n"
)
FILOSOFI_HEADER = "CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;TP6019;D119;D919\n"


def _laposte_row(site: str, lat: str, lon: str) -> str:
    return (
        f"{site};RENNES TEST BP;Bureau de Poste;;1 RUE TEST;;;35000;RENNES;35238;FRANCE;"
        f"{lat};{lon};Géocodé au numéro;3631;{lat},{lon}\r\n"
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("inf", "-1.68"), ("48.11", "-Infinity"), ("95.2", "-1.68"), ("48.11", "-181.5")],
)
def test_impossible_coordinates_name_source_and_row(con, tmp_path, lat, lon) -> None:
    path = _write(
        tmp_path / "laposte_poincont2.csv",
        LAPOSTE_HEADER + _laposte_row("99001A", "48.1", "-1.6") + _laposte_row("99002B", lat, lon),
    )
    source = CATALOGUE["laposte_points_contact"]
    with pytest.raises(
        LoadError,
        match=r"laposte_points_contact.*1 ligne\(s\) aux coordonnées impossibles.*"
        r"laposte_points_contact:99002B",
    ):
        load_laposte_points_contact(con, [path], source)


def test_valid_coordinates_still_load(con, tmp_path) -> None:
    path = _write(
        tmp_path / "laposte_poincont2.csv",
        LAPOSTE_HEADER + _laposte_row("99001A", "48.1", "-1.6") + _laposte_row("99002B", "", ""),
    )
    rows = load_laposte_points_contact(con, [path], CATALOGUE["laposte_points_contact"])
    assert rows.project("facility_id, lon, lat").order("facility_id").fetchall() == [
        ("laposte_points_contact:99001A", -1.6, 48.1),
        ("laposte_points_contact:99002B", None, None),
    ]


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ("35238;100000;200000;21000;250;11000;36000", r"TP6019.*\[0 ; 100\].*35238 : 250"),
        ("35238;100000;200000;-21000;17;11000;36000", r"MED19.*35238 : -21000"),
        ("35238;-5;200000;21000;17;11000;36000", r"NBMENFISC19.*35238 : -5"),
        ("35238;100000;200000;21000;17;11000;-36000", r"D919.*35238 : -36000"),
    ],
)
def test_filosofi_implausible_values_name_source_column_and_row(con, tmp_path, row, pattern):
    path = _write(tmp_path / "cc.csv", FILOSOFI_HEADER + "35001;400;900;22000;s;;\n" + row + "\n")
    with pytest.raises(LoadError, match=r"filosofi_communes.*plage plausible") as err:
        load_filosofi_communes(con, [path], CATALOGUE["filosofi_communes"])
    assert err.match(pattern)


def test_filosofi_plausible_values_load(con, tmp_path) -> None:
    path = _write(tmp_path / "cc.csv", FILOSOFI_HEADER + "35238;100000;200000;21000;17;11000;0\n")
    with pytest.raises(LoadError, match=r"D919.*\[1000 ;"):
        load_filosofi_communes(con, [path], CATALOGUE["filosofi_communes"])
    path.write_text(FILOSOFI_HEADER + "35238;100000;200000;21000;17,5;11000;36000\n")
    rel = load_filosofi_communes(con, [path], CATALOGUE["filosofi_communes"])
    assert rel.fetchall() == [("35238", 100000.0, 200000.0, 21000.0, 17.5, 11000.0, 36000.0)]


def _fabrique(geometry: object, ident: str = "fabt-1") -> dict:
    return {
        "type": "Feature",
        "properties": {"id_territoire": ident, "lib_territoire": "La Fabrique", "id_geo": "35238"},
        "geometry": geometry,
    }


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        ('{"type": "FeatureCollection", "features": [', "GeoJSON illisible"),
        ({"type": "FeatureCollection", "features": {"a": 1}}, "n'est pas une liste"),
        ({"type": "FeatureCollection", "crs": "EPSG:2154", "features": []}, "CRS .* inattendu"),
        ({"type": "FeatureCollection", "features": ["texte"]}, "entité n° 1 malformée"),
        (
            {"type": "FeatureCollection", "features": [{"properties": "texte"}]},
            "entité n° 1 malformée",
        ),
        (
            {"type": "FeatureCollection", "features": [_fabrique("POINT(1 2)", "fabt-7")]},
            r"géométrie malformée à l'entité n° 1 \(id_territoire 'fabt-7'\)",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    _fabrique({"type": "Point", "coordinates": [-1.6, 48.1]}),
                    _fabrique({"type": "Point", "coordinates": ["abc", 48.1]}, "fabt-9"),
                ],
            },
            r"géométrie malformée à l'entité n° 2 \(id_territoire 'fabt-9'\)",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [_fabrique({"type": "Point", "coordinates": 5})],
            },
            "géométrie malformée",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [_fabrique({"type": "GeometryCollection", "geometries": ["x"]})],
            },
            "géométrie malformée",
        ),
    ],
)
def test_malformed_geojson_is_a_french_error_naming_the_source(
    con, tmp_path, document, pattern
) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    path = _write(tmp_path / "fabt_geom.geojson", text)
    with pytest.raises(LoadError, match=r"fabriques_territoire.*" + pattern):
        load_fabriques_territoire(con, [path], CATALOGUE["fabriques_territoire"])


def test_catalogue_declares_expected_volumes() -> None:
    declared = {name: s.min_rows for name, s in CATALOGUE.items() if s.min_rows}
    assert declared["laposte_points_contact"] == 15000
    assert declared["filosofi_communes"] == 30000
    # education is mirrored as département extracts: the minimum is one extract's.
    assert CATALOGUE["education_annuaire"].multi
    assert declared["education_annuaire"] <= 613  # rows of the dep-94 extract
