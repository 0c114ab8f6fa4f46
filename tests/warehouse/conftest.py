"""Warehouses built once per test session from the real mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings, parse_territory
from warehouse.build import BuildReport, build


def make_settings(tmp: Path, mirror: Path | None, territory: str = "dep:35") -> Settings:
    return Settings(
        db_path=tmp / "territoires.duckdb",
        cache_dir=tmp / "cache",
        mirror_dir=mirror,
        offline=True,
        territory=parse_territory(territory),
        progress=False,
    )


@pytest.fixture(scope="session")
def dep35(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """dep:35 built offline from the mirror of official files."""
    return build(make_settings(tmp_path_factory.mktemp("dep35"), mirror_dir))


@pytest.fixture(scope="session")
def dep35_embedded(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """dep:35 built with no mirror and no network: the embedded default only."""
    return build(make_settings(tmp_path_factory.mktemp("dep35_embedded"), None))
