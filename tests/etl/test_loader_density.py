"""Communal density grid (``etl.loaders.density``): the ANCT CSV and the INSEE workbook."""

from __future__ import annotations

from collections import Counter

import openpyxl
import pytest

from etl.loaders import TYPOLOGY_COLUMNS
from etl.loaders.density import DENSITY_LEVELS, load_density_grid
from tests.etl.loader_helpers import (
    DENSITE,
    fake_source,
    missing_declared,
    refused,
    schema_of,
    write_file,
)


def test_density_real_file_counts_match_sources_md(con, mirror_dir):
    rel = load_density_grid(con, [mirror_dir / DENSITE], fake_source("density_grid", ","))
    assert schema_of(rel) == TYPOLOGY_COLUMNS
    rows = rel.fetchall()
    assert len(rows) == 34_875
    # Per-label counts documented in SOURCES.md, section 7.
    expected = {1: 699, 2: 637, 3: 1_996, 4: 947, 5: 5_072, 6: 18_288, 7: 7_236}
    assert Counter(r[1] for r in rows) == expected
    by_code = {r[0]: r for r in rows}
    assert by_code["01001"] == ("01001", 6, "Rural à habitat dispersé")
    assert by_code["01004"][1:] == (2, "Centres urbains intermédiaires")
    assert all(len(r[0]) == 5 for r in rows)
    assert {r[2] for r in rows} == set(DENSITY_LEVELS.values())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param(
            "\ufeffinsee_com,lib_com,niveau_densite\n"
            "01001,A,Bourgs ruraux\n01002,B,Rural profond\n",
            r"^source 'density_grid': libellé\(s\) de densité inconnu\(s\) \['Rural profond'\] "
            r"\(attendus : \['Grands centres urbains', ",
            id="unknown_label",
        ),
        pytest.param(
            "insee_com,lib_com,niveau\n01001,A,Bourgs ruraux\n",
            missing_declared("density_grid", "densite.csv", "niveau_densite"),
            id="missing_column_is_named",
        ),
    ],
)
def test_density_bad_file_is_refused(con, tmp_path, text, match):
    path = write_file(tmp_path / "densite.csv", text)
    refused(load_density_grid, con, path, fake_source("density_grid", ","), match)


def test_density_official_insee_workbook(con, tmp_path):
    """INSEE's xlsx: title rows, then CODGEO / LIBGEO / DENS7 (numeric level)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Grille communale de densité à 7 niveaux"])
    sheet.append(["Source : Insee"])
    sheet.append([])
    sheet.append(["CODGEO", "LIBGEO", "DENS7", "LIBDENS7"])
    sheet.append(["01001", "L'Abergement-Clémenciat", 6, "Rural à habitat dispersé"])
    sheet.append(["2A004", "Ajaccio", 2, "Centres urbains intermédiaires"])
    sheet.append(["75056", "Paris", 1, "Grands centres urbains"])
    path = tmp_path / "grille_densite_7_niveaux_2025.xlsx"
    workbook.save(path)
    rows = sorted(load_density_grid(con, [path], fake_source("density_grid")).fetchall())
    assert rows == [
        ("01001", 6, "Rural à habitat dispersé"),
        ("2A004", 2, "Centres urbains intermédiaires"),
        ("75056", 1, "Grands centres urbains"),
    ]
