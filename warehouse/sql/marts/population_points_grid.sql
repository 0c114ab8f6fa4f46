-- Population points from a population grid (Filosofi 200 m cells): each cell's
-- inhabitants at its centroid, assigned to the current commune containing it.
-- Cells of the territory go to population_points; those of the communes around it
-- (point_communes, 2SFCA demand only) to demand_points.
-- imports
CREATE OR REPLACE TABLE _points_all AS
WITH com AS (
        SELECT b.*, pc.in_territory FROM commune_base b
        JOIN point_communes pc ON pc.code = b.code
     ),
     cells AS (SELECT *, ST_Point(lon, lat) AS pt FROM raw_filosofi_grid_200m),
-- logic
     located AS (
        SELECT cells.*, com.code AS current_code, com.density_level, com.epsg, com.land_mass,
               com.in_territory
        FROM cells JOIN com ON ST_Contains(com.geom_wgs84, cells.pt)
     ),
     projected AS (SELECT *, to_metric(pt, epsg) AS geom FROM located)
-- final
SELECT point_id, current_code AS commune_code, population, households, 'carreau_200m' AS kind,
       imputed, density_level, epsg, land_mass, lon, lat, ST_X(geom) AS x, ST_Y(geom) AS y,
       geom, in_territory
FROM projected;
CREATE OR REPLACE TABLE population_points AS
SELECT * EXCLUDE (in_territory) FROM _points_all WHERE in_territory;
CREATE OR REPLACE TABLE demand_points AS
SELECT * EXCLUDE (in_territory) FROM _points_all WHERE NOT in_territory;
DROP TABLE _points_all;
CREATE OR REPLACE TABLE population_unlocated AS
SELECT code AS commune_code, name, population,
       'aucun carreau habité rattaché à la commune' AS reason
FROM commune_base
WHERE code IN (SELECT code FROM scope_communes)
  AND code NOT IN (SELECT commune_code FROM population_points);
