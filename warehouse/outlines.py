"""The map's outlines packed for the page's canvas renderer, prepared by the build.

Table ``display_outlines`` (level, gz): for every level of ``territories``, the
geometry of ``display_geometry`` in the layout of :func:`pack_outlines`, gzipped. The
dashboard serves it as it is (``/_territoires/canvas/<level>.bin``); packing the
national communes took 1.3 s, a wait the first switch to them paid when the server
had not prepared it yet.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import shapely

from warehouse.gate import query, run_sql

OUTLINES_MAGIC = b"TOUT"
OUTLINES_VERSION = 1


def write_display_outlines(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create ``display_outlines``: one gzipped packed file per level."""
    run_sql(con, "marts/display_outlines")
    levels = sorted(row[0] for row in query(con, "dashboards/levels").fetchall())
    for level in levels:
        rows = query(con, "dashboards/level_geometry", {"level": level}).fetchall()
        packed = gzip.compress(pack_outlines(level, rows), compresslevel=6, mtime=0)
        run_sql(con, "marts/display_outlines_insert", {"level": level, "gz": packed})


def pack_outlines(level: str, rows: Sequence[tuple[Any, ...]]) -> bytes:
    """The geometry of ``rows`` (code, name, GeoJSON text or None, in the order of
    ``territories``) packed for the page's canvas renderer.

    The national communes are 16 MB of GeoJSON (3.9 MB gzipped) whose parse alone took
    0.27 s of the browser's main thread; packed, 2 MB gzipped and read in a few
    milliseconds. Layout (little-endian)::

        b"TOUT"  uint32 version  uint32 L  header: L bytes of UTF-8 JSON, padded to 4
        int32   index[m]          territory position i of each drawn feature j
        uint32  feature_ring[m+1] first ring of feature j
        uint32  ring_start[R+1]   first vertex of ring r
        int32   first[2R]         first vertex of each ring (x, y), in 1/scale degrees
        uint8   planes[w * 2V]    the other vertices as deltas from the previous one,
                                  all x then all y, as w-byte integers split into w
                                  byte planes (plane p holds byte p of every delta)

    The header holds ``level``, ``scale`` (10^d for the geometry's d decimals), ``width``
    (w: 2 when every delta fits in 16 bits, else 4), ``n`` (territories), ``drawn``
    (m: those with geometry), ``rings``, ``vertices`` and each territory's ``code`` and
    ``name``. Rings are open (their closing vertex, equal to the first, is left out).
    """
    texts = [geom for _, _, geom in rows]
    drawn = np.array([i for i, text in enumerate(texts) if text], dtype=np.int32)
    geoms = shapely.from_geojson([texts[i] for i in drawn]) if len(drawn) else np.array([])
    polygons, polygon_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    ring_of = polygon_of[ring_polygon]  # feature position j of each ring
    # every ring's closing vertex (the last of its run) is dropped
    ends = np.searchsorted(vertex_ring, np.arange(len(rings)), side="right") - 1
    keep = np.ones(len(coords), dtype=bool)
    keep[ends] = False
    coords, vertex_ring = coords[keep], vertex_ring[keep]
    scale = _scale_of(coords)
    q = np.rint(coords * scale).astype(np.int64)
    ring_start = np.searchsorted(vertex_ring, np.arange(len(rings) + 1)).astype("<u4")
    feature_ring = np.searchsorted(ring_of, np.arange(len(drawn) + 1)).astype("<u4")
    first = q[ring_start[:-1]] if len(rings) else np.zeros((0, 2), dtype=np.int64)
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    delta[ring_start[:-1]] = 0
    width = 2 if len(delta) == 0 or np.abs(delta).max() < 2**15 else 4
    values = np.ascontiguousarray(delta.T).astype(f"<i{width}")  # all x, then all y
    planes = values.view(np.uint8).reshape(-1, width).T.tobytes()
    header = json.dumps(
        {
            "level": level,
            "scale": scale,
            "width": width,
            "n": len(rows),
            "drawn": len(drawn),
            "rings": len(rings),
            "vertices": len(coords),
            "code": [code for code, _, _ in rows],
            "name": [name for _, name, _ in rows],
        },
        ensure_ascii=False,
    ).encode()
    header += b" " * (-len(header) % 4)
    body = b"".join(
        [
            OUTLINES_MAGIC,
            np.array([OUTLINES_VERSION, len(header)], dtype="<u4").tobytes(),
            header,
            drawn.astype("<i4").tobytes(),
            feature_ring.tobytes(),
            ring_start.tobytes(),
            first.astype("<i4").tobytes(),
            planes,
        ]
    )
    return body


def _scale_of(coords: np.ndarray) -> int:
    """10^d for the fewest decimals d (4 to 7) that hold every coordinate exactly."""
    for decimals in range(4, 7):
        scaled = coords * 10**decimals
        if len(coords) == 0 or np.abs(scaled - np.rint(scaled)).max() < 1e-6:
            return int(10**decimals)
    return 10**7  # about 1 cm; 180 degrees is 1.8e9, within an int32
