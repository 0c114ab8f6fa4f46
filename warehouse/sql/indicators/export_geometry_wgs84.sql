-- WGS84 geometry (WKB) of the territories of export_territories, same filter and order.
WITH scope AS (
    SELECT DISTINCT CASE $level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                                WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
                    END AS code
    FROM territories
    WHERE level = 'commune'
      AND CASE $within_level WHEN 'commune' THEN code WHEN 'epci' THEN epci_code
                             WHEN 'departement' THEN dep_code WHEN 'region' THEN reg_code
          END = $within_code
)

SELECT t.code, ST_AsWKB(ST_Transform(t.geom, 'EPSG:' || t.epsg, 'EPSG:4326', true)) AS wkb
FROM territories t
WHERE t.level = $level AND ($within_level = '' OR t.code IN (SELECT code FROM scope))
ORDER BY t.code
