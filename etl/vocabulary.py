"""The shared vocabulary, at the bottom of the layers: territory levels, INSEE code
rules, and the metric CRS of each part of France.

Every layer reads these names from here (the dashboard too: this module reads no
data). Codes are text: ``01001`` keeps its leading zero, Corsica keeps ``2A``/``2B``,
overseas communes start with ``97``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

# ---------------------------------------------------------------- levels
# The four levels of the published tables, from the smallest; France is the whole.
LEVELS: Final[tuple[str, ...]] = ("commune", "epci", "departement", "region")
# France as a whole: one territory (code FR) of ``territories`` and of the indicator
# values, complete only in a national build. A reference for the portrait and the
# exports, never a map level.
FRANCE_LEVEL: Final = "france"
FRANCE_CODE: Final = "FR"
VALUE_LEVELS: Final[tuple[str, ...]] = (*LEVELS, FRANCE_LEVEL)
# Column of the ``territories`` table (and of a commune row) holding the code of the
# territory of each level that contains a commune.
LEVEL_CODE_COLUMN: Final = MappingProxyType(
    {"commune": "code", "epci": "epci_code", "departement": "dep_code", "region": "reg_code"}
)
LEVEL_LABEL: Final = MappingProxyType(
    {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région"}
)
LEVEL_PLURAL: Final = MappingProxyType(
    {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}
)
# Build territories (``--territory fr|dep:35|reg:53|epci:SIREN``) and the level they are.
TERRITORY_KIND_LEVEL: Final = MappingProxyType(
    {"dep": "departement", "reg": "region", "epci": "epci"}
)

# ---------------------------------------------------------------- INSEE codes
COMMUNE_CODE_RE = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")
DEPARTEMENT_CODE_RE = re.compile(r"^(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
REGION_CODE_RE = re.compile(r"^(?:0[1-6]|[1-9][0-9])$")
EPCI_CODE_RE = re.compile(r"^[0-9]{9}$")  # the EPCI's SIREN
LEVEL_CODE_RE: Final = MappingProxyType(
    {
        "commune": COMMUNE_CODE_RE,
        "epci": EPCI_CODE_RE,
        "departement": DEPARTEMENT_CODE_RE,
        "region": REGION_CODE_RE,
    }
)
# What a code of each level looks like, for error messages.
LEVEL_CODE_HINT: Final = MappingProxyType(
    {
        "commune": "code INSEE à 5 caractères, ex. 35236 ou 2A004",
        "epci": "SIREN à 9 chiffres",
        "departement": "2 ou 3 caractères, ex. 35, 2A, 974",
        "region": "2 chiffres, ex. 53",
    }
)

# Metric CRS per zone (STYLE: Lambert-93 in mainland France, local UTM overseas).
# EPSG registry: 2154 RGF93 v1 / Lambert-93; 5490 RGAF09 / UTM 20N (Guadeloupe,
# Martinique); 2972 RGFG95 / UTM 22N (Guyane); 2975 RGR92 / UTM 40S (La Réunion);
# 4471 RGM04 / UTM 38S (Mayotte).
METRIC_EPSG_BY_DEP: Final = MappingProxyType(
    {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
)
MAINLAND_EPSG: Final = 2154
WGS84: Final = 4326
# Names of the metric CRS of the French territories (IGN / INSEE practice).
FRENCH_METRIC_EPSG: Final = MappingProxyType(
    {
        2154: "RGF93 v1 / Lambert-93 (mainland France, Corsica)",
        5490: "RGAF09 / UTM zone 20N (Guadeloupe, Martinique)",
        2972: "RGFG95 / UTM zone 22N (Guyane)",
        2975: "RGR92 / UTM zone 40S (La Réunion)",
        4471: "RGM04 / UTM zone 38S (Mayotte)",
    }
)


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
