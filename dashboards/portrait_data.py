"""Data of a territory portrait: every indicator for the territory and for a
reference territory, ranks, population beyond the build's "quart d'heure" (15 minutes
unless built with ``--threshold``), fracture indices.

Indicators are recognised by their stored fields (kind, scope, threshold_min,
base_indicator_id), never by the text of their id.

Reads through ``queries`` only; returns frozen records for the pure builders in
``components/portrait.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from dashboards import queries
from dashboards.figures.classes import ranks
from dashboards.figures.locator import locator_svg
from dashboards.figures.lorenz import lorenz_points
from dashboards.permalink import LEVEL_LABELS, join_territory, split_territory
from dashboards.queries import DoublePeine, FractureIndex, Indicator, Territory, Warehouse
from etl.vocabulary import FRANCE_LEVEL, LEVEL_CODE_COLUMN

# Containing territories, from the closest up; the key column of each in Territory.
_PARENTS = {
    "commune": ("epci", "departement", "region"),
    "epci": ("departement", "region"),
    "departement": ("region",),
    "region": (),
}
FRANCE_REFERENCE = "france"  # the reference value (and URL parameter) of France


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    value: float | None
    secret: bool
    rank: int | None
    n_ranked: int
    reference: float | None
    reference_secret: bool
    numerator: float | None
    denominator: float | None
    note: str | None = None  # why ``value`` is missing (warehouse note)
    reference_note: str | None = None  # why ``reference`` is missing
    n_tied: int = 0  # territories of the level sharing the value, itself included


@dataclass(frozen=True)
class BasketLine:
    """One item of the everyday basket in the portrait: whether the commune has it
    (the presence indicator) and the median car time to the nearest facility of each
    of its service types."""

    label: str
    presence: Row
    times: tuple[tuple[str, Row], ...]  # (service type label, median minutes by car)


@dataclass(frozen=True)
class ReferenceOption:
    value: str  # "level:code", "france" or ""
    label: str
    disabled: bool = False


@dataclass(frozen=True)
class Lorenz:
    """The Lorenz curve of one indicator between the communes of a territory."""

    indicator: Indicator
    points: tuple[tuple[float, float], ...]  # (share of inhabitants, share of value)
    gini: float  # the stored index (fracture_indices)


@dataclass(frozen=True)
class FractureBlock:
    """Fracture indices of one territory (``note`` says why there are none)."""

    territory: Territory
    indices: tuple[FractureIndex, ...]
    note: str = ""
    lorenz: Lorenz | None = None


@dataclass(frozen=True)
class Fractures:
    """The "Fractures territoriales" section: indices of the headline indicators
    for the territory (for a commune: its EPCI and département), and the
    double-peine row of a commune."""

    computed: bool  # the warehouse has ``fracture_indices``
    headlines: tuple[Indicator, ...]
    blocks: tuple[FractureBlock, ...]
    double_peine: DoublePeine | None
    double_peine_computed: bool  # the warehouse has ``double_peine``


@dataclass(frozen=True)
class Portrait:
    territory: Territory
    reference: Territory | None
    reference_note: str
    rows: tuple[Row, ...]
    options: tuple[ReferenceOption, ...]
    has_indicator_tables: bool
    fractures: Fractures | None = None
    one_point: bool = False  # a commune whose values come from one point (its town hall)
    threshold_min: float | None = None  # the build's "quart d'heure" (None: unknown)
    # basket item key -> ((service type code, label), ...) from the service_types table
    basket_types: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # the locator map (SVG text, figures/locator.py) and the territory it is drawn in
    locator: str | None = None
    locator_within: str = ""

    @property
    def minutes(self) -> str:
        """The quart d'heure as shown: ``"15 minutes"``, ``"7,5 minutes"``."""
        return minutes_text(self.threshold_min)

    def share_grid(self) -> dict[str, dict[str, Row]]:
        """Shares of the population within the quart d'heure, keyed by service type
        then mode (the portrait grid)."""
        out: dict[str, dict[str, Row]] = {}
        for r in self.rows:
            ind = r.indicator
            if is_quarter_hour_share(ind, self.threshold_min) and ind.service_type and ind.mode:
                out.setdefault(ind.service_type, {})[ind.mode] = r
        return out

    def scores(self) -> tuple[Row, ...]:
        """The score rows (everyday basket and BPE gammes)."""
        return tuple(r for r in self.rows if r.indicator.kind == "score")

    def basket(self) -> tuple[BasketLine, ...]:
        """The everyday basket item by item: presence in the commune and median car
        times, in the registry's order (items without a presence indicator left out)."""
        types = dict(self.basket_types)
        medians = {
            r.indicator.service_type: r
            for r in self.rows
            if r.indicator.kind == "median" and r.indicator.mode == "car"
        }
        out = []
        for r in self.rows:
            if r.indicator.kind != "present_in_commune":
                continue
            times = tuple(
                (label, medians[code])
                for code, label in types.get(r.indicator.scope, ())
                if code in medians
            )
            labels = [label for _, label in types.get(r.indicator.scope, ())]
            out.append(BasketLine(" / ".join(labels) or r.indicator.label, r, times))
        return tuple(out)


