"""The portrait's locator map: a small SVG placing a territory among its neighbours.

Drawn on the server from the warehouse's display geometry (no basemap, no script:
it prints and works offline), as an image with a French text alternative.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

SIZE_PX = 220  # the longer side of the image
_MARGIN_PX = 4
_FILL = "#e3e6ea"
_STROKE = "#8a939c"
_HIGHLIGHT = "#b2182b"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def locator_svg(shapes: Sequence[tuple[str, str]]) -> str | None:
    """SVG text of ``shapes`` (``(code, GeoJSON geometry text)``, WGS84): the first is
    the territory, filled red and drawn last, the others what it lies in, pale; None
    when the territory has no shape.

    Longitudes are scaled by the cosine of the mean latitude (equirectangular: at
    this size the distortion of a département or a région is invisible). The
    longer side measures :data:`SIZE_PX` pixels.
    """
    parsed = [_rings(json.loads(text)) for _, text in shapes]
    if not parsed or not parsed[0]:
        return None
    points = [p for rings in parsed for ring in rings for p in ring]
    lats = [p[1] for p in points]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [p[0] * k for p in points]
    west, east, south, north = min(xs), max(xs), min(lats), max(lats)
    span = max(east - west, north - south) or 1.0
    scale = (SIZE_PX - 2 * _MARGIN_PX) / span
    width = round((east - west) * scale + 2 * _MARGIN_PX)
    height = round((north - south) * scale + 2 * _MARGIN_PX)

    def path(rings: list[list[list[float]]]) -> str:
        # whole pixels, a vertex dropped when it falls on the previous one (a commune
        # of 300 is a few pixels wide: the text stays a few kilobytes)
        parts = []
        for ring in rings:
            coords: list[str] = []
            for x, y, *_ in ring:
                px = round((x * k - west) * scale) + _MARGIN_PX
                xy = f"{px} {round((north - y) * scale) + _MARGIN_PX}"
                if not coords or coords[-1] != xy:
                    coords.append(xy)
            if len(coords) > 2:
                parts.append("M" + "L".join(coords) + "Z")
        return "".join(parts)

    # what it lies in, pale, each shape with its outline; the territory on top
    others = "".join(
        f"<path d='{path(rings)}' fill='{_FILL}' stroke='{_STROKE}' stroke-width='0.7'/>"
        for rings in parsed[1:]
    )
    mine = f"<path d='{path(parsed[0])}' fill='{_HIGHLIGHT}' stroke='#111' stroke-width='1'/>"
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' fill-rule='evenodd' stroke-linejoin='round'>"
        f"{others}{mine}</svg>"
    )


def data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an image (allowed by the page's CSP), escaping
    only what a URI cannot hold (the SVG quotes its attributes with ``'``)."""
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe=" '=/:;,.-_()")
