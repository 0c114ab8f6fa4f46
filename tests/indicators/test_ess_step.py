"""The ESS build step on a copy of the dep:35 warehouse, with hand-written Sirene
fixtures (official column names, real communes of Ille-et-Vilaine) loaded by the real
loaders, from CSV and from a Parquet written by DuckDB.

Establishments of ``tests/fixtures/sirene/dep35`` that count (active, employing, in
dep:35), with their estimated jobs (bracket midpoint):

=============  ===========================================  =========================
commune        ESS (family, NAF section, jobs)              not ESS (jobs)
=============  ===========================================  =========================
Rennes         assoc Q 14.5, assoc Q 7.5, assoc Q 4,         74.5, 4, 14.5
               assoc R 1.5, coop (SCOP) F 34.5
Bruz           assoc Q 1.5 (employer flag not stated,        34.5
               bracket 01), assoc P 4, assoc P 1.5
Cesson         fondation Q 74.5                              7.5, 4
Le Rheu        assoc R 1.5 (old commune code 35182)
Saint-Malo     assoc R 4, 4, 7.5, assoc R (no bracket: 0),   14.5, and 1.5 (listed by
               assoc ? 1.5 (NAF rév. 1 code), mutuelle K     ESS France: ESS "société
               14.5                                          commerciale" when the list
                                                             is loaded)
=============  ===========================================  =========================

Left out: a closed establishment and two non-employing ones (Rennes, Bruz), one in
01001 (outside the build) and one abroad. Rennes, Bruz, Cesson-Sévigné and Le Rheu are
in Rennes Métropole, Saint-Malo in Saint-Malo Agglomération; région 53 is only partly
in the build (not published).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.catalogue import load_catalogue
from etl.loaders import LoadError
from etl.loaders.sirene import (
    load_ess_france_list,
    load_sirene_etablissements,
    load_sirene_unites_legales,
)
from indicators import _sql
from indicators.ess import FAMILIES, SECTION_KEYS
from indicators.ess_indicators import ESS_INDICATOR_IDS
from indicators.ess_step import compute_ess
from tests.indicators.test_secrecy import determined_blanks, subtraction_attack
from warehouse.build import BuildReport
from warehouse.checks import run_checks

RENNES, BRUZ, CESSON, LE_RHEU, SAINT_MALO = "35238", "35047", "35051", "35240", "35288"
RENNES_METROPOLE, SAINT_MALO_AGGLO = "243500139", "243500782"

# Hand-computed cells (n establishments, estimated jobs); every other cell of a
# published territory is 0. "ess" = all ESS, "all" = all employing establishments.
_SAINT_MALO = {
    "association": (5, 17.0),
    "mutuelle": (1, 14.5),
    "ess": (6, 31.5),
    "R": (4, 15.5),
    "K": (1, 14.5),
    "?": (1, 1.5),
    "all": (8, 47.5),
}
EXPECTED = {
    ("commune", RENNES): {
        "association": (4, 27.5),
        "cooperative": (1, 34.5),
        "ess": (5, 62.0),
        "Q": (3, 26.0),
        "R": (1, 1.5),
        "F": (1, 34.5),
        "all": (8, 155.0),
    },
    ("commune", BRUZ): {
        "association": (3, 7.0),
        "ess": (3, 7.0),
        "Q": (1, 1.5),
        "P": (2, 5.5),
        "all": (4, 41.5),
    },
    ("commune", CESSON): {
        "fondation": (1, 74.5),
        "ess": (1, 74.5),
        "Q": (1, 74.5),
        "all": (3, 86.0),
    },
    ("commune", LE_RHEU): {
        "association": (1, 1.5),
        "ess": (1, 1.5),
        "R": (1, 1.5),
        "all": (1, 1.5),
    },
    ("commune", SAINT_MALO): _SAINT_MALO,
    ("epci", RENNES_METROPOLE): {
        "association": (8, 36.0),
        "cooperative": (1, 34.5),
        "fondation": (1, 74.5),
        "ess": (10, 145.0),
        "Q": (5, 102.0),
        "R": (2, 3.0),
        "F": (1, 34.5),
        "P": (2, 5.5),
        "all": (16, 284.0),
    },
    ("epci", SAINT_MALO_AGGLO): _SAINT_MALO,
    ("departement", "35"): {
        "association": (13, 53.0),
        "cooperative": (1, 34.5),
        "mutuelle": (1, 14.5),
        "fondation": (1, 74.5),
        "ess": (16, 176.5),
        "Q": (5, 102.0),
        "R": (6, 18.5),
        "F": (1, 34.5),
        "P": (2, 5.5),
        "K": (1, 14.5),
        "?": (1, 1.5),
        "all": (24, 331.5),
    },
}
# Cells that must be secret: 1 or 2 establishments, or one above 85 % of the jobs
# (Cesson-Sévigné, all employing establishments: 74.5 / 86 = 86.6 %).
PRIMARY = [
    (RENNES, "cooperative"),
    (BRUZ, "P"),
    (CESSON, "fondation"),
    (CESSON, "ess"),
    (CESSON, "all"),
    (LE_RHEU, "association"),
    (SAINT_MALO, "mutuelle"),
    (RENNES_METROPOLE, "fondation"),
    ("35", "cooperative"),
    ("35", "P"),
]


def _load(con: duckdb.DuckDBPyConnection, fixtures: Path, tmp: Path, fmt: str, listed: bool):
    """Raw tables of the three ESS sources, as the build creates them."""
    catalogue = load_catalogue()
    sources = [
        ("sirene_etablissements", "StockEtablissement_utf8.csv", load_sirene_etablissements),
        ("sirene_unites_legales", "StockUniteLegale_utf8.csv", load_sirene_unites_legales),
    ]
    for name, filename, loader in sources:
        path = fixtures / "sirene" / "dep35" / filename
        if fmt == "parquet":
            out = tmp / path.with_suffix(".parquet").name
            con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{out}' (FORMAT parquet)")
            path = out
        loader(con, [path], catalogue[name]).create(f"raw_{name}")
    if listed:
        path = fixtures / "ess" / "dep35" / "liste_entreprises_ess.csv"
        load_ess_france_list(con, [path], catalogue["ess_france_list"]).create(
            "raw_ess_france_list"
        )


@pytest.fixture
def warehouse(dep35_built: BuildReport, tmp_path: Path) -> Path:
    """A private copy of the shared dep:35 warehouse."""
    path = tmp_path / "dep35.duckdb"
    shutil.copy(dep35_built.db_path, path)
    return path


def _run(path: Path, fixtures: Path, tmp: Path, fmt: str = "csv", listed: bool = False):
    with duckdb.connect(str(path)) as con:
        _load(con, fixtures, tmp, fmt, listed)
        compute_ess(con, None)
        values = con.execute(
            "SELECT * FROM indicator_values WHERE starts_with(indicator_id, 'ess') ORDER BY ALL"
        ).df()
        sectors = con.execute("SELECT * FROM ess_by_sector ORDER BY ALL").df()
        registry = con.execute("SELECT * FROM indicators WHERE theme = 'ess'").df()
        failures = run_checks(con)
        territories = con.execute(_sql.ESS_TERRITORIES).df()
    return values, sectors, registry, failures, territories


def _published_cells(values: pd.DataFrame, sectors: pd.DataFrame) -> pd.DataFrame:
    """Published cells (level, code, column, n, jobs, secret) as a reader sees them."""
    families = {f"ess_establishments__{f}": f for f, _ in FAMILIES}
    counts = values[values["indicator_id"].isin([*families, "ess_establishments"])]
    jobs = values[values["indicator_id"].str.startswith("ess_jobs_estimate")]
    jobs = jobs[jobs["indicator_id"] != "ess_share_jobs_estimate"]
    column = counts["indicator_id"].map(families).fillna("ess")
    cells = counts.assign(column=column.to_numpy(), n=counts["value"])
    job_column = jobs["indicator_id"].str.replace("ess_jobs_estimate", "ess_establishments")
    jobs = jobs.assign(column=job_column.map(families).fillna("ess").to_numpy())
    cells = cells.merge(
        jobs[["level", "code", "column", "value"]].rename(columns={"value": "jobs"}),
        on=["level", "code", "column"],
    )
    share = values[values["indicator_id"] == "ess_share_establishments"]
    share_jobs = values[values["indicator_id"] == "ess_share_jobs_estimate"]
    all_cells = share[["level", "code", "denominator"]].merge(
        share_jobs[["level", "code", "denominator"]], on=["level", "code"]
    )
    # A secret share hides the employing total too (reader cannot see it either).
    all_cells = all_cells.assign(
        column="all",
        n=all_cells["denominator_x"],
        jobs=all_cells["denominator_y"],
        secret=share["secret"].to_numpy(),
    )
    section_cells = sectors.assign(
        column=sectors["naf_section"], n=sectors["establishments"], jobs=sectors["jobs_estimate"]
    )
    keep = ["level", "code", "column", "n", "jobs", "secret"]
    return pd.concat(
        [cells[keep], all_cells[keep], section_cells[keep]], ignore_index=True
    ).set_index(["level", "code", "column"])


def test_step_figures_match_the_hand_count(warehouse, fixtures_dir, tmp_path):
    values, sectors, registry, failures, territories = _run(warehouse, fixtures_dir, tmp_path)
    assert not failures
    assert sorted(registry["id"]) == sorted(ESS_INDICATOR_IDS)
    assert values.groupby("indicator_id").size().nunique() == 1  # every territory, every id
    cells = _published_cells(values, sectors)
    complete = territories.set_index(["level", "code"])["complete"].fillna(False)
    complete[complete.index.get_level_values(0) == "commune"] = True
    checked = 0
    for (level, code, column), row in cells.iterrows():
        if not complete[(level, code)]:
            assert np.isnan(row["n"]) and not row["secret"], (level, code, column)
            continue
        if row["secret"]:
            assert np.isnan(row["n"]) and np.isnan(row["jobs"])
            continue
        n, jobs = EXPECTED.get((level, code), {}).get(column, (0, 0.0))
        assert (row["n"], row["jobs"]) == (n, jobs), (level, code, column)
        checked += 1
    assert checked > 0.9 * len(cells)  # nearly all cells are empty and published as 0
    levels = dict(zip(territories["code"], territories["level"], strict=False))
    for code, column in PRIMARY:
        assert cells.loc[(levels[code], code, column), "secret"], (code, column)
    # Hand-checked figures that stay published (the département's headline figures).
    dep = values[values["code"] == "35"].set_index("indicator_id")
    assert dep.loc["ess_establishments", "value"] == 16
    assert dep.loc["ess_jobs_estimate", "value"] == 176.5
    assert dep.loc["ess_share_establishments", "value"] == pytest.approx(100 * 16 / 24)
    bruz = values[values["code"] == BRUZ].set_index("indicator_id")
    assert bruz.loc["ess_establishments_per_10k", "value"] == pytest.approx(1e4 * 3 / 19683)
    assert bruz.loc["ess_share_establishments", "value"] == 75.0


def test_no_blank_can_be_recomputed_from_the_warehouse(warehouse, fixtures_dir, tmp_path):
    """The attacker of test_secrecy on what the warehouse publishes: the tables of the
    complete territories (communes of each EPCI and of the département + their totals;
    families + total, sections + total; all employing establishments)."""
    values, sectors, _, _, territories = _run(warehouse, fixtures_dir, tmp_path)
    cells = _published_cells(values, sectors)
    published = territories[
        territories["complete"].fillna(False) | (territories["level"] == "commune")
    ]
    rows = list(zip(published["level"], published["code"], strict=True))
    columns = [f for f, _ in FAMILIES] + ["ess", *SECTION_KEYS, "all"]
    number = {
        (lvl, code, col): i
        for i, (lvl, code, col) in enumerate(
            (lvl, code, col) for lvl, code in rows for col in columns
        )
    }
    equations = []
    communes = published[published["level"] == "commune"]
    for level, key in (("epci", "epci_code"), ("departement", "dep_code")):
        for parent in published.loc[published["level"] == level, "code"]:
            members = communes.loc[communes[key] == parent, "code"]
            for col in columns:
                eq = {number[("commune", c, col)]: 1.0 for c in members}
                eq[number[(level, parent, col)]] = -1.0
                equations.append(eq)
    for level, code in rows:
        for inner in ([f for f, _ in FAMILIES], list(SECTION_KEYS)):
            eq = {number[(level, code, col)]: 1.0 for col in inner}
            eq[number[(level, code, "ess")]] = -1.0
            equations.append(eq)
    flat = cells.reindex(list(number))
    for measure in ("n", "jobs"):
        hidden = flat["secret"].to_numpy(dtype=bool)
        assert hidden.sum() >= len(PRIMARY)
        assert not subtraction_attack(flat[measure].to_numpy(), hidden, equations)
        assert not determined_blanks(hidden, equations)


def test_parquet_gives_the_same_tables(dep35_built, fixtures_dir, tmp_path):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    shutil.copy(dep35_built.db_path, first)
    shutil.copy(dep35_built.db_path, second)
    from_csv = _run(first, fixtures_dir, tmp_path, "csv")
    from_parquet = _run(second, fixtures_dir, tmp_path, "parquet")
    pd.testing.assert_frame_equal(from_csv[0], from_parquet[0])
    pd.testing.assert_frame_equal(from_csv[1], from_parquet[1])


def test_ess_france_list_adds_its_units(warehouse, fixtures_dir, tmp_path):
    values, _, registry, failures, _ = _run(warehouse, fixtures_dir, tmp_path, listed=True)
    assert not failures
    by = values.set_index(["indicator_id", "code"])["value"]
    # The listed Saint-Malo recyclerie (Sirene: not ESS, SAS) joins as a commercial company.
    assert by[("ess_establishments", SAINT_MALO)] == 7
    assert by[("ess_jobs_estimate", SAINT_MALO)] == 33.0
    assert by[("ess_establishments", "35")] == 17
    assert np.isnan(by[("ess_establishments__societe_commerciale", SAINT_MALO)])  # 1: secret
    assert registry["sources"].str.contains("ess_france_list").all()


def test_rerun_replaces_rows(warehouse, fixtures_dir, tmp_path):
    values, *_ = _run(warehouse, fixtures_dir, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        compute_ess(con, None)
        again = con.execute(
            "SELECT * FROM indicator_values WHERE starts_with(indicator_id, 'ess') ORDER BY ALL"
        ).df()
        n_registry = con.execute("SELECT count(*) FROM indicators WHERE theme = 'ess'").fetchone()
    pd.testing.assert_frame_equal(values, again)
    assert n_registry == (len(ESS_INDICATOR_IDS),)


def test_missing_sources_write_nothing(warehouse, fixtures_dir, tmp_path, caplog):
    catalogue = load_catalogue()
    path = fixtures_dir / "sirene" / "dep35" / "StockEtablissement_utf8.csv"
    with duckdb.connect(str(warehouse)) as con:
        before = con.execute("SELECT count(*) FROM indicator_values").fetchone()
        load_sirene_etablissements(con, [path], catalogue["sirene_etablissements"]).create(
            "raw_sirene_etablissements"
        )
        with caplog.at_level(logging.WARNING, logger="indicators.ess_step"):
            compute_ess(con, None)
        assert con.execute("SELECT count(*) FROM indicator_values").fetchone() == before
        assert not _sql.table_exists(con, "ess_by_sector")
        assert not con.execute("SELECT count(*) FROM indicators WHERE theme = 'ess'").fetchone()[0]
    assert "sirene_unites_legales" in caplog.text and "aucun indicateur ESS" in caplog.text


def test_bad_input_is_refused_and_nothing_is_half_written(
    dep35_built, warehouse, fixtures_dir, tmp_path, monkeypatch
):
    catalogue = load_catalogue()
    source = fixtures_dir / "sirene" / "dep35" / "StockEtablissement_utf8.csv"
    # 1. A Sirene file without codeCommuneEtablissement: the loader names the column.
    broken = tmp_path / "StockEtablissement_utf8.csv"
    with duckdb.connect() as mem:
        mem.execute(
            f"COPY (SELECT * EXCLUDE (codeCommuneEtablissement) FROM read_csv('{source}', "
            f"all_varchar = true)) TO '{broken}' (HEADER, DELIMITER ',')"
        )
        with pytest.raises(LoadError, match="codeCommuneEtablissement"):
            load_sirene_etablissements(mem, [broken], catalogue["sirene_etablissements"])
    # 2. A raw table without a column the step reads: clear error, nothing written.
    with duckdb.connect(str(warehouse)) as con:
        _load(con, fixtures_dir, tmp_path, "csv", listed=False)
        con.execute("ALTER TABLE raw_sirene_unites_legales DROP COLUMN ess")
        with pytest.raises(ValueError, match=r"raw_sirene_unites_legales.*\['ess'\]"):
            compute_ess(con, None)
        assert not _sql.table_exists(con, "ess_by_sector")
        assert not con.execute("SELECT count(*) FROM indicators WHERE theme = 'ess'").fetchone()[0]
    # 3. A failure while writing: the previous ESS rows stay as they were.
    clean = tmp_path / "clean.duckdb"
    shutil.copy(dep35_built.db_path, clean)
    values, sectors, *_ = _run(clean, fixtures_dir, tmp_path)
    monkeypatch.setattr(_sql, "WRITE_ESS_BY_SECTOR", "CREATE TABLE ess_by_sector AS SELECT nope")
    with duckdb.connect(str(clean)) as con:
        load_ess_france_list(
            con,
            [fixtures_dir / "ess" / "dep35" / "liste_entreprises_ess.csv"],
            catalogue["ess_france_list"],
        ).create("raw_ess_france_list")
        with pytest.raises(duckdb.Error, match=r'Referenced column "nope" was not found'):
            compute_ess(con, None)
        after = con.execute(
            "SELECT * FROM indicator_values WHERE starts_with(indicator_id, 'ess') ORDER BY ALL"
        ).df()
        sectors_after = con.execute("SELECT * FROM ess_by_sector ORDER BY ALL").df()
    pd.testing.assert_frame_equal(values, after)
    pd.testing.assert_frame_equal(sectors, sectors_after)
