"""Territories of the build: levels, lists, bounds, search names and postal codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from dashboards.queries.connection import Warehouse, _rows, tables
from etl.vocabulary import FRANCE_CODE, FRANCE_LEVEL

LEVELS: tuple[str, ...] = ("commune", "epci", "departement", "region")
OVERSEAS_PREFIX = "97"  # INSEE codes of the overseas départements (971-976) and communes


@dataclass(frozen=True)
class Territory:
    level: str
    code: str
    name: str
    dep_code: str | None
    reg_code: str | None
    epci_code: str | None
    population: float | None
    complete: bool


@dataclass(frozen=True)
class SearchEntry:
    commune_code: str
    label: str
    match_kind: str
    dep_code: str
    current_name: str


def _checked_level(level: str) -> str:
    """``level`` if it is one of :data:`LEVELS` or France (levels come from URLs)."""
    if level not in LEVELS and level != FRANCE_LEVEL:
        raise ValueError(f"niveau inconnu: {level!r}")
    return level


@lru_cache(maxsize=8)
def levels(wh: Warehouse) -> tuple[str, ...]:
    """Levels present in ``territories``, in the order of :data:`LEVELS`."""
    found = {r[0] for r in _rows(wh, "levels")}
    return tuple(level for level in LEVELS if level in found)


def france(wh: Warehouse) -> Territory | None:
    """France as a whole when the warehouse holds all of it (a national build), else
    None: a partial build's France would be its built part's."""
    t = territory(wh, FRANCE_LEVEL, FRANCE_CODE)
    return t if t is not None and t.complete else None


@lru_cache(maxsize=16)
def territories(wh: Warehouse, level: str) -> tuple[Territory, ...]:
    """Territories of one level, ordered by code (the order of geometry and values)."""
    rows = _rows(wh, "territories", {"level": _checked_level(level)})
    return tuple(Territory(*r) for r in rows)


@lru_cache(maxsize=16)
def territory_index(wh: Warehouse, level: str) -> MappingProxyType[str, int]:
    """Position of each code in :func:`territories` (a read-only mapping)."""
    return MappingProxyType({t.code: i for i, t in enumerate(territories(wh, level))})


@lru_cache(maxsize=8)
def communes_by_parent(wh: Warehouse, column: str) -> MappingProxyType[str, tuple[int, ...]]:
    """Positions in ``territories(wh, "commune")`` of the communes of each parent code
    of ``column`` (a :class:`Territory` field: ``epci_code``, ``dep_code``...), so that a
    portrait reads its members without going through the 35,000 communes."""
    members: dict[str, list[int]] = {}
    for i, c in enumerate(territories(wh, "commune")):
        parent = getattr(c, column)
        if parent is not None:
            members.setdefault(parent, []).append(i)
    return MappingProxyType({k: tuple(v) for k, v in members.items()})


def territory(wh: Warehouse, level: str, code: str) -> Territory | None:
    idx = territory_index(wh, level).get(code)
    return None if idx is None else territories(wh, level)[idx]


@lru_cache(maxsize=8)
def overseas_departements(wh: Warehouse) -> tuple[Territory, ...]:
    """Overseas départements of a build that also holds mainland communes (the map
    opens on mainland France and offers a shortcut to each of them); ``()`` else."""
    deps = [t for t in territories(wh, "departement") if t.code.startswith(OVERSEAS_PREFIX)]
    communes = territories(wh, "commune")
    if not deps or all(t.code.startswith(OVERSEAS_PREFIX) for t in communes):
        return ()
    return tuple(deps)


@lru_cache(maxsize=64)
def territory_bounds(wh: Warehouse, level: str, code: str) -> tuple[tuple[float, float], ...]:
    """``((south, west), (north, east))`` of a territory, or of the whole build if
    ``code`` is empty (mainland France only, when the build has mainland communes:
    overseas départements would stretch the view over the oceans); ``()`` when
    unknown."""
    if code:
        rows = _rows(wh, "territory_bounds", {"level": _checked_level(level), "code": code})
    else:
        rows = _rows(wh, "build_bounds", {"overseas_prefix": OVERSEAS_PREFIX})
    if not rows or rows[0][0] is None:
        return ()
    s, w, n, e = (round(float(x), 5) for x in rows[0])
    return ((s, w), (n, e))


@lru_cache(maxsize=8)
def search_entries(wh: Warehouse) -> tuple[SearchEntry, ...]:
    """Names (current, delegated, former) leading to current communes of the build."""
    name = "search_entries" if "commune_search" in tables(wh) else "search_names"
    return tuple(SearchEntry(*r) for r in _rows(wh, name))


@lru_cache(maxsize=1024)
def communes_of_postal_code(wh: Warehouse, postal_code: str) -> tuple[str, ...]:
    if "postal_codes" not in tables(wh):
        return ()
    rows = _rows(wh, "postal_code_communes", {"postal_code": postal_code})
    return tuple(r[0] for r in rows)
