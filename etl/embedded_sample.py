"""The embedded real sample: official rows for Ille-et-Vilaine and 60 km around it.

Some catalogue sources declare a ``sample`` (``etl/sample/<file>``): a small extract
of their official file, made from a mirror by :mod:`etl.make_sample` and shipped as
package data, so that a fresh machine with no mirror and no network still builds
dep:35 with real data. ``etl/sample/MANIFEST.json``, written by the same script,
describes each file (source, original file and sha256, sample sha256, rows kept,
extraction rule, licence and attribution, original vintage) and the territories the
extract serves.

:func:`etl.fetch.fetch` uses a sample only when the official file cannot be had from
the mirror, the cache or the network, only for a territory the manifest lists
(:func:`coverage_problem`), and only after checking its sha256 against the manifest.
This module reads the manifest; it never writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from etl.settings import Territory

MANIFEST_NAME = "MANIFEST.json"


class SampleManifestError(ValueError):
    """The manifest of the embedded sample is missing or malformed."""


@dataclass(frozen=True)
class SampleFile:
    """One file of the sample, as described by the manifest.

    Attributes
    ----------
    file : str
        Its name in the sample folder (``laposte_poincont2.csv.gz``).
    source : str
        Catalogue name of the source it stands for.
    original_file : str
        The official file it was extracted from, relative to the mirror folder.
    original_sha256, sample_sha256 : str
        Digests of the official file and of the sample file (as shipped).
    rows_kept, rows_original : int
        Data rows (CSV records, JSON items, GeoJSON features) kept / in the original.
    vintage : str
        Vintage of the original file (the catalogue's at extraction time).
    """

    file: str
    source: str
    original_file: str
    original_sha256: str
    sample_sha256: str
    rows_kept: int
    rows_original: int
    vintage: str


@dataclass(frozen=True)
class Manifest:
    """What the sample holds and which builds it serves.

    Attributes
    ----------
    label : str
        French label of the sample's origin, ``"échantillon embarqué (Ille-et-Vilaine
        et 60 km autour)"``.
    area : str
        French name of the territory it was cut for, ``"l'Ille-et-Vilaine (dep:35)"``.
    radius_m : float
        Every row within this distance of that territory was kept, in metres.
    covers : tuple[str, ...]
        Territories (``dep:35``, ``epci:<siren>``) a build may use the sample for.
    files : Mapping[str, SampleFile]
        By file name.
    """

    label: str
    area: str
    radius_m: float
    covers: tuple[str, ...]
    files: Mapping[str, SampleFile]


def sample_location(sample: str) -> tuple[str, PurePosixPath]:
    """Split a catalogue ``sample`` value (``etl/sample/x.csv.gz``) into package and path."""
    package, _, rel = sample.partition("/")
    if not package or not rel:
        raise SampleManifestError(f"chemin d'échantillon mal formé : {sample!r}")
    return package, PurePosixPath(rel)


def sample_resource(sample: str) -> tuple[Traversable, Traversable]:
    """The sample file and the manifest next to it, as package resources.

    Raises
    ------
    ModuleNotFoundError
        The package named by the path is not installed.
    """
    package, rel = sample_location(sample)
    folder = resources.files(package)
    for part in rel.parent.parts:
        folder = folder.joinpath(part)
    return folder.joinpath(rel.name), folder.joinpath(MANIFEST_NAME)


def parse_manifest(text: str) -> Manifest:
    """Read the JSON text of ``MANIFEST.json``.

    Raises
    ------
    SampleManifestError
        Not JSON, or a field is missing.
    """
    try:
        data: dict[str, Any] = json.loads(text)
        files = {
            f["file"]: SampleFile(
                file=f["file"],
                source=f["source"],
                original_file=f["original_file"],
                original_sha256=f["original_sha256"],
                sample_sha256=f["sample_sha256"],
                rows_kept=int(f["rows_kept"]),
                rows_original=int(f["rows_original"]),
                vintage=f["vintage"],
            )
            for f in data["files"]
            if f.get("file")
        }
        return Manifest(
            label=data["label"],
            area=data["area"],
            radius_m=float(data["radius_m"]),
            covers=tuple(data["covers"]),
            files=MappingProxyType(files),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SampleManifestError(f"{MANIFEST_NAME} illisible ou incomplet ({exc!r})") from exc


def read_manifest(resource: Traversable) -> Manifest:
    """Parse the manifest resource (see :func:`sample_resource`).

    Raises
    ------
    SampleManifestError
        Absent, unreadable or malformed.
    """
    if not resource.is_file():
        raise SampleManifestError(f"{MANIFEST_NAME} absent de l'échantillon embarqué")
    return parse_manifest(resource.read_text(encoding="utf-8"))


def coverage_problem(manifest: Manifest, territory: Territory, buffer_m: float) -> str:
    """Why the sample cannot serve this build ("" when it can).

    Parameters
    ----------
    manifest : Manifest
    territory : Territory
        The territory being built.
    buffer_m : float
        The widest distance around the territory the build reads (facilities kept
        around it, population counted as demand), in metres.

    Returns
    -------
    str
        A French reason, or "" when ``territory`` is listed by the manifest and
        ``buffer_m`` is within the extract's radius.
    """
    km = f"{manifest.radius_m / 1000:.0f} km"
    if str(territory) not in manifest.covers:
        return (
            f"l'échantillon embarqué ne couvre que {manifest.area} et les EPCI dont toutes "
            f"les communes y sont (avec {km} autour) ; territoire demandé : {territory}"
        )
    if buffer_m > manifest.radius_m:
        return (
            f"l'échantillon embarqué couvre {manifest.area} et {km} autour ; la construction "
            f"demande {buffer_m / 1000:.0f} km autour du territoire"
        )
    return ""
