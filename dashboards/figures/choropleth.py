"""The choropleth as data: per-feature classes for the layer ``hideout``, legend
entries, ranks and the one-sentence summary. Pure: no Dash, no warehouse.

The GeoJSON geometry of a level is sent once (``/_territoires/geo/<level>.geojson``);
switching indicator, classification, number of classes or palette only sends the
``hideout`` built here, which ``assets/territoires_map.js`` reads by feature
position ``i``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboards.figures.classes import Classes, class_indices, classify, ranks
from dashboards.figures.palettes import CONFIDENTIAL_SWATCH, MISSING_SWATCH, class_colours
from dashboards.formatting import (
    CONFIDENTIAL_TEXT,
    MISSING_TEXT,
    display_unit,
    integer,
    number,
    with_unit,
)
from dashboards.notes import ONE_POINT_TIP, commitment_met, distinct_notes, reasons_line
from dashboards.queries import Indicator, Territory, Value
from etl.vocabulary import LEVEL_PLURAL

MISSING, CONFIDENTIAL = -1, -2
UNMET_SWATCH = "swatch-unmet"
UNMET_TEXT = "engagement non tenu (contour rouge tireté)"


@dataclass(frozen=True)
class LegendEntry:
    label: str
    count: int
    colour: str = ""  # fill colour of a class
    swatch_class: str = ""  # CSS class of a hatched swatch (missing, secret)
    detail: str = ""  # a line under the label (why values are missing)


@dataclass(frozen=True)
class MapModel:
    hideout: dict[str, Any]
    legend: tuple[LegendEntry, ...]
    classes: Classes
    ranks: tuple[int | None, ...]
    summary: str
    notes: tuple[str, ...] = ()  # distinct notes of the blank values (hideout ``notes``)


def oriented_colours(colours: Sequence[str], ind: Indicator) -> list[str]:
    """Class colours from the lowest class up, turned so that the light end of the
    palette (yellow) is always the favourable one: reversed when lower is better
    (minutes, shares beyond a threshold). Unknown direction: light = high."""
    return list(reversed(colours)) if ind.higher_is_better is False else list(colours)


def direction_text(ind: Indicator) -> str:
    """The legend line saying which end of the colours is better."""
    if ind.higher_is_better is None:
        return "Couleur claire : valeur élevée ; pas de sens favorable pour cet indicateur."
    end = "élevée" if ind.higher_is_better else "basse"
    return f"Couleur claire : situation plus favorable (valeur plus {end})."


def rank_note(ind: Indicator) -> str:
    if ind.higher_is_better is None:
        return "rang 1 = valeur la plus élevée"
    return "rang 1 = situation la plus favorable"


def build(
    level: str,
    places: Sequence[Territory],
    values: Sequence[Value],
    ind: Indicator,
    *,
    method: str,
    k: int,
    palette: str,
    selected: str = "",
    one_point: bool = False,
) -> MapModel:
    """Everything the map shows for one indicator at one level.

    ``places`` and ``values`` are aligned (same order, the order of the geometry).
    Missing and secret values get their own codes (-1, -2), never a class.

    Why a value is missing travels once per distinct text: ``notes`` (the texts)
    and ``why`` (per feature, 1 + the position of its note in ``notes``, 0 for
    none), only when some value has a note. A commitment adds its ``target``;
    ``one_point`` (commune values computed on one point each) the tooltip line
    ``onePoint``.
    """
    if [p.code for p in places] != [v.code for v in values]:
        raise ValueError("territoires et valeurs non alignés")
    secret = np.fromiter((v.secret for v in values), dtype=bool, count=len(values))
    present = np.fromiter(
        (np.nan if v.value is None else v.value for v in values), dtype=float, count=len(values)
    )
    present[secret] = np.nan
    finite = np.isfinite(present)
    # None for missing and secret values (Python floats otherwise)
    shown = [x if x == x else None for x in present.tolist()]
    classes = classify(shown, method, k)
    colours = oriented_colours(class_colours(palette, classes.k), ind)
    codes = np.full(len(values), MISSING, dtype=np.int64)
    codes[finite] = class_indices(present[finite], classes.bins)
    codes[secret] = CONFIDENTIAL
    cls = codes.tolist()
    rk = ranks(shown, ind.higher_is_better)
    sel = next((i for i, p in enumerate(places) if p.code == selected), -1)
    rounded = np.round(present, ind.decimals).tolist()
    hideout = {
        "cls": cls,
        "val": [x if x == x else None for x in rounded],
        "rank": rk,
        "n": sum(r is not None for r in rk),
        "colors": colours,
        "unit": display_unit(ind),
        "dec": ind.decimals,
        "missingText": MISSING_TEXT,
        "secretText": CONFIDENTIAL_TEXT,
        "label": ind.label,
        "rankNote": rank_note(ind),
        "sel": sel,
        # the level these classes are for: the page draws them only on its geometry
        "level": level,
    }
    notes = distinct_notes(v.note for v in values if v.value is None and not v.secret)
    if notes:
        position = {n: i + 1 for i, n in enumerate(notes)}
        hideout["notes"] = list(notes)
        hideout["why"] = [
            position.get(v.note, 0) if v.note and v.value is None and not v.secret else 0
            for v in values
        ]
    if ind.target_max is not None:
        hideout["target"] = ind.target_max
    if one_point:
        hideout["onePoint"] = ONE_POINT_TIP
    beyond = beyond_values(ind, values)
    if beyond is not None:
        hideout["beyond"] = beyond
    return MapModel(
        hideout,
        legend_entries(classes, colours, ind, values),
        classes,
        tuple(rk),
        summary(level, places, shown, ind, n_secret=sum(v.secret for v in values), values=values),
        notes,
    )


# Share indicators whose inhabitants beyond the threshold are known: the complement
# of the numerator (share within) or the numerator itself (share beyond).
_BEYOND_FROM = {"share_within": "complement", "share_beyond": "numerator"}


def beyond_values(ind: Indicator, values: Sequence[Value]) -> list[int | None] | None:
    """Inhabitants beyond the indicator's threshold per territory (None when the value
    is missing or secret), or None for an indicator that is not such a share."""
    how = _BEYOND_FROM.get(ind.kind)
    if how is None:
        return None
    out: list[int | None] = []
    for v in values:
        if v.secret or v.value is None or v.numerator is None:
            out.append(None)
        elif how == "numerator":
            out.append(round(v.numerator))
        else:
            out.append(None if v.denominator is None else round(v.denominator - v.numerator))
    return out


def legend_entries(
    classes: Classes, colours: Sequence[str], ind: Indicator, values: Sequence[Value]
) -> tuple[LegendEntry, ...]:
    out = []
    lower = classes.minimum
    n = len(classes.bins)
    for i, (upper, count) in enumerate(zip(classes.bins, classes.counts, strict=True)):
        text = _class_label(
            i, lower, upper, ind, distinct=classes.distinct or upper in classes.alone
        )
        out.append(LegendEntry(text, count, colour=colours[i], detail=_end_word(i, n, ind)))
        lower = upper
    missing = [v.note for v in values if v.value is None and not v.secret]
    n_secret = sum(1 for v in values if v.secret)
    if missing:
        out.append(
            LegendEntry(
                MISSING_TEXT,
                len(missing),
                swatch_class=MISSING_SWATCH,
                detail=reasons_line(missing),
            )
        )
    if n_secret:
        out.append(LegendEntry(CONFIDENTIAL_TEXT, n_secret, swatch_class=CONFIDENTIAL_SWATCH))
    if ind.target_max is not None:
        given = [v.value for v in values if v.value is not None and not v.secret]
        n_unmet = sum(not commitment_met(x, ind) for x in given)
        if n_unmet:
            out.append(LegendEntry(UNMET_TEXT, n_unmet, swatch_class=UNMET_SWATCH))
    return tuple(out)


def _end_word(i: int, n: int, ind: Indicator) -> str:
    """ "plus favorable" / "moins favorable" on the two end classes (directed
    indicators with at least two classes)."""
    if ind.higher_is_better is None or n < 2 or i not in (0, n - 1):
        return ""
    best = n - 1 if ind.higher_is_better else 0
    return "plus favorable" if i == best else "moins favorable"


def _class_label(
    i: int, lower: float | None, upper: float, ind: Indicator, *, distinct: bool
) -> str:
    hi = with_unit(upper, display_unit(ind), ind.decimals)
    if distinct:
        return hi
    lo = number(lower, ind.decimals)
    return f"de {lo} à {hi}" if i == 0 else f"plus de {lo} à {hi}"


def summary(
    level: str,
    places: Sequence[Territory],
    shown: Sequence[float | None],
    ind: Indicator,
    *,
    n_secret: int = 0,
    values: Sequence[Value] = (),
) -> str:
    """One sentence a screen reader can read instead of the map; ``shown`` holds
    None for missing and secret values (``n_secret`` of them are secret). With
    ``values``, it says why values are missing and, for a commitment, how many
    territories meet it."""
    x = np.array([np.nan if s is None else s for s in shown], dtype=float)
    given = np.flatnonzero(~np.isnan(x))
    plural = LEVEL_PLURAL.get(level, level)
    n_missing = len(places) - len(given) - n_secret
    if not len(given):
        return f"{ind.label} : aucune valeur disponible pour les {integer(len(places))} {plural}."
    # lowest and highest values, ties broken by name (as min/max of (value, name) pairs)
    lo_at = given[x[given] == x[given].min()]
    hi_at = given[x[given] == x[given].max()]
    low = (float(x[lo_at[0]]), min(places[i].name for i in lo_at))
    high = (float(x[hi_at[0]]), max(places[i].name for i in hi_at))
    med = float(np.median(x[given]))
    why = reasons_line([v.note for v in values if v.value is None and not v.secret])
    missing_words = f"{MISSING_TEXT}, {why}" if why else MISSING_TEXT
    parts = [f"{integer(n_missing)} sans valeur ({missing_words})"] if n_missing else []
    if n_secret:
        parts.append(f"{integer(n_secret)} couvert(s) par le {CONFIDENTIAL_TEXT}")
    missing = " et ".join(parts) if parts else "aucune valeur manquante"
    met = ""
    if ind.target_max is not None:
        n_met = sum(commitment_met(s, ind) for s in x[given].tolist())
        met = f" ; engagement tenu par {integer(n_met)} sur {integer(len(given))}"
    return (
        f"{ind.label}, {integer(len(places))} {plural} : de {_fmt(low[0], ind)} ({low[1]}) "
        f"à {_fmt(high[0], ind)} ({high[1]}), médiane {_fmt(med, ind)} ; {missing}{met}."
    )


def _fmt(x: float, ind: Indicator) -> str:
    return with_unit(x, display_unit(ind), ind.decimals)
