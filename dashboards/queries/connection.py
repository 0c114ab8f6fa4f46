"""The dashboard's read-only connections to the warehouse and its one way to run SQL.

Read-only DuckDB through :func:`warehouse.gate.connect`, one connection per process
and warehouse path, for the file found there now (each query runs on its own cursor
so threads never share one). A rebuild replaces the file (``os.replace``): the next
request sees a new file identity (inode, size, mtime), the old connection is closed
once its queries are done and the new file opened. DuckDB keeps one database per
path in a process, so the old connection must be closed before the new file can be
read.

Every query is a text ``warehouse/sql/dashboards/<name>.sql`` run by
:func:`warehouse.gate.query` with named ``$parameters``; no SQL is built from strings.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from warehouse.gate import WarehouseError, connect, query

log = logging.getLogger(__name__)
# How long a replaced warehouse's connection may finish its running queries.
_DRAIN_SECONDS = 30.0


@dataclass(frozen=True)
class Warehouse:
    """A warehouse file at one moment: a rebuilt file (new inode, size or mtime) is a
    new ``Warehouse``, so it gets fresh caches and a fresh connection."""

    path: str
    stamp: int  # modification time (ns); also versions the geometry URLs
    file_id: tuple[int, int, int] = (0, 0, 0)  # (device, inode, size)


def open_warehouse(path: Path | str) -> Warehouse:
    """Check that the file exists and stamp it with its identity (one ``stat``: cheap
    enough for every request, so a rebuilt warehouse is noticed at once)."""
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise WarehouseError(f"entrepôt introuvable: {p} (lancer d'abord `territoires build`)")
    return _stamped(str(p))


def _stamped(path: str) -> Warehouse:
    st = os.stat(path)
    return Warehouse(path, st.st_mtime_ns, (st.st_dev, st.st_ino, st.st_size))


@dataclass
class _Open:
    """The connection of one warehouse file and how many queries use it now."""

    version: Warehouse
    con: duckdb.DuckDBPyConnection
    users: int = 0


class _Connections:
    """This process's read-only connections, one per ``(pid, path)``: the key keeps
    forked workers apart; a request stamped with another file identity than the open
    one makes it reopen the file now at the path (after closing the old connection)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._open: dict[tuple[int, str], _Open] = {}

    def _drained(self, key: tuple[int, str], live: _Open) -> bool:
        """Whether ``live`` has no more users or is no longer the open connection."""
        return live.users == 0 or self._open.get(key) is not live

    def acquire(self, wh: Warehouse) -> _Open:
        key = (os.getpid(), wh.path)
        with self._cond:
            while (live := self._open.get(key)) is not None and not _serves(live, wh):
                drained = self._cond.wait_for(
                    partial(self._drained, key, live), timeout=_DRAIN_SECONDS
                )
                if self._open.get(key) is live:
                    if not drained:
                        log.warning("entrepôt remplacé : requêtes en cours interrompues")
                    del self._open[key]
                    live.con.close()
                    log.info("entrepôt remplacé, réouverture : %s", wh.path)
            if live is None:
                live = _Open(_stamped(wh.path), connect(wh.path, read_only=True))
                self._open[key] = live
            live.users += 1
            return live

    def release(self, live: _Open) -> None:
        with self._cond:
            live.users -= 1
            self._cond.notify_all()


def _serves(live: _Open, wh: Warehouse) -> bool:
    """The open connection answers ``wh``: same file, or ``wh`` is older than the open
    file while the open file is still the one at the path (a request begun before a
    rebuild gets the new file rather than reopening the old one)."""
    if live.version == wh:
        return True
    try:
        return live.version == _stamped(wh.path)
    except OSError:
        return True  # the file is being replaced: keep serving what is open


_CONNECTIONS = _Connections()


@contextmanager
def _cursor(wh: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the current connection to ``wh``'s file, closed after use."""
    live = _CONNECTIONS.acquire(wh)
    try:
        cur = live.con.cursor()
        try:
            yield cur
        finally:
            cur.close()
    finally:
        _CONNECTIONS.release(live)


def _rows(wh: Warehouse, name: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of the query ``warehouse/sql/dashboards/<name>.sql`` (``$params`` bound)."""
    with _cursor(wh) as cur:
        return query(cur, f"dashboards/{name}", params).fetchall()


def _columns(wh: Warehouse, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    """Columns of the query ``warehouse/sql/dashboards/<name>.sql`` as Python lists,
    numbers missing, NaN or infinite as None (converted column-wise by numpy: a
    national level's 34 875 values in a few milliseconds, not one call per cell)."""
    with _cursor(wh) as cur:
        res = query(cur, f"dashboards/{name}", params)
        names = [d[0] for d in res.description or ()]
        arrays = res.fetchnumpy()
        return [_column_list(arrays[c]) for c in names]


def _column_list(array: Any) -> list[Any]:
    a = np.ma.asarray(array)
    if a.dtype.kind == "f":
        values = np.ma.filled(a, np.nan)
        out = values.astype(object)
        out[~np.isfinite(values)] = None
        return list(out.tolist())
    if np.ma.is_masked(a):
        out = a.data.astype(object)
        out[np.ma.getmaskarray(a)] = None
        return list(out.tolist())
    return list(a.data.tolist())


def _records(
    wh: Warehouse, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of a ``SELECT *`` query as column -> value dicts: a reader takes the newer
    contract columns only when an older warehouse has them, without building SQL."""
    with _cursor(wh) as cur:
        res = query(cur, f"dashboards/{name}", params)
        names = [d[0] for d in res.description or ()]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


@lru_cache(maxsize=8)
def tables(wh: Warehouse) -> frozenset[str]:
    return frozenset(r[0] for r in _rows(wh, "tables"))


@lru_cache(maxsize=64)
def columns(wh: Warehouse, table: str) -> frozenset[str]:
    """Column names of a table (empty when absent): newer contract columns such as
    ``indicators.target_max`` or ``indicator_values.note`` are read only when there."""
    return frozenset(r[0] for r in _rows(wh, "columns", {"table": table}))


def _finite(x: Any) -> float | None:
    """``x`` as a float, None when missing, NaN or infinite."""
    if x is None:
        return None
    f = float(x)
    return f if f == f and f not in (float("inf"), float("-inf")) else None
