"""Time and peak memory of the ESS aggregation and statistical secrecy at national scale.

The territories are the real ones (communes, EPCI, départements, régions of the Etalab
``decoupage-administratif`` files of the mirror, read in place); the establishments are
SYNTHETIC (random Sirene-like rows, for timing only: no figure printed here describes
the real ESS). The synthetic warehouse is written first; a child process then runs
:func:`indicators.ess_step.ess_result` (DuckDB counting, roll-up to every territory,
primary and secondary secrecy) with DuckDB limited to 2 threads and 2 GB, and reports
its wall time and peak resident memory (``resource.getrusage``).

    .venv/bin/python bench/ess.py --mirror ../shared/data [--establishments 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
# Synthetic mix (ASSUMPTION, for timing only): share of ESS legal units and their legal
# categories, activities and headcount brackets, roughly the orders of magnitude of
# Sirene (about 1 employing establishment in 10 is ESS, 4 in 5 of them associations).
ESS_SHARE = 0.12
CATEGORIES = {  # legal category -> weight among ESS units
    "9220": 0.78,
    "5458": 0.04,
    "6317": 0.04,
    "6595": 0.03,
    "8210": 0.03,
    "9300": 0.02,
    "5710": 0.03,
    "9900": 0.03,
}
OTHER_CATEGORIES = {"5710": 0.45, "5499": 0.35, "5599": 0.1, "6540": 0.1}
ACTIVITIES = [  # NAF rév. 2 codes (a few per section), uniform weight
    "01.61Z", "08.12Z", "10.71C", "25.62B", "35.11Z", "38.11Z", "43.32A", "47.11F",
    "49.41A", "56.10A", "62.01Z", "64.19Z", "65.12Z", "68.20A", "70.22Z", "81.21Z",
    "84.11Z", "85.59A", "86.10Z", "87.30A", "88.10A", "88.99B", "90.01Z", "93.12Z",
    "94.99Z", "96.02A", "85.3K",
]  # fmt: skip
BRACKETS = {"NN": 0.05, "00": 0.05, "01": 0.35, "02": 0.2, "03": 0.12, "11": 0.1,
            "12": 0.07, "21": 0.03, "22": 0.02, "32": 0.008, "41": 0.002}  # fmt: skip


def _territories(mirror: Path) -> pd.DataFrame:
    """Real territories (current communes, EPCI, départements, régions), all complete."""
    folder = next(mirror.rglob("etalab_decoupage_administratif_6.0.0"))
    communes = [
        c
        for c in json.loads((folder / "communes.json").read_text("utf-8"))
        if c.get("type") == "commune-actuelle" and c.get("zone") in ("metro", "drom")
    ]
    epci_of = {
        m["code"]: e["code"]
        for e in json.loads((folder / "epci.json").read_text("utf-8"))
        for m in e["membres"]
    }
    frame = pd.DataFrame(
        {
            "level": "commune",
            "code": [c["code"] for c in communes],
            "epci_code": [epci_of.get(c["code"]) for c in communes],
            "dep_code": [c["departement"] for c in communes],
            "reg_code": [c["region"] for c in communes],
            "population": [float(c.get("population") or 0) for c in communes],
        }
    )
    parents = []
    for level, column in (
        ("epci", "epci_code"),
        ("departement", "dep_code"),
        ("region", "reg_code"),
    ):
        grouped = frame.dropna(subset=[column]).groupby(column)["population"].sum()
        parents.append(
            pd.DataFrame({"level": level, "code": grouped.index, "population": grouped.values})
        )
    out = pd.concat([frame, *parents], ignore_index=True)
    out["complete"] = True
    return out


def _fr(number: float) -> str:
    """French thousands separator: 1 000 000."""
    return f"{number:,.0f}".replace(",", "\u202f")


def _pick(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def build_synthetic(path: Path, mirror: Path, n_establishments: int, seed: int = 0) -> int:
    """Write a warehouse with real territories and synthetic Sirene stocks; return communes."""
    rng = np.random.default_rng(seed)
    territories = _territories(mirror)
    communes = territories[territories["level"] == "commune"]
    weight = communes["population"].to_numpy() + 50.0  # every commune gets a chance
    n_units = int(n_establishments * 0.8)
    unit = np.concatenate(
        [np.arange(n_units), rng.integers(0, n_units, n_establishments - n_units)]
    )
    ess = rng.random(n_units) < ESS_SHARE
    category = np.where(ess, _pick(rng, CATEGORIES, n_units), _pick(rng, OTHER_CATEGORIES, n_units))
    units = pd.DataFrame(
        {
            "siren": pd.Series(np.arange(n_units)).map("{:09d}".format),
            "categorie_juridique": category,
            "ess": ess,
            "etat_administratif": "A",
        }
    )
    flag = rng.random(n_establishments)
    establishments = pd.DataFrame(
        {
            "siret": pd.Series(np.arange(n_establishments)).map("{:014d}".format),
            "siren": units["siren"].to_numpy()[unit],
            "commune_code": communes["code"].to_numpy()[
                rng.choice(len(communes), size=n_establishments, p=weight / weight.sum())
            ],
            "activite_principale": np.array(ACTIVITIES, dtype=object)[
                rng.integers(0, len(ACTIVITIES), n_establishments)
            ],
            "tranche_effectifs": _pick(rng, BRACKETS, n_establishments),
            "etat_administratif": np.where(flag < 0.9, "A", "F"),
            "employeur": pd.array(
                np.where(flag < 0.85, True, np.where(flag < 0.95, None, False)), dtype="boolean"
            ),
        }
    )
    with duckdb.connect(str(path)) as con:
        for name, frame in (
            ("territories", territories),
            ("raw_sirene_unites_legales", units),
            ("raw_sirene_etablissements", establishments),
        ):
            con.register("_frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
            con.unregister("_frame")
        con.execute(
            "CREATE TABLE commune_code_map AS SELECT code AS old_code, code, "
            "'code en vigueur' AS why FROM territories WHERE level = 'commune'"
        )
    return len(communes)


def measure(path: Path) -> None:
    """Child process: run the ESS aggregation and secrecy, print one JSON line."""
    sys.path.insert(0, str(ROOT))
    from indicators.ess_step import ess_result

    con = duckdb.connect(str(path), config={"threads": 2, "memory_limit": "2GB"})
    started = time.perf_counter()
    result = ess_result(con)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frame = result.layout.frame
    loss = {}
    for level in ("commune", "epci", "departement", "region"):
        rows = (frame["level"] == level).to_numpy()
        filled = result.cells.n[rows] > 0
        loss[level] = round(float(result.protection.secret[rows][filled].mean()), 3)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "employing": result.counts["employing"],
                "ess": result.counts["ess"],
                "primary": int(result.protection.primary.sum()),
                "secondary": int(result.protection.secondary.sum()),
                "blank_share_of_nonempty_cells": loss,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--establishments", type=int, default=1_000_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.duckdb"
        started = time.perf_counter()
        n_communes = build_synthetic(path, args.mirror, args.establishments)
        print(
            f"données SYNTHÉTIQUES (pour la mesure seulement) : {_fr(args.establishments)} "
            f"établissements sur {_fr(n_communes)} communes réelles, écrites en "
            f"{time.perf_counter() - started:.1f} s"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"agrégation ESS + secret statistique : {figures['seconds']:.1f} s, "
        f"mémoire de pointe {_fr(figures['peak_mb'])} Mo (DuckDB : 2 threads, 2 Go)"
    )
    print(
        f"  {_fr(figures['employing'])} établissements employeurs actifs, dont "
        f"{_fr(figures['ess'])} de l'ESS ; cases secrètes : {_fr(figures['primary'])} "
        f"primaires, {_fr(figures['secondary'])} secondaires"
    )
    print("  part des cases non vides masquées :", figures["blank_share_of_nonempty_cells"])


if __name__ == "__main__":
    main()
