-- All current communes of France (metro + DROM) with geometry, density class and
-- metric CRS; the territory scope is taken from it. Internal (not for the dashboard).
-- imports
CREATE OR REPLACE TABLE commune_base AS
WITH communes AS (SELECT * FROM src_communes),
     geometry AS (SELECT * FROM src_geometry),
     density AS (SELECT * FROM src_density),
     population AS (SELECT * FROM src_population)
-- logic + final
SELECT c.code, c.name, c.dep_code, c.reg_code, c.epci_code, p.population, p.population_source,
       c.postal_codes, d.density_level, d.density_label, metric_epsg(c.dep_code) AS epsg,
       g.geom_wgs84, g.town_hall, g.geometry_source
FROM communes c
LEFT JOIN geometry g ON g.code = c.code
LEFT JOIN density d ON d.commune_code = c.code
LEFT JOIN population p ON p.code = c.code;
CREATE OR REPLACE TABLE commune_code_map AS
WITH cur AS (SELECT code FROM commune_base),
     aliases AS (
        SELECT old_code, code, why FROM src_aliases
        WHERE code IN (SELECT code FROM cur) AND old_code NOT IN (SELECT code FROM cur)
     )
SELECT code AS old_code, code, 'code en vigueur' AS why FROM cur
UNION ALL
SELECT old_code, min(code) AS code, min(why) AS why FROM aliases GROUP BY old_code;
CREATE OR REPLACE TABLE scope_communes AS
SELECT code FROM commune_base
WHERE $kind = 'fr'
   OR ($kind = 'dep' AND dep_code = $code)
   OR ($kind = 'reg' AND reg_code = $code)
   OR ($kind = 'epci' AND epci_code = $code);
