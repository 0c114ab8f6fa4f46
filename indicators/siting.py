"""Where to put the next facilities, and which existing site matters most.

Two questions planners ask once they know who is far (:mod:`indicators.whatif`
answers one site at a time):

- **Siting** (:func:`plan_sites`): with a budget of ``N`` new sites of one service
  type, where should they go? Two classic location-allocation objectives:

  - ``"coverage"``, the *maximal covering location problem* (Church & ReVelle 1974,
    Papers of the Regional Science Association 32): choose at most ``N`` candidates
    to maximise the inhabitants newly within the threshold;
  - ``"time"``, the *p-median* with the existing sites kept (Hakimi 1964,
    Operations Research 12(3); ReVelle & Swain 1970): choose at most ``N``
    candidates to minimise the population-weighted travel time to the nearest site.

  Both are integer programs solved exactly by HiGHS (Huangfu & Hall 2018, through
  :func:`scipy.optimize.milp`, already a dependency: no solver binary to install,
  and the MIP gap and dual bound are reported when the time limit stops it). The
  greedy heuristic (add the site with the largest gain, N times) is solved too and
  its optimality gap reported: it is the usual answer and it is not always right.

- **Criticality** (:func:`criticality`): for every existing site of a type that is
  the nearest one of some inhabitants of the territory, the inhabitants who would
  fall beyond the threshold if it closed (and their next-nearest time).

Travel times come from the build's own engine (:func:`geo.engine.travel_times`,
straight line or road network), so a site found here gives the figures the
warehouse would give after a rebuild with it. Sites at one point count as one site
(:func:`geo.engine.one_per_point`).

Figures that could change with the build's extent are not used as figures
(rule 8 of the project): a point whose state "within the threshold" depends on
facilities that may lie beyond what was loaded around the territory (its trip reach,
:func:`geo.reach.reach_m`, beyond its known radius in ``point_coverage``) is left
out of the demand and counted apart (``uncertain_population``). Pure functions
except :func:`load_inputs` and :func:`read_candidates` (bound SQL through the gate).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from etl.vocabulary import FRANCE_CODE, FRANCE_LEVEL, LEVELS
from geo.constants import DEFAULT_CONSTANTS, MODES, ModelConstants
from geo.crs import WGS84, transform
from geo.engine import LAND_MASS, one_per_point, travel_times
from geo.network import RoadGraph
from geo.reach import reach_m
from indicators import inequality
from indicators.weighting import weighted_share
from warehouse.gate import query

Objective = Literal["coverage", "time"]
OBJECTIVES: Final[tuple[Objective, ...]] = ("coverage", "time")
# The engine answers at most this many nearest candidates per point (geo._validate):
# a point with more candidates than this within its limit is reported as truncated.
MAX_CANDIDATES_PER_POINT: Final = 1000
# Default wall-clock limit of one solve, seconds: HiGHS stops there and the best
# solution found is reported with its gap to the dual bound.
DEFAULT_TIME_LIMIT_S: Final = 60.0

Progress = Callable[[str, float], None]


class SitingError(ValueError):
    """A request that cannot be planned; the message is for the user (French)."""


@dataclass(frozen=True)
class SitingInputs:
    """What a siting or criticality run reads (one territory, service type and mode).

    Attributes
    ----------
    points : DataFrame
        Population points of the territory: ``point_id``, ``commune_code``,
        ``commune_name``, ``epci_code``, ``epci_name``, ``population``, ``x``, ``y``,
        ``epsg``, ``land_mass``, ``density_level``, ``minutes`` (stored time to the
        nearest facility of the type, NaN: none reachable), ``radius_m`` (metres
        within which every facility is known, NaN: no limit).
    facilities : DataFrame
        Existing facilities of the type, buffer included: ``facility_id``,
        ``label``, ``commune_code``, ``commune_name``, ``lon``, ``lat``, ``x``,
        ``y``, ``epsg``, ``land_mass``, ``in_territory``.
    candidates : DataFrame
        Candidate sites: ``candidate_id``, ``label``, ``commune_code``,
        ``commune_name``, ``lon``, ``lat``, ``x``, ``y``, ``epsg``, ``land_mass``.
    service_type, mode : str
    method : {"straight_line", "network"}
        The engine that produced the stored times.
    territory : str
        Its name, for the reports (e.g. ``"Ille-et-Vilaine"``).
    """

    points: pd.DataFrame
    facilities: pd.DataFrame
    candidates: pd.DataFrame
    service_type: str
    mode: str
    method: str = "straight_line"
    territory: str = ""


@dataclass(frozen=True)
class Solution:
    """One solve of a covering or median problem on candidate positions.

    ``chosen`` holds candidate positions in the order of their gain (largest
    first); ``value`` is the objective (inhabitants newly covered, or
    inhabitant-minutes saved); ``status`` ``"optimal"``, ``"time_limit"`` (best found,
    ``mip_gap`` is HiGHS's relative gap to its bound) or ``"greedy"``.
    """

    chosen: tuple[int, ...]
    value: float
    status: str
    mip_gap: float = 0.0
    seconds: float = 0.0


@dataclass(frozen=True)
class SitingResult:
    """Proposed sites and their effect on the territory (inhabitants, %, minutes).

    Attributes
    ----------
    sites : DataFrame
        One row per proposed site, by decreasing gain: ``order`` (1..),
        ``candidate_id``, ``label``, ``commune_code``, ``commune_name``, ``lon``,
        ``lat``, ``newly_within`` (inhabitants brought within the threshold whose
        nearest new site it is), ``nearest_for`` (inhabitants whose nearest facility it
        becomes), ``minutes_saved`` (inhabitant-minutes saved on the trips to it).
    summary : dict
        ``population``, ``before_within``, ``after_within``, ``newly_within``
        (inhabitants), ``before_share``, ``after_share`` (%),
        ``before_mean_minutes``, ``after_mean_minutes`` (population-weighted, over
        the inhabitants who reach a facility), ``uncertain_population`` (left out:
        their state depends on facilities beyond the build's extent),
        ``unreached_population`` (no facility of the type on their land mass before).
    by_epci : DataFrame
        ``epci_code``, ``epci_name``, ``population``, ``before_share``,
        ``after_share`` (%), ``newly_within`` (inhabitants).
    by_commune : DataFrame
        ``commune_code``, ``commune_name``, ``epci_code``, ``population``,
        ``before_share``, ``after_share`` (%).
    fracture : DataFrame
        ``index`` (``gini_share``: Gini of the communes' shares within the
        threshold; ``gini_minutes``: Gini of the inhabitants' travel times),
        ``label`` (FR), ``before``, ``after`` (0-1).
    optimal, greedy : Solution
        The solver's answer and the greedy heuristic's.
    gap_pct : float
        How much better the solver did than greedy, percent of the solver's value.
    """

    service_type: str
    mode: str
    threshold_min: float
    objective: str
    n_new: int
    keep_existing: bool
    sites: pd.DataFrame
    summary: dict[str, float]
    by_epci: pd.DataFrame
    by_commune: pd.DataFrame
    fracture: pd.DataFrame
    optimal: Solution
    greedy: Solution
    gap_pct: float
    notes: tuple[str, ...] = field(default=())


# --- Reading the warehouse ------------------------------------------------------------


def load_inputs(
    con: duckdb.DuckDBPyConnection,
    level: str,
    code: str,
    service_type: str,
    mode: str,
    candidates: pd.DataFrame | None = None,
) -> SitingInputs:
    """Read a territory's points, the facilities of a type and the candidate sites.

    Parameters
    ----------
    con : duckdb connection
        A built warehouse (read-only is enough).
    level, code : str
        The territory: a level of :data:`etl.vocabulary.LEVELS` or ``"france"``.
    service_type, mode : str
    candidates : DataFrame, optional
        From :func:`read_candidates`; default: one site per commune of the territory
        (its town hall, or its most populated point: :func:`town_hall_candidates`).

    Raises
    ------
    SitingError
        Unknown level, mode or service type; a territory without population point.
    """
    if level not in (*LEVELS, FRANCE_LEVEL):
        raise SitingError(f"niveau inconnu : {level!r} (attendu : {', '.join(LEVELS)}, france)")
    if mode not in MODES:
        raise SitingError(f"mode inconnu : {mode!r} (attendu : {', '.join(MODES)})")
    service_type = resolve_service_type(con, service_type)
    code = FRANCE_CODE if level == FRANCE_LEVEL else code
    params = {"level": level, "code": code, "service_type": service_type, "mode": mode}
    points = query(con, "indicators/siting_points", params).df()
    if points.empty:
        raise SitingError(f"aucun point de population pour {level} {code!r} dans l'entrepôt")
    facilities = query(con, "indicators/siting_facilities", {"service_type": service_type}).df()
    methods = [r[0] for r in query(con, "indicators/method").fetchall()]
    if candidates is None:
        candidates = town_hall_candidates(con, set(points["commune_code"]))
    names = points["commune_name"].dropna()
    territory = str(names.iloc[0]) if level == "commune" and len(names) else ""
    return SitingInputs(
        points=points,
        facilities=facilities,
        candidates=candidates,
        service_type=service_type,
        mode=mode,
        method=methods[0] if methods else "straight_line",
        territory=territory,
    )


def resolve_service_type(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The code of a service type of the build named by its code or slug, any case
    (``france_services`` -> ``FRANCE_SERVICES``, ``a206``).

    Raises
    ------
    SitingError
        No such service type in the build (the message lists some).
    """
    rows = query(con, "indicators/siting_service_types").fetchall()
    wanted = text.strip().lower()
    for code, slug, _ in rows:
        if wanted in (str(code).lower(), str(slug).lower()):
            return str(code)
    known = ", ".join(str(slug) for _, slug, _ in rows)
    raise SitingError(f"type d'équipement inconnu dans cet entrepôt : {text!r} (connus : {known})")


def town_hall_candidates(
    con: duckdb.DuckDBPyConnection, communes: set[str] | None = None
) -> pd.DataFrame:
    """One candidate site per commune (its town hall point, else its most populated
    point), restricted to ``communes`` when given. Columns as
    :attr:`SitingInputs.candidates`; ``candidate_id`` is ``mairie:<code>``."""
    halls = query(con, "indicators/siting_town_halls").df()
    if communes is not None:
        halls = halls[halls["commune_code"].isin(communes)]
    halls = halls.reset_index(drop=True)
    halls.insert(0, "candidate_id", "mairie:" + halls["commune_code"].astype(str))
    halls.insert(1, "label", "Mairie de " + halls["commune_name"].astype(str))
    return halls


def point_candidates(points: pd.DataFrame) -> pd.DataFrame:
    """Every population point of ``points`` (:attr:`SitingInputs.points`) as a
    candidate site (``candidate_id`` = ``point_id``), named by its commune."""
    kind = (
        points["kind"].astype(str)
        if "kind" in points.columns
        else pd.Series("", index=points.index)
    )
    prefix = np.where(kind.str.startswith("mairie"), "Mairie de ", "Point de population à ")
    return pd.DataFrame(
        {
            "candidate_id": points["point_id"].astype(str).to_numpy(),
            "label": prefix + points["commune_name"].astype(str).to_numpy(),
            **{c: points[c].to_numpy() for c in ("commune_code", "commune_name", "lon", "lat")},
            **{c: points[c].to_numpy() for c in ("x", "y", "epsg", LAND_MASS)},
        }
    )


def read_candidates(con: duckdb.DuckDBPyConnection, path: Path | str) -> pd.DataFrame:
    """Candidate sites from a CSV file (UTF-8, comma or semicolon separated).

    Either ``lon`` and ``lat`` (WGS84 degrees; ``longitude``/``latitude`` accepted),
    or ``code_commune`` (INSEE code: the commune's town hall); an optional ``nom``
    (or ``label``) names the site. Each site is placed in the commune of the build
    holding it.

    Raises
    ------
    SitingError
        Unreadable file, missing columns, a coordinate that is not a number or lies
        in no commune of the build, an unknown INSEE code, an empty file.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as f:
            header = f.readline()
        # the separator of the header line (a one-column file has none: comma)
        sep = ";" if header.count(";") > header.count(",") else ","
        raw = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SitingError(f"fichier de sites illisible : {path} ({exc})") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    raw = raw.rename(columns={"longitude": "lon", "latitude": "lat", "label": "nom"})
    if raw.empty:
        raise SitingError(f"fichier de sites vide : {path}")
    named = raw["nom"].fillna("").str.strip() if "nom" in raw.columns else None
    if {"lon", "lat"} <= set(raw.columns):
        sites = _sites_at(con, raw, path)
    elif "code_commune" in raw.columns:
        sites = _sites_by_commune(con, raw, path)
    else:
        raise SitingError(
            f"{path} : colonnes attendues lon et lat (WGS84), ou code_commune ; "
            f"trouvées : {', '.join(raw.columns)}"
        )
    if named is not None:
        given = named.to_numpy(dtype=object)
        sites["label"] = np.where(given != "", given, sites["label"].to_numpy(dtype=object))
    sites.insert(0, "candidate_id", [f"site:{i + 1}" for i in range(len(sites))])
    return sites


def _sites_at(con: duckdb.DuckDBPyConnection, raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    lon = pd.to_numeric(raw["lon"].str.replace(",", ".", regex=False), errors="coerce")
    lat = pd.to_numeric(raw["lat"].str.replace(",", ".", regex=False), errors="coerce")
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & lon.between(-180, 180) & lat.between(-90, 90))
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise SitingError(
            f"{path}, ligne {line} : lon/lat invalides ({raw.iloc[line - 2].to_dict()})"
        )
    frame = pd.DataFrame({"row": np.arange(len(raw)), "lon": lon, "lat": lat})
    con.register("_siting_sites", frame)
    try:
        found = query(con, "indicators/siting_sites_at").df()
    finally:
        con.unregister("_siting_sites")
    outside = sorted(set(frame["row"]) - set(found["row"]))
    if outside:
        line = outside[0] + 2
        raise SitingError(
            f"{path}, ligne {line} : le site ({lon[outside[0]]:.5f}, {lat[outside[0]]:.5f}) "
            f"n'est dans aucune commune de l'entrepôt ({len(outside)} site(s) dans ce cas)"
        )
    sites = frame.merge(found, on="row").sort_values("row").reset_index(drop=True)
    parts = []
    for epsg, group in sites.groupby("epsg", sort=True):
        x, y = transform(group["lon"], group["lat"], WGS84, int(epsg))
        parts.append(group.assign(x=x, y=y))
    sites = pd.concat(parts).sort_values("row").reset_index(drop=True)
    sites["label"] = "Site à " + sites["commune_name"].astype(str)
    return sites[
        ["label", "commune_code", "commune_name", "lon", "lat", "x", "y", "epsg", LAND_MASS]
    ]


def _sites_by_commune(
    con: duckdb.DuckDBPyConnection, raw: pd.DataFrame, path: Path
) -> pd.DataFrame:
    codes = raw["code_commune"].fillna("").str.strip()
    halls = town_hall_candidates(con).set_index("commune_code", drop=False)
    unknown = [c for c in codes if c not in halls.index]
    if unknown:
        line = int(np.flatnonzero((~codes.isin(halls.index)).to_numpy())[0]) + 2
        raise SitingError(
            f"{path}, ligne {line} : code commune INSEE inconnu dans cet entrepôt : "
            f"{unknown[0]!r} ({len(unknown)} code(s) inconnu(s))"
        )
    sites = halls.loc[codes].reset_index(drop=True).drop(columns=["candidate_id"])
    return sites


# --- Travel times to the candidates ------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    """Sparse travel times from demand points to candidate positions (minutes).

    ``point`` and ``candidate`` are positions in the points and candidates frames;
    only pairs within a limit are kept (the threshold for coverage, the point's
    current time for the median). ``truncated`` counts points whose limit held more
    than :data:`MAX_CANDIDATES_PER_POINT` candidates (their list is cut).
    """

    point: npt.NDArray[np.int64]
    candidate: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.float64]
    truncated: int = 0


def candidate_pairs(
    inputs: SitingInputs,
    demand: npt.NDArray[np.bool_],
    limit: npt.NDArray[np.float64],
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> Pairs:
    """Times from the demand points to the candidates within each point's ``limit``.

    Parameters
    ----------
    demand : bool array, one per point
        The points to search from.
    limit : float array, one per point
        Largest time kept (minutes, inclusive); ``inf`` keeps every candidate.
    """
    index = np.flatnonzero(demand)
    if not len(index) or inputs.candidates.empty:
        return Pairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
    points = inputs.points.iloc[index]
    # Land masses (no trip across the sea) when both sides know theirs.
    masses = all(
        LAND_MASS in f.columns and f[LAND_MASS].notna().all() for f in (points, inputs.candidates)
    )
    extra = [LAND_MASS] if masses else []
    origins = points[["x", "y", "epsg", "density_level", *extra]].assign(
        origin_id=np.arange(len(points), dtype=np.int64)
    )
    sites = inputs.candidates[["x", "y", "epsg", *extra]].assign(
        facility_id=np.arange(len(inputs.candidates), dtype=np.int64),
        service_type=inputs.service_type,
    )
    k = min(len(sites), MAX_CANDIDATES_PER_POINT)
    found = travel_times(
        origins,
        sites,
        inputs.method,  # type: ignore[arg-type]
        (inputs.mode,),  # type: ignore[arg-type]
        k,
        graph,
        constants,
    )
    origin = found["origin_id"].to_numpy(dtype=np.int64)
    minutes = found["minutes"].to_numpy(dtype=np.float64)
    keep = minutes <= limit[index][origin]
    truncated = 0
    if k < len(sites):
        last = found["rank"].to_numpy() == k
        truncated = int(np.count_nonzero(last & keep))
    return Pairs(
        point=index[origin[keep]],
        candidate=found["facility_id"].to_numpy(dtype=np.int64)[keep],
        minutes=minutes[keep],
        truncated=truncated,
    )


# --- Solvers --------------------------------------------------------------------------


def greedy_coverage(
    weights: npt.ArrayLike, pairs: Pairs, n_candidates: int, n_new: int
) -> Solution:
    """Greedy maximal covering: N times, the candidate covering the most uncovered
    weight (lowest position on ties). ``pairs`` link demand positions to the
    candidates covering them; ``weights`` are the demand positions' weights."""
    w = np.asarray(weights, dtype=np.float64)
    covered = np.zeros(len(w), dtype=bool)
    chosen: list[int] = []
    total = 0.0
    start = time.perf_counter()
    for _ in range(min(n_new, n_candidates)):
        open_ = ~covered[pairs.point]
        gain = np.bincount(pairs.candidate[open_], w[pairs.point[open_]], minlength=n_candidates)
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        chosen.append(best)
        total += float(gain[best])
        covered[pairs.point[pairs.candidate == best]] = True
    return Solution(tuple(chosen), total, "greedy", 0.0, time.perf_counter() - start)


def greedy_median(
    weights: npt.ArrayLike,
    current: npt.ArrayLike,
    pairs: Pairs,
    n_candidates: int,
    n_new: int,
) -> Solution:
    """Greedy p-median with the existing sites kept: N times, the candidate saving
    the most weighted minutes given the sites already chosen. ``current``: each
    demand position's time before (minutes, finite)."""
    w = np.asarray(weights, dtype=np.float64)
    now = np.asarray(current, dtype=np.float64).copy()
    chosen: list[int] = []
    total = 0.0
    start = time.perf_counter()
    for _ in range(min(n_new, n_candidates)):
        saving = w[pairs.point] * np.maximum(now[pairs.point] - pairs.minutes, 0.0)
        gain = np.bincount(pairs.candidate, saving, minlength=n_candidates)
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        chosen.append(best)
        total += float(gain[best])
        mine = pairs.candidate == best
        np.minimum.at(now, pairs.point[mine], pairs.minutes[mine])
    return Solution(tuple(chosen), total, "greedy", 0.0, time.perf_counter() - start)


def solve_coverage(
    weights: npt.ArrayLike,
    pairs: Pairs,
    n_candidates: int,
    n_new: int,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Solution:
    """Maximal covering location problem, solved by HiGHS.

    Maximise ``Σ_d w_d y_d`` subject to ``y_d <= Σ_{c covers d} x_c``,
    ``Σ_c x_c <= n_new``, ``x`` binary, ``0 <= y <= 1`` (y is integral at the
    optimum). Only demand positions and candidates appearing in ``pairs`` enter
    the program.
    """
    w = np.asarray(weights, dtype=np.float64)
    demand, d_of = np.unique(pairs.point, return_inverse=True)
    cands, c_of = np.unique(pairs.candidate, return_inverse=True)
    if not len(cands) or n_new < 1:
        return Solution((), 0.0, "optimal")
    n_c, n_d = len(cands), len(demand)
    # rows 0..n_d-1: y_d - Σ x_c <= 0 ; row n_d: Σ x_c <= n_new
    rows = np.concatenate([d_of, np.arange(n_d), np.full(n_c, n_d)])
    cols = np.concatenate([c_of, n_c + np.arange(n_d), np.arange(n_c)])
    vals = np.concatenate([-np.ones(len(d_of)), np.ones(n_d), np.ones(n_c)])
    a = sparse.csr_array((vals, (rows, cols)), shape=(n_d + 1, n_c + n_d))
    upper = np.concatenate([np.zeros(n_d), [float(n_new)]])
    cost = np.concatenate([np.zeros(n_c), -w[demand]])
    integrality = np.concatenate([np.ones(n_c), np.zeros(n_d)])
    res, seconds = _milp(cost, integrality, a, upper, time_limit_s)
    if res.x is None:  # stopped before any solution: plan_sites keeps greedy's
        return Solution((), 0.0, "time_limit", float("nan"), seconds)
    picked = [int(cands[i]) for i in np.flatnonzero(res.x[:n_c] > 0.5)]
    covered = np.zeros(len(w), dtype=bool)
    for c in picked:
        covered[pairs.point[pairs.candidate == c]] = True
    value = float(w[covered].sum())
    return Solution(_by_gain_coverage(w, pairs, picked), value, _status(res), _gap(res), seconds)


def solve_median(
    weights: npt.ArrayLike,
    current: npt.ArrayLike,
    pairs: Pairs,
    n_candidates: int,
    n_new: int,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Solution:
    """p-median with the existing sites kept, solved by HiGHS.

    With ``s_dc = w_d (t_d - t_dc)`` the saving of serving d from candidate c
    (pairs with ``t_dc < t_d`` only), maximise ``Σ s_dc z_dc`` subject to
    ``Σ_c z_dc <= 1``, ``z_dc <= x_c``, ``Σ x_c <= n_new``, x binary, z in [0, 1]:
    the minimal total time is ``Σ w_d t_d`` minus the value.
    """
    w = np.asarray(weights, dtype=np.float64)
    now = np.asarray(current, dtype=np.float64)
    saving = w[pairs.point] * (now[pairs.point] - pairs.minutes)
    keep = saving > 0
    point, cand, saving = pairs.point[keep], pairs.candidate[keep], saving[keep]
    cands, c_of = np.unique(cand, return_inverse=True)
    demand, d_of = np.unique(point, return_inverse=True)
    if not len(cands) or n_new < 1:
        return Solution((), 0.0, "optimal")
    n_c, n_d, n_z = len(cands), len(demand), len(point)
    z = n_c + np.arange(n_z)
    # rows: n_d assignment rows (Σ z <= 1), n_z linking rows (z - x <= 0), 1 budget row
    rows = np.concatenate(
        [d_of, n_d + np.arange(n_z), n_d + np.arange(n_z), np.full(n_c, n_d + n_z)]
    )
    cols = np.concatenate([z, z, c_of, np.arange(n_c)])
    vals = np.concatenate([np.ones(n_z), np.ones(n_z), -np.ones(n_z), np.ones(n_c)])
    a = sparse.csr_array((vals, (rows, cols)), shape=(n_d + n_z + 1, n_c + n_z))
    upper = np.concatenate([np.ones(n_d), np.zeros(n_z), [float(n_new)]])
    cost = np.concatenate([np.zeros(n_c), -saving])
    integrality = np.concatenate([np.ones(n_c), np.zeros(n_z)])
    res, seconds = _milp(cost, integrality, a, upper, time_limit_s)
    if res.x is None:  # stopped before any solution: plan_sites keeps greedy's
        return Solution((), 0.0, "time_limit", float("nan"), seconds)
    picked = [int(cands[i]) for i in np.flatnonzero(res.x[:n_c] > 0.5)]
    value = _median_value(w, now, pairs, picked)
    return Solution(_by_gain_median(w, now, pairs, picked), value, _status(res), _gap(res), seconds)


def _milp(
    cost: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.float64],
    a: sparse.csr_array,
    upper: npt.NDArray[np.float64],
    time_limit_s: float,
) -> tuple[Any, float]:
    # imported here: scipy.optimize takes 0.1 s to import, paid by every dashboard
    # start otherwise (the dashboard only solves when a planner asks for sites)
    from scipy.optimize import Bounds, LinearConstraint, milp

    start = time.perf_counter()
    res = milp(
        cost,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(a, -np.inf, upper),
        options={"time_limit": float(time_limit_s), "disp": False},
    )
    seconds = time.perf_counter() - start
    return res, seconds


def _status(res: Any) -> str:
    return "optimal" if getattr(res, "status", 1) == 0 else "time_limit"


def _gap(res: Any) -> float:
    gap = getattr(res, "mip_gap", 0.0)
    return float(gap) if gap is not None and math.isfinite(gap) else float("nan")


def _by_gain_coverage(
    w: npt.NDArray[np.float64], pairs: Pairs, picked: Sequence[int]
) -> tuple[int, ...]:
    """The chosen candidates ordered by the weight each newly covers, given those
    before it (the greedy order within the chosen set)."""
    covered = np.zeros(len(w), dtype=bool)
    left, order = list(picked), []
    while left:
        gains = [
            float(w[pairs.point[(pairs.candidate == c) & ~covered[pairs.point]]].sum())
            for c in left
        ]
        best = left.pop(int(np.argmax(gains)))
        order.append(best)
        covered[pairs.point[pairs.candidate == best]] = True
    return tuple(order)


def _median_value(
    w: npt.NDArray[np.float64], now: npt.NDArray[np.float64], pairs: Pairs, picked: Sequence[int]
) -> float:
    after = now.copy()
    for c in picked:
        mine = pairs.candidate == c
        np.minimum.at(after, pairs.point[mine], pairs.minutes[mine])
    return float((w * (now - after)).sum())


def _by_gain_median(
    w: npt.NDArray[np.float64], now: npt.NDArray[np.float64], pairs: Pairs, picked: Sequence[int]
) -> tuple[int, ...]:
    left, order = list(picked), list[int]()
    while left:
        gains = [_median_value(w, now, pairs, [*order, c]) for c in left]
        order.append(left.pop(int(np.argmax(gains))))
    return tuple(order)


# --- Planning -------------------------------------------------------------------------


def plan_sites(
    inputs: SitingInputs,
    n_new: int,
    *,
    threshold_min: float,
    objective: Objective = "coverage",
    keep_existing: bool = True,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
    progress: Progress | None = None,
) -> SitingResult:
    """Choose up to ``n_new`` candidate sites and report their effect.

    Parameters
    ----------
    inputs : SitingInputs
        From :func:`load_inputs`.
    n_new : int
        Budget of new sites (1 or more, at most the number of candidates).
    threshold_min : float
        "Within reach" threshold, minutes.
    objective : {"coverage", "time"}
        Maximal covering (inhabitants newly within the threshold) or p-median
        (population-weighted mean time; needs the existing sites kept).
    keep_existing : bool
        Keep the existing sites (default). ``False`` plans from scratch: the new
        sites alone, compared with today's coverage.
    time_limit_s : float
        Solver wall-clock limit; the best solution found is reported with its gap.
    graph : RoadGraph, optional
        Needed when the warehouse was built on the road network.
    progress : callable(stage, fraction), optional
        Called at each stage (French stage name, 0-1).

    Returns
    -------
    SitingResult

    Raises
    ------
    SitingError
        A budget below 1 or above the number of candidates, an unknown objective, a
        time objective from scratch, a network warehouse without ``graph``.
    """
    _check_request(inputs, n_new, threshold_min, objective, keep_existing, time_limit_s, graph)
    say = progress or (lambda stage, fraction: None)
    points = inputs.points
    population = points["population"].fillna(0.0).to_numpy(dtype=np.float64)
    base = points["minutes"].to_numpy(dtype=np.float64, na_value=np.inf)
    if not keep_existing:
        base = np.full(len(points), np.inf)
    certain = _certain(inputs, base, threshold_min, objective, keep_existing, constants)
    notes = []
    say("Temps de trajet vers les sites candidats", 0.1)
    if objective == "coverage":
        demand = certain & (base > threshold_min)
        pairs = candidate_pairs(
            inputs, demand, np.full(len(points), threshold_min), graph, constants
        )
        weights = np.where(demand, population, 0.0)
        say("Heuristique gloutonne", 0.3)
        greedy = greedy_coverage(weights, pairs, len(inputs.candidates), n_new)
        say(f"Solveur HiGHS (limite {time_limit_s:g} s)", 0.4)
        best = _timed(
            progress,
            time_limit_s,
            lambda: solve_coverage(weights, pairs, len(inputs.candidates), n_new, time_limit_s),
        )
    else:
        demand = certain & np.isfinite(base)
        pairs = candidate_pairs(inputs, demand, np.where(demand, base, 0.0), graph, constants)
        weights = np.where(demand, population, 0.0)
        now = np.where(demand, base, 0.0)
        say("Heuristique gloutonne", 0.3)
        greedy = greedy_median(weights, now, pairs, len(inputs.candidates), n_new)
        say(f"Solveur HiGHS (limite {time_limit_s:g} s)", 0.4)
        best = _timed(
            progress,
            time_limit_s,
            lambda: solve_median(weights, now, pairs, len(inputs.candidates), n_new, time_limit_s),
        )
    if greedy.value > best.value:  # a time-limited solve may end below greedy
        notes.append(
            f"le solveur, arrêté par la limite de temps ({time_limit_s:g} s), a fait moins "
            "bien que l'heuristique gloutonne : la solution gloutonne est retenue"
        )
        best = Solution(greedy.chosen, greedy.value, "greedy", best.mip_gap, best.seconds)
    if pairs.truncated:
        notes.append(
            f"{pairs.truncated} point(s) ont plus de {MAX_CANDIDATES_PER_POINT} sites "
            "candidats dans leur rayon : seuls les plus proches ont été examinés"
        )
    say("Effets sur le territoire", 0.9)
    result = _report(
        inputs,
        best,
        greedy,
        base,
        certain,
        threshold_min,
        objective,
        n_new,
        keep_existing,
        graph,
        constants,
        tuple(notes),
    )
    say("Terminé", 1.0)
    return result


def _check_request(
    inputs: SitingInputs,
    n_new: int,
    threshold_min: float,
    objective: str,
    keep_existing: bool,
    time_limit_s: float,
    graph: RoadGraph | None,
) -> None:
    if objective not in OBJECTIVES:
        raise SitingError(f"objectif inconnu : {objective!r} (attendu : coverage ou time)")
    if objective == "time" and not keep_existing:
        raise SitingError(
            "l'objectif « time » (temps moyen) suppose les sites existants conservés : "
            "sans eux, une partie des habitants n'aurait aucun site et leur temps serait infini"
        )
    if not (math.isfinite(threshold_min) and threshold_min > 0):
        raise SitingError(f"seuil invalide : {threshold_min!r} minutes")
    if not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise SitingError(f"limite de temps invalide : {time_limit_s!r} secondes")
    n_candidates = len(inputs.candidates)
    if n_candidates == 0:
        raise SitingError("aucun site candidat dans ce territoire")
    if not 1 <= n_new <= n_candidates:
        raise SitingError(
            f"nombre de nouveaux sites invalide : {n_new} (de 1 au nombre de sites "
            f"candidats, {n_candidates})"
        )
    if inputs.method == "network" and graph is None:
        raise SitingError("cet entrepôt a été calculé sur le réseau routier : fournir le graphe")


def _known(
    inputs: SitingInputs, minutes: npt.NDArray[np.float64], constants: ModelConstants
) -> npt.NDArray[np.bool_]:
    """Points around which every facility a trip of ``minutes`` can reach was loaded
    (the reach of the trip within the point's known radius, ``point_coverage``)."""
    points = inputs.points
    radius = points["radius_m"].to_numpy(dtype=np.float64, na_value=np.inf)
    density = pd.to_numeric(points["density_level"]).to_numpy(dtype=np.float64, na_value=np.nan)
    reach = reach_m(minutes, inputs.mode, inputs.method, density, constants)  # type: ignore[arg-type]
    return np.asarray(reach <= radius, dtype=bool)


def _certain(
    inputs: SitingInputs,
    base: npt.NDArray[np.float64],
    threshold_min: float,
    objective: str,
    keep_existing: bool,
    constants: ModelConstants,
) -> npt.NDArray[np.bool_]:
    """Points whose state before does not depend on the build's extent.

    Coverage: within the threshold (a facility was found there), or every facility
    within the reach of the threshold was loaded. Time: every facility within the
    reach of the current time was loaded. From scratch, every point (the candidates
    are the territory's own).
    """
    n = len(inputs.points)
    if not keep_existing:
        return np.ones(n, dtype=bool)
    if objective == "coverage":
        return (base <= threshold_min) | _known(inputs, np.full(n, threshold_min), constants)
    limit = np.where(np.isfinite(base), base, threshold_min)
    return _known(inputs, limit, constants)


def _timed(progress: Progress | None, limit: float, solve: Callable[[], Solution]) -> Solution:
    """Run ``solve``, reporting the elapsed share of the time limit every second."""
    if progress is None:
        return solve()
    done = threading.Event()
    start = time.perf_counter()

    def tick() -> None:
        while not done.wait(1.0):
            share = min((time.perf_counter() - start) / max(limit, 1e-9), 1.0)
            progress(f"Solveur HiGHS (limite {limit:g} s)", 0.4 + 0.5 * share)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        return solve()
    finally:
        done.set()
        ticker.join()


def _report(
    inputs: SitingInputs,
    best: Solution,
    greedy: Solution,
    base: npt.NDArray[np.float64],
    certain: npt.NDArray[np.bool_],
    threshold_min: float,
    objective: str,
    n_new: int,
    keep_existing: bool,
    graph: RoadGraph | None,
    constants: ModelConstants,
    notes: tuple[str, ...],
) -> SitingResult:
    points = inputs.points
    population = points["population"].fillna(0.0).to_numpy(dtype=np.float64)
    today = points["minutes"].to_numpy(dtype=np.float64, na_value=np.inf)
    chosen = list(best.chosen)
    to_new, which = _nearest_chosen(inputs, chosen, graph, constants)
    after = np.minimum(base, to_new)
    # Uncertain points keep today's state in both columns: they are not counted as a gain.
    after = np.where(certain, after, today)
    was, now = today <= threshold_min, after <= threshold_min
    newly = now & ~was
    served = to_new < base
    sites = inputs.candidates.iloc[chosen].reset_index(drop=True)
    site_of = np.full(len(points), -1)
    site_of[served] = which[served]
    pos = {c: i for i, c in enumerate(chosen)}
    slot = np.array([pos.get(int(s), -1) if s >= 0 else -1 for s in site_of])
    sites = sites[["candidate_id", "label", "commune_code", "commune_name", "lon", "lat"]].copy()
    sites.insert(0, "order", np.arange(1, len(sites) + 1))
    sites["newly_within"] = [
        float(population[newly & (slot == i)].sum()) for i in range(len(chosen))
    ]
    sites["nearest_for"] = [float(population[slot == i].sum()) for i in range(len(chosen))]
    gains = np.isfinite(today) & served & certain
    saved = np.zeros(len(points))
    saved[gains] = today[gains] - after[gains]
    sites["minutes_saved"] = [
        float((population * saved)[slot == i].sum()) for i in range(len(chosen))
    ]
    summary = {
        "population": float(population.sum()),
        "before_within": float(population[was].sum()),
        "after_within": float(population[now].sum()),
        "newly_within": float(population[newly].sum()),
        "no_longer_within": float(population[was & ~now].sum()),
        "before_share": weighted_share(was, population),
        "after_share": weighted_share(now, population),
        "before_mean_minutes": _mean(today, population),
        "after_mean_minutes": _mean(after, population),
        "uncertain_population": float(population[~certain].sum()),
        "unreached_population": float(population[~np.isfinite(today)].sum()),
    }
    by_commune = _shares(
        points, population, was, now, ["commune_code", "commune_name", "epci_code"]
    )
    by_epci = _shares(points, population, was, now, ["epci_code", "epci_name"])
    fracture = pd.DataFrame(
        {
            "index": ["gini_share", "gini_minutes"],
            "label": [
                f"Gini des parts d'habitants à {threshold_min:g} min ou moins, entre communes",
                "Gini des temps de trajet des habitants",
            ],
            "before": [_gini(by_commune, "before_share"), _gini_minutes(today, population)],
            "after": [_gini(by_commune, "after_share"), _gini_minutes(after, population)],
        }
    )
    gap = 100.0 * (best.value - greedy.value) / best.value if best.value > 0 else 0.0
    return SitingResult(
        service_type=inputs.service_type,
        mode=inputs.mode,
        threshold_min=float(threshold_min),
        objective=objective,
        n_new=n_new,
        keep_existing=keep_existing,
        sites=sites,
        summary=summary,
        by_epci=by_epci,
        by_commune=by_commune,
        fracture=fracture,
        optimal=best,
        greedy=greedy,
        gap_pct=gap,
        notes=notes,
    )


def _nearest_chosen(
    inputs: SitingInputs, chosen: Sequence[int], graph: RoadGraph | None, constants: ModelConstants
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Time from every point to its nearest chosen site (inf: none) and its position."""
    n = len(inputs.points)
    if not chosen:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    subset = SitingInputs(
        inputs.points,
        inputs.facilities,
        inputs.candidates.iloc[list(chosen)].reset_index(drop=True),
        inputs.service_type,
        inputs.mode,
        inputs.method,
    )
    limit = np.full(n, np.inf)
    everyone = np.ones(n, dtype=bool)
    pairs = candidate_pairs(subset, everyone, limit, graph, constants)
    minutes = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    order = np.lexsort((pairs.minutes, pairs.point))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pairs.point[order][1:] != pairs.point[order][:-1]
    best = order[first]
    minutes[pairs.point[best]] = pairs.minutes[best]
    which[pairs.point[best]] = np.asarray(chosen, dtype=np.int64)[pairs.candidate[best]]
    return minutes, which


def _shares(
    points: pd.DataFrame,
    population: npt.NDArray[np.float64],
    was: npt.NDArray[np.bool_],
    now: npt.NDArray[np.bool_],
    keys: list[str],
) -> pd.DataFrame:
    frame = points[keys].copy()
    frame["population"] = population
    frame["before_within"] = population * was
    frame["after_within"] = population * now
    out = frame.groupby(keys, sort=True, dropna=False).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        for when in ("before", "after"):
            out[f"{when}_share"] = np.where(
                out["population"] > 0, 100.0 * out[f"{when}_within"] / out["population"], np.nan
            )
    out["newly_within"] = out["after_within"] - out["before_within"]
    return out.drop(columns=["before_within", "after_within"])


def _gini(by_commune: pd.DataFrame, column: str) -> float:
    shares = by_commune[column].to_numpy(dtype=np.float64)
    weights = by_commune["population"].to_numpy(dtype=np.float64)
    keep = np.isfinite(shares) & (weights > 0)
    return inequality.gini(shares[keep], weights[keep]) if keep.any() else float("nan")


def _gini_minutes(minutes: npt.NDArray[np.float64], population: npt.NDArray[np.float64]) -> float:
    keep = np.isfinite(minutes) & (population > 0)
    return inequality.gini(minutes[keep], population[keep]) if keep.any() else float("nan")


def _mean(minutes: npt.NDArray[np.float64], population: npt.NDArray[np.float64]) -> float:
    reached = np.isfinite(minutes)
    total = population[reached].sum()
    return float((minutes[reached] * population[reached]).sum() / total) if total else float("nan")


# --- Criticality ----------------------------------------------------------------------


def criticality(
    inputs: SitingInputs,
    threshold_min: float,
    graph: RoadGraph | None = None,
    constants: ModelConstants = DEFAULT_CONSTANTS,
) -> pd.DataFrame:
    """What each existing site weighs: the inhabitants it alone keeps within reach.

    A site is a point holding facilities of the type (several facilities at one
    point are one site). For every site that is the nearest one of some inhabitants
    of the territory, closing it sends them to their next-nearest site.

    Returns
    -------
    DataFrame
        One row per site, most critical first: ``rank`` (1 = most inhabitants
        stranded; ties share a rank), ``facility_id`` (one of the site's),
        ``label``, ``commune_code``, ``commune_name``, ``lon``, ``lat``,
        ``in_territory`` (bool), ``n_facilities`` (at the site), ``nearest_for``
        (inhabitants whose nearest site it is), ``within`` (of them, within the
        threshold), ``stranded`` (of them, beyond the threshold if it closed),
        ``stranded_next_minutes`` (population-weighted mean time to their
        next-nearest site, NaN when none is reachable), ``uncertain``
        (inhabitants whose next-nearest site may lie beyond the build's extent:
        not counted as stranded).
    """
    if inputs.method == "network" and graph is None:
        raise SitingError("cet entrepôt a été calculé sur le réseau routier : fournir le graphe")
    points = inputs.points
    if inputs.facilities.empty:
        raise SitingError(f"aucun équipement {inputs.service_type} dans l'entrepôt")
    facilities = inputs.facilities.copy()
    keys = [c for c in ("x", "y", "epsg", LAND_MASS) if c in facilities.columns]
    facilities["n_facilities"] = facilities.groupby(keys, dropna=False)["facility_id"].transform(
        "size"
    )
    sites = one_per_point(facilities)
    frame = SitingInputs(
        points,
        facilities,
        sites.rename(columns={"facility_id": "candidate_id"}),
        inputs.service_type,
        inputs.mode,
        inputs.method,
    )
    n = len(points)
    k2 = candidate_pairs(frame, np.ones(n, dtype=bool), np.full(n, np.inf), graph, constants)
    order = np.lexsort((k2.minutes, k2.point))
    point, site, minutes = k2.point[order], k2.candidate[order], k2.minutes[order]
    starts = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
    first_site = np.full(n, -1)
    first_min = np.full(n, np.inf)
    second_min = np.full(n, np.inf)
    first_site[point[starts]] = site[starts]
    first_min[point[starts]] = minutes[starts]
    has_second = np.r_[starts[1:], len(point)] - starts > 1
    second_min[point[starts[has_second]]] = minutes[starts[has_second] + 1]
    population = points["population"].fillna(0.0).to_numpy(dtype=np.float64)
    radius = points["radius_m"].to_numpy(dtype=np.float64, na_value=np.inf)
    density = pd.to_numeric(points["density_level"]).to_numpy(dtype=np.float64, na_value=np.nan)
    reach = reach_m(threshold_min, inputs.mode, inputs.method, density, constants)  # type: ignore[arg-type]
    within = first_min <= threshold_min
    beyond_second = second_min > threshold_min
    known = (~beyond_second) | (reach <= radius)
    stranded = within & beyond_second & known
    uncertain = within & beyond_second & ~known
    rows = []
    for s in np.unique(first_site[first_site >= 0]):
        mine = first_site == s
        lost = mine & stranded
        next_t = second_min[lost]
        w = population[lost]
        finite = np.isfinite(next_t)
        mean_next = (
            float((next_t[finite] * w[finite]).sum() / w[finite].sum())
            if w[finite].sum()
            else float("nan")
        )
        rows.append(
            {
                "site": int(s),
                "nearest_for": float(population[mine].sum()),
                "within": float(population[mine & within].sum()),
                "stranded": float(w.sum()),
                "stranded_next_minutes": mean_next,
                "uncertain": float(population[mine & uncertain].sum()),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["site", "nearest_for", "within", "stranded", "stranded_next_minutes", "uncertain"],
    )
    info = sites.iloc[table["site"].to_numpy(dtype=np.int64)].reset_index(drop=True)
    cols = [
        "facility_id",
        "label",
        "commune_code",
        "commune_name",
        "lon",
        "lat",
        "in_territory",
        "n_facilities",
    ]
    out = pd.concat([info[cols], table.drop(columns=["site"])], axis=1)
    out = out.sort_values(["stranded", "within", "facility_id"], ascending=[False, False, True])
    out.insert(0, "rank", out["stranded"].rank(method="min", ascending=False).astype(int))
    return out.reset_index(drop=True)
