"""Fixtures of the ETL tests."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory DuckDB connection (test files may define their own ``con``)."""
    connection = duckdb.connect()
    yield connection
    connection.close()
