"""Exports (``indicators.exports`` and ``territoires export``).

A tiny hand-made warehouse (written below, in the real table shapes of
``warehouse/SCHEMA.md``) for the rules, and the shared ``dep35_built`` warehouse
(opened read-only, never written) for the four formats through ``territoires.main``.

Tiny warehouse::

    commune 35001 "Alpha"        E1   pop 1000   complete
    commune 35002 "Bêta; le bourg" E1 pop 500    complete
    commune 35003 "Gamma"        E2   pop 250    complete
    epci E1 (35001, 35002)       pop 1500        complete
    epci E2 (35003 + communes outside the build) pop 250  NOT complete
    departement 35, departement 22 (no commune in the build), region 53 (partial)

    share_x  (access, %, 1 decimal):  35001 = 12.36, 35002 = 7.0, 35003 = NULL
    n_ess    (ess, count, 0 decimal): 35001 = 4, 35002 = secret (stored 2), 35003 = 0
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import tempfile
from pathlib import Path

import duckdb
import geopandas
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

from indicators import exports
from indicators.exports import ExportError
from territoires import main
from warehouse.build import BuildReport
from warehouse.gate import connect


def _square(km: tuple[int, int, int] | None) -> str | None:
    """A square of side ``km[2]`` km whose lower-left corner is at ``km[:2]`` km."""
    if km is None:
        return None
    x, y, side = (1000 * v for v in km)
    return f"POLYGON(({x} {y}, {x + side} {y}, {x + side} {y + side}, {x} {y + side}, {x} {y}))"


def _tiny(path: Path, *, overseas: bool = False) -> Path:
    """Write the tiny warehouse; with ``overseas`` commune 35003 lies in La Réunion."""
    con = connect(path)
    gamma = ("commune", "35003", "Gamma", "35", "53", "E2", 250, True, 2154, (352, 6790, 1))
    if overseas:
        gamma = (*gamma[:-2], 2975, (340, 7660, 1))
    rows = [
        ("commune", "35001", "Alpha", "35", "53", "E1", 1000, True, 2154, (350, 6790, 1)),
        ("commune", "35002", "Bêta; le bourg", "35", "53", "E1", 500, True, 2154, (351, 6790, 1)),
        gamma,
        ("epci", "E1", "CC Un", "35", "53", "E1", 1500, True, 2154, (350, 6790, 2)),
        ("epci", "E2", "CC Deux", "35", "53", "E2", 250, False, 2154, (352, 6790, 1)),
        ("departement", "35", "I.-et-V.", "35", "53", None, 1750, True, 2154, (350, 6790, 3)),
        ("departement", "22", "C.-d'A.", "22", "53", None, None, False, 2154, None),
        ("region", "53", "Bretagne", None, "53", None, 1750, False, 2154, (350, 6790, 3)),
    ]
    con.execute(
        "CREATE TABLE territories (level VARCHAR, code VARCHAR, name VARCHAR, dep_code VARCHAR, "
        "reg_code VARCHAR, epci_code VARCHAR, population BIGINT, population_source VARCHAR, "
        "geometry_source VARCHAR, complete BOOLEAN, epsg INTEGER, geom GEOMETRY)"
    )
    for r in rows:
        source = ("cog_communes", "contours_communes") if r[0] == "commune" else (None, None)
        con.execute(
            "INSERT INTO territories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ST_GeomFromText(?))",
            [*r[:7], *source, *r[7:9], _square(r[9])],
        )
    con.execute(
        "CREATE TABLE indicators (id VARCHAR, theme VARCHAR, label VARCHAR, unit VARCHAR, "
        "definition VARCHAR, formula VARCHAR, sources VARCHAR, vintage VARCHAR, "
        "higher_is_better BOOLEAN, decimals INTEGER)"
    )
    con.execute(
        "INSERT INTO indicators VALUES "
        "('share_x', 'access', 'Part à 15 min', '%', 'déf. x', 'f(x)', 'bpe_xy', 'BPE 2023', "
        "true, 1),"
        "('n_ess', 'ess', 'Établissements ESS', 'établissements', 'déf. ess', 'n', "
        "'sirene_etablissements', 'stock 2026-01', true, 0)"
    )
    con.execute(
        "CREATE TABLE indicator_values (indicator_id VARCHAR, level VARCHAR, code VARCHAR, "
        "value DOUBLE, secret BOOLEAN, numerator DOUBLE, denominator DOUBLE)"
    )
    con.execute(
        "INSERT INTO indicator_values VALUES "
        "('share_x', 'commune', '35001', 12.36, false, NULL, NULL),"
        "('share_x', 'commune', '35002', 7.0, false, NULL, NULL),"
        "('share_x', 'commune', '35003', NULL, false, NULL, NULL),"
        "('share_x', 'epci', 'E1', 10.123456789, false, NULL, NULL),"
        "('share_x', 'epci', 'E2', 55.5, false, NULL, NULL),"
        "('n_ess', 'commune', '35001', 4, false, NULL, NULL),"
        "('n_ess', 'commune', '35002', 2, true, NULL, NULL),"
        "('n_ess', 'commune', '35003', 0, false, NULL, NULL)"
    )
    con.execute(
        "CREATE TABLE meta (dataset VARCHAR, title VARCHAR, role VARCHAR, vintage VARCHAR, "
        "publisher VARCHAR, licence VARCHAR, url VARCHAR, status VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "INSERT INTO meta VALUES "
        "('bpe_xy', 'BPE', 'facilities', 'BPE 2023', 'INSEE', 'Licence Ouverte 2.0', 'u1', "
        "'chargée', NULL),"
        "('sncf_gares', 'Gares', 'facilities', '2024', 'SNCF Réseau', 'ODbL', 'u2', "
        "'chargée', NULL),"
        "('fabriques_territoire', 'Fabriques de territoire', 'facilities', '2024', 'ANCT', "
        "'Licence Ouverte 2.0', 'u3', 'absente', 'hors ligne'),"
        "('sirene_etablissements', 'Sirene', 'ess', 'stock', 'INSEE', 'Licence Ouverte 2.0', "
        "'u4', 'chargée', NULL),"
        "('cog_communes', 'COG', 'territories', 'COG 2026', 'Etalab', 'Licence Ouverte 2.0', "
        "'u5', 'chargée', NULL)"
    )
    con.execute("CREATE TABLE build_info (key VARCHAR, value VARCHAR)")
    con.execute(
        "INSERT INTO build_info VALUES ('territory', 'dep:35'), ('built_at', '2026-01-02T03:04:05')"
    )
    con.close()
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny warehouse, shared by the module's tests (opened read-only only)."""
    return _tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


