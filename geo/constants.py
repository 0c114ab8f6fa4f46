"""Model constants of the travel-time engines and of the indicators that read them.

Every value carries its source (or the word *assumption*) in a comment. The module
holds only immutable values: a frozen :class:`ModelConstants` gathers the ones a
caller may want to change, and a single call overrides them with
``dataclasses.replace(DEFAULT_CONSTANTS, walk_kmh=4.0)``.

Speeds are *effective* door-to-door speeds along the network distance (the
straight-line distance times the detour factor of the mode), not speed limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Mode = Literal["walk", "bike", "car"]
MODES: Final[tuple[Mode, ...]] = ("walk", "bike", "car")

# --- Speeds -------------------------------------------------------------------------
# Walking, 4.5 km/h = 1.25 m/s: the house value (STYLE.md) and the usual planning value
# for "15-minute city" isochrones. It sits just under the comfortable gait speeds of
# healthy adults (1.27-1.46 m/s, Bohannon 1997, Age and Ageing 26:15-19), so it leaves
# room for older walkers, crossings and waiting at lights.
WALK_KMH: Final = 4.5
# Cycling, 15 km/h: average urban speed of an ordinary (non-assisted) bike commonly used
# in French cycling-plan studies (Cerema / ADEME "vélo du quotidien" material quotes
# 14-16 km/h door to door). Assumption for e-bikes: not modelled.
BIKE_KMH: Final = 15.0

# INSEE communal density grid, 7 levels (grille communale de densité, 2022 version).
DENSITY_LEVELS: Final[tuple[str, ...]] = (
    "Grands centres urbains",  # 1
    "Centres urbains intermédiaires",  # 2
    "Ceintures urbaines",  # 3
    "Petites villes",  # 4
    "Bourgs ruraux",  # 5
    "Rural à habitat dispersé",  # 6
    "Rural à habitat très dispersé",  # 7
)
# Car, effective door-to-door speed on the road distance, by the density level of the
# ORIGIN commune. ASSUMPTION: no official table gives door-to-door speeds by this grid.
# The values are chosen to reproduce the order of magnitude of routed off-peak times
# (INSEE computes its access times with OSRM on OpenStreetMap, de Bellefon & Pages,
# blog.insee.fr, 6 Oct 2021; INRAE's Odomatrix uses speeds by road class and urban
# setting): ~20 km/h in dense cores (traffic lights, congestion; Paris intra-muros
# average traffic speed is reported in the 15-20 km/h range), rising to ~60 km/h on
# sparse rural networks. Calibrate against a routed sample before publishing figures.
# Local check (bench/calibration.py, OSM graphs of Saint-Germain-en-Laye and
# Maisons-Laffitte, both level 1): our network engine's free-flow speeds by road class
# give 33-35 km/h effective (median) on the fastest path, which is 1.3-1.6 x the
# crow-fly distance there; the straight-line model's level-1 times are 1.3-1.5 x the
# network times. The 20 km/h core value is therefore a congested, pessimistic choice;
# the France Services sensitivity in CHANGELOG.md shows its effect. Kept until a
# routed sample covering every density level is available.
CAR_KMH_BY_DENSITY: Final[tuple[float, ...]] = (20.0, 28.0, 35.0, 35.0, 45.0, 55.0, 60.0)
# Car speed when density_level is NULL (origin outside the grid or code not matched).
# ASSUMPTION: the value of the middle levels 3-4, so an unknown level gets neither the
# urban penalty nor the rural bonus. Rows using it are not flagged: check NULL counts
# upstream (warehouse data tests).
CAR_FALLBACK_KMH: Final = 35.0
# Car overhead per trip, minutes: walking to/from the car and parking. ASSUMPTION
# (2 min, common in accessibility studies; INSEE's OSRM times do not include it).
CAR_OVERHEAD_MIN: Final = 2.0

# Car speeds on the road network by OSM ``highway`` class, km/h. ASSUMPTION: effective
# average speeds including junction delays, below the French default limits (130 / 110 /
# 80 / 50 km/h, Code de la route R413-2 and R413-3). An edge's ``maxspeed`` tag, when
# parseable, caps the class speed. Classes absent from this table are closed to cars
# (footway, path, pedestrian, steps, cycleway, track, bridleway, busway, corridor, ...):
# forest tracks are mostly closed to motor traffic, and a car network that used them
# would understate rural times.
CAR_KMH_BY_HIGHWAY: Final[tuple[tuple[str, float], ...]] = (
    ("motorway", 110.0),
    ("motorway_link", 60.0),
    ("trunk", 80.0),
    ("trunk_link", 50.0),
    ("primary", 50.0),
    ("primary_link", 40.0),
    ("secondary", 45.0),
    ("secondary_link", 35.0),
    ("tertiary", 40.0),
    ("tertiary_link", 30.0),
    ("unclassified", 35.0),
    ("road", 30.0),
    ("residential", 25.0),
    ("living_street", 10.0),  # "zone de rencontre", 20 km/h limit, shared with walkers
    ("service", 15.0),
)
# Classes closed to walkers and cyclists: motorways (Code de la route, R421-2).
NO_WALK_HIGHWAYS: Final[tuple[str, ...]] = ("motorway", "motorway_link")
NO_BIKE_HIGHWAYS: Final[tuple[str, ...]] = ("motorway", "motorway_link")

# --- Detour factors (network distance / straight-line distance) ----------------------
# Boscoe, Henry & Zdeb 2012 (Professional Geographer 64(2), "A nationwide comparison of
# driving distance versus straight-line distance to hospitals") report a mean detour
# index of about 1.4, higher for short trips; Giacomin & Levinson 2015 (Environment and
# Planning B 42(6), "Road network circuity in metropolitan areas") find 1.2-1.3 in
# metropolitan road networks. Walking trips are short, hence the higher value.
# Local check (bench/calibration.py, Yvelines OSM graphs, 250 m-4 km): walking detour
# medians 1.15-1.32, below 1.4 (short urban trips through footpaths); the fastest car
# path is 1.27-1.67 x the crow-fly distance (one-way streets, detours to faster roads).
WALK_DETOUR: Final = 1.4
BIKE_DETOUR: Final = 1.3
CAR_DETOUR: Final = 1.3

# --- Thresholds shared with the indicators --------------------------------------------
# "15-minute city" access threshold (Moreno et al. 2021, Smart Cities 4(1)): the default
# of the build setting --threshold (etl.settings.Settings.threshold_min), read per build.
DEFAULT_THRESHOLD_MIN: Final = 15.0
# Enhanced 2SFCA distance-decay bands (lower min, upper min, weight): Luo & Qi 2009,
# Health & Place 15(4):1100-1107, Gaussian weights 1.00 / 0.68 / 0.22 evaluated at the
# band mid-points of 0-10 / 10-20 / 20-30 minutes. Beyond 30 min the weight is 0.
FCA_BANDS: Final[tuple[tuple[float, float, float], ...]] = (
    (0.0, 10.0, 1.00),
    (10.0, 20.0, 0.68),
    (20.0, 30.0, 0.22),
)
# Statistical secrecy on establishment data (INSEE / Comité du secret statistique
# rules for economic data): a cell is published only if it counts at least 3
# establishments and no single one weighs more than 85 % of the total.
SECRECY_MIN_UNITS: Final = 3
SECRECY_MAX_SHARE: Final = 0.85


@dataclass(frozen=True)
class ModelConstants:
    """The overridable constants of one computation (defaults: module values above).

    Build a variant with ``dataclasses.replace(DEFAULT_CONSTANTS, bike_kmh=12.0)``.
    Every field is immutable, so an instance can be shared freely.
    """

    walk_kmh: float = WALK_KMH
    bike_kmh: float = BIKE_KMH
    car_kmh_by_density: tuple[float, ...] = CAR_KMH_BY_DENSITY
    car_fallback_kmh: float = CAR_FALLBACK_KMH
    car_overhead_min: float = CAR_OVERHEAD_MIN
    car_kmh_by_highway: tuple[tuple[str, float], ...] = CAR_KMH_BY_HIGHWAY
    no_walk_highways: tuple[str, ...] = NO_WALK_HIGHWAYS
    no_bike_highways: tuple[str, ...] = NO_BIKE_HIGHWAYS
    walk_detour: float = WALK_DETOUR
    bike_detour: float = BIKE_DETOUR
    car_detour: float = CAR_DETOUR
    fca_bands: tuple[tuple[float, float, float], ...] = FCA_BANDS
    secrecy_min_units: int = SECRECY_MIN_UNITS
    secrecy_max_share: float = SECRECY_MAX_SHARE

    def __post_init__(self) -> None:
        speeds = (self.walk_kmh, self.bike_kmh, self.car_fallback_kmh, *self.car_kmh_by_density)
        speeds += tuple(kmh for _, kmh in self.car_kmh_by_highway)
        if not all(math.isfinite(s) and s > 0 for s in speeds):
            raise ValueError(f"every speed must be a positive finite km/h value, got {speeds}")
        if len(self.car_kmh_by_density) != len(DENSITY_LEVELS):
            raise ValueError(
                f"car_kmh_by_density needs {len(DENSITY_LEVELS)} values (levels 1-7), "
                f"got {len(self.car_kmh_by_density)}"
            )
        if min(self.walk_detour, self.bike_detour, self.car_detour) < 1.0:
            raise ValueError("a detour factor below 1 would make a route shorter than a line")
        if not self.car_overhead_min >= 0:
            raise ValueError("car_overhead_min must be >= 0")
        _check_bands(self.fca_bands)
        if self.secrecy_min_units < 1 or not 0 < self.secrecy_max_share <= 1:
            raise ValueError("secrecy_min_units >= 1 and 0 < secrecy_max_share <= 1 required")

    def speed_m_per_min(self, mode: Mode) -> float:
        """Straight-line engine speed of ``walk`` or ``bike`` in metres per minute."""
        if mode == "walk":
            return self.walk_kmh * 1000.0 / 60.0
        if mode == "bike":
            return self.bike_kmh * 1000.0 / 60.0
        raise ValueError(f"car speed depends on density: use car_m_per_min(), got {mode!r}")

    def detour(self, mode: Mode) -> float:
        """Detour factor (network / straight-line distance) of ``mode``."""
        return {"walk": self.walk_detour, "bike": self.bike_detour, "car": self.car_detour}[mode]

    def car_m_per_min(self, density_level: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Car speed in metres per minute for each density level (1-7, NaN = fallback).

        Raises ``ValueError`` on a level outside 1-7.
        """
        levels = np.asarray(density_level, dtype=np.float64)
        known = ~np.isnan(levels)
        if np.any((levels[known] < 1) | (levels[known] > 7) | (levels[known] % 1 != 0)):
            raise ValueError("density_level must be an integer 1-7 or NULL")
        table = np.asarray(self.car_kmh_by_density, dtype=np.float64)
        kmh = np.full(levels.shape, self.car_fallback_kmh, dtype=np.float64)
        kmh[known] = table[levels[known].astype(np.int64) - 1]
        return kmh * 1000.0 / 60.0


