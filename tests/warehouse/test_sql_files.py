"""The named SQL of the checks, the guard, the sources listing and the geo steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.checks import CHECKS, STEP_CHECKS
from warehouse.gate import _statements, sql_text

ROOT = Path(__file__).resolve().parents[2]
SQL = ROOT / "warehouse" / "sql"
FOLDERS = ("checks", "guard", "sources", "geo")


def test_one_file_per_check() -> None:
    names = set(CHECKS) | {n for more in STEP_CHECKS.values() for n in more}
    files = {p.stem for p in (SQL / "checks").glob("*.sql")} - {"built_tables"}
    assert files == names


@pytest.mark.parametrize("folder", FOLDERS)
def test_files_are_used_and_documented(folder: str) -> None:
    users = {
        "checks": ["warehouse/checks.py"],
        "guard": ["warehouse/guard.py"],
        "sources": ["warehouse/sources.py"],
        "geo": ["geo/access_step.py", "geo/coverage.py"],
    }[folder]
    code = "".join((ROOT / u).read_text("utf-8") for u in users)
    for path in sorted((SQL / folder).glob("*.sql")):
        name = f"{folder}/{path.stem}"
        text = sql_text(name)
        assert text.startswith("-- "), f"{name}: first line must say what it returns"
        assert len(_statements(text)) == 1, name
        assert f'"{name}"' in code or folder == "checks", f"{name} is not read"
