"""The sources catalogue: one declared entry per official dataset.

The entries live in ``etl/catalogue.toml``; this module reads them into frozen
:class:`Source` objects and checks that every entry is complete. Code never
hard-codes a URL: it asks the catalogue.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ROLES = frozenset(
    {
        "territories",  # communes, EPCI, départements, régions (codes, names, geometry)
        "population",  # legal populations, population grids
        "facilities",  # geolocated service points
        "facility_counts",  # counts of facilities per commune (no coordinates)
        "typology",  # density grid, commune typologies
        "income",  # Filosofi
        "ess",  # Sirene, ESS France
        "nomenclature",  # labels of codes (BPE TYPEQU, gammes)
        "timetable",  # public transport timetables (GTFS feeds: stops, trips, calendars)
    }
)
FORMATS = frozenset({"csv", "json", "geojson", "parquet", "xlsx", "gpkg", "zip", "lzma-csv"})
# What part of France a facility source covers (``coverage``): where it has no data, a
# population point's nearest facility may lie in a hole of the source, so the build
# marks the values that depend on that area (see warehouse/SCHEMA.md, coverage_gaps).
COVERAGES = {
    "france": "toute la France (métropole et DROM)",
    "metropole": "France métropolitaine (Corse comprise), sans les DROM",
    "metropole_continentale": "France métropolitaine continentale (sans la Corse ni les DROM)",
    "mesuree": "mesurée : les départements où la source a au moins un équipement du type",
}

# A timetable (GTFS feed) covers the network of one authority: its ``coverage`` names
# that territory as a build territory does ("epci:200040392", "dep:24", "commune:24322",
# "region:75"). Outside it no stop is known, so transit values are NULL there, never 0.
TIMETABLE_COVERAGE_RE = re.compile(r"^(commune|epci|dep|region):[0-9A-Z]{2,9}$")

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class CatalogueError(ValueError):
    """The catalogue file itself is malformed (a programming error, caught by tests)."""


@dataclass(frozen=True)
class Source:
    """One official dataset as declared in the catalogue.

    Attributes
    ----------
    name : str
        Stable identifier (snake_case), used in the ``meta`` table and on the command line.
    title, publisher, licence : str
        Shown in ``territoires sources`` and in the dashboard's "Données & méthodes".
    url : str
        Official download address ("" for embedded sources).
    landing : str
        Official page describing the dataset.
    vintage : str
        Explicit vintage (year, COG year or extraction date); never "latest".
    role : str
        One of :data:`ROLES`.
    format : str
        Format of the file the loader reads (after extraction from an archive).
    filename : str
        Name of that file: searched by name in the mirror, kept under that name in the cache.
    member : str
        When ``url`` is an archive: the file to extract from it ("" otherwise).
    separator, encoding : str
        For CSV files.
    sha256 : str
        Checksum of ``filename`` when the vintage is pinned and the checksum known ("" otherwise).
    columns : dict[str, str]
        Declared DuckDB types of the columns the loader reads (never inferred for codes).
    loader : str
        ``module:function`` of the loader in ``etl.loaders``.
    embedded : str
        For sources shipped inside a Python package: ``package/relative/path``.
    multi : bool
        The mirror may hold several partial extracts of this file (all are loaded).
    fallback_for : tuple[str, ...]
        Sources this one replaces when they are missing (embedded defaults).
    notes : str
        Caveats shown to users (scope, known defects, vintage inference).
    coverage : str
        For facility sources, the part of France the source covers, one of
        :data:`COVERAGES` ("france" by default; "mesuree" for sources mirrored as
        partial extracts, whose coverage is measured per département and type).
        For a ``timetable``, the territory of its network (:data:`TIMETABLE_COVERAGE_RE`).
    min_rows : int
        Expected volume: the fewest rows the loader returns for the complete official
        file (for a ``multi`` source, for one département extract); fewer stops the
        build (truncated file). 0: only an empty file is refused. Not applied to the
        embedded sample.
    sample : str
        ``package/relative/path`` of the embedded real sample of this source
        (``etl/sample/<file>``, made by :mod:`etl.make_sample`, described by
        ``etl/sample/MANIFEST.json``): used only when the official file cannot be
        had from the mirror, the cache or the network, and only for the
        territories the sample covers (see :mod:`etl.embedded_sample`).
    """

    name: str
    title: str
    publisher: str
    licence: str
    url: str
    landing: str
    vintage: str
    role: str
    format: str
    filename: str
    loader: str
    member: str = ""
    separator: str = ""
    encoding: str = "utf-8"
    sha256: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    embedded: str = ""
    multi: bool = False
    fallback_for: tuple[str, ...] = ()
    notes: str = ""
    coverage: str = "france"
    sample: str = ""
    min_rows: int = 0

    @property
    def is_embedded(self) -> bool:
        return bool(self.embedded)


_REQUIRED = ("title", "publisher", "licence", "vintage", "role", "format", "filename", "loader")


def _source_from_entry(name: str, entry: dict[str, Any]) -> Source:
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if missing:
        raise CatalogueError(f"source {name!r}: champs manquants {missing}")
    if not entry.get("url") and not entry.get("embedded"):
        raise CatalogueError(f"source {name!r}: ni 'url' ni 'embedded'")
    if entry["role"] not in ROLES:
        raise CatalogueError(f"source {name!r}: rôle inconnu {entry['role']!r}")
    if entry["format"] not in FORMATS:
        raise CatalogueError(f"source {name!r}: format inconnu {entry['format']!r}")
    if str(entry["vintage"]).lower() in {"latest", "current", "dernier"}:
        raise CatalogueError(f"source {name!r}: millésime implicite {entry['vintage']!r}")
    if entry["role"] == "timetable":
        if not TIMETABLE_COVERAGE_RE.match(str(entry.get("coverage", ""))):
            raise CatalogueError(
                f"source {name!r}: un horaire doit déclarer le territoire de son réseau "
                f'(coverage = "epci:<SIREN>", "dep:<code>"...), reçu '
                f"{entry.get('coverage')!r}"
            )
    elif entry.get("coverage", "france") not in COVERAGES:
        raise CatalogueError(
            f"source {name!r}: couverture inconnue {entry['coverage']!r} "
            f"(attendu : {', '.join(COVERAGES)})"
        )
    if entry.get("sample") and entry.get("embedded"):
        raise CatalogueError(f"source {name!r}: 'sample' inutile pour une source embarquée")
    if entry.get("sample") and str(entry["sample"]).count("/") < 1:
        raise CatalogueError(f"source {name!r}: 'sample' attendu sous la forme paquet/chemin")
    if not isinstance(entry.get("min_rows", 0), int) or entry.get("min_rows", 0) < 0:
        raise CatalogueError(f"source {name!r}: 'min_rows' doit être un entier positif")
    sha256 = entry.get("sha256", "")
    if sha256 and not _SHA256_RE.match(str(sha256)):
        raise CatalogueError(f"source {name!r}: 'sha256' doit compter 64 chiffres hexadécimaux")
    columns = entry.get("columns", {})
    if not isinstance(columns, dict) or not all(
        isinstance(t, str) and t.strip() for t in columns.values()
    ):
        raise CatalogueError(
            f"source {name!r}: 'columns' doit associer un type DuckDB à chaque nom"
        )
    known = set(Source.__dataclass_fields__) - {"name"}
    unknown = set(entry) - known
    if unknown:
        raise CatalogueError(f"source {name!r}: champs inconnus {sorted(unknown)}")
    values = dict(entry)
    values["fallback_for"] = tuple(values.get("fallback_for", ()))
    values["columns"] = dict(values.get("columns", {}))
    values.setdefault("url", "")
    values.setdefault("landing", "")
    return Source(name=name, **values)


def load_catalogue(path: Path | None = None) -> dict[str, Source]:
    """Read the catalogue (``etl/catalogue.toml`` by default).

    Returns
    -------
    dict[str, Source]
        Sources by name, in file order.
    """
    if path is None:
        text = resources.files("etl").joinpath("catalogue.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    entries = data.get("sources", {})
    if not entries:
        raise CatalogueError("catalogue vide")
    return {name: _source_from_entry(name, entry) for name, entry in entries.items()}