def minutes_text(threshold_min: float | None) -> str:
    """``15.0 -> "15 minutes"``, ``7.5 -> "7,5 minutes"``, ``None -> "un quart d'heure"``
    (a warehouse built before the indicators' fields were stored)."""
    if threshold_min is None:
        return "un quart d'heure"
    return f"{threshold_min:g} minutes".replace(".", ",")


def is_quarter_hour_share(ind: Indicator, threshold_min: float | None) -> bool:
    """Whether ``ind`` is a share of the population within the quart d'heure."""
    return (
        ind.kind == "share_within"
        and threshold_min is not None
        and ind.threshold_min is not None
        and abs(ind.threshold_min - threshold_min) < 1e-9
    )


def parent_code(t: Territory, level: str) -> str | None:
    return {
        "epci": t.epci_code,
        "departement": t.dep_code,
        "region": t.reg_code,
        "commune": t.code if t.level == "commune" else None,
    }.get(level)


def code_at_level(wh: Warehouse, territory: str, level: str) -> str:
    """The territory of ``level`` containing ``territory`` ("level:code"), or ""."""
    t_level, code = split_territory(territory) if territory else ("", "")
    t = queries.territory(wh, t_level, code) if territory else None
    if t is None:
        return ""
    if t.level == level:
        return t.code
    return (parent_code(t, level) or "") if level in _PARENTS[t.level] else ""


def reference_options(wh: Warehouse, t: Territory) -> tuple[ReferenceOption, ...]:
    out = []
    for level in _PARENTS[t.level]:
        ref = queries.territory(wh, level, parent_code(t, level) or "")
        if ref is not None:
            partial = "" if ref.complete else " — partiel : communes de l'entrepôt seulement"
            out.append(
                ReferenceOption(
                    join_territory(level, ref.code),
                    f"{ref.name} ({LEVEL_LABELS[level]}){partial}",
                )
            )
    if queries.france(wh) is not None:
        out.append(ReferenceOption(FRANCE_REFERENCE, "France"))
    else:
        out.append(
            ReferenceOption(FRANCE_REFERENCE, "France : non construite dans cet entrepôt", True)
        )
    return tuple(out)


def reference_value(t: Territory) -> str:
    """The reference value of a territory ("level:code", "france" for France)."""
    return FRANCE_REFERENCE if t.level == FRANCE_LEVEL else join_territory(t.level, t.code)


def reference_territory(wh: Warehouse, reference: str) -> Territory | None:
    """The territory of a reference value ("level:code" or "france")."""
    if not reference:
        return None
    if reference == FRANCE_REFERENCE:
        return queries.france(wh)
    return queries.territory(wh, *split_territory(reference))


def default_reference(options: tuple[ReferenceOption, ...]) -> str:
    usable = [o.value for o in options if not o.disabled]
    by_level = {split_territory(v)[0]: v for v in usable if v != FRANCE_REFERENCE}
    return by_level.get("departement") or by_level.get("region") or (usable[0] if usable else "")


