"""A population grid file named by the user: a catalogue variant and its fetcher.

The catalogue declares INSEE's national 200 m grid (``filosofi_grid_200m``); a build
that finds it places population at one point per inhabited cell. Partial grids, such
as the real Filosofi 2021 block of north-east Ille-et-Vilaine kept in the mirror
(``insee_filosofi_2021_200m_tiles_ne35/``), are deliberately *not* catalogue entries:
an ordinary mirror build that found one by name would put every commune outside the
block into ``population_unlocated``. They are loaded only on request::

    territoires build --territory dep:35 --population-grid FILE

or, in code (the bench and the tests do this)::

    build(settings, catalogue=grid_catalogue(path), fetcher=grid_fetcher(path))

The file is read in place through the ordinary loader of ``filosofi_grid_200m``
(:func:`etl.loaders.filosofi.load_filosofi_grid_200m`, which recognises both
layouts). Vintages are explicit: a file is accepted only when it is the catalogue's
own grid file or one of the :data:`GRID_VARIANTS` declared below, each with its
title, vintage, checksum and caveats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from etl.catalogue import Source, load_catalogue
from etl.fetch import Fetched, FetchError, fetch_many, validate_file
from etl.settings import Settings

GRID_SOURCE: Final = "filosofi_grid_200m"
NE35_BLOCK: Final = "filosofi2021_ind_200m_tiles_10-34_10-35.csv"

Fetcher = Callable[[Sequence[Source], Settings], Mapping[str, Fetched | FetchError]]

# File name -> fields replacing those of the catalogue's ``filosofi_grid_200m``.
GRID_VARIANTS: Final[Mapping[str, Mapping[str, Any]]] = MappingProxyType(
    {
        NE35_BLOCK: MappingProxyType(
            {
                "title": (
                    "Revenus, pauvreté et niveau de vie en 2021 (Filosofi) : données "
                    "carroyées à 200 m, bloc nord-est de l'Ille-et-Vilaine"
                ),
                "vintage": "Filosofi 2021 (bloc nord-est de l'Ille-et-Vilaine)",
                "url": "",
                "landing": "",
                "filename": NE35_BLOCK,
                "member": "",
                "separator": ",",
                "encoding": "utf-8",
                # sha256 of the converted file in the mirror (its README gives the tiles').
                "sha256": "3375d4bf39fc63ee23be5fae61f50432b0507955931183a6d8103be938abaa62",
                "columns": MappingProxyType(
                    {
                        "idcar_200m_reconstructed": "VARCHAR",
                        "imputed": "INTEGER",
                        "com_2018_geojson": "VARCHAR",
                        "ind": "DOUBLE",
                        "x_3035": "DOUBLE",
                        "y_3035": "DOUBLE",
                    }
                ),
                "notes": (
                    "Bloc partiel de 25,6 km × 51,2 km (EPSG:3035, x 3 456 000 – 3 481 600, "
                    "y 2 870 400 – 2 921 600 ; tuiles GridViz 10/34 et 10/35) : nord-est de "
                    "l'Ille-et-Vilaine et sud de la Manche, 5 259 carreaux. Les communes hors "
                    "du bloc n'ont aucun point de population (population_unlocated) et celles "
                    "qui le chevauchent n'ont que leurs carreaux du bloc : seules les "
                    "communes entièrement dans le bloc ont des valeurs complètes. Tuiles du "
                    "dépôt jgaffuri/tiled-grid-france-filosofi (Eurostat GridViz, commit "
                    "b2a4c7fd) converties en carreaux absolus : identifiant INSPIRE "
                    "reconstruit, imputed = i_est_200 de l'INSEE, commune 2018 du centre ; "
                    "pas de nombre de ménages. Sert à mesurer l'erreur d'un point unique "
                    "par commune (bench/population_points.py)."
                ),
            }
        )
    }
)


class GridFileError(ValueError):
    """A population grid file whose vintage is not declared (neither the catalogue's
    own grid file nor one of :data:`GRID_VARIANTS`)."""


def grid_catalogue(path: Path, catalogue: Mapping[str, Source] | None = None) -> dict[str, Source]:
    """The catalogue with ``filosofi_grid_200m`` describing the grid file ``path``.

    Parameters
    ----------
    path : Path
        The grid file (only its name is used here; :func:`grid_fetcher` reads it).
    catalogue : mapping, optional
        Sources to start from (default: ``etl/catalogue.toml``).

    Returns
    -------
    dict[str, Source]
        A copy of the catalogue, in the same order; ``filosofi_grid_200m`` is
        unchanged for the catalogue's own file name, else replaced
        (:func:`dataclasses.replace`) by the declared variant of that name.

    Raises
    ------
    GridFileError
        The file name is neither the catalogue's nor a declared variant.
    """
    sources = dict(catalogue or load_catalogue())
    official = sources[GRID_SOURCE]
    name = Path(path).name
    if name == official.filename:
        return sources
    variant = GRID_VARIANTS.get(name)
    if variant is None:
        known = ", ".join([official.filename, *GRID_VARIANTS])
        raise GridFileError(
            f"fichier de carroyage non déclaré : {name!r} (millésime inconnu) ; "
            f"fichiers acceptés : {known}"
        )
    changes: dict[str, Any] = {
        k: dict(v) if isinstance(v, Mapping) else v for k, v in variant.items()
    }
    sources[GRID_SOURCE] = dataclasses.replace(official, **changes)
    return sources


def grid_fetcher(path: Path, fetcher: Fetcher = fetch_many) -> Fetcher:
    """A fetcher reading ``filosofi_grid_200m`` from ``path`` in place.

    The returned callable has the signature of :func:`etl.fetch.fetch_many`: every
    other source goes through ``fetcher`` (mirror, cache, network); the grid source
    is the file ``path``, checked by :func:`etl.fetch.validate_file` (checksum of the
    variant when declared), with origin ``"fichier local: <path>"``.
    """
    grid_path = Path(path).resolve()

    def fetch_with_grid(
        sources: Sequence[Source], settings: Settings
    ) -> dict[str, Fetched | FetchError]:
        others = [s for s in sources if s.name != GRID_SOURCE]
        results: dict[str, Fetched | FetchError] = dict(fetcher(others, settings))
        for source in sources:
            if source.name == GRID_SOURCE:
                results[source.name] = _local(source, grid_path)
        return {s.name: results[s.name] for s in sources}

    return fetch_with_grid


def _local(source: Source, path: Path) -> Fetched | FetchError:
    """The grid file as a checked :class:`Fetched`, or the error that forbids it."""
    if not path.is_file():
        return FetchError(f"source {source.name!r}: fichier de carroyage introuvable : {path}")
    try:
        digest = validate_file(source, path, expected_sha256=source.sha256)
    except FetchError as exc:
        return exc
    except OSError as exc:
        return FetchError(f"source {source.name!r}: lecture impossible de {path} ({exc})")
    return Fetched(source, (path,), f"fichier local: {path}", digest)
