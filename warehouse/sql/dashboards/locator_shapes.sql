-- The shapes of a portrait's locator map, as display GeoJSON (marts/display_geometry.sql):
-- the territory ($level, $code) first, then what it is shown in: the outline of its
-- département (a commune, an EPCI), the départements of its région (a département),
-- the mainland régions (a mainland région; an overseas région alone).
WITH me AS (
    SELECT level, code, dep_code, reg_code FROM territories
    WHERE level = $level AND code = $code
),
around AS (
    SELECT t.level, t.code, 1 AS k
    FROM territories t, me
    WHERE (me.level IN ('commune', 'epci') AND t.level = 'departement'
           AND t.code = me.dep_code)
       OR (me.level = 'departement' AND t.level = 'departement'
           AND t.reg_code = me.reg_code AND t.code <> me.code)
       OR (me.level = 'region' AND t.level = 'region' AND me.code >= '11'
           AND t.code >= '11' AND t.code <> me.code)
    UNION ALL
    SELECT level, code, 0 FROM me
)
SELECT a.code, d.geojson
FROM around a
JOIN display_geometry d ON d.level = a.level AND d.code = a.code
WHERE d.geojson IS NOT NULL
ORDER BY a.k, a.code
