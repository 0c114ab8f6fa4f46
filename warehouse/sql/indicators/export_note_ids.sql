-- Indicators with a note on a complete territory (a partly built territory is already
-- said by the column territoire_complet: it alone does not add a note column).
SELECT DISTINCT v.indicator_id FROM indicator_values v
JOIN territories t ON t.level = v.level AND t.code = v.code
WHERE v.note IS NOT NULL AND coalesce(t.complete, true) ORDER BY 1
