-- Inhabitants per km² of every territory of one level (area of `geom`, metric CRS;
-- France, without geometry, has the area of its départements).
WITH places AS (
    SELECT t.code, t.population,
           CASE WHEN t.level = 'france'
                THEN (SELECT sum(ST_Area(d.geom)) FROM territories d
                      WHERE d.level = 'departement')
                ELSE ST_Area(t.geom) END / 1e6 AS km2
    FROM territories t
    WHERE t.level = $level
)
SELECT code, population / nullif(km2, 0), false, population::DOUBLE, km2, NULL
FROM places
ORDER BY code
