"""Fixtures of the indicator tests: small hand-made geographies and dep:35 built for real."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.weighting import point_geography
from warehouse.build import BuildReport


def geography(rows: list[tuple[str, str, float]], communes: list[tuple]) -> pd.DataFrame:
    """Geography frame from (point_id, commune_code, population) rows and
    (code, epci_code, dep_code, reg_code) communes."""
    points = pd.DataFrame(rows, columns=["point_id", "commune_code", "population"])
    table = pd.DataFrame(communes, columns=["code", "epci_code", "dep_code", "reg_code"])
    return point_geography(points, table)


@pytest.fixture
def three_communes() -> pd.DataFrame:
    """Five points in three communes of one EPCI, one département, one région.

    ===== ======= ==========
    point commune population
    ===== ======= ==========
    a     35001   100
    b     35001   300
    c     35002   50
    d     35003   25
    e     35003   25
    ===== ======= ==========
    """
    return geography(
        [
            ("a", "35001", 100.0),
            ("b", "35001", 300.0),
            ("c", "35002", 50.0),
            ("d", "35003", 25.0),
            ("e", "35003", 25.0),
        ],
        [
            ("35001", "E1", "35", "53"),
            ("35002", "E1", "35", "53"),
            ("35003", "E1", "35", "53"),
        ],
    )


@pytest.fixture(scope="session")
def dep35_access(dep35_built: BuildReport) -> BuildReport:
    """dep:35 built offline from the mirror, with the travel-time and indicator steps."""
    return dep35_built
