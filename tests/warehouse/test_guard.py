"""A build never replaces a warehouse with a poorer one unless told to (issue 13, D2)."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pytest

from etl.catalogue import Source
from etl.fetch import Fetched, FetchError, SourceUnavailable, fetch_many
from etl.settings import Settings
from tests.conftest import make_settings
from warehouse.build import BuildError, BuildReport, build
from warehouse.guard import Loaded, losses


def _without(name: str):
    """A fetcher that cannot find one source (a mistyped mirror, an empty cache...)."""

    def fetcher(
        sources: Sequence[Source], settings: Settings
    ) -> Mapping[str, Fetched | FetchError]:
        got = dict(fetch_many(sources, settings))
        got[name] = SourceUnavailable(f"source {name!r} introuvable (test)")
        return got

    return fetcher


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_that_lost_a_source_keeps_the_warehouse(
    tmp_path: Path, mirror_dir: Path, dep35_base: BuildReport
) -> None:
    settings = make_settings(tmp_path, mirror_dir)
    shutil.copyfile(dep35_base.db_path, settings.db_path)  # a good warehouse of dep:35
    before = _digest(settings.db_path)
    with pytest.raises(BuildError, match=r"perdrait des données(.|\n)*laposte_points_contact"):
        build(settings, steps=[], fetcher=_without("laposte_points_contact"))
    assert _digest(settings.db_path) == before
    assert not list(tmp_path.glob(".territoires.duckdb.building-*"))
    # Told to, it replaces it, and the warehouse says the source is missing.
    build(
        dataclasses.replace(settings, accept_loss=True),
        steps=[],
        fetcher=_without("laposte_points_contact"),
    )
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        status = con.execute(
            "SELECT status FROM meta WHERE dataset = 'laposte_points_contact'"
        ).fetchone()[0]
    assert status == "absente"


def test_losses_compares_rows_only_for_the_same_territory(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE TABLE meta AS SELECT 'a' AS dataset, 'chargée' AS status, 1000 AS rows, "
            "false AS sample"
        )
        con.execute("CREATE TABLE build_info AS SELECT 'territory' AS key, 'dep:35' AS value")
        con.execute("CREATE TABLE facilities AS SELECT range AS x FROM range(100)")
    a = {"a": Loaded(1000)}
    assert losses(db, "dep:35", a, {"facilities": 60}) == []
    assert losses(db, "dep:35", a, {"facilities": 40}) == ["table facilities : 100 lignes -> 40"]
    assert losses(db, "epci:243500139", a, {"facilities": 4}) == []  # a smaller territory
    assert losses(db, "epci:243500139", {}, {"facilities": 4}) == [
        "source a chargée dans l'entrepôt actuel, absente cette fois"
    ]
    assert losses(tmp_path / "none.duckdb", "dep:35", {}, {}) == []


def test_losses_sees_a_source_file_cut_short(tmp_path: Path) -> None:
    """Issue 13 re-run: an education extract cut in half lost 31 % of the source's rows
    but only a few per cent of all facilities: accepted without a word."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE TABLE meta AS SELECT 'a' AS dataset, 'chargée' AS status, "
            "1000.0 AS rows, false AS sample"  # DOUBLE, as pandas writes it
        )
        con.execute("CREATE TABLE build_info AS SELECT 'territory' AS key, 'dep:35' AS value")
    assert losses(db, "dep:35", {"a": Loaded(850)}, {}) == []  # a new vintage
    assert losses(db, "dep:35", {"a": Loaded(690)}, {}) == [
        "source a : 1\u202f000 lignes chargées -> 690 (fichier tronqué ou extrait partiel ?)"
    ]
    assert losses(db, "dep:35", {"a": Loaded(40, sample=True)}, {}) == []  # sample vs file
    assert losses(db, "epci:243500139", {"a": Loaded(690)}, {}) == []  # another territory


def test_losses_reads_a_warehouse_of_an_older_version(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE meta AS SELECT 'a' AS dataset, 'chargée' AS status")
        con.execute("CREATE TABLE build_info AS SELECT 'territory' AS key, 'dep:35' AS value")
    assert losses(db, "dep:35", {"a": Loaded(10)}, {}) == []
    assert losses(db, "dep:35", {}, {}) == [
        "source a chargée dans l'entrepôt actuel, absente cette fois"
    ]
