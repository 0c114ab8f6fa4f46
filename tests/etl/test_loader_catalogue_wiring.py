"""Catalogue wiring of the non-facility loaders (density, Filosofi, appartenance,
nomenclature, Sirene, ESS France, populations): each entry names its loader, and the
catalogue's separators and encodings read the mirrored files.

(The facility loaders are always run through the catalogue, see
``tests.etl.loader_helpers.run_loader``.)"""

from __future__ import annotations

import importlib
from pathlib import Path

from etl.catalogue import ROLES, load_catalogue
from etl.loaders.appartenance import load_appartenance_geo
from etl.loaders.density import load_density_grid
from etl.loaders.filosofi import load_filosofi_communes, load_filosofi_grid_200m
from etl.loaders.nomenclature import load_bpe_gammes, load_bpe_typequ_labels
from etl.loaders.populations import load_populations_legales
from etl.loaders.sirene import (
    load_ess_france_list,
    load_sirene_etablissements,
    load_sirene_unites_legales,
)
from tests.etl.loader_helpers import APPARTENANCE, DENSITE, FILOSOFI, VARMOD

MY_SOURCES = {
    "density_grid": load_density_grid,
    "filosofi_communes": load_filosofi_communes,
    "filosofi_grid_200m": load_filosofi_grid_200m,
    "appartenance_geo": load_appartenance_geo,
    "bpe_typequ_labels": load_bpe_typequ_labels,
    "bpe_gammes": load_bpe_gammes,
    "sirene_unites_legales": load_sirene_unites_legales,
    "sirene_etablissements": load_sirene_etablissements,
    "ess_france_list": load_ess_france_list,
    "populations_legales": load_populations_legales,
}


def test_catalogue_entries_point_to_these_loaders():
    catalogue = load_catalogue()
    for name, function in MY_SOURCES.items():
        source = catalogue[name]
        module, _, attribute = source.loader.partition(":")
        assert getattr(importlib.import_module(module), attribute) is function, name
        assert source.role in ROLES


def test_catalogue_drives_the_real_loads(con, mirror_dir):
    """The catalogue's separators and encodings are the ones the mirrored files need."""
    catalogue = load_catalogue()
    checks = {
        "density_grid": (DENSITE, 34_875),
        "filosofi_communes": (FILOSOFI, 34_930),
        "appartenance_geo": (APPARTENANCE, 34_955),
        "bpe_typequ_labels": (VARMOD, 106),
    }
    for name, (relative, expected) in checks.items():
        source = catalogue[name]
        assert Path(relative).name == source.filename
        rel = MY_SOURCES[name](con, [mirror_dir / relative], source)
        assert rel.aggregate("count(*)").fetchone()[0] == expected, name
