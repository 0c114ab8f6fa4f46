-- One place per commune of the build to stand for it as a candidate site: its town
-- hall point when the population points hold one, else its most populated point.
SELECT p.commune_code, c.name AS commune_name, p.lon, p.lat, p.x, p.y, p.epsg, p.land_mass
FROM population_points p
JOIN territories c ON c.level = 'commune' AND c.code = p.commune_code
QUALIFY row_number() OVER (
    PARTITION BY p.commune_code
    ORDER BY (p.kind = 'mairie') DESC, p.population DESC, p.point_id) = 1
ORDER BY p.commune_code
