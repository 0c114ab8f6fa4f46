"""Flask routes and response headers of the dashboard server.

* ``/_territoires/geo/<level>.geojson``: display geometry of one level, sent once
  (versioned URL, long browser cache, gzip when accepted).
* ``/_territoires/canvas/<level>.bin``: the same geometry packed for the page's canvas
  renderer (:func:`dashboards.queries.geometry.level_outlines`), and
  ``/_territoires/canvas/<level>.geojson``, the one-feature collection the choropleth
  loads instead of the level's GeoJSON when the level is drawn on a canvas: it names
  the packed file, which the renderer fetches itself (:func:`map_url`).
* Security headers on every response: a Content-Security-Policy that allows only
  this origin (plus OpenStreetMap tiles, fetched only when the user turns the
  basemap on), no framing, no MIME sniffing.
* Requests (:func:`guard`): bodies over :data:`MAX_BODY_BYTES` answer 413 before
  they are read; a callback request that is not what the page sends (bad JSON,
  unknown output, wrong shape) answers 400; an unknown component file answers 404.
  Each is a short French sentence and one short log line, never the body nor a
  stack trace.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, abort, request
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge

from dashboards import queries
from dashboards.queries import Warehouse

GEO_ROUTE = "/_territoires/geo"
CANVAS_ROUTE = "/_territoires/canvas"
OSM_TILE_HOST = "https://tile.openstreetmap.org"
CALLBACK_ROUTE = "/_dash-update-component"
ASSETS_PATH = "/assets/"  # where Dash serves dashboards/assets (its default url path)
# The largest legitimate callback body measured is 49 kB (a national view at région
# level: the map callback carries the clicked région's display geometry, 43 kB; a
# what-if with 200 changes sends 11 kB); 1 MiB leaves a 20x margin.
MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


def geo_url(wh: Warehouse, level: str) -> str:
    """URL of a level's geometry; the warehouse stamp makes it change on rebuild."""
    return f"{GEO_ROUTE}/{level}.geojson?v={wh.stamp}"


def outlines_url(wh: Warehouse, level: str) -> str:
    """URL of a level's packed outlines (``level_outlines``)."""
    return f"{CANVAS_ROUTE}/{level}.bin?v={wh.stamp}"


def map_url(wh: Warehouse, level: str) -> str:
    """URL the choropleth loads for a level: its GeoJSON, or, for a level drawn on a
    canvas (``is_canvas_level``), the stub naming its packed outlines."""
    if queries.is_canvas_level(wh, level):
        return f"{CANVAS_ROUTE}/{level}.geojson?v={wh.stamp}"
    return geo_url(wh, level)


def canvas_stub(level: str, outlines: str) -> dict[str, Any]:
    """The choropleth's data for a canvas level: one feature that the layer's
    ``filter`` (``territoires.choropleth.filter``) hands to the canvas renderer, which
    fetches ``outlines`` (Leaflet only filters features that have a geometry)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"i": 0, "level": level, "outlines": outlines},
            }
        ],
    }


LAST_REQUEST = "territoires_last_request"  # key of server.extensions


def seconds_idle(server: Flask) -> float:
    """Seconds since the server last received a request (its start when none)."""
    return time.monotonic() - float(server.extensions.get(LAST_REQUEST, 0.0))


def register(server: Flask, wh_of: Callable[[], Warehouse], script_hashes: Iterable[str]) -> None:
    hashes = " ".join(script_hashes)  # already quoted by Dash
    server.extensions[LAST_REQUEST] = time.monotonic()

    @server.before_request
    def note_request() -> None:
        server.extensions[LAST_REQUEST] = time.monotonic()

    @server.get(f"{GEO_ROUTE}/<level>.geojson")
    def level_geometry(level: str) -> Response:
        wh = wh_of()
        if level not in queries.levels(wh):
            abort(404)
        return _versioned(*queries.level_geojson(wh, level), "application/geo+json")

    @server.get(f"{CANVAS_ROUTE}/<level>.bin")
    def level_outlines(level: str) -> Response:
        wh = wh_of()
        if level not in queries.levels(wh):
            abort(404)
        return _versioned(*queries.level_outlines(wh, level), "application/octet-stream")

    @server.get(f"{CANVAS_ROUTE}/<level>.geojson")
    def canvas_level(level: str) -> Response:
        wh = wh_of()
        if level not in queries.levels(wh):
            abort(404)
        body = json.dumps(canvas_stub(level, outlines_url(wh, level))).encode()
        return _versioned(body, gzip.compress(body, mtime=0), "application/geo+json")

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
        versioned = request.path.startswith(ASSETS_PATH) and request.args.get("m")
        if versioned and resp.status_code == 200:
            # Dash names our assets with their modification time (?m=...): a changed
            # file has a new address, so the browser may keep this one. Without it,
            # every page load downloaded them again before Dash could start.
            resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return resp


def _versioned(body: bytes, gz: bytes, mimetype: str) -> Response:
    """A response under a versioned URL: cached for a week, gzip when accepted."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    resp = Response(gz if use_gzip else body, mimetype=mimetype)
    if use_gzip:
        resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = "public, max-age=604800, immutable"
    return resp


