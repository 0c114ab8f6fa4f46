"""A rebuilt warehouse is served without a restart (issue 13, D3).

``territoires build`` replaces the file with ``os.replace``; DuckDB keeps one
database per path in a process, so a server that kept its connection served the
old file until restarted. Here a copy of the dep:35 build is served, replaced by
another build (a commune renamed, another territory in ``build_info``), and the
next requests show the new content; the old file is no longer held open.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from dashboards import queries
from dashboards.app import create_app

RENAMED = "Redon-Reconstruite"


def _rebuilt(source: Path, tmp: Path) -> Path:
    """Another build of the same warehouse: Redon renamed, ``build_info`` changed."""
    other = tmp / "rebuilt.duckdb.tmp"
    shutil.copy(source, other)
    con = duckdb.connect(str(other))
    try:
        con.execute(
            "UPDATE territories SET name = ? WHERE level = 'commune' AND code = '35236'",
            [RENAMED],
        )
        con.execute("UPDATE build_info SET value = 'dep:35 bis' WHERE key = 'territory'")
    finally:
        con.close()
    return other


def _deleted_files_open(path: Path) -> list[str]:
    """Files of this process still open although unlinked, named like ``path``."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)) and target.endswith("(deleted)"):
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_replaced_warehouse_is_served_without_restart(dash_db: Path, tmp_path: Path) -> None:
    live = tmp_path / "territoires.duckdb"
    shutil.copy(dash_db, live)
    client = create_app(live, production=True).server.test_client()
    before = client.get("/_dash-layout").get_data(as_text=True)
    assert "territoire dep:35," in before
    assert RENAMED not in client.get("/_territoires/geo/commune.geojson").get_data(as_text=True)

    os.replace(_rebuilt(dash_db, tmp_path), live)

    after = client.get("/_dash-layout").get_data(as_text=True)
    assert "territoire dep:35 bis," in after
    geo = client.get("/_territoires/geo/commune.geojson").get_data(as_text=True)
    assert RENAMED in geo
    assert _deleted_files_open(live) == []  # the old connection is closed


def test_a_running_query_finishes_before_the_old_file_is_closed(
    dash_db: Path, tmp_path: Path
) -> None:
    """A query begun on the old file keeps its connection until it is done; the
    request that notices the new file waits for it, then reads the new file."""
    live = tmp_path / "territoires.duckdb"
    shutil.copy(dash_db, live)
    old = queries.open_warehouse(live)
    running = queries._CONNECTIONS.acquire(old)  # a query in progress
    os.replace(_rebuilt(dash_db, tmp_path), live)
    new = queries.open_warehouse(live)
    assert new != old

    result: list[str] = []
    reader = threading.Thread(
        target=lambda: result.append(queries.territory(new, "commune", "35236").name)
    )
    reader.start()
    reader.join(timeout=1.0)
    assert reader.is_alive() and not result  # waits for the running query
    cur = running.con.cursor()
    assert cur.execute("SELECT count(*) FROM territories").fetchone()[0] > 0
    cur.close()
    queries._CONNECTIONS.release(running)
    reader.join(timeout=30.0)
    assert result == [RENAMED]