def _check_bands(bands: tuple[tuple[float, float, float], ...]) -> None:
    previous_upper = 0.0
    for lower, upper, weight in bands:
        if lower != previous_upper or upper <= lower or not 0 <= weight <= 1:
            raise ValueError(f"fca_bands must be contiguous from 0 with weights in [0, 1]: {bands}")
        previous_upper = upper


DEFAULT_CONSTANTS: Final = ModelConstants()


# --- Indicator thresholds and scales (indicators/) ------------------------------------
# Kept as plain module values so that geo's ModelConstants stays the engine's; every
# indicator kernel takes them as keyword defaults, overridable per call.
# Third places: 15 min by bike and 20 min by car, the project's two access thresholds
# (ASSUMPTION: no official threshold exists for tiers-lieux).
THIRD_PLACE_BIKE_MIN: Final = 15.0
THIRD_PLACE_CAR_MIN: Final = 20.0
# France Services: the programme's promise of a site "à moins de 30 minutes" of every
# inhabitant (circulaire du Premier ministre n° 6094/SG du 1er juillet 2019; ANCT).
FRANCE_SERVICES_PROMISE_MIN: Final = 30.0
# Rural mobility: a passenger station counts as remote beyond this car time.
# ASSUMPTION: the "quart d'heure" threshold, applied to the drive to the station.
STATION_REMOTE_MIN: Final = 15.0
# Enhanced 2SFCA results are expressed per this many inhabitants (sites pour 10 000
# hab.), the usual scale of French facility densities (INSEE BPE "taux
# d'équipement" are per 10 000 inhabitants).
FCA_PER_INHABITANTS: Final = 10_000.0

