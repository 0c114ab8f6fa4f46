-- Distinct NAF codes of the active establishments (ESS lookups).
SELECT DISTINCT activite_principale FROM raw_sirene_etablissements
WHERE etat_administratif = 'A'
