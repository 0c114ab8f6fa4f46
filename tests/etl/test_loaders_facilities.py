"""Facility loaders on the real mirrored files and on hand-written fixtures.

Expected counts are recomputed here from the raw files with the ``csv`` and
``json`` modules (an obvious slow reading checked against the loaders), or
taken from the counts documented in ``../shared/data/SOURCES.md``. Loaders drop
rows only by type or state: rows without coordinates are kept with NULL lon/lat.
"""

from __future__ import annotations

import csv
import html
import importlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.catalogue import Source, load_catalogue
from etl.codes import COMMUNE_CODE_RE
from etl.loaders import FACILITY_COLUMNS, FACILITY_COUNT_COLUMNS, LoadError
from etl.loaders.bpe import reproject_to_wgs84

CATALOGUE = load_catalogue()

# Bounding boxes (lon min, lon max, lat min, lat max) of the parts of France, and the
# box each commune code prefix must fall in.
BOXES = {
    "metro": (-5.3, 9.7, 41.3, 51.2),  # mainland and Corsica
    "antilles": (-63.2, -60.7, 14.3, 18.2),  # Guadeloupe, Martinique, St-Barth, St-Martin
    "guyane": (-54.7, -51.5, 2.0, 5.9),
    "reunion": (55.1, 55.9, -21.5, -20.8),
    "mayotte": (44.9, 45.4, -13.1, -12.5),
    "spm": (-56.5, -56.1, 46.7, 47.2),  # Saint-Pierre-et-Miquelon
}
ZONE_OF_PREFIX = {
    "971": "antilles",
    "972": "antilles",
    "977": "antilles",
    "978": "antilles",
    "973": "guyane",
    "974": "reunion",
    "976": "mayotte",
    "975": "spm",
}


def _zone(lon: float, lat: float) -> str | None:
    for name, (x0, x1, y0, y1) in BOXES.items():
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return name
    return None


def _load(
    con: duckdb.DuckDBPyConnection, name: str, files: Sequence[Path]
) -> duckdb.DuckDBPyRelation:
    """Run the loader the catalogue names for ``name`` (checks the catalogue wiring too)."""
    source = CATALOGUE[name]
    module, function = source.loader.split(":")
    return getattr(importlib.import_module(module), function)(con, list(files), source)


def _check_facilities(rel: duckdb.DuckDBPyRelation, name: str) -> pd.DataFrame:
    """Schema and invariants shared by every facility loader; returns the rows."""
    assert rel.columns == list(FACILITY_COLUMNS)
    assert [str(t) for t in rel.types] == list(FACILITY_COLUMNS.values())
    df = rel.df()
    assert len(df) > 0
    assert df["facility_id"].is_unique
    assert df["facility_id"].str.startswith(f"{name}:").all()
    assert (df["source"] == name).all()
    assert df["service_type"].notna().all() and df["label"].notna().all()
    assert (df["lon"].isna() == df["lat"].isna()).all(), "lon and lat are NULL together"
    codes = df["commune_code"].dropna()
    assert codes.map(lambda c: bool(COMMUNE_CODE_RE.match(c))).all()
    located = df[df["lon"].notna()]
    assert len(located) > 0
    zones = [_zone(lon, lat) for lon, lat in zip(located["lon"], located["lat"], strict=True)]
    assert None not in zones, "point outside France"
    for code, zone in zip(located["commune_code"], zones, strict=True):
        if code is not None and not pd.isna(code):
            assert zone == ZONE_OF_PREFIX.get(code[:3], "metro"), (code, zone)
    return df


def _csv_rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


# ---------------------------------------------------------------- La Poste


@pytest.fixture(scope="module")
def laposte_file(mirror_dir: Path) -> Path:
    return mirror_dir / "laposte_points_contact" / "laposte_poincont2.csv"


