"""CRESS-ready exports of a warehouse: one frame, four formats, one atomic writer.

``territoires export`` and the dashboard's export buttons both go through this package:
:func:`export_frame` reads one level of the warehouse into a wide frame and its
:class:`ExportMeta`; :func:`write_csv`, :func:`write_xlsx`, :func:`write_gpkg` and
:func:`write_parquet` (or :func:`write_export`, which dispatches on the format) write it
through :func:`atomic_write` (:func:`etl.atomic.atomic_path`): a temporary folder next
to the target, then ``os.replace``, so a failed export never leaves a half-written file
and an existing target stays untouched.

Modules: :mod:`~indicators.exports.contract` (levels, formats, column names,
:class:`ExportError`), :mod:`~indicators.exports.metadata` (definitions, sources,
rules and licences written next to the data), :mod:`~indicators.exports.frame`
(reading the warehouse), :mod:`~indicators.exports.writers` (the four formats); this
module re-exports their public names and adds :func:`export_to_file`.

Columns (a contract, like the indicator ids)
--------------------------------------------
``code``, ``nom``, ``niveau``, ``population`` (inhabitants), then one column per
indicator id (by theme, then in the order of the ``indicators`` table). Conventions:

* **statistical secrecy**: a secret cell is blank (never 0), and ``<id>__secret`` is
  true. That flag column follows each indicator that has at least one secret cell in
  the warehouse (so one warehouse always gives the same columns); a blank cell whose
  flag is false (or that has no flag column) is a value that could not be computed;
* **why a value is blank**: ``<id>__note`` (French text, e.g. "Non disponible : la
  source ne couvre pas tout le rayon de recherche…") follows each indicator having at
  least one note in the warehouse (``indicator_values.note``): a source that does not
  cover the territory or all of the search radius, a nearest facility possibly beyond
  the zone loaded around the territory; also "aucun équipement accessible sur l'île";
* **partial territories** (some member communes outside the build, e.g. an EPCI
  straddling the border of a built département): population and every indicator are
  blank, since the warehouse only holds part of them; the last column,
  ``territoire_complet``, is false for them;
* numbers are rounded to each indicator's ``decimals`` in CSV and XLSX, and kept at
  full precision in GeoPackage and Parquet.

Formats: CSV for French spreadsheets (``;``, UTF-8 with BOM ``EF BB BF``, optional
decimal comma, booleans ``oui``/``non``); XLSX with sheets "Données" and
"Métadonnées"; GeoPackage with one layer ``territoires`` (geometry) whose GDAL
metadata holds the same metadata; Parquet with the metadata as JSON under the schema
key ``territoires``.

CRS of the GeoPackage: the metric CRS of the rows when they all share one (EPSG:2154,
Lambert-93, for mainland France and Corsica; the local UTM for a single overseas
département), else EPSG:4326 (lon/lat) for a file mixing mainland and overseas
territories: full-resolution geometry in both cases, never the simplified display one.

Errors are :class:`ExportError`, with French messages.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from indicators.exports.contract import (
    ALL_THEMES,
    BASE_COLUMNS,
    COMPLETE_COLUMN,
    FORMATS,
    GEOMETRY_COLUMN,
    GPKG_LAYER,
    LEVEL_PLURAL,
    LEVEL_SINGULAR,
    LEVELS,
    NOTE_SUFFIX,
    PARQUET_KEY,
    SECRECY_SUFFIX,
    ExportError,
    check_format,
    check_level,
)
from indicators.exports.frame import export_frame
from indicators.exports.metadata import (
    PARTIAL_RULE,
    SECRECY_RULE,
    SINGLE_POINT_NOTE,
    ExportMeta,
    ExtraIndicator,
    IndicatorMeta,
    SourceMeta,
    metadata_tables,
)
from indicators.exports.writers import (
    atomic_write,
    check_target,
    spreadsheet_safe,
    write_csv,
    write_export,
    write_gpkg,
    write_parquet,
    write_xlsx,
)

__all__ = [
    "ALL_THEMES",
    "BASE_COLUMNS",
    "COMPLETE_COLUMN",
    "FORMATS",
    "GEOMETRY_COLUMN",
    "GPKG_LAYER",
    "LEVELS",
    "LEVEL_PLURAL",
    "LEVEL_SINGULAR",
    "NOTE_SUFFIX",
    "PARQUET_KEY",
    "PARTIAL_RULE",
    "SECRECY_RULE",
    "SECRECY_SUFFIX",
    "SINGLE_POINT_NOTE",
    "ExportError",
    "ExportMeta",
    "ExtraIndicator",
    "IndicatorMeta",
    "SourceMeta",
    "atomic_write",
    "check_format",
    "check_target",
    "export_frame",
    "export_to_file",
    "metadata_tables",
    "spreadsheet_safe",
    "write_csv",
    "write_export",
    "write_gpkg",
    "write_parquet",
    "write_xlsx",
]


def export_to_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    fmt: str,
    level: str,
    territory: tuple[str, str] | None = None,
    theme: str = ALL_THEMES,
    *,
    decimal_comma: bool = False,
) -> tuple[Path, pd.DataFrame, ExportMeta]:
    """``territoires export``: check the format and target, read, write atomically."""
    check_format(fmt)
    check_level(level)
    check_target(path)
    frame, meta = export_frame(con, level, territory, theme, geometry=fmt == "gpkg")
    return write_export(frame, meta, path, fmt, decimal_comma=decimal_comma), frame, meta
