-- Population points of the territory as travel-time origins, in point order.
SELECT point_id AS origin_id, x, y, epsg, land_mass, density_level
FROM population_points
ORDER BY point_id
