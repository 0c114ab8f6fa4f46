"""The ``territoires`` command line, driven as a user would."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from territoires import main
from warehouse.gate import connect


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    db = tmp / "t.duckdb"
    args = ["build", "--territory", "dep:35", "--mirror", str(mirror_dir), "--offline"]
    args += ["--db", str(db), "--cache", str(tmp / "cache"), "--quiet"]
    assert main(args) == 0
    return db


def test_build_prints_tables_and_missing_sources(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = capsys.readouterr().out  # module fixture output may already be consumed
    assert built.is_file()
    assert "erreur" not in out


def test_sources_lists_loaded_with_vintage_and_rows_and_missing_with_reason(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "--db", str(built)]) == 0
    out = capsys.readouterr().out
    con = connect(built, read_only=True)
    meta = con.execute("SELECT dataset, status, vintage, rows FROM meta").fetchall()
    loaded_part, _, missing_part = out.partition("Sources manquantes")
    for dataset, status, vintage, rows in meta:
        if status == "chargée":
            line = next(li for li in loaded_part.splitlines() if li.strip().startswith(dataset))
            assert vintage in line
            assert f"{int(rows):,d}".replace(",", "\u202f") in line
        else:
            block = missing_part.split(dataset, 1)[1].split("\n")[1]
            assert "raison:" in block and dataset in block


def test_sources_without_db_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "cog_communes" in out and "insee.fr" in out


def test_unknown_territory_exits_2_and_keeps_the_warehouse(
    built: Path, tmp_path: Path, mirror_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.duckdb"
    shutil.copy(built, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    args = ["build", "--territory", "dep:98", "--mirror", str(mirror_dir), "--offline"]
    assert main([*args, "--db", str(db), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "dep" in err and "98" in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_fetch_unknown_source_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--source", "no_such_source", "--offline"]) == 2
    assert "no_such_source" in capsys.readouterr().err


def test_fetch_reports_each_source(tmp_path: Path, mirror_dir: Path, capsys) -> None:
    args = ["fetch", "--mirror", str(mirror_dir), "--offline", "--cache", str(tmp_path)]
    assert main([*args, "--source", "cog_regions", "--source", "contours_communes"]) == 0
    out = capsys.readouterr().out
    assert "ok        cog_regions" in out and "miroir" in out
    assert "manquante contours_communes" in out


def test_serve_missing_warehouse_exits_1_with_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.duckdb"
    assert main(["serve", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "entrepôt introuvable" in err and str(missing) in err
    assert not missing.exists()


@pytest.mark.parametrize("port", ["0", "70000", "huit"])
def test_serve_rejects_a_bad_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    # argparse exits with status 2 (str(SystemExit) is the code); the French message
    # is printed on stderr.
    with pytest.raises(SystemExit, match=r"^2$") as exc:
        main(["serve", "--port", port])
    assert exc.value.code == 2
    assert f"port invalide : {port!r} (entier de 1 à 65535)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--travel-method", "network"], "demande --road-graph"),
        (["--road-graph", "absent.graphml"], "graphe routier introuvable"),
    ],
)
def test_build_refuses_bad_travel_options_before_touching_the_warehouse(
    tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    args = ["build", "--territory", "dep:35", "--offline", "--db", str(db), "--quiet", *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--threshold", "0", "seuil invalide : '0' (nombre de ]0 à 120])"),
        ("--threshold", "nan", "seuil invalide : 'nan'"),
        ("--threshold", "121", "seuil invalide : '121'"),
        ("--buffer-km", "nan", "distance invalide : 'nan' (nombre de [0 à 200])"),
        ("--buffer-km", "inf", "distance invalide : 'inf'"),
        ("--buffer-km", "-1", "distance invalide : '-1'"),
    ],
)
def test_build_refuses_numbers_out_of_range(
    tmp_path: Path, option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 13 re-run: --buffer-km nan/inf were accepted (a build with NaN distances)
    db = tmp_path / "w.duckdb"
    with pytest.raises(SystemExit, match=r"^2$"):
        main(["build", "--territory", "dep:35", "--offline", "--db", str(db), option, value])
    assert message in capsys.readouterr().err
    assert not db.exists()


def test_build_refuses_an_empty_territory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 13 re-run: `--territory ''` built the default dep:35
    db = tmp_path / "w.duckdb"
    assert main(["build", "--territory", "", "--offline", "--db", str(db), "--quiet"]) == 2
    assert "territoire inconnu ''" in capsys.readouterr().err
    assert not db.exists()


# --- bad paths (issue 13: D2, D5, D9, D17) ----------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_mistyped_mirror_is_refused_and_keeps_the_warehouse(
    built: Path, tmp_path: Path, mirror_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D2: a mistyped --mirror used to replace a good warehouse with an empty one."""
    db = tmp_path / "t.duckdb"
    shutil.copy(built, db)
    before = _digest(db)
    typo = mirror_dir.parent / (mirror_dir.name + "x")
    args = ["build", "--territory", "dep:35", "--mirror", str(typo), "--offline"]
    assert main([*args, "--db", str(db), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "dossier miroir introuvable" in err and str(typo) in err
    assert _digest(db) == before


def test_export_onto_the_warehouse_itself_is_refused(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D5: --out equal to --db overwrote the warehouse with a CSV."""
    db = tmp_path / "t.duckdb"
    shutil.copy(built, db)
    before = _digest(db)
    args = ["export", "--db", str(db), "--level", "commune", "--format", "csv"]
    assert main([*args, "--out", str(db)]) == 1
    assert "l'entrepôt lui-même" in capsys.readouterr().err
    assert _digest(db) == before


def test_db_that_is_a_folder_or_under_a_file(
    tmp_path: Path, mirror_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D9: a folder as --db, or a --db whose parent is a file: a French message, no
    traceback, no temporary warehouse left behind."""
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    args = ["build", "--territory", "dep:35", "--mirror", str(mirror_dir), "--offline"]
    assert main([*args, "--db", str(folder), "--quiet"]) == 1
    assert "est un dossier" in capsys.readouterr().err
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == [
        "folder.duckdb"
    ]
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    assert main([*args, "--db", str(a_file / "t.duckdb"), "--quiet"]) == 1
    assert "est un fichier, pas un dossier" in capsys.readouterr().err
    assert main(["sources", "--db", str(folder)]) == 1
    assert "est un dossier" in capsys.readouterr().err


def test_db_that_is_a_csv_is_neither_read_nor_overwritten(
    tmp_path: Path, mirror_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D17: a CSV given as --db gave a misleading DuckDB message (and a build would
    have replaced it)."""
    csv_file = tmp_path / "communes.csv"
    csv_file.write_text("code;nom\n35238;Rennes\n", encoding="utf-8")
    before = _digest(csv_file)
    out = tmp_path / "x.csv"
    args = ["export", "--db", str(csv_file), "--level", "commune", "--format", "csv"]
    assert main([*args, "--out", str(out)]) == 1
    assert "n'est pas un entrepôt DuckDB" in capsys.readouterr().err
    build = ["build", "--territory", "dep:35", "--mirror", str(mirror_dir), "--offline"]
    assert main([*build, "--db", str(csv_file), "--quiet"]) == 1
    assert "refus de l'écraser" in capsys.readouterr().err
    assert _digest(csv_file) == before and not out.exists()
