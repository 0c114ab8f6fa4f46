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
    "metric_crs_known": (
        "SELECT DISTINCT epsg FROM facilities WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471) "
        "UNION SELECT DISTINCT epsg FROM territories "
        "WHERE epsg NOT IN (2154, 5490, 2972, 2975, 4471)",
        "système de coordonnées métrique inconnu",
    ),
}


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every check; return one message per failed check (empty when all pass)."""
    failures = []
    for name, (sql, description) in CHECKS.items():
        rows = con.execute(sql).fetchall()
        if rows:
            examples = ", ".join(str(r[0] if len(r) == 1 else r) for r in rows[:5])
            failures.append(f"{name}: {description} ({len(rows)} cas, par ex. {examples})")
    return failures
