-- Every territory of France with its parents, from the national commune reference
-- (commune_base), whatever the extent of the build: the ESS secrecy pattern is computed
-- on this hierarchy, so that builds of different extent publish the same blanks.
WITH c AS (SELECT code, epci_code, dep_code, reg_code, population FROM commune_base)
SELECT 'commune' AS level, code, epci_code, dep_code, reg_code, true AS complete,
       population::DOUBLE AS population
FROM c
UNION ALL
SELECT 'epci', epci_code, epci_code, min(dep_code), min(reg_code), true,
       sum(population)::DOUBLE
FROM c WHERE epci_code IS NOT NULL GROUP BY epci_code
UNION ALL
SELECT 'departement', dep_code, NULL, dep_code, min(reg_code), true, sum(population)::DOUBLE
FROM c GROUP BY dep_code
UNION ALL
SELECT 'region', reg_code, NULL, NULL, reg_code, true, sum(population)::DOUBLE
FROM c GROUP BY reg_code
UNION ALL
SELECT 'france', 'FR', NULL, NULL, NULL, true, sum(population)::DOUBLE
FROM c
