-- One unified table of facilities across all sources, located in the metric CRS,
-- with the current commune code, kept within the build buffer of the territory.
-- imports
CREATE OR REPLACE TABLE stg_facilities_located AS
WITH raw AS (SELECT * FROM stg_facilities_raw),
     code_map AS (SELECT * FROM commune_code_map),
-- logic: current commune from the published code, else from the point
     mapped AS (
        SELECT r.*, m.code AS mapped_code,
               CASE WHEN m.why = 'code en vigueur' THEN 'code publié'
                    WHEN m.code IS NOT NULL THEN 'code publié (' || m.why || ')' END AS assignment,
               CASE WHEN r.lon IS NOT NULL AND r.lat IS NOT NULL
                    THEN ST_Point(r.lon, r.lat) END AS pt
        FROM raw r LEFT JOIN code_map m ON m.old_code = r.commune_code
     ),
     unplaced AS (SELECT * FROM mapped WHERE mapped_code IS NULL AND pt IS NOT NULL),
     by_point AS (
        SELECT u.facility_id, min(b.code) AS code
        FROM unplaced u JOIN commune_base b ON ST_Contains(b.geom_wgs84, u.pt)
        GROUP BY u.facility_id
     ),
     located AS (
        SELECT m.*, coalesce(m.mapped_code, p.code) AS current_code,
               coalesce(m.assignment,
                        CASE WHEN p.code IS NOT NULL THEN 'commune contenant le point' END)
                   AS commune_assignment
        FROM mapped m LEFT JOIN by_point p ON p.facility_id = m.facility_id
     )
-- final
SELECT *, metric_epsg(dep_of(current_code)) AS epsg,
       CASE WHEN pt IS NOT NULL AND current_code IS NOT NULL
            THEN to_metric(pt, metric_epsg(dep_of(current_code))) END AS geom
FROM located;
CREATE OR REPLACE TABLE facilities AS
WITH located AS (SELECT * FROM stg_facilities_located WHERE geom IS NOT NULL),
     inside AS (SELECT * FROM located WHERE current_code IN (SELECT code FROM scope_communes)),
     -- outside the territory: kept within the buffer (bbox first, then exact distance);
     -- for a national build this part is empty
     near AS (
        SELECT p.* FROM located p
        WHERE p.current_code NOT IN (SELECT code FROM scope_communes)
          AND EXISTS (
                SELECT 1 FROM scope_area s
                WHERE s.epsg = p.epsg
                  AND ST_X(p.geom) BETWEEN ST_XMin(s.bbox) - $buffer AND ST_XMax(s.bbox) + $buffer
                  AND ST_Y(p.geom) BETWEEN ST_YMin(s.bbox) - $buffer AND ST_YMax(s.bbox) + $buffer
                  AND ST_DWithin(p.geom, s.geom, $buffer))
     ),
     kept AS (SELECT * FROM inside UNION ALL SELECT * FROM near),
     -- the land mass of its commune (a facility only serves its own land mass)
     massed AS (
        SELECT k.*, b.land_mass FROM kept k JOIN commune_base b ON b.code = k.current_code
     )
SELECT facility_id, source, service_type, label, current_code AS commune_code,
       commune_code AS published_commune_code, commune_assignment, bpe_gamme, capacity,
       geo_precision, lon, lat, ST_X(geom) AS x, ST_Y(geom) AS y, epsg, land_mass, geom,
       current_code IN (SELECT code FROM scope_communes) AS in_territory
FROM massed;
-- Facilities that could not be placed (no coordinates, or no commune matches their
-- code or contains their point): listed, never silently dropped.
CREATE OR REPLACE TABLE facilities_unlocated AS
SELECT facility_id, source, service_type, label, commune_code AS published_commune_code,
       lon, lat,
       CASE WHEN pt IS NULL THEN 'pas de coordonnées'
            ELSE 'aucune commune ne correspond au code ni ne contient le point' END AS reason
FROM stg_facilities_located WHERE geom IS NULL;
DROP TABLE stg_facilities_located;
