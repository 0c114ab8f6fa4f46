-- Distinct employer flags and job brackets of the active establishments.
SELECT DISTINCT employeur, tranche_effectifs FROM raw_sirene_etablissements
WHERE etat_administratif = 'A'
