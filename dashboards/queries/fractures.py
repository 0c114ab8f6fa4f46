"""Territorial fractures, the planner's what-if inputs and the exports of a view."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dashboards.queries.connection import Warehouse, _cursor, _finite, _rows, tables
from dashboards.queries.territories import _checked_level
from indicators import exports, siting, whatif
from warehouse.gate import WarehouseError


@dataclass(frozen=True)
class FractureIndex:
    """One row of ``fracture_indices`` (``value`` None when not computable: ``note``)."""

    indicator_id: str
    index_id: str
    value: float | None
    n_communes: int | None
    population_covered: float | None
    note: str


@dataclass(frozen=True)
class DoublePeine:
    """One row of ``double_peine`` (flags None when unknown; ``note`` says why)."""

    commune_code: str
    median_income_eur: float | None
    poverty_rate_pct: float | None
    access_indicator_id: str
    access_value: float | None
    ref_median_income_eur: float | None
    ref_poverty_rate_pct: float | None
    ref_access_value: float | None
    poorer: bool | None
    farther: bool | None
    double_peine: bool | None
    note: str


def has_fracture_tables(wh: Warehouse) -> bool:
    return "fracture_indices" in tables(wh)


@lru_cache(maxsize=256)
def fracture_indices(
    wh: Warehouse, level: str, code: str, indicator_ids: tuple[str, ...]
) -> tuple[FractureIndex, ...]:
    """Fracture indices of one territory for the given base indicators, ordered by
    indicator then index id; ``()`` when none was computed (incomplete territory,
    or no ``fracture_indices`` table)."""
    if not has_fracture_tables(wh) or not indicator_ids:
        return ()
    rows = _rows(
        wh,
        "fracture_indices",
        {"level": level, "code": code, "indicator_ids": list(indicator_ids)},
    )
    return tuple(
        FractureIndex(i, x, _finite(v), None if n is None else int(n), _finite(p), note)
        for i, x, v, n, p, note in rows
    )


@lru_cache(maxsize=1024)
def double_peine(wh: Warehouse, commune_code: str) -> DoublePeine | None:
    """The double-peine row of a commune, or None (no Filosofi file, commune of an
    incomplete département, or table absent)."""
    if "double_peine" not in tables(wh):
        return None
    rows = _rows(wh, "double_peine", {"commune_code": commune_code})
    if not rows:
        return None
    r = rows[0]
    return DoublePeine(
        r[0],
        _finite(r[1]),
        _finite(r[2]),
        r[3] or "",
        _finite(r[4]),
        _finite(r[5]),
        _finite(r[6]),
        _finite(r[7]),
        _flag(r[8]),
        _flag(r[9]),
        _flag(r[10]),
        r[11],
    )


def _flag(b: object) -> bool | None:
    return None if b is None else bool(b)


# --- planner what-if ---------------------------------------------------------------------


@lru_cache(maxsize=16)
def what_if_inputs(
    wh: Warehouse, level: str, code: str, service_type: str, mode: str
) -> whatif.WhatIfInputs:
    """Population points with their stored nearest facility, and the facilities of
    one type, for :func:`indicators.whatif.what_if` (read once, then reused: the
    what-if itself never touches the warehouse). Callers must not mutate them."""
    if "travel_times" not in tables(wh):
        raise WarehouseError("temps d'accès non calculés dans cet entrepôt")
    with _cursor(wh) as cur:
        return whatif.load_inputs(cur, _checked_level(level), code, service_type, mode)


@lru_cache(maxsize=8)
def siting_inputs(
    wh: Warehouse, level: str, code: str, service_type: str, mode: str
) -> siting.SitingInputs:
    """Points, facilities of one type and candidate sites (the town hall of each
    commune) of a territory, for :func:`indicators.siting.plan_sites` and
    :func:`indicators.siting.criticality` (read once; callers must not mutate them)."""
    if "travel_times" not in tables(wh):
        raise WarehouseError("temps d'accès non calculés dans cet entrepôt")
    with _cursor(wh) as cur:
        return siting.load_inputs(cur, _checked_level(level), code, service_type, mode)


# --- exports ------------------------------------------------------------------------------


def export_view(
    wh: Warehouse,
    level: str,
    territory: tuple[str, str] | None,
    *,
    indicator_ids: tuple[str, ...],
    extra: tuple[exports.ExtraIndicator, ...] = (),
    geometry: bool = False,
    context: tuple[tuple[str, str], ...] = (),
) -> tuple[Any, exports.ExportMeta]:
    """A view's export frame and metadata through :func:`indicators.exports.export_frame`,
    the code of ``territoires export`` (not cached: the frame is the caller's to write).

    Raises
    ------
    indicators.exports.ExportError
        The view cannot be exported (French message).
    """
    with _cursor(wh) as cur:
        return exports.export_frame(
            cur,
            _checked_level(level),
            territory,
            indicator_ids=indicator_ids,
            extra=extra,
            geometry=geometry,
            context=context,
        )
