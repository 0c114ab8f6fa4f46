"""French number formatting for every label a user reads (``1 234,5``, ``12,3 %``).

The French group separator is a narrow no-break space (U+202F), as CLDR and Babel
write it; units are joined with a no-break space (U+00A0) so that ``12,3 %`` never
wraps. Numbers are formatted by Python itself, to the same strings as Babel's
``format_decimal`` for ``fr_FR`` (tested): Babel took 0.1 ms a number, 50 ms of each
portrait (500 numbers).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Protocol

LOCALE = "fr_FR"
GROUP_SEPARATOR = "\u202f"  # CLDR fr: narrow no-break space
NBSP = "\u00a0"
MISSING_TEXT = "non disponible"
CONFIDENTIAL_TEXT = "secret statistique"
SCORE_UNIT = "score"
# Registry labels of basket scores end with "(<basket>, sur <n>)" (indicators/registry.py).
_OUT_OF = re.compile(r"\bsur (\d+)\)\s*$")
# Dimensionless index units: the value is read without a unit after it.
_NO_SUFFIX = frozenset({"indice (0 à 1)", "indice"})


class HasUnit(Protocol):
    @property
    def unit(self) -> str: ...
    @property
    def label(self) -> str: ...


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``'1 234,5'`` with exactly ``decimals`` digits; ``''`` for None/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    decimals = max(0, min(int(decimals), 6))
    rounded = round(float(value), decimals) or 0.0  # no "-0,0"
    # the shortest decimal that reads back as this float, as Babel takes it
    text = f"{Decimal(repr(rounded)):,.{decimals}f}"
    return text.replace(",", GROUP_SEPARATOR).replace(".", ",")


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


def display_unit(ind: HasUnit) -> str:
    """The unit as read after a value: ``'sur 3'`` for a basket score (``'services'``
    for a score gap or without a known basket size), nothing for a 0-1 index, else
    the registry unit (``'%'``, ``'min'``, ``'hab.'``)."""
    if ind.unit == SCORE_UNIT:
        match = _OUT_OF.search(ind.label)
        gap = ind.label.lower().startswith(("écart", "ecart"))
        return f"sur {match.group(1)}" if match and not gap else "services"
    return "" if ind.unit in _NO_SUFFIX else ind.unit


def unit_title(ind: HasUnit) -> str:
    """The unit in a title or header: ``'%'``, ``'services sur 3'``, ``'indice 0-1'``."""
    if ind.unit == SCORE_UNIT:
        shown = display_unit(ind)
        return f"services {shown}" if shown.startswith("sur ") else "nombre de services"
    return ind.unit


def titled(ind: HasUnit) -> str:
    """``'Label (unit)'`` for titles and headers; a basket score's label already
    ends with "sur <n>", so it stands alone."""
    if ind.unit == SCORE_UNIT and _OUT_OF.search(ind.label):
        return ind.label
    return f"{ind.label} ({unit_title(ind)})"


def indicator_value(
    value: float | None, ind: HasUnit, decimals: int, *, secret: bool = False
) -> str:
    """An indicator's value with its readable unit: ``'2,94 sur 3'``, ``'12,3 %'``."""
    return with_unit(value, display_unit(ind), decimals, secret=secret)


def integer(value: float | int | None) -> str:
    """A count with French grouping (``35 012``)."""
    return number(value, 0)


def rank_text(rank: int | None, tied: int, n: int) -> str:
    """``"Rang 12 sur 332"``, or ``"12e ex aequo (196 territoires) sur 332"`` when
    ``tied`` territories share the value; ``"—"`` unranked. Same words as
    ``rankText`` in ``assets/territoires_map.js``."""
    if rank is None:
        return "—"
    if tied > 1:
        place = "1er" if rank == 1 else f"{integer(rank)}e"
        return f"{place} ex aequo ({integer(tied)} territoires) sur {integer(n)}"
    return f"Rang {integer(rank)} sur {integer(n)}"
