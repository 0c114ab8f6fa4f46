"""Helpers shared by the loader tests (``tests/etl/test_loader_*.py``).

Facility loaders are run through the catalogue (:func:`run_loader`, which checks the
catalogue wiring too) and checked by :func:`check_facilities`; the other loaders are
called directly with a test :class:`~etl.catalogue.Source` (:func:`fake_source`).
Real files are read in place from the mirror (``mirror_dir``); hand-written fixtures
in the official formats live under ``tests/fixtures/<theme>/``.
"""

from __future__ import annotations

import csv
import importlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.catalogue import Source, load_catalogue
from etl.loaders import FACILITY_COLUMNS, LoadError
from etl.vocabulary import COMMUNE_CODE_RE

CATALOGUE = load_catalogue()

# Mirror paths of the real files read by the non-facility loaders.
DENSITE = "anct_grilles_communales/densite.csv"
FILOSOFI = "insee_filosofi_2019_communes/cc_filosofi_2019_COM.CSV"
APPARTENANCE = "insee_table_appartenance_geo_2022/table-appartenance-geo-communes-22.csv"
VARMOD = "insee_bpe_2013_2018_aires_urbaines/varmod_bpe1318_nb_equip_au.csv"

# Bounding boxes (lon min, lon max, lat min, lat max) of the parts of France, and the
# box each commune code prefix must fall in.
BOXES = {
    "metro": (-5.3, 9.7, 41.3, 51.2),  # mainland and Corsica
    "antilles": (-63.2, -60.7, 14.3, 18.2),  # Guadeloupe, Martinique, St-Barth, St-Martin
    "guyane": (-54.7, -51.5, 2.0, 5.9),
    "reunion": (55.1, 55.9, -21.5, -20.8),
    "mayotte": (44.9, 45.4, -13.1, -12.5),
    "spm": (-56.5, -56.1, 46.7, 47.2),  # Saint-Pierre-et-Miquelon
}
ZONE_OF_PREFIX = {
    "971": "antilles",
    "972": "antilles",
    "977": "antilles",
    "978": "antilles",
    "973": "guyane",
    "974": "reunion",
    "976": "mayotte",
    "975": "spm",
}

# Short source names of the error tests -> the catalogue entry whose columns they use.
_LIKE = {
    "p": "populations_legales",
    "f": "filosofi_communes",
    "g": "filosofi_grid_200m",
    "s": "sirene_unites_legales",
    "e": "ess_france_list",
}


def _zone(lon: float, lat: float) -> str | None:
    for name, (x0, x1, y0, y1) in BOXES.items():
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return name
    return None


def run_loader(
    con: duckdb.DuckDBPyConnection, name: str, files: Sequence[Path]
) -> duckdb.DuckDBPyRelation:
    """Run the loader the catalogue names for ``name`` (checks the catalogue wiring too)."""
    source = CATALOGUE[name]
    module, function = source.loader.split(":")
    return getattr(importlib.import_module(module), function)(con, list(files), source)


def check_facilities(rel: duckdb.DuckDBPyRelation, name: str) -> pd.DataFrame:
    """Schema and invariants shared by every facility loader; returns the rows."""
    assert rel.columns == list(FACILITY_COLUMNS)
    assert [str(t) for t in rel.types] == list(FACILITY_COLUMNS.values())
    df = rel.df()
    assert len(df) > 0
    assert df["facility_id"].is_unique
    assert df["facility_id"].str.startswith(f"{name}:").all()
    assert (df["source"] == name).all()
    assert df["service_type"].notna().all() and df["label"].notna().all()
    assert (df["lon"].isna() == df["lat"].isna()).all(), "lon and lat are NULL together"
    codes = df["commune_code"].dropna()
    assert codes.map(lambda c: bool(COMMUNE_CODE_RE.match(c))).all()
    located = df[df["lon"].notna()]
    assert len(located) > 0
    zones = [_zone(lon, lat) for lon, lat in zip(located["lon"], located["lat"], strict=True)]
    assert None not in zones, "point outside France"
    for code, zone in zip(located["commune_code"], zones, strict=True):
        if code is not None and not pd.isna(code):
            assert zone == ZONE_OF_PREFIX.get(code[:3], "metro"), (code, zone)
    return df


def load_facilities(
    con: duckdb.DuckDBPyConnection, name: str, files: Sequence[Path]
) -> pd.DataFrame:
    """The rows of the catalogue's loader for ``name``, checked by :func:`check_facilities`."""
    return check_facilities(run_loader(con, name, files), name)


def check_missing_column(
    con: duckdb.DuckDBPyConnection, name: str, original: Path, column: str, tmp_path: Path
) -> None:
    """The loader for ``name``, given the header of ``original`` without ``column`` (a copy
    named as the catalogue's file), raises a :class:`LoadError` naming the source, the file
    and the column."""
    source = CATALOGUE[name]
    path = header_only(original, tmp_path / source.filename, source.separator, column)
    with pytest.raises(LoadError, match=missing_declared(name, source.filename, column)):
        run_loader(con, name, [path])


def refused(
    loader: Callable[..., object],
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    match: str,
) -> None:
    """``loader`` run on ``path`` alone with ``source`` raises a :class:`LoadError` whose
    message matches the regex ``match``."""
    with pytest.raises(LoadError, match=match):
        loader(con, [path], source)


def csv_rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts (the obvious slow reading)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def header_only(src: Path, dst: Path, delimiter: str, drop: str) -> Path:
    """Copy the header of ``src`` without column ``drop`` (and no data rows) to ``dst``."""
    with src.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter))
    assert drop in header
    dst.write_text(delimiter.join(c for c in header if c != drop) + "\n", encoding="utf-8")
    return dst


def missing_declared(name: str, filename: str, column: str, *, more: bool = False) -> str:
    """Regex of the French error for a declared ``column`` absent from ``filename`` (the
    first of several missing columns when ``more``)."""
    return (
        rf"^source '{re.escape(name)}' : colonne\(s\) déclarée\(s\) absente\(s\) de "
        rf"{re.escape(filename)} : \['{re.escape(column)}'" + (", " if more else r"\]")
    )


def missing_required(name: str, column: str) -> str:
    """Regex of the French error (:func:`etl.loaders.require_columns`) for a missing ``column``."""
    return rf"^source '{re.escape(name)}': colonne\(s\) manquante\(s\) \['{re.escape(column)}'\]"


def fake_source(
    name: str, separator: str = "", encoding: str = "utf-8", role: str = "typology"
) -> Source:
    """A test entry with the declared columns of the catalogue entry it stands for."""
    like = load_catalogue().get(_LIKE.get(name, name))
    return Source(
        columns=dict(like.columns) if like else {},
        name=name,
        title="test",
        publisher="test",
        licence="test",
        url="https://example.invalid/file",
        landing="",
        vintage="test",
        role=role,
        format="csv",
        filename="file",
        loader="etl.loaders.x:y",
        separator=separator,
        encoding=encoding,
    )


def schema_of(rel: duckdb.DuckDBPyRelation) -> dict[str, str]:
    """Column name -> DuckDB type name of a relation."""
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}


def write_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path
