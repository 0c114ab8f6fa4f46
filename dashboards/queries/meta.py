"""What the build says about itself: the load log, source usage and build keys."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Any

from dashboards.queries.connection import Warehouse, _records, _rows, tables
from indicators.ess_step import ESTABLISHMENTS, LEGAL_UNITS
from warehouse.gate import WarehouseError

# Catalogue sources without which a theme has no indicator (to say why it is empty):
# ESS needs both Sirene stocks (indicators/ess_step.py; the ESS France list is
# optional); third places come from these two facility sources, rural mobility
# from the SNCF stations (indicators/registry.py, etl/catalogue.toml).
THEME_SOURCES = MappingProxyType(
    {
        "third_places": ("fabriques_territoire", "france_tiers_lieux"),
        "mobility": ("sncf_gares",),
        "ess": (ESTABLISHMENTS, LEGAL_UNITS),
        "commitments": ("laposte_points_contact", "france_services"),
    }
)
_LOADED = "chargée"
# Columns of each ``meta`` row returned, then ``sample`` (false when the warehouse was
# built before that column existed).
_META_COLUMNS = (
    "dataset",
    "title",
    "role",
    "vintage",
    "publisher",
    "licence",
    "status",
    "rows",
    "origin",
    "reason",
    "url",
)
POINTS_TOWN_HALL = "mairie"  # build_info.population_points: one point per commune


@lru_cache(maxsize=8)
def build_info(wh: Warehouse) -> tuple[tuple[str, str], ...]:
    if "build_info" not in tables(wh):
        return ()
    return tuple(_rows(wh, "build_info"))


def population_points_kind(wh: Warehouse) -> str:
    """``build_info.population_points``: ``"mairie"`` when each commune's population
    sits at one point (commune values are then 0 % or 100 %), ``"carreau_200m"`` for
    the 200 m grid, ``""`` when the build does not say (older warehouses)."""
    return dict(build_info(wh)).get("population_points", "") or ""


@lru_cache(maxsize=8)
def meta(wh: Warehouse) -> tuple[MappingProxyType[str, Any], ...]:
    """The load log (one row per catalogue source), as read-only row dicts.

    ``sample`` is true for a source loaded from the embedded real sample (false in a
    warehouse built before that column existed)."""
    if "meta" not in tables(wh):
        return ()
    try:
        return tuple(
            MappingProxyType({**{c: r[c] for c in _META_COLUMNS}, "sample": bool(r.get("sample"))})
            for r in _records(wh, "meta")
        )
    except KeyError as exc:
        raise WarehouseError(f"table `meta` non conforme au contrat: {exc} absente") from exc


@lru_cache(maxsize=8)
def theme_missing_sources(wh: Warehouse) -> MappingProxyType[str, tuple[str, ...]]:
    """Theme -> the sources of :data:`THEME_SOURCES` that ``meta`` lists as not
    loaded (status other than "chargée"), in catalogue order."""
    status = {m["dataset"]: m["status"] for m in meta(wh)}
    out = {
        theme: tuple(s for s in names if s in status and status[s] != _LOADED)
        for theme, names in THEME_SOURCES.items()
    }
    return MappingProxyType({k: v for k, v in out.items() if v})


@lru_cache(maxsize=8)
def meta_usage(wh: Warehouse) -> tuple[tuple[str, str], ...]:
    if "meta_usage" not in tables(wh):
        return ()
    return tuple(_rows(wh, "meta_usage"))


def usage_sources(wh: Warehouse, usage_prefix: str) -> tuple[str, str]:
    """(datasets, vintages) feeding a part of the warehouse, from meta_usage/meta."""
    if not {"meta_usage", "meta"} <= tables(wh):
        return "", ""
    rows = _rows(wh, "usage_sources", {"usage_prefix": usage_prefix})
    names = ", ".join(r[0] for r in rows)
    vintages = " ; ".join(sorted({r[1] for r in rows if r[1]}))
    return names, vintages
