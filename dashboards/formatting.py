"""French number formatting for every label a user reads (``1 234,5``, ``12,3 %``).

Babel writes the French group separator as a narrow no-break space (U+202F); units
are joined with a no-break space (U+00A0) so that ``12,3 %`` never wraps.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"
MISSING_TEXT = "valeur manquante"
CONFIDENTIAL_TEXT = "secret statistique"


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``'1 234,5'`` with exactly ``decimals`` digits; ``''`` for None/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    decimals = max(0, min(int(decimals), 6))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    rounded = round(float(value), decimals) or 0.0  # no "-0,0"
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def with_unit(value: float | None, unit: str, decimals: int = 0, *, secret: bool = False) -> str:
    """A value and its unit as read in a tooltip: ``'12,3 %'``, ``'1 234 hab.'``.

    Secret and missing values say so in words; they are never shown as zero.
    """
    if secret:
        return CONFIDENTIAL_TEXT
    text = number(value, decimals)
    if not text:
        return MISSING_TEXT
    return f"{text}{NBSP}{unit}" if unit else text


def integer(value: float | int | None) -> str:
    """A count with French grouping (``35 012``)."""
    return number(value, 0)
