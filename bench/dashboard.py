"""Dashboard speed, measured end to end in headless Chromium (what the user waits for).

    .venv/bin/python bench/dashboard.py --db /tmp/fr.duckdb [--db data/territoires.duckdb]
    .venv/bin/python bench/dashboard.py --db data/territoires.duckdb --switches 8

For each warehouse a server is started (``dashboards.serve.serve``, the development
server, one process) and measured against the budgets of issue 12 (national build,
desktop 1440x900, no throttling):

* server start: process spawn to the first page answered (< 5 s) and its resident
  memory then and at the end (< 1 GB, ``VmRSS`` / ``VmHWM`` of /proc);
* responses compressed: the JavaScript bundles and a callback answer carry
  ``Content-Encoding``;
* first map paint: navigation to the first territory drawn, cold browser cache
  (< 3 s), and the bytes transferred (Chrome DevTools ``encodedDataLength``);
* indicator switch: from the click on another indicator in the picker until the legend
  shows it and every territory is restyled, timed in the page (< 500 ms, < 300 KB
  transferred); the table twin below the map (updated after the map is painted) and
  the moment nothing loads any more (permalink, page title) are timed apart;
* level switch: EPCI -> département -> commune -> département, from the click until
  the new level's territories are on screen in its colours, timed in the page
  (``body[data-map-shown]``, set on the frame after they are; < 1 s); the table twin
  and the idle page apart;
* portrait of a commune and of an EPCI, opened from its URL and within the app: from
  the navigation until its first table is in the page, timed in the page (< 1 s); the
  moment nothing loads any more (permalink, page title) apart.

Every figure is wall time in the browser, including transfer, JSON parsing and drawing.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Territories of the choropleth on the map (assets/territoires_map.js, SVG or canvas).
FEATURES = "() => Number(document.body.dataset.mapAreas || 0) > 0"
KB, MB = 1_000, 1_000_000
# Nothing of Dash is waiting for an answer and the loading bar is gone.
IDLE_JS = """() => !document.querySelector('[data-dash-is-loading="true"]')
    && !document.body.classList.contains('territoires-busy')"""


# Records when a portrait table first appears in #portrait-body (performance.now(),
# ms since the navigation started), installed before the page's own scripts.
PORTRAIT_SHOWN_JS = """
window.__portraitShownAt = 0;
new MutationObserver(() => {
  if (!window.__portraitShownAt && document.querySelector('#portrait-body table')) {
    window.__portraitShownAt = performance.now();
  }
}).observe(document, {childList: true, subtree: true});
"""


@dataclass
class Server:
    url: str
    pid: int
    start_s: float
    rss_start_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_mb(pid: int, key: str) -> float:
    """``VmRSS``/``VmHWM`` of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024 / MB
    return float("nan")


@contextlib.contextmanager
def server(db: Path) -> Iterator[Server]:
    """The development server on a free port; times its start."""
    port = _free_port()
    code = f"from dashboards.serve import serve; serve({str(db)!r}, port={port})"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"serveur non démarré pour {db}") from None
                time.sleep(0.1)
        srv = Server(url, proc.pid, time.perf_counter() - start)
        srv.rss_start_mb = _status_mb(proc.pid, "VmRSS")
        yield srv
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Meter:
    """Bytes received by one page (DevTools Network events, encoded = on the wire) and
    the ``Content-Encoding`` of each response."""

    def __init__(self, page: Any) -> None:
        self.bytes = 0
        self.responses: dict[str, tuple[str, str]] = {}  # request id -> (url, encoding)
        self.sizes: dict[str, int] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.responseReceived", self._response)

    def _finished(self, event: dict[str, Any]) -> None:
        size = int(event.get("encodedDataLength", 0))
        self.bytes += size
        self.sizes[event.get("requestId", "")] = size

    def _response(self, event: dict[str, Any]) -> None:
        resp = event.get("response", {})
        headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
        self.responses[event.get("requestId", "")] = (
            resp.get("url", ""),
            headers.get("content-encoding", ""),
        )

    def encodings(self, part: str, min_bytes: int = 2_000) -> list[str]:
        """Encodings of the responses whose URL holds ``part`` and over ``min_bytes``."""
        return [
            enc or "aucune"
            for rid, (url, enc) in self.responses.items()
            if part in url and self.sizes.get(rid, 0) >= min_bytes
        ]

    def take(self) -> int:
        out, self.bytes = self.bytes, 0
        return out


def _idle(page: Any, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=20)


def _legend_says(page: Any, label: str, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "(l) => (document.getElementById('legend') || {}).innerText?.includes(l)",
        arg=label,
        timeout=timeout_ms,
        polling=20,
    )


def _drawn(page: Any, n: int, level: str | None = None, timeout_ms: int = 120_000) -> None:
    """``n`` territories drawn (choropleth areas on the map, SVG or canvas), coloured
    by the classes of ``level`` when given (assets/territoires_map.js markColoured:
    the geometry and the classes of a new level travel in parallel)."""
    page.wait_for_function(
        """([n, level]) => Number(document.body.dataset.mapAreas || 0) === n
            && (!level || document.body.dataset.mapLevel === level)""",
        arg=[n, level],
        timeout=timeout_ms,
        polling=20,
    )


