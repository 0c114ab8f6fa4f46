"""Error of one population point per commune, measured on a real 200 m Filosofi block.

Usage::

    .venv/bin/python bench/population_points.py --mirror ../shared/data [--keep DIR]

Without a population grid, each commune's inhabitants sit at one point (its town
hall), so a commune is either 0 % or 100 % within 15 minutes of a facility. The
mirror holds a real 200 m Filosofi 2021 block of north-east Ille-et-Vilaine
(``insee_filosofi_2021_200m_tiles_ne35/``). This script builds dep:35 twice from the
mirror, offline, with the travel-time and indicator steps of ``territoires build``:

(a) with the block as population grid (one point per inhabited cell),
(b) without it (one point per commune: the town hall),

and compares ``indicator_values`` at commune level for the communes wholly inside
the block: a commune qualifies when its polygon (the build's contours, Lambert-93,
projected to EPSG:3035) lies inside the block's extent, the two GridViz tiles 10/34
and 10/35 (128 cells of 200 m each, origin E 3 200 000, N 2 000 000). Such a commune
has all its inhabited cells in the file. For every "share of inhabitants within
T minutes" indicator (read from the ``indicators`` table: unit ``%``, higher is
better, ``threshold_min`` = T, one service type and one mode), it prints the mean and
the worst absolute error of (b) against (a), in percentage points, and the commune
where the error is worst; then overall figures. Timings are printed, not asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.population_grid import NE35_BLOCK, grid_catalogue, grid_fetcher  # noqa: E402
from etl.settings import Settings, parse_territory  # noqa: E402
from indicators.pipeline import build_steps  # noqa: E402
from warehouse.build import build  # noqa: E402
from warehouse.gate import connect  # noqa: E402

BLOCK = Path("insee_filosofi_2021_200m_tiles_ne35") / NE35_BLOCK
# GridViz tiling of the INSEE grid (folder README): origin, tile size, the block's tiles.
_ORIGIN_3035 = (3_200_000, 2_000_000)
_TILE_M = 128 * 200
_TILES = ((10, 34), (10, 35))
_MODES = ("walk", "bike", "car")
_STEPS = ("travel_times", "indicators")

COMMUNES_SQL = """
SELECT code, name, population, ST_AsWKB(geom) AS wkb, epsg
FROM territories WHERE level = 'commune' ORDER BY code
"""
GRID_POPULATION_SQL = """
SELECT commune_code AS code, sum(population) AS grid_population, count(*) AS n_cells
FROM population_points GROUP BY commune_code
"""
SHARES_SQL = """
SELECT i.id, i.service_type, i."mode", s.label
FROM indicators i JOIN service_types s ON s.code = i.service_type
WHERE i.unit = '%' AND i.higher_is_better AND i.threshold_min = $threshold
  AND i."mode" IS NOT NULL
ORDER BY i.service_type, i."mode"
"""
VALUES_SQL = """
SELECT indicator_id, code, "value" FROM indicator_values
WHERE level = 'commune' AND indicator_id IN (SELECT unnest($ids))
  AND code IN (SELECT unnest($codes))
"""


def block_extent() -> shapely.Polygon:
    """The block's rectangle in EPSG:3035 (25.6 km E-W x 51.2 km N-S)."""
    xs = [_ORIGIN_3035[0] + tx * _TILE_M for tx, _ in _TILES]
    ys = [_ORIGIN_3035[1] + ty * _TILE_M for _, ty in _TILES]
    return shapely.box(min(xs), min(ys), max(xs) + _TILE_M, max(ys) + _TILE_M)


def communes_inside(communes: pd.DataFrame, extent: shapely.Polygon) -> pd.DataFrame:
    """The communes whose polygon lies wholly inside ``extent`` (EPSG:3035).

    Parameters
    ----------
    communes : pandas.DataFrame
        ``code``, ``name``, ``population`` (legal inhabitants), ``wkb`` (polygon in
        the metric CRS ``epsg``, which must be 2154).

    Returns
    -------
    pandas.DataFrame
        The rows of ``communes`` inside, without ``wkb``; empty when none.
    """
    if set(communes["epsg"]) != {2154}:
        raise SystemExit(f"CRS inattendu des communes : {sorted(set(communes['epsg']))}")
    to_3035 = Transformer.from_crs(2154, 3035, always_xy=True)
    polygons = shapely.from_wkb([bytes(b) for b in communes["wkb"]])
    projected = shapely.transform(polygons, to_3035.transform, interleaved=False)
    inside = shapely.contains(extent, projected)
    return communes.loc[inside].drop(columns=["wkb", "epsg"]).reset_index(drop=True)


