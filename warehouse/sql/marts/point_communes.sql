-- Communes whose inhabitants become population points: the territory's own
-- (in_territory), plus the communes lying within $demand_buffer metres of it, whose
-- inhabitants are only DEMAND for the capacity-limited indicators (2SFCA): a site near
-- the territory's edge is shared with the people living across that edge, whatever
-- the extent of the build. A national build has no such commune.
-- imports
CREATE OR REPLACE TABLE point_communes AS
WITH scope AS (SELECT code FROM scope_communes),
     area AS (SELECT epsg, geom, bbox FROM scope_area),
     others AS (
        SELECT code, epsg, geom_wgs84 FROM commune_base
        WHERE code NOT IN (SELECT code FROM scope) AND geom_wgs84 IS NOT NULL
     ),
-- logic: bounding boxes first (metric bbox of the commune's WGS84 box corners), then
-- the exact distance to the territory
     boxed AS (
        SELECT o.code, o.epsg, o.geom_wgs84,
               to_metric(ST_Point(ST_XMin(o.geom_wgs84), ST_YMin(o.geom_wgs84)), o.epsg) AS lo,
               to_metric(ST_Point(ST_XMax(o.geom_wgs84), ST_YMax(o.geom_wgs84)), o.epsg) AS hi
        FROM others o
     ),
     near AS (
        SELECT b.code FROM boxed b
        WHERE EXISTS (
            SELECT 1 FROM area s
            WHERE s.epsg = b.epsg
              AND least(ST_X(b.lo), ST_X(b.hi)) <= ST_XMax(s.bbox) + $demand_buffer
              AND greatest(ST_X(b.lo), ST_X(b.hi)) >= ST_XMin(s.bbox) - $demand_buffer
              AND least(ST_Y(b.lo), ST_Y(b.hi)) <= ST_YMax(s.bbox) + $demand_buffer
              AND greatest(ST_Y(b.lo), ST_Y(b.hi)) >= ST_YMin(s.bbox) - $demand_buffer
              AND ST_DWithin(to_metric(b.geom_wgs84, b.epsg), s.geom, $demand_buffer))
     )
-- final
SELECT code, true AS in_territory FROM scope
UNION ALL
SELECT code, false FROM near;