@pytest.fixture(scope="module")
def con(tiny: Path) -> duckdb.DuckDBPyConnection:
    c = connect(tiny, read_only=True)
    yield c
    c.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


# --- the frame ----------------------------------------------------------------------


def test_columns_order_and_rows(con: duckdb.DuckDBPyConnection) -> None:
    frame, meta = exports.export_frame(con, "commune")
    assert list(frame.columns) == [
        "code", "nom", "niveau", "population", "share_x", "n_ess", "n_ess__secret",
        "territoire_complet",
    ]  # fmt: skip
    assert list(frame["code"]) == ["35001", "35002", "35003"]
    assert list(frame["niveau"]) == ["commune"] * 3
    assert list(frame["population"]) == [1000, 500, 250]
    assert [i.id for i in meta.indicators] == ["share_x", "n_ess"]
    assert meta.scope == "communes — tout l'entrepôt"


def test_secret_is_blank_with_its_flag_never_zero(con: duckdb.DuckDBPyConnection) -> None:
    frame, _ = exports.export_frame(con, "commune", theme="ess")
    by_code = frame.set_index("code")
    assert pd.isna(by_code.loc["35002", "n_ess"])  # stored 2, secret: blank
    assert by_code.loc["35002", "n_ess__secret"]
    assert by_code.loc["35003", "n_ess"] == 0  # a real zero stays a zero
    assert not by_code.loc["35003", "n_ess__secret"]


