"""How far the straight-line model is from the road network, on real OSM graphs.

The straight-line engine multiplies the crow-fly distance by a detour factor
(``geo.constants``: walk 1.4, car 1.3, from the literature) and divides by an
effective speed (car: by the density level of the origin commune, 20 km/h in
"Grands centres urbains"). This script measures both on the Yvelines OSM graphs of
the mirror (Saint-Germain-en-Laye and Maisons-Laffitte, both classed "Grands
centres urbains" by the INSEE density grid):

* detour factor = shortest network distance / straight-line distance, between
  every node and ``--targets`` random target nodes, by straight-distance band;
* car: the effective speed of the network engine (network distance / network
  driving time; speeds by OSM road class, themselves assumptions listed in
  ``geo.constants``) against the straight-line model's dense-core speed, and the
  ratio model minutes / network minutes for the same pairs.

It prints figures; it does not change any constant. A single suburban area says
nothing about rural France: read it as a local check of the dense-core values.

Usage::

    .venv/bin/python bench/calibration.py [--mirror ../shared/data] [--targets 40]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.constants import CAR_DETOUR, CAR_KMH_BY_DENSITY, CAR_OVERHEAD_MIN, WALK_DETOUR
from geo.network import load_graphml, network_nearest, network_nodes, prepare_mode

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ("st_ger.gml", "maisons_laffitte.gml")
DENSE_CORE_KMH = CAR_KMH_BY_DENSITY[0]  # both communes: "Grands centres urbains"
BANDS_M = {"walk": (250, 500, 1000, 2000, 4000), "car": (500, 1000, 2000, 4000, 8000)}


def pairs(path: Path, mode: str, n_targets: int, seed: int = 0) -> pd.DataFrame:
    """Every usable node to each of ``n_targets`` random target nodes of the mode.

    Returns
    -------
    DataFrame
        ``straight_m`` (metres), ``network_m`` (metres, fastest path for the mode),
        ``network_min`` (minutes, car overhead removed), one row per (node, target).
    """
    graph = load_graphml(path)
    net = prepare_mode(graph, mode)  # type: ignore[arg-type]
    nodes = network_nodes(graph, mode)  # type: ignore[arg-type]
    targets = np.random.default_rng(seed).choice(nodes, n_targets, replace=False)
    origins = pd.DataFrame(
        {"origin_id": nodes, "x": graph.x[nodes], "y": graph.y[nodes], "epsg": graph.epsg}
    )
    facilities = pd.DataFrame(
        {
            "facility_id": np.arange(n_targets),
            # one "service type" per target: its Dijkstra gives every node's path to it
            "service_type": [f"t{i:03d}" for i in range(n_targets)],
            "x": graph.x[targets],
            "y": graph.y[targets],
            "epsg": graph.epsg,
        }
    )
    table = network_nearest(graph, origins, facilities, modes=(mode,), prepared=(net,))  # type: ignore[arg-type]
    fac = facilities.set_index("facility_id")
    org = origins.set_index("origin_id")
    dx = org.loc[table["origin_id"], "x"].to_numpy() - fac.loc[table["facility_id"], "x"].to_numpy()
    dy = org.loc[table["origin_id"], "y"].to_numpy() - fac.loc[table["facility_id"], "y"].to_numpy()
    overhead = CAR_OVERHEAD_MIN if mode == "car" else 0.0
    return pd.DataFrame(
        {
            "straight_m": np.hypot(dx, dy),
            "network_m": table["distance_m"].to_numpy(dtype=np.float64),
            "network_min": table["minutes"].to_numpy(dtype=np.float64) - overhead,
        }
    )


def _quartiles(values: pd.Series) -> str:
    q1, q2, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return f"{q2:5.2f} ({q1:.2f}-{q3:.2f})"


def report(name: str, mode: str, frame: pd.DataFrame) -> None:
    bands = BANDS_M[mode]
    detour_constant = WALK_DETOUR if mode == "walk" else CAR_DETOUR
    frame = frame[frame["straight_m"] >= bands[0]]
    print(f"\n{name}, {mode}: {len(frame):,} pairs >= {bands[0]} m apart")
    print(f"  detour factor, median (quartiles); model constant {detour_constant}")
    for low, high in itertools.pairwise(bands):
        band = frame[(frame["straight_m"] >= low) & (frame["straight_m"] < high)]
        if len(band) < 30:
            continue
        detour = band["network_m"] / band["straight_m"]
        print(f"    {low:>5}-{high:<5} m  {len(band):>9,} pairs  {_quartiles(detour)}")
    if mode != "car":
        return
    driving = frame[frame["network_min"] > 0]
    speed = driving["network_m"] / 1000 / (driving["network_min"] / 60)
    model_min = driving["straight_m"] * CAR_DETOUR / 1000 / DENSE_CORE_KMH * 60
    print(
        f"  effective network speed, km/h: {_quartiles(speed)}; "
        f"model dense-core speed {DENSE_CORE_KMH:.0f} km/h"
    )
    print(
        "  model minutes / network minutes (both without the "
        f"{CAR_OVERHEAD_MIN:.0f}-min overhead): {_quartiles(model_min / driving['network_min'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--targets", type=int, default=40)
    args = parser.parse_args()
    folder = args.mirror / "osm_network_yvelines"
    for name in GRAPHS:
        path = folder / name
        if not path.exists():
            raise SystemExit(f"graphe introuvable : {path} (dossier du miroir : --mirror)")
        for mode in ("walk", "car"):
            start = time.perf_counter()
            frame = pairs(path, mode, args.targets)
            report(name, mode, frame)
            print(f"  ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
