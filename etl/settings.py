"""The one frozen settings object passed down through a build, and territory codes.

Nothing in the project reads environment variables or mutable module globals
behind the caller's back: the command line builds one :class:`Settings` and
passes it to every step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl.vocabulary import LEVEL_CODE_RE, TERRITORY_KIND_LEVEL

DEFAULT_DB = Path("data/territoires.duckdb")
DEFAULT_CACHE = Path("data/cache")

_TERRITORY_RE = {
    "fr": re.compile(r"^$"),
    **{kind: LEVEL_CODE_RE[level] for kind, level in TERRITORY_KIND_LEVEL.items()},
}


class TerritoryError(ValueError):
    """A territory code that is malformed or does not exist."""


@dataclass(frozen=True)
class Territory:
    """A territory to build: all of France, a département, a région or an EPCI.

    Attributes
    ----------
    kind : {"fr", "dep", "reg", "epci"}
    code : str
        "" for France, "35" for a département, "53" for a région, the SIREN for an EPCI.
    """

    kind: str
    code: str = ""

    def __str__(self) -> str:
        return "fr" if self.kind == "fr" else f"{self.kind}:{self.code}"


def parse_territory(text: str) -> Territory:
    """Parse ``fr``, ``dep:35``, ``reg:53`` or ``epci:<siren>``.

    Raises
    ------
    TerritoryError
        With a message saying which forms are accepted. Existence is checked
        later, against the loaded communes.
    """
    raw = (text or "").strip()
    if raw.lower() in {"fr", "france"}:
        return Territory("fr", "")
    kind, sep, code = raw.partition(":")
    kind = kind.lower()
    code = code.strip().upper()
    if not sep or kind not in _TERRITORY_RE or kind == "fr":
        raise TerritoryError(
            f"territoire inconnu {text!r}: attendu 'fr', 'dep:<code>' (ex. dep:35, dep:2A), "
            "'reg:<code>' (ex. reg:53) ou 'epci:<siren à 9 chiffres>'"
        )
    if kind == "dep" and len(code) == 1 and code.isdigit():
        code = "0" + code
    if not _TERRITORY_RE[kind].match(code):
        raise TerritoryError(f"code {kind} mal formé: {code!r} (territoire {text!r})")
    return Territory(kind, code)


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know, decided once by the caller.

    Attributes
    ----------
    db_path : Path
        Target DuckDB file; it is replaced atomically at the end of a build.
    cache_dir : Path
        Where downloaded raw files are kept between builds.
    mirror_dir : Path | None
        A local folder of raw official files (searched recursively by file name),
        used before the cache and the network.
    offline : bool
        Never try the network (the mirror, the cache and the embedded default only).
    territory : Territory
        What to build.
    facility_buffer_m : float
        Facilities within this distance outside the territory are kept, so that
        people living near its edge are served by their real nearest facility.
        40 km covers a 30 min car trip at rural speeds (see geo/constants.py).
    demand_buffer_m : float
        Inhabitants of the communes within this distance outside the territory are
        placed as points too (table ``demand_points``), but only as the DEMAND that
        shares each capacity-limited site (2SFCA): a site near the edge serves people
        on both sides of it. 45 km covers twice the reach of a 30 min car trip of the
        straight-line model (2 x 21.5 km, see geo/constants.py); the travel-time step
        checks it and flags the 2SFCA values when it is too short.
    progress : bool
        Show progress bars on stderr.
    travel_method : {"straight_line", "network"}
        Travel-time engine used by the build (see geo/engine.py).
    road_graph : Path | None
        OSMnx GraphML or ``.osm.pbf`` road network, required by ``"network"``.
    threshold_min : float
        The "quart d'heure": access threshold in minutes for the main indicators.
    http_timeout_s, http_retries : connection settings for downloads.
    accept_loss : bool
        Replace the existing warehouse even when the new build has lost sources, or
        most rows of its facilities, points or values (``warehouse.guard``).
    """

    db_path: Path = DEFAULT_DB
    cache_dir: Path = DEFAULT_CACHE
    mirror_dir: Path | None = None
    offline: bool = False
    territory: Territory = field(default_factory=lambda: Territory("dep", "35"))
    facility_buffer_m: float = 40_000.0
    demand_buffer_m: float = 45_000.0
    progress: bool = True
    travel_method: str = "straight_line"
    road_graph: Path | None = None
    threshold_min: float = 15.0
    accept_loss: bool = False
    http_timeout_s: float = 60.0
    http_retries: int = 4

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (the object itself is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]
