"""La Poste "points de contact": post offices, agences postales and relais poste.

The datanova export ``laposte_poincont2`` lists every point where La Poste
services are offered, with its INSEE commune code and WGS84 coordinates. Its
``Caractéristique_du_site`` maps onto the BPE facility types:

===============================  ======  =========================
Caractéristique_du_site          TYPEQU  BPE label
===============================  ======  =========================
Bureau de Poste                  A206    Bureau de poste
Relais poste commerçant          A207    Relais poste
Agence postale communale         A208    Agence postale
Agence postale intercommunale    A208    Agence postale
===============================  ======  =========================

Anything else (one "Agence postale militaire" on an air base) is not open to
the public: it is excluded, and the exclusions are counted in the log. Points
without coordinates (13 agences postales communales in the mirrored export)
are kept with NULL ``lon``/``lat``: the warehouse lists them in
``facilities_unlocated``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb

from etl.catalogue import Source
from etl.loaders._facilities import facility_sql, query_one_csv, to_facilities

logger = logging.getLogger(__name__)

SERVICE_TYPE_BY_KIND: dict[str, str] = {
    "Bureau de Poste": "A206",
    "Relais poste commerçant": "A207",
    "Agence postale communale": "A208",
    "Agence postale intercommunale": "A208",
}


# Reads the catalogue's declared columns (read_declared_csv: Latitude/Longitude DOUBLE).
_SQL = facility_sql(
    "#Identifiant_du_site",
    "Libellé_du_site",
    "Code_INSEE",
    "Longitude",
    "Latitude",
    kind='trim("Caractéristique_du_site")',
    geo_precision="NULLIF(trim(\"Précision_du_géocodage\"), '')",
)


def load_laposte_points_contact(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """La Poste points de contact as facilities (A206, A207, A208).

    Rows of another kind are dropped and counted in the log; rows without
    coordinates are kept, with NULL ``lon``/``lat``, and counted in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per point:

        - ``facility_id``: ``"<source>:<#Identifiant_du_site>"``;
        - ``source``: the catalogue name;
        - ``service_type``: A206, A207 or A208 (see the module table);
        - ``label``: ``Libellé_du_site`` (whitespace normalised);
        - ``commune_code``: ``Code_INSEE``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees, as published (both NULL when one is empty);
        - ``bpe_gamme``, ``capacity``: NULL (set later from the BPE nomenclature);
        - ``geo_precision``: ``Précision_du_géocodage`` ("Géocodé au numéro"...).
    """
    df = query_one_csv(con, files, source, _SQL)
    df["service_type"] = df["kind"].map(SERVICE_TYPE_BY_KIND)
    other = df["service_type"].isna()
    if other.any():
        counts = df.loc[other, "kind"].value_counts(dropna=False).to_dict()
        logger.info(
            "%s: %d point(s) d'un autre type écarté(s): %s", source.name, other.sum(), counts
        )
    return to_facilities(con, df[~other].reset_index(drop=True), source)
