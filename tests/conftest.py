"""Shared test fixtures.

Real data is read in place from the local mirror of official downloads
(``../shared/data`` by default, or ``$TERRITOIRES_MIRROR``). A missing mirror is
an error, never a skip: CI always has it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
