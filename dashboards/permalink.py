"""Permalinks: the URL holds the page, level, indicator, classification, number of
classes, palette, territory, reference, facility layers and map view.

``parse`` never raises on user input: every bad parameter becomes a French message
and the default value, so a shared link that went stale still opens a page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from etl.vocabulary import LEVEL_CODE_HINT, LEVEL_CODE_RE, LEVEL_LABEL

PAGES = {"carte": "/", "portrait": "/portrait", "donnees": "/donnees"}
_PATHS = {"/": "carte", "/carte": "carte", "/portrait": "portrait", "/donnees": "donnees"}
CLASSIFICATIONS = {
    "quantiles": "Quantiles (effectifs égaux)",
    "jenks": "Seuils naturels (Jenks)",
    "equal": "Intervalles égaux",
}
PALETTES = {"viridis": "Viridis", "cividis": "Cividis"}
MIN_K, MAX_K, DEFAULT_K = 3, 9, 5
CODE_RE = LEVEL_CODE_RE
LEVEL_LABELS = LEVEL_LABEL
_INDICATOR_RE = re.compile(r"^[a-z0-9_]{1,120}$")
_MAX_PARAM = 200


@dataclass(frozen=True)
class ViewState:
    """Everything a view needs; the single source of a permalink."""

    page: str = "carte"
    level: str = "commune"
    indicator: str = ""
    classification: str = "quantiles"
    k: int = DEFAULT_K
    palette: str = "viridis"
    territory: str = ""  # "level:code" (communes: "commune:35236")
    reference: str = ""  # "level:code" or "" (default reference)
    facilities: tuple[str, ...] = field(default_factory=tuple)
    basemap: bool = False
    stops: bool = False  # the public transport stops layer (builds with a GTFS timetable)
    lat: float | None = None
    lon: float | None = None
    zoom: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["facilities"] = list(self.facilities)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ViewState:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["facilities"] = tuple(known.get("facilities") or ())
        return cls(**known)

    def with_(self, **changes: Any) -> ViewState:
        return replace(self, **changes)


@dataclass(frozen=True)
class Context:
    """What the warehouse knows, to validate a URL against."""

    levels: Collection[str]
    indicators: Collection[str]
    default_indicator: str
    service_types: Collection[str]
    exists: Callable[[str, str], bool]  # (level, code) -> known territory
    default_level: str = "commune"  # the map's level when the URL names none


def split_territory(value: str) -> tuple[str, str]:
    """``"commune:35236"`` or ``"35236"`` -> ``("commune", "35236")``."""
    level, sep, code = value.partition(":")
    return (level, code) if sep else ("commune", value)


def join_territory(level: str, code: str) -> str:
    return f"{level}:{code}" if code else ""


def parse(pathname: str | None, search: str | None, ctx: Context) -> tuple[ViewState, list[str]]:
    """URL -> (view, messages). Unknown values fall back to defaults, with a message."""
    msgs: list[str] = []
    q = {k: v[-1].strip()[:_MAX_PARAM] for k, v in parse_qs((search or "").lstrip("?")).items()}
    page = _PATHS.get((pathname or "/").rstrip("/") or "/")
    if page is None:
        msgs.append(f"Page inconnue « {pathname} » : affichage de la carte.")
        page = "carte"
    if q.get("page"):
        if q["page"] in PAGES:
            page = q["page"]
        else:
            msgs.append(f"Page inconnue « {q['page']} » : affichage de la carte.")
    state = ViewState(page=page, indicator=ctx.default_indicator, level=ctx.default_level)
    state = _parse_choices(state, q, ctx, msgs)
    state = _parse_territories(state, q, ctx, msgs)
    return _parse_view(state, q, msgs), msgs


def _parse_choices(state: ViewState, q: dict[str, str], ctx: Context, msgs: list[str]) -> ViewState:
    if "level" in q:
        if q["level"] in ctx.levels:
            state = state.with_(level=q["level"])
        else:
            msgs.append(
                f"Niveau inconnu « {q['level']} » : niveau "
                f"{LEVEL_LABELS.get(ctx.default_level, ctx.default_level)} affiché."
            )
    if "indicator" in q:
        ind = q["indicator"]
        if _INDICATOR_RE.match(ind) and ind in ctx.indicators:
            state = state.with_(indicator=ind)
        else:
            msgs.append(
                f"Indicateur inconnu « {ind} » dans cet entrepôt : "
                "affichage de l'indicateur par défaut."
            )
    if "classification" in q:
        if q["classification"] in CLASSIFICATIONS:
            state = state.with_(classification=q["classification"])
        else:
            msgs.append(f"Classification inconnue « {q['classification']} » : quantiles.")
    if "k" in q:
        if q["k"].isdigit() and MIN_K <= int(q["k"]) <= MAX_K:
            state = state.with_(k=int(q["k"]))
        else:
            msgs.append(
                f"Nombre de classes invalide « {q['k']} » (de {MIN_K} à {MAX_K}) : "
                f"{DEFAULT_K} classes."
            )
    if "palette" in q:
        if q["palette"] in PALETTES:
            state = state.with_(palette=q["palette"])
        else:
            msgs.append(f"Palette inconnue « {q['palette']} » : viridis.")
    if q.get("facilities"):
        asked = [c for c in q["facilities"].split(",") if c]
        kept = tuple(c for c in asked if c in ctx.service_types)
        if len(kept) < len(asked):
            msgs.append(
                "Types d'équipement inconnus ignorés : "
                + ", ".join(sorted(set(asked) - set(kept)))
                + "."
            )
        state = state.with_(facilities=kept)
    if q.get("basemap") == "osm":
        state = state.with_(basemap=True)
    if q.get("stops") == "1":
        state = state.with_(stops=True)
    return state


def _parse_territories(
    state: ViewState, q: dict[str, str], ctx: Context, msgs: list[str]
) -> ViewState:
    for key, what in (("territory", "Territoire"), ("reference", "Territoire de référence")):
        if not q.get(key):
            continue
        if key == "reference" and q[key] == "france":
            state = state.with_(reference="france")
            continue
        checked = check_territory(q[key], ctx)
        if isinstance(checked, str):
            msgs.append(f"{what} : {checked}")
        else:
            state = state.with_(**{key: join_territory(*checked)})
    return state


def check_territory(value: str, ctx: Context) -> tuple[str, str] | str:
    """``(level, code)`` for a well-formed, existing territory, else a French message.
    The code is checked by regex first, and only then looked up."""
    level, code = split_territory(value.strip())
    level, code = level.lower(), code.upper()
    if level not in CODE_RE:
        return f"niveau inconnu « {level} »."
    if not CODE_RE[level].match(code):
        return f"code mal formé « {code} » ({LEVEL_LABELS[level]} : {_expected(level)})."
    if level not in ctx.levels or not ctx.exists(level, code):
        return f"{LEVEL_LABELS[level]} {code} introuvable dans cet entrepôt."
    return level, code


def _expected(level: str) -> str:
    return LEVEL_CODE_HINT[level]


def _parse_view(state: ViewState, q: dict[str, str], msgs: list[str]) -> ViewState:
    if not any(k in q for k in ("lat", "lon", "zoom")):
        return state
    try:
        lat, lon, zoom = float(q["lat"]), float(q["lon"]), float(q["zoom"])
    except (KeyError, ValueError):
        msgs.append("Vue de carte invalide (lat, lon et zoom attendus) : vue d'ensemble.")
        return state
    if not all(math.isfinite(x) for x in (lat, lon, zoom)) or not (
        -90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 19
    ):
        msgs.append("Vue de carte hors limites : vue d'ensemble.")
        return state
    return state.with_(lat=lat, lon=lon, zoom=zoom)


def to_url(state: ViewState) -> str:
    """Path and query of a view: ``/portrait?territory=35236&...``."""
    q: dict[str, str] = {
        "level": state.level,
        "indicator": state.indicator,
        "classification": state.classification,
        "k": str(state.k),
    }
    if state.palette != "viridis":
        q["palette"] = state.palette
    if state.territory:
        level, code = split_territory(state.territory)
        q["territory"] = code if level == "commune" else state.territory
    if state.reference:
        q["reference"] = state.reference
    if state.facilities:
        q["facilities"] = ",".join(state.facilities)
    if state.basemap:
        q["basemap"] = "osm"
    if state.stops:
        q["stops"] = "1"
    if state.lat is not None and state.lon is not None and state.zoom is not None:
        q.update(lat=f"{state.lat:.5f}", lon=f"{state.lon:.5f}", zoom=f"{state.zoom:g}")
    query = urlencode({k: v for k, v in q.items() if v}, safe=":,")
    return f"{PAGES[state.page]}?{query}"
