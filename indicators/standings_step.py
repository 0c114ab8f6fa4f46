"""Build step ``standings``: where each stored value stands among its level.

Runs last (``indicators.pipeline``), once every theme has written its values: the
table ``indicator_standings`` (``warehouse/sql/indicators/standings.sql``) gives a
portrait its 200-odd figures with their ranks by reading one territory's rows, where
the query over ``indicator_values`` scanned a national build's 8 million values
(0.75 s per portrait, bench/dashboard.py).
"""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.gate import run_sql, table_exists

__all__ = ["compute_standings", "refresh_standings"]


def refresh_standings(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)write ``indicator_standings`` from ``indicator_values`` and ``territories``.

    Whoever changes ``indicator_values`` afterwards must call it again: the portrait
    reads the standings. Without ``indicator_values`` (a build without indicators)
    there is nothing to rank and no table is written.
    """
    if table_exists(con, "indicator_values"):
        run_sql(con, "indicators/standings")


def compute_standings(con: duckdb.DuckDBPyConnection, settings: Any) -> None:
    """The build step (``settings`` unused: the standings depend on the tables only)."""
    del settings
    refresh_standings(con)
