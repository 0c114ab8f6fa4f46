-- The territories of one level, optionally only those with a member commune inside
-- ($within_level, $within_code); $within_level = '' means the whole warehouse.
WITH scope AS (
    SELECT DISTINCT CASE $level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                                WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
                    END AS code
    FROM territories
    WHERE level = 'commune'
      AND CASE $within_level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                             WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
          END = $within_code
)

SELECT t.code, t.name, t.population, coalesce(t.complete, true) AS complete, t.epsg
FROM territories t
WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
ORDER BY t.code
