-- Distinct legal categories of the Sirene legal units (ESS lookups).
SELECT DISTINCT categorie_juridique FROM raw_sirene_unites_legales
