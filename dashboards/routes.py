"""Flask routes and response headers of the dashboard server.

* ``/_territoires/geo/<level>.geojson``: display geometry of one level, sent once
  (versioned URL, long browser cache, gzip when accepted).
* Security headers on every response: a Content-Security-Policy that allows only
  this origin (plus OpenStreetMap tiles, fetched only when the user turns the
  basemap on), no framing, no MIME sniffing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, abort, request

from dashboards import queries
from dashboards.queries import Warehouse

GEO_ROUTE = "/_territoires/geo"
OSM_TILE_HOST = "https://tile.openstreetmap.org"


def geo_url(wh: Warehouse, level: str) -> str:
    """URL of a level's geometry; the warehouse stamp makes it change on rebuild."""
    return f"{GEO_ROUTE}/{level}.geojson?v={wh.stamp}"


def register(server: Flask, wh_of: Callable[[], Warehouse], script_hashes: Iterable[str]) -> None:
    hashes = " ".join(script_hashes)  # already quoted by Dash

    @server.get(f"{GEO_ROUTE}/<level>.geojson")
    def level_geometry(level: str) -> Response:
        wh = wh_of()
        if level not in queries.levels(wh):
            abort(404)
        body, gz = queries.level_geojson(wh, level)
        use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        resp = Response(gz if use_gzip else body, mimetype="application/geo+json")
        if use_gzip:
            resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = "public, max-age=604800, immutable"
        return resp

    @server.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' {hashes}; "
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: {OSM_TILE_HOST}; "
            "connect-src 'self'; font-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp
