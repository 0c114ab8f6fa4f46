-- Active employing establishments of every commune of France in the loaded Sirene stock
-- (current COG codes; not only the build's communes: the secrecy pattern is computed on
-- the national hierarchy), with their estimated jobs (NULL: no usable bracket); frame
-- _ess_employment registered.
CREATE OR REPLACE TEMP TABLE _ess_establishments AS
SELECT m.code AS commune_code, e.siren, e.activite_principale, emp.jobs
FROM raw_sirene_etablissements e
JOIN commune_code_map m ON m.old_code = e.commune_code
JOIN _ess_employment emp
  ON emp.employeur IS NOT DISTINCT FROM e.employeur
 AND emp.tranche_effectifs IS NOT DISTINCT FROM e.tranche_effectifs
WHERE e.etat_administratif = 'A' AND emp.employing
