"""Annuaire de l'éducation: schools, collèges and lycées (Ministère de l'Éducation nationale).

The annuaire has one row per establishment (UAI), sometimes several when an
establishment is "multi-lignes" (a lycée polyvalent listed once for its general
track and once for its vocational one). Extracts of different dates differ
slightly in their columns (``coordonnee_X``/``epsg`` became
``coordX_origine``/``epsg_origine``; ``Nombre_d_eleves`` is absent from some
exports): only the columns below are read, the optional ones when present.

Mapping to BPE facility types, per UAI (flags are OR-ed over its rows):

======================  ===========================================  ======
Type_etablissement      condition                                    TYPEQU
======================  ===========================================  ======
Ecole                   ``Ecole_maternelle = 1``                     C101
Ecole                   ``Ecole_elementaire = 1``                    C104
Collège                 always                                       C201
Lycée                   ``Voie_generale = 1`` or                     C301
                        ``Voie_technologique = 1``
Lycée                   ``Voie_professionnelle = 1``                 C302
======================  ===========================================  ======

A lycée whose three ``Voie_*`` flags are all empty (private technical
schools, "sections d'enseignement professionnel") is classified from
``libelle_nature`` instead: "...PROFESSIONNEL" gives C302, "...GENERAL" or
"...TECHNOLOG..." gives C301, "LYCEE POLYVALENT" gives both. An establishment
may thus give two rows (C101 and C104, or C301 and C302). Other types
(administrative services, médico-social, EREA...) are excluded and counted.
An establishment without coordinates is kept with NULL ``lon``/``lat`` (the
warehouse lists it in ``facilities_unlocated``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._facilities import read_declared_csv, to_facilities

logger = logging.getLogger(__name__)

# Declared columns (catalogue) that some extracts lack: read as NULL
# (``Nombre_d_eleves`` is absent from the 94 extract).
_OPTIONAL = (
    "Nombre_d_eleves",
    "date_maj_ligne",
    "libelle_nature",
    "precision_localisation",
)
OPEN_STATE = "OUVERT"


# Reads the catalogue's declared columns (read_declared_csv: latitude, longitude and
# Nombre_d_eleves DOUBLE).
_EXTRACT_SQL = r"""
    SELECT trim(Identifiant_de_l_etablissement) AS uai,
           regexp_replace(trim(Nom_etablissement), '\s+', ' ', 'g') AS label,
           trim(Type_etablissement) AS kind,
           NULLIF(trim(Code_commune), '') AS commune_code,
           coalesce(trim(Ecole_maternelle) = '1', false) AS maternelle,
           coalesce(trim(Ecole_elementaire) = '1', false) AS elementaire,
           coalesce(trim(Voie_generale) = '1' OR trim(Voie_technologique) = '1', false)
               AS voie_gt,
           coalesce(trim(Voie_professionnelle) = '1', false) AS voie_pro,
           coalesce(trim(Voie_generale), '') = ''
               AND coalesce(trim(Voie_technologique), '') = ''
               AND coalesce(trim(Voie_professionnelle), '') = '' AS no_voie,
           longitude AS lon,
           latitude AS lat,
           trim(etat) AS state,
           Nombre_d_eleves AS pupils,
           NULLIF(trim(date_maj_ligne), '') AS updated,
           upper(trim(libelle_nature)) AS nature,
           NULLIF(trim(precision_localisation), '') AS geo_precision
    FROM raw
