"""Loaders for the BPE nomenclature: labels of facility types and INSEE's gammes.

Two sources, both returning :data:`~etl.loaders.NOMENCLATURE_COLUMNS`:

* the variables/modalities file of an INSEE BPE product
  (``varmod_bpe1318_nb_equip_au.csv``: ``COD_VAR;LIB_VAR;COD_MOD;LIB_MOD;...``),
  whose ``COD_VAR = 'TYPEQU'`` rows give a label to each facility type
  (``bpe_gamme`` is NULL: that file has no gammes);
* INSEE's composition of the BPE **gammes** (``BPE_gammes_equipements_AAAA.xlsx``):
  which facility types form the gamme de proximité, intermédiaire and
  supérieure. The exact layout of the workbook changes between editions (one
  row per type in 2025, one row per group of types with ``regroupement_1..3``
  columns in 2024), so rows are read by their content: every cell that is a
  facility-type code (``A101`` .. ``G104``) takes the gamme named in the same
  row. Title rows, headers, notes and "Hors gamme" rows carry no gamme and are
  skipped. A ``;``-separated CSV export of the workbook is read the same way.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from etl.catalogue import Source
from etl.loaders import NOMENCLATURE_COLUMNS, LoadError
from etl.loaders._common import frame_relation, one_file, read_declared_csv

# A detailed facility type (A206 bureau de poste). Gammes are read with this one.
TYPEQU_RE = re.compile(r"^[A-G][0-9]{3}$")
# Any TYPEQU modality, including the grouped codes of some products (B01G
# "Commerce de bricolage", E01G "Gare" in the 2013-2018 evolution file).
TYPEQU_ANY_RE = re.compile(r"^[A-G][0-9A-Z]{3}$")

# INSEE's gamme labels (accents and case folded) -> our normalised values.
GAMMES: dict[str, str] = {
    "gamme de proximite": "proximite",
    "proximite": "proximite",
    "gamme intermediaire": "intermediaire",
    "intermediaire": "intermediaire",
    "gamme superieure": "superieure",
    "superieure": "superieure",
}
_OUT_OF_GAMME = frozenset({"hors gamme", "hors gammes"})


def fold(text: object) -> str:
    """Lower-case text without accents or surrounding spaces (``Gamme supérieure`` ->
    ``gamme superieure``); None -> ``""``."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


# ---------------------------------------------------------------- TYPEQU labels


def load_bpe_typequ_labels(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Labels of BPE facility types from an INSEE variables/modalities file.

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one
    ``varmod_*.csv`` file (``COD_VAR``, ``COD_MOD``, ``LIB_MOD``...). ``source``: catalogue
    entry (``separator``, ``encoding``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.NOMENCLATURE_COLUMNS`, one row per facility type:
        ``service_type`` (TYPEQU code, e.g. ``A206``), ``label`` (INSEE label,
        e.g. "Bureau de poste"), ``bpe_gamme`` (always NULL here).

    Raises
    ------
    LoadError
        Missing column, no ``TYPEQU`` rows, a malformed or duplicated code.
    """
    rel = read_declared_csv(con, one_file(files, source), source, default_sep=";")
    df = rel.filter("trim(COD_VAR) = 'TYPEQU'").select("trim(COD_MOD), trim(LIB_MOD)").df()
    df.columns = ["service_type", "label"]
    if df.empty:
        raise LoadError(f"source {source.name!r}: aucune ligne COD_VAR = 'TYPEQU'")
    bad = sorted({c for c in df["service_type"] if not TYPEQU_ANY_RE.match(str(c))})
    dup = sorted(set(df.loc[df["service_type"].duplicated(), "service_type"]))
    if bad or dup:
        raise LoadError(
            f"source {source.name!r}: codes TYPEQU invalides {bad[:5]} ou en double {dup[:5]}"
        )
    df["bpe_gamme"] = pd.Series([None] * len(df), dtype="string")
    return frame_relation(con, df, NOMENCLATURE_COLUMNS)


# ---------------------------------------------------------------- gammes


def _xlsx_rows(path: Path) -> list[list[str]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def _csv_rows(path: Path, source: Source) -> list[list[str]]:
    with path.open(encoding=source.encoding or "utf-8", newline="") as handle:
        text = handle.read().lstrip("\ufeff")
    return [
        [c.strip() for c in row]
        for row in csv.reader(text.splitlines(), delimiter=source.separator or ";")
    ]


def _label_after(row: list[str], index: int) -> str | None:
    """The cell right of a code when it reads as a label (not a code, not a gamme)."""
    if index + 1 >= len(row):
        return None
    text = row[index + 1]
    folded = fold(text)
    if not text or TYPEQU_RE.match(text) or folded in GAMMES or folded in _OUT_OF_GAMME:
        return None
    return text


def gamme_rows(rows: Iterable[list[str]], source_name: str) -> pd.DataFrame:
    """(service_type, label, bpe_gamme) from spreadsheet rows, read by content.

    Every cell matching a TYPEQU code takes the gamme named in its row; the
    label is the cell right of the code when it is text. Rows without a gamme
    label (titles, headers, notes, "Hors gamme") are skipped.
    """
    records: dict[str, tuple[str | None, str]] = {}
    for number, row in enumerate(rows, start=1):
        gammes = {GAMMES[f] for f in map(fold, row) if f in GAMMES}
        codes = [i for i, cell in enumerate(row) if TYPEQU_RE.match(cell)]
        if not codes or not gammes:
            continue
        if len(gammes) > 1:
            raise LoadError(
                f"source {source_name!r}: ligne {number} avec plusieurs gammes {gammes}"
            )
        gamme = gammes.pop()
        for i in codes:
            code = row[i]
            previous = records.get(code)
            if previous and previous[1] != gamme:
                raise LoadError(
                    f"source {source_name!r}: {code} à la fois en gamme {previous[1]} et {gamme}"
                )
            label = _label_after(row, i) or (previous[0] if previous else None)
            records[code] = (label, gamme)
    if not records:
        raise LoadError(f"source {source_name!r}: aucune ligne (TYPEQU, gamme) reconnue")
    return pd.DataFrame(
        {
            "service_type": list(records),
            "label": pd.array([v[0] for v in records.values()], dtype="string"),
            "bpe_gamme": [v[1] for v in records.values()],
        }
    ).sort_values("service_type", ignore_index=True)


def load_bpe_gammes(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Gamme (proximité, intermédiaire, supérieure) of each BPE facility type.

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one INSEE
    workbook ``BPE_gammes_equipements_AAAA.xlsx`` (first sheet) or a ``;``-separated CSV export
    of it. ``source``: catalogue entry (``separator``, ``encoding`` for CSV).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`~etl.loaders.NOMENCLATURE_COLUMNS`, one row per facility type
        in a gamme: ``service_type`` (TYPEQU), ``label`` (as published, often
        in capitals; NULL when the row has no label next to the code),
        ``bpe_gamme`` ('proximite' | 'intermediaire' | 'superieure'). Types
        "hors gamme" are absent. INSEE's groupings of several types into one
        item of a gamme (e.g. the schools) are not kept: each type of a group
        gets the group's gamme.

    Raises
    ------
    LoadError
        Unsupported file type, no recognisable row, a type in two gammes.
    """
    path = one_file(files, source)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path, source)
    else:
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    return frame_relation(con, gamme_rows(rows, source.name), NOMENCLATURE_COLUMNS)
