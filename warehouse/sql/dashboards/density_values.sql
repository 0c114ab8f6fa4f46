-- Inhabitants per km² of every territory of one level (area of `geom`, metric CRS).
SELECT code, population / nullif(ST_Area(geom) / 1e6, 0), false,
       population::DOUBLE, ST_Area(geom) / 1e6, NULL
FROM territories
WHERE level = $level
ORDER BY code
