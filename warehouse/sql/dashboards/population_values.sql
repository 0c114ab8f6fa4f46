-- Population of every territory of one level (a figure computed here; the columns
-- of indicator_values.sql, without note).
SELECT code, population::DOUBLE, false, population::DOUBLE, NULL, NULL
FROM territories
WHERE level = $level
ORDER BY code
