-- Population points from a population grid (Filosofi 200 m cells): each cell's
-- inhabitants at its centroid, assigned to the current commune containing it.
-- imports
CREATE OR REPLACE TABLE population_points AS
WITH com AS (SELECT * FROM commune_base WHERE code IN (SELECT code FROM scope_communes)),
     cells AS (SELECT *, ST_Point(lon, lat) AS pt FROM raw_filosofi_grid_200m),
-- logic
     located AS (
        SELECT cells.*, com.code AS current_code, com.density_level, com.epsg
        FROM cells JOIN com ON ST_Contains(com.geom_wgs84, cells.pt)
     ),
     projected AS (SELECT *, to_metric(pt, epsg) AS geom FROM located)
-- final
SELECT point_id, current_code AS commune_code, population, households, 'carreau_200m' AS kind,
       imputed, density_level, epsg, lon, lat, ST_X(geom) AS x, ST_Y(geom) AS y, geom
FROM projected;
CREATE OR REPLACE TABLE population_unlocated AS
SELECT code AS commune_code, name, population,
       'aucun carreau habité rattaché à la commune' AS reason
FROM commune_base
WHERE code IN (SELECT code FROM scope_communes)
  AND code NOT IN (SELECT commune_code FROM population_points);
