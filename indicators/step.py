"""Build step: compute every registered indicator for communes, EPCI, départements, régions.

:func:`compute_indicators` runs inside ``warehouse.build.build`` after
``geo.access_step.compute_travel_times``. It reads the base tables and
``travel_times`` (:mod:`indicators._sql`), lists the indicators
(:func:`indicators.registry.registry_for`), computes them with the pure kernels of
the theme modules (:class:`indicators.step_context.StepContext`), and writes the
tables ``indicators`` and ``indicator_values`` of ``warehouse/SCHEMA.md``.

Rules applied to every figure
-----------------------------
- Population weighting from the population points, never averaging communes
  (:mod:`indicators.weighting`).
- A point with no facility of a type in its CRS zone (mainland, each overseas
  département) has an infinite time: beyond every threshold.
- Results independent of the build's extent: a value is computed only where the
  nearest facility is known for sure. Facilities are loaded within the build's buffer
  around the territory, and a source may not cover every département (declared or
  measured coverage, table ``coverage_gaps``); ``geo.coverage`` measures, for every
  point and service type, the radius within which everything was searched
  (``point_coverage``). A point's time is exact when the reach of that time
  (``geo.reach.reach_m``) is within it; "within T minutes" is known when a facility is
  found within T or when the reach of T was searched. A territory with an unknown
  point gets NULL and a French ``note`` saying why (``NOTES``), never a figure that a
  larger build would change.
- 2SFCA: the demand sharing each site includes the inhabitants living around the
  territory (``demand_points``, ``demand_travel_times``), as a national build would.
- A territory that is not ``complete`` (some member communes outside the build, e.g.
  the région of a département build) gets NULL values: a figure on part of its
  population would be wrong.
- ``secret`` is false everywhere: these are population counts, not business data.
- Every territory of ``territories`` has a row for every indicator (NULL when not
  computable).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import DEFAULT_CONSTANTS, ModelConstants
from indicators import _sql
from indicators.access_15min import nearest_minutes
from indicators.public_transport import transit_indicators
from indicators.registry import (
    Indicator,
    SourceInfo,
    frozen_mapping,
    registry_for,
    registry_frame,
)
from indicators.rural_mobility import classes_present
from indicators.step_context import NOTE_INCOMPLETE, NOTE_ISLAND, NOTE_NO_POINT, StepContext
from indicators.weighting import point_geography

log = logging.getLogger(__name__)

__all__ = [
    "IndicatorSettings",
    "compute_indicators",
    "compute_values",
    "registry_from_inputs",
    "source_vintages",
]


class IndicatorSettings(Protocol):
    """What the step reads from ``etl.settings.Settings``."""

    @property
    def threshold_min(self) -> float: ...
    @property
    def demand_buffer_m(self) -> float: ...


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    settings: IndicatorSettings,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> None:
    """Build step writing ``indicators`` and ``indicator_values`` (module docstring).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse, with its base tables and ``travel_times``.
    settings : IndicatorSettings
        ``threshold_min`` (access threshold) and ``demand_buffer_m``.
    constants : ModelConstants
        Model constants (2SFCA bands); the same object as the access step's.
    """
    inputs = _sql.read_inputs(con)
    registry = registry_from_inputs(inputs, settings.threshold_min, constants)
    values = compute_values(
        inputs, registry, demand_buffer_m=settings.demand_buffer_m, constants=constants
    )
    _sql.write_tables(con, registry_frame(registry), values)
    log.info("indicators: %d indicators, %d values", len(registry), len(values))


def registry_from_inputs(
    inputs: _sql.WarehouseInputs,
    threshold_min: float,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> list[Indicator]:
    """The registry of a warehouse: its service types, sources and density classes.

    Parameters
    ----------
    inputs : WarehouseInputs
    threshold_min : float
        Access threshold of the build (``--threshold``).
    constants : ModelConstants
        Model constants (the 2SFCA bands quoted in the definitions).

    Returns
    -------
    list of Indicator
    """
    types = inputs.service_types
    facility_sources = {
        code: tuple(s.strip() for s in str(sources).split(",") if s.strip())
        for code, sources in zip(types["code"], types["sources"], strict=True)
    }
    info = SourceInfo(
        vintages=frozen_mapping(source_vintages(inputs.vintages).items()),
        facility_sources=frozen_mapping(facility_sources.items()),
        population_sources=inputs.population_sources,
        density_sources=inputs.density_sources,
        method=inputs.method,
    )
    registry = registry_for(
        types,
        info,
        threshold_min=threshold_min,
        density_classes=classes_present(inputs.points["density_level"]),
        fca_bands=constants.fca_bands,
    )
    return registry + transit_indicators(inputs.transit_points, types, info)


def source_vintages(from_meta: Mapping[str, str] | None) -> Mapping[str, str]:
    """Vintages of the catalogue sources, from the warehouse's ``meta`` table.

    ``warehouse.build`` writes ``meta`` before the build steps. Without it (a
    warehouse not made by ``territoires build``) no vintage is known, and the
    registry says "millésime non renseigné" rather than guessing.
    """
    if from_meta is None:
        log.warning("table meta absente : millésimes des sources inconnus")
        return {}
    return from_meta


def compute_values(
    inputs: _sql.WarehouseInputs,
    registry: Sequence[Indicator],
    *,
    demand_buffer_m: float = math.inf,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> pd.DataFrame:
    """All indicator values, one row per (indicator, territory) of ``inputs.territories``.

    Parameters
    ----------
    inputs : WarehouseInputs
    registry : sequence of Indicator
    demand_buffer_m : float
        Distance around the territory within which inhabitants were loaded as 2SFCA
        demand (``Settings.demand_buffer_m``); too short, the 2SFCA values of a
        territory that is not a whole zone are blank (reason given).
    constants : ModelConstants
        Model constants (2SFCA bands and catchment).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``level``, ``code``, ``value``, ``secret`` (False),
        ``numerator``, ``denominator`` (see SCHEMA.md; NULL = NaN), ``note`` (why a
        value is blank, in French; None when it is not).
    """
    geo = point_geography(inputs.points, inputs.communes)
    nearest = nearest_minutes(inputs.nearest, inputs.points["point_id"])
    context = StepContext(geo, nearest, inputs, demand_buffer_m, constants)
    frames: dict[str, pd.DataFrame] = {}
    for indicator in registry:
        if indicator.id not in frames:
            frames.update(context.compute(indicator, registry))
    return _full_table(registry, frames, inputs.territories, geo, context)


def _positions(
    territories: pd.DataFrame, geo: pd.DataFrame
) -> dict[str, tuple[npt.NDArray[np.intp], pd.Index, np.ndarray, npt.NDArray[np.intp]]]:
    """For each level: row numbers of its territories, an index of their codes, and
    the codes of ``geo``'s categories with their positions in that index."""
    levels = territories["level"].to_numpy(dtype=object)
    codes = territories["code"].to_numpy(dtype=object)
    out = {}
    for level in pd.unique(levels):
        rows = np.flatnonzero(levels == level)
        index = pd.Index(codes[rows], dtype=object)
        known = (
            np.asarray(geo[level].cat.categories, dtype=object)
            if level in geo.columns
            else np.empty(0, dtype=object)
        )
        out[str(level)] = (rows, index, known, index.get_indexer(known))
    return out


