"""Legal populations (``etl.loaders.populations``), recent and older INSEE layouts."""

from __future__ import annotations

import pytest

from etl.loaders.populations import LEGAL_POPULATION_COLUMNS, load_populations_legales
from tests.etl.loader_helpers import fake_source, missing_declared, refused, schema_of, write_file


def test_populations_recent_layout(con, fixtures_dir):
    path = fixtures_dir / "population" / "donnees_communes.csv"
    rel = load_populations_legales(con, [path], fake_source("populations_legales", ";"))
    assert schema_of(rel) == LEGAL_POPULATION_COLUMNS
    rows = dict(rel.fetchall())
    assert rows["01001"] == 860
    assert rows["2A004"] == 73_000
    assert rows["97411"] == 155_000
    assert rows["75101"] == 15_900
    assert len(rows) == 8


def test_populations_older_layout_builds_codes(con, fixtures_dir):
    path = fixtures_dir / "population" / "donnees_communes_ancien_format.csv"
    rows = dict(load_populations_legales(con, [path], fake_source("p", ";")).fetchall())
    assert rows == {"01009": 326, "01010": 1105, "2A004": 70_817, "97411": 153_810}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("COM;PTOT\n01001;876\n", missing_declared("p", "a.csv", "PMUN")),
        (
            "COM;PMUN\n01001;860\n01002;\n",
            r"^source 'p': PMUN vide ou non entier, par ex\. \['<vide>'\]$",
        ),
    ],
    ids=["missing_column", "empty_value"],
)
def test_populations_errors(con, tmp_path, text, match):
    path = write_file(tmp_path / "a.csv", text)
    refused(load_populations_legales, con, path, fake_source("p", ";"), match)
