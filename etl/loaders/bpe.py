"""INSEE Base permanente des équipements (BPE): geolocated facilities and counts.

Two loaders:

- :func:`load_bpe_xy` reads the geolocated BPE (``BPE23.csv``, about 2.7
  million rows, ``;``). Coordinates are projected: Lambert-93 in mainland
  France, the local UTM overseas, announced per row by the ``EPSG`` column
  when the file has one (else :data:`etl.vocabulary.METRIC_EPSG_BY_DEP`). They are
  reprojected to WGS84 with pyproj on numpy arrays, one batch per EPSG code.
  Facilities without coordinates are kept with NULL ``lon``/``lat`` (the
  warehouse lists them in ``facilities_unlocated``).
- :func:`load_bpe_counts` reads the BPE count files (``bpe19_ensemble``: all
  domains, 2019; ``bpe18_enseignement``: education, 2018), counts per commune/IRIS
  and type without coordinates; the warehouse places them at the town halls
  (``warehouse/sql/marts/facility_counts.sql``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer
from pyproj.exceptions import CRSError, ProjError

from etl.catalogue import Source
from etl.loaders import FACILITY_COUNT_COLUMNS, LoadError
from etl.loaders._common import cast_sql
from etl.loaders._facilities import cast_facilities, one_file, read_declared_csv
from etl.vocabulary import COMMUNE_CODE_RE, MAINLAND_EPSG, METRIC_EPSG_BY_DEP

logger = logging.getLogger(__name__)

# Declared columns (catalogue) the file may lack: read as NULL.
_XY_OPTIONAL = ("NOMRS", "EPSG", "QUALITE_XY")
IRIS_CODE_RE = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{7}$")


# Reads the catalogue's declared columns (read_declared_csv: LAMBERT_X/Y DOUBLE; EPSG
# text, "2154" or "EPSG:2154"; NOMRS, EPSG and QUALITE_XY NULL when absent).
# DEPCOM is trimmed, upper-cased and, when 1-4 digits, left-padded to 5.
_XY_SQL = r"""
    SELECT upper(trim(TYPEQU)) AS service_type,
           coalesce(NULLIF(regexp_replace(trim(NOMRS), '\s+', ' ', 'g'), ''),
                    upper(trim(TYPEQU))) AS label,
           CASE WHEN regexp_full_match(upper(trim(DEPCOM)), '[0-9]{1,4}')
                THEN lpad(upper(trim(DEPCOM)), 5, '0')
                ELSE NULLIF(upper(trim(DEPCOM)), '') END AS commune_code,
           LAMBERT_X AS x,
           LAMBERT_Y AS y,
           TRY_CAST(NULLIF(regexp_extract(EPSG, '([0-9]{4,5})', 1), '') AS INTEGER) AS epsg,
           NULLIF(trim(QUALITE_XY), '') AS geo_precision
    FROM raw
"""

# Reads the declared columns (NB_EQUIP BIGINT, AN INTEGER); sums the counts split by
# attributes so that (IRIS, type, year) is a key.
_COUNTS_SQL = """
    WITH src AS (
        SELECT CASE WHEN regexp_full_match(upper(trim(DEPCOM)), '[0-9]{1,4}')
                    THEN lpad(upper(trim(DEPCOM)), 5, '0')
                    ELSE NULLIF(upper(trim(DEPCOM)), '') END AS commune_code,
               replace(upper(trim(DCIRIS)), '_', '') AS iris,
               upper(trim(TYPEQU)) AS service_type,
               NB_EQUIP AS n,
               AN AS year
        FROM raw
    )
    SELECT commune_code,
           CASE WHEN iris = commune_code THEN iris || '0000' ELSE iris END AS iris_code,
           service_type, sum(n) AS count, year
    FROM src
    GROUP BY ALL
    ORDER BY iris_code, service_type, year
