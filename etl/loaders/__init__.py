"""One loader module per source family.

The loader protocol
-------------------
Every loader named in ``etl/catalogue.toml`` has the signature::

    def load_xxx(con: duckdb.DuckDBPyConnection, files: Sequence[Path],
                 source: Source) -> duckdb.DuckDBPyRelation

``files`` are the local raw files found by :mod:`etl.fetch` (several when the
catalogue entry is ``multi``). The loader reads them with declared column types
(codes stay text), checks the required columns are there (raising
:class:`LoadError` naming the source and the missing columns), normalises codes
(5 characters, 2A/2B) and returns a relation with the columns of its role
schema below. Loaders never write to the warehouse themselves and never
download.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class LoadError(ValueError):
    """A raw file that cannot be loaded (missing column, bad value, wrong format)."""


# Role "facilities": one row per (facility, service type).
FACILITY_COLUMNS: dict[str, str] = {
    "facility_id": "VARCHAR",  # unique: "<source>:<native id>[:<service_type>]"
    "source": "VARCHAR",  # catalogue name
    "service_type": "VARCHAR",  # a code of etl/service_types.csv (else the build refuses it)
    "label": "VARCHAR",  # name of the site as published
    "commune_code": "VARCHAR",  # 5 characters as published (mapped to current COG later)
    "lon": "DOUBLE",  # WGS84 longitude, degrees
    "lat": "DOUBLE",  # WGS84 latitude, degrees
    "bpe_gamme": "VARCHAR",  # 'proximite' | 'intermediaire' | 'superieure' | NULL
    "capacity": "DOUBLE",  # supply size when published (pupils...), NULL otherwise
    "geo_precision": "VARCHAR",  # the source's own geocoding quality label, NULL if none
}

# Role "population": population points (grid cells, IRIS...) finer than a commune.
POPULATION_POINT_COLUMNS: dict[str, str] = {
    "point_id": "VARCHAR",
    "commune_code": "VARCHAR",
    "population": "DOUBLE",  # inhabitants (may be fractional in imputed grids)
    "households": "DOUBLE",
    "lon": "DOUBLE",
    "lat": "DOUBLE",
    "imputed": "BOOLEAN",  # e.g. Filosofi i_est_200 = 1
}

# Role "typology": one row per commune.
TYPOLOGY_COLUMNS: dict[str, str] = {
    "commune_code": "VARCHAR",
    "density_level": "INTEGER",  # 1 (grands centres urbains) .. 7 (rural très dispersé)
    "density_label": "VARCHAR",
}

# Role "income": one row per commune.
INCOME_COLUMNS: dict[str, str] = {
    "commune_code": "VARCHAR",
    "households": "DOUBLE",  # NBMENFISC
    "persons": "DOUBLE",  # NBPERSMENFISC
    "median_income_eur": "DOUBLE",  # MED: median disposable income per consumption unit
    "poverty_rate_pct": "DOUBLE",  # TP60: poverty rate at 60 %, percent (often secret)
    "d1_eur": "DOUBLE",
    "d9_eur": "DOUBLE",
}

# Role "facility_counts": counts per commune without coordinates.
FACILITY_COUNT_COLUMNS: dict[str, str] = {
    "commune_code": "VARCHAR",
    "iris_code": "VARCHAR",
    "service_type": "VARCHAR",
    "count": "BIGINT",
    "year": "INTEGER",
}

# Role "nomenclature": labels of service-type codes.
NOMENCLATURE_COLUMNS: dict[str, str] = {
    "service_type": "VARCHAR",
    "label": "VARCHAR",
    "bpe_gamme": "VARCHAR",
}


def require_columns(source_name: str, present: Iterable[str], required: Sequence[str]) -> None:
    """Raise :class:`LoadError` naming the source when required columns are missing."""
    have = set(present)
    missing = [c for c in required if c not in have]
    if missing:
        raise LoadError(
            f"source {source_name!r}: colonne(s) manquante(s) {missing} "
            f"(colonnes trouvées: {sorted(have)[:12]}...)"
        )
