-- The most populated communes of the build, at a point inside each (lon, lat): their
-- names are drawn on the map so that it can be read without a basemap (offline).
SELECT name, population, round(ST_X(p), 4), round(ST_Y(p), 4)
FROM (
    SELECT name, population, ST_PointOnSurface(geom_display) AS p
    FROM territories
    WHERE level = 'commune' AND geom_display IS NOT NULL AND population >= $min_population
)
ORDER BY population DESC, name
LIMIT $n
