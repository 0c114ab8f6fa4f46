"""Wall time and peak memory of a warehouse build, downloads excluded.

Usage::

    .venv/bin/python bench/build.py [--mirror ../shared/data] [--territory fr]

The raw files are fetched first (mirror, cache or network) and that time is
printed apart; the build itself then runs on the fetched files. Peak memory is
the process's maximum resident set size (DuckDB's native memory included).
Targets for the national build on 2 cores: under 120 s and under 3 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.catalogue import load_catalogue  # noqa: E402
from etl.fetch import fetch_many  # noqa: E402
from etl.settings import Settings, parse_territory  # noqa: E402
from indicators.pipeline import build_steps  # noqa: E402
from warehouse.build import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--territory", default="fr")
    parser.add_argument("--base-only", action="store_true", help="skip travel times/indicators")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="territoires-bench-") as tmp:
        settings = Settings(
            db_path=Path(tmp) / "territoires.duckdb",
            cache_dir=Path(tmp) / "cache",
            mirror_dir=args.mirror.resolve() if args.mirror else None,
            offline=True,
            territory=parse_territory(args.territory),
            progress=False,
        )
        catalogue = load_catalogue()
        t0 = time.perf_counter()
        fetched = fetch_many(list(catalogue.values()), settings)
        fetch_s = time.perf_counter() - t0

        def fetcher(_sources: object, _settings: object) -> dict:
            return fetched

        steps = () if args.base_only else build_steps()
        t0 = time.perf_counter()
        report = build(settings, catalogue=catalogue, fetcher=fetcher, steps=steps)
        build_s = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = report.db_path.stat().st_size / 1e6

    loaded = sum(1 for r in report.records if r.status == "chargée")
    print(f"territory            {args.territory}")
    print(f"sources loaded       {loaded} / {len(report.records)}")
    for table, rows in report.table_rows.items():
        print(f"rows {table:24s}{rows:>10,d}")
    print(f"fetch (excluded)     {fetch_s:8.1f} s")
    print(f"build wall time      {build_s:8.1f} s   (target < 120 s for fr)")
    print(f"peak memory (RSS)    {peak_mb:8.0f} MB  (target < 3 GB for fr)")
    print(f"warehouse size       {size_mb:8.1f} MB")


if __name__ == "__main__":
    main()
