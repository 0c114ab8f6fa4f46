-- The commune of the build holding each user-given site (registered frame
-- _siting_sites: row, lon, lat in WGS84), with its metric CRS and land mass; a site
-- in no commune of the build has no row.
SELECT s."row", t.code AS commune_code, t.name AS commune_name, t.epsg, t.land_mass
FROM _siting_sites s
JOIN territories t
  ON t.level = 'commune' AND t.geom_display IS NOT NULL
 AND ST_Contains(t.geom_display, ST_Point(s.lon, s.lat))
QUALIFY row_number() OVER (PARTITION BY s."row" ORDER BY t.code) = 1
ORDER BY s."row"
