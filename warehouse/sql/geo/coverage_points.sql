-- Population points with their département, WGS84 and metric coordinates, land mass.
SELECT p.point_id AS origin_id, dep_of(p.commune_code) AS dep_code, p.lon, p.lat,
       p.x, p.y, p.epsg, p.land_mass
FROM population_points p ORDER BY p.point_id
