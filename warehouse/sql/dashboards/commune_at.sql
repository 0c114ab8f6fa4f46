-- The commune of the build whose display outline holds a point (lon, lat, WGS84): the
-- place a simulated facility is named after.
SELECT code, name, dep_code
FROM territories
WHERE level = 'commune' AND geom_display IS NOT NULL
  AND ST_Contains(geom_display, ST_Point($lon, $lat))
ORDER BY code
LIMIT 1
