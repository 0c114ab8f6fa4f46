-- The population points, with whether each lies on an island (table land_masses).
SELECT p.point_id, p.commune_code, p.population, p.density_level, p.kind,
       coalesce(l.island, false) AS island
FROM population_points p LEFT JOIN land_masses l ON l.land_mass = p.land_mass
ORDER BY p.point_id
