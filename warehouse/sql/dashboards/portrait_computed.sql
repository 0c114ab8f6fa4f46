-- The figures computed here (population, density, facilities of each service type per
-- 10,000 inhabitants) of one territory (France included), with their standing among the territories of
-- its level, as portrait_values.sql. Each commune's facilities count in the territory
-- holding it; the columns: kind, service type ('' for population and density), value,
-- numerator, denominator, valued territories, territories above, territories below,
-- whether the territory is wholly built. A territory only partly built gets no value
-- (its built part's figure is not its own) and is not ranked.
WITH places AS (
    SELECT t.code, CASE WHEN t.complete THEN t.population END AS population,
           -- France has no geometry (several metric CRSs): the sum of its départements
           CASE WHEN t.level = 'france'
                THEN (SELECT sum(ST_Area(d.geom)) FROM territories d
                      WHERE d.level = 'departement')
                ELSE ST_Area(t.geom) END / 1e6 AS km2,
           t.complete
    FROM territories t
    WHERE t.level = $level
),
counts AS (
    SELECT CASE $level WHEN 'commune' THEN c.code WHEN 'epci' THEN c.epci_code
                       WHEN 'departement' THEN c.dep_code WHEN 'region' THEN c.reg_code
                       WHEN 'france' THEN 'FR'
           END AS code,
           f.service_type,
           count(*) AS n
    FROM facilities f
    JOIN territories c ON c.level = 'commune' AND c.code = f.commune_code
    WHERE f.in_territory
    GROUP BY ALL
),
vals AS (
    SELECT 'population' AS kind, '' AS service_type, code, population::DOUBLE AS value,
           population::DOUBLE AS num, NULL::DOUBLE AS den, complete
    FROM places
    UNION ALL
    SELECT 'density', '', code, population / nullif(km2, 0), population::DOUBLE,
           CASE WHEN complete THEN km2 END, complete
    FROM places
    UNION ALL
    SELECT 'facilities_per_10k', st.code, p.code,
           10000.0 * coalesce(c.n, 0) / nullif(p.population, 0),
           CASE WHEN p.complete THEN coalesce(c.n, 0) END::DOUBLE, p.population::DOUBLE,
           p.complete
    FROM places p
    CROSS JOIN (SELECT DISTINCT code FROM service_types) st
    LEFT JOIN counts c ON c.code = p.code AND c.service_type = st.code
),
me AS (
    SELECT * FROM vals WHERE code = $code
)
SELECT me.kind, me.service_type, me.value, me.num, me.den, me.complete,
       count(v.value) FILTER (WHERE isfinite(v.value)),
       count(*) FILTER (WHERE v.value > me.value AND isfinite(v.value)),
       count(*) FILTER (WHERE v.value < me.value AND isfinite(v.value))
FROM me
JOIN vals v USING (kind, service_type)
GROUP BY ALL
