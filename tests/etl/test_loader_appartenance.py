"""INSEE table d'appartenance géographique (``etl.loaders.appartenance``)."""

from __future__ import annotations

import pytest

from etl.loaders import LoadError
from etl.loaders.appartenance import APPARTENANCE_COLUMNS, load_appartenance_geo
from tests.etl.loader_helpers import (
    APPARTENANCE,
    fake_source,
    missing_declared,
    schema_of,
    write_file,
)


def test_appartenance_real_file(con, mirror_dir):
    path = mirror_dir / APPARTENANCE
    rel = load_appartenance_geo(con, [path], fake_source("appartenance_geo", ";", "cp1252"))
    assert schema_of(rel) == APPARTENANCE_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    data_lines = len(path.read_bytes().splitlines()) - 1
    assert len(rows) == data_lines == 34_955
    assert all(len(code) == 5 for code in rows)
    assert {c[:2] for c in rows} >= {"01", "2A", "2B", "97"}
    assert rows["01001"] == ("01001", "200069193", "01", "84", "524", "20", "01000")
    assert rows["2A004"][2:] == ("2A", "94", "098", "11", "2A501")
    assert rows["97101"][2:5] == ("971", "01", "9A1")
    assert sum(1 for r in rows.values() if r[1] is None) == 4  # islands without EPCI
    assert {r[5] for r in rows.values()} == {"11", "12", "13", "20", "30"}
    assert all(len(r[4]) == 3 and len(r[6]) == 5 for r in rows.values())


def test_appartenance_missing_column(con, tmp_path):
    path = write_file(
        tmp_path / "t.csv",
        "CODGEO;LIBGEO;DEP;REG;EPCI;UU2020;CATEAAV2020\r\n1001;L'Abergement;1;84;200069193;1000;20\r\n",
        encoding="cp1252",
    )
    with pytest.raises(
        LoadError,
        match=missing_declared("appartenance_geo", "t.csv", "AAV2020"),
    ):
        load_appartenance_geo(con, [path], fake_source("appartenance_geo", ";", "cp1252"))
