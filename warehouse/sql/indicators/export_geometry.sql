-- Full-resolution geometry (WKB) of the territories $codes of $level, in that order:
-- in their metric CRS, or in WGS84 when $wgs84 (rows of several CRS).
WITH places AS (SELECT unnest($codes) AS code, unnest(range(len($codes))) AS i)
SELECT t.code,
       CASE WHEN $wgs84 THEN ST_AsWKB(ST_Transform(t.geom, 'EPSG:' || t.epsg, 'EPSG:4326', true))
            ELSE ST_AsWKB(t.geom) END AS wkb
FROM territories t JOIN places p ON p.code = t.code
WHERE t.level = $level
ORDER BY p.i
