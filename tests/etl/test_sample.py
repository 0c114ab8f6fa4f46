"""The embedded real sample (etl/sample/): its files, their extraction, and when fetch uses it.

The committed files are checked against their manifest and against the official
files of the mirror (every kept row is an official row, byte for byte, in the
original order; the script reproduces them exactly). Fetch tests use a throwaway
package holding a tiny sample, so a corrupt or out-of-scope sample can be tried
without touching the real one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
import requests

from etl import make_sample
from etl.catalogue import CatalogueError, Source, load_catalogue
from etl.embedded_sample import MANIFEST_NAME, coverage_problem, parse_manifest
from etl.fetch import ChecksumError, Fetched, SourceUnavailable, fetch, fetch_many
from etl.settings import Settings, parse_territory
from tests.etl.test_fetch import CSV, FAST, make_settings, make_source, write

SAMPLE_DIR = make_sample.DEFAULT_OUT
MANIFEST = json.loads((SAMPLE_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))
WRITTEN = [f for f in MANIFEST["files"] if f["file"]]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


# ----------------------------------------------------------------------------- the files


def test_every_declared_sample_is_shipped_and_matches_its_manifest() -> None:
    catalogue = load_catalogue()
    declared = {s.sample.rsplit("/", 1)[1]: s.name for s in catalogue.values() if s.sample}
    assert declared, "no catalogue source declares a sample"
    assert {f["file"]: f["source"] for f in WRITTEN} == declared
    for entry in WRITTEN:
        path = SAMPLE_DIR / entry["file"]
        assert _sha(path.read_bytes()) == entry["sample_sha256"], entry["file"]
        assert _sha(_content(path)) == entry["content_sha256"], entry["file"]
        assert 0 < entry["rows_kept"] <= entry["rows_original"]
        assert entry["vintage"] == catalogue[entry["source"]].vintage
        assert entry["licence"] and entry["attribution"] and entry["rule"]
    total = sum((SAMPLE_DIR / f["file"]).stat().st_size for f in WRITTEN)
    assert total < 2 * 1024 * 1024  # "a few MB at most"; 0.6 MB today
    assert MANIFEST["covers"][0] == "dep:35" and MANIFEST["radius_m"] == 60_000
    assert all(re.fullmatch(r"epci:2\d{8}", c) for c in MANIFEST["covers"][1:])
    manifest = parse_manifest((SAMPLE_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert set(manifest.files) == set(declared)


def test_sncf_extract_keeps_its_odbl_attribution_and_share_alike() -> None:
    (sncf,) = [f for f in WRITTEN if f["source"] == "sncf_gares"]
    assert sncf["attribution"] == "SNCF Réseau, ODbL"
    assert "share-alike" in sncf["share_alike"] and "ODbL" in sncf["share_alike"]
    others = [f for f in WRITTEN if "odbl" not in f["licence"].lower()]
    assert all(f["share_alike"] == "" for f in others)


def _official_rows(entry: dict, mirror: Path, catalogue: dict[str, Source]) -> tuple:
    source = catalogue[entry["source"]]
    original = _content(mirror / entry["original_file"])
    sample = _content(SAMPLE_DIR / entry["file"])
    if make_sample.RULES[source.name].kind in {"points", "communes", "all"}:
        return make_sample.csv_table(original, source)[0], make_sample.csv_table(sample, source)[0]
    return make_sample.json_table(original, source)[0], make_sample.json_table(sample, source)[0]


def test_sample_rows_are_official_rows_byte_for_byte(mirror_dir: Path) -> None:
    """Nothing invented: same header, and each record is an official one, in order."""
    catalogue = load_catalogue()
    for entry in WRITTEN:
        original, sample = _official_rows(entry, mirror_dir, catalogue)
        assert _sha((mirror_dir / entry["original_file"]).read_bytes()) == entry["original_sha256"]
        assert sample.head == original.head and sample.tail == original.tail, entry["file"]
        assert len(sample.records) == entry["rows_kept"]
        assert len(original.records) == entry["rows_original"]
        remaining = iter(original.records)
        assert all(any(r == o for o in remaining) for r in sample.records), entry["file"]


def test_sample_holds_every_commune_of_35_and_its_neighbours(mirror_dir: Path) -> None:
    communes = [
        json.loads(line.rstrip(b","))
        for line in _content(SAMPLE_DIR / "communes.json.gz").splitlines()[1:-1]
    ]
    codes = {c["code"] for c in communes if c["type"] == "commune-actuelle"}
    official = json.loads(
        (mirror_dir / "etalab_decoupage_administratif_6.0.0" / "communes.json").read_text()
    )
    dep35 = {
        c["code"] for c in official if c["type"] == "commune-actuelle" and c["departement"] == "35"
    }
    assert len(dep35) > 300 and dep35 <= codes
    # Within 60 km: Dinan (22) and Laval (53), about 20 km from the border, and Nantes
    # (44), about 40 km; Brest (29) lies far beyond.
    assert {"22050", "53130", "44109"} <= codes and "29019" not in codes


def test_extraction_reproduces_the_committed_files(tmp_path: Path, mirror_dir: Path) -> None:
    out = tmp_path / "sample"
    manifest = make_sample.make_sample(mirror_dir, out)
    assert manifest == MANIFEST
    assert (out / MANIFEST_NAME).read_bytes() == (SAMPLE_DIR / MANIFEST_NAME).read_bytes()
    for entry in WRITTEN:
        assert (out / entry["file"]).read_bytes() == (SAMPLE_DIR / entry["file"]).read_bytes()


def test_extraction_from_an_incomplete_mirror_fails_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "miroir").mkdir()
    status = make_sample.main(["--mirror", str(tmp_path / "miroir"), "--out", str(tmp_path)])
    assert status == 1
    err = capsys.readouterr().err
    assert "erreur:" in err and "fichier officiel introuvable" in err
    assert not (tmp_path / MANIFEST_NAME).exists()


def test_catalogue_sample_field_is_checked(tmp_path: Path) -> None:
    base = (
        '[sources.x]\ntitle = "X"\npublisher = "P"\nlicence = "L"\nvintage = "2024"\n'
        'role = "facilities"\nformat = "csv"\nfilename = "x.csv"\nloader = "etl.loaders.x:f"\n'
    )
    good = tmp_path / "good.toml"
    good.write_text(base + 'url = "https://example.org/x.csv"\nsample = "etl/sample/x.csv.gz"\n')
    from etl.catalogue import load_catalogue as load

    assert load(good)["x"].sample == "etl/sample/x.csv.gz"
    embedded = tmp_path / "embedded.toml"
    embedded.write_text(base + 'embedded = "pkg/x.csv"\nsample = "etl/sample/x.csv"\n')
    with pytest.raises(CatalogueError, match="embarquée"):
        load(embedded)


# ----------------------------------------------------------------------------- fetch


LABEL = make_sample.LABEL


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw: object) -> str:
    """A throwaway package holding a sample of source ``demo``; returns its sample path."""
    name = "fake_sample_" + re.sub(r"\W", "_", tmp_path.name)
    folder = tmp_path / "pkgs" / name
    data: bytes = kw.get("data", CSV)  # type: ignore[assignment]
    write(folder / "__init__.py", b"")
    write(folder / "sample" / "data.csv", data)
    manifest = {
        "label": LABEL,
        "area": "l'Ille-et-Vilaine (dep:35)",
        "radius_m": 60_000.0,
        "covers": ["dep:35", "epci:200039022"],
        "files": [
            {
                "file": "data.csv",
                "source": "demo",
                "original_file": "demo/data.csv",
                "original_sha256": "0" * 64,
                "sample_sha256": kw.get("sha", _sha(data)),
                "rows_kept": 100,
                "rows_original": 12_345,
                "vintage": "2024-01 (fichier d'origine)",
            }
        ],
    }
    write(folder / "sample" / MANIFEST_NAME, json.dumps(manifest).encode())
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    return f"{name}/sample/data.csv"


def _dead_url() -> str:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/data.csv"


def test_sample_only_when_mirror_cache_and_network_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = _package(tmp_path, monkeypatch)
    source = make_source(url=_dead_url(), sample=sample)
    mirror = tmp_path / "mirror"
    official = write(mirror / "data.csv", CSV + b"99999;Officiel\n")
    got = fetch(source, make_settings(tmp_path, mirror_dir=mirror, offline=True))
    assert got.files == (official,) and not got.sample and got.vintage == ""

    settings = make_settings(tmp_path / "c", offline=True)
    cached = write(Path(settings.cache_dir) / "demo" / "data.csv", CSV + b"1;cache\n")
    got = fetch(source, settings)
    assert got.files == (cached,) and not got.sample
    cached.unlink()

    got = fetch(source, settings)  # offline, nothing anywhere: the sample
    assert got.sample and got.files[0].read_bytes() == CSV
    assert got.origin.startswith(f"{LABEL} : {sample}, extrait de demo/data.csv")
    assert "100 lignes sur 12\u202f345" in got.origin
    assert got.vintage == "2024-01 (fichier d'origine)" and got.sha256 == _sha(CSV)

    online = make_settings(tmp_path / "n", http_retries=1)
    got = fetch(source, online, backoff_factor=FAST)  # the download fails: the sample
    assert got.sample and got.files[0].read_bytes() == CSV


def test_sample_serves_only_the_territories_it_covers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source(url="https://example.org/data.csv", sample=_package(tmp_path, monkeypatch))
    offline = make_settings(tmp_path, offline=True)
    for covered in ("dep:35", "epci:200039022"):
        assert fetch(source, offline.with_(territory=parse_territory(covered))).sample
    for other in ("dep:29", "reg:53", "fr", "epci:243500139"):
        with pytest.raises(SourceUnavailable, match="mode hors ligne") as err:
            fetch(source, offline.with_(territory=parse_territory(other)))
        message = str(err.value)
        assert "mode hors ligne" in message and "'demo'" in message
        assert "l'échantillon embarqué ne couvre que l'Ille-et-Vilaine (dep:35)" in message
        assert f"territoire demandé : {other}" in message
    with pytest.raises(SourceUnavailable, match="demande 80 km autour"):
        fetch(source, offline.with_(facility_buffer_m=80_000.0))


def test_corrupt_sample_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = _package(tmp_path, monkeypatch, sha="f" * 64)
    source = make_source(url="https://example.org/data.csv", sample=sample)
    with pytest.raises(ChecksumError, match="échantillon embarqué corrompu") as err:
        fetch(source, make_settings(tmp_path, offline=True))
    message = str(err.value)
    assert "échantillon embarqué corrompu" in message and "f" * 64 in message
    assert _sha(CSV) in message and "python -m etl.make_sample" in message


class _DeadNetwork(requests.Session):
    """A session whose every request fails to connect (and counts the attempts)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get(self, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        raise requests.exceptions.ConnectionError("réseau coupé (test)")


def test_fetch_many_uses_the_sample_and_still_stops_calling_a_dead_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = _package(tmp_path, monkeypatch)
    sources = [
        make_source(name, url=f"https://{host}/data.csv", sample=sample if name == "demo" else "")
        for name, host in (("demo", "a.example"), ("b", "b.example"), ("c", "c.example"))
    ]
    session = _DeadNetwork()
    results = fetch_many(sources, make_settings(tmp_path), session=session)
    assert isinstance(results["demo"], Fetched) and results["demo"].sample
    assert isinstance(results["b"], SourceUnavailable)
    assert isinstance(results["c"], SourceUnavailable) and "réseau injoignable" in str(results["c"])
    assert session.calls == 2  # a.example, b.example; then the network counts as down


def test_real_manifest_coverage_rules() -> None:
    manifest = parse_manifest((SAMPLE_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert coverage_problem(manifest, parse_territory("dep:35"), 45_000.0) == ""
    assert "dep:29" in coverage_problem(manifest, parse_territory("dep:29"), 45_000.0)
    rennes_metropole = "epci:243500139"
    assert coverage_problem(manifest, parse_territory(rennes_metropole), 45_000.0) == ""
    redon = "epci:243500741"  # Redon Agglomération straddles 35, 44 and 56
    assert redon not in manifest.covers
    assert "epci:243500667" in manifest.covers  # CC Val d'Ille-Aubigné, wholly in 35
    assert Settings().demand_buffer_m <= manifest.radius_m
    assert Settings().facility_buffer_m <= manifest.radius_m
