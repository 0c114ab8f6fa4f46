"""Presence of each basket item in the commune (issue 11): by hand on three communes, and
on dep:35 built from the mirror against the BPE 2019 file itself."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from indicators.basket_presence import equipped_points, share_in_equipped_commune
from indicators.indicator import indicator_id
from warehouse.build import BuildReport


def test_equipped_points_look_at_the_commune_only() -> None:
    facilities = pd.DataFrame(
        {"service_type": ["B203", "B207", "D307"], "commune_code": ["35001", "35003", "35002"]}
    )
    communes = np.array(["35001", "35001", "35002", "35003", None], dtype=object)
    assert equipped_points(communes, facilities, ["B203"]).tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]
    # an item met by two types: either counts
    assert equipped_points(communes, facilities, ["B203", "B207"]).tolist() == [
        True,
        True,
        False,
        True,
        False,
    ]


def test_share_is_the_population_of_equipped_communes(three_communes: pd.DataFrame) -> None:
    # 35001 (a: 100, b: 300) equipped, 35002 (c: 50) and 35003 (d, e: 25 + 25) not
    equipped = np.array([True, True, False, False, False])
    frame = share_in_equipped_commune(three_communes, equipped).set_index(["level", "code"])
    assert frame.loc[("commune", "35001"), "value"] == 100.0
    assert frame.loc[("commune", "35002"), "value"] == 0.0
    assert frame.loc[("epci", "E1"), "value"] == pytest.approx(100.0 * 400 / 500)
    assert frame.loc[("epci", "E1"), "numerator"] == 400.0
    # a point whose presence is unknown blanks its territories, not the others
    known = np.array([True, True, True, False, True])
    frame = share_in_equipped_commune(three_communes, equipped, known=known)
    frame = frame.set_index(["level", "code"])
    assert np.isnan(frame.loc[("commune", "35003"), "value"])
    assert np.isnan(frame.loc[("epci", "E1"), "value"])
    assert frame.loc[("commune", "35002"), "value"] == 0.0


def test_bakeries_present_as_in_the_bpe_file(dep35_built: BuildReport, mirror_dir: Path) -> None:
    """A commune of 35 is equipped with a bakery exactly when the BPE 2019 file counts one
    there (communes merged since 2019: through the warehouse's code map)."""
    path = mirror_dir / "insee_bpe_2019_ensemble" / "bpe_ens_2019.csv.gz"
    con = duckdb.connect(str(dep35_built.db_path), read_only=True)
    try:
        in_file = con.execute(
            "SELECT DISTINCT coalesce(m.code, f.DEPCOM) FROM read_csv($p, delim=';', "
            "header=true, all_varchar=true) f LEFT JOIN commune_code_map m "
            "ON m.old_code = f.DEPCOM WHERE f.DEP = '35' AND f.TYPEQU = 'B203' "
            "AND f.NB_EQUIP::BIGINT > 0",
            {"p": str(path)},
        ).fetchall()
        values = dict(
            con.execute(
                "SELECT code, value FROM indicator_values WHERE indicator_id = $id "
                "AND level = 'commune'",
                {"id": indicator_id("access", "present_in_commune", scope="boulangerie")},
            ).fetchall()
        )
    finally:
        con.close()
    equipped = {r[0] for r in in_file}
    assert len(values) > 300 and 100 < len(equipped) < len(values)
    assert {c for c, v in values.items() if v == 100.0} == equipped
    assert {c for c, v in values.items() if v == 0.0} == set(values) - equipped
