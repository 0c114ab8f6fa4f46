"""Indicators the dashboard can show, their values, and the build's service types.

Indicators come from the ``indicators`` / ``indicator_values`` tables of the contract
(``warehouse/SCHEMA.md``). Until a build has them, the dashboard offers the few
figures it can compute honestly from the base tables (population, density,
facilities per 10,000 inhabitants), flagged ``computed_here``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import duckdb

from dashboards.queries.connection import (
    Warehouse,
    _columns,
    _finite,
    _records,
    _rows,
    columns,
    tables,
)
from dashboards.queries.meta import usage_sources
from dashboards.queries.territories import _checked_level, territories
from indicators.indicator import BASE_THEME, IndicatorText, indicator_id
from indicators.step_context import NOTE_INCOMPLETE
from warehouse.gate import WarehouseError

# Figures computed here (not in the warehouse registry); ids from the naming function.
_POPULATION_ID = indicator_id(BASE_THEME, "population")
_DENSITY_ID = indicator_id(BASE_THEME, "density")
# Kinds whose threshold is the build's "quart d'heure" (indicators.registry).
_QUARTER_HOUR_KINDS = ("score", "share_within")


@dataclass(frozen=True)
class Indicator(IndicatorText):
    """One indicator's metadata (columns of the ``indicators`` table)."""

    higher_is_better: bool | None
    decimals: int
    service_type: str | None = None
    mode: str | None = None
    threshold_min: float | None = None
    computed_here: bool = False
    target_max: float | None = None  # a commitment, met when value <= target_max
    # What the indicator is (indicators.registry.Indicator; read, never parsed from
    # the id). Empty / None in warehouses built before these columns existed.
    kind: str = ""
    scope: str = ""
    binding_level: str | None = None
    base_indicator_id: str | None = None
    density_class: str | None = None


class Value(NamedTuple):
    """One territory's value; ``value`` is None when missing or secret (``note``:
    the warehouse's French reason for a missing value, None when unknown or given).
    A named tuple: a national level builds 34 875 of them per indicator, five times
    faster than a frozen dataclass."""

    code: str
    value: float | None
    secret: bool
    numerator: float | None
    denominator: float | None
    note: str | None = None


@dataclass(frozen=True)
class ServiceType:
    code: str
    slug: str
    label: str
    n_facilities: int
    n_in_territory: int
    sources: str
    basket_item: str | None = None  # key of the everyday-basket item it satisfies


def has_indicator_tables(wh: Warehouse) -> bool:
    return {"indicators", "indicator_values"} <= tables(wh)


@lru_cache(maxsize=8)
def commune_coverage(wh: Warehouse) -> Mapping[str, float]:
    """Share (0-1) of the communes with a value, per registered indicator (empty
    without indicator tables): the default indicator must not be a blank map."""
    if not has_indicator_tables(wh):
        return MappingProxyType({})
    rows = _rows(wh, "commune_coverage")
    return MappingProxyType({str(i): float(share) for i, share in rows})


@lru_cache(maxsize=8)
def indicators(wh: Warehouse) -> tuple[Indicator, ...]:
    """Every indicator the dashboard can show: the warehouse registry first, then
    the figures computed here from base tables (ids the registry lacks)."""
    registered: tuple[Indicator, ...] = ()
    if has_indicator_tables(wh):
        try:
            registered = tuple(_registered(r) for r in _records(wh, "indicators"))
        except (duckdb.Error, KeyError) as exc:
            raise WarehouseError(f"table `indicators` non conforme au contrat: {exc}") from exc
    known = {i.id for i in registered}
    return registered + tuple(i for i in _base_indicators(wh) if i.id not in known)


def _registered(r: Mapping[str, Any]) -> Indicator:
    """An :class:`Indicator` from a row of ``indicators``; the newer contract columns
    (``target_max``, ``kind`` ...) are empty when an older warehouse lacks them."""
    return Indicator(
        r["id"],
        r["theme"],
        r["label"],
        r["unit"],
        r["definition"] or "",
        r["formula"] or "",
        r["sources"] or "",
        r["vintage"] or "",
        r["higher_is_better"],
        int(1 if r["decimals"] is None else r["decimals"]),
        r["service_type"],
        r["mode"],
        r["threshold_min"],
        target_max=_finite(r.get("target_max")),
        kind=r.get("kind") or "",
        scope=r.get("scope") or "",
        binding_level=r.get("binding_level"),
        base_indicator_id=r.get("base_indicator_id"),
        density_class=r.get("density_class"),
    )


def indicator(wh: Warehouse, indicator_id: str) -> Indicator | None:
    return next((i for i in indicators(wh) if i.id == indicator_id), None)


