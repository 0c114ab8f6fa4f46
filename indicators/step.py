"""Build step: compute every registered indicator for communes, EPCI, départements, régions.

:func:`compute_indicators` runs inside ``warehouse.build.build`` after
``geo.access_step.compute_travel_times``. It reads the base tables and
``travel_times`` (:mod:`indicators._sql`), lists the indicators
(:func:`indicators.registry.registry_for`), computes them with the pure kernels of
the theme modules, and writes the tables ``indicators`` and ``indicator_values`` of
``warehouse/SCHEMA.md``.

Rules applied to every figure
-----------------------------
- Population weighting from the population points, never averaging communes
  (:mod:`indicators.weighting`).
- A point with no facility of a type in its CRS zone (mainland, each overseas
  département) has an infinite time: beyond every threshold.
- Coverage of partial sources: a service type whose facilities sit in fewer than
  ``SOURCE_NATIONAL_SHARE`` (90 %) of the build's départements is treated as a
  partial extract (e.g. the education directory of the offline mirror, 35 and 94
  only): only the départements holding one of its facilities are covered, and a
  territory with inhabitants elsewhere gets no value (NULL), never a misleading
  "everybody is far".
- A territory that is not ``complete`` (some member communes outside the build, e.g.
  the région of a département build) gets NULL values: a figure on part of its
  population would be wrong.
- ``secret`` is false everywhere: these are population counts, not business data.
- Every territory of ``territories`` has a row for every indicator (NULL when not
  computable).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.constants import FCA_BANDS, FCA_PER_INHABITANTS, SOURCE_NATIONAL_SHARE
from indicators import _sql
from indicators.access_15min import (
    BasketItem,
    basket_available,
    basket_score,
    mean_minutes,
    median_minutes,
    nearest_minutes,
    score_by_territory,
    share_within,
)
from indicators.fca import enhanced_2sfca
from indicators.registry import (
    Indicator,
    SourceInfo,
    frozen_mapping,
    registry_for,
    registry_frame,
)
from indicators.rural_mobility import classes_present, station_remoteness
from indicators.third_places import third_place_coverage
from indicators.weighting import (
    VALUE_COLUMNS,
    BoolArray,
    aggregate_ratio,
    aggregate_total,
    point_geography,
)

log = logging.getLogger(__name__)

__all__ = [
    "IndicatorSettings",
    "compute_indicators",
    "compute_values",
    "coverage",
    "registry_from_inputs",
    "source_vintages",
]


class IndicatorSettings(Protocol):
    """What the step reads from ``etl.settings.Settings``."""

    threshold_min: float


def compute_indicators(con: duckdb.DuckDBPyConnection, settings: IndicatorSettings) -> None:
    """Build step writing ``indicators`` and ``indicator_values`` (module docstring)."""
    inputs = _sql.read_inputs(con)
    registry = registry_from_inputs(inputs, settings.threshold_min)
    values = compute_values(inputs, registry)
    _sql.write_tables(con, registry_frame(registry), values)
    log.info("indicators: %d indicators, %d values", len(registry), len(values))


def registry_from_inputs(inputs: _sql.WarehouseInputs, threshold_min: float) -> list[Indicator]:
    """The registry of a warehouse: its service types, sources and density classes."""
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
    return registry_for(
        types,
        info,
        threshold_min=threshold_min,
        density_classes=classes_present(inputs.points["density_level"]),
    )


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


def dep_of_commune(codes: pd.Series) -> pd.Series:
    """Département code of commune codes (``97x`` overseas, else 2 characters)."""
    text = codes.astype(object).where(codes.notna(), "").astype(str)
    return text.str[:3].where(text.str.startswith("97"), text.str[:2]).replace("", np.nan)


def coverage(
    geo: pd.DataFrame,
    facilities: pd.DataFrame,
    national_share: float = SOURCE_NATIONAL_SHARE,
) -> dict[str, BoolArray]:
    """For each service type, the points whose département its source covers.

    Parameters
    ----------
    geo : DataFrame
        Geography frame (:func:`indicators.weighting.point_geography`).
    facilities : DataFrame
        ``service_type``, ``commune_code`` of every facility (buffer included).
    national_share : float
        See ``geo.constants.SOURCE_NATIONAL_SHARE``.

    Returns
    -------
    dict
        Service type -> boolean mask over the rows of ``geo``: all true when the
        type's facilities sit in at least ``national_share`` of the départements of
        ``geo`` (a national source), else true only for the points of the
        départements holding one of its facilities. Pure.
    """
    point_dep = geo["departement"].astype(object)
    build_deps = set(point_dep.dropna())
    deps = dep_of_commune(facilities["commune_code"])
    masks = {}
    for service_type, of_type in deps.groupby(facilities["service_type"].to_numpy()):
        with_facility = set(of_type.dropna()) & build_deps
        if not build_deps or len(with_facility) >= national_share * len(build_deps):
            masks[str(service_type)] = np.ones(len(geo), dtype=bool)
        else:
            masks[str(service_type)] = point_dep.isin(with_facility).to_numpy()
    return masks


def compute_values(inputs: _sql.WarehouseInputs, registry: Sequence[Indicator]) -> pd.DataFrame:
    """All indicator values, one row per (indicator, territory) of ``inputs.territories``.

    Returns
    -------
    DataFrame
        ``indicator_id``, ``level``, ``code``, ``value``, ``secret`` (False),
        ``numerator``, ``denominator`` (see SCHEMA.md; NULL = NaN).
    """
    geo = point_geography(inputs.points, inputs.communes)
    nearest = nearest_minutes(inputs.nearest, inputs.points["point_id"])
    context = _Context(geo, nearest, inputs)
    frames: dict[str, pd.DataFrame] = {}
    for indicator in registry:
        if indicator.id not in frames:
            frames.update(context.compute(indicator, registry))
    return _full_table(registry, frames, inputs.territories, geo)


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
) -> pd.DataFrame:
    """One row per (indicator, territory); NaN where not computed or incomplete.

    Text columns are categoricals (a national build has millions of rows).
    """
    positions = _positions(territories, geo)
    complete = territories["complete"].fillna(False).to_numpy(dtype=bool)
    n_terr, n_ind = len(territories), len(registry)
    arrays = {c: np.full((n_ind, n_terr), np.nan) for c in ("value", "numerator", "denominator")}
    for row, indicator in enumerate(registry):
        frame = frames[indicator.id]
        frame_levels = frame["level"].to_numpy(dtype=object)
        frame_codes = frame["code"].to_numpy(dtype=object)
        for level, (rows, index, cached_codes, cached_pos) in positions.items():
            block = np.flatnonzero(frame_levels == level)
            codes = frame_codes[block]
            # Kernels return every level's codes in the same order: reuse that lookup.
            same = len(codes) == len(cached_codes) and bool(np.all(codes == cached_codes))
            pos = cached_pos if same else index.get_indexer(codes)
            ok = pos >= 0
            for column, array in arrays.items():
                array[row, rows[pos[ok]]] = frame[column].to_numpy(dtype=np.float64)[block[ok]]
    for array in arrays.values():
        array[:, ~complete] = np.nan
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
        }
    )


class _Context:
    """Per-build inputs shared by the indicator computations (read-only)."""

    def __init__(
        self, geo: pd.DataFrame, nearest: pd.DataFrame, inputs: _sql.WarehouseInputs
    ) -> None:
        self.geo = geo
        self.nearest = nearest
        self.inputs = inputs
        self.covered = coverage(geo, inputs.facilities)

    def minutes(self, service_type: str, mode: str) -> npt.NDArray[np.float64]:
        key = (service_type, mode)
        if key in self.nearest.columns:
            return self.nearest[key].to_numpy(dtype=np.float64)
        return np.full(len(self.geo), np.inf)

    def known(self, service_types: Sequence[str]) -> BoolArray:
        mask = np.ones(len(self.geo), dtype=bool)
        for code in service_types:
            mask &= self.covered.get(code, mask)
        return mask

    def compute(
        self, indicator: Indicator, registry: Sequence[Indicator]
    ) -> dict[str, pd.DataFrame]:
        """Frames (level, code, value, numerator, denominator) for one or more ids."""
        if indicator.theme == "third_places":
            return self._third_places(registry)
        if indicator.kind == "share_beyond":
            return self._mobility(registry)
        return {indicator.id: self._one(indicator)}

    def _one(self, ind: Indicator) -> pd.DataFrame:
        if ind.kind == "score":
            return self._score(ind)
        if ind.kind == "fca":
            return self._fca(ind)
        assert ind.service_type is not None and ind.mode is not None
        t = self.minutes(ind.service_type, ind.mode)
        known = self.known([ind.service_type])
        if ind.kind == "share_within":
            assert ind.threshold_min is not None
            return share_within(self.geo, t, ind.threshold_min, known=known)
        if ind.kind == "median":
            return median_minutes(self.geo, t, known=known)
        if ind.kind == "mean":
            return mean_minutes(self.geo, t, known=known)
        if ind.kind == "population_beyond":
            assert ind.threshold_min is not None
            population = self.geo["population"].to_numpy(dtype=np.float64)
            return aggregate_total(self.geo, population * ~(t <= ind.threshold_min), known=known)
        raise ValueError(f"no computation for indicator kind {ind.kind!r} ({ind.id})")

    def _score(self, ind: Indicator) -> pd.DataFrame:
        types = self.inputs.service_types
        if ind.scope:
            codes = types.loc[types["bpe_gamme"].astype(str) == ind.scope, "code"].tolist()
            items: Sequence[BasketItem] = [BasketItem(c, c, (c,), ()) for c in codes]
        else:
            items = basket_available(types)
        assert ind.mode is not None and ind.threshold_min is not None
        score = basket_score(self.nearest, items, ind.mode, ind.threshold_min)
        known = self.known([c for item in items for c in item.codes])
        return score_by_territory(self.geo, score, known=known)

    def _fca(self, ind: Indicator) -> pd.DataFrame:
        assert ind.service_type is not None
        pairs = self.inputs.catchments
        pairs = pairs[pairs["service_type"] == ind.service_type]
        facilities = self.inputs.facilities
        sites = facilities.loc[facilities["service_type"] == ind.service_type, "facility_id"]
        supply = pd.DataFrame({"facility_id": sites.to_numpy(), "supply": 1.0})
        demand = pd.DataFrame(
            {"origin_id": self.geo["point_id"].to_numpy(), "population": self.geo["population"]}
        )
        access = enhanced_2sfca(
            pairs[["origin_id", "facility_id", "minutes"]], demand, supply, bands=FCA_BANDS
        )
        population = self.geo["population"].to_numpy(dtype=np.float64)
        return aggregate_ratio(
            self.geo,
            population * access["accessibility"].to_numpy(),
            population,
            scale=FCA_PER_INHABITANTS,
            known=self.known([ind.service_type]),
        )

    def _third_places(self, registry: Sequence[Indicator]) -> dict[str, pd.DataFrame]:
        mine = [i for i in registry if i.theme == "third_places"]
        code = mine[0].service_type
        assert code is not None
        bike_min = next(i.threshold_min for i in mine if i.mode == "bike")
        car_min = next(i.threshold_min for i in mine if i.mode == "car")
        assert bike_min is not None and car_min is not None
        frame = third_place_coverage(
            self.geo,
            self.minutes(code, "bike"),
            self.minutes(code, "car"),
            known=self.known([code]),
            bike_min=bike_min,
            car_min=car_min,
        )
        measure_of = {
            ("share_within", "bike"): "share_within_bike",
            ("share_within", "car"): "share_within_car",
            ("population_beyond", "car"): "population_beyond_car",
        }
        return {
            i.id: frame.loc[frame["measure"] == measure_of[(i.kind, i.mode or "")]][
                list(VALUE_COLUMNS)
            ]
            for i in mine
        }

    def _mobility(self, registry: Sequence[Indicator]) -> dict[str, pd.DataFrame]:
        mine = [i for i in registry if i.kind == "share_beyond"]
        code = mine[0].service_type
        assert code is not None and mine[0].threshold_min is not None
        frame = station_remoteness(
            self.geo,
            self.minutes(code, "car"),
            self.inputs.points["density_level"],
            known=self.known([code]),
            threshold_min=mine[0].threshold_min,
            classes=tuple(i.scope for i in mine),
        )
        return {
            i.id: frame.loc[frame["density_class"] == i.scope][list(VALUE_COLUMNS)] for i in mine
        }