def _counts(db: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT level, count(*) FROM territories WHERE geom_display IS NOT NULL GROUP BY level"
        ).fetchall()
    return {str(level): int(n) for level, n in rows}


def _indicator_labels(db: Path, n: int, *, second: bool = False) -> list[str]:
    """``n`` indicators spread over the list (``second``: others, half a step on)."""
    from dashboards import queries

    wh = queries.open_warehouse(db)
    labels = [i.label for i in queries.indicators(wh) if i.id != "density"]
    step = max(2, len(labels) // n)
    return labels[step // 2 if second else 0 :: step][:n]


def _one(db: Path, level: str) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT code FROM territories WHERE level = ? AND complete ORDER BY code LIMIT 1",
            [level],
        ).fetchone()
    return str(row[0]) if row else ""


def report(name: str, value: float, budget: float | None, unit: str) -> None:
    if budget is None:
        print(f"  {name:<50s} {value:10.2f} {unit}")
        return
    verdict = "ok" if value < budget else "HORS BUDGET"
    print(f"  {name:<50s} {value:10.2f} {unit:<3s} (budget < {budget:g} {unit}) {verdict}")


def _switch_indicators(
    page: Any, meter: Meter, labels: list[str], later: dict[str, list[float]] | None = None
) -> tuple[list, list]:
    """Pick each indicator in the picker: (milliseconds from the click until the legend
    shows it and every territory is restyled, measured in the page; bytes transferred)
    of each. ``later`` receives, in ms, when the table twin below the map holds the
    new rows (``"table"``: handed over after the map is painted,
    assets/territoires_map.js gridRows) and when nothing loads any more (``"idle"``:
    the permalink and page title follow the view)."""
    times: list[float] = []
    sizes: list[int] = []
    for label in labels:
        page.click("#indicator")
        page.fill(".dash-dropdown-search", label)
        option = page.locator(".dash-dropdown-option", has_text=label).first
        option.wait_for()
        meter.take()
        clicked = page.evaluate(
            """() => {
              if (window.__legendWatch) window.__legendWatch.disconnect();
              window.__legendAt = 0;
              window.__legendWatch = new MutationObserver(
                () => { window.__legendAt = Date.now(); });
              window.__legendWatch.observe(document.getElementById('legend'),
                {childList: true, subtree: true, characterData: true});
              return Date.now();
            }"""
        )
        t0 = time.perf_counter()
        option.click()
        _legend_says(page, label)
        # every territory restyled (assets/territoires_map.js restyle)
        page.wait_for_function(
            "(t) => Number(document.body.dataset.mapStyled || 0) >= t",
            arg=clicked,
            polling=20,
        )
        done = page.evaluate(
            "() => Math.max(window.__legendAt, Number(document.body.dataset.mapStyled))"
        )
        times.append((done - clicked) / 1000)
        if later is not None:
            page.wait_for_function(
                "(t) => Number(document.body.dataset.gridRows || 0) >= t", arg=clicked, polling=20
            )
            table_at = page.evaluate("() => Number(document.body.dataset.gridRows)")
            later.setdefault("table", []).append((table_at - clicked) / 1000)
        _idle(page)
        later_idle = time.perf_counter() - t0
        if later is not None:
            later.setdefault("idle", []).append(later_idle)
        sizes.append(meter.take())
    return times, sizes


def _report_later(later: dict[str, list[float]]) -> None:
    report(
        "  tableau sous la carte à jour (médiane)",
        statistics.median(later["table"]) * 1000,
        None,
        "ms",
    )
    report(
        "  page au repos (médiane, vu de Playwright)",
        statistics.median(later["idle"]) * 1000,
        None,
        "ms",
    )


def bench_db(browser: Any, db: Path, switches: int) -> None:
    counts = _counts(db)
    print(f"\n== {db} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    with server(db) as srv:
        report("démarrage du serveur", srv.start_s, 5.0, "s")
        report("mémoire résidente au démarrage", srv.rss_start_mb, 1000, "MB")
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        meter = Meter(page)
        start = time.perf_counter()
        page.goto(srv.url + "/")
        page.wait_for_function(FEATURES, timeout=300_000, polling=20)
        paint = time.perf_counter() - start
        # the level the map opens on (dashboards/router.py default_level)
        opened = page.evaluate("new URLSearchParams(window.location.search).get('level')")
        _drawn(page, counts[opened], opened, 300_000)
        _idle(page)
        complete = time.perf_counter() - start
        report(f"premier affichage de la carte (niveau {opened})", paint, 3.0, "s")
        report(f"  tous les territoires dessinés ({counts[opened]})", complete, None, "s")
        report("  octets transférés", meter.take() / KB, None, "kB")
        js = meter.encodings(".js")
        print(f"  scripts de plus de 2 kB : {len(js)}, encodages {sorted(set(js))}")

        later: dict[str, list[float]] = {}
        times, sizes = _switch_indicators(page, meter, _indicator_labels(db, switches), later)
        answers = meter.encodings("_dash-update-component")
        print(f"Changement d'indicateur, niveau {opened} ({len(times)} indicateurs) :")
        report("durée médiane (carte et légende)", statistics.median(times) * 1000, 500, "ms")
        _report_later(later)
        report("durée maximale", max(times) * 1000, None, "ms")
        report("octets transférés (médiane)", statistics.median(sizes) / KB, 300, "kB")
        print(f"  réponses de plus de 2 kB : {len(answers)}, encodages {sorted(set(answers))}")

        print("Changement de niveau :")
        for level, label in (
            ("epci", "EPCI"),
            ("departement", "Départements"),
            ("commune", "Communes"),
            ("departement", "Départements"),
        ):
            if level not in counts or level == opened:
                continue  # already shown
            opened = level
            meter.take()
            clicked = page.evaluate("Date.now()")
            t0 = time.perf_counter()
            page.locator("#level label", has_text=label).first.click()
            _drawn(page, counts[level], level)
            page.wait_for_function(
                "(t) => Number(document.body.dataset.mapShown || 0) >= t", arg=clicked, polling=20
            )
            shown = page.evaluate("() => Number(document.body.dataset.mapShown)")
            page.wait_for_function(
                "(t) => Number(document.body.dataset.gridRows || 0) >= t", arg=clicked, polling=20
            )
            table_at = page.evaluate("() => Number(document.body.dataset.gridRows)")
            _idle(page)
            idle = time.perf_counter() - t0
            report(
                f"vers {label} ({counts[level]} territoires)", (shown - clicked) / 1000, 1.0, "s"
            )
            report("  tableau sous la carte à jour", (table_at - clicked) / 1000, None, "s")
            report("  page au repos (vu de Playwright)", idle, None, "s")
            report("  octets transférés", meter.take() / KB, None, "kB")
        if counts.get("commune", 0) > 1000 and "commune" in counts:
            page.locator("#level label", has_text="Communes").first.click()
            _drawn(page, counts["commune"], "commune")
            _idle(page)
            labels = _indicator_labels(db, switches, second=True)
            later.clear()
            times, sizes = _switch_indicators(page, meter, labels, later)
            print(f"Changement d'indicateur, niveau commune ({len(times)} indicateurs) :")
            report("durée médiane (carte et légende)", statistics.median(times) * 1000, 500, "ms")
            _report_later(later)
            report("octets transférés (médiane)", statistics.median(sizes) / KB, 300, "kB")
        context.close()

        print("Portrait ouvert par son adresse :")
        for level in ("commune", "epci"):
            code = _one(db, level)
            if not code:
                continue
            ctx = browser.new_context(viewport={"width": 1440, "height": 900})
            # the moment the portrait's first table is in the page (ms since navigation)
            ctx.add_init_script(PORTRAIT_SHOWN_JS)
            p = ctx.new_page()
            m = Meter(p)
            # the shell first (cached assets, as a user coming from the map), then the portrait
            p.goto(srv.url + "/donnees")
            _idle(p)
            m.take()
            territory = code if level == "commune" else f"{level}:{code}"
            t0 = time.perf_counter()
            p.goto(f"{srv.url}/portrait?territory={territory}")
            p.wait_for_selector("#portrait-body table", timeout=300_000)
            shown = p.evaluate("() => window.__portraitShownAt") / 1000
            _idle(p)
            report(f"portrait {level} {code} affiché", shown, 1.0, "s")
            report("  page au repos (vu de Playwright)", time.perf_counter() - t0, None, "s")
            report("  octets transférés", m.take() / KB, None, "kB")
            # within the app (the page already open, as from the map's "Ouvrir le
            # portrait complet"): the address changes without reloading Dash
            p.goto(srv.url + "/donnees")
            _idle(p)
            m.take()
            t0 = time.perf_counter()
            started = p.evaluate(
                """(u) => { window.__portraitShownAt = 0; const t = performance.now();
                           window.history.pushState({}, '', u);
                           window.dispatchEvent(new PopStateEvent('popstate')); return t; }""",
                f"/portrait?territory={territory}",
            )
            p.wait_for_function("() => window.__portraitShownAt > 0", timeout=300_000)
            shown = (p.evaluate("() => window.__portraitShownAt") - started) / 1000
            _idle(p)
            report("  dans l'application (sans recharger), affiché", shown, 1.0, "s")
            report("    page au repos (vu de Playwright)", time.perf_counter() - t0, None, "s")
            report("  octets transférés", m.take() / KB, None, "kB")
            ctx.close()
        report("mémoire résidente à la fin", _status_mb(srv.pid, "VmRSS"), 1000, "MB")
        report("mémoire résidente maximale", _status_mb(srv.pid, "VmHWM"), 1000, "MB")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, action="append", required=True, help="entrepôt (répétable)")
    p.add_argument("--switches", type=int, default=6, help="indicateurs essayés (défaut 6)")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for db in args.db:
                bench_db(browser, db, args.switches)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
