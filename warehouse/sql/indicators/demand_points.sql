-- Inhabitants around the territory: 2SFCA demand only.
SELECT point_id, population FROM demand_points ORDER BY point_id
