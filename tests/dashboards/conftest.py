"""Warehouses and a live server for the dashboard tests.

``dash_db``: dep:35 built offline from the mirror with the build steps (travel
times, indicators); ``base_db``: the same without them (the dashboard must then say
what it cannot show); ``secret_db``: a copy of ``dash_db`` in which a few commune
cells of :data:`SECRET_INDICATOR` are secret and one is NULL (no ESS in the offline
mirror, so secrecy is simulated on a copy, never on the shared file).
``live_server``: ``dashboards.serve.serve`` in a subprocess on 127.0.0.1 and a free
port; ``secret_server``: the same on ``secret_db``. ``page``: headless Debian
Chromium through Playwright, failing the test on any page error, CSP violation or
request leaving localhost (pages of either server).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from indicators.standings_step import refresh_standings
from warehouse.build import BuildReport
from warehouse.gate import connect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def basket_size(db: Path) -> int:
    """Items of the everyday basket the warehouse's service types meet (the "sur N" of
    the basket scores)."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT count(DISTINCT basket_item) FROM service_types WHERE basket_item IS NOT NULL"
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="session")
def dash_db(dep35_built: BuildReport) -> Path:
    """dep:35 with every build step (travel times, indicators, ...)."""
    return Path(dep35_built.db_path)


@pytest.fixture(scope="session")
def base_db(dep35_base: BuildReport) -> Path:
    """dep:35 base tables only (no travel times, no indicator tables)."""
    return Path(dep35_base.db_path)


SECRET_INDICATOR = "score_15min__walk"
SECRET_CODES = ("35236", "35001", "35002")  # Redon and two communes: secret cells
MISSING_CODE = "35003"  # a NULL cell that is not secret: "non disponible"


@pytest.fixture(scope="session")
def secret_db(dash_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``dash_db`` with secret cells (value NULL, secret true) and one
    missing cell for :data:`SECRET_INDICATOR` at commune level."""
    path = tmp_path_factory.mktemp("secret") / "secret.duckdb"
    shutil.copy(dash_db, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "UPDATE indicator_values SET secret = true, value = NULL, numerator = NULL, "
            "denominator = NULL WHERE indicator_id = ? AND level = 'commune' "
            "AND list_contains(?, code)",
            [SECRET_INDICATOR, list(SECRET_CODES)],
        )
        con.execute(
            "UPDATE indicator_values SET secret = false, value = NULL, numerator = NULL "
            "WHERE indicator_id = ? AND level = 'commune' AND code = ?",
            [SECRET_INDICATOR, MISSING_CODE],
        )
        refresh_standings(con)  # the portrait reads the standings of the values
    finally:
        con.close()
    return path


# A 2 km square on La Réunion (lat -21.1, lon 55.5): only a shape to extend the build.
OVERSEAS_SQUARE = "POLYGON((55.50 -21.10, 55.52 -21.10, 55.52 -21.08, 55.50 -21.08, 55.50 -21.10))"
OVERSEAS_NAME = "Essai outre-mer"


@pytest.fixture(scope="session")
def overseas_db(dash_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``dash_db`` with one made-up overseas commune and département
    (test geometry, no figures): a build holding mainland and overseas territories."""
    path = tmp_path_factory.mktemp("overseas") / "mixed.duckdb"
    shutil.copy(dash_db, path)
    con = connect(path)
    try:
        for level, code in (("commune", "97411"), ("departement", "974")):
            con.execute(
                "INSERT INTO territories (level, code, name, dep_code, reg_code, complete, "
                "epsg, geom_display) VALUES (?, ?, ?, '974', '04', true, 2975, "
                "ST_GeomFromText(?))",
                [level, code, OVERSEAS_NAME, OVERSEAS_SQUARE],
            )
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def overseas_server(overseas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development server on the mixed mainland + overseas copy."""
    yield from _serve(overseas_db, tmp_path_factory)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development server (debug off) on ``db``, on 127.0.0.1, in its own process."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    code = f"from dashboards.serve import serve; serve({str(db)!r}, port={port})"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc, log)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(dash_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development server on the dep:35 build."""
    yield from _serve(dash_db, tmp_path_factory)


@pytest.fixture(scope="session")
def transit_server(
    dep24_built: BuildReport, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The development server on the Dordogne build (GTFS stops loaded)."""
    yield from _serve(Path(dep24_built.db_path), tmp_path_factory)


@pytest.fixture(scope="session")
def secret_server(secret_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development server on the copy with secret cells."""
    yield from _serve(secret_db, tmp_path_factory)


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"le serveur s'est arrêté :\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"le serveur n'a pas répondu en {timeout} s :\n{log.read_text()}")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium through Playwright (``make chromium`` installs it)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} absent : lancer `make chromium` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What a page did wrong: errors, CSP violations, requests off localhost."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        self.requests: list[str] = []


@pytest.fixture(scope="session")
def dash10_db(dep35_threshold10: BuildReport) -> Path:
    """dep:35 with every build step at ``--threshold 10``."""
    return Path(dep35_threshold10.db_path)


@pytest.fixture(scope="session")
def threshold10_server(dash10_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development server on the ``--threshold 10`` build."""
    yield from _serve(dash10_db, tmp_path_factory)


@pytest.fixture
def page(chromium: object, live_server: str) -> Iterator[object]:
    yield from _checked_page(chromium)


@pytest.fixture
def page10(chromium: object, threshold10_server: str) -> Iterator[object]:
    """A checked page (as ``page``) for the ``--threshold 10`` server."""
    yield from _checked_page(chromium)


@pytest.fixture
def phone(chromium: object, live_server: str) -> Iterator[object]:
    """A checked page (as ``page``) on a 390x844 touch phone."""
    yield from _checked_page(
        chromium, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def _checked_page(chromium: object, **options: object) -> Iterator[object]:
    settings: dict[str, object] = {"viewport": {"width": 1440, "height": 1000}, **options}
    context = chromium.new_context(  # type: ignore[attr-defined]
        accept_downloads=True, locale="fr-FR", **settings
    )
    pg = context.new_page()
    problems = PageProblems()
    pg.on("pageerror", lambda e: problems.errors.append(f"pageerror: {e}"))
    pg.on(
        "console",
        lambda m: (
            problems.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        ),
    )

    def _request(req: object) -> None:
        url = req.url  # type: ignore[attr-defined]
        problems.requests.append(url)
        if url.startswith(("http://", "https://", "ws://", "wss://")):
            problems.hosts.add(urlsplit(url).hostname or "")

    pg.on("request", _request)
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert problems.errors == [], problems.errors
    assert problems.hosts <= {"127.0.0.1"}, f"requêtes hors de localhost : {problems.hosts}"