def test_laposte_file_matches_documented_breakdown(laposte_file: Path) -> None:
    rows = _csv_rows(laposte_file, ";")
    kinds = Counter(r["Caractéristique_du_site"] for r in rows)
    # SOURCES.md, section 8.
    assert kinds["Bureau de Poste"] == 7767
    assert kinds["Agence postale communale"] == 6669
    assert kinds["Relais poste commerçant"] == 3072
    assert kinds["Agence postale intercommunale"] == 207
    assert sum(1 for r in rows if r["Latitude"] and r["Longitude"]) == 17703


def test_laposte_points_contact(con: duckdb.DuckDBPyConnection, laposte_file: Path) -> None:
    df = _check_facilities(
        _load(con, "laposte_points_contact", [laposte_file]), "laposte_points_contact"
    )
    mapping = {
        "Bureau de Poste": "A206",
        "Relais poste commerçant": "A207",
        "Agence postale communale": "A208",
        "Agence postale intercommunale": "A208",
    }
    rows = [r for r in _csv_rows(laposte_file, ";") if r["Caractéristique_du_site"] in mapping]
    expected = Counter(mapping[r["Caractéristique_du_site"]] for r in rows)
    assert Counter(df["service_type"]) == expected
    assert expected["A206"] == 7767
    assert len(df) == 17716 - 1  # SOURCES.md: every row but the military one
    # Rows without coordinates are kept, with NULL lon/lat.
    without_xy = {
        f"laposte_points_contact:{r['#Identifiant_du_site']}"
        for r in rows
        if not (r["Latitude"] and r["Longitude"])
    }
    assert without_xy
    assert set(df.loc[df["lon"].isna(), "facility_id"]) == without_xy
    assert len(df) - len(without_xy) == sum(1 for r in rows if r["Latitude"] and r["Longitude"])
    by_id = df.set_index("facility_id")
    first = next(r for r in rows if r["Latitude"] and r["Longitude"])
    got = by_id.loc[f"laposte_points_contact:{first['#Identifiant_du_site']}"]
    assert got["commune_code"] == first["Code_INSEE"]
    assert got["lat"] == pytest.approx(float(first["Latitude"]))
    assert got["geo_precision"] == first["Précision_du_géocodage"]
    military = [
        r for r in _csv_rows(laposte_file, ";") if r["Caractéristique_du_site"] not in mapping
    ]
    assert [r["Libellé_du_site"] for r in military] == ["SALON AIR AP"]
    assert f"laposte_points_contact:{military[0]['#Identifiant_du_site']}" not in by_id.index
    assert df["capacity"].isna().all() and df["bpe_gamme"].isna().all()


# ---------------------------------------------------------------- France Services


@pytest.fixture(scope="module")
def france_services_file(mirror_dir: Path) -> Path:
    return mirror_dir / "france_services" / "liste-fs-20240801.csv"


def test_france_services(con: duckdb.DuckDBPyConnection, france_services_file: Path) -> None:
    df = _check_facilities(_load(con, "france_services", [france_services_file]), "france_services")
    rows = _csv_rows(france_services_file, ",")  # the csv module handles the quoted line breaks
    assert len(rows) == 2845  # SOURCES.md
    assert len(df) == len(rows)  # every site is kept, with or without coordinates
    with_xy = [r for r in rows if r["latitude"] and r["longitude"]]
    assert df["lon"].notna().sum() == len(with_xy)
    assert set(df["service_type"]) == {"FRANCE_SERVICES"}
    mobile = {r["id_fs"] for r in rows if r["format_fs"] in {"Itinérante", "Bus_équivalent"}}
    flagged = df.loc[df["geo_precision"].notna()]
    assert set(flagged["facility_id"]) == {f"france_services:{i}" for i in mobile}
    assert set(flagged["geo_precision"]) == {"itinérante: point de référence"}
    assert not df["label"].str.contains("\n").any()
    assert {"2A004", "97411"} <= set(df["commune_code"])


# ---------------------------------------------------------------- Annuaire de l'éducation


