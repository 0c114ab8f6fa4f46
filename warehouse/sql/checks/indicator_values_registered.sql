-- Offending rows: indicator ids of indicator_values missing from the registry.
SELECT DISTINCT indicator_id FROM indicator_values
WHERE indicator_id NOT IN (SELECT id FROM indicators)
