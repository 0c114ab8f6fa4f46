-- The same cells' notes (why a value is blank).
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
, places AS (
    SELECT t.code, row_number() OVER (ORDER BY t.code) - 1 AS i
    FROM territories t
    WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
)
SELECT p.i, list_position($ids, v.indicator_id) - 1 AS j, v.note
FROM indicator_values v JOIN places p ON p.code = v.code
WHERE v.level = $level AND list_contains($ids, v.indicator_id) AND v.note IS NOT NULL
