-- Territories of the built scope at four levels and France, with population, density class and
-- geometry: `geom` in the metric CRS of `epsg`, `geom_display` simplified WGS84;
-- `land_mass` for communes only (an EPCI or a département may span several).
-- imports
CREATE OR REPLACE TABLE territories AS
WITH com AS (
    SELECT b.* FROM commune_base b WHERE b.code IN (SELECT code FROM scope_communes)
)
-- final
SELECT 'commune' AS level, code, name, dep_code, reg_code, epci_code,
       population, population_source, density_level, density_label,
       1 AS n_communes, true AS complete, epsg, geometry_source,
       to_metric(geom_wgs84, epsg) AS geom,
       ST_SimplifyPreserveTopology(geom_wgs84, 0.0004) AS geom_display,
       land_mass
FROM com;
INSERT INTO territories
WITH com AS (SELECT * FROM territories WHERE level = 'commune'),
     national AS (SELECT epci_code, count(*) AS n FROM commune_base GROUP BY epci_code),
     agg AS (
        SELECT epci_code AS code, min(dep_code) AS dep_code, min(reg_code) AS reg_code,
               sum(population) AS population, count(*) AS n_communes, min(epsg) AS epsg,
               ST_Union_Agg(geom_display) AS g
        FROM com WHERE epci_code IS NOT NULL GROUP BY epci_code
     )
SELECT 'epci', a.code, e.name, a.dep_code, a.reg_code, a.code, a.population,
       NULL, NULL, NULL, a.n_communes, a.n_communes = n.n, a.epsg, NULL,
       to_metric(a.g, a.epsg), ST_SimplifyPreserveTopology(a.g, 0.0008), NULL
FROM agg a JOIN src_epci e ON e.code = a.code JOIN national n ON n.epci_code = a.code;
INSERT INTO territories
WITH com AS (SELECT * FROM territories WHERE level = 'commune'),
     national AS (SELECT dep_code, count(*) AS n FROM commune_base GROUP BY dep_code),
     agg AS (
        SELECT dep_code AS code, min(reg_code) AS reg_code, sum(population) AS population,
               count(*) AS n_communes, min(epsg) AS epsg, ST_Union_Agg(geom_display) AS g
        FROM com GROUP BY dep_code
     )
SELECT 'departement', a.code, d.name, a.code, a.reg_code, NULL, a.population,
       NULL, NULL, NULL, a.n_communes, a.n_communes = n.n, a.epsg, NULL,
       to_metric(a.g, a.epsg), ST_SimplifyPreserveTopology(a.g, 0.0015), NULL
FROM agg a JOIN src_departements d ON d.code = a.code JOIN national n ON n.dep_code = a.code;
INSERT INTO territories
WITH dep AS (SELECT * FROM territories WHERE level = 'departement'),
     national AS (SELECT reg_code, count(*) AS n FROM commune_base GROUP BY reg_code),
     agg AS (
        SELECT reg_code AS code, sum(population) AS population, sum(n_communes) AS n_communes,
               min(epsg) AS epsg, ST_Union_Agg(geom_display) AS g
        FROM dep GROUP BY reg_code
     )
SELECT 'region', a.code, r.name, NULL, a.code, NULL, a.population,
       NULL, NULL, NULL, a.n_communes, a.n_communes = n.n, a.epsg, NULL,
       to_metric(a.g, a.epsg), ST_SimplifyPreserveTopology(a.g, 0.003), NULL
FROM agg a JOIN src_regions r ON r.code = a.code JOIN national n ON n.reg_code = a.code;
-- France as a whole (code FR): a reference for portraits and exports, complete only
-- when the build holds every commune; no geometry (its parts use different metric
-- CRSs: its area is the sum of its départements').
INSERT INTO territories
SELECT 'france', 'FR', 'France', NULL, NULL, NULL, sum(population), NULL, NULL, NULL,
       count(*), count(*) = (SELECT count(*) FROM commune_base), 2154, NULL,
       NULL, NULL, NULL
FROM territories WHERE level = 'commune';
CREATE OR REPLACE TABLE scope_area AS
SELECT epsg, ST_Union_Agg(geom) AS geom, ST_Extent_Agg(geom) AS bbox
FROM territories WHERE level = 'departement' GROUP BY epsg;
CREATE OR REPLACE TABLE commune_search AS
WITH scope AS (SELECT code, name, dep_code FROM territories WHERE level = 'commune')
SELECT code AS commune_code, name AS label, 'nom' AS match_kind, dep_code FROM scope
UNION ALL
SELECT a.code, a.old_name, a.why, s.dep_code
FROM src_aliases a JOIN scope s ON s.code = a.code
WHERE a.old_name IS NOT NULL AND a.old_name <> s.name;
CREATE OR REPLACE TABLE postal_codes AS
SELECT DISTINCT unnest(postal_codes) AS postal_code, code AS commune_code
FROM commune_base WHERE code IN (SELECT code FROM scope_communes) AND postal_codes IS NOT NULL;
