-- Display geometry of each territory for the map, as GeoJSON text (read by
-- dashboards/queries/geometry.py, which only joins it to the names of `territories`).
-- `geom_display` simplified again and rounded for the web: 5 decimals (about 1 m),
-- or 4 decimals and a coarser simplification when a level holds more than 1,000
-- territories (0.001°, the 1,255 EPCI of France, seen whole at zoom 6-8) or more than
-- 3,000 (0.002°, all French communes). The union of member communes leaves slivers
-- between their borders: the interior rings of EPCI, départements and régions smaller
-- than 0.4 km² (the former 5e-5 square degrees at 48° N), area measured in the
-- territory's metric CRS `epsg` (Lambert-93, local UTM overseas), are dropped. Outer
-- rings are always kept (small islands); `geojson` is NULL without geometry.
-- imports
CREATE OR REPLACE TABLE display_geometry AS
WITH terr AS (
    SELECT level, code, epsg, geom_display,
           count(*) OVER (PARTITION BY level) AS n_level
    FROM territories
),
-- logic
rounded AS (
    SELECT level, code, epsg,
           ST_ReducePrecision(
               ST_SimplifyPreserveTopology(
                   geom_display,
                   CASE WHEN n_level > 3000 THEN 0.002 WHEN n_level > 1000 THEN 0.001
                        ELSE 0.0003 END
               ),
               CASE WHEN n_level > 1000 THEN 1e-4 ELSE 1e-5 END
           ) AS g
    FROM terr
),
parts AS (
    SELECT level, code, epsg, ST_GeometryType(g)::VARCHAR AS kind,
           unnest(ST_Dump(g), recursive := true)
    FROM rounded
    WHERE level <> 'commune' AND ST_GeometryType(g)::VARCHAR IN ('POLYGON', 'MULTIPOLYGON')
),
holes AS (
    SELECT level, code, kind, path, geom,
           ST_NInteriorRings(geom) AS n_holes,
           list_filter(
               list_transform(range(1, ST_NInteriorRings(geom) + 1),
                              i -> ST_InteriorRingN(geom, i)),
               ring -> coalesce(ST_Area(to_metric(ST_MakePolygon(ring), epsg)) >= 400000, true)
           ) AS kept
    FROM parts
),
-- territories with at least one sliver: their polygons rebuilt without it
with_slivers AS (
    SELECT level, code FROM holes GROUP BY level, code HAVING bool_or(len(kept) < n_holes)
),
rebuilt AS (
    SELECT h.level, h.code,
           CASE WHEN any_value(h.kind) = 'POLYGON'
                THEN any_value(h.polygon)
                ELSE ST_Collect(list(h.polygon ORDER BY h.path)) END AS g
    FROM (
        SELECT *, CASE WHEN len(kept) = n_holes THEN geom
                       ELSE ST_MakePolygon(ST_ExteriorRing(geom), kept) END AS polygon
        FROM holes
    ) h
    JOIN with_slivers USING (level, code)
    GROUP BY h.level, h.code
)
-- final
SELECT r.level, r.code, ST_AsGeoJSON(coalesce(b.g, r.g)) AS geojson
FROM rounded r LEFT JOIN rebuilt b USING (level, code)
ORDER BY r.level, r.code;