def point_errors(
    grid: pd.DataFrame, single: pd.DataFrame, indicators: pd.DataFrame, communes: pd.DataFrame
) -> pd.DataFrame:
    """Absolute error of the one-point values against the grid values, per commune.

    Parameters
    ----------
    grid, single : pandas.DataFrame
        ``indicator_id``, ``code``, ``value`` (% of inhabitants) from the grid build
        and from the one-point build.
    indicators : pandas.DataFrame
        ``id``, ``service_type``, ``mode``, ``label``.
    communes : pandas.DataFrame
        ``code``, ``name``, ``grid_population`` (inhabitants on the grid).

    Returns
    -------
    pandas.DataFrame
        One row per (indicator, commune) with a value in both builds: ``service_type``,
        ``label``, ``mode``, ``code``, ``name``, ``grid_population`` (inhabitants),
        ``grid`` and ``single`` (%), ``error_pp`` (absolute difference, percentage
        points). Empty when no pair has both values.
    """
    both = grid.merge(single, on=["indicator_id", "code"], suffixes=("_grid", "_single"))
    both = both.dropna(subset=["value_grid", "value_single"])
    both = both.merge(indicators, left_on="indicator_id", right_on="id")
    both = both.merge(communes[["code", "name", "grid_population"]], on="code")
    both["error_pp"] = (both["value_grid"] - both["value_single"]).abs()
    both = both.rename(columns={"value_grid": "grid", "value_single": "single"})
    columns = ["service_type", "label", "mode", "code", "name", "grid_population"]
    return both[[*columns, "grid", "single", "error_pp"]]


def error_summary(errors: pd.DataFrame) -> pd.DataFrame:
    """Mean and worst error per service type and mode.

    Returns
    -------
    pandas.DataFrame
        One row per (``service_type``, ``mode``): ``label``, ``n`` (communes),
        ``split`` (communes the grid splits, 0 < share < 100 %: values one point can
        never give), ``mean_pp`` (mean absolute error, percentage points), ``weighted_pp`` (the
        same weighted by the communes' inhabitants on the grid), ``worst_pp``, and the
        worst commune's ``worst_code``, ``worst_name``, ``worst_grid`` and
        ``worst_single`` (%). Empty for an empty input.
    """
    rows = []
    for (service, mode), group in errors.groupby(["service_type", "mode"], sort=False):
        worst = group.loc[group["error_pp"].idxmax()]
        weights = group["grid_population"]
        rows.append(
            {
                "service_type": service,
                "label": group["label"].iloc[0],
                "mode": mode,
                "n": len(group),
                "split": int(((group["grid"] > 0) & (group["grid"] < 100)).sum()),
                "mean_pp": group["error_pp"].mean(),
                "weighted_pp": (group["error_pp"] * weights).sum() / weights.sum(),
                "worst_pp": worst["error_pp"],
                "worst_code": worst["code"],
                "worst_name": worst["name"],
                "worst_grid": worst["grid"],
                "worst_single": worst["single"],
            }
        )
    return pd.DataFrame(rows)


def _build(settings: Settings, grid: Path | None) -> tuple[Path, float]:
    steps = [(name, step) for name, step in build_steps() if name in _STEPS]
    extra = {"catalogue": grid_catalogue(grid), "fetcher": grid_fetcher(grid)} if grid else {}
    started = time.perf_counter()
    report = build(settings, steps=steps, **extra)
    return report.db_path, time.perf_counter() - started


