"""Build step ``standings``: where each stored value stands among its level.

Runs last (``indicators.pipeline``), once every theme has written its values: the
table ``indicator_standings`` (``warehouse/sql/indicators/standings.sql``) gives a
portrait its 200-odd figures with their ranks by reading one territory's rows, where
the query over ``indicator_values`` scanned a national build's 8 million values
(0.75 s per portrait, bench/dashboard.py); ``computed_standings`` does the same for
the figures the dashboard computes from base tables (0.15 s per national portrait).
"""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.gate import load_spatial, run_sql, table_exists

__all__ = ["compute_standings", "refresh_standings"]


def refresh_standings(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)write ``indicator_standings`` from ``indicator_values`` and ``territories``,
    and ``computed_standings`` (population, density and facilities per 10,000
    inhabitants of every territory with their standing,
    ``warehouse/sql/indicators/computed_standings.sql``) from ``territories``,
    ``facilities`` and ``service_types``.

    Whoever changes these tables afterwards must call it again: the portrait reads
    the standings. A table whose sources are absent (a build without indicators or
    facilities) is not written.
    """
    if table_exists(con, "indicator_values"):
        run_sql(con, "indicators/standings")
    if all(table_exists(con, t) for t in ("territories", "facilities", "service_types")):
        load_spatial(con)  # ST_Area
        run_sql(con, "indicators/computed_standings")


def compute_standings(con: duckdb.DuckDBPyConnection, settings: Any) -> None:
    """The build step (``settings`` unused: the standings depend on the tables only)."""
    del settings
    refresh_standings(con)
