-- Metric geometries (WKB) of the communes of the départements $deps inside a WGS84 box.
SELECT dep_code, epsg, land_mass, ST_AsWKB(to_metric(geom_wgs84, epsg)) AS wkb
FROM commune_base
WHERE list_contains($deps, dep_code) AND geom_wgs84 IS NOT NULL
  AND ST_XMax(geom_wgs84) >= $xmin AND ST_XMin(geom_wgs84) <= $xmax
  AND ST_YMax(geom_wgs84) >= $ymin AND ST_YMin(geom_wgs84) <= $ymax