def test_null_stays_blank_without_secret_column(con: duckdb.DuckDBPyConnection) -> None:
    frame, _ = exports.export_frame(con, "commune", theme="access")
    assert list(frame.columns) == [*exports.BASE_COLUMNS, "share_x", "territoire_complet"]
    assert pd.isna(frame.set_index("code").loc["35003", "share_x"])


def test_partial_territory_has_blank_population_and_values(
    con: duckdb.DuckDBPyConnection,
) -> None:
    frame, meta = exports.export_frame(con, "epci", theme="access")
    e2 = frame.set_index("code").loc["E2"]
    assert pd.isna(e2["population"]) and pd.isna(e2["share_x"])  # stored 55.5, partial
    assert not e2["territoire_complet"]
    assert meta.partial == ("E2",)
    assert frame.set_index("code").loc["E1", "share_x"] == pytest.approx(10.123456789)


@pytest.mark.parametrize(
    ("level", "territory", "codes"),
    [
        ("commune", ("epci", "E1"), ["35001", "35002"]),
        ("commune", ("departement", "35"), ["35001", "35002", "35003"]),
        ("epci", ("departement", "35"), ["E1", "E2"]),
        ("epci", ("commune", "35003"), ["E2"]),
        ("departement", ("epci", "E2"), ["35"]),
        ("departement", None, ["22", "35"]),
    ],
)
def test_territory_keeps_rows_with_a_member_commune_inside(
    con: duckdb.DuckDBPyConnection, level: str, territory: tuple[str, str] | None, codes: list
) -> None:
    frame, meta = exports.export_frame(con, level, territory, "access")
    assert list(frame["code"]) == codes
    if territory:
        assert territory[1] in meta.scope


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "canton"}, "niveau inconnu « canton »"),
        ({"level": "commune", "theme": "sport"}, "thème inconnu « sport »"),
        ({"level": "commune", "territory": ("departement", "44")}, "département 44 absent"),
        ({"level": "commune", "territory": ("canton", "1")}, "niveau de territoire inconnu"),
        (
            {"level": "commune", "territory": ("departement", "22")},
            "aucun territoire de niveau commune dans departement 22",
        ),
        ({"level": "commune", "indicator_ids": ["nope"]}, "indicateur(s) inconnu(s)"),
    ],
)
def test_bad_requests_raise_french_errors(
    con: duckdb.DuckDBPyConnection, kwargs: dict, message: str
) -> None:
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        exports.export_frame(con, **kwargs)


