"""Load every fetched source into its ``raw_<source>`` table, with volume checks."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd
from tqdm import tqdm

from etl.catalogue import Source
from etl.fetch import Fetched, FetchError
from etl.loaders import LoadError
from etl.settings import Settings
from warehouse.errors import BuildError
from warehouse.gate import checked_identifier, count_rows, write_frame


@dataclass(frozen=True)
class LoadRecord:
    """What happened to one catalogue source during a build."""

    name: str
    status: str  # "chargée" | "absente" | "en erreur"
    rows: int | None = None
    sha256: str = ""
    origin: str = ""
    reason: str = ""
    sample: bool = False  # loaded from the embedded real sample (etl/sample/)
    vintage: str = ""  # vintage of the file loaded, when not the catalogue's (sample)


def loaded(records: Mapping[str, LoadRecord], name: str) -> bool:
    """Whether source ``name`` was loaded by this build."""
    rec = records.get(name)
    return rec is not None and rec.status == "chargée"


def load_sources(
    con: duckdb.DuckDBPyConnection,
    catalogue: Mapping[str, Source],
    fetched: Mapping[str, Fetched | FetchError],
    settings: Settings,
) -> dict[str, LoadRecord]:
    """Load each fetched source with its catalogue loader into ``raw_<source>``.

    Returns
    -------
    dict[str, LoadRecord]
        One record per catalogue source: ``chargée`` (rows, checksum, origin) or
        ``absente`` (why).

    Raises
    ------
    BuildError
        A loader outside ``etl.loaders``, a loader error, or a volume check failed.
    """
    records: dict[str, LoadRecord] = {}
    register_roles(con, catalogue)
    bar = tqdm(catalogue.values(), desc="chargement", unit="source", disable=not settings.progress)
    for source in bar:
        bar.set_postfix_str(source.name)
        got = fetched.get(source.name)
        if not isinstance(got, Fetched):
            reason = str(got) if got is not None else "non demandée"
            records[source.name] = LoadRecord(source.name, "absente", reason=reason)
            continue
        module_name, _, func_name = source.loader.partition(":")
        if not module_name.startswith("etl.loaders."):
            raise BuildError(
                f"source {source.name!r}: chargeur hors de etl.loaders: {source.loader}"
            )
        loader = getattr(importlib.import_module(module_name), func_name)
        table = checked_identifier(f"raw_{source.name}")
        try:
            relation = loader(con, list(got.files), source)
            relation.create(table)
        except (duckdb.Error, LoadError, ValueError) as exc:
            raise BuildError(f"source {source.name!r} ({got.origin}): {exc}") from exc
        rows = count_rows(con, table)
        _check_volume(source, got, rows)
        records[source.name] = LoadRecord(
            source.name,
            "chargée",
            rows,
            got.sha256,
            got.origin,
            sample=got.sample,
            vintage=got.vintage,
        )
    return records


def _check_volume(source: Source, got: Fetched, rows: int) -> None:
    """Refuse a source whose file gave no row, or fewer than its catalogue ``min_rows``.

    An empty or header-only file, or one cut well short (La Poste, education, SNCF,
    Fabriques, Filosofi have no pinned checksum), would otherwise load without a word
    and silently drop indicators. ``min_rows`` is the volume of the complete official
    file (of one département extract for a ``multi`` source); the embedded sample
    (``etl/sample/``, checked by its own checksums) must only be non-empty.

    Raises
    ------
    BuildError
        Naming the source, its origin, the rows loaded and the minimum expected.
    """
    if rows == 0:
        raise BuildError(
            f"source {source.name!r} ({got.origin}) : aucune ligne chargée — fichier vide, "
            "réduit à son en-tête ou sans ligne utilisable ; entrepôt inchangé"
        )
    if not got.sample and rows < source.min_rows:
        raise BuildError(
            f"source {source.name!r} ({got.origin}) : {rows} ligne(s) chargée(s), au moins "
            f"{source.min_rows} attendues pour le fichier complet — fichier tronqué ? "
            "Entrepôt inchangé"
        )


def register_roles(con: duckdb.DuckDBPyConnection, catalogue: Mapping[str, Source]) -> None:
    """Table ``stg_roles(name, role)`` used to stack sources by role."""
    roles = pd.DataFrame([(s.name, s.role) for s in catalogue.values()], columns=["name", "role"])
    write_frame(con, "stg_roles", roles)