def portrait(wh: Warehouse, territory: str, reference: str = "") -> Portrait | None:
    """Everything the portrait shows, or None for an unknown territory."""
    level, code = split_territory(territory)
    t = queries.territory(wh, level, code)
    if t is None:
        return None
    options = reference_options(wh, t)
    usable = {o.value for o in options if not o.disabled}
    note = ""
    if reference == FRANCE_REFERENCE and reference not in usable:
        note = "La France n'est pas construite dans cet entrepôt : référence par défaut."
    elif reference and reference not in usable:
        note = "Référence non valable pour ce territoire : référence par défaut."
    chosen = reference if reference in usable else default_reference(options)
    ref = reference_territory(wh, chosen)
    if ref is not None and not ref.complete:
        note = (note + " " if note else "") + (
            f"{ref.name} n'est que partiellement dans cet entrepôt : ses valeurs ne "
            "portent que sur les communes construites."
        )
    if queries.has_standings(wh):
        mine = queries.standings(wh, t.level, t.code)
        theirs = queries.standings(wh, ref.level, ref.code) if ref is not None else {}
        rows = tuple(_standing_row(ind, mine, theirs, ref) for ind in queries.indicators(wh))
    else:  # a warehouse built before indicator_values.note: one level read per indicator
        rows = tuple(_row(wh, ind, t, ref) for ind in queries.indicators(wh))
    has_tables = queries.has_indicator_tables(wh)
    one_point = (
        t.level == "commune"
        and has_tables
        and queries.population_points_kind(wh) == queries.POINTS_TOWN_HALL
    )
    return Portrait(
        t,
        ref,
        note,
        rows,
        options,
        has_tables,
        fractures(wh, t),
        one_point,
        queries.quarter_hour_min(wh),
        basket_types(wh),
        locator_svg(queries.locator_shapes(wh, t.level, t.code)),
        _container_name(wh, t),
    )


def _container_name(wh: Warehouse, t: Territory) -> str:
    """What the locator map shows around ``t``: its département (a commune, an
    EPCI), its région (a département), France (a région)."""
    if t.level == "region":
        return "France"
    level, code = (
        ("region", t.reg_code) if t.level == "departement" else ("departement", t.dep_code)
    )
    container = queries.territory(wh, level, code or "")
    return container.name if container is not None else ""


