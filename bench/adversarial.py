"""Adversarial test of Territoires: re-runnable, prints one line per try and a summary.

Run from the repository root (about 10-20 minutes on 2 cores)::

    .venv/bin/python bench/adversarial.py --mirror ../shared/data
    .venv/bin/python bench/adversarial.py --mirror ../shared/data --only mirror,exports

Categories (the same as the adversarial test of issue 13):

1. ``mirror``: corrupted mirror files. The files a build reads are copied (hard links)
   from ``--mirror`` into a temporary folder; for each source file one mutation at a
   time (cut at a line boundary, header only, empty, random bytes, wrong encoding,
   duplicated rows, swapped lat/lon, out-of-France / infinite coordinates, out-of-range
   values, one byte changed under a pinned checksum) and ``territoires build`` on a
   copy of a good warehouse. Handled: exit != 0 with a French message naming the
   source, no traceback, the previous warehouse byte-identical (sha256) and no
   temporary file left; or exit 0 with a new warning naming the source in the log, or
   a warehouse identical in content to the good one (the mutation had no effect).
2. ``process``: kill -9 during builds, concurrent builds on one ``--db``, ``--db`` a
   folder / a CSV / under a file / on a read-only file system, mistyped ``--mirror``,
   bad territories and numeric options.
3. ``exports``: ``--out`` equal to ``--db``, missing folder, ``..``, unknown level /
   theme / format / territory, names starting with ``= + - @ TAB CR`` (cells of the
   CSV and XLSX checked), kill -9 during an export (no temporary file left).
4. ``dashboard``: gunicorn (``--production``) and the development server on a copy of
   the warehouse: malformed callback bodies, bodies over 1 MiB, path traversal,
   SQL-injection and XSS strings in every URL parameter and in the search box,
   unknown indicators, a rebuilt warehouse while serving, load (requests at 50 and 200
   concurrent: errors, p50/p95), security headers on every response.
5. ``secrecy``: the hand-written Sirene fixtures (``tests/fixtures/sirene/dep35``)
   on warehouses of dep:35 and of Rennes Métropole; the attackers of
   ``tests/indicators/test_secrecy.py`` (subtraction, null space) and a linear
   programme (bounds of each blank with non-negative cells) on the union of what
   both publish; shared cells must be identical.

Everything is written under one temporary folder, removed at the end (``--keep`` keeps
it); servers started here are stopped. Exit status 0 whatever is found.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import csv
import hashlib
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
TERRITOIRES = str(BIN / "territoires") if (BIN / "territoires").exists() else "territoires"
PY = str(BIN / "python") if (BIN / "python").exists() else sys.executable
EPCI = "epci:243500139"
CATEGORIES = ("mirror", "process", "exports", "dashboard", "secrecy")
FRENCH = re.compile(
    r"entrepôt|source|fichier|ligne|inconnu|erreur|introuvable|dossier|invalide|"
    r"construction|somme de contrôle|territoire|attendu|refus",
    re.IGNORECASE,
)
RNG = random.Random(20260613)


# ----------------------------------------------------------------------------- report


@dataclass
class Report:
    rows: list[tuple[str, str, str, bool, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, cat: str, what: str, expected: str, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.rows.append((cat, what, expected, ok, detail))
            outcome = "handled" if ok else "DEFECT"
            line = f"[{cat}] {what} | expected: {expected} | {outcome}"
            if detail:
                line += f" ({detail})"
            print(line, flush=True)

    def summary(self) -> str:
        out = [f"{'category':<10} {'tried':>6} {'handled':>8} {'defects':>8}"]
        total = [0, 0, 0]
        for cat in CATEGORIES:
            rows = [r for r in self.rows if r[0] == cat]
            if not rows:
                continue
            ok = sum(r[3] for r in rows)
            out.append(f"{cat:<10} {len(rows):>6} {ok:>8} {len(rows) - ok:>8}")
            total = [total[0] + len(rows), total[1] + ok, total[2] + len(rows) - ok]
        out.append(f"{'total':<10} {total[0]:>6} {total[1]:>8} {total[2]:>8}")
        return "\n".join(out)


REPORT = Report()


def short(text: str, n: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Run:
    rc: int
    out: str
    seconds: float

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.out


def run(args: list[str], env: dict[str, str], timeout: float = 600) -> Run:
    started = time.perf_counter()
    proc = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=timeout, cwd=env["ADV_CWD"]
    )
    return Run(proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - started)


def leftovers(folder: Path) -> list[str]:
    """Temporary files beside a warehouse or an export (the lock file is permanent)."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if (p.name.startswith(".") and not p.name.endswith(".lock")) or ".tmp" in p.name
    )


# ----------------------------------------------------------------------------- context


@dataclass
class Ctx:
    tmp: Path
    mirror: Path
    env: dict[str, str]
    good_mirror: Path = Path()
    good_db: Path = Path()
    good_sha: str = ""
    good_warnings: frozenset[str] = frozenset()
    good_print: str = ""
    files: dict[str, tuple[str, Path]] = field(default_factory=dict)  # rel -> (source, path)
    extra: dict[str, Path] = field(default_factory=dict)  # companion files, not mutated
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh(self, name: str) -> Path:
        with self.lock:
            self.counter += 1
            path = self.tmp / "runs" / f"{self.counter:04d}-{name}"
        path.mkdir(parents=True)
        return path

    def build_args(self, db: Path, mirror: Path | None, *extra: str) -> list[str]:
        args = [TERRITOIRES, "build", "--territory", EPCI, "--db", str(db), "--offline"]
        args += ["--quiet", "--cache", str(db.parent / "cache")]
        if mirror is not None:
            args += ["--mirror", str(mirror)]
        return args + list(extra)


def warnings_of(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.startswith("WARNING")}