def _full_table(
    registry: Sequence[Indicator],
    frames: dict[str, pd.DataFrame],
    territories: pd.DataFrame,
    geo: pd.DataFrame,
    context: StepContext,
) -> pd.DataFrame:
    """One row per (indicator, territory); NaN where not computed or incomplete, with
    the reason in ``note``.

    Text columns are categoricals (a national build has millions of rows).
    """
    positions = _positions(territories, geo)
    complete = territories["complete"].fillna(False).to_numpy(dtype=bool)
    n_terr, n_ind = len(territories), len(registry)
    arrays = {c: np.full((n_ind, n_terr), np.nan) for c in ("value", "numerator", "denominator")}
    notes = np.zeros((n_ind, n_terr), dtype=np.int64)
    note_texts = [""]
    for row, indicator in enumerate(registry):
        frame = frames[indicator.id]
        reasons = context.territory_reasons(indicator.id)
        for level, (rows, index, cached_codes, cached_pos) in positions.items():
            block, pos = _align(frame, level, index, cached_codes, cached_pos)
            ok = pos >= 0
            for column, array in arrays.items():
                array[row, rows[pos[ok]]] = frame[column].to_numpy(dtype=np.float64)[block[ok]]
            if reasons is None:
                continue
            block, pos = _align(reasons, level, index, cached_codes, cached_pos)
            ok = pos >= 0
            codes = reasons["reason"].to_numpy(dtype=np.int64)[block[ok]]
            uniques, inverse = np.unique(codes, return_inverse=True)
            ids = [_note_id(note_texts, context.note_text(indicator.id, int(c))) for c in uniques]
            notes[row, rows[pos[ok]]] = np.asarray(ids, dtype=np.int64)[inverse]
    # territories where no inhabitant is placed (none lives there, or no outline): blank,
    # saying so
    placed = np.zeros(n_terr)
    population = geo["population"].to_numpy(dtype=np.float64)
    for level, (rows, _, cached_codes, cached_pos) in positions.items():
        if level not in geo.columns:
            continue
        codes = geo[level].cat.codes.to_numpy()
        ok = codes >= 0
        sums = np.bincount(codes[ok], weights=population[ok], minlength=len(cached_codes))
        found = cached_pos >= 0
        placed[rows[cached_pos[found]]] = sums[found]
    notes[:, placed <= 0] = _note_id(note_texts, NOTE_NO_POINT)
    for array in arrays.values():
        array[:, ~complete] = np.nan
    notes[:, ~complete] = _note_id(note_texts, NOTE_INCOMPLETE)
    notes[~np.isnan(arrays["value"])] = 0
    island_note = _note_id(note_texts, NOTE_ISLAND)
    for row, indicator in enumerate(registry):
        flags = context.island_territories(indicator.id)
        if flags is None:
            continue
        for level, (rows, index, cached_codes, cached_pos) in positions.items():
            block, pos = _align(flags, level, index, cached_codes, cached_pos)
            hit = (pos >= 0) & (flags["reason"].to_numpy()[block] > 0)
            cells = rows[pos[hit]]
            valued = ~np.isnan(arrays["value"][row, cells])
            notes[row, cells[valued]] = island_note
    level_codes, level_names = pd.factorize(territories["level"].to_numpy(dtype=object))
    code_codes, code_names = pd.factorize(territories["code"].to_numpy(dtype=object))
    return pd.DataFrame(
        {
            "indicator_id": pd.Categorical.from_codes(
                np.repeat(np.arange(n_ind), n_terr), categories=[i.id for i in registry]
            ),
            "level": pd.Categorical.from_codes(np.tile(level_codes, n_ind), level_names),
            "code": pd.Categorical.from_codes(np.tile(code_codes, n_ind), code_names),
            "value": arrays["value"].ravel(),
            "secret": np.zeros(n_ind * n_terr, dtype=bool),
            "numerator": arrays["numerator"].ravel(),
            "denominator": arrays["denominator"].ravel(),
            # categorical: millions of rows share a handful of texts (-1: no note)
            "note": pd.Categorical.from_codes(notes.ravel() - 1, categories=note_texts[1:]),
        }
    )


def _align(
    frame: pd.DataFrame,
    level: str,
    index: pd.Index,
    cached_codes: np.ndarray,
    cached_pos: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Rows of ``frame`` at ``level`` and their positions among that level's territories."""
    block = np.flatnonzero(frame["level"].to_numpy(dtype=object) == level)
    codes = frame["code"].to_numpy(dtype=object)[block]
    # Kernels return every level's codes in the same order: reuse that lookup.
    same = len(codes) == len(cached_codes) and bool(np.all(codes == cached_codes))
    return block, (cached_pos if same else index.get_indexer(codes))


def _note_id(texts: list[str], text: str) -> int:
    """Position of ``text`` in ``texts`` (appended when new; 0 is "no note")."""
    if not text:
        return 0
    try:
        return texts.index(text)
    except ValueError:
        texts.append(text)
        return len(texts) - 1
