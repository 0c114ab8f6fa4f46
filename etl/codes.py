"""INSEE code hygiene and the metric CRS of each part of France.

Codes are text: ``01001`` keeps its leading zero, Corsica keeps ``2A``/``2B``,
overseas communes start with ``97``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

COMMUNE_CODE_RE = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")

# Metric CRS per zone (STYLE: Lambert-93 in mainland France, local UTM overseas).
# EPSG registry: 2154 RGF93 v1 / Lambert-93; 5490 RGAF09 / UTM 20N (Guadeloupe,
# Martinique); 2972 RGFG95 / UTM 22N (Guyane); 2975 RGR92 / UTM 40S (La Réunion);
# 4471 RGM04 / UTM 38S (Mayotte).
METRIC_EPSG_BY_DEP = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
MAINLAND_EPSG = 2154


class CodeError(ValueError):
    """An INSEE code that is malformed."""


def pad_commune_code(code: object) -> str | None:
    """Normalise one commune code to 5 characters, or None when empty.

    ``1001`` -> ``01001``; ``2a004`` -> ``2A004``; ``1001.0`` (a float read by a
    careless tool) -> ``01001``. Raises :class:`CodeError` when the result is not a
    valid commune code.
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    text = str(code).strip().upper()
    if not text:
        return None
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    if not COMMUNE_CODE_RE.match(text):
        raise CodeError(f"code commune INSEE invalide: {code!r}")
    return text


def pad_commune_codes(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`pad_commune_code` for a column (invalid codes raise)."""
    text = codes.astype("string").str.strip().str.upper()
    text = text.str.replace(r"\.0$", "", regex=True)
    digits = text.str.fullmatch(r"[0-9]{1,4}").fillna(False)
    text = text.where(~digits, text.str.zfill(5))
    text = text.replace("", pd.NA)
    bad = text.notna() & ~text.str.fullmatch(COMMUNE_CODE_RE.pattern).fillna(False)
    if bad.any():
        examples = ", ".join(repr(v) for v in codes[bad].head(5).tolist())
        raise CodeError(f"{int(bad.sum())} code(s) commune INSEE invalide(s), par ex. {examples}")
    return text


def departement_of(commune_code: str) -> str:
    """Département code of a commune: 2 characters, 3 overseas (``97411`` -> ``974``)."""
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


def metric_epsg(commune_code: str) -> int:
    """EPSG code of the metric CRS used for a commune (Lambert-93 or local UTM)."""
    return METRIC_EPSG_BY_DEP.get(departement_of(commune_code), MAINLAND_EPSG)