"""


def _check_codes(
    values: pa.ChunkedArray, pattern: re.Pattern[str], what: str, source: Source
) -> None:
    """Raise :class:`LoadError` when a distinct non-null value does not match ``pattern``."""
    bad = [v for v in pc.unique(values).to_pylist() if v is not None and not pattern.match(v)]
    if bad:
        raise LoadError(
            f"source {source.name!r}: {len(bad)} code(s) {what} invalide(s), par ex. {bad[:5]}"
        )


@lru_cache(maxsize=16)
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def reproject_to_wgs84(
    x: np.ndarray, y: np.ndarray, epsg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 (lon, lat) of projected points, each in the CRS given by its EPSG code.

    Parameters
    ----------
    x, y : numpy.ndarray of float
        Projected coordinates, metres.
    epsg : numpy.ndarray of int
        EPSG code of each point (one transformer per distinct code).

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes and latitudes in degrees; NaN where the input is NaN or
        outside the CRS's domain. Empty input gives empty arrays.

    Raises
    ------
    ValueError
        When an EPSG code is unknown to pyproj.
    """
    lon = np.full(x.shape, np.nan)
    lat = np.full(x.shape, np.nan)
    for code in np.unique(epsg):
        mask = epsg == code
        try:
            lon[mask], lat[mask] = _to_wgs84(int(code)).transform(x[mask], y[mask])
        except (CRSError, ProjError) as exc:
            raise ValueError(f"EPSG:{int(code)} inconnu ou inutilisable: {exc}") from exc
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def zone_epsg(commune_code: pa.ChunkedArray) -> pa.ChunkedArray:
    """Metric CRS of each commune's zone (:data:`etl.vocabulary.METRIC_EPSG_BY_DEP`).

    Lambert-93 outside the ``97`` codes; the local UTM of a known overseas
    département; NULL for an overseas zone without a known CRS (and a NULL code).
    """
    keys = pa.array(list(METRIC_EPSG_BY_DEP))
    values = pa.array(list(METRIC_EPSG_BY_DEP.values()), pa.int32())
    index = pc.index_in(pc.utf8_slice_codeunits(commune_code, 0, 3), value_set=keys)
    overseas = pc.take(values, index)
    mainland = pc.invert(pc.starts_with(commune_code, "97"))
    return pc.if_else(mainland, pa.scalar(MAINLAND_EPSG, pa.int32()), overseas)


