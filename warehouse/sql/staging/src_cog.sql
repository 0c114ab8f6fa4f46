-- Commune list, EPCI membership, départements and régions from Etalab (COG 2026).
-- imports
CREATE OR REPLACE VIEW src_communes AS
WITH cog AS (SELECT * FROM raw_cog_communes),
     members AS (SELECT DISTINCT commune_code, epci_code, epci_name, epci_type FROM raw_cog_epci)
-- logic + final
SELECT c.code, c.name, c.dep_code, c.reg_code, m.epci_code, c.population,
       c.postal_codes, 'cog_communes' AS population_source
FROM cog c LEFT JOIN members m ON m.commune_code = c.code
WHERE c.kind = 'COM' AND c.zone IN ('metro', 'drom');
CREATE OR REPLACE VIEW src_epci AS
SELECT DISTINCT epci_code AS code, epci_name AS name, epci_type AS kind FROM raw_cog_epci;
CREATE OR REPLACE VIEW src_departements AS
SELECT dep_code AS code, name, reg_code FROM raw_cog_departements;
CREATE OR REPLACE VIEW src_regions AS
SELECT reg_code AS code, name FROM raw_cog_regions;
CREATE OR REPLACE VIEW src_aliases AS
WITH olds AS (
    SELECT unnest(old_codes) AS old_code, code, NULL::VARCHAR AS old_name, 'ancien code' AS why
    FROM raw_cog_communes WHERE kind = 'COM'
), parts AS (
    SELECT code AS old_code, parent_code AS code, name AS old_name,
           CASE kind WHEN 'COMD' THEN 'commune déléguée' WHEN 'COMA' THEN 'commune associée'
                     ELSE 'arrondissement municipal' END AS why
    FROM raw_cog_communes WHERE kind IN ('COMD', 'COMA', 'ARM') AND parent_code IS NOT NULL
)
SELECT * FROM olds UNION ALL SELECT * FROM parts;
CREATE OR REPLACE VIEW src_arrondissements AS
SELECT code, name, parent_code, population FROM raw_cog_communes WHERE kind = 'ARM';
