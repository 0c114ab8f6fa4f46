-- Offending rows: communes, population points or facilities without a known land mass.
SELECT code FROM commune_base
WHERE land_mass IS NULL OR land_mass NOT IN (SELECT land_mass FROM land_masses)
UNION ALL
SELECT point_id FROM population_points WHERE land_mass IS NULL
UNION ALL
SELECT facility_id FROM facilities WHERE land_mass IS NULL