def _read(db: Path, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(communes with geometry and grid population, share indicators, their values)."""
    con = connect(db, read_only=True)
    try:
        communes = con.execute(COMMUNES_SQL).df()
        grid_pop = con.execute(GRID_POPULATION_SQL).df()
        shares = con.execute(SHARES_SQL, {"threshold": threshold}).df()
        values = con.execute(
            VALUES_SQL, {"ids": list(shares["id"]), "codes": list(communes["code"])}
        ).df()
    finally:
        con.close()
    duplicated = shares.duplicated(["service_type", "mode"])
    if duplicated.any():
        raise SystemExit(f"plusieurs parts par type et mode : {list(shares.loc[duplicated, 'id'])}")
    return communes.merge(grid_pop, on="code", how="left"), shares, values


def _print(summary: pd.DataFrame, errors: pd.DataFrame, threshold: float) -> None:
    print(f"\nShare of inhabitants within {threshold:g} min: one point per commune vs 200 m grid")
    print("(absolute error in percentage points; wtd = weighted by inhabitants on the grid;")
    print(" split = communes the grid puts strictly between 0 and 100 %)\n")
    head = f"{'type':16s} {'mode':4s} {'n':>3s} {'split':>5s} {'mean':>6s} {'wtd':>6s}"
    head += f" {'worst':>6s}  worst commune"
    print(head)
    print("-" * (len(head) + 34))
    for r in summary.itertuples(index=False):
        where = (
            f"{r.worst_name} ({r.worst_code}): grid {r.worst_grid:.1f} %, "
            f"one point {r.worst_single:.1f} %"
            if r.worst_pp > 0
            else "-"
        )
        print(
            f"{r.service_type:16s} {r.mode:4s} {r.n:3d} {r.split:5d} {r.mean_pp:6.1f} "
            f"{r.weighted_pp:6.1f} {r.worst_pp:6.1f}  {where}"
        )
    worst = errors.loc[errors["error_pp"].idxmax()]
    weights = errors["grid_population"]
    print("-" * (len(head) + 34))
    mean, weighted = errors["error_pp"].mean(), (errors["error_pp"] * weights).sum() / weights.sum()
    print(
        f"overall ({len(errors)} commune x type x mode values): mean {mean:.1f} pp, "
        f"weighted {weighted:.1f} pp, worst "
        f"{worst['error_pp']:.1f} pp ({worst['service_type']}, {worst['mode']}, "
        f"{worst['name']} {worst['code']})"
    )
    for mode in _MODES:
        sub = errors[errors["mode"] == mode]
        if not sub.empty:
            mean, worst_pp = sub["error_pp"].mean(), sub["error_pp"].max()
            print(f"  {mode:4s}: mean {mean:5.1f} pp, worst {worst_pp:5.1f} pp")
    split = errors[(errors["grid"] > 0) & (errors["grid"] < 100)]
    print(
        f"  where the grid splits the commune ({len(split)} values): "
        f"mean {split['error_pp'].mean():.1f} pp"
    )
    for cut in (10, 25, 50):
        share = (errors["error_pp"] > cut).mean() * 100
        print(f"  values off by more than {cut:2d} pp: {share:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--threshold", type=float, default=15.0, help="minutes (default 15)")
    parser.add_argument("--keep", type=Path, default=None, help="keep both warehouses here")
    args = parser.parse_args()
    mirror = args.mirror.resolve()
    block = mirror / BLOCK
    if not block.is_file():
        raise SystemExit(f"bloc Filosofi introuvable : {block}")

    with tempfile.TemporaryDirectory(prefix="territoires-points-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        base = Settings(
            cache_dir=work / "cache",
            mirror_dir=mirror,
            offline=True,
            territory=parse_territory("dep:35"),
            progress=False,
            threshold_min=args.threshold,
        )
        grid_db, grid_s = _build(base.with_(db_path=work / "grid.duckdb"), block)
        single_db, single_s = _build(base.with_(db_path=work / "mairie.duckdb"), None)
        communes, shares, grid_values = _read(grid_db, args.threshold)
        _, single_shares, single_values = _read(single_db, args.threshold)

    if list(single_shares["id"]) != list(shares["id"]):
        raise SystemExit("les deux entrepôts n'ont pas les mêmes indicateurs")
    inside = communes_inside(communes, block_extent())
    located = inside.dropna(subset=["grid_population"])
    print(
        f"builds of dep:35 (travel times + indicators): grid {grid_s:.1f} s, "
        f"town halls {single_s:.1f} s"
    )
    print(f"block extent (EPSG:3035): {block_extent().bounds}")
    print(
        f"communes wholly inside the block: {len(inside)} (with cells: {len(located)}), "
        f"{located['grid_population'].sum():,.0f} inhabitants on the grid (Filosofi 2021), "
        f"{inside['population'].sum():,.0f} legal inhabitants"
    )
    errors = point_errors(grid_values, single_values, shares, located)
    _print(error_summary(errors), errors, args.threshold)


if __name__ == "__main__":
    main()
