"""HTTP transport for :mod:`etl.fetch`: a retrying session and resumable downloads.

This module knows nothing about the catalogue: it moves bytes from a URL into a
``.part`` file and raises :class:`DownloadError` (or lets a ``requests``
exception through) when it cannot. :mod:`etl.fetch` turns those into messages
that name the source.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

USER_AGENT = "territoires/0.1"
# Status codes worth retrying: rate limiting and transient server errors.
RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK_BYTES = 1 << 16
_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


CONNECT_TIMEOUT_S = 10.0


class DownloadError(RuntimeError):
    """The server answered, but not with the expected bytes (status, range, size)."""


def make_session(retries: int, backoff_factor: float) -> requests.Session:
    """A session that retries connection errors, 429 and 5xx with exponential back-off.

    Parameters
    ----------
    retries : int
        Number of retries after the first attempt (connection, read and status).
    backoff_factor : float
        urllib3 back-off: the n-th retry waits ``backoff_factor * 2 ** (n - 1)`` s.

    Returns
    -------
    requests.Session
        With the ``territoires/0.1`` User-Agent; the caller closes it.
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _resume_offset(response: requests.Response, offset: int) -> int | None:
    """Where to start writing given the server's answer to a (possibly ranged) request.

    Returns 0 when the server sent the whole body (200), ``offset`` when it
    honoured the range (206 starting exactly at ``offset``), ``None`` when the
    partial answer does not continue our file (the caller starts over).
    """
    if response.status_code == 200:
        return 0
    if response.status_code != 206:
        raise DownloadError(f"réponse HTTP {response.status_code} inattendue")
    match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
    if offset and match and int(match.group(1)) == offset:
        return offset
    return None


def _expected_total(response: requests.Response, start: int) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None
    # Content-Length is the length of the (possibly compressed) body; only trust it
    # for an identity-encoded body, where it counts the bytes we write.
    if response.headers.get("Content-Encoding", "identity").lower() not in {"", "identity"}:
        return None
    return start + int(length)


def download_once(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    timeout: float,
    progress: bool,
    desc: str,
) -> None:
    """Download ``url`` into ``part``, resuming an existing partial file.

    An existing non-empty ``part`` is resumed with ``Range: bytes=N-``; a
    server that answers 200 instead of 206 sends the whole file again and
    ``part`` is rewritten from the start. A 416 answer (the partial file is not
    a prefix the server can continue) discards ``part`` and starts over.

    Raises
    ------
    requests.RequestException
        Network failure or HTTP error status after the session's retries. The
        bytes received so far stay in ``part`` for a later resumption.
    DownloadError
        Inconsistent ranges or a body shorter than announced.
    """
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    total: int | None = None
    # A short connect timeout: a network that silently drops packets must not
    # hold the build for the whole read timeout at each attempt.
    timeouts = (min(CONNECT_TIMEOUT_S, timeout), timeout)
    with session.get(url, headers=headers, stream=True, timeout=timeouts) as response:
        if response.status_code == 416 and offset:
            start = None
        else:
            response.raise_for_status()
            start = _resume_offset(response, offset)
        if start is not None:
            total = _expected_total(response, start)
            _write_body(response, part, start=start, total=total, progress=progress, desc=desc)
    if start is None:
        if not offset:
            raise DownloadError("réponse partielle (206) à une requête sans en-tête Range")
        log.info("%s: reprise impossible à l'octet %d, téléchargement complet", url, offset)
        part.unlink(missing_ok=True)
        download_once(session, url, part, timeout=timeout, progress=progress, desc=desc)
        return
    size = part.stat().st_size
    if total is not None and size != total:
        raise DownloadError(f"téléchargement incomplet: {size} octets reçus sur {total}")


def _write_body(
    response: requests.Response,
    part: Path,
    *,
    start: int,
    total: int | None,
    progress: bool,
    desc: str,
) -> None:
    """Append (``start`` > 0) or write the streamed body to ``part`` with a byte bar."""
    with (
        part.open("ab" if start else "wb") as out,
        tqdm(
            total=total,
            initial=start,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=desc,
            disable=not progress,
            leave=False,
        ) as bar,
    ):
        for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
            out.write(chunk)
            bar.update(len(chunk))


def download(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    timeout: float,
    retries: int,
    progress: bool,
    desc: str,
) -> None:
    """:func:`download_once`, resumed up to ``retries`` times when the body is cut.

    urllib3 retries only cover the request until the headers arrive; a
    connection dropped in the middle of the body is resumed here from the bytes
    already in ``part``.
    """
    attempt = 0
    while True:
        try:
            download_once(session, url, part, timeout=timeout, progress=progress, desc=desc)
            return
        except (requests.exceptions.ChunkedEncodingError, DownloadError) as exc:
            # The body was cut (or came out short): resume from what is in ``part``.
            failure: Exception = exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            # Before the headers, urllib3 has already retried: only a transfer that
            # had started (bytes in ``part``) is worth resuming here.
            if not part.exists() or part.stat().st_size == 0:
                raise
            failure = exc
        if attempt >= retries:
            raise failure
        attempt += 1
        received = part.stat().st_size if part.exists() else 0
        log.warning(
            "%s: transfert interrompu après %d octets (%s), reprise %d/%d",
            url,
            received,
            failure,
            attempt,
            retries,
        )
