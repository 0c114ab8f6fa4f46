-- Offending rows: facility ids that appear more than once.
SELECT facility_id FROM facilities GROUP BY facility_id HAVING count(*) > 1
