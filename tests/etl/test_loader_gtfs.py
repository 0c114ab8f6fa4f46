"""GTFS timetables (``etl.loaders.gtfs``), on the hand-written feed of
``tests/fixtures/gtfs/`` (official GTFS file and column names) and on the mirrored
Grand Périgueux feed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.loaders import LoadError
from etl.loaders.gtfs import GTFS_COLUMNS, load_gtfs
from tests.etl.loader_helpers import CATALOGUE

SOURCE = CATALOGUE["gtfs_grand_perigueux"]


def _load(con: duckdb.DuckDBPyConnection, folder: Path):
    return load_gtfs(con, [folder / "stop_times.txt"], SOURCE).df()


def test_fixture_feed(con: duckdb.DuckDBPyConnection, fixtures_dir: Path) -> None:
    df = _load(con, fixtures_dir / "gtfs")
    assert list(df.columns) == list(GTFS_COLUMNS)
    assert len(df) == 13  # one row per stop_times.txt row
    rows = df.set_index(["trip_id", "stop_id"])
    # Times after midnight stay as published, in seconds beyond 24 h.
    assert rows.loc[("T2", "P1"), "departure_time"] == "25:05:00"
    assert rows.loc[("T2", "P1"), "departure_s"] == 25 * 3600 + 5 * 60
    assert rows.loc[("T3", "P2"), "departure_s"] == 8 * 3600  # "8:00:00"
    # Last stop of a trip (arrival only), pickup_type (empty -> 0).
    assert rows.loc[("T3", "P1"), "last_stop"] and not rows.loc[("T3", "P2"), "last_stop"]
    assert rows.loc[("T1", "P2"), "pickup_type"] == 1 and rows.loc[("T4", "P1"), "pickup_type"] == 0
    # Route, stop and calendar joined.
    t4 = rows.loc[("T4", "P1")]
    assert (t4["route_short_name"], t4["route_type"], t4["stop_name"]) == ("S01", 712, "Gare")
    assert t4["tuesday"] and not t4["saturday"]
    assert pd_date(t4["start_date"]) == dt.date(2026, 1, 5)
    assert [pd_date(d) for d in rows.loc[("T3", "P2"), "added_dates"]] == [dt.date(2026, 1, 13)]
    assert [pd_date(d) for d in t4["removed_dates"]] == [dt.date(2026, 1, 20)]
    assert list(rows.loc[("T3", "P2"), "removed_dates"]) == []


def pd_date(value: object) -> dt.date:
    """A date as pandas gives it (Timestamp, numpy datetime64 or date)."""
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def test_real_feed(con: duckdb.DuckDBPyConnection, mirror_dir: Path) -> None:
    df = _load(con, mirror_dir / "gtfs_grand_perigueux_2026")
    assert len(df) == 33_408 and df["trip_id"].nunique() == 2_374  # SOURCES.md
    assert df["stop_id"].nunique() == 809 and int(df["last_stop"].sum()) == 2_374
    assert df["departure_s"].max() > 0 and df["route_type"].isin([3, 712, 713]).all()
    assert df["stop_lat"].between(44.9, 45.6).all() and df["stop_lon"].between(0.5, 0.95).all()


def test_missing_file_and_column(
    con: duckdb.DuckDBPyConnection, fixtures_dir: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    shutil.copytree(fixtures_dir / "gtfs", feed)
    (feed / "trips.txt").unlink()
    with pytest.raises(LoadError, match=r"gtfs_grand_perigueux.*trips\.txt"):
        _load(con, feed)
    shutil.copy(fixtures_dir / "gtfs" / "trips.txt", feed / "trips.txt")
    text = (feed / "stops.txt").read_text(encoding="utf-8")
    (feed / "stops.txt").write_text(text.replace("stop_lat", "latitude"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"stops\.txt.*stop_lat"):
        _load(con, feed)


def test_bad_time_is_refused(
    con: duckdb.DuckDBPyConnection, fixtures_dir: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    shutil.copytree(fixtures_dir / "gtfs", feed)
    text = (feed / "stop_times.txt").read_text(encoding="utf-8")
    (feed / "stop_times.txt").write_text(text.replace("25:05:00", "25h05"), encoding="utf-8")
    with pytest.raises(LoadError, match="H:MM:SS"):
        _load(con, feed)
