"""Statistical secrecy does not depend on the extent of the build.

Two warehouses built from the same Sirene data on different extents (the département
of Ille-et-Vilaine and the EPCI Rennes Métropole inside it) must publish the same
values and the same blanks for the territories they share; a reader holding both
must not recompute any blank (the attackers of ``test_secrecy``, on the union of the
equations of both warehouses). Before the pattern was computed on the national
hierarchy, the EPCI build protected Rennes Métropole's cells with partners inside
the EPCI and the département build with others: together they exposed cells.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from indicators.ess import COLUMN_KEYS, COLUMNS
from indicators.ess_step import EssResult, ess_result
from tests.conftest import make_settings
from tests.indicators.test_ess_step import RENNES_METROPOLE, _load
from tests.indicators.test_secrecy import determined_blanks, subtraction_attack
from warehouse.build import BuildReport, build

Cell = tuple[str, str, str]


@pytest.fixture(scope="module")
def epci_base(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """Rennes Métropole alone, base tables only."""
    tmp = tmp_path_factory.mktemp("epci_rennes")
    return build(make_settings(tmp, mirror_dir, f"epci:{RENNES_METROPOLE}"), steps=[])


def _protected(db: Path, fixtures: Path, tmp: Path) -> EssResult:
    copy = tmp / f"{db.parent.name}.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        _load(con, fixtures, tmp, "csv", listed=False)
        return ess_result(con)


def _cells(result: EssResult) -> dict[Cell, tuple[float, float, bool]]:
    """Published cells: (level, code, column) -> (establishments, jobs, secret)."""
    frame = result.layout.frame
    out = {}
    for t in np.flatnonzero(result.layout.published):
        level, code = frame["level"].iat[t], frame["code"].iat[t]
        for j, column in enumerate(COLUMN_KEYS):
            out[(level, code, column)] = (
                float(result.cells.n[t, j]),
                float(result.cells.jobs[t, j]),
                bool(result.protection.secret[t, j]),
            )
    return out


def _equations(result: EssResult, number: dict[Cell, int]) -> list[dict[int, float]]:
    """What a reader of one warehouse knows: containers add up their communes, inner
    columns add up to their group total."""
    frame = result.layout.frame
    published = np.flatnonzero(result.layout.published)
    ancestors = result.layout.hierarchy.ancestors
    equations = []
    for parent in published[frame["level"].to_numpy()[published] != "commune"]:
        members = np.flatnonzero((ancestors == parent).any(axis=1))
        for column in COLUMN_KEYS:
            eq = {number[("commune", frame["code"].iat[c], column)]: 1.0 for c in members}
            eq[number[(frame["level"].iat[parent], frame["code"].iat[parent], column)]] = -1.0
            equations.append(eq)
    for t in published:
        key = (frame["level"].iat[t], frame["code"].iat[t])
        for inner, total in COLUMNS.groups:
            eq = {number[(*key, COLUMN_KEYS[j])]: 1.0 for j in inner}
            eq[number[(*key, COLUMN_KEYS[total])]] = -1.0
            equations.append(eq)
    return equations


@pytest.fixture(scope="module")
def two_builds(dep35_base, epci_base, fixtures_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secrecy_extent")
    return (
        _protected(dep35_base.db_path, fixtures_dir, tmp),
        _protected(epci_base.db_path, fixtures_dir, tmp),
    )


def test_shared_territories_publish_the_same_values_and_blanks(two_builds):
    dep, epci = (_cells(r) for r in two_builds)
    shared = sorted(set(dep) & set(epci))
    # Rennes Métropole and its 43 communes, every column
    assert ("epci", RENNES_METROPOLE, "ess") in shared
    assert len({(lvl, code) for lvl, code, _ in shared}) == 44
    assert sum(epci[k][2] for k in shared) > 0, "the fixtures hold secret cells"
    different = [k for k in shared if dep[k] != epci[k]]
    assert not different, different[:5]


def test_a_reader_of_both_warehouses_recomputes_no_blank(two_builds):
    cells: dict[Cell, tuple[float, float, bool]] = {}
    for result in two_builds:
        cells.update(_cells(result))
    number = {k: i for i, k in enumerate(cells)}
    equations = [eq for result in two_builds for eq in _equations(result, number)]
    hidden = np.array([cells[k][2] for k in number])
    assert hidden.sum() >= 3
    for measure in (0, 1):
        values = np.array([cells[k][measure] for k in number])
        assert not subtraction_attack(values, hidden, equations)
    assert not determined_blanks(hidden, equations)
