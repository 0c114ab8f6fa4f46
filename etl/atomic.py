"""Atomic file writes: write next to the destination, then ``os.replace``.

:func:`atomic_path` is the one way the project writes a file that a reader may open
at any moment (a cache file, an export): the data goes to a temporary path in a
private folder next to the destination, and :func:`os.replace` moves it over the
destination only when the writing succeeded. A reader therefore sees the old file or
the new one, never half of one; on any error the old file stays byte-identical and
the temporary folder is removed.

Temporary folders are named ``.<destination name>.<pid>.<random>.tmp``. A process
killed before its cleanup ran (``kill -9``, power loss) leaves its folder behind;
the next write to the same destination removes the folders whose process no longer
exists on this machine (:func:`remove_stale`), and keeps those of running writers.

A folder (not a bare file) holds the temporary file because some writers create
sidecar files next to the file they write (SQLite's ``-journal`` and ``-wal`` under
GDAL's GeoPackage driver): they go away with the folder.

No ``fsync``: this protects readers against half-written files and failed writes,
not against a crash of the machine. Bottom layer: standard library only, no project
import, errors are the plain :class:`OSError` of the failing call.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"


@contextlib.contextmanager
def atomic_path(
    dest: Path | str, *, suffix: str | None = None, parents: bool = False
) -> Iterator[Path]:
    """Yield a temporary path for ``dest``; replace ``dest`` with it on success.

    Parameters
    ----------
    dest : Path or str
        The file to (re)write. Its folder must exist unless ``parents``.
    suffix : str, optional
        Extension of the yielded file (``".gpkg"``), for writers that choose their
        format by the file name; default: the extension of ``dest``.
    parents : bool
        Create the missing folders of ``dest`` first.

    Yields
    ------
    Path
        A file path that does not exist yet, in a new temporary folder next to
        ``dest`` (same file system, so the final :func:`os.replace` is atomic).

    Raises
    ------
    OSError
        The temporary folder cannot be created (before the ``with`` body runs), or
        :func:`os.replace` fails; any exception of the body propagates. In every
        failing case ``dest`` is untouched and the temporary folder is removed.

    Examples
    --------
    >>> with atomic_path(target) as tmp:  # doctest: +SKIP
    ...     tmp.write_bytes(data)
    """
    target = Path(dest)
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    folder = Path(
        tempfile.mkdtemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    )
    try:
        tmp = folder / (target.name if suffix is None else f"{target.stem}{suffix}")
        yield tmp
        os.replace(tmp, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(dest: Path | str) -> list[Path]:
    """Remove the temporary folders of earlier writes to ``dest`` whose process is gone.

    Returns the removed folders. Folders of running processes, and anything not named
    like a temporary folder of :func:`atomic_path`, are kept.
    """
    target = Path(dest)
    removed = []
    for folder in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        pid_text = folder.name[len(target.name) + 2 :].split(".", 1)[0]
        if folder.is_dir() and pid_text.isdigit() and not process_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no such pid can exist
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