def guard(server: Flask, callback_map: Mapping[str, Mapping[str, Any]]) -> None:
    """Request limits and answers to malformed requests (see the module docstring)."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @server.before_request
    def check_callback() -> Response | None:
        if request.method != "POST" or request.path != CALLBACK_ROUTE:
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # deeply nested JSON: not a ValueError, so not silenced
            body = None
        problem = callback_problem(body, callback_map)
        if problem is None:
            return None
        log.warning("requête de callback refusée (400) : %s", problem)
        return _short(400, "Requête invalide : elle ne vient pas de cette page.")

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> Response:
        log.warning("requête trop volumineuse refusée (413) : %r", request.path[:100])
        return _short(413, f"Requête trop volumineuse (plus de {MAX_BODY_BYTES // 1024} Kio).")

    @server.errorhandler(BadRequest)
    def bad_request(_: BadRequest) -> Response:
        log.warning("requête refusée (400) : %r", request.path[:100])
        return _short(400, "Requête invalide.")

    @server.errorhandler(DependencyException)
    @server.errorhandler(NotFound)
    def not_found(_: Exception) -> Response:
        log.warning("adresse introuvable (404) : %r", request.path[:100])
        return _short(404, "Page ou fichier introuvable.")


def callback_problem(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why a ``/_dash-update-component`` body is not one the page sends, or None.

    Checks what Dash reads before it calls a callback: a JSON object naming a
    registered output, with as many outputs, inputs and states as that callback
    declares, each ``{"id", "property"}`` (or a list of them, for pattern-matching ids).
    """
    if not isinstance(body, dict):
        return "corps absent ou JSON invalide"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "sortie inconnue"
    declared = callback_map[output]
    wanted, sent = declared.get("output"), body.get("outputs")
    if isinstance(wanted, list | tuple):
        if not isinstance(sent, list) or len(sent) != len(wanted):
            return "champ outputs invalide"
        if not all(_output_matches(s, w) for s, w in zip(sent, wanted, strict=True)):
            return "champ outputs invalide"
    elif not _output_matches(sent, wanted):
        return "champ outputs invalide"
    for name in ("inputs", "state"):
        items = body.get(name, [])
        if not isinstance(items, list) or len(items) != len(declared.get(name, [])):
            return f"champ {name} invalide"
        if not all(_dependency(item) for item in items):
            return f"champ {name} invalide"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "champ changedPropIds invalide"
    return None


def _output_matches(sent: Any, wanted: Any) -> bool:
    """A pattern-matching output (dict id) is sent as a list, any other as one dict."""
    if isinstance(getattr(wanted, "component_id", None), dict):
        return _dependency(sent)
    return _one_dependency(sent)


def _dependency(item: Any) -> bool:
    """One input or state: ``{"id", "property"}``, or a list of them (ALL, ALLSMALLER)."""
    if isinstance(item, list):
        return all(_one_dependency(i) for i in item)
    return _one_dependency(item)


def _one_dependency(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    )


def _short(status: int, message: str) -> Response:
    return Response(message, status=status, mimetype="text/plain")
