-- The figures the dashboard computes from base tables (population, density, facilities
-- of each service type per 10,000 inhabitants), for every territory of every level,
-- with their standing among the territories of the level: the same figures and
-- counts as warehouse/sql/dashboards/portrait_computed.sql, prepared once at build
-- time (a national portrait recomputed the areas of 34,875 communes each time,
-- 0.15 s). A territory only partly built gets no value and is not ranked. Ordered by
-- level and code: a portrait reads one territory's rows (zone maps). Written by the
-- standings step (indicators/standings_step.py).
CREATE OR REPLACE TABLE computed_standings AS
WITH areas AS (
    SELECT level, code, ST_Area(geom) AS m2 FROM territories WHERE level <> 'france'
),
places AS (
    SELECT t.level, t.code, CASE WHEN t.complete THEN t.population END AS population,
           -- France has no geometry (several metric CRSs): the sum of its départements
           CASE WHEN t.level = 'france'
                THEN (SELECT sum(m2) FROM areas WHERE level = 'departement')
                ELSE a.m2 END / 1e6 AS km2,
           t.complete
    FROM territories t
    LEFT JOIN areas a ON a.level = t.level AND a.code = t.code
),
located AS (
    SELECT f.service_type, c.code AS commune, c.epci_code, c.dep_code, c.reg_code,
           f2.code AS france
    FROM facilities f
    JOIN territories c ON c.level = 'commune' AND c.code = f.commune_code
    CROSS JOIN (SELECT code FROM territories WHERE level = 'france') f2
    WHERE f.in_territory
),
counts AS (
    SELECT level, code, service_type, count(*) AS n
    FROM (
        SELECT service_type, 'commune' AS level, commune AS code FROM located
        UNION ALL SELECT service_type, 'epci', epci_code FROM located
        UNION ALL SELECT service_type, 'departement', dep_code FROM located
        UNION ALL SELECT service_type, 'region', reg_code FROM located
        UNION ALL SELECT service_type, 'france', france FROM located
    )
    WHERE code IS NOT NULL
    GROUP BY ALL
),
vals AS (
    SELECT 'population' AS kind, '' AS service_type, level, code,
           population::DOUBLE AS value, population::DOUBLE AS num, NULL::DOUBLE AS den,
           complete
    FROM places
    UNION ALL
    SELECT 'density', '', level, code, population / nullif(km2, 0), population::DOUBLE,
           CASE WHEN complete THEN km2 END, complete
    FROM places
    UNION ALL
    SELECT 'facilities_per_10k', st.code, p.level, p.code,
           10000.0 * coalesce(c.n, 0) / nullif(p.population, 0),
           CASE WHEN p.complete THEN coalesce(c.n, 0) END::DOUBLE, p.population::DOUBLE,
           p.complete
    FROM places p
    CROSS JOIN (SELECT DISTINCT code FROM service_types) st
    LEFT JOIN counts c ON c.level = p.level AND c.code = p.code AND c.service_type = st.code
),
ranked AS (
    SELECT *, value IS NOT NULL AND isfinite(value) AS finite FROM vals
),
-- (a grouped count joined back: the same count as a window took 24 s of CPU)
n_level AS (
    SELECT kind, service_type, level, count(*) FILTER (WHERE finite) AS n_ranked
    FROM ranked GROUP BY ALL
)
SELECT r.kind, r.service_type, r.level, r.code, r.value, r.num, r.den, r.complete,
       n.n_ranked::INTEGER AS n_ranked,
       coalesce(CASE WHEN r.finite THEN rank() OVER (
           PARTITION BY r.kind, r.service_type, r.level, r.finite ORDER BY r.value DESC) - 1
           END, 0)::INTEGER AS n_above,
       coalesce(CASE WHEN r.finite THEN rank() OVER (
           PARTITION BY r.kind, r.service_type, r.level, r.finite ORDER BY r.value ASC) - 1
           END, 0)::INTEGER AS n_below
FROM ranked r
JOIN n_level n USING (kind, service_type, level)
ORDER BY r.level, r.code, r.kind, r.service_type