@pytest.fixture(scope="module")
def education_files(mirror_dir: Path) -> list[Path]:
    return [
        mirror_dir / "education_annuaire_35" / "fr-en-annuaire-education.csv",
        mirror_dir / "education_annuaire_94" / "fr-en-annuaire-education.csv",
    ]


def _expected_education_ids(files: Sequence[Path]) -> set[str]:
    """The slow obvious reading of the mapping rules documented in etl/loaders/education.py."""
    flags: dict[str, dict[str, bool]] = defaultdict(lambda: defaultdict(bool))
    kind: dict[str, str] = {}
    for path in files:
        for r in _csv_rows(path, ";"):
            if r.get("etat", "OUVERT") != "OUVERT":
                continue
            uai = r["Identifiant_de_l_etablissement"]
            kind[uai] = r["Type_etablissement"]
            f = flags[uai]
            voies = (r["Voie_generale"], r["Voie_technologique"], r["Voie_professionnelle"])
            nature = r.get("libelle_nature", "").upper()
            no_voie = all(v == "" for v in voies)
            f["C101"] |= r["Ecole_maternelle"] == "1"
            f["C104"] |= r["Ecole_elementaire"] == "1"
            f["C301"] |= "1" in voies[:2] or (
                no_voie and any(w in nature for w in ("GENERAL", "TECHNOLOG", "POLYVALENT"))
            )
            f["C302"] |= voies[2] == "1" or (
                no_voie and any(w in nature for w in ("PROFESSIONNEL", "POLYVALENT"))
            )
    ids = set()
    for uai, f in flags.items():
        codes = {
            "Ecole": [c for c in ("C101", "C104") if f[c]],
            "Collège": ["C201"],
            "Lycée": [c for c in ("C301", "C302") if f[c]],
        }.get(kind[uai], [])
        ids |= {f"education_annuaire:{uai}:{c}" for c in codes}
    return ids


def test_education_annuaire(con: duckdb.DuckDBPyConnection, education_files: list[Path]) -> None:
    assert CATALOGUE["education_annuaire"].multi
    df = _check_facilities(_load(con, "education_annuaire", education_files), "education_annuaire")
    assert set(df["facility_id"]) == _expected_education_ids(education_files)
    assert set(df["commune_code"].str[:2]) == {"35", "94"}
    by_id = df.set_index("facility_id")
    # A primary school gives two rows with the pupils of the whole school.
    for code in ("C101", "C104"):
        assert by_id.loc[f"education_annuaire:0350122T:{code}", "capacity"] == 143
    # A "multi-lignes" lycée (one row per track) gives both lycée types, once each.
    assert {"C301", "C302"} <= set(
        df.loc[df["facility_id"].str.contains("0352072M"), "service_type"]
    )
    # The 94 extract has no Nombre_d_eleves column.
    assert df.loc[df["commune_code"].str.startswith("94"), "capacity"].isna().all()
    # Closed establishments are dropped.
    assert not df["facility_id"].str.contains("0351383N").any()


# ---------------------------------------------------------------- SNCF


@pytest.fixture(scope="module")
def sncf_file(mirror_dir: Path) -> Path:
    return mirror_dir / "sncf_gares" / "liste-des-gares.csv"


