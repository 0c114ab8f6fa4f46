"""Speed and memory of the fracture step on a SYNTHETIC national-size warehouse.

The warehouse holds random figures, for timing only: 35,000 communes in 1,250 EPCI,
100 départements and 13 régions (all complete, national build), N indicators
(default 300) with a value for 95 % of the communes, and a Filosofi commune table.
Printed: the time to write the synthetic inputs (excluded), the wall time of
:func:`indicators.fracture_step.compute_fracture` and of the pure kernels alone
(:func:`indicators.fracture.fracture_table`), the rows written and the peak memory
(maximum resident set size of the process, DuckDB included).

Usage::

    .venv/bin/python bench/fracture.py [--communes 35000] [--indicators 300]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.settings import Settings, parse_territory  # noqa: E402
from indicators.fracture import commune_groups, fracture_table  # noqa: E402
from indicators.fracture_step import compute_fracture, read_commune_values  # noqa: E402


def synthetic(con: duckdb.DuckDBPyConnection, n_communes: int, n_indicators: int) -> None:
    """Write random territories, indicators, values and Filosofi rows (timing only)."""
    rng = np.random.default_rng(0)
    codes = [f"{d:02d}{i:03d}" for d in range(1, 101) for i in range(1, 1000)][:n_communes]
    dep = np.array([c[:2] for c in codes], dtype=object)
    communes = pd.DataFrame(
        {
            "level": "commune",
            "code": codes,
            "epci_code": [f"2{int(i * 1250 / n_communes):08d}" for i in range(n_communes)],
            "dep_code": dep,
            "reg_code": [f"{int(d) % 13 + 1:02d}" for d in dep],
            "population": rng.lognormal(6.5, 1.3, n_communes).round(),
            "density_level": rng.integers(1, 8, n_communes),
            "complete": True,
        }
    )
    upper = []
    for level, column in (
        ("epci", "epci_code"),
        ("departement", "dep_code"),
        ("region", "reg_code"),
    ):
        upper.append(
            pd.DataFrame({"level": level, "code": communes[column].unique(), "complete": True})
        )
    territories = pd.concat([communes, *upper], ignore_index=True)
    kinds = ["score_15min__car", "score_15min__walk"] + [
        f"median_minutes__type{i:03d}__car" for i in range(n_indicators - 2)
    ]
    indicators = pd.DataFrame(
        {
            "id": kinds,
            "theme": "access",
            "label": kinds,
            "unit": ["score", "score"] + ["min"] * (n_indicators - 2),
            "definition": "synthétique",
            "formula": "",
            "sources": "synthetic",
            "vintage": "synthetic",
            "higher_is_better": [True, True] + [False] * (n_indicators - 2),
            "decimals": 1,
            "service_type": None,
            "mode": "car",
            "threshold_min": 15.0,
        }
    )
    values = rng.gamma(2.0, 6.0, (n_indicators, n_communes))
    values[rng.random(values.shape) < 0.05] = np.nan
    cells = pd.DataFrame(
        {
            "indicator_id": pd.Categorical.from_codes(
                np.repeat(np.arange(n_indicators), n_communes), categories=kinds
            ),
            "level": pd.Categorical(["commune"] * (n_indicators * n_communes)),
            "code": pd.Categorical.from_codes(
                np.tile(np.arange(n_communes), n_indicators), categories=codes
            ),
            "value": values.ravel(),
            "secret": False,
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )
    income = pd.DataFrame(
        {
            "commune_code": codes,
            "median_income_eur": rng.normal(22000, 3000, n_communes).round(-1),
            "poverty_rate_pct": np.where(
                rng.random(n_communes) < 0.15, rng.normal(13, 4, n_communes), np.nan
            ),
        }
    )
    for name, frame in (
        ("territories", territories),
        ("indicators", indicators),
        ("indicator_values", cells),
        ("raw_filosofi_communes", income),
    ):
        con.register("_frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")
    con.execute(
        "CREATE OR REPLACE TABLE indicator_values AS SELECT indicator_id::VARCHAR AS "
        "indicator_id, level::VARCHAR AS level, code::VARCHAR AS code, value, secret, "
        "numerator, denominator FROM indicator_values"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--indicators", type=int, default=300)
    args = parser.parse_args()
    settings = Settings(territory=parse_territory("fr"), progress=False)
    with tempfile.TemporaryDirectory(prefix="territoires-bench-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        t0 = time.perf_counter()
        synthetic(con, args.communes, args.indicators)
        setup_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        compute_fracture(con, settings)
        step_s = time.perf_counter() - t0
        rows = con.execute("SELECT count(*) FROM fracture_indices").fetchone()[0]
        dp = con.execute("SELECT count(*) FILTER (WHERE double_peine) FROM double_peine")
        n_dp = dp.fetchone()[0]

        communes = con.execute(
            "SELECT code, epci_code, dep_code, reg_code, population, density_level "
            "FROM territories WHERE level = 'commune' ORDER BY code"
        ).df()
        territories = con.execute("SELECT level, code, complete FROM territories").df()
        ids = [
            r[0] for r in con.execute("SELECT id FROM indicators WHERE theme = 'access'").fetchall()
        ]
        groups = commune_groups(communes, territories, national=True)
        matrix = read_commune_values(con, ids, groups.codes)
        t0 = time.perf_counter()
        fracture_table(matrix, ids, [True] * len(ids), groups)
        kernels_s = time.perf_counter() - t0
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic inputs     {args.communes:,d} communes x {args.indicators} indicators")
    print(f"write inputs (excl.) {setup_s:8.1f} s")
    print(f"compute_fracture     {step_s:8.1f} s   (read, indices, double peine, write)")
    print(f"  kernels alone      {kernels_s:8.1f} s   (fracture_table, every level)")
    print(f"rows fracture_indices{rows:>10,d}")
    print(f"double-peine communes{n_dp:>10,d}")
    print(f"peak memory (RSS)    {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