@lru_cache(maxsize=8)
def quarter_hour_min(wh: Warehouse) -> float | None:
    """The build's "quart d'heure" in minutes (``territoires build --threshold``), from
    the stored fields of its indicators (:func:`quarter_hour_of`)."""
    return quarter_hour_of(indicators(wh))


def quarter_hour_of(registered: Sequence[Indicator]) -> float | None:
    """The "quart d'heure" of these indicators: the threshold of the everyday-basket
    scores, else the threshold most access shares use (France Services' 30 min is one
    type among many). None without such an indicator (or stored fields)."""
    for kind in _QUARTER_HOUR_KINDS:
        found = [
            i.threshold_min
            for i in registered
            if i.theme == "access" and i.kind == kind and not i.scope and i.threshold_min
        ]
        if found:
            return max(sorted(set(found)), key=found.count)
    return None


def _base_indicators(wh: Warehouse) -> tuple[Indicator, ...]:
    pop_sources, pop_vintage = usage_sources(wh, "communes: population")
    geo_sources, geo_vintage = usage_sources(wh, "communes: géométrie")
    out = [
        Indicator(
            _POPULATION_ID,
            BASE_THEME,
            "Population",
            "hab.",
            "Population municipale des communes, sommée par territoire (communes de "
            "l'entrepôt seulement).",
            "somme des populations communales",
            pop_sources,
            pop_vintage,
            None,
            0,
            computed_here=True,
            kind="population",
        ),
        Indicator(
            _DENSITY_ID,
            BASE_THEME,
            "Densité de population",
            "hab./km²",
            "Population rapportée à la surface du territoire (géométrie en projection "
            "métrique de l'entrepôt).",
            "population / surface (km²)",
            ", ".join(s for s in (pop_sources, geo_sources) if s),
            " ; ".join(v for v in (pop_vintage, geo_vintage) if v),
            None,
            1,
            computed_here=True,
            kind="density",
        ),
    ]
    for st in service_types(wh):
        if st.n_in_territory <= 0:
            continue
        out.append(
            Indicator(
                indicator_id(BASE_THEME, "facilities_per_10k", st.slug),
                BASE_THEME,
                f"{st.label} : équipements pour 10 000 habitants",
                "pour 10 000 hab.",
                f"Nombre d'équipements « {st.label} » ({st.code}) situés dans le territoire, "
                "pour 10 000 habitants. Ne mesure pas l'accès (distance, temps).",
                "10 000 × équipements / population",
                st.sources,
                "",
                True,
                1,
                service_type=st.code,
                computed_here=True,
                kind="facilities_per_10k",
            )
        )
    return tuple(out)


@lru_cache(maxsize=256)
def indicator_values(wh: Warehouse, indicator_id: str, level: str) -> tuple[Value, ...]:
    """Values of one indicator for every territory of ``level``, aligned with
    :func:`~dashboards.queries.territories.territories` (missing rows come back as
    ``value=None``)."""
    ind = indicator(wh, indicator_id)
    if ind is None:
        raise KeyError(indicator_id)
    params: dict[str, Any] = {"level": _checked_level(level)}
    if not ind.computed_here:
        # ``note`` is absent from warehouses built before it.
        with_note = "note" in columns(wh, "indicator_values")
        name = "indicator_values" if with_note else "indicator_values_without_note"
        cols = _columns(wh, name, {**params, "indicator_id": ind.id})
    elif ind.kind == "population":
        cols = _columns(wh, "population_values", params)
    elif ind.kind == "density":
        cols = _columns(wh, "density_values", params)
    else:
        cols = _columns(
            wh, "facility_rate_values", {**params, "service_type": ind.service_type or ""}
        )
    codes, values, secrets, nums, dens, raw_notes = cols
    notes: dict[str, str] = {}  # one string object per distinct note, shared by values
    # A figure computed here for a territory only partly built would be its built
    # part's (Bretagne's population = Ille-et-Vilaine's): blank, with the reason.
    partial = (
        {t.code for t in territories(wh, level) if not t.complete} if ind.computed_here else set()
    )
    out = [
        Value(
            code,
            v,
            bool(secret),
            num,
            den,
            notes.setdefault(str(note), str(note)) if note else None,
        )
        if code not in partial
        else Value(code, None, False, None, None, NOTE_INCOMPLETE)
        for code, v, secret, num, den, note in zip(
            codes, values, secrets, nums, dens, raw_notes, strict=True
        )
    ]
    return tuple(out)


@lru_cache(maxsize=8)
def service_types(wh: Warehouse) -> tuple[ServiceType, ...]:
    if "service_types" not in tables(wh):
        return ()
    return tuple(
        ServiceType(
            r["code"],
            r["slug"],
            r["label"],
            int(r["n_facilities"] or 0),
            int(r["n_in_territory"] or 0),
            r["sources"] or "",
            r.get("basket_item") or None,
        )
        for r in _records(wh, "service_types")
    )