def test_empty_theme_names_its_missing_sources(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(
        ExportError,
        match=r"^aucun indicateur du thème « third_places » dans cet entrepôt : "
        r"source\(s\) absente\(s\) : ",
    ) as err:
        exports.export_frame(con, "commune", theme="third_places")
    text = str(err.value)
    assert "thème « third_places »" in text
    assert "fabriques_territoire (Fabriques de territoire)" in text
    assert "thèmes présents : access, ess" in text


def test_no_indicator_table_is_said(tmp_path: Path) -> None:
    path = _tiny(tmp_path / "t.duckdb")
    with duckdb.connect(str(path)) as c:
        c.execute("DROP TABLE indicators")
    with connect(path, read_only=True) as c, pytest.raises(ExportError, match="sans l'étape"):
        exports.export_frame(c, "commune")


def test_extra_indicators_and_metadata(con: duckdb.DuckDBPyConnection) -> None:
    extra = exports.ExtraIndicator(
        exports.IndicatorMeta("density", "base", "Densité", "hab./km²", "d", "p/s", "", "", 1),
        {"E1": 12.5, "E2": 99.0},
    )
    frame, meta = exports.export_frame(
        con, "epci", indicator_ids=[], extra=[extra], context=[("lien permanent", "http://x")]
    )
    assert list(frame.columns) == [*exports.BASE_COLUMNS, "density", "territoire_complet"]
    assert frame["density"].iloc[0] == 12.5 and pd.isna(frame["density"].iloc[1])  # E2 partial
    keys = dict(meta.key_values())
    assert keys["lien permanent"] == "http://x"
    assert keys["entrepôt : date de construction"] == "2026-01-02T03:04:05"
    assert "3 établissements" in keys["secret statistique"]
    assert "85 %" in keys["secret statistique"]


def test_attributions_carry_the_licences(con: duckdb.DuckDBPyConnection) -> None:
    _, meta = exports.export_frame(con, "commune")
    assert [s.dataset for s in meta.sources] == ["bpe_xy", "sirene_etablissements", "cog_communes"]
    text = "\n".join(meta.attributions)
    assert "INSEE — BPE (BPE 2023) — Licence Ouverte 2.0" in text
    assert "Etalab 2.0" in text and "ODbL" not in text  # sncf_gares is not cited


# --- the writers ------------------------------------------------------------------------


def test_csv_for_french_spreadsheets(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    frame, meta = exports.export_frame(con, "commune")
    path = exports.write_export(frame, meta, tmp_path / "x.csv", "csv", decimal_comma=True)
    rows = _csv_rows(path.read_bytes())
    assert rows[0] == list(frame.columns)
    assert rows[1] == ["35001", "Alpha", "commune", "1000", "12,4", "4", "non", "oui"]
    assert rows[2] == ["35002", "Bêta; le bourg", "commune", "500", "7,0", "", "oui", "oui"]
    assert rows[3][4] == "" and rows[3][5] == "0"
    dotted = _csv_rows(exports.write_export(frame, meta, tmp_path / "y.csv", "csv").read_bytes())
    assert dotted[1][4] == "12.4"
    assert b"\r\n" in path.read_bytes()


def test_xlsx_has_data_and_metadata_sheets(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    frame, meta = exports.export_frame(con, "commune")
    book = openpyxl.load_workbook(exports.write_xlsx(frame, meta, tmp_path / "x.xlsx"))
    assert book.sheetnames == ["Données", "Métadonnées"]
    data = [list(r) for r in book["Données"].iter_rows(values_only=True)]
    assert data[0] == list(frame.columns)
    assert data[1][:7] == ["35001", "Alpha", "commune", 1000, 12.4, 4, False]
    assert data[2][5] is None and data[2][6] is True  # secret: blank, flagged
    meta_rows = list(book["Métadonnées"].iter_rows(values_only=True))
    by_key = {r[0]: r for r in meta_rows if r[0]}
    assert by_key["share_x"][1:7] == ("Part à 15 min", "%", "déf. x", "f(x)", "bpe_xy", "BPE 2023")
    assert by_key["n_ess"][8] == "n_ess__secret"
    assert by_key["entrepôt : territoire construit"][1] == "dep:35"
    assert "au moins 3 établissements" in by_key["secret statistique"][1]
    assert any(
        "Licence Ouverte 2.0" in str(r[1]) for r in meta_rows if r[0] == "licence et attribution"
    )


def test_parquet_keeps_full_precision_and_metadata(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    frame, meta = exports.export_frame(con, "epci", theme="access")
    table = pq.read_table(exports.write_parquet(frame, meta, tmp_path / "x.parquet"))
    assert table.column("share_x").to_pylist()[0] == 10.123456789
    assert table.column("population").to_pylist() == [1500, None]
    stored = json.loads(table.schema.metadata[exports.PARQUET_KEY])
    assert stored["indicators"][0]["id"] == "share_x" and stored["level"] == "epci"
    assert table.schema.field("share_x").metadata["unité".encode()] == b"%"


def test_gpkg_in_lambert93_when_all_rows_are_mainland(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    frame, meta = exports.export_frame(con, "commune", geometry=True)
    path = exports.write_gpkg(frame, meta, tmp_path / "x.gpkg")
    read = geopandas.read_file(path, layer="territoires")
    assert read.crs.to_epsg() == 2154 and len(read) == 3
    assert read.geometry.iloc[0].bounds == (350000.0, 6790000.0, 351000.0, 6791000.0)
    assert read["n_ess__secret"].tolist() == [False, True, False]
    stored = pyogrio.read_info(path)["layer_metadata"]
    assert stored["système de coordonnées"] == "EPSG:2154"
    assert "au moins 3 établissements" in stored["secret statistique"]
    assert json.loads(stored["indicateurs"])[1]["colonne secret"] == "n_ess__secret"
    assert json.loads(stored["territoires"])["crs_epsg"] == 2154


def test_gpkg_in_wgs84_when_mainland_and_overseas_mix(tmp_path: Path) -> None:
    with connect(_tiny(tmp_path / "o.duckdb", overseas=True), read_only=True) as c:
        frame, meta = exports.export_frame(c, "commune", geometry=True)
    assert meta.crs_epsg == 4326
    read = geopandas.read_file(exports.write_gpkg(frame, meta, tmp_path / "o.gpkg"))
    lon, lat = read.geometry.iloc[2].centroid.coords[0]  # La Réunion
    assert 55.0 < lon < 56.0 and -21.5 < lat < -20.5
    lon, lat = read.geometry.iloc[0].centroid.coords[0]  # Rennes area
    assert -2.0 < lon < -1.0 and 47.5 < lat < 48.5


def test_gpkg_needs_geometry(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    frame, meta = exports.export_frame(con, "commune")
    with pytest.raises(ExportError, match="géométrie absente"):
        exports.write_gpkg(frame, meta, tmp_path / "x.gpkg")
    assert os.listdir(tmp_path) == []


def test_failed_write_leaves_the_old_file_and_no_temp(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "x.gpkg"
    target.write_bytes(b"old")
    frame, meta = exports.export_frame(con, "commune", geometry=True)

    def half(df: object, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"half-written")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyogrio, "write_dataframe", half)
    with pytest.raises(ExportError, match="No space left on device"):
        exports.write_gpkg(frame, meta, target)
    assert target.read_bytes() == b"old"
    assert os.listdir(out) == ["x.gpkg"]


@pytest.mark.parametrize("where", ["missing", "file", "dir"])
def test_bad_targets(con: duckdb.DuckDBPyConnection, tmp_path: Path, where: str) -> None:
    frame, _ = exports.export_frame(con, "commune")
    (tmp_path / "plain").write_text("x")
    target = {
        "missing": tmp_path / "nope" / "x.csv",
        "file": tmp_path / "plain" / "x.csv",
        "dir": tmp_path,
    }[where]
    with pytest.raises(ExportError, match=r"dossier de sortie introuvable|est un dossier"):
        exports.write_csv(frame, target)
    assert os.listdir(tmp_path) == ["plain"]


def test_unwritable_folder(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Tests run as root here, where chmod cannot make a folder unwritable.)"""
    frame, _ = exports.export_frame(con, "commune")

    def refuse(**kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(ExportError, match=r"impossible d'écrire dans le dossier .*Permission"):
        exports.write_csv(frame, tmp_path / "x.csv")
    assert os.listdir(tmp_path) == []


def test_unknown_format(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    frame, meta = exports.export_frame(con, "commune")
    with pytest.raises(ExportError, match="format inconnu « docx »"):
        exports.write_export(frame, meta, tmp_path / "x.docx", "docx")


# --- the command line -------------------------------------------------------------


def _cli(*args: str) -> int:
    return main(["export", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "canton", "--format", "csv"], "niveau inconnu « canton »"),
        (["--level", "commune", "--theme", "sport", "--format", "csv"], "thème inconnu"),
        (["--level", "commune", "--theme", "third_places", "--format", "csv"], "fabriques_"),
        (["--level", "commune", "--territory", "dep:22", "--format", "csv"], "aucun territoire"),
        (["--level", "commune", "--territory", "dep:44", "--format", "csv"], "44 absent"),
        (["--level", "commune", "--format", "docx"], "format inconnu"),
    ],
)  # fmt: skip
def test_cli_bad_input_exits_1_and_keeps_the_old_file(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list, message: str
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(b"old")
    assert _cli("--db", str(tiny), *args, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith("erreur: ") and message in err
    assert out.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_cli_missing_folder(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "absent" / "x.csv"
    assert _cli("--db", str(tiny), "--level", "commune", "--format", "csv", "--out", str(out)) == 1
    assert "dossier de sortie introuvable" in capsys.readouterr().err
    assert not out.parent.exists()


def test_cli_malformed_territory_is_a_usage_error(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "x.csv"
    args = ["--level", "commune", "--territory", "dep:999", "--format", "csv", "--out", str(out)]
    assert _cli("--db", str(tiny), *args) == 2
    assert "mal formé" in capsys.readouterr().err and not out.exists()


def _dep35_count(db: Path, level: str) -> int:
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute("SELECT count(*) FROM territories WHERE level = ?", [level]).fetchone()[0]


def test_cli_dep35_writes_the_four_formats(
    dep35_built: BuildReport, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = Path(dep35_built.db_path)
    n_communes = _dep35_count(db, "commune")
    common = ["--db", str(db), "--level", "commune", "--territory", "dep:35"]
    for fmt in exports.FORMATS:
        assert _cli(*common, "--format", fmt, "--out", str(tmp_path / f"x.{fmt}")) == 0
    assert f"{n_communes} ligne(s)" in capsys.readouterr().out
    rows = _csv_rows((tmp_path / "x.csv").read_bytes())
    assert rows[0][:4] == ["code", "nom", "niveau", "population"] and len(rows) == n_communes + 1
    assert rows[0][-1] == "territoire_complet" and len(rows[0]) > 6
    book = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert book.sheetnames == ["Données", "Métadonnées"]
    meta_ids = {r[0] for r in book["Métadonnées"].iter_rows(values_only=True)}
    flags = {c for c in rows[0] if c.endswith(("__secret", "__note"))}
    assert set(rows[0][4:-1]) - flags <= meta_ids
    gpkg = geopandas.read_file(tmp_path / "x.gpkg", layer="territoires")
    assert gpkg.crs.to_epsg() == 2154 and len(gpkg) == n_communes
    assert gpkg.geometry.notna().all() and gpkg.geometry.is_valid.mean() > 0.99
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.num_rows == n_communes and table.column_names == rows[0]


@pytest.mark.parametrize("level", ["epci", "departement", "region"])
def test_cli_dep35_gpkg_has_one_row_per_territory_of_the_level(
    dep35_built: BuildReport, tmp_path: Path, level: str
) -> None:
    db = Path(dep35_built.db_path)
    out = tmp_path / f"{level}.gpkg"
    args = ["--db", str(db), "--level", level, "--theme", "access", "--format", "gpkg"]
    assert _cli(*args, "--out", str(out)) == 0
    read = geopandas.read_file(out, layer="territoires")
    assert len(read) == _dep35_count(db, level) and read.crs.to_epsg() == 2154


# --- one population point per commune ---------------------------------------------------


def test_single_point_note_follows_build_info(con: duckdb.DuckDBPyConnection) -> None:
    _, meta = exports.export_frame(con, "commune")
    assert meta.population_note == ""  # an older warehouse that does not say
    assert "points de population" not in dict(meta.key_values())
    town_halls = dataclasses.replace(meta, build=(*meta.build, ("population_points", "mairie")))
    assert dict(town_halls.key_values())["points de population"] == exports.SINGLE_POINT_NOTE
    assert json.loads(town_halls.to_json())["population_note"] == exports.SINGLE_POINT_NOTE
    grid = dataclasses.replace(meta, build=(*meta.build, ("population_points", "carreau_200m")))
    assert "points de population" not in dict(grid.key_values())
    assert "population_note" not in json.loads(grid.to_json())


def test_cli_dep35_metadata_says_commune_values_sit_at_the_town_hall(
    dep35_built: BuildReport, tmp_path: Path
) -> None:
    note = exports.SINGLE_POINT_NOTE
    assert note.startswith("Valeurs communales calculées sur un seul point (la mairie)")
    common = ["--db", str(dep35_built.db_path), "--level", "commune", "--theme", "access"]
    for fmt in ("xlsx", "parquet", "gpkg"):
        assert _cli(*common, "--format", fmt, "--out", str(tmp_path / f"x.{fmt}")) == 0
    book = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    rows = {r[0]: r[1] for r in book["Métadonnées"].iter_rows(values_only=True) if r[0]}
    assert rows["points de population"] == note
    assert rows["entrepôt : population_points"] == "mairie"
    stored = json.loads(pq.read_table(tmp_path / "x.parquet").schema.metadata[exports.PARQUET_KEY])
    assert stored["population_note"] == note
    assert pyogrio.read_info(tmp_path / "x.gpkg")["layer_metadata"]["points de population"] == note


# --- why a value is blank ---------------------------------------------------------------


def test_cli_dep35_blank_values_carry_their_reason(
    dep35_built: BuildReport, tmp_path: Path
) -> None:
    """A value blank because the source is partial is exported blank, with the reason in
    ``<id>__note`` right after it; a given value has no note."""
    ident = "share_within_15min__c301__car"
    out = tmp_path / "x.csv"
    common = ["--db", str(dep35_built.db_path), "--level", "commune", "--theme", "access"]
    assert _cli(*common, "--format", "csv", "--out", str(out)) == 0
    rows = _csv_rows(out.read_bytes())
    header = rows[0]
    value_at, note_at = header.index(ident), header.index(ident + exports.NOTE_SUFFIX)
    assert note_at == value_at + 1 + (header[value_at + 1].endswith("__secret"))
    blank = [r for r in rows[1:] if r[value_at] == ""]
    given = [r for r in rows[1:] if r[value_at] != ""]
    with duckdb.connect(str(dep35_built.db_path), read_only=True) as c:
        expected = c.execute(
            "SELECT count(*) FROM indicator_values WHERE indicator_id = ? "
            "AND level = 'commune' AND value IS NULL",
            [ident],
        ).fetchone()[0]
    assert len(blank) == expected > 0
    assert all(r[note_at].startswith("Non disponible") for r in blank)
    assert all("source partielle" in r[note_at] for r in blank)
    assert given and all(r[note_at] == "" for r in given)


# --- spreadsheet-safe files (issue 13, D4) ----------------------------------------------

HOSTILE = ['=HYPERLINK("http://x";"y")', "+33 1 23", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_csv_and_xlsx_never_hold_a_formula(dep35_built: BuildReport, tmp_path: Path) -> None:
    """Names starting with = + - @ TAB or CR are written as text (OWASP CSV injection),
    in the CSV of `territoires export` / the dashboard and in the XLSX."""
    db = tmp_path / "hostile.duckdb"
    db.write_bytes(Path(dep35_built.db_path).read_bytes())
    with duckdb.connect(str(db)) as c:
        codes = [
            r[0]
            for r in c.execute(
                "SELECT code FROM territories WHERE level = 'commune' ORDER BY code LIMIT 6"
            ).fetchall()
        ]
        for code, name in zip(codes, HOSTILE, strict=True):
            c.execute(
                "UPDATE territories SET name = ? WHERE level = 'commune' AND code = ?", [name, code]
            )
    common = ["--db", str(db), "--level", "commune", "--theme", "access"]
    assert _cli(*common, "--format", "csv", "--out", str(tmp_path / "x.csv")) == 0
    assert _cli(*common, "--format", "xlsx", "--out", str(tmp_path / "x.xlsx")) == 0
    rows = _csv_rows((tmp_path / "x.csv").read_bytes())
    names = {r[0]: r[1] for r in rows[1:]}
    for code, name in zip(codes, HOSTILE, strict=True):
        assert names[code] == "'" + name
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not (cell.startswith("-") and not cell[1:2].isdigit()), cell
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    formulas = [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    sheet = book["Données"]
    written = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(2, 8)}
    assert written[codes[0]] == HOSTILE[0]  # a plain string cell, never a formula


def test_a_killed_export_leaves_no_temporary_folder_behind(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """D16: the temporary folder of an export killed with -9 (its process is gone) is
    removed by the next export to the same file; a running export's is kept."""
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    out = tmp_path / "x.csv"
    stale = tmp_path / f".x.csv.{dead_pid}.abcd.tmp"
    stale.mkdir()
    (stale / "export.csv").write_text("partial", encoding="utf-8")
    running = tmp_path / f".x.csv.{os.getpid()}.efgh.tmp"
    running.mkdir()
    frame, _ = exports.export_frame(con, "commune")
    exports.write_csv(frame, out)
    assert out.is_file()
    assert not stale.exists()
    assert running.is_dir()
