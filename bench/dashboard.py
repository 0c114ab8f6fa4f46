"""Dashboard speed figures, measured against a running server.

    .venv/bin/python bench/dashboard.py --url http://127.0.0.1:8050 [--fr-db data/fr.duckdb]
    .venv/bin/python bench/dashboard.py --db data/territoires.duckdb   # starts its own server

Prints, with the budgets of issue 5:

* geometry payload of the commune level (gzip on the wire, and raw GeoJSON):
  dep:35 < 1.5 MB; all French communes (``--fr-db``: a temporary server is started
  on that warehouse) < 8 MB;
* indicator switch, server time: the map callback replayed over HTTP for indicators
  never computed before (cold) and again (warm), < 300 ms;
* first map paint in headless Chromium (Debian ``/usr/bin/chromium``): navigation
  start to the first commune drawn, cold browser cache, < 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FEATURES = "path.territoires-area"
MB = 1_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(db: Path) -> Iterator[str]:
    """``dashboards.serve.serve`` on a free port, in a subprocess."""
    port = _free_port()
    code = f"from dashboards.serve import serve; serve({str(db)!r}, port={port})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"serveur non démarré pour {db}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def geometry_payload(url: str, level: str = "commune") -> tuple[int, int, int, float]:
    """(gzip bytes, raw bytes, features, seconds of the first request)."""
    req = urllib.request.Request(
        f"{url}/_territoires/geo/{level}.geojson", headers={"Accept-Encoding": "gzip"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as resp:
        body = resp.read()
        encoded = resp.headers.get("Content-Encoding") == "gzip"
    seconds = time.perf_counter() - start
    raw = gzip.decompress(body) if encoded else body
    return len(body), len(raw), len(json.loads(raw)["features"]), seconds


def _browser() -> Any:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    return pw, pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def first_paint(browser: Any, url: str, runs: int = 3) -> list[float]:
    """Seconds from navigation start to the first feature drawn (fresh context each run)."""
    out = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector(FEATURES, state="attached", timeout=120_000)
        out.append(time.perf_counter() - start)
        context.close()
    return out


def capture_switch(browser: Any, url: str, indicator: str) -> dict[str, Any]:
    """The JSON body the browser posts when the user picks ``indicator``."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector(FEATURES, state="attached", timeout=120_000)
    with page.expect_request(
        lambda r: "_dash-update-component" in r.url and "choropleth.hideout" in (r.post_data or "")
    ) as info:
        page.click("#indicator")
        page.fill(".dash-dropdown-search", indicator)
        page.locator(".dash-dropdown-option").first.click()
    body = json.loads(info.value.post_data or "{}")
    context.close()
    return body


def replay(url: str, body: dict[str, Any], indicator: str) -> float:
    """Seconds for the map callback with another indicator (localhost round trip)."""
    payload = json.loads(json.dumps(body))
    for item in payload["inputs"]:
        if item.get("id") == "indicator" and item.get("property") == "value":
            item["value"] = indicator
    payload["changedPropIds"] = ["indicator.value"]
    req = urllib.request.Request(
        f"{url}/_dash-update-component",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"réponse {resp.status}")
    return time.perf_counter() - start


def indicator_ids(db: Path) -> list[str]:
    from dashboards import queries

    return [i.id for i in queries.indicators(queries.open_warehouse(db))]


def report(name: str, value: float, budget: float, unit: str) -> None:
    verdict = "ok" if value < budget else "HORS BUDGET"
    print(f"  {name:<52s} {value:10.3f} {unit:<3s} (budget < {budget:g} {unit}) {verdict}")


def bench(url: str, db: Path | None, fr_db: Path | None, switches: int) -> None:
    print(f"Serveur : {url}")
    gz, raw, n, secs = geometry_payload(url)
    print(f"Géométrie des communes ({n} entités, 1re requête {secs:.2f} s) :")
    report("charge utile transférée (gzip)", gz / MB, 1.5, "MB")
    print(f"  {'GeoJSON brut (décompressé)':<52s} {raw / MB:10.3f} MB")
    pw, browser = _browser()
    try:
        paints = first_paint(browser, url)
        report(
            "premier affichage de la carte (Chromium, médiane)", statistics.median(paints), 3.0, "s"
        )
        print(f"  {'  essais':<52s} {', '.join(f'{p:.2f}' for p in paints)} s")
        if db is not None:
            ids = [i for i in indicator_ids(db) if i != "density"][:switches]
            body = capture_switch(browser, url, "Densité de population")
            cold = [replay(url, body, i) for i in ids]
            warm = [replay(url, body, i) for i in ids]
            print(f"Changement d'indicateur ({len(ids)} indicateurs, aller-retour localhost) :")
            report("à froid, médiane", statistics.median(cold) * 1000, 300, "ms")
            report("à froid, maximum", max(cold) * 1000, 300, "ms")
            report("en cache, médiane", statistics.median(warm) * 1000, 300, "ms")
        else:
            print("Changement d'indicateur : donner --db (liste des indicateurs) pour le mesurer")
        if fr_db is not None:
            with server(fr_db) as fr_url:
                gz, raw, n, secs = geometry_payload(fr_url)
                print(f"France entière ({n} communes, 1re requête {secs:.1f} s) :")
                report("charge utile transférée (gzip)", gz / MB, 8.0, "MB")
                print(f"  {'GeoJSON brut (décompressé)':<52s} {raw / MB:10.3f} MB")
                fr_paint = first_paint(browser, fr_url, runs=1)[0]
                print(f"  {'premier affichage (Chromium, sans budget)':<52s} {fr_paint:10.3f} s")
    finally:
        browser.close()
        pw.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="serveur en marche (ex. http://127.0.0.1:8050)")
    p.add_argument("--db", type=Path, help="entrepôt servi (démarre un serveur si pas d'--url)")
    p.add_argument("--fr-db", type=Path, help="entrepôt France entière (serveur temporaire)")
    p.add_argument("--switches", type=int, default=20, help="indicateurs testés (défaut 20)")
    args = p.parse_args()
    if args.url:
        bench(args.url.rstrip("/"), args.db, args.fr_db, args.switches)
    elif args.db:
        with server(args.db) as url:
            bench(url, args.db, args.fr_db, args.switches)
    else:
        p.error("--url ou --db requis")


if __name__ == "__main__":
    main()
