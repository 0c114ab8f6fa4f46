"""Siting and criticality on dep:35 built from the mirror (real data), and the
``territoires plan`` command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators import siting
from territoires import main
from warehouse.build import BuildReport
from warehouse.gate import connect


@pytest.fixture(scope="module")
def inputs(dep35_built: BuildReport) -> siting.SitingInputs:
    con = connect(dep35_built.db_path, read_only=True)
    try:
        return siting.load_inputs(con, "departement", "35", "france_services", "car")
    finally:
        con.close()


def test_more_sites_cover_more_people_and_the_report_adds_up(inputs) -> None:
    results = [siting.plan_sites(inputs, n, threshold_min=20) for n in (1, 2, 3)]
    gains = [r.summary["newly_within"] for r in results]
    assert gains[0] > 0 and gains == sorted(gains)
    for r in results:
        s = r.summary
        assert r.optimal.value >= r.greedy.value
        assert s["newly_within"] == pytest.approx(r.optimal.value)
        assert s["after_within"] - s["before_within"] == pytest.approx(s["newly_within"])
        assert r.sites["newly_within"].sum() == pytest.approx(s["newly_within"])
        assert set(r.sites["commune_code"].str[:2]) == {"35"}
        assert r.by_epci["population"].sum() == pytest.approx(s["population"])
        assert r.by_epci["newly_within"].sum() == pytest.approx(s["newly_within"])
        gini = r.fracture.set_index("index")
        assert gini.loc["gini_share", "after"] < gini.loc["gini_share", "before"]
    # the before figures are the warehouse's own: the same population and share
    first = results[0].summary
    assert first["population"] == pytest.approx(inputs.points["population"].sum())
    stored = inputs.points["minutes"].to_numpy(dtype=float, na_value=np.inf) <= 20
    share = 100 * inputs.points["population"][stored].sum() / first["population"]
    assert first["before_share"] == pytest.approx(share)


def test_time_objective_lowers_the_mean_time(inputs) -> None:
    result = siting.plan_sites(inputs, 2, threshold_min=20, objective="time")
    s = result.summary
    assert s["after_mean_minutes"] < s["before_mean_minutes"]
    saved = (s["before_mean_minutes"] - s["after_mean_minutes"]) * s["population"]
    assert result.optimal.value == pytest.approx(saved, rel=1e-6)


def test_critical_sites_are_ranked_and_consistent(inputs) -> None:
    table = siting.criticality(inputs, 20)
    assert len(table) > 10
    assert (table["stranded"] <= table["within"]).all()
    assert (table["within"] <= table["nearest_for"]).all()
    assert table["stranded"].is_monotonic_decreasing
    assert table.loc[0, "rank"] == 1 and table.loc[0, "stranded"] > 0
    # every inhabitant reaching a site is counted at exactly one site
    reached = inputs.points["population"][inputs.points["minutes"].notna()].sum()
    assert table["nearest_for"].sum() == pytest.approx(reached)


def test_user_candidates_by_commune_and_by_coordinates(dep35_built, tmp_path: Path) -> None:
    listed = tmp_path / "sites.csv"
    listed.write_text("code_commune;nom\n35360;Gare de Vitré\n35115;\n", encoding="utf-8")
    placed = tmp_path / "points.csv"
    placed.write_text("lon,lat\n-1.6778,48.1173\n", encoding="utf-8")
    con = connect(dep35_built.db_path, read_only=True)
    try:
        by_code = siting.read_candidates(con, listed)
        by_xy = siting.read_candidates(con, placed)
        with pytest.raises(siting.SitingError, match="ligne 2 : code commune INSEE inconnu"):
            bad = tmp_path / "bad.csv"
            bad.write_text("code_commune\n99999\n", encoding="utf-8")
            siting.read_candidates(con, bad)
        with pytest.raises(siting.SitingError, match="n'est dans aucune commune"):
            far = tmp_path / "far.csv"
            far.write_text("lon,lat\n5.0,45.0\n", encoding="utf-8")
            siting.read_candidates(con, far)
        with pytest.raises(siting.SitingError, match="colonnes attendues"):
            odd = tmp_path / "odd.csv"
            odd.write_text("x,y\n1,2\n", encoding="utf-8")
            siting.read_candidates(con, odd)
        with pytest.raises(siting.SitingError, match="type d'équipement inconnu"):
            siting.load_inputs(con, "departement", "35", "piscine_olympique", "car")
        with pytest.raises(siting.SitingError, match="aucun point de population"):
            siting.load_inputs(con, "departement", "56", "france_services", "car")
    finally:
        con.close()
    assert list(by_code["label"]) == ["Gare de Vitré", "Mairie de Fougères"]
    assert list(by_code["commune_code"]) == ["35360", "35115"]
    assert list(by_xy["commune_code"]) == ["35238"]  # Rennes, place de la Mairie
    assert by_xy.loc[0, "x"] == pytest.approx(351_900, abs=2_000)


def test_plan_command_prints_and_writes_the_sites(dep35_built, tmp_path, capsys) -> None:
    out = tmp_path / "plan.xlsx"
    args = ["plan", "--db", str(dep35_built.db_path), "--territory", "dep:35"]
    args += ["--service", "france_services", "--threshold", "20", "--new", "2", "--quiet"]
    assert main([*args, "--format", "xlsx", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1. Mairie de" in text and "habitant(s) nouvellement à portée" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == [
        "Sites proposés",
        "Territoire",
        "EPCI",
        "Communes",
        "Fractures",
        "Méthode",
    ]
    assert len(sheets["Sites proposés"]) == 2
    assert "Habitants nouvellement à portée" in sheets["Sites proposés"].columns
    # too many sites, and the critical sites as a GeoPackage
    assert main([*args[:-3], "--new", "5000", "--quiet"]) == 1
    assert "de 1 au nombre de sites candidats" in capsys.readouterr().err
    gpkg = tmp_path / "critical.gpkg"
    assert main([*args[:-3], "--critical", "--format", "gpkg", "--out", str(gpkg)]) == 0
    import geopandas

    critical = geopandas.read_file(gpkg)
    assert critical.crs.to_epsg() == 4326 and critical.iloc[0]["Rang"] == 1
