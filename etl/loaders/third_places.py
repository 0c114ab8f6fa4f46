"""Third places (tiers-lieux): ANCT "Fabriques de territoire" and the France Tiers-Lieux census.

Two sources, both mapped to our own service type ``THIRD_PLACE``:

- the ANCT "Fabriques de territoire" (tiers-lieux labelled and funded by the
  State), a GeoJSON whose points are the *centre of the host commune*, not the
  address: ``geo_precision = 'centre de la commune d'accueil'``. A feature
  is a commune and may list several fabriques (``"fabt-48; fabt-211"``);
  they are split into one row each;
- the France Tiers-Lieux census (all known tiers-lieux), a CSV with the
  address's coordinates. Its column names are *assumed* (``id``, ``nom``,
  ``code_insee``, ``latitude``, ``longitude``; see the catalogue notes) until
  the first online download confirms them: a renamed column fails loudly with
  a :class:`~etl.loaders.LoadError`.

A fabrique or tiers-lieu without coordinates is kept with NULL ``lon``/``lat``
(the warehouse lists it in ``facilities_unlocated``).
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.catalogue import Source
from etl.loaders import LoadError
from etl.loaders._common import declared_columns
from etl.loaders._facilities import facility_sql, one_file, query_one_csv, to_facilities

logger = logging.getLogger(__name__)

SERVICE_TYPE = "THIRD_PLACE"
COMMUNE_CENTRE_PRECISION = "centre de la commune d'accueil"

# France Tiers-Lieux: reads the catalogue's declared columns (latitude/longitude DOUBLE).
_TIERS_LIEUX_SQL = facility_sql("id", "nom", "code_insee", "longitude", "latitude")


def _points(geometry: dict[str, Any] | None) -> Iterator[tuple[float, float]]:
    """The (lon, lat) points of a GeoJSON geometry, depth first (other types yield nothing)."""
    if not geometry:
        return
    kind = geometry.get("type")
    if kind == "Point" and len(geometry.get("coordinates") or ()) >= 2:
        lon, lat = geometry["coordinates"][:2]
        yield float(lon), float(lat)
    elif kind == "MultiPoint":
        for lon, lat, *_ in geometry.get("coordinates") or ():
            yield float(lon), float(lat)
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or ():
            yield from _points(part)


def _crs_name(crs: object) -> object:
    """The ``name`` of a GeoJSON ``crs`` member ("CRS84" when absent); a malformed
    member is returned as it is, and then refused as an unexpected CRS."""
    if not crs:
        return "CRS84"
    properties = (crs.get("properties") or {}) if isinstance(crs, dict) else None
    if not isinstance(properties, dict):
        return crs
    return properties.get("name", "CRS84")


def _read_features(path: Path, source: Source) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding=source.encoding))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(f"source {source.name!r}: GeoJSON illisible {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise LoadError(f"source {source.name!r}: FeatureCollection attendue dans {path}")
    crs = _crs_name(data.get("crs"))
    if not str(crs).upper().endswith(("CRS84", "4326")):
        raise LoadError(f"source {source.name!r}: CRS {crs!r} inattendu (WGS84 attendu)")
    features = data.get("features") or []
    if not isinstance(features, list):
        raise LoadError(f"source {source.name!r}: 'features' n'est pas une liste dans {path}")
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            raise LoadError(
                f"source {source.name!r}: entité n° {i + 1} malformée dans {path} "
                "(objet Feature avec 'properties' attendu)"
            )
    return features


def _feature_points(
    feature: dict[str, Any], index: int, source: Source
) -> list[tuple[float, float]]:
    """:func:`_points` of one feature; a malformed geometry (not an object, coordinates
    that are no pair of numbers) is a :class:`LoadError` naming the source and the
    feature (its number and ``id_territoire``)."""
    geometry = feature.get("geometry")
    try:
        if geometry is not None and not isinstance(geometry, dict):
            raise TypeError("géométrie qui n'est pas un objet")
        return list(_points(geometry))
    except (TypeError, ValueError, AttributeError) as exc:
        ident = (feature.get("properties") or {}).get("id_territoire")
        raise LoadError(
            f"source {source.name!r}: géométrie malformée à l'entité n° {index + 1} "
            f"(id_territoire {ident!r}) : {exc}"
        ) from exc


def _split_fabriques(props: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, label) of the fabriques of one feature.

    A feature is a commune; when it hosts several fabriques, ``id_territoire``
    reads ``"fabt-48; fabt-211"`` and ``lib_territoire`` lists as many names
    separated by ``;`` (after unescaping HTML entities such as ``&amp;``).
    When the counts differ, every fabrique gets the whole label.
    """
    ids = [i.strip() for i in str(props.get("id_territoire") or "").split(";") if i.strip()]
    label = html.unescape(str(props.get("lib_territoire") or ""))
    names = [" ".join(n.split()) for n in label.split(";")]
    if len(names) != len(ids):
        names = [" ".join(label.split())] * len(ids)
    return list(zip(ids, names, strict=True))