def test_sncf_gares(con: duckdb.DuckDBPyConnection, sncf_file: Path) -> None:
    df = _check_facilities(_load(con, "sncf_gares", [sncf_file]), "sncf_gares")
    rows = _csv_rows(sncf_file, ";")
    assert Counter(r["voyageurs"] for r in rows) == {"O": 3352, "N": 532}  # SOURCES.md
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    stations = {r["code_uic"] for r in rows if r["voyageurs"] == "O"}
    for r in rows:
        if r["voyageurs"] == "O" and r["x_wgs84"] and r["y_wgs84"]:
            points[r["code_uic"]].append((float(r["x_wgs84"]), float(r["y_wgs84"])))
    assert set(df["facility_id"]) == {f"sncf_gares:{uic}" for uic in stations}
    # A station without any point is kept with NULL lon/lat.
    unlocated = df.loc[df["lon"].isna(), "facility_id"].str.split(":").str[1]
    assert set(unlocated) == stations - set(points)
    assert df["commune_code"].isna().all()
    assert set(df["service_type"]) == {"TRAIN_STATION"}
    # The kept point is the station's point nearest to the mean of its points.
    for row in df.dropna(subset=["lon"]).itertuples():
        pts = points[row.facility_id.split(":")[1]]
        mlon = sum(p[0] for p in pts) / len(pts)
        mlat = sum(p[1] for p in pts) / len(pts)
        scale = math.cos(math.radians(mlat))
        best = min(((p[0] - mlon) * scale) ** 2 + (p[1] - mlat) ** 2 for p in pts)
        got = ((row.lon - mlon) * scale) ** 2 + (row.lat - mlat) ** 2
        assert (row.lon, row.lat) in pts and got == pytest.approx(best, abs=1e-15)
    haguenau = df.set_index("facility_id").loc["sncf_gares:87213058"]
    assert haguenau["lon"] > 7.77  # in Haguenau, not at the Schweighouse junction (7.74)


# ---------------------------------------------------------------- Fabriques de territoire


@pytest.fixture(scope="module")
def fabriques_file(mirror_dir: Path) -> Path:
    return mirror_dir / "anct_fabriques_territoire" / "fabt_geom.geojson"


def test_fabriques_territoire(con: duckdb.DuckDBPyConnection, fabriques_file: Path) -> None:
    df = _check_facilities(
        _load(con, "fabriques_territoire", [fabriques_file]), "fabriques_territoire"
    )
    features = json.loads(fabriques_file.read_text(encoding="utf-8"))["features"]
    assert Counter(f["geometry"]["type"] for f in features) == {
        "Point": 341,
        "GeometryCollection": 1,
    }
    expected = {
        f"fabriques_territoire:{i.strip()}"
        for f in features
        for i in f["properties"]["id_territoire"].split(";")
    }
    assert set(df["facility_id"]) == expected
    assert len(df) == 382  # 342 features hold 382 fabriques, all kept
    # The feature without geometry (an empty GeometryCollection) keeps NULL lon/lat.
    no_point = {
        f"fabriques_territoire:{i.strip()}"
        for f in features
        if f["geometry"]["type"] != "Point"
        for i in f["properties"]["id_territoire"].split(";")
    }
    assert set(df.loc[df["lon"].isna(), "facility_id"]) == no_point
    by_id = df.set_index("facility_id")
    assert (
        by_id.loc["fabriques_territoire:fabt-48", "label"]
        == "Recyclerie Fab Lab Bagneux Environnement"
    )
    assert by_id.loc["fabriques_territoire:fabt-211", "label"] == "Le Plus Petit Cirque du Monde"
    assert by_id.loc["fabriques_territoire:fabt-48", "commune_code"] == "92007"
    labels = " ".join(df["label"])
    assert "&amp;" not in labels and "\n" not in labels
    assert html.unescape("Vert&amp;Co") in labels
    assert set(df["geo_precision"]) == {"centre de la commune d'accueil"}


# ---------------------------------------------------------------- France Tiers-Lieux (fixture)


