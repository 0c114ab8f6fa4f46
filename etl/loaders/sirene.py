"""Loaders for the Sirene register (INSEE stock files) and ESS France's list of ESS enterprises.

The Sirene stock files hold about 28 M legal units and 40 M establishments.
They are read by DuckDB only, with projection (only the needed columns are
read) and never materialised in pandas: the loaders return lazy relations.
Both official formats are accepted, chosen by file suffix: Parquet
(``StockUniteLegale_utf8.parquet``) and CSV (``StockUniteLegale_utf8.csv``,
``,``-separated, UTF-8).

Codes stay text. When a Parquet writer typed a code as a number, its leading
zeros are restored (``siren`` 9 digits, ``siret`` 14, commune 5, tranche 2).
Values of the O/N and true/false flags outside their vocabulary make the query
fail when the relation is materialised (DuckDB ``error()``), naming the source:
the column check is immediate, the value check is lazy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._common import (
    cast_sql,
    declared_columns,
    one_file,
    quote_identifier,
    read_text_csv,
    sql_literal,
)

# Role "ess": legal units (StockUniteLegale). Official column -> ours.
UNITE_LEGALE_COLUMNS: dict[str, str] = {
    "siren": "VARCHAR",  # siren, 9 digits
    "categorie_juridique": "VARCHAR",  # categorieJuridiqueUniteLegale, 4 digits (9220 association)
    "ess": "BOOLEAN",  # economieSocialeSolidaireUniteLegale: O -> true, N -> false, empty -> NULL
    "etat_administratif": "VARCHAR",  # etatAdministratifUniteLegale: A active, C cessée
    "activite_principale": "VARCHAR",  # activitePrincipaleUniteLegale, NAF rév. 2 (88.99B)
    "denomination": "VARCHAR",  # denominationUniteLegale (NULL for individuals)
    "tranche_effectifs": "VARCHAR",  # trancheEffectifsUniteLegale: NN, 00, 01, 02, 03, 11 .. 53
}
_UNITE_LEGALE_SOURCE = {
    "siren": "siren",
    "categorie_juridique": "categorieJuridiqueUniteLegale",
    "ess": "economieSocialeSolidaireUniteLegale",
    "etat_administratif": "etatAdministratifUniteLegale",
    "activite_principale": "activitePrincipaleUniteLegale",
    "denomination": "denominationUniteLegale",
    "tranche_effectifs": "trancheEffectifsUniteLegale",
}

# Role "ess": establishments (StockEtablissement). Official column -> ours.
ETABLISSEMENT_COLUMNS: dict[str, str] = {
    "siret": "VARCHAR",  # siret, 14 digits
    "siren": "VARCHAR",  # siren of the legal unit, 9 digits
    "commune_code": "VARCHAR",  # codeCommuneEtablissement, 5 characters; NULL abroad
    "activite_principale": "VARCHAR",  # activitePrincipaleEtablissement, NAF rév. 2
    "tranche_effectifs": "VARCHAR",  # trancheEffectifsEtablissement: NN, 00 .. 53
    "etat_administratif": "VARCHAR",  # etatAdministratifEtablissement: A active, F fermée
    "siege": "BOOLEAN",  # etablissementSiege: head office of its legal unit
    "employeur": "BOOLEAN",  # caractereEmployeurEtablissement: O -> true, N -> false, else NULL
}
_ETABLISSEMENT_SOURCE = {
    "siret": "siret",
    "siren": "siren",
    "commune_code": "codeCommuneEtablissement",
    "activite_principale": "activitePrincipaleEtablissement",
    "tranche_effectifs": "trancheEffectifsEtablissement",
    "etat_administratif": "etatAdministratifEtablissement",
    "siege": "etablissementSiege",
    "employeur": "caractereEmployeurEtablissement",
}

# Role "ess": ESS France's list of ESS enterprises.
ESS_LIST_COLUMNS: dict[str, str] = {
    "siren": "VARCHAR",  # 9 digits
    "name": "VARCHAR",  # raison sociale as published
}
# Accepted header names (accents, case, spaces and underscores folded).
_ESS_SIREN_NAMES = ("siren", "numero siren", "n siren")
_ESS_NAME_NAMES = (
    "raison sociale",
    "denomination",
    "nom",
    "nom de l'entreprise",
    "nom entreprise",
    "denomination unite legale",
)


def _stock(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source, required: Iterable[str]
) -> duckdb.DuckDBPyRelation:
    """The single stock file in ``files``, read by its suffix; ``required`` columns checked.

    ``required`` are the official names the loader maps; each must be declared in
    the catalogue (``columns``) and present in the file.
    """
    path = one_file(files, source)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        rel = con.read_parquet(str(path))
    elif suffix == ".csv":
        rel = con.read_csv(
            str(path),
            header=True,
            all_varchar=True,
            sep=source.separator or ",",
            quotechar='"',
            escapechar='"',
        )
    else:
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    declared = declared_columns(source, rel.columns, path)
    undeclared = [c for c in required if c not in source.columns]
    if undeclared:
        raise LoadError(f"source {source.name!r} : colonne(s) non déclarée(s) {undeclared}")
    return rel.project(", ".join(quote_identifier(c) for c in declared))


def _text(column: str) -> str:
    return f"NULLIF(trim(CAST({quote_identifier(column)} AS VARCHAR)), '')"


def _digits(column: str, width: int) -> str:
    """Text code; zeros restored when the value is all digits and shorter than ``width``."""
    value = _text(column)
    return (
        f"CASE WHEN regexp_full_match({value}, '[0-9]{{1,{width - 1}}}') "
        f"THEN lpad({value}, {width}, '0') ELSE {value} END"
    )


def _flag(column: str, true: str, false: str, source: Source) -> str:
    """BOOLEAN from a two-valued text flag; NULL stays NULL; other values fail lazily."""
    value = f"lower({_text(column)})"
    message = sql_literal(f"source {source.name!r}: valeur inattendue dans {column} : ")
    return (
        f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} = {sql_literal(true)} THEN TRUE "
        f"WHEN {value} = {sql_literal(false)} THEN FALSE "
        f"ELSE error({message} || {value}) END"
    )


def _relation(
    stock: duckdb.DuckDBPyRelation, exprs: dict[str, str], schema: dict[str, str]
) -> duckdb.DuckDBPyRelation:
    return stock.project(
        ", ".join(f"CAST({exprs[c]} AS {t}) AS {quote_identifier(c)}" for c, t in schema.items())
    )


def load_sirene_unites_legales(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Legal units of the Sirene stock (``StockUniteLegale``), with their ESS flag.

    A loader (see :mod:`etl.loaders`) returning a (lazy) relation of ``con``. ``files``: one
    ``StockUniteLegale`` file, ``.parquet`` or ``.csv``; extra columns are ignored. ``source``:
    catalogue entry (``separator`` for CSV).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`UNITE_LEGALE_COLUMNS`, one row per legal unit: ``siren``,
        ``categorie_juridique``, ``ess`` (BOOLEAN, NULL when not stated),
        ``etat_administratif``, ``activite_principale``, ``denomination``,
        ``tranche_effectifs`` (INSEE headcount band code, text).

    Raises
    ------
    LoadError
        Unsupported file type or a missing column (named). A flag value
        outside O/N raises a DuckDB error when the relation is read.
    """
    src = _UNITE_LEGALE_SOURCE
    stock = _stock(con, files, source, src.values())
    exprs = {
        "siren": _digits(src["siren"], 9),
        "categorie_juridique": _digits(src["categorie_juridique"], 4),
        "ess": _flag(src["ess"], "o", "n", source),
        "etat_administratif": _text(src["etat_administratif"]),
        "activite_principale": _text(src["activite_principale"]),
        "denomination": _text(src["denomination"]),
        "tranche_effectifs": _digits(src["tranche_effectifs"], 2),
    }
    return _relation(stock, exprs, UNITE_LEGALE_COLUMNS)