def basket_types(wh: Warehouse) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Basket item key -> its loaded service types ``(code, label)``, by code."""
    by_item: dict[str, list[tuple[str, str]]] = {}
    for st in sorted(queries.service_types(wh), key=lambda s: s.code):
        if st.basket_item:
            by_item.setdefault(st.basket_item, []).append((st.code, st.label))
    return tuple((k, tuple(v)) for k, v in by_item.items())


# Territories whose indices a portrait shows: itself, or a commune's EPCI and département.
_FRACTURE_SCOPE = {"commune": ("epci", "departement")}
PARTIAL_NOTE = (
    "non calculable : territoire partiellement dans l'entrepôt (les indices ne portent "
    "que sur des territoires dont toutes les communes sont construites)"
)
NO_INDEX_NOTE = "non calculable : aucun indice pour ce territoire dans cet entrepôt"


def headline_indicators(wh: Warehouse) -> tuple[Indicator, ...]:
    """Base indicators of the registered Gini indicators (their stored
    ``base_indicator_id``), scores first: the everyday-basket scores and the France
    Services time."""
    bases = [
        i.base_indicator_id
        for i in queries.indicators(wh)
        if i.theme == "fracture" and i.kind == "gini" and i.base_indicator_id
    ]
    found = [ind for b in bases if (ind := queries.indicator(wh, b)) is not None]
    return tuple(sorted(found, key=lambda i: (i.kind != "score", i.id)))


def fractures(wh: Warehouse, t: Territory) -> Fractures:
    """Fracture indices around ``t`` and, for a commune, its double-peine status."""
    heads = headline_indicators(wh)
    ids_ = tuple(i.id for i in heads)
    blocks = []
    for level in _FRACTURE_SCOPE.get(t.level, (t.level,)):
        place = t if level == t.level else queries.territory(wh, level, parent_code(t, level) or "")
        if place is None:
            continue
        found = queries.fracture_indices(wh, place.level, place.code, ids_)
        note = "" if found else (PARTIAL_NOTE if not place.complete else NO_INDEX_NOTE)
        blocks.append(FractureBlock(place, found, note, _lorenz(wh, place, heads, found)))
    dp = queries.double_peine(wh, t.code) if t.level == "commune" else None
    return Fractures(
        queries.has_fracture_tables(wh),
        heads,
        tuple(blocks),
        dp,
        "double_peine" in queries.tables(wh),
    )


def _lorenz(
    wh: Warehouse,
    place: Territory,
    heads: tuple[Indicator, ...],
    found: tuple[FractureIndex, ...],
) -> Lorenz | None:
    """The Lorenz curve of the headline indicator with the highest Gini for ``place``:
    its member communes with a value and inhabitants, weighted by population (the
    inputs of the stored index, ``indicators/fracture.py``)."""
    gini = {
        x.indicator_id: float(x.value)
        for x in found
        if x.index_id == "gini" and x.value is not None
    }
    # the most unequal headline indicator: where the fracture is
    ind = max((i for i in heads if i.id in gini), key=lambda i: gini[i.id], default=None)
    if ind is None:
        return None
    communes = queries.territories(wh, "commune")
    values = queries.indicator_values(wh, ind.id, "commune")
    if place.level == FRANCE_LEVEL:
        members: Sequence[int] = range(len(communes))
    else:
        column = LEVEL_CODE_COLUMN.get(place.level, "")
        members = queries.communes_by_parent(wh, column).get(place.code, ())
    kept = [
        (v.value, c.population)
        for c, v in ((communes[i], values[i]) for i in members)
        if v.value is not None and not v.secret and c.population is not None and c.population > 0
    ]
    points = lorenz_points([v for v, _ in kept], [w for _, w in kept])
    return Lorenz(ind, tuple(points), gini[ind.id]) if points else None


@lru_cache(maxsize=512)
def level_ranks(wh: Warehouse, indicator_id: str, level: str) -> tuple[int | None, ...]:
    """Ranks of every territory of a level (aligned with ``queries.territories``)."""
    ind = queries.indicator(wh, indicator_id)
    if ind is None:
        raise KeyError(indicator_id)
    values = queries.indicator_values(wh, indicator_id, level)
    return tuple(ranks([None if v.secret else v.value for v in values], ind.higher_is_better))


_UNKNOWN = queries.Standing(None, False, None, None, None, 0, 0, 0)


def _standing_row(
    ind: Indicator,
    mine: dict[str, queries.Standing],
    theirs: dict[str, queries.Standing],
    ref: Territory | None,
) -> Row:
    s = mine.get(ind.id, _UNKNOWN)
    r = theirs.get(ind.id, _UNKNOWN) if ref is not None else None
    return Row(
        ind,
        None if s.secret else s.value,
        s.secret,
        s.rank(ind.higher_is_better),
        s.n_ranked,
        None if r is None or r.secret else r.value,
        bool(r and r.secret),
        None if s.secret else s.numerator,
        None if s.secret else s.denominator,
        s.note,
        r.note if r is not None else None,
        s.n_tied,
    )


def _row(wh: Warehouse, ind: Indicator, t: Territory, ref: Territory | None) -> Row:
    values = queries.indicator_values(wh, ind.id, t.level)
    idx = queries.territory_index(wh, t.level)[t.code]
    rk = level_ranks(wh, ind.id, t.level)
    v = values[idx]
    ref_value, ref_secret, ref_note = None, False, None
    if ref is not None:
        ref_values = queries.indicator_values(wh, ind.id, ref.level)
        rv = ref_values[queries.territory_index(wh, ref.level)[ref.code]]
        ref_value, ref_secret = (None if rv.secret else rv.value), rv.secret
        ref_note = rv.note
    return Row(
        ind,
        None if v.secret else v.value,
        v.secret,
        rk[idx],
        sum(r is not None for r in rk),
        ref_value,
        ref_secret,
        None if v.secret else v.numerator,
        None if v.secret else v.denominator,
        v.note,
        ref_note,
        sum(x == rk[idx] for x in rk) if rk[idx] is not None else 0,
    )
