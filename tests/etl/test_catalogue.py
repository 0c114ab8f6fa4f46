"""Validation of ``etl/catalogue.toml`` entries by :func:`etl.catalogue.load_catalogue`."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.catalogue import (
    COVERAGES,
    FORMATS,
    ROLES,
    TIMETABLE_COVERAGE_RE,
    CatalogueError,
    load_catalogue,
)

GOOD = {
    "title": '"Démo"',
    "publisher": '"Test"',
    "licence": '"Licence Ouverte 2.0"',
    "url": '"https://example.invalid/demo.csv"',
    "vintage": '"2024"',
    "role": '"facilities"',
    "format": '"csv"',
    "filename": '"demo.csv"',
    "loader": '"etl.loaders.demo:load"',
}


def _write(tmp_path: Path, **fields: str | None) -> Path:
    """A one-source catalogue: :data:`GOOD` with ``fields`` replaced (None removes one)."""
    values = {**GOOD, **fields}
    lines = ["[sources.demo]"] + [f"{k} = {v}" for k, v in values.items() if v is not None]
    path = tmp_path / "catalogue.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_shipped_catalogue_is_valid() -> None:
    catalogue = load_catalogue()
    assert catalogue
    for source in catalogue.values():
        assert source.role in ROLES and source.format in FORMATS
        if source.role == "timetable":
            assert TIMETABLE_COVERAGE_RE.match(source.coverage), source.name
        else:
            assert source.coverage in COVERAGES


def test_a_timetable_declares_its_territory(tmp_path: Path) -> None:
    fields = {"role": '"timetable"', "filename": '"stop_times.txt"'}
    with pytest.raises(CatalogueError, match="territoire de son réseau"):
        load_catalogue(_write(tmp_path, **fields))
    source = load_catalogue(_write(tmp_path, **fields, coverage='"epci:200040392"'))["demo"]
    assert source.coverage == "epci:200040392"


def test_a_good_entry_loads(tmp_path: Path) -> None:
    source = load_catalogue(_write(tmp_path, columns='{ code = "VARCHAR" }'))["demo"]
    assert source.columns == {"code": "VARCHAR"} and source.coverage == "france"


def test_empty_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text("# rien\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="catalogue vide"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"colour": '"bleu"'}, r"champs inconnus \['colour'\]"),
        ({"title": None}, r"champs manquants \['title'\]"),
        ({"loader": '""'}, r"champs manquants \['loader'\]"),
        ({"url": None}, "ni 'url' ni 'embedded'"),
        ({"role": '"weather"'}, "rôle inconnu 'weather'"),
        ({"format": '"docx"'}, "format inconnu 'docx'"),
        ({"vintage": '"latest"'}, "millésime implicite 'latest'"),
        ({"coverage": '"europe"'}, "couverture inconnue 'europe'"),
        ({"sha256": '"abc"'}, "'sha256' doit compter 64 chiffres"),
        ({"sha256": '"' + "G" * 64 + '"'}, "'sha256' doit compter 64 chiffres"),
        ({"min_rows": "-1"}, "'min_rows' doit être un entier positif"),
        ({"min_rows": '"100"'}, "'min_rows' doit être un entier positif"),
        ({"sample": '"demo.csv"'}, "'sample' attendu sous la forme paquet/chemin"),
        (
            {"embedded": '"pkg/demo.csv"', "sample": '"etl/sample/demo.csv"'},
            "'sample' inutile pour une source embarquée",
        ),
        ({"columns": "{ code = 5 }"}, "'columns' doit associer un type DuckDB"),
        ({"columns": '{ code = "" }'}, "'columns' doit associer un type DuckDB"),
    ],
)
def test_malformed_entries_are_refused(
    tmp_path: Path, fields: dict[str, str | None], message: str
) -> None:
    with pytest.raises(CatalogueError, match=rf"source 'demo': {message}"):
        load_catalogue(_write(tmp_path, **fields))


def test_an_embedded_source_needs_no_url(tmp_path: Path) -> None:
    source = load_catalogue(_write(tmp_path, url=None, embedded='"pkg/demo.csv"'))["demo"]
    assert source.is_embedded and source.url == ""


def test_declared_columns_are_used_by_every_csv_loader() -> None:
    """Every source read through a header declares the columns its loader reads."""
    no_header = {"bpe_gammes"}  # workbook read by content (codes and gamme labels)
    for name, source in load_catalogue().items():
        if name not in no_header:
            assert source.columns, name
            assert all(t.strip() for t in source.columns.values()), name
