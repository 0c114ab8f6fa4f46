"""Data tests run at the end of every build, before the swap.

Each check is a query that returns the offending rows (nothing when the data is
sound); a build with any offending row fails and leaves the old warehouse in place.
"""

from __future__ import annotations

import duckdb

# name -> (query returning offending rows, human description)
CHECKS: dict[str, tuple[str, str]] = {
    "territories_unique": (
        "SELECT level, code FROM territories GROUP BY level, code HAVING count(*) > 1",
        "un territoire apparaît deux fois",
    ),
    "territories_not_null": (
        "SELECT level, code FROM territories WHERE code IS NULL OR name IS NULL "
        "OR ((geom IS NULL OR geom_display IS NULL) AND level <> 'commune')",
        "territoire sans code ou nom, ou niveau agrégé sans géométrie",
    ),
    "commune_codes_valid": (
        "SELECT code FROM territories WHERE level = 'commune' "
        "AND NOT regexp_full_match(code, '(?:[0-9]{2}|2A|2B)[0-9]{3}')",
        "code commune mal formé",
    ),
    "population_adds_up": (
        """
        WITH com AS (
            SELECT dep_code, sum(population) AS pop FROM territories
            WHERE level = 'commune' GROUP BY dep_code
        )
        SELECT d.code FROM territories d JOIN com ON com.dep_code = d.code
        WHERE d.level = 'departement' AND d.population IS DISTINCT FROM com.pop
        """,
        "la population du département n'est pas la somme de ses communes",
    ),
    "population_points_in_scope": (
        "SELECT point_id FROM population_points WHERE commune_code NOT IN "
        "(SELECT code FROM territories WHERE level = 'commune') OR geom IS NULL "
        "UNION ALL SELECT code FROM territories WHERE level = 'commune' AND geom IS NULL "
        "AND code NOT IN (SELECT commune_code FROM population_unlocated)",
        "point de population hors territoire ou sans géométrie, "
        "ou commune sans géométrie non signalée",
    ),
    "population_points_unique": (
        "SELECT point_id FROM population_points GROUP BY point_id HAVING count(*) > 1",
        "identifiant de point de population en double",
    ),
    "facilities_unique": (
        "SELECT facility_id FROM facilities GROUP BY facility_id HAVING count(*) > 1",
        "identifiant d'équipement en double",
    ),
    "facilities_commune_exists": (
        "SELECT facility_id FROM facilities WHERE commune_code NOT IN "
        "(SELECT code FROM commune_base)",
        "équipement rattaché à une commune absente du COG",
    ),
    "facilities_typed": (
        "SELECT facility_id FROM facilities WHERE service_type IS NULL OR source IS NULL",
        "équipement sans type de service ou sans source",
    ),
    "land_mass_known": (
        "SELECT code FROM commune_base WHERE land_mass IS NULL OR land_mass NOT IN "
        "(SELECT land_mass FROM land_masses) "
        "UNION ALL SELECT point_id FROM population_points WHERE land_mass IS NULL "
        "UNION ALL SELECT facility_id FROM facilities WHERE land_mass IS NULL",
        "commune, point de population ou équipement sans terre (île ou continent) connue",
    ),
    "metric_crs_known": (
        "SELECT DISTINCT epsg FROM facilities WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471) "
        "UNION SELECT DISTINCT epsg FROM territories "
        "WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471)",
        "système de coordonnées métrique inconnu",
    ),
}


# Checks of the tables written by the build steps, run when the table exists:
# table -> {name -> (query returning offending rows, human description)}.
STEP_CHECKS: dict[str, dict[str, tuple[str, str]]] = {
    "travel_times": {
        "travel_times_valid": (
            "SELECT origin_id FROM travel_times WHERE minutes IS NULL OR isnan(minutes) "
            "OR minutes < 0 OR distance_m < 0",
            "temps de parcours manquant ou négatif",
        ),
        "travel_times_same_land_mass": (
            "SELECT t.origin_id, t.facility_id FROM travel_times t "
            "JOIN population_points p ON p.point_id = t.origin_id "
            "JOIN facilities f ON f.facility_id = t.facility_id "
            "WHERE p.land_mass IS DISTINCT FROM f.land_mass",
            "trajet vers un équipement d'une autre terre (à travers la mer)",
        ),
    },
    "indicator_values": {
        "indicator_values_registered": (
            "SELECT DISTINCT indicator_id FROM indicator_values "
            "WHERE indicator_id NOT IN (SELECT id FROM indicators)",
            "valeur d'un indicateur absent du registre",
        ),
        "indicator_shares_in_range": (
            "SELECT v.indicator_id, v.level, v.code, v.value FROM indicator_values v "
            "JOIN indicators i ON i.id = v.indicator_id "
            "WHERE i.unit = '%' AND (isnan(v.value) OR v.value < 0 OR v.value > 100)",
            "part hors de [0, 100] %",
        ),
        "indicator_values_finite": (
            "SELECT indicator_id, level, code FROM indicator_values "
            "WHERE isnan(value) OR isinf(value)",
            "valeur non finie (NaN ou infini) : non calculable s'écrit NULL",
        ),
        "indicator_secret_blank": (
            "SELECT indicator_id, level, code FROM indicator_values "
            "WHERE secret AND value IS NOT NULL",
            "valeur soumise au secret statistique mais publiée",
        ),
        "indicator_note_only_when_blank": (
            "SELECT indicator_id, level, code FROM indicator_values "
            "WHERE value IS NOT NULL AND note LIKE 'Non disponible%'",
            "valeur publiée avec une note « non disponible »",
        ),
    },
    "point_coverage": {
        "point_coverage_radius": (
            "SELECT origin_id, service_type FROM point_coverage "
            "WHERE radius_m IS NULL OR radius_m < 0 OR isnan(radius_m) "
            "OR reason NOT IN ('limite_zone', 'couverture_partielle', 'hors_couverture')",
            "rayon de recherche négatif ou motif inconnu",
        ),
    },
}


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every check; return one message per failed check (empty when all pass)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    checks = dict(CHECKS)
    for table, more in STEP_CHECKS.items():
        if table in tables:
            checks.update(more)
    failures = []
    for name, (sql, description) in checks.items():
        rows = con.execute(sql).fetchall()
        if rows:
            examples = ", ".join(str(r[0] if len(r) == 1 else r) for r in rows[:5])
            failures.append(f"{name}: {description} ({len(rows)} cas, par ex. {examples})")
    return failures
