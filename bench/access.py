"""Speed and memory of access computations, side by side with their targets.

Parts (targets on 2 cores):

(a) national: the travel-time step on a ``fr`` warehouse built once from the mirror
    (34,900 town-hall points x every service type loaded x 3 modes, plus the 2SFCA
    car catchments), and the engine alone for the nearest facility (k = 1);
    build time printed apart. Target < 10 s.
(b) 1,000,000 SYNTHETIC population points (random, for timing only) x 20 service
    types x 300 facilities by straight line, in a fresh process (its own peak
    memory), via ``bench/access_network.py``. Target < 60 s and < 2 GB.
(c) network nearest facility on the Saint-Germain-en-Laye graph against networkx
    multi-source Dijkstra (and pandana when it imports), via
    ``bench/access_network.py``. Target: at least as fast as the library.
(d) planner what-if latency on dep:35 (add, remove, both), median of 20 runs.
    Target < 1 s.
(e) the France Services promise: national share of the population within 30 min by
    car of a France Services (straight line with calibrated detour; population at
    town halls, legal populations), from the same national warehouse.

Usage::

    .venv/bin/python bench/access.py [--mirror ../shared/data] [--skip-national]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.settings import Settings, parse_territory  # noqa: E402
from geo.access_step import compute_travel_times  # noqa: E402
from geo.engine import travel_times  # noqa: E402
from indicators.step import compute_indicators  # noqa: E402
from indicators.whatif import load_inputs, what_if  # noqa: E402
from warehouse.build import build  # noqa: E402
from warehouse.gate import connect  # noqa: E402

GRAPH = ROOT.parent / "shared" / "data" / "osm_network_yvelines" / "st_ger.gml"
FS_SQL = """
SELECT sum(p.population) AS population,
       sum(p.population) FILTER (WHERE t.minutes <= 30) AS within,
       sum(p.population) FILTER (WHERE p.epsg = 2154) AS mainland,
       sum(p.population) FILTER (WHERE p.epsg = 2154 AND t.minutes <= 30) AS mainland_within,
       sum(p.population) FILTER (WHERE t.minutes IS NULL) AS unreached,
       count(*) FILTER (WHERE t.minutes > 30) AS points_beyond
FROM population_points p
LEFT JOIN travel_times t ON t.origin_id = p.point_id AND t.service_type = 'FRANCE_SERVICES'
     AND t.mode = 'car' AND t.rank = 1
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(tmp: Path, mirror: Path, territory: str) -> Settings:
    return Settings(
        db_path=tmp / f"{territory.replace(':', '')}.duckdb",
        cache_dir=tmp / "cache",
        mirror_dir=mirror,
        offline=True,
        territory=parse_territory(territory),
        progress=False,
    )


def national(tmp: Path, mirror: Path) -> dict[str, str]:
    """(a) and (e) on a national warehouse built once (base tables only)."""
    start = time.perf_counter()
    report = build(_settings(tmp, mirror, "fr"))
    build_s = time.perf_counter() - start
    con = connect(report.db_path)
    try:
        origins = con.execute(
            "SELECT point_id AS origin_id, x, y, epsg, density_level FROM population_points"
        ).df()
        facilities = con.execute(
            "SELECT facility_id, service_type, x, y, epsg FROM facilities"
        ).df()
        start = time.perf_counter()
        nearest = travel_times(origins, facilities, "straight_line")
        engine_s = time.perf_counter() - start
        start = time.perf_counter()
        compute_travel_times(con, Settings(progress=False))
        step_s = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM travel_times").fetchone()[0]
        start = time.perf_counter()
        compute_indicators(con, Settings(progress=False))
        indicators_s = time.perf_counter() - start
        fs = con.execute(FS_SQL).fetchone()
    finally:
        con.close()
    n_types = facilities["service_type"].nunique()
    print(
        f"(a) national build (base tables, not timed below): {build_s:.1f} s\n"
        f"    {len(origins):,} points x {n_types} service types x 3 modes: engine alone "
        f"(nearest, k=1) {engine_s:.2f} s, {len(nearest):,} rows\n"
        f"    build step travel_times (read + nearest + 2SFCA catchments + write): "
        f"{step_s:.2f} s, {rows:,} rows; indicator step {indicators_s:.1f} s"
    )
    return {"a": f"{step_s:.1f} s (engine {engine_s:.1f} s)", **_france_services(fs)}


def _france_services(fs: tuple) -> dict[str, str]:
    population, within, mainland, mainland_within, unreached, beyond = fs
    share = 100 * within / population
    print(
        f"(e) France Services within 30 min by car: {share:.2f} % of {population:,.0f} "
        f"inhabitants ({population - within:,.0f} beyond, {beyond:,} town-hall points); "
        f"mainland {100 * mainland_within / mainland:.2f} %; "
        f"with no France Services in their zone: {unreached or 0:,.0f}"
    )
    return {"e": f"{share:.2f} %"}