# --- Territorial-fracture indices (indicators/inequality.py, indicators/fracture.py) ---
# Best- and worst-served "fifth": population quintiles (20 % of the inhabitants), the
# usual split of French income statistics (INSEE publishes niveau de vie by quintile and
# the S80/S20 ratio of the top to the bottom fifth).
FIFTH_SHARE: Final = 0.2
# Palma ratio: share of the total held by the top 10 % over the share held by the bottom
# 40 % (Palma 2011, Cambridge Working Papers in Economics 1111; Cobham & Sumner 2013,
# "Is it all about the tails? The Palma measure of income inequality", CGD WP 343).
PALMA_TOP_SHARE: Final = 0.1
PALMA_BOTTOM_SHARE: Final = 0.4
# Urban and rural communes from the INSEE 7-level communal density grid: rural =
# "communes peu denses ou très peu denses" (levels 5-7: bourgs ruraux, rural à habitat
# dispersé, très dispersé), urban = dense and intermediate-density communes (levels
# 1-4). INSEE's definition of the rural since 2020 (Beck, de Bellefon, Forgeot, Pramil,
# Quantin, "Une nouvelle définition du rural...", INSEE Références, La France et ses
# territoires, 2021). Same split as indicators/rural_mobility.py.
URBAN_DENSITY_LEVELS: Final[tuple[int, ...]] = (1, 2, 3, 4)
RURAL_DENSITY_LEVELS: Final[tuple[int, ...]] = (5, 6, 7)
# "Double peine": a commune is "farther" when its everyday-basket score (services of the
# basket within the quart d'heure) is below its département's population-weighted median
# of communes. Modes tried in this order, the first one registered is used. ASSUMPTION
# (project rule): walking first, because the double peine is about households that are
# both poorer and less mobile, and low-income households are the least often motorised;
# the car score is the fallback. (The car score also saturates where every commune
# reaches the whole basket by car, e.g. the 3-item basket of the offline mirror in
# Ille-et-Vilaine, which leaves no commune below the median.)
DOUBLE_PEINE_ACCESS_MODES: Final[tuple[str, ...]] = ("walk", "car")
# Fracture indices are published only when the communes with a value hold at least
# this share of the territory's inhabitants. ASSUMPTION (project rule): an index over
# part of a territory describes another population, e.g. a Bretagne index computed on
# the Ille-et-Vilaine communes alone when a source only covers that département. 95 %
# tolerates a few communes without a value (no population point, code changed since a
# source's vintage) and refuses partial sources; measured on the national build of the
# mirror, coverage is either above 99 % or below 50 % for all but a few hundred of
# 166 000 (indicator, territory) pairs.
FRACTURE_MIN_POPULATION_SHARE: Final = 0.95