def fingerprint(db: Path) -> str:
    """Content of a warehouse that a mutated source could change."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        parts = [
            con.execute("SELECT source, count(*) FROM facilities GROUP BY 1 ORDER BY 1").fetchall(),
            con.execute(
                "SELECT indicator_id, count(value), round(sum(value), 4) FROM indicator_values "
                "GROUP BY 1 ORDER BY 1"
            ).fetchall(),
            con.execute(
                "SELECT level, code, population, density_level FROM territories ORDER BY 1, 2"
            ).fetchall(),
        ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def setup(ctx: Ctx) -> None:
    """Copy (hard-link) the mirror files the catalogue names and build a good warehouse."""
    from etl.catalogue import load_catalogue

    catalogue = load_catalogue()
    names = {s.filename: s.name for s in catalogue.values() if getattr(s, "filename", None)}
    good = ctx.tmp / "mirror_good"
    for path in sorted(ctx.mirror.rglob("*")):
        if path.is_file() and path.name in names:
            rel = path.relative_to(ctx.mirror)
            dest = good / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            ctx.files[str(rel)] = (names[path.name], dest)
    # Companion files of a matched file (a GTFS feed is a folder of several files):
    # copied too, never mutated.
    for rel_text in list(ctx.files):
        folder = ctx.mirror / Path(rel_text).parent
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(ctx.mirror)
            if path.is_file() and str(rel) not in ctx.files and str(rel) not in ctx.extra:
                (good / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, good / rel)
                ctx.extra[str(rel)] = good / rel
    ctx.good_mirror = good
    print(f"# mirror copy: {len(ctx.files)} file(s) of the catalogue: {sorted(ctx.files)}")
    folder = ctx.tmp / "good"
    folder.mkdir()
    ctx.good_db = folder / "good.duckdb"
    r = run(ctx.build_args(ctx.good_db, good), ctx.env)
    if r.rc != 0:
        raise SystemExit(f"the reference build failed:\n{r.out}")
    ctx.good_sha = sha256(ctx.good_db)
    ctx.good_warnings = frozenset(warnings_of(r.out))
    ctx.good_print = fingerprint(ctx.good_db)
    print(f"# reference build of {EPCI}: {r.seconds:.1f} s, sha256 {ctx.good_sha[:12]}")


# ----------------------------------------------------------------------------- 1. mirror


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _csv_rewrite(
    data: bytes, sep: str, encoding: str, change: Callable[[dict[str, str]], dict[str, str] | None]
) -> bytes:
    text = data.decode(encoding)
    bom = text.startswith("\ufeff")
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], delimiter=sep)
    writer.writeheader()
    for row in reader:
        new = change(row)
        if new is not None:
            writer.writerow(new)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


# Coordinates of the facility files: (lat column, lon column, commune column, combined).
COORDS = {
    "laposte_poincont2.csv": ("Latitude", "Longitude", "Code_INSEE", "latlong"),
    "liste-fs-20240801.csv": ("latitude", "longitude", "insee_com", None),
    "fr-en-annuaire-education.csv": ("latitude", "longitude", "Code_commune", None),
    "liste-des-gares.csv": ("y_wgs84", "x_wgs84", "departemen", None),
}


def _in35(row: dict[str, str], col: str) -> bool:
    value = (row.get(col) or "").strip()
    return value.startswith("35") or value.upper() == "ILLE-ET-VILAINE"


def _coord_mutation(kind: str, lat: str, lon: str, commune: str, combined: str | None):
    def change(row: dict[str, str]) -> dict[str, str]:
        if not _in35(row, commune):
            return row
        if kind == "swap_latlon":
            row[lat], row[lon] = row[lon], row[lat]
        elif kind == "out_of_france":
            row[lat], row[lon] = "40.7128", "-74.0060"
        elif kind == "infinite":
            row[lat], row[lon] = "inf", "-inf"
        elif kind == "huge":
            row[lat], row[lon] = "1e308", "9999"
        if combined and combined in row:
            row[combined] = f"{row[lat]},{row[lon]}"
        return row

    return change


def _geojson_mutation(data: bytes, kind: str) -> bytes:
    doc = json.loads(data)
    feats = doc["features"]
    if kind == "header_only":
        doc["features"] = []
    elif kind == "duplicate_rows":
        doc["features"] = feats + feats
    else:
        for f in feats:
            if not str(f["properties"].get("id_geo", "")).startswith("35"):
                continue
            c = (f.get("geometry") or {}).get("coordinates")
            if not c:
                continue
            if kind == "swap_latlon":
                f["geometry"]["coordinates"] = [c[1], c[0]]
            elif kind == "out_of_france":
                f["geometry"]["coordinates"] = [-74.006, 40.7128]
            elif kind == "infinite":
                f["geometry"]["coordinates"] = [float("inf"), float("-inf")]
            elif kind == "huge":
                f["geometry"]["coordinates"] = [1e308, 9999.0]
    return json.dumps(doc).encode()


def mutations(name: str, data: bytes, pinned: bool, sep: str, encoding: str):
    """(kind, new bytes) for one mirror file."""
    lines = _lines(data)
    yield "truncated_half_at_line", b"".join(lines[: max(2, len(lines) // 2)])
    yield "truncated_10_lines", b"".join(lines[:10])
    yield "empty", b""
    yield "random_bytes", RNG.randbytes(65536)
    text_enc = encoding if encoding != "utf-8" else "utf-8-sig"
    try:
        text = data.decode(text_enc)
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    yield "utf16_encoding", text.encode("utf-16")
    other = "utf-8" if encoding.lower() in ("cp1252", "latin-1") else "cp1252"
    yield f"{other}_encoding", text.encode(other, errors="replace")
    if name.endswith(("json", "geojson")):
        if name.endswith("geojson"):
            yield "header_only", _geojson_mutation(data, "header_only")
            yield "duplicate_rows", _geojson_mutation(data, "duplicate_rows")
            for kind in ("swap_latlon", "out_of_france", "infinite", "huge"):
                yield kind, _geojson_mutation(data, kind)
        else:
            yield "header_only", b"[]"
            yield "duplicate_rows", data.rstrip().rstrip(b"]") + b"," + data.strip()[1:]
    else:
        yield "header_only", lines[0]
        yield "duplicate_rows", lines[0] + b"".join(lines[1:]) * 2
        yield "duplicate_some_rows", lines[0] + b"".join(lines[1:]) + b"".join(lines[1::7])
        if name in COORDS:
            lat, lon, commune, combined = COORDS[name]
            for kind in ("swap_latlon", "out_of_france", "infinite", "huge"):
                change = _coord_mutation(kind, lat, lon, commune, combined)
                yield kind, _csv_rewrite(data, sep, encoding, change)
        if name == "cc_filosofi_2019_COM.CSV":

            def absurd(row: dict[str, str]) -> dict[str, str]:
                if row["CODGEO"].startswith("35"):
                    row["TP6019"], row["MED19"] = "250", "-21000"
                return row

            yield "out_of_range_values", _csv_rewrite(data, sep, encoding, absurd)
    if pinned:
        middle = len(data) // 2
        while middle < len(data) and not chr(data[middle]).isdigit():
            middle += 1
        if middle < len(data):
            digit = b"1" if data[middle : middle + 1] != b"1" else b"2"
            yield "one_digit_changed_pinned_checksum", data[:middle] + digit + data[middle + 1 :]


PINNED_KINDS = ("empty", "random_bytes", "one_digit_changed_pinned_checksum")
OTHER_KINDS = (
    "truncated_half_at_line",
    "header_only",
    "empty",
    "random_bytes",
    "utf16_encoding",
    "duplicate_rows",
    "out_of_range_values",
)
COORDS_ALL = (*COORDS, "fabt_geom.geojson")


def mirror_try(ctx: Ctx, rel: str, source: str, kind: str, content: bytes) -> None:
    folder = ctx.fresh(f"mirror-{Path(rel).name}-{kind}")
    mirror = folder / "mirror"
    for other, path in [*((k, v[1]) for k, v in ctx.files.items()), *ctx.extra.items()]:
        dest = mirror / other
        dest.parent.mkdir(parents=True, exist_ok=True)
        if other == rel:
            dest.write_bytes(content)
        else:
            os.link(path, dest)
    db = folder / "w.duckdb"
    shutil.copyfile(ctx.good_db, db)
    r = run(ctx.build_args(db, mirror), ctx.env)
    names = (source, Path(rel).name)
    what = f"{rel} {kind}"
    expected = "exit!=0 naming the source, db unchanged | exit 0 with a warning"
    left = leftovers(folder)
    if r.rc != 0:
        problems = []
        if r.traceback:
            problems.append("traceback")
        if not any(n in r.out for n in names):
            problems.append("message does not name the source")
        if not FRENCH.search(r.out):
            problems.append("message not in French")
        if sha256(db) != ctx.good_sha:
            problems.append("previous warehouse changed")
        if left:
            problems.append(f"temporary files left: {left}")
        detail = f"exit {r.rc}: {short(r.out.strip().splitlines()[-1] if r.out.strip() else '')}"
        REPORT.add("mirror", what, expected, not problems, "; ".join([*problems, detail]))
    else:
        new = warnings_of(r.out) - ctx.good_warnings
        named = [w for w in new if any(n in w for n in names)]
        same = fingerprint(db) == ctx.good_print
        ok = bool(named) or same
        if named:
            detail = f"exit 0, warning: {short(named[0], 160)}"
        elif same:
            detail = "exit 0, warehouse content identical to the good one (no effect)"
        else:
            detail = "exit 0, warehouse content changed, no warning naming the source" + (
                f"; other new warnings: {short(' / '.join(sorted(new)), 200)}" if new else ""
            )
        if left:
            ok, detail = False, detail + f"; temporary files left: {left}"
        REPORT.add("mirror", what, expected, ok, detail)
    shutil.rmtree(folder, ignore_errors=True)


def cat_mirror(ctx: Ctx, workers: int) -> None:
    from etl.catalogue import load_catalogue

    catalogue = load_catalogue()
    tries = []
    for rel, (source, path) in sorted(ctx.files.items()):
        src = catalogue[source]
        pinned = bool(getattr(src, "sha256", None))
        sep = getattr(src, "separator", None) or ";"
        encoding = getattr(src, "encoding", None) or "utf-8"
        data = path.read_bytes()
        for kind, content in mutations(path.name, data, pinned, sep, encoding):
            if pinned and kind not in PINNED_KINDS:
                continue  # any change is caught by the checksum: three are enough
            if not pinned and path.name not in COORDS_ALL and kind not in OTHER_KINDS:
                continue
            if "_94/" in rel and kind not in ("truncated_half_at_line", "empty"):
                continue  # second extract of a multi source: the first gets every kind
            tries.append((rel, source, kind, content))
    print(f"# mirror: {len(tries)} mutated builds")
    with cf.ThreadPoolExecutor(workers) as pool:
        for f in cf.as_completed([pool.submit(mirror_try, ctx, *t) for t in tries]):
            f.result()


# ----------------------------------------------------------------------------- 2. process


def cat_process(ctx: Ctx) -> None:
    cat = "process"
    env = ctx.env
    # kill -9 at random moments, always on the same warehouse, then a clean build
    folder = ctx.fresh("kill")
    db = folder / "w.duckdb"
    shutil.copyfile(ctx.good_db, db)
    before = ctx.good_sha
    for i in range(6):
        delay = RNG.uniform(0.5, 20.0)
        proc = subprocess.Popen(
            ctx.build_args(db, ctx.good_mirror, "--accept-loss"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=env["ADV_CWD"],
        )
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            finished = False
        after = sha256(db)
        if finished:
            ok = proc.returncode == 0
            REPORT.add(cat, f"kill -9 #{i + 1} at {delay:.1f}s", "build finished first", ok)
            before = after
            continue
        # killed: the warehouse is the previous one (or, if killed after the swap, a
        # complete new one that opens)
        ok = after == before
        detail = "previous warehouse byte-identical" if ok else "warehouse changed"
        if not ok:
            with contextlib.suppress(Exception):
                fingerprint(db)
                ok, detail = True, "killed after the swap: new complete warehouse"
        REPORT.add(cat, f"kill -9 #{i + 1} at {delay:.1f}s", "db unchanged", ok, detail)
        before = after
    stale = leftovers(folder)
    r = run(ctx.build_args(db, ctx.good_mirror), env)
    left = leftovers(folder)
    REPORT.add(
        cat,
        f"build after 6 kills (temporary files before: {len(stale)})",
        "exit 0, no temporary file left",
        r.rc == 0 and not left,
        f"exit {r.rc}, left {left}" + (f": {short(r.out, 200)}" if r.rc else ""),
    )
    REPORT.add(
        cat,
        "second build after the kills gives the same content",
        "same warehouse content as the reference build",
        r.rc == 0 and fingerprint(db) == ctx.good_print,
    )
    shutil.rmtree(folder, ignore_errors=True)

    # concurrent builds on one --db
    for n in (2, 3):
        folder = ctx.fresh(f"concurrent{n}")
        db = folder / "w.duckdb"
        shutil.copyfile(ctx.good_db, db)
        procs = [
            subprocess.Popen(
                ctx.build_args(db, ctx.good_mirror),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd=env["ADV_CWD"],
            )
            for _ in range(n)
        ]
        outs = [(p.communicate()[0], p.returncode) for p in procs]
        ok_runs = [o for o in outs if o[1] == 0]
        refused = [o for o in outs if o[1] != 0 and "autre construction" in o[0]]
        good = len(ok_runs) == 1 and len(refused) == n - 1 and not leftovers(folder)
        REPORT.add(
            cat,
            f"{n} concurrent builds on one --db",
            "one succeeds, the others refuse clearly",
            good,
            f"exit codes {[o[1] for o in outs]}; "
            + short(" / ".join(o[0].strip().splitlines()[-1] for o in outs if o[1] and o[0]), 200),
        )
        shutil.rmtree(folder, ignore_errors=True)

    # hostile --db values
    folder = ctx.fresh("baddb")
    (folder / "adir.duckdb").mkdir()
    csv_db = folder / "data.csv"
    csv_db.write_text("a;b\n1;2\n")
    random_db = folder / "random.duckdb"
    random_db.write_bytes(RNG.randbytes(10000))
    empty_db = folder / "empty.duckdb"
    empty_db.write_bytes(b"")
    parent_file = folder / "afile"
    parent_file.write_text("x")
    cases = [
        ("--db is a folder", folder / "adir.duckdb", None),
        ("--db is a CSV file", csv_db, csv_db),
        ("--db is a random binary file", random_db, random_db),
        ("--db is an empty file", empty_db, empty_db),
        ("--db parent is a file", parent_file / "w.duckdb", parent_file),
        ("--db on a read-only file system (/proc)", Path("/proc/territoires-adv.duckdb"), None),
        ("--db in /dev/null/", Path("/dev/null/w.duckdb"), None),
    ]
    for what, target, keep in cases:
        digest = sha256(keep) if keep else None
        r = run(ctx.build_args(target, ctx.good_mirror), env)
        problems = []
        if r.rc == 0:
            problems.append("exit 0")
        if r.traceback:
            problems.append("traceback")
        if not FRENCH.search(r.out):
            problems.append("message not in French")
        if keep is not None and sha256(keep) != digest:
            problems.append("file overwritten")
        stray = [p.name for p in folder.iterdir() if ".building" in p.name]
        if stray:
            problems.append(f"temporary files left: {stray}")
        REPORT.add(
            cat,
            what,
            "exit!=0, French message, nothing overwritten",
            not problems,
            "; ".join([*problems, f"exit {r.rc}: {short(r.out.strip()[-200:], 200)}"]),
        )
    shutil.rmtree(folder, ignore_errors=True)

    # mistyped --mirror (and a mirror that is a file) on a good warehouse
    for what, mirror in (
        ("mistyped --mirror on a good warehouse", ctx.tmp / "mirror_goood"),
        ("--mirror is an empty folder", ctx.fresh("emptymirror")),
        ("--mirror is a file", ctx.good_db),
    ):
        folder = ctx.fresh("mirror-typo")
        db = folder / "w.duckdb"
        shutil.copyfile(ctx.good_db, db)
        r = run(ctx.build_args(db, mirror), env)
        ok = (r.rc != 0 and sha256(db) == ctx.good_sha and not r.traceback) or (
            r.rc == 0 and fingerprint(db) == ctx.good_print
        )
        REPORT.add(
            cat,
            what,
            "refused (data would be lost) and warehouse unchanged",
            ok,
            f"exit {r.rc}: {short(r.out.strip()[-240:], 240)}",
        )
        shutil.rmtree(folder, ignore_errors=True)

    # bad territories and numeric options (fresh --db each time)
    bad = [
        ("--territory", "epci:000000000"),
        ("--territory", "dep:99"),
        ("--territory", "reg:xx"),
        ("--territory", "dep:35'; DROP TABLE territories;--"),
        ("--territory", "commune:35238"),
        ("--territory", ""),
        ("--threshold", "-5"),
        ("--threshold", "nan"),
        ("--threshold", "0"),
        ("--buffer-km", "-10"),
        ("--buffer-km", "nan"),
        ("--buffer-km", "inf"),
    ]
    for option, value in bad:
        folder = ctx.fresh("badopt")
        db = folder / "w.duckdb"
        args = ctx.build_args(db, ctx.good_mirror)
        if option == "--territory":
            args[args.index("--territory") + 1] = value
        else:
            args += [option, value]
        r = run(args, env)
        ok = r.rc != 0 and not r.traceback and bool(FRENCH.search(r.out)) and not db.exists()
        REPORT.add(
            cat,
            f"build {option} {value!r}",
            "exit!=0 with a French message, no warehouse written",
            ok,
            f"exit {r.rc}: {short(r.out.strip()[-200:], 200)}",
        )
        shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------------- 3. exports

FORMULA_PREFIXES = {"=": "=", "+": "+", "-": "-", "@": "@", "TAB": "\t", "CR": "\r"}
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$")


def _formula_cells_csv(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    bad = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        for cell in row:
            if cell and cell[0] in "=+-@\t\r" and not NUMBER.match(cell):
                bad.append(cell)
    return bad


def _formula_cells_xlsx(path: Path) -> list[str]:
    """Cells an XLSX reader takes as formulas (a string cell starting with ``=`` is text
    in XLSX: only the formula type is a formula)."""
    import openpyxl

    bad = []
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return bad


def cat_exports(ctx: Ctx) -> None:
    import duckdb

    cat = "exports"
    env = ctx.env
    folder = ctx.fresh("exports")
    db = folder / "w.duckdb"
    shutil.copyfile(ctx.good_db, db)
    digest = sha256(db)

    def export(*extra: str, database: Path = db) -> Run:
        return run([TERRITOIRES, "export", "--db", str(database), *extra], env)

    def refused(what: str, r: Run, out: Path | None = None) -> None:
        problems = []
        if r.rc == 0:
            problems.append("exit 0")
        if r.traceback:
            problems.append("traceback")
        if not FRENCH.search(r.out):
            problems.append("message not French")
        if out is not None and out.exists():
            problems.append(f"{out.name} written")
        if sha256(db) != digest:
            problems.append("warehouse changed")
        REPORT.add(
            cat,
            what,
            "exit!=0 with a French message, nothing written",
            not problems,
            "; ".join([*problems, f"exit {r.rc}: {short(r.out.strip()[-160:], 160)}"]),
        )

    base = ["--level", "commune", "--territory", EPCI]
    # good exports first (baseline)
    for fmt in ("csv", "xlsx", "gpkg", "parquet"):
        for level in ("commune", "epci", "departement", "region"):
            out = folder / f"ok_{level}.{fmt}"
            r = export("--level", level, "--format", fmt, "--out", str(out))
            REPORT.add(
                cat,
                f"valid export {level} {fmt}",
                "exit 0, file written",
                r.rc == 0 and out.exists() and not r.traceback,
                f"exit {r.rc}" + (f": {short(r.out, 160)}" if r.rc else ""),
            )
    refused("--out equal to --db", export(*base, "--format", "csv", "--out", str(db)))
    refused(
        "--out equal to --db through ..",
        export(*base, "--format", "csv", "--out", str(folder / ".." / folder.name / db.name)),
    )
    missing = folder / "missing" / "x.csv"
    refused("--out in a missing folder", export(*base, "--format", "csv", "--out", str(missing)))
    (folder / "outdir.csv").mkdir()
    refused(
        "--out is a folder",
        export(*base, "--format", "csv", "--out", str(folder / "outdir.csv")),
    )
    refused(
        "--out under a file",
        export(*base, "--format", "csv", "--out", str(db / "x.csv")),
    )
    # a path with ..: inside the temp folder, written at the resolved place only
    sub = folder / "a" / "b"
    sub.mkdir(parents=True)
    target = sub / ".." / ".." / "dots.csv"
    r = export(*base, "--format", "csv", "--out", str(target))
    ok = (r.rc == 0 and (folder / "dots.csv").exists()) or (r.rc != 0 and not r.traceback)
    REPORT.add(
        cat, "--out with ..", "written at the resolved path, or refused clearly", ok, f"exit {r.rc}"
    )
    bads = [
        ("--level", "commune; DROP TABLE territories"),
        ("--level", "iris"),
        ("--level", ""),
        ("--theme", "nope"),
        ("--theme", "access' OR '1'='1"),
        ("--format", "exe"),
        ("--format", "CSV;rm -rf"),
        ("--territory", "epci:000000000"),
        ("--territory", "dep:99"),
        ("--territory", "dep:35' OR 1=1 --"),
        ("--territory", "commune:35238"),
        ("--territory", "../../etc/passwd"),
    ]
    for option, value in bads:
        args = {"--level": "commune", "--territory": EPCI, "--theme": "all", "--format": "csv"}
        args[option] = value
        out = folder / f"bad_{abs(hash((option, value)))}.csv"
        flat = [x for kv in args.items() for x in kv]
        refused(f"export {option} {value!r}", export(*flat, "--out", str(out)), out)
    r = export(*base, "--format", "csv", "--out", str(folder / "x.csv"), database=folder / "no.db")
    refused("export --db missing", r, folder / "x.csv")

    # formula prefixes in names
    hostile = folder / "hostile.duckdb"
    shutil.copyfile(ctx.good_db, hostile)
    with duckdb.connect(str(hostile)) as con:
        codes = [
            c
            for (c,) in con.execute(
                "SELECT code FROM territories WHERE level = 'commune' ORDER BY code LIMIT 6"
            ).fetchall()
        ]
        for (label, prefix), code in zip(FORMULA_PREFIXES.items(), codes, strict=True):
            name = f'{prefix}HYPERLINK("http://evil.example/{label}";"x")+cmd|\' /C calc\'!A0'
            con.execute(
                "UPDATE territories SET name = ? WHERE level = 'commune' AND code = ?",
                [name, code],
            )
        con.execute(
            "UPDATE territories SET name = '=1+1' WHERE level = 'epci' AND code = '243500139'"
        )
    for fmt in ("csv", "xlsx"):
        for level in ("commune", "epci"):
            out = folder / f"formula_{level}.{fmt}"
            extra = ["--decimal-comma"] if fmt == "csv" and level == "epci" else []
            r = export(
                "--level", level, "--format", fmt, "--out", str(out), *extra, database=hostile
            )
            if r.rc != 0 or not out.exists():
                REPORT.add(cat, f"formula names {level} {fmt}", "exported", False, short(r.out))
                continue
            bad = _formula_cells_csv(out) if fmt == "csv" else _formula_cells_xlsx(out)
            REPORT.add(
                cat,
                f"formula-prefixed names (= + - @ TAB CR) {level} {fmt}",
                "no cell read as a formula",
                not bad,
                f"{len(bad)} cell(s): {short(repr(bad[:3]), 200)}" if bad else "",
            )
    # names must stay readable (not dropped): the neutralised name is still there
    out = folder / "formula_commune.csv"
    if out.exists():
        text = out.read_text(encoding="utf-8-sig")
        REPORT.add(
            cat,
            "neutralised names still present in CSV",
            "names kept, prefixed/escaped",
            text.count("HYPERLINK") >= 6,
            f"{text.count('HYPERLINK')} of 6",
        )

    # kill -9 during exports
    for i in range(16):
        fmt = ("xlsx", "gpkg", "csv", "parquet")[i % 4]
        kf = ctx.fresh(f"killexport{i}")
        out = kf / f"out.{fmt}"
        if i % 2:
            out.write_bytes(b"previous content")
        previous = out.read_bytes() if out.exists() else None
        delay = RNG.uniform(1.0, 3.2)
        export_args = [TERRITOIRES, "export", "--db", str(db), "--level", "commune"]
        proc = subprocess.Popen(
            [*export_args, "--format", fmt, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=env["ADV_CWD"],
        )
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = True
        entries = sorted(p.name for p in kf.iterdir() if p.name != out.name)
        intact = not out.exists() or out.read_bytes() == previous or out.stat().st_size > 1000
        # A writer killed by SIGKILL cannot clean up: the documented contract
        # (etl/atomic.py) is that the next write to the same destination removes it.
        detail = f"left after the kill: {entries}" if entries else ""
        remaining: list[str] = []
        if entries:
            again = run([*export_args, "--format", fmt, "--out", str(out)], env)
            remaining = sorted(p.name for p in kf.iterdir() if p.name != out.name)
            detail += f"; next export exit {again.rc}, left after it: {remaining}"
        REPORT.add(
            cat,
            f"kill -9 export {fmt} at {delay:.1f}s ({'killed' if killed else 'finished'})",
            "output old or complete; no temporary left once the next export ran",
            not remaining and intact,
            detail,
        )
        shutil.rmtree(kf, ignore_errors=True)
    # and the next export in a folder where an export was killed cleans nothing up wrongly
    REPORT.add(cat, "warehouse untouched by all exports", "sha256 unchanged", sha256(db) == digest)
    shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------------- 4. dashboard

CALLBACK = "/_dash-update-component"
SEC_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "35238'; DROP TABLE territories; --",
    "1; SELECT * FROM meta --",
    "' UNION SELECT name, sql FROM sqlite_master --",
    "%27%20OR%201%3D1",
    "\u0000\u202e\ufeff",
    "../../../../etc/passwd",
    "{{7*7}}${7*7}",
    "A" * 5000,
    "commune:35238<svg onload=alert(1)>",
    "epci:243500139' --",
    "NaN",
    "-1e309",
]
URL_PARAMS = [
    "territory",
    "indicator",
    "reference",
    "level",
    "classification",
    "k",
    "palette",
    "facilities",
    "lat",
    "lon",
    "zoom",
    "page",
    "basemap",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Resp:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> Resp:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        if body is not None and "Transfer-Encoding" not in hdrs:
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body is not None:
            if hdrs.get("Transfer-Encoding") == "chunked":
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for i in range(0, len(body), 65536):
                        chunk = body[i : i + 65536]
                        conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    conn.send(b"0\r\n\r\n")
            else:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    conn.send(body)
        r = conn.getresponse()
        data = r.read()
        return Resp(r.status, dict(r.getheaders()), data, time.perf_counter() - started)
    except (OSError, http.client.HTTPException) as exc:
        return Resp(-1, {}, str(exc).encode(), time.perf_counter() - started)
    finally:
        conn.close()


@contextlib.contextmanager
def server(ctx: Ctx, db: Path, production: bool) -> Iterator[int]:
    port = free_port()
    log = (ctx.tmp / f"serve-{'prod' if production else 'dev'}-{port}.log").open("w")
    args = [TERRITOIRES, "serve", "--db", str(db), "--port", str(port)]
    if production:
        args.append("--production")
    proc = subprocess.Popen(
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=ctx.env,
        cwd=ctx.env["ADV_CWD"],
        start_new_session=True,
    )
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            if request(port, "GET", "/_dash-layout", timeout=5).status == 200:
                break
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {proc.returncode}")
            time.sleep(0.5)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


class Dash:
    """Callback bodies built from the server's own ``/_dash-dependencies``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.deps = json.loads(request(port, "GET", "/_dash-dependencies").body)

    def find(self, output_start: str) -> dict[str, Any]:
        return next(d for d in self.deps if d["output"].startswith(output_start))

    @staticmethod
    def outputs(dep: dict[str, Any]) -> Any:
        text = dep["output"]
        if text.startswith(".."):
            parts = text[2:-2].split("...")
            items = []
            for part in parts:
                cid, _, prop = part.rpartition(".")
                items.append({"id": cid, "property": prop.split("@")[0]})
            return items
        cid, _, prop = text.rpartition(".")
        return {"id": cid, "property": prop.split("@")[0]}

    def body(self, dep: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        inputs = []
        for i, item in enumerate(dep["inputs"]):
            cid = item["id"]
            key = f"{cid}.{item['property']}"
            parsed = json.loads(cid) if cid.startswith("{") else cid
            value = values.get(key, values.get(str(i)))
            inputs.append({"id": parsed, "property": item["property"], "value": value})
        state = []
        for item in dep.get("state", []):
            cid = item["id"]
            parsed = json.loads(cid) if cid.startswith("{") else cid
            state.append(
                {"id": parsed, "property": item["property"], "value": values.get(cid + ".s")}
            )
        return {
            "output": dep["output"],
            "outputs": self.outputs(dep),
            "inputs": inputs,
            "state": state,
            "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
        }

    def post(self, body: Any) -> Resp:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return request(self.port, "POST", "/_dash-update-component", raw)


def _walk(node: Any, parent_key: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v, node
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, parent_key)


def unsafe_echo(payload: str, resp: Resp) -> str | None:
    """Where a payload comes back in a form a browser would execute, or None."""
    if payload in ("NaN", "-1e309") or len(payload) < 6:
        return None
    ctype = resp.headers.get("Content-Type", "")
    text = resp.body.decode("utf-8", "replace")
    if "json" not in ctype:
        if "<" in payload and payload in text:
            return f"raw payload in a {ctype} response"
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return "non-JSON callback answer"
    for key, value, holder in _walk(doc):
        if not isinstance(value, str) or payload not in value:
            continue
        if key in ("href", "src", "url", "srcDoc", "data") and value.strip().lower().startswith(
            "javascript:"
        ):
            return f"payload in {key}"
        if holder.get("dangerously_allow_html"):
            return "payload in dangerously_allow_html markup"
        if key in ("srcDoc", "dangerouslySetInnerHTML", "innerHTML"):
            return f"payload in {key}"
    for _, value, holder in _walk(doc):
        if value in ("Script", "Iframe") and isinstance(holder, dict) and "namespace" in holder:
            return f"{value} component in the answer"
    return None


def check_headers(resp: Resp) -> list[str]:
    return [h for h in SEC_HEADERS if h not in resp.headers] if resp.status > 0 else []


def dashboard_checks(ctx: Ctx, port: int, label: str, full: bool) -> None:
    cat = "dashboard"
    dash = Dash(port)
    route = dash.find("..page-content.children")
    search_dep = dash.find("search-results.children")
    carte = dash.find("..choropleth.url")
    sensitive = (b"root:x:0:0", b"[project]", b"import duckdb", b"DUCK", b"Traceback")

    def judge(what: str, resp: Resp, allowed: tuple[int, ...], expected: str, payload: str = ""):
        problems = []
        if resp.status not in allowed:
            problems.append(f"status {resp.status}")
        if resp.status == 500:
            problems.append("500")
        leak = [s.decode() for s in sensitive if s in resp.body]
        if leak:
            problems.append(f"leak {leak}")
        missing = check_headers(resp)
        if missing:
            problems.append(f"headers missing {missing}")
        if payload:
            echo = unsafe_echo(payload, resp)
            if echo:
                problems.append(echo)
        REPORT.add(
            cat,
            f"{label}: {what}",
            expected,
            not problems,
            "; ".join(problems)
            + (f" body {short(resp.body.decode('utf-8', 'replace'), 120)}" if problems else ""),
        )

    # malformed callback bodies
    good_route = dash.body(route, {"url.pathname": "/", "url.search": ""})
    malformed: list[tuple[str, bytes]] = [
        ("not JSON", b"{not json"),
        ("empty body", b""),
        ("JSON null", b"null"),
        ("JSON array", b"[1,2,3]"),
        ("JSON string", b'"hello"'),
        ("JSON number", b"1e999"),
        ("unknown output", json.dumps({**good_route, "output": "nope.children"}).encode()),
        ("output not a string", json.dumps({**good_route, "output": 123}).encode()),
        (
            "outputs missing",
            json.dumps({k: v for k, v in good_route.items() if k != "outputs"}).encode(),
        ),
        ("outputs wrong length", json.dumps({**good_route, "outputs": []}).encode()),
        ("inputs not a list", json.dumps({**good_route, "inputs": "x"}).encode()),
        (
            "inputs too short",
            json.dumps({**good_route, "inputs": good_route["inputs"][:1]}).encode(),
        ),
        ("inputs items not dicts", json.dumps({**good_route, "inputs": [1, 2]}).encode()),
        (
            "input id null",
            json.dumps(
                {**good_route, "inputs": [{"id": None, "property": "pathname"}] * 2}
            ).encode(),
        ),
        ("changedPropIds not list", json.dumps({**good_route, "changedPropIds": 5}).encode()),
        ("state wrong", json.dumps({**good_route, "state": [{"id": "x"}]}).encode()),
        ("deeply nested", b'{"output":' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("invalid UTF-8", b'{"output":"\xff\xfe"}'),
        (
            "pattern id with garbage",
            json.dumps(
                {**good_route, "inputs": [{"id": {"type": ["ALL"]}, "property": "x"}] * 2}
            ).encode(),
        ),
        (
            "value of wrong type pathname",
            json.dumps(dash.body(route, {"url.pathname": {"a": 1}, "url.search": [1]})).encode(),
        ),
        (
            "search value object",
            json.dumps(dash.body(search_dep, {"search-input.value": {"$ne": 1}})).encode(),
        ),
        ("carte with all inputs null", json.dumps(dash.body(carte, {})).encode()),
        (
            "carte with hostile types",
            json.dumps(
                dash.body(
                    carte,
                    {
                        "level.value": ["x"],
                        "indicator.value": 5,
                        "classes.value": "nine",
                        "palette.value": {"a": 1},
                    },
                )
            ).encode(),
        ),
    ]
    for what, raw in malformed:
        resp = request(port, "POST", "/_dash-update-component", raw)
        judge(
            f"malformed callback: {what}",
            resp,
            (200, 204, 400),
            "400 (or a normal answer), never 500",
        )
    # GET on the callback route, unknown method
    judge(
        "GET on callback route",
        request(port, "GET", "/_dash-update-component"),
        (200, 400, 404, 405),
        "4xx or the app page (Dash catch-all), never 500",
    )
    judge("DELETE /", request(port, "DELETE", "/"), (400, 404, 405), "4xx")
    # bodies over 1 MiB
    for size in (1024 * 1024 + 1, 5 * 1024 * 1024, 20 * 1024 * 1024):
        big = b'{"output":"' + b"A" * size + b'"}'
        judge(
            f"body of {len(big)} bytes",
            request(port, "POST", "/_dash-update-component", big),
            (413,),
            "413",
        )
    big = b'{"output":"' + b"A" * (3 * 1024 * 1024) + b'"}'
    resp = request(port, "POST", "/_dash-update-component", big, {"Transfer-Encoding": "chunked"})
    judge("chunked body of 3 MiB", resp, (400, 411, 413, -1), "413/400 or closed, never 500")
    resp = request(
        port, "POST", "/_dash-update-component", b"{}", {"Content-Length": "99999999999"}
    )
    judge("lying Content-Length 99999999999", resp, (400, 413, -1), "413/400")
    # path traversal
    paths = [
        "/assets/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/assets/....//....//etc/passwd",
        "/assets/..\\..\\..\\etc\\passwd",
        "/assets/%252e%252e/%252e%252e/etc/passwd",
        "/assets/../../pyproject.toml",
        "/assets/../app.py",
        "/assets/%2e%2e/app.py",
        "/assets/territoires.css%00.py",
        "/_territoires/geo/../../../etc/passwd.geojson",
        "/_territoires/geo/..%2f..%2f..%2fetc%2fpasswd.geojson",
        "/_territoires/geo/%2e%2e%2fapp.geojson",
        "/_territoires/geo/commune%00.geojson",
        "/_territoires/geo/iris.geojson",
        "/_territoires/geo/commune'%20OR%201=1--.geojson",
        "/_territoires/geo/" + "a" * 3000 + ".geojson",
        "/_dash-component-suites/dash/../../../../etc/passwd",
        "/_dash-component-suites/dash/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/../../territoires.py",
        "/_dash-component-suites/dash_leaflet/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/_dash-component-suites/nope/x.js",
        "/_favicon.ico/../../etc/passwd",
        "//etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../etc/passwd",
        "/_reload-hash",
        "/_dash-routes",
        "/console",
        "/.env",
        "/data/territoires.duckdb",
        "/" + "x/" * 2000,
    ]
    for path in paths:
        judge(
            f"GET {path[:70]}",
            request(port, "GET", path),
            (200, 400, 404, 405),
            "404/400 (or the app page), never a file nor 500",
        )

    # URL parameters through the router callback
    pages = ("/", "/portrait", "/donnees") if full else ("/portrait",)
    jobs = []
    for page in pages:
        for param in URL_PARAMS if full else ("territory", "indicator", "level"):
            for payload in PAYLOADS:
                search_text = f"?{param}={quote(payload, safe='')}"
                if param != "territory":
                    search_text += "&territory=commune:35238"
                body = dash.body(route, {"url.pathname": page, "url.search": search_text})
                jobs.append((f"{page}?{param}={short(payload, 40)}", body, payload))
    # in parallel (the server has several workers), judged in order
    with cf.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda job: dash.post(job[1]), jobs))
    for (what, _, payload), resp in zip(jobs, answers, strict=True):
        judge(what, resp, (200, 204), "page renders, no 500, payload not executable", payload)
    # the HTML shell with hostile query strings
    for payload in PAYLOADS[:8]:
        resp = request(port, "GET", f"/portrait?territory={quote(payload, safe='')}")
        judge(
            f"GET /portrait?territory={short(payload, 40)}",
            resp,
            (200,),
            "200, payload not in HTML",
            payload,
        )
    # search box
    for payload in [*PAYLOADS, "Rennes", "35238", "35000", "%", "_", "'", '"', "\\"]:
        resp = dash.post(dash.body(search_dep, {"search-input.value": payload}))
        judge(
            f"search {short(payload, 40)!r}", resp, (200, 204), "results or none, no 500", payload
        )
    # carte callback with hostile values
    for payload in PAYLOADS[: 16 if full else 6]:
        values = {
            "level.value": "commune",
            "indicator.value": payload,
            "classification.value": payload,
            "classes.value": payload,
            "palette.value": payload,
        }
        resp = dash.post(dash.body(carte, values))
        judge(f"carte callback values={short(payload, 40)}", resp, (200, 204), "no 500", payload)
    # unknown indicator ids
    for ind in [
        "unknown",
        "score_15min__teleport",
        "x" * 120,
        "ess_share",
        "SCORE_15MIN__WALK",
        "score_15min__walk ",
    ]:
        body = dash.body(route, {"url.pathname": "/", "url.search": f"?indicator={quote(ind)}"})
        resp = dash.post(body)
        text = resp.body.decode("utf-8", "replace")
        ok_msg = resp.status == 200 and ("inconnu" in text or "Indicateur" in text)
        judge(f"unknown indicator {ind[:30]!r}", resp, (200,), "page with a French message")
        if not ok_msg:
            REPORT.add(
                cat,
                f"{label}: unknown indicator {ind[:30]!r} message",
                "French message",
                False,
                short(text, 160),
            )


