"""Checks of a downloaded or mirrored file before it is used, and archive extraction.

A file is accepted when it is not empty, not an HTML page posing as data, its
archive opens (zip, gzip), a JSON file starts and ends like JSON, and its sha256 is
the one the catalogue declares. Errors name the source and say what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import lzma
import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from etl.atomic import atomic_path
from etl.catalogue import Source

HINT_MIRROR = "placez le fichier officiel dans le dossier miroir (--mirror)"

_HASH_CHUNK = 1 << 20
_SNIFF_BYTES = 2048
_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_FORMATS = frozenset({"zip", "xlsx"})
_JSON_FORMATS = frozenset({"json", "geojson"})
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)
_GZIP_ERRORS = (gzip.BadGzipFile, zlib.error, EOFError)


class FetchError(RuntimeError):
    """A source could not be provided; the message names it and says what to do."""


class ChecksumError(FetchError):
    """The file is not the declared vintage (sha256 mismatch)."""


class CorruptFileError(FetchError):
    """Empty, truncated or corrupt file, or an HTML page instead of data."""


def sha256_file(path: Path) -> str:
    """Hex sha256 digest of a file, read by 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- validation


def _head_tail(path: Path) -> tuple[bytes, bytes]:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        fh.seek(max(0, path.stat().st_size - _SNIFF_BYTES))
        tail = fh.read(_SNIFF_BYTES)
    return head, tail


def _check_cheap(source: Source, path: Path, kind: str) -> bytes:
    """Checks that read only the first and last bytes; returns the head."""
    where = f"source {source.name!r}, fichier {path}"
    if path.stat().st_size == 0:
        raise CorruptFileError(f"{where}: fichier vide; supprimez-le et relancez, ou {HINT_MIRROR}")
    head, tail = _head_tail(path)
    text = head.removeprefix(_BOM).lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        raise CorruptFileError(
            f"{where}: page HTML au lieu de données {kind} (page d'erreur ou de connexion "
            f"enregistrée à la place du fichier); vérifiez l'URL du catalogue ou {HINT_MIRROR}"
        )
    if kind in _JSON_FORMATS:
        hint = " (fichier compressé gzip ?)" if head.startswith(_GZIP_MAGIC) else ""
        if text[:1] not in (b"{", b"["):
            raise CorruptFileError(f"{where}: ne commence pas par '{{' ou '[': pas du JSON{hint}")
        if tail.rstrip()[-1:] not in (b"}", b"]"):
            raise CorruptFileError(f"{where}: JSON tronqué (ne finit pas par '}}' ou ']')")
    if kind == "parquet" and not (head.startswith(b"PAR1") and tail.endswith(b"PAR1")):
        raise CorruptFileError(f"{where}: fichier parquet tronqué ou corrompu (marqueur PAR1)")
    if kind == "gpkg" and not head.startswith(b"SQLite format 3\x00"):
        raise CorruptFileError(f"{where}: pas un GeoPackage (en-tête SQLite absent)")
    return head


def _drain(fh: io.BufferedIOBase) -> None:
    """Read a decompressing stream to its end (errors surface as exceptions)."""
    while fh.read(_HASH_CHUNK):
        pass


def _check_deep(source: Source, path: Path, kind: str, head: bytes) -> None:
    """Checks that read the whole file: zip CRCs, gzip and lzma streams."""
    where = f"source {source.name!r}, fichier {path}"
    if kind in _ZIP_FORMATS or head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
        except _ZIP_ERRORS as exc:
            raise CorruptFileError(f"{where}: archive zip tronquée ou corrompue ({exc})") from exc
        if bad is not None:
            raise CorruptFileError(f"{where}: archive zip tronquée ou corrompue (membre {bad})")
    elif kind == "gzip" or head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as fh:
                _drain(fh)
        except _GZIP_ERRORS as exc:
            raise CorruptFileError(f"{where}: fichier gzip tronqué ou corrompu ({exc})") from exc
    elif kind == "lzma-csv":
        try:
            with lzma.open(path, "rb") as fh:
                _drain(fh)
        except (lzma.LZMAError, EOFError) as exc:
            raise CorruptFileError(f"{where}: fichier lzma tronqué ou corrompu ({exc})") from exc


