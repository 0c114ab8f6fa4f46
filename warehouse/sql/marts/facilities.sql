-- One unified table of facilities across all sources, located in the metric CRS,
-- with the current commune code, kept within the build buffer of the territory.
-- imports
CREATE OR REPLACE TABLE stg_facilities_located AS
WITH raw AS (SELECT * FROM stg_facilities_raw),
     code_map AS (SELECT * FROM commune_code_map),
     base AS (SELECT code, epsg, geom_wgs84 FROM commune_base),
-- logic: current commune from the published code, else from the point
     mapped AS (
        SELECT r.* EXCLUDE (lon, lat), r.lon AS pub_lon, r.lat AS pub_lat, m.code AS mapped_code,
               CASE WHEN m.why = 'code en vigueur' THEN 'code publié'
                    WHEN m.code IS NOT NULL THEN 'code publié (' || m.why || ')' END AS assignment
        FROM raw r LEFT JOIN code_map m ON m.old_code = r.commune_code
     ),
     -- the published point checked against the commune of its code: more than
     -- $max_outside_m outside it is a wrong point (outside France, or lat/lon swapped:
     -- repaired when the swapped point lies within that distance of the commune).
     -- Counted facilities (marts/facility_counts.sql) sit at a point of their commune
     -- already checked there: not measured again.
     measured AS (
        SELECT m.*,
               CASE WHEN m.pub_lon IS NOT NULL AND m.pub_lat IS NOT NULL AND b.geom_wgs84 IS NOT NULL
                         AND m.localisation = 'point publié'
                    THEN ST_Distance(to_metric(ST_Point(m.pub_lon, m.pub_lat), b.epsg),
                                     to_metric(b.geom_wgs84, b.epsg)) END AS outside_m,
               b.epsg AS code_epsg, b.geom_wgs84 AS code_geom
        FROM mapped m LEFT JOIN base b ON b.code = m.mapped_code
     ),
     judged AS (
        SELECT * EXCLUDE (code_epsg, code_geom),
               CASE WHEN pub_lon IS NULL OR pub_lat IS NULL THEN 'sans'
                    WHEN outside_m IS NULL OR outside_m <= $max_outside_m THEN 'publiées'
                    WHEN abs(pub_lon) <= 90
                         AND ST_Distance(to_metric(ST_Point(pub_lat, pub_lon), code_epsg),
                                         to_metric(code_geom, code_epsg)) <= $max_outside_m
                    THEN 'inversées'
                    ELSE 'loin' END AS coordinates
        FROM measured
     ),
     pointed AS (
        SELECT *,
               CASE coordinates WHEN 'publiées' THEN ST_Point(pub_lon, pub_lat)
                                WHEN 'inversées' THEN ST_Point(pub_lat, pub_lon) END AS pt
        FROM judged
     ),
     -- no usable code: the commune containing the point, else the one containing the
     -- swapped point (lat/lon swapped in the source, repaired)
     unplaced AS (SELECT * FROM pointed WHERE mapped_code IS NULL AND pt IS NOT NULL),
     by_point AS (
        SELECT u.facility_id, min(b.code) AS code
        FROM unplaced u JOIN base b ON ST_Contains(b.geom_wgs84, u.pt)
        GROUP BY u.facility_id
     ),
     by_swapped AS (
        SELECT u.facility_id, min(b.code) AS code
        FROM unplaced u JOIN base b ON ST_Contains(b.geom_wgs84, ST_Point(u.pub_lat, u.pub_lon))
        WHERE abs(u.pub_lon) <= 90 AND u.facility_id NOT IN (SELECT facility_id FROM by_point)
        GROUP BY u.facility_id
     ),
     located AS (
        SELECT m.* EXCLUDE (coordinates, pt),
               CASE WHEN s.code IS NOT NULL THEN 'inversées' ELSE m.coordinates END
                   AS coordinates,
               CASE WHEN s.code IS NOT NULL THEN ST_Point(m.pub_lat, m.pub_lon) ELSE m.pt END
                   AS pt,
               coalesce(m.mapped_code, p.code, s.code) AS current_code,
               coalesce(m.assignment,
                        CASE WHEN p.code IS NOT NULL OR s.code IS NOT NULL
                             THEN 'commune contenant le point' END)
                   AS commune_assignment
        FROM pointed m
        LEFT JOIN by_point p ON p.facility_id = m.facility_id
        LEFT JOIN by_swapped s ON s.facility_id = m.facility_id
     )
-- final: lon/lat as used (swapped back when repaired)
SELECT *,
       CASE WHEN coordinates = 'inversées' THEN pub_lat ELSE pub_lon END AS lon,
       CASE WHEN coordinates = 'inversées' THEN pub_lon ELSE pub_lat END AS lat,
       metric_epsg(dep_of(current_code)) AS epsg,
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
       geo_precision, localisation, lon, lat, ST_X(geom) AS x, ST_Y(geom) AS y, epsg,
       land_mass, geom, current_code IN (SELECT code FROM scope_communes) AS in_territory
FROM massed;
-- Facilities that could not be placed (no coordinates, a point far from the commune of
-- their code, or no commune matching their code or containing their point): listed,
-- never silently dropped. lon/lat as published.
CREATE OR REPLACE TABLE facilities_unlocated AS
SELECT facility_id, source, service_type, label, commune_code AS published_commune_code,
       pub_lon AS lon, pub_lat AS lat,
       CASE WHEN coordinates = 'sans' THEN 'pas de coordonnées'
            WHEN coordinates = 'loin'
            THEN 'point à ' || CAST(round(outside_m / 1000) AS BIGINT)
                 || ' km de la commune de son code (hors de France ou coordonnées erronées)'
            ELSE 'aucune commune ne correspond au code ni ne contient le point' END AS reason
FROM stg_facilities_located WHERE geom IS NULL;
-- Facilities whose latitude and longitude were swapped in the source, repaired (the
-- swapped point lies in or near the commune of their code, or inside a commune).
CREATE OR REPLACE TABLE facilities_repaired AS
SELECT facility_id, source, service_type, label, commune_code AS published_commune_code,
       pub_lon AS published_lon, pub_lat AS published_lat, lon, lat,
       'latitude et longitude inversées dans la source, remises dans l''ordre' AS repair
FROM stg_facilities_located WHERE coordinates = 'inversées' AND geom IS NOT NULL;
DROP TABLE stg_facilities_located;
