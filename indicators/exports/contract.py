"""The names of an export: levels, formats, themes, column names, file keys, errors.

A contract, like the indicator ids: ``territoires export``, the dashboard's export
buttons and the readers of the files (the CRESS's spreadsheets, GIS projects) rely on
these names. Pure: no warehouse, no file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from etl.vocabulary import LEVEL_LABEL, LEVELS
from etl.vocabulary import LEVEL_PLURAL as LEVEL_PLURAL  # re-exported: part of the contract

FORMATS: Final[tuple[str, ...]] = ("csv", "xlsx", "gpkg", "parquet")
ALL_THEMES: Final = "all"
BASE_COLUMNS: Final[tuple[str, ...]] = ("code", "nom", "niveau", "population")
COMPLETE_COLUMN: Final = "territoire_complet"
SECRECY_SUFFIX: Final = "__secret"
# Why a value is blank (partial source, edge of the build...): indicator_values.note.
NOTE_SUFFIX: Final = "__note"
GEOMETRY_COLUMN: Final = "geometry"
GPKG_LAYER: Final = "territoires"
PARQUET_KEY: Final = b"territoires"
LEVEL_SINGULAR: Final = LEVEL_LABEL


class ExportError(RuntimeError):
    """An export that cannot be made (bad level, theme, territory, format or target)."""


def check_level(level: str) -> None:
    """Raise :class:`ExportError` unless ``level`` is one of :data:`LEVELS`."""
    if level not in LEVELS:
        raise ExportError(f"niveau inconnu « {level} » : attendu {choices(LEVELS)}")


def check_format(fmt: str) -> None:
    """Raise :class:`ExportError` unless ``fmt`` is one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ExportError(f"format inconnu « {fmt} » : attendu {choices(FORMATS)}")


def choices(items: Sequence[str]) -> str:
    """``"a, b ou c"``: the accepted values, in French."""
    return ", ".join(items[:-1]) + " ou " + items[-1]
