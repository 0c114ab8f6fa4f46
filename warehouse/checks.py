"""Data tests run at the end of every build, before the swap.

Each check is a query that returns the offending rows (nothing when the data is
sound); a build with any offending row fails and leaves the old warehouse in place.
The query of check ``<name>`` is ``warehouse/sql/checks/<name>.sql``.
"""

from __future__ import annotations

import duckdb

from warehouse.gate import query

# name -> human description; the query returning the offending rows is
# warehouse/sql/checks/<name>.sql.
CHECKS: dict[str, str] = {
    "territories_unique": "un territoire apparaît deux fois",
    "territories_not_null": "territoire sans code ou nom, ou niveau agrégé sans géométrie",
    "commune_codes_valid": "code commune mal formé",
    "population_adds_up": "la population du département n'est pas la somme de ses communes",
    "population_points_in_scope": (
        "point de population hors territoire ou sans géométrie, "
        "ou commune sans géométrie non signalée"
    ),
    "population_points_unique": "identifiant de point de population en double",
    "facilities_unique": "identifiant d'équipement en double",
    "facilities_commune_exists": "équipement rattaché à une commune absente du COG",
    "facilities_typed": "équipement sans type de service ou sans source",
    "land_mass_known": (
        "commune, point de population ou équipement sans terre (île ou continent) connue"
    ),
    "metric_crs_known": "système de coordonnées métrique inconnu",
}


# Checks of the tables written by the build steps, run when the table exists:
# table -> {name -> human description} (queries in warehouse/sql/checks/<name>.sql).
STEP_CHECKS: dict[str, dict[str, str]] = {
    "travel_times": {
        "travel_times_valid": "temps de parcours manquant ou négatif",
        "travel_times_same_land_mass": (
            "trajet vers un équipement d'une autre terre (à travers la mer)"
        ),
    },
    "indicator_values": {
        "indicator_values_registered": "valeur d'un indicateur absent du registre",
        "indicator_shares_in_range": "part hors de [0, 100] %",
        "indicator_values_finite": (
            "valeur non finie (NaN ou infini) : non calculable s'écrit NULL"
        ),
        # A check name about statistical secrecy, not a credential.
        "indicator_secret_blank": "valeur soumise au secret statistique mais publiée",  # nosec B105
        "indicator_note_only_when_blank": "valeur publiée avec une note « non disponible »",
    },
    "point_coverage": {
        "point_coverage_radius": "rayon de recherche négatif ou motif inconnu",
    },
}


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every check; return one message per failed check (empty when all pass)."""
    tables = {r[0] for r in query(con, "checks/built_tables").fetchall()}
    checks = dict(CHECKS)
    for table, more in STEP_CHECKS.items():
        if table in tables:
            checks.update(more)
    failures = []
    for name, description in checks.items():
        rows = query(con, f"checks/{name}").fetchall()
        if rows:
            examples = ", ".join(str(r[0] if len(r) == 1 else r) for r in rows[:5])
            failures.append(f"{name}: {description} ({len(rows)} cas, par ex. {examples})")
    return failures
