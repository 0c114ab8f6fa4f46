"""What the map draws: the display geometry of a level and the facility points.

The display geometry is prepared by the build (table ``display_geometry``,
``warehouse/sql/marts/display_geometry.sql``: simplified, rounded, slivers removed,
stored as GeoJSON text); here it is only joined to the codes and names of
``territories`` and concatenated.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from typing import Any

from dashboards.queries.connection import Warehouse, _rows, tables
from dashboards.queries.indicators import service_types
from dashboards.queries.territories import _checked_level, territories
from warehouse.gate import WarehouseError
from warehouse.outlines import pack_outlines

DISPLAY_TABLE = "display_geometry"
OUTLINES_TABLE = "display_outlines"
# Above this many territories a level is drawn on one canvas rather than as one SVG
# element each: measured on the national build (bench/dashboard.py), 34 871 SVG paths
# cost 2.6 s of browser style and paint work per indicator switch; the 333 communes
# of a département stay SVG (one element per territory, named by its class).
CANVAS_ABOVE = 1000


def is_canvas_level(wh: Warehouse, level: str) -> bool:
    """Whether the page draws this level on one canvas (more than :data:`CANVAS_ABOVE`
    territories) from :func:`level_outlines` rather than as GeoJSON layers."""
    return len(territories(wh, level)) > CANVAS_ABOVE


@lru_cache(maxsize=8)
def level_geojson(wh: Warehouse, level: str) -> tuple[bytes, bytes]:
    """Display geometry of one level as GeoJSON bytes and their gzip.

    Features carry ``i`` (position in
    :func:`~dashboards.queries.territories.territories`), ``code`` and ``name``; the
    style function in ``assets/territoires_map.js`` reads the class of feature ``i``
    in the layer's ``hideout``. Geometry is the build's (``display_geometry``):
    simplified, coordinates rounded to 5 decimals (about 1 m; 4 decimals and coarser
    simplification when a level holds thousands of features, e.g. all French
    communes), without the slivers between member communes; ``null`` for a territory
    without display geometry.

    Raises
    ------
    WarehouseError
        The warehouse was built before ``display_geometry`` existed: it must be
        rebuilt (``territoires build``).
    """
    rows = _geometry_rows(wh, level)
    parts = [_feature_text(i, *row) for i, row in enumerate(rows)]
    body = ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


@lru_cache(maxsize=8)
def level_outlines(wh: Warehouse, level: str) -> tuple[bytes, bytes]:
    """The same geometry as :func:`level_geojson`, packed for the page's canvas
    renderer (layout: :func:`warehouse.outlines.pack_outlines`), and its gzip: read
    from the build's ``display_outlines``, packed here for a warehouse built before it.

    Raises
    ------
    WarehouseError
        As :func:`level_geojson`.
    """
    if OUTLINES_TABLE in tables(wh):
        found = _rows(wh, "level_outlines", {"level": _checked_level(level)})
        if found:
            gz = bytes(found[0][0])
            return gzip.decompress(gz), gz
    body = pack_outlines(level, _geometry_rows(wh, level))
    return body, gzip.compress(body, compresslevel=6, mtime=0)


def _geometry_rows(wh: Warehouse, level: str) -> list[tuple[Any, ...]]:
    if DISPLAY_TABLE not in tables(wh):
        raise WarehouseError(
            f"entrepôt construit par une version antérieure : la table {DISPLAY_TABLE} "
            "(géométrie d'affichage de la carte) est absente. Reconstruisez l'entrepôt "
            f"avec `territoires build` ({wh.path})."
        )
    return _rows(wh, "level_geometry", {"level": _checked_level(level)})


def _feature_text(i: int, code: str, name: str, geometry: str | None) -> str:
    props = json.dumps({"i": i, "code": code, "name": name}, ensure_ascii=False)
    return f'{{"type":"Feature","properties":{props},"geometry":{geometry or "null"}}}'


@lru_cache(maxsize=64)
def facilities_geojson(wh: Warehouse, codes: tuple[str, ...]) -> dict[str, Any]:
    """Point features of the facilities of the given service types (in the
    territory and its buffer), for a clustered layer."""
    known = {st.code for st in service_types(wh)}
    wanted = sorted(set(codes) & known)
    if not wanted or "facilities" not in tables(wh):
        return {"type": "FeatureCollection", "features": []}
    rows = _rows(wh, "facilities", {"service_types": wanted})
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": fid,
                "type": st,
                "name": name,
                "type_label": st_label,
                "inside": bool(inside),
            },
        }
        for fid, st, name, st_label, lon, lat, inside in rows
    ]
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=8)
def transit_stops_geojson(wh: Warehouse) -> dict[str, Any]:
    """Point features of the stops of the loaded GTFS timetables (table
    ``transit_stops``): ``departures`` (regular lines) and ``other`` (school and
    on-demand services) on the feed's reference weekday ``day`` (dd/mm/yyyy).
    An empty collection when the warehouse has no timetable."""
    if "transit_stops" not in tables(wh):
        return {"type": "FeatureCollection", "features": []}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "feed": feed,
                "id": stop_id,
                "name": name,
                "departures": int(regular or 0),
                "other": int(other or 0),
                "day": day,
            },
        }
        for feed, stop_id, name, lon, lat, regular, other, day in _rows(wh, "transit_stops")
    ]
    return {"type": "FeatureCollection", "features": features}


# Town names on the map: communes of at least this many inhabitants, the largest first
# (Rennes, Saint-Malo, Fougères... on dep:35; the cities of France on a national build).
TOWN_MIN_POPULATION = 10_000
TOWN_LABELS_MAX = 120


@lru_cache(maxsize=8)
def town_labels_geojson(wh: Warehouse) -> dict[str, Any]:
    """Point features (``name``, ``population``, ``rank``: 1 for the most populated)
    of the build's largest communes, for the names layer of the map."""
    rows = _rows(wh, "town_labels", {"min_population": TOWN_MIN_POPULATION, "n": TOWN_LABELS_MAX})
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": name, "population": int(pop or 0), "rank": i + 1},
            }
            for i, (name, pop, lon, lat) in enumerate(rows)
        ],
    }


@lru_cache(maxsize=256)
def commune_at(wh: Warehouse, lon: float, lat: float) -> tuple[str, str, str] | None:
    """(code, name, département) of the build's commune holding the point, or None
    (outside every commune of the build: at sea, abroad, beyond the build)."""
    rows = _rows(wh, "commune_at", {"lon": float(lon), "lat": float(lat)})
    if not rows:
        return None
    code, name, dep = rows[0]
    return str(code), str(name), str(dep or "")


@lru_cache(maxsize=64)
def locator_shapes(wh: Warehouse, level: str, code: str) -> tuple[tuple[str, str], ...]:
    """``(code, GeoJSON geometry text)`` of the portrait's locator map of
    ``level``/``code`` (``warehouse/sql/dashboards/locator_shapes.sql``): the territory
    first, then what it is shown in (its département, or its région's départements,
    or the mainland régions); ``()`` when unknown or without display geometry.
    The first shape is always the territory's (a département shares its code with
    nothing of its level, but a commune's code is not a département's)."""
    if DISPLAY_TABLE not in tables(wh):
        return ()
    rows = _rows(wh, "locator_shapes", {"level": _checked_level(level), "code": code})
    return tuple((str(c), str(g)) for c, g in rows)