def load_sirene_etablissements(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Establishments of the Sirene stock (``StockEtablissement``).

    A loader (see :mod:`etl.loaders`) returning a (lazy) relation of ``con``. ``files``: one
    ``StockEtablissement`` file, ``.parquet`` or ``.csv``; extra columns are ignored.
    ``source``: catalogue entry (``separator`` for CSV).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`ETABLISSEMENT_COLUMNS`, one row per establishment: ``siret``,
        ``siren``, ``commune_code`` (as published, 5 characters; NULL for
        establishments abroad), ``activite_principale``, ``tranche_effectifs``,
        ``etat_administratif``, ``siege`` (BOOLEAN), ``employeur`` (BOOLEAN,
        NULL when not stated).

    Raises
    ------
    LoadError
        Unsupported file type or a missing column (named). A flag value
        outside true/false or O/N raises a DuckDB error when the relation is read.
    """
    src = _ETABLISSEMENT_SOURCE
    stock = _stock(con, files, source, src.values())
    exprs = {
        "siret": _digits(src["siret"], 14),
        "siren": _digits(src["siren"], 9),
        "commune_code": f"upper({_digits(src['commune_code'], 5)})",
        "activite_principale": _text(src["activite_principale"]),
        "tranche_effectifs": _digits(src["tranche_effectifs"], 2),
        "etat_administratif": _text(src["etat_administratif"]),
        "siege": _flag(src["siege"], "true", "false", source),
        "employeur": _flag(src["employeur"], "o", "n", source),
    }
    return _relation(stock, exprs, ETABLISSEMENT_COLUMNS)


# ---------------------------------------------------------------- ESS France list


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("’", "'")
    return re.sub(r"[\s_°.]+", " ", plain).strip()


def _pick(columns: Sequence[str], accepted: Sequence[str]) -> str | None:
    folded = {_fold(c): c for c in columns}
    return next((folded[a] for a in accepted if a in folded), None)


def load_ess_france_list(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """ESS enterprises listed by ESS France (SIREN and name).

    The layout of the published file is assumed (see the catalogue notes): a
    CSV with a SIREN column and a name column, whose header names are matched
    without regard to case, accents or spaces (``SIREN``, ``Raison sociale``,
    ``Dénomination``, ``Nom``...). The separator is the catalogue's, or sniffed
    when the catalogue gives none.

    A loader (see :mod:`etl.loaders`) returning a relation of ``con``. ``files``: one CSV file.
    ``source``: catalogue entry (``separator``, ``encoding``).

    Returns
    -------
    duckdb.DuckDBPyRelation
        :data:`ESS_LIST_COLUMNS`, one row per listed legal unit: ``siren``
        (9 digits; spaces inside the number are removed), ``name``.

    Raises
    ------
    LoadError
        No SIREN or name column, a SIREN that is not 9 digits, a duplicate SIREN.
    """
    path = one_file(files, source)
    if path.suffix.lower() != ".csv":
        raise LoadError(f"source {source.name!r}: format non pris en charge {path.name!r}")
    rel = read_text_csv(con, path, source, default_sep=None)
    siren_col = _pick(rel.columns, _ESS_SIREN_NAMES)
    name_col = _pick(rel.columns, _ESS_NAME_NAMES)
    if siren_col is None or name_col is None:
        missing = [
            wanted
            for wanted, found in (
                ("SIREN", siren_col),
                ("raison sociale / dénomination / nom", name_col),
            )
            if found is None
        ]
        raise LoadError(
            f"source {source.name!r}: colonne(s) manquante(s) {missing} "
            f"(colonnes trouvées: {sorted(rel.columns)[:12]})"
        )
    digits = f"NULLIF(regexp_replace(trim({quote_identifier(siren_col)}), '[\\s.]', '', 'g'), '')"
    siren = (
        f"CASE WHEN regexp_full_match({digits}, '[0-9]{{1,8}}') "
        f"THEN lpad({digits}, 9, '0') ELSE {digits} END"
    )
    out = rel.select(f"{siren} AS siren, NULLIF(trim({quote_identifier(name_col)}), '') AS name")
    bad = out.filter("NOT regexp_full_match(coalesce(siren, ''), '[0-9]{9}')").limit(5).fetchall()
    if bad:
        raise LoadError(f"source {source.name!r}: SIREN invalide(s) {[r[0] for r in bad]}")
    dup = out.aggregate("siren, count(*) AS n").filter("n > 1").limit(5).fetchall()
    if dup:
        raise LoadError(f"source {source.name!r}: SIREN en double {[r[0] for r in dup]}")
    return out.project(cast_sql(ESS_LIST_COLUMNS))