def validate_file(source: Source, path: Path, *, kind: str = "", expected_sha256: str = "") -> str:
    """Check a local file of ``source`` and return its sha256.

    Parameters
    ----------
    source : Source
        Named in every error message.
    path : Path
        The file to check (never modified).
    kind : str
        Format to check against (default ``source.format``); ``"zip"`` or
        ``"gzip"`` for a downloaded archive.
    expected_sha256 : str
        Declared digest, or several separated by commas (each file of a
        ``multi`` source must match one of them); "" for no check. A matching
        digest proves integrity, so the full-read archive checks are skipped.

    Raises
    ------
    CorruptFileError
        Empty file, HTML page, truncated or corrupt archive/JSON.
    ChecksumError
        sha256 differs from the declared one(s).
    """
    kind = kind or source.format
    head = _check_cheap(source, path, kind)
    actual = sha256_file(path)
    expected = {d.strip().lower() for d in expected_sha256.split(",") if d.strip()}
    if expected and actual not in expected:
        raise ChecksumError(
            f"source {source.name!r}, fichier {path}: sha256 attendu {', '.join(sorted(expected))}"
            f", obtenu {actual}. Ce n'est pas le millésime déclaré ({source.vintage}): "
            "remplacez le fichier, ou mettez à jour millésime et sha256 dans etl/catalogue.toml"
        )
    if not expected:
        _check_deep(source, path, kind, head)
    return actual


# ----------------------------------------------------------------------------- extraction


def archive_name(source: Source) -> str:
    """File name of the source's official URL (empty without URL)."""
    return PurePosixPath(urlsplit(source.url).path).name if source.url else ""


def archive_kind(source: Source) -> str:
    """``"zip"``/``"gzip"`` when the URL is an archive the loader does not read as is."""
    name = archive_name(source).lower()
    target = source.filename.lower()
    if name.endswith(".zip") and not target.endswith(".zip") and source.format not in _ZIP_FORMATS:
        return "zip"
    if name.endswith(".gz") and not target.endswith(".gz"):
        return "gzip"
    return ""


def _pick_member(source: Source, zf: zipfile.ZipFile, archive: Path) -> zipfile.ZipInfo:
    files = [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not PurePosixPath(i.filename).name.startswith(".")
    ]
    wanted = source.member or source.filename
    exact = [i for i in files if i.filename == wanted]
    by_name = [i for i in files if PurePosixPath(i.filename).name == PurePosixPath(wanted).name]
    for candidates in (exact, by_name, [] if source.member else files):
        if len(candidates) == 1:
            return candidates[0]
    raise FetchError(
        f"source {source.name!r}: membre {wanted!r} introuvable ou ambigu dans l'archive "
        f"{archive} (contenu: {', '.join(i.filename for i in files[:20])}); "
        "corrigez 'member' dans etl/catalogue.toml"
    )


def extract_member(source: Source, archive: Path, kind: str, dest: Path) -> None:
    """Extract the data file of a zip/gzip ``archive`` into ``dest`` (atomically)."""
    where = f"source {source.name!r}, archive {archive}"
    if kind == "zip":
        try:
            with zipfile.ZipFile(archive) as zf:
                info = _pick_member(source, zf, archive)
                with (
                    zf.open(info) as src,
                    atomic_path(dest, parents=True) as tmp,
                    tmp.open("wb") as out,
                ):
                    shutil.copyfileobj(src, out, _HASH_CHUNK)
        except _ZIP_ERRORS as exc:
            raise CorruptFileError(f"{where}: archive zip tronquée ou corrompue ({exc})") from exc
        return
    with archive.open("rb") as fh:
        is_gzip = fh.read(2) == _GZIP_MAGIC
    try:
        with (
            gzip.open(archive, "rb") if is_gzip else archive.open("rb") as src,
            atomic_path(dest, parents=True) as tmp,
            tmp.open("wb") as out,
        ):
            # A server may already have removed the gzip layer (Content-Encoding: gzip).
            shutil.copyfileobj(src, out, _HASH_CHUNK)
    except _GZIP_ERRORS as exc:
        raise CorruptFileError(f"{where}: fichier gzip tronqué ou corrompu ({exc})") from exc


# ----------------------------------------------------------------------------- lookups
