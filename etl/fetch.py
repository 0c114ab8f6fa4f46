"""Get the raw file of a catalogue source: embedded, mirror, cache, then HTTP.

:func:`fetch` looks, in this order:

1. in an installed Python package (``source.embedded``);
2. in the mirror folder (``settings.mirror_dir``), by file name, recursively;
   mirror files are read in place, never copied; an archive found there is
   extracted into the cache;
3. in the cache (``settings.cache_dir / source.name / source.filename``);
4. on the network (unless ``settings.offline``): retries with back-off,
   resumption of an interrupted ``.part`` file, extraction of ``.zip`` and
   ``.gz`` downloads, atomic rename into the cache;
5. when none of these gives the file (:class:`SourceUnavailable`) and the source
   declares a ``sample``: the embedded real sample (``etl/sample/``, see
   :mod:`etl.embedded_sample`), only for the territories it covers and after
   checking its sha256 against ``etl/sample/MANIFEST.json``. A corrupt download or
   mirror file is never replaced by the sample: it stays an error.

Every file returned, whatever its origin, is checked (:func:`validate_file`):
not empty, not an HTML page posing as data, archives that open, JSON that
starts and ends like JSON, and the declared sha256. A bad file in the cache is
deleted and fetched again; a bad download is deleted, never left in the cache.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from etl import _http
from etl.atomic import atomic_path
from etl.catalogue import Source
from etl.embedded_sample import (
    MANIFEST_NAME,
    SampleManifestError,
    coverage_problem,
    read_manifest,
    sample_resource,
)
from etl.file_checks import (
    HINT_MIRROR,
    ChecksumError,
    CorruptFileError,
    FetchError,
    archive_kind,
    archive_name,
    extract_member,
    sha256_file,
    validate_file,
)
from etl.settings import Settings

log = logging.getLogger(__name__)

# urllib3 back-off between HTTP retries: 0.5 s, 1 s, 2 s, 4 s... (overridable per call).
DEFAULT_BACKOFF_FACTOR = 0.5


@dataclass(frozen=True)
class Fetched:
    """The local file(s) of a source, where they came from and their checksums.

    Attributes
    ----------
    source : Source
    files : tuple[Path, ...]
        Files the loader reads (several only when ``source.multi``).
    origin : str
        ``"miroir: <path>"``, ``"cache: <path>"``, ``"téléchargement: <url>"``,
        ``"embarqué: <package/path>"`` or, for the embedded real sample,
        ``"échantillon embarqué (Ille-et-Vilaine et 60 km autour) : <package/path>, …"``;
        several joined with ``" ; "``.
    sha256 : str
        Hex sha256 of each file, joined with ``","``.
    sample : bool
        The files are the embedded real sample, not the official file.
    vintage : str
        Vintage of the files when it is not necessarily the catalogue's (the
        sample's original vintage, from its manifest); "" otherwise.
    """

    source: Source
    files: tuple[Path, ...]
    origin: str
    sha256: str
    sample: bool = False
    vintage: str = ""


class SourceUnavailable(FetchError):  # noqa: N818 (public name of the API)
    """Not embedded, not in the mirror, not in the cache, and no usable network."""


def _cache_path(source: Source, settings: Settings) -> Path:
    return Path(settings.cache_dir) / source.name / source.filename


def _from_embedded(source: Source, settings: Settings) -> Fetched:
    package, _, rel = source.embedded.partition("/")
    try:
        resource = resources.files(package).joinpath(rel)
    except ModuleNotFoundError as exc:
        raise SourceUnavailable(
            f"source {source.name!r}: paquet Python {package!r} non installé "
            f"(fichier embarqué {source.embedded}); réinstallez le projet (make install)"
        ) from exc
    if not resource.is_file():
        raise SourceUnavailable(
            f"source {source.name!r}: fichier embarqué {source.embedded} absent du paquet "
            f"{package!r}; vérifiez la version du paquet (pyproject.toml)"
        )
    if isinstance(resource, Path):
        path = resource
    else:  # package inside a zip: copy the resource into the cache
        path = _cache_path(source, settings)
        with resources.as_file(resource) as real, atomic_path(path, parents=True) as tmp:
            shutil.copyfile(real, tmp)
    digest = validate_file(source, path, expected_sha256=source.sha256)
    return Fetched(source, (path,), f"embarqué: {source.embedded}", digest)


def _mirror_find(source: Source, mirror: Path) -> tuple[list[Path], str]:
    """Files of ``source`` in the mirror and their archive kind ("" when not archives)."""
    found = sorted(p for p in mirror.rglob(glob.escape(source.filename)) if p.is_file())
    if found:
        return found, ""
    kind = archive_kind(source)
    archive = archive_name(source)
    if not archive or not (kind and (source.member or kind == "gzip")):
        return [], ""
    return sorted(p for p in mirror.rglob(glob.escape(archive)) if p.is_file()), kind


def _mirror_extracted(
    source: Source, settings: Settings, archive: Path, kind: str
) -> tuple[Path, str]:
    """Extract a mirrored archive into the cache (reusing an earlier extraction).

    Returns the extracted file and its sha256.
    """
    dest = _cache_path(source, settings)
    if source.multi:
        key = hashlib.sha256(str(archive.resolve()).encode()).hexdigest()[:12]
        dest = dest.parent / "miroir" / key / source.filename
    if dest.is_file() and dest.stat().st_mtime >= archive.stat().st_mtime:
        try:
            return dest, validate_file(source, dest, expected_sha256=source.sha256)
        except (CorruptFileError, ChecksumError) as exc:
            log.warning("%s; extraction refaite depuis %s", exc, archive)
    validate_file(source, archive, kind=kind)
    extract_member(source, archive, kind, dest)
    try:
        return dest, validate_file(source, dest, expected_sha256=source.sha256)
    except FetchError:
        dest.unlink(missing_ok=True)  # our extraction, not the user's file
        raise


def _from_mirror(source: Source, settings: Settings, mirror: Path) -> Fetched | None:
    found, kind = _mirror_find(source, mirror)
    if not found:
        return None
    if len(found) > 1 and not source.multi:
        raise FetchError(
            f"source {source.name!r}: plusieurs fichiers correspondent dans le miroir "
            f"({', '.join(str(p) for p in found)}); ambigu: gardez-en un seul"
        )
    files: list[Path] = []
    origins: list[str] = []
    digests: list[str] = []
    for path in found:
        if kind:
            data, digest = _mirror_extracted(source, settings, path, kind)
            origins.append(f"miroir: {path} (extrait dans {data})")
        else:
            data, digest = path, validate_file(source, path, expected_sha256=source.sha256)
            origins.append(f"miroir: {path}")
        files.append(data)
        digests.append(digest)
    return Fetched(source, tuple(files), " ; ".join(origins), ",".join(digests))


def _from_cache(source: Source, settings: Settings) -> tuple[Fetched | None, str]:
    """The cached file when valid; otherwise ``None`` and why it was discarded."""
    path = _cache_path(source, settings)
    if not path.is_file():
        return None, ""
    try:
        digest = validate_file(source, path, expected_sha256=source.sha256)
    except (CorruptFileError, ChecksumError) as exc:
        log.warning("%s; fichier du cache supprimé, il sera téléchargé à nouveau", exc)
        path.unlink()
        return None, str(exc)
    return Fetched(source, (path,), f"cache: {path}", digest), ""


def _from_network(
    source: Source, settings: Settings, session: requests.Session, backoff_factor: float
) -> Fetched:
    dest = _cache_path(source, settings)
    dest.parent.mkdir(parents=True, exist_ok=True)
    kind = archive_kind(source)
    part = dest.parent / f"{archive_name(source) if kind else dest.name}.part"
    try:
        _http.download(
            session,
            source.url,
            part,
            timeout=settings.http_timeout_s,
            retries=settings.http_retries,
            progress=settings.progress,
            desc=source.name,
        )
    except (requests.RequestException, _http.DownloadError) as exc:
        kept = " (la partie reçue est gardée pour reprise)" if part.exists() else ""
        raise SourceUnavailable(
            f"source {source.name!r}: téléchargement de {source.url} impossible après "
            f"{settings.http_retries} nouvelles tentatives: {exc}{kept}. Relancez plus tard, "
            f"ou {HINT_MIRROR} ({source.filename})"
        ) from exc
    try:
        if kind:
            validate_file(source, part, kind=kind)
            extract_member(source, part, kind, dest)
            part.unlink()
            digest = validate_file(source, dest, expected_sha256=source.sha256)
        else:
            digest = validate_file(source, part, expected_sha256=source.sha256)
            # Not atomic_path: the ``.part`` file keeps one name across runs so that a
            # cut download resumes (etl/_http.py); once checked, a rename publishes it.
            os.replace(part, dest)
    except FetchError as exc:
        part.unlink(missing_ok=True)
        dest.unlink(missing_ok=True)
        raise type(exc)(f"{exc} (téléchargé depuis {source.url}; fichier supprimé)") from exc
    return Fetched(source, (dest,), f"téléchargement: {source.url}", digest)


def _thousands(n: int) -> str:
    return f"{n:,d}".replace(",", "\u202f")


def _from_sample(source: Source, settings: Settings, why: SourceUnavailable) -> Fetched:
    """The embedded real sample of ``source``, when it serves ``settings.territory``.

    Raises
    ------
    SourceUnavailable
        The sample does not cover the territory (or the build's buffer): the source
        stays missing, ``why`` followed by the reason.
    ChecksumError
        The sample file does not have the sha256 of its manifest.
    CorruptFileError
        Sample file or manifest missing from the package, or manifest malformed.
    """
    hint = (
        "réinstallez le projet (make install) ou régénérez l'échantillon avec "
        "`python -m etl.make_sample --mirror <dossier miroir>`"
    )
    where = f"source {source.name!r}, échantillon embarqué {source.sample}"
    try:
        resource, manifest_resource = sample_resource(source.sample)
        manifest = read_manifest(manifest_resource)
    except (ModuleNotFoundError, SampleManifestError) as exc:
        raise CorruptFileError(f"{where}: {exc}; {hint}") from exc
    buffer_m = max(settings.facility_buffer_m, settings.demand_buffer_m)
    problem = coverage_problem(manifest, settings.territory, buffer_m)
    if problem:
        raise SourceUnavailable(f"{why}; {problem}") from why
    entry = manifest.files.get(PurePosixPath(source.sample).name)
    if entry is None or entry.source != source.name:
        raise CorruptFileError(f"{where}: fichier non décrit dans {MANIFEST_NAME}; {hint}")
    if not resource.is_file():
        raise CorruptFileError(f"{where}: fichier absent du paquet installé; {hint}")
    if isinstance(resource, Path):
        path = resource
    else:  # package inside a zip: copy the resource into the cache
        path = Path(settings.cache_dir) / source.name / "echantillon" / entry.file
        with resources.as_file(resource) as real, atomic_path(path, parents=True) as tmp:
            shutil.copyfile(real, tmp)
    digest = sha256_file(path)
    if digest != entry.sample_sha256:
        raise ChecksumError(
            f"{where}: échantillon embarqué corrompu (sha256 {digest}, {MANIFEST_NAME} attend "
            f"{entry.sample_sha256}); {hint}"
        )
    origin = (
        f"{manifest.label} : {source.sample}, extrait de {entry.original_file} "
        f"(millésime d'origine {entry.vintage}, {_thousands(entry.rows_kept)} lignes "
        f"sur {_thousands(entry.rows_original)})"
    )
    return Fetched(source, (path,), origin, digest, sample=True, vintage=entry.vintage)


def _with_sample(source: Source, settings: Settings, why: SourceUnavailable) -> Fetched:
    """The sample when ``source`` has one, else ``why`` raised again."""
    if not source.sample:
        raise why
    try:
        return _from_sample(source, settings, why)
    except OSError as exc:
        raise FetchError(
            f"source {source.name!r}: erreur de lecture de l'échantillon embarqué "
            f"{source.sample} ({exc})"
        ) from exc


# ----------------------------------------------------------------------------- public


def _unavailable(source: Source, settings: Settings, why: str) -> SourceUnavailable:
    places = f"absent du miroir {settings.mirror_dir}" if settings.mirror_dir else "pas de miroir"
    todo = f"{HINT_MIRROR} ({source.filename})"
    if settings.offline and source.url:
        todo += f", ou relancez sans --offline pour télécharger {source.url}"
    return SourceUnavailable(
        f"source {source.name!r} introuvable ({why}): {places}, absent du cache "
        f"{_cache_path(source, settings)}; {todo}"
    )


def _fetch(
    source: Source,
    settings: Settings,
    session: requests.Session | None,
    backoff_factor: float,
) -> Fetched:
    if source.embedded:
        return _from_embedded(source, settings)
    if settings.mirror_dir is not None:
        found = _from_mirror(source, settings, Path(settings.mirror_dir))
        if found is not None:
            return found
    cached, discarded = _from_cache(source, settings)
    if cached is not None:
        return cached
    why = f"fichier du cache invalide et supprimé ({discarded})" if discarded else ""
    if settings.offline:
        raise _unavailable(source, settings, why or "mode hors ligne")
    scheme = urlsplit(source.url).scheme
    if scheme not in {"http", "https"}:
        raise _unavailable(source, settings, why or f"pas d'URL HTTP ({source.url!r})")
    if session is not None:
        return _from_network(source, settings, session, backoff_factor)
    with _http.make_session(settings.http_retries, backoff_factor) as own:
        return _from_network(source, settings, own, backoff_factor)


def fetch(
    source: Source,
    settings: Settings,
    *,
    session: requests.Session | None = None,
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
) -> Fetched:
    """Local, checked file(s) of a catalogue source.

    Looks in the installed package (``source.embedded``), then the mirror
    (recursively by file name, read in place; a mirrored archive is extracted
    into the cache), then the cache, then downloads (unless offline) into the
    cache with retries, resumption and an atomic rename. When all of these fail
    with :class:`SourceUnavailable`, the embedded real sample of the source (if
    it declares one and it covers ``settings.territory``) is returned, flagged
    ``sample=True``.

    Parameters
    ----------
    source : Source
        A catalogue entry.
    settings : Settings
        ``mirror_dir``, ``cache_dir``, ``offline``, ``progress``, ``http_timeout_s``
        and ``http_retries`` are used; ``territory`` and the buffers decide whether
        the embedded sample may serve.
    session : requests.Session, optional
        Session for downloads; by default one with urllib3 retries is opened
        and closed here (pass one to share connections between sources).
    backoff_factor : float
        urllib3 back-off between retries of the session opened here, in s.

    Returns
    -------
    Fetched

    Raises
    ------
    ChecksumError
        A file (or the embedded sample) does not have the declared sha256.
    CorruptFileError
        Empty, truncated, corrupt or HTML file; embedded sample missing from the package.
    SourceUnavailable
        Found nowhere, and offline or the download failed after the retries, and no
        embedded sample for this territory (the message says why).
    FetchError
        Ambiguous mirror, archive without the declared member, file system error.
    """
    try:
        return _fetch_official(source, settings, session, backoff_factor)
    except SourceUnavailable as exc:
        return _with_sample(source, settings, exc)


def _fetch_official(
    source: Source,
    settings: Settings,
    session: requests.Session | None,
    backoff_factor: float,
) -> Fetched:
    """:func:`fetch` without the embedded sample (file system errors as FetchError)."""
    try:
        return _fetch(source, settings, session, backoff_factor)
    except OSError as exc:  # file system (permissions, disk full); requests errors are handled
        raise FetchError(
            f"source {source.name!r}: erreur de fichier ({exc}); vérifiez les droits et la place "
            f"libre dans le cache {settings.cache_dir} et le miroir {settings.mirror_dir}"
        ) from exc


def fetch_many(
    sources: Iterable[Source],
    settings: Settings,
    *,
    session: requests.Session | None = None,
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
) -> dict[str, Fetched | FetchError]:
    """Fetch several sources; a failure is returned for its source, never raised.

    Returns
    -------
    dict[str, Fetched | FetchError]
        By source name, in input order. A progress bar over the sources is shown
        on stderr when ``settings.progress``.
    """
    items = list(sources)
    results: dict[str, Fetched | FetchError] = {}
    with contextlib.ExitStack() as stack:
        if session is None:
            session = stack.enter_context(_http.make_session(settings.http_retries, backoff_factor))
        bar = stack.enter_context(
            tqdm(items, desc="sources", unit="source", disable=not settings.progress)
        )
        dead_hosts: list[str] = []
        for source in bar:
            bar.set_postfix_str(source.name, refresh=False)
            host = urlsplit(source.url).hostname or ""
            # Circuit breaker: once two hosts (or this one) were unreachable at the
            # connection level, the network is considered down for the remaining
            # sources, instead of waiting for every retry of every source.
            down = host in dead_hosts or len(dead_hosts) >= _MAX_DEAD_HOSTS
            current = settings.with_(offline=True) if down and not settings.offline else settings
            try:
                results[source.name] = _fetch_official(source, current, session, backoff_factor)
            except FetchError as error:
                exc = error
                if down and current is not settings:
                    exc = SourceUnavailable(
                        f"source {source.name!r} non téléchargée: réseau injoignable (échec de "
                        f"connexion à {', '.join(dead_hosts)}); placez {source.filename} dans "
                        f"un dossier miroir (--mirror) ou relancez avec le réseau ({source.url})"
                    )
                elif _is_connection_failure(exc) and host:
                    dead_hosts.append(host)
                if isinstance(exc, SourceUnavailable) and source.sample:
                    try:  # after the circuit breaker saw the failure
                        results[source.name] = _with_sample(source, current, exc)
                        continue
                    except FetchError as sample_error:
                        exc = sample_error
                log.info("%s", exc)  # returned to the caller, who reports it
                results[source.name] = exc
    return results


_MAX_DEAD_HOSTS = 2


def _is_connection_failure(exc: BaseException) -> bool:
    """True when the download never reached the server (DNS, refused, unreachable)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, requests.exceptions.ConnectionError):
            return True
        cause = cause.__cause__
    return False