def load_test(port: int, label: str, total: int, concurrency: int) -> None:
    cat = "dashboard"
    dash = Dash(port)
    route = dash.find("..page-content.children")
    search_dep = dash.find("search-results.children")
    bodies = [
        json.dumps(
            dash.body(route, {"url.pathname": p, "url.search": "?territory=commune:35238"})
        ).encode()
        for p in ("/", "/portrait", "/donnees")
    ] + [json.dumps(dash.body(search_dep, {"search-input.value": "Ren"})).encode()]

    def one(i: int) -> Resp:
        # A browser's mix: one page render (about 1 s of CPU) in ten requests; the
        # shell, the display geometry and search make up the rest.
        kind = i % 10
        if kind == 0:
            return request(port, "POST", CALLBACK, bodies[(i // 10) % 3], timeout=120)
        if kind in (1, 2, 3):
            return request(port, "GET", "/", timeout=120)
        if kind in (4, 5):
            gz = {"Accept-Encoding": "gzip"}
            return request(port, "GET", "/_territoires/geo/commune.geojson", headers=gz)
        return request(port, "POST", CALLBACK, bodies[3], timeout=120)

    started = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(total)))
    wall = time.perf_counter() - started
    errors = [r for r in results if r.status not in (200, 204)]
    no_headers = [r for r in results if check_headers(r)]
    lat = sorted(r.seconds for r in results)
    p50 = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    codes: dict[int, int] = {}
    for r in errors:
        codes[r.status] = codes.get(r.status, 0) + 1
    REPORT.add(
        cat,
        f"{label}: load {total} requests at {concurrency} concurrent",
        "0 errors, headers on every response",
        not errors and not no_headers,
        f"errors {len(errors)} {codes}, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"{total / wall:.0f} req/s, missing headers {len(no_headers)}",
    )


def replaced_warehouse(ctx: Ctx, port: int, db: Path, label: str) -> None:
    """D3: the server serves a warehouse replaced on disk without a restart."""
    import duckdb

    dash = Dash(port)
    search_dep = dash.find("search-results.children")
    new = db.with_name("replacement.duckdb")
    shutil.copyfile(db, new)
    marker = f"Zzadvtest{RNG.randrange(10**6)}"
    with duckdb.connect(str(new)) as con:
        con.execute(
            "UPDATE territories SET name = ? WHERE level = 'commune' AND code = '35238'", [marker]
        )
    os.replace(new, db)
    seen = False
    deadline = time.time() + 30
    while time.time() < deadline and not seen:
        resp = dash.post(dash.body(search_dep, {"search-input.value": marker}))
        seen = resp.status == 200 and marker in resp.body.decode("utf-8", "replace")
        if not seen:
            time.sleep(1)
    REPORT.add(
        "dashboard",
        f"{label}: warehouse replaced on disk while serving",
        "new warehouse served within 30 s, no restart",
        seen,
    )


def cat_dashboard(ctx: Ctx) -> None:
    folder = ctx.fresh("dashboard")
    for production, label in ((True, "gunicorn"), (False, "dev server")):
        db = folder / f"serve-{label.replace(' ', '')}.duckdb"
        shutil.copyfile(ctx.good_db, db)
        with server(ctx, db, production) as port:
            dashboard_checks(ctx, port, label, full=production)
            if production:
                load_test(port, label, 1000, 50)
                load_test(port, label, 2000, 200)
            else:
                load_test(port, label, 500, 50)
            replaced_warehouse(ctx, port, db, label)
            alive = request(port, "GET", "/").status == 200
            REPORT.add("dashboard", f"{label}: alive after everything", "200", alive)
        logs = list(ctx.tmp.glob(f"serve-{'prod' if production else 'dev'}-*.log"))
        size = sum(p.stat().st_size for p in logs)
        REPORT.add(
            "dashboard",
            f"{label}: server log size after the run",
            "< 5 MB (no body logged)",
            size < 5_000_000,
            f"{size / 1e6:.1f} MB",
        )


# ----------------------------------------------------------------------------- 5. secrecy


def cat_secrecy(ctx: Ctx) -> None:
    import duckdb
    import numpy as np
    from scipy.optimize import linprog

    from etl.settings import Settings, parse_territory
    from indicators.ess import COLUMN_KEYS
    from indicators.ess_step import ess_result
    from tests.indicators.test_ess_step import _load
    from tests.indicators.test_secrecy import determined_blanks, subtraction_attack
    from tests.indicators.test_secrecy_extent import _cells, _equations
    from warehouse.build import build

    cat = "secrecy"
    fixtures = ROOT / "tests" / "fixtures"
    folder = ctx.fresh("secrecy")
    results = {}
    for territory in ("dep:35", EPCI):
        sub = folder / territory.replace(":", "_")
        sub.mkdir()
        settings = Settings(
            db_path=sub / "territoires.duckdb",
            cache_dir=sub / "cache",
            mirror_dir=ctx.good_mirror,
            offline=True,
            territory=parse_territory(territory),
            progress=False,
        )
        report = build(settings, steps=[])
        with duckdb.connect(str(report.db_path)) as con:
            _load(con, fixtures, sub, "csv", False)
            results[territory] = ess_result(con)
    dep, epci = (_cells(results[t]) for t in ("dep:35", EPCI))
    shared = sorted(set(dep) & set(epci))
    territories = sorted({(lvl, code) for lvl, code, _ in shared})
    for lvl, code in territories:
        keys = [(lvl, code, c) for c in COLUMN_KEYS]
        diff = [k[2] for k in keys if dep.get(k) != epci.get(k)]
        REPORT.add(
            cat,
            f"{lvl} {code}: same values and blanks in both builds",
            "identical cells",
            not diff,
            f"differs in {diff[:5]}" if diff else "",
        )
    n_secret = sum(v[2] for v in {**dep, **epci}.values())
    REPORT.add(
        cat, "fixtures give secret cells", ">= 3 blanks", n_secret >= 3, f"{n_secret} blanks"
    )

    def attack(name: str, chosen: list[Any]) -> None:
        cells: dict[Any, tuple[float, float, bool]] = {}
        for result in chosen:
            cells.update(_cells(result))
        number = {k: i for i, k in enumerate(cells)}
        equations = [eq for result in chosen for eq in _equations(result, number)]
        hidden = np.array([cells[k][2] for k in number])
        keys = list(number)
        for measure, mname in ((0, "establishments"), (1, "jobs")):
            values = np.array([cells[k][measure] for k in number])
            found = subtraction_attack(values, hidden, equations)
            REPORT.add(
                cat,
                f"{name}: subtraction attack on {mname}",
                "no blank recomputed",
                not found,
                f"{len(found)} recomputed: {[keys[c] for c in list(found)[:3]]}" if found else "",
            )
        det = determined_blanks(hidden, equations)
        REPORT.add(
            cat,
            f"{name}: null-space attack",
            "no blank determined",
            not det,
            f"{len(det)} determined: {[keys[c] for c in list(det)[:3]]}" if det else "",
        )
        if name != "union dep:35 + epci":
            return
        # LP bounds of every blank (cells >= 0), establishments and jobs
        blanks = [int(c) for c in np.flatnonzero(hidden)]
        pos = {c: k for k, c in enumerate(blanks)}
        for measure, mname in ((0, "establishments"), (1, "jobs")):
            values = np.array([cells[k][measure] for k in number])
            rows, rhs = [], []
            for eq in equations:
                row = np.zeros(len(blanks))
                const = 0.0
                for c, coef in eq.items():
                    if c in pos:
                        row[pos[c]] += coef
                    else:
                        const += coef * values[c]
                if row.any():
                    rows.append(row)
                    rhs.append(-const)
            a = np.vstack(rows) if rows else np.zeros((0, len(blanks)))
            b = np.array(rhs)
            for c in blanks:
                obj = np.zeros(len(blanks))
                obj[pos[c]] = 1.0
                lo = linprog(obj, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
                hi = linprog(-obj, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
                if lo.status != 0 or hi.status not in (0, 3):
                    REPORT.add(cat, f"LP {mname} {keys[c]}", "LP solvable", False, lo.message)
                    continue
                upper = np.inf if hi.status == 3 else -hi.fun
                width = upper - lo.fun
                exact = width < 1e-6
                REPORT.add(
                    cat,
                    f"LP bounds of blank {keys[c]} ({mname})",
                    "interval of width > 0 (not recomputable)",
                    not exact,
                    f"[{lo.fun:.2f}, {upper:.2f}] true {values[c]:.2f}",
                )

    attack("dep:35 alone", [results["dep:35"]])
    attack("epci alone", [results[EPCI]])
    attack("union dep:35 + epci", [results["dep:35"], results[EPCI]])
    shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="folder of official files")
    parser.add_argument("--only", default=",".join(CATEGORIES), help="categories, comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="parallel builds (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = set(only) - set(CATEGORIES)
    if unknown:
        parser.error(f"unknown categories {sorted(unknown)}")
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="territoires-adversarial-"))
    home = tmp / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONDONTWRITEBYTECODE": "1",
        "ADV_CWD": str(tmp),
    }
    env.pop("TERRITOIRES_DB", None)
    ctx = Ctx(tmp=tmp, mirror=args.mirror.resolve(), env=env)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    print(f"# temporary folder {tmp}")
    timings = {}
    try:
        setup(ctx)
        for cat in only:
            t0 = time.perf_counter()
            print(f"# ---- {cat}", flush=True)
            try:
                if cat == "mirror":
                    cat_mirror(ctx, args.workers)
                elif cat == "process":
                    cat_process(ctx)
                elif cat == "exports":
                    cat_exports(ctx)
                elif cat == "dashboard":
                    cat_dashboard(ctx)
                elif cat == "secrecy":
                    cat_secrecy(ctx)
            except Exception as exc:  # a crash of the harness is reported, not hidden
                REPORT.add(
                    cat, "harness", "category ran to the end", False, f"{type(exc).__name__}: {exc}"
                )
            timings[cat] = time.perf_counter() - t0
    finally:
        if args.keep:
            print(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(REPORT.summary())
    print("# time per category: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    print(f"# total runtime {time.perf_counter() - started:.0f} s")
    defects = [r for r in REPORT.rows if not r[3]]
    if defects:
        print("\n# DEFECTS")
        for cat, what, expected, _, detail in defects:
            print(f"- [{cat}] {what} | expected: {expected} | {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
