-- Code, name and stored display geometry (GeoJSON text, marts/display_geometry.sql)
-- of every territory of one level, ordered by code (the order of territories.sql).
SELECT t.code, t.name, d.geojson
FROM territories t
LEFT JOIN display_geometry d ON d.level = t.level AND d.code = t.code
WHERE t.level = $level
ORDER BY t.code