def test_france_tiers_lieux_fixture(con: duckdb.DuckDBPyConnection, fixtures_dir: Path) -> None:
    path = fixtures_dir / "facilities" / "france_tiers_lieux_sample.csv"
    df = _check_facilities(_load(con, "france_tiers_lieux", [path]), "france_tiers_lieux")
    by_id = df.set_index("facility_id")
    assert sorted(by_id.index) == [f"france_tiers_lieux:tl-000{i}" for i in range(1, 7)]
    # No address, no coordinates: kept with NULL lon/lat.
    assert by_id.loc["france_tiers_lieux:tl-0005", ["lon", "lat"]].isna().all()
    assert by_id.loc["france_tiers_lieux:tl-0001", "label"] == "La Cordée, coworking de la gare"
    assert by_id.loc["france_tiers_lieux:tl-0003", "label"] == "Fab Lab d'Ajaccio"
    assert by_id.loc["france_tiers_lieux:tl-0003", "commune_code"] == "2A004"
    assert by_id.loc["france_tiers_lieux:tl-0002", "commune_code"] == "01001"
    # Decimal commas in quoted fields.
    assert by_id.loc["france_tiers_lieux:tl-0006", ["lon", "lat"]].tolist() == [7.7521, 48.5734]


def test_half_coordinate_gives_null_lon_and_lat(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "france-tiers-lieux.csv"
    path.write_text(
        "id,nom,code_insee,latitude,longitude\nx1,Lieu,35238,48.1,\nx2,Autre,35238,48.1,-1.6\n",
        "utf-8",
    )
    df = _load(con, "france_tiers_lieux", [path]).df().set_index("facility_id")
    assert df.loc["france_tiers_lieux:x1", ["lon", "lat"]].isna().all()
    assert df.loc["france_tiers_lieux:x2", ["lon", "lat"]].tolist() == [-1.6, 48.1]


# ---------------------------------------------------------------- BPE (fixture)

# Real-world positions the fixture's projected coordinates were made from (pyproj,
# EPSG as in the row), by data row number; row 10 has no coordinates (kept, NULL).
BPE_SAMPLE_LONLAT = {
    1: ("01001", 4.9224, 46.1534),  # L'Abergement-Clémenciat, Lambert-93
    2: ("01004", 5.3587, 45.9570),  # Ambérieu-en-Bugey
    3: ("2A004", 8.7386, 41.9196),  # Ajaccio
    4: ("2B033", 9.4501, 42.6975),  # Bastia
    5: ("97411", 55.4481, -20.8789),  # Saint-Denis, RGR92 / UTM 40S (EPSG 2975)
    6: ("97416", 55.4781, -21.3393),  # Saint-Pierre, no EPSG: the zone's UTM 40S
    7: ("97209", -61.0588, 14.6037),  # Fort-de-France, RGAF09 / UTM 20N (EPSG 5490)
    8: ("97611", 45.2279, -12.7806),  # Mamoudzou, RGM04 / UTM 38S (EPSG 4471)
    9: ("75104", 2.3522, 48.8566),  # Paris 4e
    10: ("35238", None, None),  # Rennes, no LAMBERT_X/Y
    11: ("03190", 3.0, 46.5),  # the Lambert-93 origin (700000, 6600000)
    12: ("03190", 3.0, 46.5),  # an identical second facility
}


@pytest.fixture(scope="module")
def bpe_sample(fixtures_dir: Path) -> Path:
    return fixtures_dir / "facilities" / "BPE23_sample.csv"


def _check_bpe_sample(df: pd.DataFrame) -> None:
    by_id = df.set_index("facility_id")
    assert sorted(by_id.index) == sorted(f"bpe_xy:{n}" for n in BPE_SAMPLE_LONLAT)
    for n, (code, lon, lat) in BPE_SAMPLE_LONLAT.items():
        row = by_id.loc[f"bpe_xy:{n}"]
        assert row["commune_code"] == code
        if lon is None:
            assert pd.isna(row["lon"]) and pd.isna(row["lat"])
            continue
        assert row["lon"] == pytest.approx(lon, abs=1e-6)
        assert row["lat"] == pytest.approx(lat, abs=1e-6)


def test_bpe_xy_fixture(con: duckdb.DuckDBPyConnection, bpe_sample: Path) -> None:
    df = _check_facilities(_load(con, "bpe_xy", [bpe_sample]), "bpe_xy")
    _check_bpe_sample(df)
    by_id = df.set_index("facility_id")
    assert by_id.loc["bpe_xy:1", "service_type"] == "C104"
    assert by_id.loc["bpe_xy:4", "label"] == "BOULANGERIE ; PATISSERIE DU VIEUX PORT"
    assert by_id.loc["bpe_xy:9", "label"] == "PHARMACIE DU MARAIS"  # quoted line break
    assert by_id.loc["bpe_xy:11", "label"] == "F121"  # no NOMRS: the type code
    assert by_id.loc["bpe_xy:6", "geo_precision"] == "21"  # QUALITE_XY
    assert df["bpe_gamme"].isna().all() and df["capacity"].isna().all()


def test_bpe_xy_without_optional_columns(
    con: duckdb.DuckDBPyConnection, bpe_sample: Path, tmp_path: Path
) -> None:
    """Without EPSG, NOMRS and QUALITE_XY: the zone's CRS, the type as label."""
    rows = _csv_rows(bpe_sample, ";")
    keep = [c for c in rows[0] if c not in {"EPSG", "NOMRS", "QUALITE_XY"}]
    path = tmp_path / "BPE23.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, keep, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    df = _check_facilities(_load(con, "bpe_xy", [path]), "bpe_xy")
    _check_bpe_sample(df)
    assert (df["label"] == df["service_type"]).all()
    assert df["geo_precision"].isna().all()


def test_bpe_xy_unknown_epsg(
    con: duckdb.DuckDBPyConnection, bpe_sample: Path, tmp_path: Path
) -> None:
    text = bpe_sample.read_text(encoding="utf-8").replace(";2154;", ";99999;", 1)
    path = tmp_path / "BPE23.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=r"'bpe_xy'.*EPSG:99999"):
        _load(con, "bpe_xy", [path])


def test_reproject_to_wgs84_hand_points() -> None:
    x = np.array([700000.0, 500000.0, np.nan])
    y = np.array([6600000.0, 10000000.0, 1.0])
    epsg = np.array([2154, 2975, 2154])
    lon, lat = reproject_to_wgs84(x, y, epsg)
    # Lambert-93 origin: 3°E 46.5°N; UTM 40S: central meridian 57°E at the equator.
    assert lon[:2] == pytest.approx([3.0, 57.0], abs=1e-9)
    assert lat[:2] == pytest.approx([46.5, 0.0], abs=1e-9)
    assert np.isnan(lon[2]) and np.isnan(lat[2])
    empty = reproject_to_wgs84(np.array([]), np.array([]), np.array([], dtype=int))
    assert [a.size for a in empty] == [0, 0]


# ---------------------------------------------------------------- BPE 2018 counts


def test_bpe_enseignement_counts(con: duckdb.DuckDBPyConnection, mirror_dir: Path) -> None:
    path = mirror_dir / "insee_bpe_2018_enseignement" / "bpe18_enseignement.csv"
    rel = _load(con, "bpe_enseignement_2018", [path])
    assert rel.columns == list(FACILITY_COUNT_COLUMNS)
    assert [str(t) for t in rel.types] == list(FACILITY_COUNT_COLUMNS.values())
    df = rel.df()
    rows = _csv_rows(path, ";")
    assert len(rows) == 68294  # SOURCES.md
    expected: Counter[tuple[str, str]] = Counter()
    for r in rows:
        expected[(r["DCIRIS"], r["TYPEQU"])] += int(r["NB_EQUIP"])
    assert len(df) == len(expected)
    assert df["count"].sum() == sum(expected.values())
    assert not df.duplicated(["iris_code", "service_type", "year"]).any()
    assert set(df["year"]) == {2018}
    assert df["commune_code"].map(lambda c: bool(COMMUNE_CODE_RE.match(c))).all()
    assert (df["iris_code"].str.len() == 9).all()
    assert (df["iris_code"].str[:5] == df["commune_code"]).all()
    got = df.set_index(["iris_code", "service_type"])["count"]
    assert got[("010040102", "C104")] == expected[("01004_0102", "C104")]
    assert got[("010010000", "C104")] == expected[("01001", "C104")]
    assert {"2A", "2B", "97"} <= set(df["commune_code"].str[:2])


# ---------------------------------------------------------------- error paths


def _header_only(src: Path, dst: Path, delimiter: str, drop: str) -> Path:
    """Copy the header of ``src`` without column ``drop`` (and no data rows) to ``dst``."""
    with src.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter))
    assert drop in header
    dst.write_text(delimiter.join(c for c in header if c != drop) + "\n", encoding="utf-8")
    return dst


