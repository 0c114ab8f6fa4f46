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
the public: it is excluded, and the exclusions are counted in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.codes import CodeError, pad_commune_codes
from etl.loaders import FACILITY_COLUMNS, LoadError, require_columns

logger = logging.getLogger(__name__)

SERVICE_TYPE_BY_KIND: dict[str, str] = {
    "Bureau de Poste": "A206",
    "Relais poste commerçant": "A207",
    "Agence postale communale": "A208",
    "Agence postale intercommunale": "A208",
}

_REQUIRED = (
    "#Identifiant_du_site",
    "Libellé_du_site",
    "Caractéristique_du_site",
    "Code_INSEE",
    "Latitude",
    "Longitude",
    "Précision_du_géocodage",
)


def _one_file(files: Sequence[Path], source: Source) -> Path:
    if len(files) != 1:
        raise LoadError(f"source {source.name!r}: un fichier attendu, {len(files)} reçus")
    return Path(files[0])


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source
) -> duckdb.DuckDBPyRelation:
    """All columns as VARCHAR (codes stay text); quoted fields may hold line breaks."""
    try:
        return con.read_csv(
            str(path),
            sep=source.separator,
            encoding=source.encoding,
            header=True,
            all_varchar=True,
            quotechar='"',
            escapechar='"',
            comment="",
            strict_mode=True,
        )
    except duckdb.Error as exc:
        raise LoadError(f"source {source.name!r}: CSV illisible {path}: {exc}") from exc


def _to_facilities(
    con: duckdb.DuckDBPyConnection, out: pd.DataFrame, source: Source
) -> duckdb.DuckDBPyRelation:
    """Check codes and ids of a facility frame, return it cast to FACILITY_COLUMNS."""
    try:
        out["commune_code"] = pad_commune_codes(out["commune_code"])
    except CodeError as exc:
        raise LoadError(f"source {source.name!r}: {exc}") from exc
    dup = out["facility_id"].duplicated()
    if dup.any():
        examples = out.loc[dup, "facility_id"].head(3).tolist()
        raise LoadError(f"source {source.name!r}: identifiants en double, par ex. {examples}")
    casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in FACILITY_COLUMNS.items())
    return con.from_df(out[list(FACILITY_COLUMNS)]).project(casts)


def load_laposte_points_contact(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """La Poste points de contact as facilities (A206, A207, A208).

    Rows of another kind and rows without coordinates are dropped and counted
    in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per point:

        - ``facility_id``: ``"<source>:<#Identifiant_du_site>"``;
        - ``source``: the catalogue name;
        - ``service_type``: A206, A207 or A208 (see the module table);
        - ``label``: ``Libellé_du_site`` (whitespace normalised);
        - ``commune_code``: ``Code_INSEE``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees, as published;
        - ``bpe_gamme``, ``capacity``: NULL (set later from the BPE nomenclature);
        - ``geo_precision``: ``Précision_du_géocodage`` ("Géocodé au numéro"...).
    """
    path = _one_file(files, source)
    raw = _read_csv(con, path, source)
    require_columns(source.name, raw.columns, _REQUIRED)
    try:
        df = raw.query(
            "raw",
            """
            SELECT trim("#Identifiant_du_site") AS native_id,
                   regexp_replace(trim("Libellé_du_site"), '\\s+', ' ', 'g') AS label,
                   trim("Caractéristique_du_site") AS kind,
                   NULLIF(trim("Code_INSEE"), '') AS commune_code,
                   CAST(NULLIF(replace(trim("Longitude"), ',', '.'), '') AS DOUBLE) AS lon,
                   CAST(NULLIF(replace(trim("Latitude"), ',', '.'), '') AS DOUBLE) AS lat,
                   NULLIF(trim("Précision_du_géocodage"), '') AS geo_precision
            FROM raw
            """,
        ).df()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: coordonnée non numérique: {exc}") from exc

    df["service_type"] = df["kind"].map(SERVICE_TYPE_BY_KIND)
    other = df["service_type"].isna()
    if other.any():
        counts = df.loc[other, "kind"].value_counts(dropna=False).to_dict()
        logger.info(
            "%s: %d point(s) d'un autre type écarté(s): %s", source.name, other.sum(), counts
        )
    no_xy = ~other & (df["lon"].isna() | df["lat"].isna())
    logger.info("%s: %d point(s) sans coordonnées écarté(s)", source.name, int(no_xy.sum()))
    df = df[~other & ~no_xy].reset_index(drop=True)

    out = pd.DataFrame(
        {
            "facility_id": source.name + ":" + df["native_id"],
            "source": source.name,
            "service_type": df["service_type"],
            "label": df["label"],
            "commune_code": df["commune_code"],
            "lon": df["lon"],
            "lat": df["lat"],
            "bpe_gamme": None,
            "capacity": None,
            "geo_precision": df["geo_precision"],
        }
    )
    return _to_facilities(con, out, source)