# --- ESS: jobs estimated from the Sirene headcount brackets (indicators/ess.py) -------
# Sirene "tranche d'effectif salarié" codes (trancheEffectifsEtablissement; INSEE,
# description des variables du répertoire Sirene): NN = no employee during the reference
# year and none on 31 December; 00 = employees during the year but none on 31 December;
# 01 = 1-2, 02 = 3-5, 03 = 6-9, 11 = 10-19, 12 = 20-49, 21 = 50-99, 22 = 100-199,
# 31 = 200-249, 32 = 250-499, 41 = 500-999, 42 = 1 000-1 999, 51 = 2 000-4 999,
# 52 = 5 000-9 999, 53 = 10 000 and more. Estimated salaried jobs of an establishment =
# the midpoint (lower + upper) / 2 of its bracket; 00 -> 0 (nobody on 31 December);
# 53 has no upper bound: its lower bound 10 000 (ASSUMPTION: a low estimate). NN, no
# bracket or an unknown code: no estimate (the establishment is counted, its jobs are
# not). Every figure built on these values is labelled an estimate.
ESS_BRACKET_JOBS: Final[tuple[tuple[str, float], ...]] = (
    ("00", 0.0),
    ("01", 1.5),
    ("02", 4.0),
    ("03", 7.5),
    ("11", 14.5),
    ("12", 34.5),
    ("21", 74.5),
    ("22", 149.5),
    ("31", 224.5),
    ("32", 374.5),
    ("41", 749.5),
    ("42", 1499.5),
    ("51", 3499.5),
    ("52", 7499.5),
    ("53", 10000.0),
)
# ESS establishments are also given per this many inhabitants, the scale INSEE uses for
# densities of facilities and establishments ("pour 10 000 habitants").
ESS_PER_INHABITANTS: Final = 10_000.0

# --- Public transport from GTFS timetables (indicators/public_transport.py) ----------
# UN SDG 11.2.1 "convenient access to public transport": a stop within a walking
# distance of 500 m along the street network for a low-capacity system such as a bus
# (UN-Habitat, SDG indicator metadata 11.2.1, September 2021, 2.a). Walking distance =
# straight-line distance x WALK_DETOUR (the straight-line model of this module).
TRANSIT_STOP_WALK_M: Final = 500.0
# A stop counts as "served" (frequent) when it offers at least this many departures on
# the reference weekday. The SDG metadata asks for "frequent service during peak travel
# times" without a number. ASSUMPTION: 28 departures a day = one every 30 minutes over
# the 14 hours from 6:00 to 20:00, the daytime window of the European Commission's
# measures of public transport service (Poelman & Dijkstra 2015, "Measuring access to
# public transport in European cities", DG REGIO Regional Focus 01/2015).
TRANSIT_FREQUENT_MIN_DEPARTURES: Final = 28
# Departures offered within this walking time (departures per day within 10 min).
# ASSUMPTION: 10 minutes (750 m at WALK_KMH), the usual pedestrian catchment of a stop.
TRANSIT_DEPARTURES_WALK_MIN: Final = 10.0
# "Isolés des transports": neither a passenger station nor a frequent stop within this
# walking time: the project's "quart d'heure" (DEFAULT_THRESHOLD_MIN).
TRANSIT_ISOLATION_WALK_MIN: Final = 15.0