def synthetic_straight_line() -> str:
    """(b) in a fresh process: its peak memory is its own."""
    command = [sys.executable, str(ROOT / "bench" / "access_network.py"), "--part"]
    command += ["straight_line", "--origins", "1000000", "--types", "20", "--per-type", "300"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print("(b) SYNTHETIC points, timing only: " + out.strip())
    wall = re.search(r"rows in ([0-9.]+) s", out)
    peak = re.search(r"peak RSS of the process ([0-9,]+) MiB", out)
    if wall and peak:
        return f"{wall.group(1)} s, {peak.group(1)} MiB"
    return "see above"


def _access_network() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "access_network", ROOT / "bench" / "access_network.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network(graph: Path) -> str:
    """(c) ours vs networkx (and pandana) on the Saint-Germain-en-Laye graph."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        _access_network().bench_network(graph, 50, 5)
    text = buffer.getvalue()
    print("(c) " + text.strip().replace("\n", "\n    "))
    # Time ratios library / ours (> 1: ours is faster), as printed by access_network.py.
    one = re.search(r"ratio networkx/ours ([0-9.]+) \(prepared graphs\), ([0-9.]+)", text)
    many = re.search(r"service types .* ratio networkx/ours ([0-9.]+)", text)
    pandana = re.search(r"ratio pandana/ours ([0-9.]+) \(query only\)", text)
    parts = []
    if one:
        parts.append(f"networkx/ours {one.group(1)} (1 type), {one.group(2)} (1 type from scratch)")
    if many:
        parts.append(f"{many.group(1)} (20 types)")
    if pandana:
        parts.append(f"pandana/ours {pandana.group(1)} (query only)")
    return ", ".join(parts) or "see above"


def what_if_latency(tmp: Path, mirror: Path, repeat: int = 20) -> str:
    """(d) what-if on dep:35, read from the warehouse each time (worst case)."""
    steps = [("travel_times", compute_travel_times), ("indicators", compute_indicators)]
    report = build(_settings(tmp, mirror, "dep:35"), steps=steps)
    con = connect(report.db_path, read_only=True)
    try:
        lon, lat = con.execute("SELECT avg(lon), avg(lat) FROM population_points").fetchone()
        site = con.execute(
            "SELECT facility_id FROM facilities WHERE service_type = 'FRANCE_SERVICES' "
            "AND in_territory ORDER BY facility_id LIMIT 1"
        ).fetchone()[0]
        timings = {}
        for name, kwargs in (
            ("add", {"add": [(lon, lat), (lon + 0.3, lat - 0.2)]}),
            ("remove", {"remove": [site]}),
            ("add+remove", {"add": [(lon, lat)], "remove": [site]}),
        ):
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                result = what_if(con, "departement", "35", "FRANCE_SERVICES", **kwargs)
                runs.append(time.perf_counter() - start)
            timings[name] = statistics.median(runs)
            print(
                f"(d) what-if {name:10s} dep:35 France Services, car, 15 min: median "
                f"{timings[name] * 1000:.0f} ms over {repeat} runs (read from the warehouse "
                f"included); {result.newly_within:,.0f} newly within, "
                f"{result.no_longer_within:,.0f} no longer"
            )
        inputs = load_inputs(con, "departement", "35", "FRANCE_SERVICES", "car")
        start = time.perf_counter()
        what_if(inputs, "", "", "FRANCE_SERVICES", add=[(lon, lat)])
        print(f"    with inputs already in memory: {(time.perf_counter() - start) * 1000:.0f} ms")
    finally:
        con.close()
    return f"{max(timings.values()) * 1000:.0f} ms (worst median)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--graph", type=Path, default=GRAPH)
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="territoires-access-") as tmp:
        if not args.skip_national:
            figures.update(national(Path(tmp), args.mirror))
        figures["b"] = synthetic_straight_line()
        figures["c"] = network(args.graph)
        figures["d"] = what_if_latency(Path(tmp), args.mirror)
    targets = {
        "a": "< 10 s",
        "b": "< 60 s, < 2048 MiB",
        "c": "ours at least as fast",
        "d": "< 1000 ms",
        "e": "ANCT: ~99 % (promise: everyone)",
    }
    print(f"\n{'part':<5}{'target':<34}measured")
    for key, target in targets.items():
        print(f"({key})  {target:<34}{figures.get(key, 'skipped')}")
    print(f"peak RSS of this process: {_peak_mb():,.0f} MiB")


if __name__ == "__main__":
    main()
