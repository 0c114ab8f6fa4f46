"""Filosofi loaders (``etl.loaders.filosofi``): communes (real file) and the 200 m grid."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl.loaders import INCOME_COLUMNS, POPULATION_POINT_COLUMNS
from etl.loaders.filosofi import load_filosofi_communes, load_filosofi_grid_200m
from tests.etl.loader_helpers import (
    FILOSOFI,
    fake_source,
    missing_required,
    refused,
    schema_of,
    write_file,
)


def _non_empty(path: Path, column: str) -> int:
    with path.open(encoding="ascii", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle, delimiter=";") if row[column].strip())


def test_filosofi_communes_real_file(con, mirror_dir):
    path = mirror_dir / FILOSOFI
    rel = load_filosofi_communes(con, [path], fake_source("filosofi_communes", ";", "ascii"))
    assert schema_of(rel) == INCOME_COLUMNS
    counts = rel.aggregate(
        "count(*), count(median_income_eur), count(poverty_rate_pct), "
        "count_if(median_income_eur = 0), count_if(poverty_rate_pct = 0)"
    ).fetchone()
    assert counts[0] == 34_930
    assert counts[1] == _non_empty(path, "MED19") == 31_358
    assert counts[2] == _non_empty(path, "TP6019") == 4_368
    assert counts[3:] == (0, 0)  # secret is NULL, never 0
    first = rel.filter("commune_code = '01001'").fetchone()
    assert first == ("01001", 322.0, 819.0, 23970.0, None, None, None)
    ambe = rel.filter("commune_code = '01004'").fetchone()
    assert ambe[3:] == (20510.0, 18.0, 11080.0, 35230.0)
    empty = rel.filter("commune_code = '01006'").fetchone()
    assert empty == ("01006", None, None, None, None, None, None)


def test_filosofi_vintage_read_from_header(con, tmp_path):
    header = "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;D121;D921;RD21\n"
    path = write_file(
        tmp_path / "cc.csv",
        header + "01001;330;830;24500;s;;;\n2A004;30000;60000;21000;17,5;11000;36000;3.3\n",
    )
    rows = sorted(load_filosofi_communes(con, [path], fake_source("f", ";")).fetchall())
    assert rows == [
        ("01001", 330.0, 830.0, 24500.0, None, None, None),
        ("2A004", 30000.0, 60000.0, 21000.0, 17.5, 11000.0, 36000.0),
    ]


COMMUNES = (load_filosofi_communes, fake_source("f", ";"))
GRID = (load_filosofi_grid_200m, fake_source("g", ","))
HEADER_19 = "CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;TP6019;D119"


@pytest.mark.parametrize(
    ("loader_and_source", "filename", "text", "match"),
    [
        pytest.param(
            COMMUNES,
            "a.csv",
            HEADER_19 + "\n01001;1;2;3;4;5\n",
            missing_required("f", "D919"),
            id="communes_missing_column",
        ),
        pytest.param(
            COMMUNES,
            "b.csv",
            "CODGEO;MEDIANE\n01001;3\n",
            r"^source 'f': millésime Filosofi introuvable \(colonnes MEDaa trouvées : \[\]\)$",
            id="communes_no_vintage",
        ),
        pytest.param(
            COMMUNES,
            "c.csv",
            HEADER_19 + ";D919\n01001;1;2;abc;4;5;6\n",
            r"^source 'f': valeurs non numériques dans MED19: \['abc'\]$",
            id="communes_bad_value",
        ),
        pytest.param(
            GRID,
            "carreaux.csv",
            "idcar_200m,i_est_200,lcog_geo,ind,men\nN2846800E3455200,0,35238,1,1\n",
            r"^source 'g': 1 identifiant\(s\) de carreau illisible\(s\), par ex\. "
            r"'N2846800E3455200' dans carreaux\.csv$",
            id="grid_bad_cell_id",
        ),
        pytest.param(
            GRID,
            "m.csv",
            "idcar_200m,lcog_geo,ind,men\nx,35238,1,1\n",
            missing_required("g", "i_est_200"),
            id="grid_missing_column",
        ),
    ],
)
def test_filosofi_bad_file_is_refused(con, tmp_path, loader_and_source, filename, text, match):
    loader, source = loader_and_source
    refused(loader, con, write_file(tmp_path / filename, text), source, match)


def test_filosofi_grid_fixture(con, fixtures_dir):
    path = fixtures_dir / "population" / "filosofi_200m_sample.csv"
    rel = load_filosofi_grid_200m(
        con, [path], fake_source("filosofi_grid_200m", ",", role="population")
    )
    assert schema_of(rel) == POPULATION_POINT_COLUMNS
    rows = {r[0]: r for r in rel.fetchall()}
    assert len(rows) == 10
    # Rennes city centre: SW corner E=3,455,200 N=2,846,800 (EPSG:3035); centroid
    # E=3,455,300 N=2,846,900, i.e. 1.67706 °W 48.11779 °N (pyproj, checked against
    # the town hall at 1.6778 °W 48.1173 °N, 60 m away).
    rennes = rows["CRS3035RES200mN2846800E3455200"]
    assert rennes[1:5] == ("35238", 312.5, 180.0, pytest.approx(-1.677061, abs=1e-5))
    assert rennes[5] == pytest.approx(48.117790, abs=1e-5)
    assert rennes[6] is False
    # A cell straddling Rennes (35238) and Bruz (35047): the first code is kept.
    assert rows["CRS3035RES200mN2837400E3448600"][1] == "35238"
    imputed = {k for k, r in rows.items() if r[6]}
    assert imputed == {
        "CRS3035RES200mN2846200E3460800",
        "CRS3035RES200mN2573400E3928400",
        "CRS2975RES200mN7690000E0338400",
    }
    assert rows["CRS3035RES200mN2091400E4215800"][1] == "2A004"
    assert rows["CRS3035RES200mN2573400E3928400"][1] == "01001"
    # Secret counts are NULL, not 0.
    assert rows["CRS3035RES200mN2850000E3455000"][2:4] == (None, None)
    # Overseas cells use their own CRS, read from the id.
    fdf = rows["CRS5490RES200mN1615400E707800"]
    assert fdf[4] == pytest.approx(-61.070, abs=0.002) and fdf[5] == pytest.approx(
        14.605, abs=0.002
    )
    reunion = rows["CRS2975RES200mN7690000E0338400"]
    assert reunion[4] == pytest.approx(55.447, abs=0.002)
    assert reunion[5] == pytest.approx(-20.882, abs=0.002)
