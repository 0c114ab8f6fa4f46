-- The population points (warehouses without the land_masses table).
SELECT point_id, commune_code, population, density_level, kind
FROM population_points
ORDER BY point_id
