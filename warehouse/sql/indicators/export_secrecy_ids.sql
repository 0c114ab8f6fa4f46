-- Indicators with at least one cell under statistical secrecy.
SELECT DISTINCT indicator_id FROM indicator_values WHERE secret ORDER BY 1
