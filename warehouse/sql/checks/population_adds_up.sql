-- Offending rows: départements whose population is not the sum of their communes'.
WITH com AS (
    SELECT dep_code, sum(population) AS pop FROM territories
    WHERE level = 'commune' GROUP BY dep_code
)
SELECT d.code FROM territories d JOIN com ON com.dep_code = d.code
WHERE d.level = 'departement' AND d.population IS DISTINCT FROM com.pop
