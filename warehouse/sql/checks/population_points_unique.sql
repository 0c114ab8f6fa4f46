-- Offending rows: population point ids that appear more than once.
SELECT point_id FROM population_points GROUP BY point_id HAVING count(*) > 1
