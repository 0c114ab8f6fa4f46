"""Speed, memory and findings of siting (issue 14), on warehouses built from the mirror.

Parts:

(a) dep:35, France Services by car at 20 min, N = 1..5 new sites, candidates = every
    population point of the département: solve time, inhabitants newly within reach
    for the solver and for greedy, the optimality gap, and the sites proposed.
(b) the same with the p-median objective (mean time), N = 3.
(c) criticality on dep:35: the five sites whose closure strands the most inhabitants.
(d) national, France Services by car at 30 min, N = 1..100 (up to the largest N
    solved within the time limit), candidates = every population point of France.
(e) national p-median (mean time) at N = 20, same candidates (``--skip-median``:
    about 3.5 minutes and 1.8 GB on 2 cores).
Peak memory of the process is printed at the end.

Usage::

    .venv/bin/python bench/siting.py [--mirror ../shared/data] [--dep35 DB] [--fr DB]
                                     [--skip-national] [--time-limit 600]

Without ``--dep35``/``--fr`` the warehouses are built into a temporary folder first
(build time printed apart).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.settings import Settings, parse_territory
from indicators import siting
from indicators.pipeline import build_steps
from indicators.siting_export import number
from warehouse.build import build
from warehouse.gate import connect


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warehouse(given: Path | None, tmp: Path, mirror: Path, territory: str) -> Path:
    if given is not None:
        return given
    start = time.perf_counter()
    settings = Settings(
        db_path=tmp / f"{territory.replace(':', '')}.duckdb",
        cache_dir=tmp / "cache",
        mirror_dir=mirror.resolve(),
        offline=True,
        territory=parse_territory(territory),
        progress=False,
    )
    report = build(settings, steps=build_steps())
    print(f"build {territory}: {time.perf_counter() - start:.1f} s")
    return report.db_path


def _inputs(db: Path, level: str, code: str) -> siting.SitingInputs:
    con = connect(db, read_only=True)
    try:
        inputs = siting.load_inputs(con, level, code, "france_services", "car")
    finally:
        con.close()
    return siting.SitingInputs(
        inputs.points,
        inputs.facilities,
        siting.point_candidates(inputs.points),
        inputs.service_type,
        inputs.mode,
        inputs.method,
    )


def _line(n: int, r: siting.SitingResult, seconds: float) -> str:
    s = r.summary
    return (
        f"N={n:>2}  {seconds:6.2f} s  solver {number(r.optimal.value):>9} "
        f"greedy {number(r.greedy.value):>9}  gap {r.gap_pct:5.2f} %  "
        f"{r.optimal.status:<10} share {s['before_share']:.2f} -> {s['after_share']:.2f} %"
    )


def dep35(db: Path, limit: float) -> None:
    inputs = _inputs(db, "departement", "35")
    print(
        f"(a) dep:35 France Services, car, 20 min: {len(inputs.points)} points, "
        f"{len(inputs.candidates)} candidates"
    )
    for n in range(1, 6):
        start = time.perf_counter()
        r = siting.plan_sites(inputs, n, threshold_min=20, time_limit_s=limit)
        print("   ", _line(n, r, time.perf_counter() - start))
    names = ", ".join(f"{x.commune_name} (+{number(x.newly_within)})" for x in r.sites.itertuples())
    print(f"    N=5 sites: {names}")
    for n in (3,):
        r3 = siting.plan_sites(inputs, n, threshold_min=20, time_limit_s=limit)
        names = ", ".join(r3.sites["commune_name"])
        print(
            f"    finding: {n} France Services in {names} would bring "
            f"{number(r3.summary['newly_within'])} more inhabitants of Ille-et-Vilaine within "
            "20 minutes by car under our model "
            f"({r3.summary['before_share']:.1f} % -> {r3.summary['after_share']:.1f} %)"
        )
    start = time.perf_counter()
    rt = siting.plan_sites(inputs, 3, threshold_min=20, objective="time", time_limit_s=limit)
    print(
        f"(b) p-median N=3: {time.perf_counter() - start:.2f} s, mean time "
        f"{rt.summary['before_mean_minutes']:.2f} -> {rt.summary['after_mean_minutes']:.2f} min, "
        f"greedy gap {rt.gap_pct:.2f} %, sites {', '.join(rt.sites['commune_name'])}"
    )
    start = time.perf_counter()
    table = siting.criticality(inputs, 20)
    print(f"(c) criticality: {len(table)} sites in {time.perf_counter() - start:.2f} s")
    for row in table.head(5).itertuples():
        print(
            f"    {row.rank}. {row.label} ({row.commune_name}): {number(row.stranded)} stranded, "
            f"next {row.stranded_next_minutes:.1f} min"
        )


def national(db: Path, limit: float, n_max: int) -> None:
    start = time.perf_counter()
    inputs = _inputs(db, "france", "FR")
    print(
        f"(d) France, France Services, car, 30 min: {len(inputs.points)} points, "
        f"{len(inputs.candidates)} candidates (read {time.perf_counter() - start:.1f} s)"
    )
    for n in sorted({1, 5, 10, n_max, 2 * n_max, 5 * n_max}):
        start = time.perf_counter()
        r = siting.plan_sites(inputs, n, threshold_min=30, time_limit_s=limit)
        print("   ", _line(n, r, time.perf_counter() - start))
        if r.optimal.status != "optimal":
            print(f"    stopped by the time limit at N={n} (solver gap {r.optimal.mip_gap:.4f})")
            break
    names = ", ".join(
        f"{x.commune_name} (+{number(x.newly_within)})" for x in r.sites.head(5).itertuples()
    )
    print(f"    first sites: {names}")


def national_median(db: Path, limit: float, n: int) -> None:
    inputs = _inputs(db, "france", "FR")
    start = time.perf_counter()
    r = siting.plan_sites(inputs, n, threshold_min=30, objective="time", time_limit_s=limit)
    s = r.summary
    print(
        f"(e) France p-median N={n}: {time.perf_counter() - start:.1f} s, {r.optimal.status}, "
        f"mean time {s['before_mean_minutes']:.2f} -> {s['after_mean_minutes']:.2f} min, "
        f"greedy gap {r.gap_pct:.2f} %, sites {', '.join(r.sites['commune_name'].head(8))}…"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("../shared/data"))
    parser.add_argument("--dep35", type=Path)
    parser.add_argument("--fr", type=Path)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--skip-median", action="store_true")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--n-max", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dep35(_warehouse(args.dep35, Path(tmp), args.mirror, "dep:35"), args.time_limit)
        if not args.skip_national:
            fr = _warehouse(args.fr, Path(tmp), args.mirror, "fr")
            national(fr, args.time_limit, args.n_max)
            if not args.skip_median:
                national_median(fr, args.time_limit, args.n_max)
    print(f"peak memory: {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
