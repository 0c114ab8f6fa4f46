-- Territories of one level, ordered by code (the order of geometry and values).
SELECT level, code, name, dep_code, reg_code, epci_code, population, coalesce(complete, true)
FROM territories
WHERE level = $level
ORDER BY code