def load_fabriques_territoire(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """ANCT Fabriques de territoire as facilities of type ``THIRD_PLACE``.

    Each GeoJSON feature is a host commune; one feature may carry several
    fabriques (``id_territoire = "fabt-48; fabt-211"``): they give one row each,
    at the same point. A feature whose geometry is a collection or a multipoint
    is placed at its first point; a feature without any point (one empty
    GeometryCollection in the 2024-01-26 file, Saint-Martin) gives rows with
    NULL ``lon``/``lat``, counted in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per fabrique:

        - ``facility_id``: ``"<source>:<id>"`` (``fabt-NN``);
        - ``source``: the catalogue name;
        - ``service_type``: ``THIRD_PLACE``;
        - ``label``: its part of ``lib_territoire`` (HTML entities unescaped,
          line breaks and runs of spaces -> one space);
        - ``commune_code``: ``id_geo``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees (centre of the host commune; NULL
          without a point);
        - ``bpe_gamme``, ``capacity``: NULL;
        - ``geo_precision``: ``'centre de la commune d'accueil'``.
    """
    path = one_file(files, source)
    features = _read_features(path, source)
    keys = {k for f in features for k in (f.get("properties") or {})}
    declared_columns(source, keys, path)
    records = []
    multi = 0
    for index, feature in enumerate(features):
        props = feature.get("properties") or {}
        fabriques = _split_fabriques(props)
        if not fabriques:
            raise LoadError(f"source {source.name!r}: entité sans id_territoire: {props}")
        points = _feature_points(feature, index, source)
        multi += len(points) > 1
        lon, lat = points[0] if points else (None, None)
        for native_id, label in fabriques:
            records.append(
                {
                    "native_id": native_id,
                    "label": label,
                    "commune_code": props.get("id_geo"),
                    "lon": lon,
                    "lat": lat,
                }
            )
    df = pd.DataFrame.from_records(
        records, columns=["native_id", "label", "commune_code", "lon", "lat"]
    )
    no_xy = df["lon"].isna() | df["lat"].isna()
    logger.info(
        "%s: %d entité(s), %d fabrique(s); %d sans point gardée(s), lon/lat NULL (%s), "
        "%d entité(s) à plusieurs points placée(s) au premier",
        source.name,
        len(features),
        len(df),
        int(no_xy.sum()),
        ", ".join(df.loc[no_xy, "native_id"]),
        multi,
    )
    df["commune_code"] = df["commune_code"].astype("string")
    return to_facilities(
        con, df, source, service_type=SERVICE_TYPE, geo_precision=COMMUNE_CENTRE_PRECISION
    )


def load_france_tiers_lieux(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], source: Source
) -> duckdb.DuckDBPyRelation:
    """France Tiers-Lieux census as facilities of type ``THIRD_PLACE``.

    Expected columns (assumed, see the module docstring): ``id``, ``nom``,
    ``code_insee``, ``latitude``, ``longitude`` (WGS84 degrees, decimal point
    or comma). Rows without coordinates are kept, with NULL ``lon``/``lat``,
    and counted in the log.

    Returns
    -------
    duckdb.DuckDBPyRelation
        The :data:`etl.loaders.FACILITY_COLUMNS`, one row per tiers-lieu:

        - ``facility_id``: ``"<source>:<id>"``;
        - ``source``: the catalogue name;
        - ``service_type``: ``THIRD_PLACE``;
        - ``label``: ``nom`` (whitespace normalised);
        - ``commune_code``: ``code_insee``, 5 characters;
        - ``lon``, ``lat``: WGS84 degrees (both NULL when one is empty);
        - ``bpe_gamme``, ``capacity``, ``geo_precision``: NULL.
    """
    df = query_one_csv(con, files, source, _TIERS_LIEUX_SQL)
    return to_facilities(con, df, source, service_type=SERVICE_TYPE)