"""


def _read_extract(
    con: duckdb.DuckDBPyConnection, path: Path, file_no: int, source: Source
) -> pd.DataFrame:
    """The rows of one extract whose ``etat`` is ``OUVERT``."""
    raw = read_declared_csv(con, path, source, optional=_OPTIONAL, multiline=True)
    try:
        df = raw.query("raw", _EXTRACT_SQL).df()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: valeur non numérique dans {path}: {exc}") from exc
    df.insert(0, "file_no", file_no)
    closed = df["state"].ne(OPEN_STATE)
    logger.info(
        "%s: %s: %d ligne(s) non ouverte(s) écartée(s) sur %d",
        source.name,
        path.name,
        int(closed.sum()),
        len(df),
    )
    return df[~closed].drop(columns="state")


_EXPAND_SQL = """
    WITH lines AS (
        SELECT *,
               voie_gt OR (no_voie AND regexp_matches(coalesce(nature, ''),
                                                      'GENERAL|TECHNOLOG|POLYVALENT')) AS gt,
               voie_pro OR (no_voie AND regexp_matches(coalesce(nature, ''),
                                                       'PROFESSIONNEL|POLYVALENT')) AS pro
        FROM lines_raw
    ),
    flags AS (
        SELECT uai, bool_or(maternelle) AS maternelle, bool_or(elementaire) AS elementaire,
               bool_or(gt) AS gt, bool_or(pro) AS pro, max(pupils) AS pupils
        FROM lines GROUP BY uai
    ),
    rep AS (
        SELECT uai, label, kind, commune_code, lon, lat, geo_precision
        FROM lines
        QUALIFY row_number() OVER (
            PARTITION BY uai
            ORDER BY lon IS NULL OR lat IS NULL, updated DESC NULLS LAST, file_no DESC, label
        ) = 1
    ),
    est AS (SELECT * FROM rep JOIN flags USING (uai))
    SELECT *, 'C101' AS service_type FROM est WHERE kind = 'Ecole' AND maternelle
    UNION ALL
    SELECT *, 'C104' AS service_type FROM est WHERE kind = 'Ecole' AND elementaire
    UNION ALL
    SELECT *, 'C201' AS service_type FROM est WHERE kind = 'Collège'
    UNION ALL
    SELECT *, 'C301' AS service_type FROM est WHERE kind = 'Lycée' AND gt
    UNION ALL
    SELECT *, 'C302' AS service_type FROM est WHERE kind = 'Lycée' AND pro
    ORDER BY uai, service_type
"""


def load_education_annuaire(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Open schools, collèges and lycées as facilities (C101, C104, C201, C301, C302).

    All extracts in ``files`` are read and united; an establishment (UAI) found
    in several rows or extracts is kept once, described by its most recently
    updated row (``date_maj_ligne``) among those with coordinates if any, with
    its type flags OR-ed over all its rows. Closed establishments (``etat``
    other than ``OUVERT``) and other establishment
    types are dropped and counted in the log; establishments without
    coordinates are kept, with NULL ``lon``/``lat``, and counted in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per (UAI, type):

        - ``facility_id``: ``"<source>:<UAI>:<TYPEQU>"``;
        - ``source``: the catalogue name;
        - ``service_type``: C101, C104, C201, C301 or C302 (module table);
        - ``label``: ``Nom_etablissement`` (whitespace normalised);
        - ``commune_code``: ``Code_commune``, 5 characters;
        - ``lon``, ``lat``: ``longitude``, ``latitude`` (WGS84 degrees; both NULL
          when one is empty);
        - ``bpe_gamme``: NULL (set later from the BPE nomenclature);
        - ``capacity``: ``Nombre_d_eleves`` (pupils of the whole establishment,
          all levels; NULL when empty or absent from the extract);
        - ``geo_precision``: ``precision_localisation`` ("Numéro de rue", "Rue"...).
    """
    if not files:
        raise LoadError(f"source {source.name!r}: aucun fichier reçu")
    frames = [_read_extract(con, Path(p), i, source) for i, p in enumerate(files)]
    lines = pd.concat(frames, ignore_index=True)
    n_uai = lines["uai"].nunique()
    rows = con.from_df(lines).query("lines_raw", _EXPAND_SQL).df()
    kept = rows["uai"].nunique()
    excluded = lines.drop_duplicates("uai")
    excluded = excluded[~excluded["uai"].isin(rows["uai"])]
    logger.info(
        "%s: %d établissement(s) ouvert(s), %d retenu(s) (%d ligne(s)); écartés par type: %s",
        source.name,
        n_uai,
        kept,
        len(rows),
        excluded["kind"].value_counts(dropna=False).to_dict(),
    )
    rows["native_id"] = rows["uai"] + ":" + rows["service_type"]
    return to_facilities(con, rows.rename(columns={"pupils": "capacity"}), source)
