"""Annuaire de l'éducation (``etl.loaders.education``), on the mirrored 35 and 94 extracts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from tests.etl.loader_helpers import (
    CATALOGUE,
    check_missing_column,
    csv_rows,
    load_facilities,
)


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
        for r in csv_rows(path, ";"):
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
    df = load_facilities(con, "education_annuaire", education_files)
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


def test_missing_column_names_source_and_column(
    con: duckdb.DuckDBPyConnection, education_files: list[Path], tmp_path: Path
) -> None:
    check_missing_column(con, "education_annuaire", education_files[1], "Code_commune", tmp_path)
