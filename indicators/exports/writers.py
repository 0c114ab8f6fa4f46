"""Writing an export: CSV, XLSX, GeoPackage and Parquet, each atomically.

Every writer goes through :func:`atomic_write`, built on :func:`etl.atomic.atomic_path`:
the file is written in a temporary folder next to the target, then moved over it
with ``os.replace``, so a failed export never leaves a half-written file and an
existing target stays untouched; temporary folders of killed exports are removed by
the next export to the same file. Formats are described in :mod:`indicators.exports`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from etl.atomic import atomic_path
from indicators.exports.contract import (
    GEOMETRY_COLUMN,
    GPKG_LAYER,
    PARQUET_KEY,
    ExportError,
    check_format,
)
from indicators.exports.metadata import ExportMeta, column_labels, metadata_tables


def atomic_write(path: Path | str, write: Callable[[Path], None], suffix: str) -> Path:
    """Run ``write(tmp)`` on a file in a temporary folder next to ``path``, then move it
    over ``path`` with ``os.replace`` (:func:`etl.atomic.atomic_path`); on any error
    nothing is left and an existing ``path`` is untouched. ``suffix`` is the extension
    of the temporary file (``".gpkg"``), whatever the extension of ``path``.

    Raises
    ------
    ExportError
        The target folder is missing or not writable, ``path`` is a folder, or the
        writing failed with an :class:`OSError` (disk full...). Other exceptions of
        ``write`` propagate unchanged.
    """
    target = Path(path)
    check_target(target)
    writing = False
    try:
        with atomic_path(target, suffix=suffix) as tmp:
            writing = True
            write(tmp)
    except OSError as exc:
        if not writing:  # the temporary folder could not be created
            raise ExportError(
                f"impossible d'écrire dans le dossier {target.parent} : {exc.strerror}"
            ) from exc
        raise ExportError(f"écriture impossible de {target} : {exc.strerror or exc}") from exc
    return target


def _data_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != GEOMETRY_COLUMN]


def _text_column(series: pd.Series, decimals: int | None, decimal_comma: bool) -> list[str]:
    """CSV cells of one column: rounded numbers, ``oui``/``non``, blanks for missing."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return ["oui" if x else "non" for x in series.to_numpy()]
    if pd.api.types.is_float_dtype(series.dtype):
        cells = ["" if x != x else _number_text(x, decimals) for x in series.to_numpy()]
        return [c.replace(".", ",") for c in cells] if decimal_comma else cells
    return [
        "" if pd.isna(x) else spreadsheet_safe(str(x)) for x in series.astype(object).to_numpy()
    ]


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
# injection"): a source's name such as "=HYPERLINK(...)" must stay text.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number_text(x: float, decimals: int | None) -> str:
    """``x`` with ``decimals`` decimals, else up to 6 (trailing zeros dropped); no ``-0``."""
    if decimals is None:
        text = format(round(x, 6), "f").rstrip("0").rstrip(".") or "0"
    else:
        text = format(x, f".{decimals}f")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def write_csv(
    frame: pd.DataFrame,
    path: Path | str,
    decimal_comma: bool = False,
    *,
    decimals: Mapping[str, int] | None = None,
    labels: Sequence[str] | None = None,
) -> Path:
    """``;``-separated UTF-8 CSV with a BOM, for French spreadsheets.

    Numbers are rounded to ``decimals[column]`` (else to at most 6 decimals), with a
    decimal comma when ``decimal_comma``; booleans are ``oui``/``non``; missing and
    secret cells are empty. With ``labels``, a first header row of French labels
    comes before the row of column ids. Written atomically.
    """
    columns = _data_columns(frame)
    decimals = decimals or {}
    text = pd.DataFrame(
        {c: _text_column(frame[c], decimals.get(c), decimal_comma) for c in columns},
        columns=columns,
    )
    if labels is not None:  # labels, then ids, then the data
        ids_row = pd.DataFrame([columns], columns=columns)
        text = pd.concat([ids_row, text], ignore_index=True)
        text.columns = pd.Index([spreadsheet_safe(x) for x in labels])

    def write(tmp: Path) -> None:
        text.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")

    return atomic_write(path, write, ".csv")


