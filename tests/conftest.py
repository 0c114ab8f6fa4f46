"""Shared test fixtures.

Real data is read in place from the local mirror of official downloads
(``../shared/data`` by default, or ``$TERRITOIRES_MIRROR``). A missing mirror is
an error, never a skip: CI always has it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from etl.settings import Settings, parse_territory
from warehouse.build import BuildReport, build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _mirror() -> Path:
    env = os.environ.get("TERRITOIRES_MIRROR", "").strip()
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    return path.resolve()


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The local mirror of real official files (``../shared/data``)."""
    path = _mirror()
    if not (path / "SOURCES.md").is_file():
        pytest.fail(
            f"mirror of official data not found at {path}; set TERRITOIRES_MIRROR "
            "to the folder holding SOURCES.md (../shared/data)"
        )
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Hand-written fixture files in official formats."""
    return FIXTURES


def make_settings(tmp: Path, mirror: Path | None, territory: str = "dep:35") -> Settings:
    """Offline settings building ``territory`` under ``tmp`` from ``mirror``."""
    return Settings(
        db_path=tmp / "territoires.duckdb",
        cache_dir=tmp / "cache",
        mirror_dir=mirror,
        offline=True,
        territory=parse_territory(territory),
        progress=False,
    )


@pytest.fixture(scope="session")
def dep35_base(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """dep:35 built offline from the mirror: base tables only, no build steps."""
    return build(make_settings(tmp_path_factory.mktemp("dep35_base"), mirror_dir), steps=[])


@pytest.fixture(scope="session")
def dep35_built(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """dep:35 built offline from the mirror with every step of ``territoires build``.

    Shared by the warehouse, indicator and dashboard tests (one build per session).
    """
    from indicators.pipeline import build_steps

    steps = build_steps()
    assert steps, "indicators.pipeline.build_steps() is empty"
    return build(make_settings(tmp_path_factory.mktemp("dep35_built"), mirror_dir), steps=steps)


# The EPCI of the Grand Périgueux, the network of the mirror's GTFS timetable (issue 11).
GRAND_PERIGUEUX = "epci:200040392"


@pytest.fixture(scope="session")
def dep24_built(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """Dordogne (dep:24) built offline from the mirror with every build step: the Grand
    Périgueux network of the mirror's GTFS timetable and communes outside it."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep24"), mirror_dir, "dep:24")
    return build(settings, steps=build_steps())


# The "quart d'heure" of ``territoires build --threshold 10`` (issue 10).
THRESHOLD_10 = 10.0


@pytest.fixture(scope="session")
def dep35_threshold10(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """dep:35 built like ``dep35_built`` but with ``--threshold 10``."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep35_threshold10"), mirror_dir)
    settings = dataclasses.replace(settings, threshold_min=THRESHOLD_10)
    return build(settings, steps=build_steps())


@pytest.fixture(scope="session")
def dep35_sample(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """dep:35 built like a fresh clone: no mirror, no cache, no network (offline), every
    step of ``territoires build``; the sources come from the embedded real sample."""
    from indicators.pipeline import build_steps

    settings = make_settings(tmp_path_factory.mktemp("dep35_sample"), None)
    return build(settings, steps=build_steps())
