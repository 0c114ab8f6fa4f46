-- Facilities of one service type inside the territory, per 10,000 inhabitants, for
-- every territory of one level (each commune counted in the territory holding it).
WITH counts AS (
    SELECT CASE $level WHEN 'commune' THEN c.code WHEN 'epci' THEN c.epci_code
                       WHEN 'departement' THEN c.dep_code WHEN 'region' THEN c.reg_code
                       WHEN 'france' THEN 'FR'
           END AS code,
           count(*) AS n
    FROM facilities f
    JOIN territories c ON c.level = 'commune' AND c.code = f.commune_code
    WHERE f.in_territory AND f.service_type = $service_type
    GROUP BY 1
)
SELECT t.code, 10000.0 * coalesce(n, 0) / nullif(t.population, 0), false,
       coalesce(n, 0)::DOUBLE, t.population::DOUBLE, NULL
FROM territories t LEFT JOIN counts USING (code)
WHERE t.level = $level
ORDER BY t.code
