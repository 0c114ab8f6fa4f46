-- Inhabitants around the territory (demand_points) as origins of the 2SFCA catchments.
SELECT point_id AS origin_id, x, y, epsg, land_mass, density_level
FROM demand_points
ORDER BY point_id