@pytest.mark.parametrize(
    ("name", "relative", "column"),
    [
        ("laposte_points_contact", "laposte_points_contact/laposte_poincont2.csv", "Code_INSEE"),
        ("france_services", "france_services/liste-fs-20240801.csv", "latitude"),
        (
            "education_annuaire",
            "education_annuaire_94/fr-en-annuaire-education.csv",
            "Code_commune",
        ),
        ("sncf_gares", "sncf_gares/liste-des-gares.csv", "voyageurs"),
        ("bpe_enseignement_2018", "insee_bpe_2018_enseignement/bpe18_enseignement.csv", "NB_EQUIP"),
    ],
)
def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection,
    mirror_dir: Path,
    tmp_path: Path,
    name: str,
    relative: str,
    column: str,
) -> None:
    source: Source = CATALOGUE[name]
    path = _header_only(mirror_dir / relative, tmp_path / source.filename, source.separator, column)
    with pytest.raises(LoadError, match=rf"'{name}'.*{column}"):
        _load(con, name, [path])


@pytest.mark.parametrize(
    ("name", "fixture", "column"),
    [
        ("bpe_xy", "BPE23_sample.csv", "LAMBERT_Y"),
        ("france_tiers_lieux", "france_tiers_lieux_sample.csv", "code_insee"),
    ],
)
def test_missing_column_in_fixture_format(
    con: duckdb.DuckDBPyConnection,
    fixtures_dir: Path,
    tmp_path: Path,
    name: str,
    fixture: str,
    column: str,
) -> None:
    source = CATALOGUE[name]
    src = fixtures_dir / "facilities" / fixture
    path = _header_only(src, tmp_path / source.filename, source.separator, column)
    with pytest.raises(LoadError, match=rf"'{name}'.*{column}"):
        _load(con, name, [path])


