"""The indicator record, its stable id and its table form.

:class:`Indicator` is one row of the ``indicators`` table; :func:`indicator_id` is the
only place ids are written (from the structured fields, which readers use instead of
parsing ids); :func:`registry_frame` turns a list of indicators into that table.
The catalogue of indicators a warehouse holds is :mod:`indicators.registry`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypeVar

import pandas as pd

K = TypeVar("K")
V = TypeVar("V")

__all__ = [
    "DENSITY_SUBSET_MARK",
    "ESS_KINDS",
    "FRACTURE_KINDS",
    "KINDS",
    "STRUCTURED_FIELDS",
    "THEMES",
    "Indicator",
    "SourceInfo",
    "frozen_mapping",
    "indicator_id",
    "minutes_tag",
    "registry_frame",
]

# ESS (indicators/ess.py): counts, estimated jobs, rates and shares; id = kind
# (+ ``__<family>``).
ESS_KINDS: Final[tuple[str, ...]] = (
    "ess_establishments",
    "ess_establishments_per_10k",
    "ess_share_establishments",
    "ess_jobs_estimate",
    "ess_share_jobs_estimate",
)
THEMES: Final[tuple[str, ...]] = (
    "access",
    "third_places",
    "mobility",
    "commitments",
    "ess",
    "fracture",
)
# Figures the dashboard computes from the base tables when a build has no indicator
# (population, density, facilities per 10,000 inhabitants): theme BASE_THEME, not
# stored in the ``indicators`` table.
BASE_THEME: Final = "base"
BASE_KINDS: Final[tuple[str, ...]] = ("population", "density", "facilities_per_10k")
KINDS: Final[tuple[str, ...]] = (
    *BASE_KINDS,
    "share_within",
    "median",
    "mean",
    "score",
    "population_beyond",
    "share_beyond",
    "fca",
    "commitment",
    # Presence of an everyday-basket item in the commune (indicators/basket_presence.py)
    "present_in_commune",
    # Public transport from GTFS timetables (indicators/public_transport.py)
    "transit_frequent_share",
    "transit_departures",
    "transit_isolated",
    *ESS_KINDS,
    # Fracture (indicators/fracture_step.py): indices of a base indicator
    "gini",
    "fifth_gap",
    "share_double_peine",
)
# Id part of the indicators restricted to the inhabitants of one density class.
DENSITY_SUBSET_MARK: Final = "__density_"
# Commitment variants (``scope``) and the id stem of each (``<stem>_<T>min__<mode>``).
_COMMITMENT_STEMS: Final = MappingProxyType(
    {
        "laposte_route": "laposte_presence__share_beyond_5km",
        "laposte_crow": "laposte_presence__share_beyond_5km_crow",
        "france_services": "france_services_promise__share_beyond",
    }
)
# Kinds whose id is ``<kind>__<base indicator id>``.
FRACTURE_KINDS: Final = ("gini", "fifth_gap", "share_double_peine")


@dataclass(frozen=True)
class IndicatorText:
    """What every reader shows of an indicator (the build's registry, the exports'
    metadata, the dashboard): its id and French texts (label, unit, definition,
    formula, sources, vintage)."""

    id: str
    theme: str
    label: str
    unit: str
    definition: str
    formula: str
    sources: str
    vintage: str


@dataclass(frozen=True)
class Indicator(IndicatorText):
    """Metadata of one indicator (a row of the ``indicators`` table).

    Every field is stored: readers (dashboard, fracture step, what-if, exports) read
    them and never parse ``id``, which :func:`indicator_id` builds from them.
    ``kind`` is one of :data:`KINDS`; ``scope`` is the density class of a mobility
    indicator, the gamme of a gamme score, the variant of a commitment, the family of
    an ESS figure, or empty. ``binding_level`` is the only level where a commitment's
    rule binds (None: every level); ``base_indicator_id`` the indicator a fracture
    index is computed on; ``density_class`` the class of the inhabitants an indicator
    is restricted to (None: all of them).
    """

    higher_is_better: bool
    decimals: int
    service_type: str | None
    mode: str | None
    threshold_min: float | None
    kind: str = ""
    scope: str = ""
    # Commitments: the value at or below which the commitment is met.
    target_max: float | None = None
    binding_level: str | None = None
    base_indicator_id: str | None = None
    density_class: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9_]+", self.id):
            raise ValueError(f"indicator id must be snake_case: {self.id!r}")
        if self.theme not in THEMES or (self.kind and self.kind not in KINDS):
            raise ValueError(f"unknown theme or kind for {self.id}: {self.theme}, {self.kind}")


@dataclass(frozen=True)
class SourceInfo:
    """Which catalogue sources fed the warehouse, and their vintages (from ``meta``)."""

    vintages: Mapping[str, str]
    facility_sources: Mapping[str, tuple[str, ...]]
    population_sources: tuple[str, ...]
    density_sources: tuple[str, ...] = ()
    method: str = "straight_line"

    def cite(self, service_types: Iterable[str], *, density: bool = False) -> tuple[str, str]:
        """``(sources, vintage)`` strings for figures built on these service types."""
        names: list[str] = []
        for code in service_types:
            names += [n for n in self.facility_sources.get(code, ()) if n not in names]
        names += [n for n in self.population_sources if n not in names]
        if density:
            names += [n for n in self.density_sources if n not in names]
        vintage = " ; ".join(
            f"{n} : {self.vintages.get(n) or 'millésime non renseigné'}" for n in names
        )
        return ", ".join(names), vintage


def minutes_tag(minutes: float) -> str:
    """``15.0 -> "15"``, ``7.5 -> "7p5"``: the threshold as it appears in ids."""
    text = f"{minutes:g}"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        raise ValueError(f"threshold must be a positive number of minutes, got {minutes!r}")
    return text.replace(".", "p")


def indicator_id(
    theme: str,
    kind: str,
    service_slug: str | None = None,
    mode: str | None = None,
    threshold_min: float | None = None,
    scope: str = "",
    *,
    base_indicator_id: str | None = None,
) -> str:
    """The stable id of an indicator, built from its structured fields.

    The only place ids are written (the idea of cityseer's ``prep_gdf_key``); no
    reader parses them back: they read the stored fields instead.

    Parameters
    ----------
    theme : str
        One of :data:`THEMES`, or :data:`BASE_THEME` (checked; it does not appear in
        the id).
    kind : str
        One of :data:`KINDS`.
    service_slug : str, optional
        The service type's slug (access, third places, mobility, fca).
    mode : str, optional
        walk, bike or car.
    threshold_min : float, optional
        Minutes, for the kinds that carry a threshold (shares, counts, scores,
        commitments).
    scope : str
        Gamme of a score, density class of a share beyond (``all``: every
        inhabitant), commitment variant, ESS family, basket item of a presence;
        empty otherwise.
    base_indicator_id : str, optional
        The base indicator of a fracture index.

    Returns
    -------
    str
        ``share_within_15min__c101__walk``, ``score_15min__gamme_proximite__car``,
        ``gini__score_15min__walk``, ``ess_jobs_estimate__association``...

    Raises
    ------
    ValueError
        An unknown theme, kind or commitment variant, or a field the kind needs
        is missing.
    """
    if theme not in (*THEMES, BASE_THEME) or kind not in KINDS:
        raise ValueError(f"unknown theme or kind: {theme!r}, {kind!r}")
    if kind in ("population", "density"):
        return kind
    if kind == "facilities_per_10k":
        if not service_slug:
            raise ValueError("a facilities_per_10k figure needs a service type slug")
        return f"{kind}__{service_slug}"
    if kind in FRACTURE_KINDS:
        if not base_indicator_id:
            raise ValueError(f"a {kind} indicator needs its base indicator id")
        return f"{kind}__{base_indicator_id}"
    if kind in ESS_KINDS:
        return f"{kind}__{scope}" if scope else kind
    if kind == "present_in_commune":
        if not scope:
            raise ValueError("a present_in_commune indicator needs its basket item (scope)")
        return f"{kind}__{scope}"
    if not mode:
        raise ValueError(f"a {kind} indicator needs a mode")
    if kind == "transit_frequent_share":
        return f"{kind}__{mode}"
    if kind in ("transit_departures", "transit_isolated"):
        return f"{kind}_{_minutes(threshold_min)}__{mode}"
    if kind == "score":
        gamme = f"gamme_{scope}__" if scope else ""
        return f"score_{_minutes(threshold_min)}__{gamme}{mode}"
    if kind == "commitment":
        if scope not in _COMMITMENT_STEMS:
            raise ValueError(f"unknown commitment variant {scope!r}: {list(_COMMITMENT_STEMS)}")
        return f"{_COMMITMENT_STEMS[scope]}_{_minutes(threshold_min)}__{mode}"
    if not service_slug:
        raise ValueError(f"a {kind} indicator needs a service type slug")
    if kind in ("median", "mean"):
        return f"{kind}_minutes__{service_slug}__{mode}"
    if kind == "fca":
        return f"fca__{service_slug}__{mode}"
    density = f"{DENSITY_SUBSET_MARK}{scope}" if scope and scope != "all" else ""
    return f"{kind}_{_minutes(threshold_min)}__{service_slug}__{mode}{density}"


def _minutes(threshold_min: float | None) -> str:
    if threshold_min is None:
        raise ValueError("this kind of indicator needs a threshold in minutes")
    return f"{minutes_tag(threshold_min)}min"


# Stored fields that say what an indicator is (besides service_type, mode, threshold_min).
STRUCTURED_FIELDS: Final[tuple[str, ...]] = (
    "kind",
    "scope",
    "binding_level",
    "base_indicator_id",
    "density_class",
)


def registry_frame(registry: Sequence[Indicator]) -> pd.DataFrame:
    """The ``indicators`` table of SCHEMA.md (one row per indicator, stored columns)."""
    columns = [
        "id",
        "theme",
        "label",
        "unit",
        "definition",
        "formula",
        "sources",
        "vintage",
        "higher_is_better",
        "decimals",
        "service_type",
        "mode",
        "threshold_min",
        "target_max",
        *STRUCTURED_FIELDS,
    ]
    rows = [{c: getattr(i, c) for c in columns} for i in registry]
    return pd.DataFrame(rows, columns=columns)


def frozen_mapping(pairs: Iterable[tuple[K, V]]) -> Mapping[K, V]:
    """A read-only mapping (no mutable state shared through the registry)."""
    return MappingProxyType(dict(pairs))
