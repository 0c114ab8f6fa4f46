-- Population points with their commune and metric point, in point order.
SELECT point_id, commune_code, x, y, epsg FROM population_points ORDER BY point_id
