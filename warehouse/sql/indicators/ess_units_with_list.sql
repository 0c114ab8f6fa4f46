-- ESS legal units and their family: the Sirene ESS flag and the ESS France list; a
-- listed unit missing from the stock is "autre" (frame _ess_families registered).
CREATE OR REPLACE TEMP TABLE _ess_units AS
SELECT u.siren, coalesce(f.family, 'autre') AS family
FROM raw_sirene_unites_legales u
LEFT JOIN _ess_families f ON f.categorie_juridique IS NOT DISTINCT FROM u.categorie_juridique
WHERE u.ess OR u.siren IN (SELECT siren FROM raw_ess_france_list)
UNION ALL
SELECT siren, 'autre' FROM raw_ess_france_list
WHERE siren NOT IN (SELECT siren FROM raw_sirene_unites_legales)