def load_bpe_xy(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """Geolocated BPE facilities, reprojected to WGS84.

    Required columns: ``DEPCOM``, ``TYPEQU``, ``LAMBERT_X``, ``LAMBERT_Y``;
    ``EPSG``, ``NOMRS`` and ``QUALITE_XY`` are used when present. Rows without
    coordinates are kept, with NULL ``lon``/``lat``, and counted in the log;
    rows with coordinates in an overseas zone whose CRS is unknown, or outside
    the domain of their CRS, are dropped and counted in the log. Needs DuckDB's
    default ``preserve_insertion_order = true`` (the row number is the
    identifier).

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per facility:

        - ``facility_id``: ``"<source>:<n>"``, ``n`` the facility's data row
          number in the file (1 = first row after the header; the BPE has no
          facility identifier);
        - ``source``: the catalogue name;
        - ``service_type``: ``TYPEQU``;
        - ``label``: ``NOMRS`` when present and not empty, else ``TYPEQU``;
        - ``commune_code``: ``DEPCOM``, 5 characters (2A/2B kept);
        - ``lon``, ``lat``: WGS84 degrees, reprojected from ``LAMBERT_X``/``LAMBERT_Y``
          (both NULL when one of them is empty);
        - ``bpe_gamme``, ``capacity``: NULL (gammes come from the nomenclature);
        - ``geo_precision``: ``QUALITE_XY`` when present, else NULL.
    """
    path = one_file(files, source)
    setting = con.sql("SELECT current_setting('preserve_insertion_order')").fetchone()
    assert setting is not None  # a SELECT without FROM has one row
    (preserved,) = setting
    if not preserved:
        raise LoadError(
            f"source {source.name!r}: preserve_insertion_order doit être vrai "
            "(le numéro de ligne sert d'identifiant)"
        )
    raw = read_declared_csv(con, path, source, optional=_XY_OPTIONAL, multiline=True)
    try:
        table = raw.query("raw", _XY_SQL).to_arrow_table()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: coordonnée non numérique: {exc}") from exc
    published = table.column("epsg")
    epsg = pc.if_else(pc.is_null(published), zone_epsg(table.column("commune_code")), published)
    table = table.set_column(table.schema.get_field_index("epsg"), "epsg", epsg)
    row_number = pa.array(np.arange(1, table.num_rows + 1))
    facility_id = pc.binary_join_element_wise(
        source.name + ":", pc.cast(row_number, pa.string()), ""
    )
    table = table.append_column("facility_id", facility_id)
    return _xy_to_facilities(con, table, source)


def _xy_to_facilities(
    con: duckdb.DuckDBPyConnection, table: pa.Table, source: Source
) -> duckdb.DuckDBPyRelation:
    """Reproject the rows with coordinates, keep those without, cast to FACILITY_COLUMNS.

    Rows with coordinates but no known CRS, or outside its domain, are dropped.
    """
    if table.column("commune_code").null_count or table.column("service_type").null_count:
        raise LoadError(f"source {source.name!r}: DEPCOM ou TYPEQU vide")
    _check_codes(table.column("commune_code"), COMMUNE_CODE_RE, "commune", source)
    n_rows = table.num_rows
    has_xy = pc.and_(pc.is_valid(table.column("x")), pc.is_valid(table.column("y")))
    has_xy = has_xy.to_numpy(zero_copy_only=False)
    unknown = has_xy & pc.is_null(table.column("epsg")).to_numpy(zero_copy_only=False)
    if unknown.any():
        logger.warning(
            "%s: %d équipement(s) d'une zone sans CRS connu écarté(s), communes %s",
            source.name,
            int(unknown.sum()),
            pc.unique(table.filter(pa.array(unknown)).column("commune_code")).to_pylist()[:10],
        )
    located = has_xy & ~unknown
    subset = table.filter(pa.array(located))
    lon = np.full(n_rows, np.nan)
    lat = np.full(n_rows, np.nan)
    try:
        lon[located], lat[located] = reproject_to_wgs84(
            subset.column("x").to_numpy(),
            subset.column("y").to_numpy(),
            subset.column("epsg").to_numpy(),
        )
    except ValueError as exc:
        raise LoadError(f"source {source.name!r}: {exc}") from exc
    outside = located & ~np.isfinite(lon)
    logger.info(
        "%s: %d ligne(s) lue(s), %d sans coordonnées gardée(s) avec lon/lat NULL, "
        "%d hors du domaine du CRS écartée(s)",
        source.name,
        n_rows,
        int((~has_xy).sum()),
        int(outside.sum()),
    )
    table = table.append_column("lon", pa.array(lon, from_pandas=True))
    table = table.append_column("lat", pa.array(lat, from_pandas=True))
    table = table.filter(pa.array(~unknown & ~outside))
    n = table.num_rows
    table = table.append_column("source", pa.repeat(source.name, n))
    table = table.append_column("bpe_gamme", pa.nulls(n, pa.string()))
    table = table.append_column("capacity", pa.nulls(n, pa.float64()))
    return cast_facilities(con.from_arrow(table))


def load_bpe_counts(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """BPE counts per commune, IRIS and facility type (files ``bpe<yy>_ensemble``,
    ``bpe<yy>_enseignement``...: columns ``DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP``).

    A file may split the counts further by attributes (the 2018 education file:
    canteen, boarding, sector...): they are summed, so that (IRIS, type, year) is a
    key. Other declared columns (``REG``, ``DEP``) are read and ignored.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COUNT_COLUMNS`:

        - ``commune_code``: ``DEPCOM``, 5 characters;
        - ``iris_code``: ``DCIRIS`` as a 9-character IRIS code: the ``_`` of
          ``01004_0102`` is removed, and a commune not split into IRIS
          (``DCIRIS = DEPCOM``) gets INSEE's ``<DEPCOM>0000``;
        - ``service_type``: ``TYPEQU`` as published (codes of the file's vintage:
          D301 pharmacy in 2019; the warehouse maps them through the aliases of
          ``etl/service_types.csv``);
        - ``count``: number of facilities (sum of ``NB_EQUIP``);
        - ``year``: ``AN`` (BPE vintage).
    """
    path = one_file(files, source)
    raw = read_declared_csv(con, path, source, multiline=True)
    try:
        table = raw.query("raw", _COUNTS_SQL).to_arrow_table()
    except duckdb.ConversionException as exc:
        raise LoadError(f"source {source.name!r}: valeur non numérique: {exc}") from exc
    _check_codes(table.column("commune_code"), COMMUNE_CODE_RE, "commune", source)
    _check_codes(table.column("iris_code"), IRIS_CODE_RE, "IRIS", source)
    logger.info("%s: %d ligne(s) (IRIS, type, année)", source.name, table.num_rows)
    return con.from_arrow(table).project(cast_sql(FACILITY_COUNT_COLUMNS))