def write_xlsx(
    frame: pd.DataFrame, meta: ExportMeta, path: Path | str, *, labelled: bool = False
) -> Path:
    """Workbook with a "Données" sheet (numbers rounded to each indicator's decimals)
    and a "Métadonnées" sheet (indicators, export, sources and licences). ``labelled``:
    French labels in a first header row, the column ids in the second."""
    import xlsxwriter

    labels = column_labels(meta, _data_columns(frame)) if labelled else None

    def write(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        try:
            _xlsx_data(book, frame, meta.decimals, labels)
            _xlsx_meta(book, meta)
        finally:
            book.close()

    return atomic_write(path, write, ".xlsx")


def _xlsx_data(
    book: Any,
    frame: pd.DataFrame,
    decimals: Mapping[str, int],
    labels: Sequence[str] | None = None,
) -> None:
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Données")
    columns = _data_columns(frame)
    formats, cells = [], []
    for c in columns:
        d = decimals.get(c, 0 if c == "population" else None)
        pattern = "#,##0" + ("." + "0" * d if d else "") if d is not None else "General"
        formats.append(book.add_format({"num_format": pattern}))
        values = frame[c].astype(object).to_numpy()
        if d is not None and pd.api.types.is_float_dtype(frame[c].dtype):
            values = np.array([x if x != x else round(x, d) for x in values], dtype=object)
        cells.append(values)
    head = 0
    if labels is not None:
        wrap = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        sheet.write_row(0, 0, list(labels), wrap)
        head = 1
    sheet.freeze_panes(head + 1, 0)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, len(columns) - 1, 14 if labels is None else 22)
    sheet.write_row(head, 0, columns, bold)
    for r in range(len(frame)):
        for j, column in enumerate(cells):
            x = column[r]
            if x is None or x is pd.NA or (isinstance(x, float) and x != x):
                continue
            if isinstance(x, bool | np.bool_):
                sheet.write_boolean(r + head + 1, j, bool(x))
            elif isinstance(x, int | float | np.integer | np.floating):
                sheet.write_number(r + head + 1, j, float(x), formats[j])
            else:
                sheet.write_string(r + head + 1, j, str(x))


def _xlsx_meta(book: Any, meta: ExportMeta) -> None:
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Métadonnées")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 8, 40)
    row = 0
    for title, table in zip(
        ("Indicateurs", "Export", "Sources et licences"), metadata_tables(meta), strict=True
    ):
        sheet.write_string(row, 0, title, bold)
        sheet.write_row(row + 1, 0, list(table.columns), bold)
        row += 2
        for values in table.itertuples(index=False):
            for c, x in enumerate(values):
                sheet.write_string(row, c, str(x), wrap)
            row += 1
        row += 1


def write_gpkg(frame: pd.DataFrame, meta: ExportMeta, path: Path | str) -> Path:
    """GeoPackage with the single layer ``territoires`` (the frame, its geometry and
    CRS, full precision). The metadata goes into the layer's GDAL metadata (table
    ``gpkg_metadata``; ``pyogrio.read_info(path)["layer_metadata"]``): one entry per
    French key of :meth:`ExportMeta.key_values`, the indicator table under
    ``indicateurs`` and everything as JSON under ``territoires``. A single layer keeps
    ``geopandas.read_file(path)`` unambiguous."""
    import geopandas
    import pyogrio

    if not isinstance(frame, geopandas.GeoDataFrame) or meta.crs_epsg is None:
        raise ExportError("GeoPackage : géométrie absente (export_frame(..., geometry=True))")
    layer_metadata: dict[str, str] = {}
    for key, value in meta.key_values():
        layer_metadata[key] = f"{layer_metadata[key]}\n{value}" if key in layer_metadata else value
    indicators, _, _ = metadata_tables(meta)
    layer_metadata["indicateurs"] = indicators.to_json(orient="records", force_ascii=False)
    layer_metadata["territoires"] = meta.to_json()

    def write(tmp: Path) -> None:
        pyogrio.write_dataframe(
            frame,
            tmp,
            layer=GPKG_LAYER,
            driver="GPKG",
            promote_to_multi=True,
            layer_metadata=layer_metadata,
            layer_options={"DESCRIPTION": f"Territoires : {meta.scope}"},
        )

    return atomic_write(path, write, ".gpkg")


def write_parquet(frame: pd.DataFrame, meta: ExportMeta, path: Path | str) -> Path:
    """Parquet at full precision; the metadata as JSON under the schema key
    ``territoires``, and each indicator column's label and unit as field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame[_data_columns(frame)], preserve_index=False)
    labels = {i.id: i for i in meta.indicators}
    fields = [
        f.with_metadata({"libellé": labels[f.name].label, "unité": labels[f.name].unit})
        if f.name in labels
        else f
        for f in table.schema
    ]
    metadata = {**(table.schema.metadata or {}), PARQUET_KEY: meta.to_json().encode()}
    schema = pa.schema(fields, metadata=metadata)
    table = table.cast(schema)

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp)

    return atomic_write(path, write, ".parquet")


def write_export(
    frame: pd.DataFrame,
    meta: ExportMeta,
    path: Path | str,
    fmt: str,
    *,
    decimal_comma: bool = False,
    labelled: bool = False,
) -> Path:
    """Write ``frame`` in ``fmt`` (one of :data:`FORMATS`) to ``path``, atomically.
    ``labelled`` (CSV, XLSX): a first header row of French labels above the column ids
    (:func:`~indicators.exports.metadata.column_labels`)."""
    check_format(fmt)
    if fmt == "csv":
        labels = column_labels(meta, _data_columns(frame)) if labelled else None
        return write_csv(frame, path, decimal_comma, decimals=meta.decimals, labels=labels)
    if fmt == "xlsx":
        return write_xlsx(frame, meta, path, labelled=labelled)
    if fmt == "gpkg":
        return write_gpkg(frame, meta, path)
    return write_parquet(frame, meta, path)


def check_target(path: Path | str) -> None:
    """Fail early (before reading anything) on a target folder that does not exist."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"dossier de sortie introuvable : {target.parent}")
    if target.is_dir():
        raise ExportError(f"la sortie {target} est un dossier, pas un fichier")
