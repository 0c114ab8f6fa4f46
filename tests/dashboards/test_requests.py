"""Hostile requests (issue 13, D14 and D15): a body over the limit answers 413,
malformed callback requests 400, path traversals and unknown files 404; each with a
short French text, no stack trace, one short log line, never the request body.
Flask test client only: nothing leaves the process.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from dashboards import ids, routes
from dashboards.app import create_app

CALLBACK = routes.CALLBACK_ROUTE
SEARCH_OUTPUT = f"{ids.SEARCH_RESULTS}.children"


@pytest.fixture(scope="module")
def app(dash_db: Path) -> Dash:
    return create_app(dash_db, production=True)


def _search(text: Any) -> dict[str, Any]:
    """The body the page sends when the user types in the search box."""
    return {
        "output": SEARCH_OUTPUT,
        "outputs": {"id": ids.SEARCH_RESULTS, "property": "children"},
        "inputs": [{"id": ids.SEARCH_INPUT, "property": "value", "value": text}],
        "changedPropIds": [f"{ids.SEARCH_INPUT}.value"],
    }


def _post_callback(app: Dash, body: dict[str, Any]) -> Any:
    """POST a callback from a fresh thread: Dash runs its dispatch through asgiref,
    which refuses a thread with a running event loop (Playwright's, after the
    browser tests of the same session)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(app.server.test_client().post, CALLBACK, json=body).result(60)


def _assert_short(resp: Any, status: int) -> None:
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, text[:200]
    assert len(text) < 200 and "Traceback" not in text and "Error" not in text
    assert resp.headers["X-Frame-Options"] == "DENY"  # headers kept on refusals
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


def test_a_normal_callback_still_works(app: Dash) -> None:
    resp = _post_callback(app, _search("Redon"))
    assert resp.status_code == 200
    assert "Redon (35)" in resp.get_data(as_text=True)


def test_body_over_the_limit_is_413_and_never_logged(
    app: Dash, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "CORPS-HOSTILE-"
    body = _search(marker * (routes.MAX_BODY_BYTES // len(marker) + 10))
    caplog.set_level(logging.INFO)
    resp = app.server.test_client().post(CALLBACK, json=body)
    _assert_short(resp, 413)
    assert "volumineuse" in resp.get_data(as_text=True)
    assert marker not in caplog.text and len(caplog.text) < 1000


def test_limit_leaves_room_for_the_largest_legitimate_body(app: Dash) -> None:
    """A callback body of 100 kB (twice the largest measured, a région's geometry
    on a national view) is accepted."""
    body = _search("Redon")
    body["inputs"][0]["padding"] = "x" * 100_000
    assert app.server.config["MAX_CONTENT_LENGTH"] == routes.MAX_BODY_BYTES
    assert _post_callback(app, body).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"{pas du json",
        b"[1, 2]",
        b"{}",
        b'{"output": "inconnu.children", "outputs": {"id": "inconnu", "property": '
        b'"children"}, "inputs": [], "changedPropIds": []}',
        # issue 13 re-run: 1000-deep nesting was a 500 (RecursionError in the parser)
        b'{"output": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    ],
    ids=["bad-json", "not-an-object", "no-output", "unknown-output", "nested-1000"],
)
def test_malformed_callback_is_400(
    app: Dash, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    resp = app.server.test_client().post(CALLBACK, data=body, content_type="application/json")
    _assert_short(resp, 400)
    refused = [r for r in caplog.records if r.name == routes.__name__]
    assert len(refused) == 1 and refused[0].exc_info is None
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    "change",
    [
        {"outputs": []},
        {"outputs": {"id": ids.SEARCH_RESULTS}},
        {"inputs": []},
        {"inputs": [{"property": "value", "value": "x"}]},
        {"inputs": "x"},
        {"state": [{"id": "a", "property": "b"}]},
        {"changedPropIds": [1]},
    ],
)
def test_callback_of_the_wrong_shape_is_400(app: Dash, change: dict[str, Any]) -> None:
    resp = app.server.test_client().post(CALLBACK, json=_search("Redon") | change)
    _assert_short(resp, 400)


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../etc/passwd",
        "/assets/..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/dash/inconnu.js",
        "/_dash-component-suites/inconnu/x.js",
        "/_territoires/geo/inconnu.geojson",
        "/_territoires/canvas/inconnu.bin",
        "/_territoires/canvas/inconnu.geojson",
    ],
)
def test_traversal_and_unknown_files_are_404(
    app: Dash, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.INFO)
    resp = app.server.test_client().get(path)
    _assert_short(resp, 404)
    assert "root:" not in resp.get_data(as_text=True)
    assert not any(r.exc_info for r in caplog.records)
    assert len([r for r in caplog.records if r.name == routes.__name__]) == 1
