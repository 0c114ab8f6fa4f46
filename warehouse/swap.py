"""One build per warehouse file, and what a killed or failed build leaves behind.

The build writes a temporary file next to the target and swaps it in with
``os.replace`` (``warehouse/build.py``); this module holds the lock that keeps two
builds of one file apart, removes the temporary files of killed builds, and tells a
full disk from other failures.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

from warehouse.errors import BuildError

log = logging.getLogger(__name__)

# Free space under which a failed build is reported as a full disk: DuckDB may report
# a write that failed for lack of space as a later, unrelated error (a missing table).
_DISK_FULL_BYTES = 32 * 1024 * 1024


def disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (or its causes) says "No space left on device" (``ENOSPC``, as
    an :class:`OSError` or in a DuckDB IO error), or ``folder`` has (almost) no free
    space left: DuckDB may then report a lost write as another error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    try:
        return shutil.disk_usage(folder).free < _DISK_FULL_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` for the whole build (one build per file).

    Raises
    ------
    BuildError
        Another build of the same file is running, or the lock file cannot be created
        (a read-only or special folder such as ``/proc``).
    """
    lock_path = target.with_name(f".{target.name}.lock")
    try:
        fh = lock_path.open("a+")
    except OSError as exc:
        raise BuildError(
            f"impossible de créer le verrou {lock_path} ({exc.strerror or exc}) : le dossier "
            f"{target.parent} doit être un dossier ordinaire où l'on peut écrire "
            "(entrepôt inchangé)"
        ) from exc
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(
                f"une autre construction de {target} est en cours : attendez qu'elle finisse "
                "(entrepôt inchangé)"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def remove_interrupted_builds(target: Path) -> None:
    """Delete the temporary warehouses of builds of ``target`` that were killed (under
    the lock, no other build of it runs, so every such file is left over)."""
    stale = sorted(target.parent.glob(f".{glob.escape(target.name)}.building-*"))
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        log.warning("%d fichier(s) de constructions interrompues supprimé(s)", len(stale))
