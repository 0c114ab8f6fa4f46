-- ESS legal units and their family: the Sirene ESS flag (frame _ess_families registered).
CREATE OR REPLACE TEMP TABLE _ess_units AS
SELECT u.siren, coalesce(f.family, 'autre') AS family
FROM raw_sirene_unites_legales u
LEFT JOIN _ess_families f ON f.categorie_juridique IS NOT DISTINCT FROM u.categorie_juridique
WHERE u.ess
