"""Land masses in built warehouses: Corsica and the islands never reach across the sea."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from geo.access_step import compute_travel_times
from geo.land_masses import no_facility_text
from tests.conftest import make_settings
from warehouse.build import BuildReport, build

# Travel times whose origin and facility lie on different land masses (must be none).
_CROSSING = """
SELECT count(*) FROM travel_times t
JOIN population_points p ON p.point_id = t.origin_id
JOIN facilities f ON f.facility_id = t.facility_id
WHERE p.land_mass <> f.land_mass
"""


@pytest.fixture(scope="module")
def corse_du_sud(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> BuildReport:
    """dep:2A built offline from the mirror, travel times only."""
    settings = make_settings(tmp_path_factory.mktemp("dep2A"), mirror_dir, "dep:2A")
    return build(settings, steps=[("travel_times", compute_travel_times)])


def test_bonifacio_has_no_station_on_the_mainland(corse_du_sud: BuildReport) -> None:
    """The SNCF source has no Corsican station: Bonifacio gets no row, not 1,532 min."""
    with duckdb.connect(str(corse_du_sud.db_path), read_only=True) as con:
        rows = con.execute(
            "SELECT t.service_type, count(*) FROM travel_times t "
            "JOIN population_points p ON p.point_id = t.origin_id "
            "WHERE p.commune_code = '2A041' GROUP BY ALL"
        ).fetchall()
        served = dict(rows)
        assert "TRAIN_STATION" not in served
        assert served.get("A206") == 3  # its post office, on foot, by bike, by car
        n_stations = con.execute(
            "SELECT count(*) FROM facilities WHERE service_type = 'TRAIN_STATION'"
        ).fetchone()[0]
        assert n_stations == 0  # the mainland's stations are beyond the buffer anyway
        assert con.execute(_CROSSING).fetchone()[0] == 0
        masses = con.execute(
            "SELECT DISTINCT land_mass FROM population_points "
            "UNION SELECT DISTINCT land_mass FROM facilities"
        ).fetchall()
        assert masses == [("corse",)]
        name, island = con.execute(
            "SELECT name, island FROM land_masses WHERE land_mass = 'corse'"
        ).fetchone()
        assert (
            name == "Corse" and no_facility_text(island) == "aucun équipement accessible sur l'île"
        )


def test_dep35_build_knows_every_land_mass(dep35: BuildReport) -> None:
    with duckdb.connect(str(dep35.db_path), read_only=True) as con:
        masses = dict(con.execute("SELECT land_mass, n_communes FROM land_masses").fetchall())
        assert len(masses) == 25 and masses["belle-ile"] == 4 and masses["corse"] == 360
        of = dict(
            con.execute(
                "SELECT code, land_mass FROM commune_base "
                "WHERE code IN ('56152', '2A041', '97112', '97101', '35238')"
            ).fetchall()
        )
        assert of == {
            "56152": "belle-ile",
            "2A041": "corse",
            "97112": "marie-galante",
            "97101": "guadeloupe",
            "35238": "continent",
        }
        assert con.execute(
            "SELECT DISTINCT land_mass FROM population_points "
            "UNION SELECT DISTINCT land_mass FROM facilities "
            "UNION SELECT DISTINCT land_mass FROM territories WHERE level = 'commune'"
        ).fetchall() == [("continent",)]
        assert con.execute(_CROSSING).fetchone()[0] == 0