def test_fabriques_missing_property(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"id_territoire": "fabt-1", "lib_territoire": "Un lieu"},
        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
    }
    path = tmp_path / "fabt_geom.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    with pytest.raises(LoadError, match=r"'fabriques_territoire'.*id_geo"):
        _load(con, "fabriques_territoire", [path])


def test_non_numeric_coordinate_is_an_error(
    con: duckdb.DuckDBPyConnection, laposte_file: Path, tmp_path: Path
) -> None:
    lines = laposte_file.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[11] = "quarante-quatre"  # Latitude
    path = tmp_path / "laposte_poincont2.csv"
    path.write_text("\n".join([lines[0], ";".join(fields)]) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"'laposte_points_contact'.*non numérique"):
        _load(con, "laposte_points_contact", [path])


def test_bad_commune_code_is_an_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "france-tiers-lieux.csv"
    path.write_text("id,nom,code_insee,latitude,longitude\nx1,Lieu,ABCDE,48.1,-1.6\n", "utf-8")
    with pytest.raises(LoadError, match=r"'france_tiers_lieux'.*ABCDE"):
        _load(con, "france_tiers_lieux", [path])


def test_single_file_loaders_refuse_several_files(
    con: duckdb.DuckDBPyConnection, laposte_file: Path
) -> None:
    with pytest.raises(LoadError, match=r"'laposte_points_contact'.*2 reçus"):
        _load(con, "laposte_points_contact", [laposte_file, laposte_file])
