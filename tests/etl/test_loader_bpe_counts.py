"""BPE counts loader (``etl.loaders.bpe.load_bpe_counts``) on a hand-written gzip fixture
in the official format of ``bpe19_ensemble`` (``REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from etl.loaders import FACILITY_COUNT_COLUMNS, LoadError
from tests.etl.loader_helpers import run_loader

HEADER = "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP\n"


@pytest.fixture(scope="module")
def bpe19_sample(fixtures_dir: Path) -> Path:
    return fixtures_dir / "bpe" / "bpe_ens_2019_sample.csv.gz"


def test_bpe19_counts_fixture(con: duckdb.DuckDBPyConnection, bpe19_sample: Path) -> None:
    rel = run_loader(con, "bpe19_ensemble", [bpe19_sample])
    assert rel.columns == list(FACILITY_COUNT_COLUMNS)
    assert [str(t) for t in rel.types] == list(FACILITY_COUNT_COLUMNS.values())
    got = {
        (iris, code): (commune, n, year)
        for commune, iris, code, n, year in rel.order("iris_code, service_type").fetchall()
    }
    # one row per (IRIS, type): codes as published (D301, D201: renamed by the warehouse),
    # IRIS on 9 characters, <DEPCOM>0000 for a commune not split into IRIS
    assert got == {
        ("010010000", "B203"): ("01001", 1, 2019),
        ("010040101", "B203"): ("01004", 2, 2019),
        ("010040101", "D301"): ("01004", 3, 2019),
        ("010040102", "B203"): ("01004", 1, 2019),
        ("2A0040103", "D301"): ("2A004", 2, 2019),
        ("352380101", "B203"): ("35238", 4, 2019),
        ("352380101", "D201"): ("35238", 12, 2019),
        ("751187201", "B202"): ("75118", 4, 2019),
        ("974110101", "C102"): ("97411", 1, 2019),
    }


def test_bpe19_counts_refuses_a_bad_count(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "bpe_ens_2019.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(HEADER + "84;01;01001;01001;2019;B203;beaucoup\n")
    with pytest.raises(LoadError, match=r"bpe19_ensemble"):
        run_loader(con, "bpe19_ensemble", [path]).fetchall()


def test_bpe19_counts_refuses_a_bad_commune_code(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "bpe_ens_2019.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(HEADER + "84;01;0100X;0100X;2019;B203;1\n")
    with pytest.raises(LoadError, match=r"code\(s\) commune invalide\(s\)"):
        run_loader(con, "bpe19_ensemble", [path])
