-- All current communes of France (metro + DROM) with geometry, density class,
-- metric CRS and land mass; the territory scope is taken from it. Internal (not for
-- the dashboard). A commune not listed in stg_land_mass_communes (e.g. one created
-- after COG 2025) lies on the main land mass of its CRS zone.
-- imports
CREATE OR REPLACE TABLE commune_base AS
WITH communes AS (SELECT * FROM src_communes),
     geometry AS (SELECT * FROM src_geometry),
     density AS (SELECT * FROM src_density),
     population AS (SELECT * FROM src_population),
     land_mass_of AS (SELECT * FROM stg_land_mass_communes),
     main_land_mass AS (SELECT epsg, land_mass FROM stg_land_masses WHERE main)
-- logic + final
SELECT c.code, c.name, c.dep_code, c.reg_code, c.epci_code, p.population, p.population_source,
       c.postal_codes, d.density_level, d.density_label, metric_epsg(c.dep_code) AS epsg,
       coalesce(lm.land_mass, mm.land_mass) AS land_mass,
       g.geom_wgs84, g.town_hall, g.geometry_source
FROM communes c
LEFT JOIN geometry g ON g.code = c.code
LEFT JOIN density d ON d.commune_code = c.code
LEFT JOIN population p ON p.code = c.code
LEFT JOIN land_mass_of lm ON lm.commune_code = c.code
LEFT JOIN main_land_mass mm ON mm.epsg = metric_epsg(c.dep_code);
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
